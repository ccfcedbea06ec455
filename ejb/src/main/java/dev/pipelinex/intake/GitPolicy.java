package dev.pipelinex.intake;

import java.util.Locale;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Which repositories may be cloned: exact host names (default {@code github.com}) over https;
 * plain http only when an operator allows it, as the tests do for a git server on loopback.
 * An entry may name a port ({@code git.example:8443}) or any port ({@code 127.0.0.1:*}); without
 * one only the scheme's default port is accepted. A host whose address is loopback, private,
 * link-local, CGNAT, multicast or a cloud metadata address is refused unless
 * {@code allowPrivateAddresses} is set.
 */
public record GitPolicy(Set<String> allowedHosts, boolean allowHttp, boolean allowPrivateAddresses) {

    public static final GitPolicy DEFAULT = new GitPolicy(Set.of("github.com"), false, false);

    public GitPolicy {
        allowedHosts = allowedHosts.stream().map(h -> h.trim().toLowerCase(Locale.ROOT))
                .filter(h -> !h.isEmpty()).collect(Collectors.toUnmodifiableSet());
    }

    public GitPolicy(Set<String> allowedHosts, boolean allowHttp) {
        this(allowedHosts, allowHttp, false);
    }

    /** Whether {@code host} (lower case) is allowed at all, on some port. */
    public boolean allowsHost(String host) {
        return allowedHosts.stream().anyMatch(e -> e.equals(host) || e.startsWith(host + ":"));
    }

    /** Whether {@code host} may be reached on the explicit {@code port} (not the scheme's default). */
    public boolean allowsPort(String host, int port) {
        return allowedHosts.contains(host + ":*") || allowedHosts.contains(host + ":" + port);
    }

    /** The allowed host names, sorted, for a refusal's detail. */
    public String describe() {
        return String.join(", ", allowedHosts.stream().sorted().toList());
    }
}
