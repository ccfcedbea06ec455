package dev.pipelinex.intake;

import java.util.Locale;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Which repositories may be cloned: exact host names (default {@code github.com}) over https;
 * plain http only when an operator allows it, as the tests do for a git server on loopback.
 */
public record GitPolicy(Set<String> allowedHosts, boolean allowHttp) {

    public static final GitPolicy DEFAULT = new GitPolicy(Set.of("github.com"), false);

    public GitPolicy {
        allowedHosts = allowedHosts.stream().map(h -> h.trim().toLowerCase(Locale.ROOT))
                .filter(h -> !h.isEmpty()).collect(Collectors.toUnmodifiableSet());
    }
}
