package dev.pipelinex.intake;

import dev.pipelinex.job.Refusal;
import dev.pipelinex.job.RequestRefusedException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.Proxy;
import java.net.URI;
import java.net.URL;
import java.net.UnknownHostException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.eclipse.jgit.api.Git;
import org.eclipse.jgit.api.errors.GitAPIException;
import org.eclipse.jgit.lib.EmptyProgressMonitor;
import org.eclipse.jgit.lib.ObjectId;
import org.eclipse.jgit.transport.TransportHttp;
import org.eclipse.jgit.transport.http.HttpConnection;
import org.eclipse.jgit.transport.http.HttpConnectionFactory;

/**
 * Checks a repository URL strictly and clones it (depth 1 unless its history is wanted, no
 * submodules, under a deadline and the size limits) into a job's {@code source/}. Every HTTP
 * request of the clone goes to the checked host only, at an address that passed the checks:
 * a redirect elsewhere fails the clone.
 */
public final class GitIntake {

    private static final int MAX_URL_CHARS = 300;
    private static final Pattern SEGMENT = Pattern.compile("[A-Za-z0-9_.-]{1,100}");
    private static final Pattern URL = Pattern.compile("([A-Za-z][A-Za-z0-9+.-]*)://([^/?#]*)([^?#]*)(\\?[^#]*)?(#.*)?");
    private static final Pattern HOST = Pattern.compile("([a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?(?:\\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)*)(?::(\\d{1,5}))?");
    private static final Pattern IPV6 = Pattern.compile("(\\[[0-9a-f:.]+\\])(?::(\\d{1,5}))?");
    private static final String EXAMPLE = "https://github.com/owner/repo.git";

    private final GitPolicy policy;
    private final IntakeLimits limits;
    private final AddressResolver resolver;

    public GitIntake(GitPolicy policy, IntakeLimits limits) {
        this(policy, limits, AddressResolver.SYSTEM);
    }

    public GitIntake(GitPolicy policy, IntakeLimits limits, AddressResolver resolver) {
        this.policy = policy;
        this.limits = limits;
        this.resolver = resolver;
    }

    /**
     * The URL in the one form that will be cloned, or a refusal that says what is wrong with it.
     * The host's addresses are checked too (see {@link GitPolicy}).
     */
    public URI check(String url) {
        URI uri = syntax(url);
        checkAddresses(uri.getHost());
        return uri;
    }

    /** The checks of {@link #check} that need no name resolution. */
    URI syntax(String url) {
        if (url == null || url.isEmpty()) {
            throw refused("the URL is empty; send one such as " + EXAMPLE);
        }
        if (url.length() > MAX_URL_CHARS) {
            throw refused("the URL is " + url.length() + " characters long; the limit is " + MAX_URL_CHARS);
        }
        for (int i = 0; i < url.length(); i++) {
            char c = url.charAt(i);
            if (c <= 0x20 || c >= 0x7f) {
                throw refused("'" + printable(url) + "' is not a URL: it contains whitespace, control or "
                        + "non-ASCII characters (write an internationalised host name as it is registered)");
            }
        }
        if (url.startsWith("-")) {
            throw refused("only https URLs are accepted, such as " + EXAMPLE + "; '" + url
                    + "' starts with '-' like a command-line option");
        }
        Matcher m = URL.matcher(url);
        if (!m.matches()) {
            throw refused("only https URLs are accepted, such as " + EXAMPLE + "; '" + url + "' is not one"
                    + (url.matches("[^/:]+@[^/:]+:.*") ? " (scp-like ssh addresses are not accepted)"
                    : url.contains("::") ? " (remote helpers such as ext:: are not accepted)" : ""));
        }
        String scheme = m.group(1).toLowerCase(Locale.ROOT);
        if (!scheme.equals("https") && !(scheme.equals("http") && policy.allowHttp())) {
            throw refused("only https URLs are accepted, such as " + EXAMPLE + "; got a " + scheme + ": URL");
        }
        if (url.indexOf('\\') >= 0) {
            throw refused("the URL must not contain backslashes");
        }
        String authority = m.group(2);
        if (authority.contains("@")) {
            throw refused("the URL must not carry a user name or password (found '@' before the host)");
        }
        if (authority.contains("%")) {
            throw refused("the host must not contain percent-encoded characters");
        }
        String lower = authority.toLowerCase(Locale.ROOT);
        Matcher h = HOST.matcher(lower);
        Matcher v6 = IPV6.matcher(lower);
        String host;
        String portText;
        if (h.matches()) {
            host = h.group(1);
            portText = h.group(2);
        } else if (v6.matches()) {
            host = v6.group(1);
            portText = v6.group(2);
        } else if (lower.endsWith(".") || lower.contains(".:")) {
            throw refused("host '" + authority + "' is not allowed: a trailing dot is not accepted; allowed hosts: "
                    + policy.describe());
        } else {
            throw refused("'" + authority + "' is not a host name; allowed hosts: " + policy.describe());
        }
        if (host.startsWith("xn--") || host.contains(".xn--")) {
            if (!policy.allowsHost(host)) {
                throw refused("host '" + host + "' is not allowed (an internationalised, punycode name); allowed hosts: "
                        + policy.describe());
            }
        }
        if (!policy.allowsHost(host)) {
            throw refused("host '" + host + "' is not allowed; allowed hosts: " + policy.describe());
        }
        int port = -1;
        if (portText != null) {
            port = Integer.parseInt(portText);
            int standard = scheme.equals("https") ? 443 : 80;
            if (port == standard) {
                port = -1;
            } else if (port < 1 || port > 65535 || !policy.allowsPort(host, port)) {
                throw refused("port " + portText + " of host '" + host + "' is not allowed; give the URL without a port");
            }
        }
        if (m.group(4) != null || m.group(5) != null) {
            throw refused("the URL must not have a query or a fragment");
        }
        String path = m.group(3);
        if (path.contains("%")) {
            throw refused("the path must be /owner/repository without percent-encoded characters, got '" + path + "'");
        }
        String[] parts = path.replaceFirst("^/", "").replaceFirst("/$", "").split("/", -1);
        if (!path.startsWith("/") || parts.length != 2 || !segment(parts[0]) || !segment(parts[1])
                || parts[1].equals(".git")) {
            throw refused("the path must be /owner/repository, got '" + path + "'");
        }
        String repo = parts[1].endsWith(".git") ? parts[1] : parts[1] + ".git";
        return URI.create(scheme + "://" + host + (port > 0 ? ":" + port : "") + "/" + parts[0] + "/" + repo);
    }

    private static boolean segment(String s) {
        return SEGMENT.matcher(s).matches() && !s.startsWith(".") && !s.contains("..");
    }

    /** Refuses a host that does not resolve, or that has an address a clone must not reach. */
    void checkAddresses(String host) {
        Optional<String> why = addressProblem(host);
        if (why.isPresent()) {
            throw refused(why.get());
        }
    }

    private Optional<String> addressProblem(String host) {
        String name = host.startsWith("[") ? host.substring(1, host.length() - 1) : host;
        InetAddress[] addresses;
        try {
            addresses = resolver.resolve(name);
        } catch (UnknownHostException e) {
            return Optional.of("host '" + host + "' cannot be resolved");
        }
        if (addresses == null || addresses.length == 0) {
            return Optional.of("host '" + host + "' cannot be resolved");
        }
        if (policy.allowPrivateAddresses()) {
            return Optional.empty();
        }
        for (InetAddress a : addresses) {
            Optional<String> why = Addresses.forbidden(a);
            if (why.isPresent()) {
                return Optional.of("host '" + host + "' resolves to " + a.getHostAddress() + ", " + why.get()
                        + "; repositories are cloned from public addresses only "
                        + "(pipelinex.git.allow-private-addresses)");
            }
        }
        return Optional.empty();
    }

    /** Clones the tip of {@code url} (depth 1) into {@code target}; returns the commit checked out. */
    public String clone(URI url, Path target) {
        return clone(url, target, false);
    }

    /**
     * Clones {@code url} (as {@link #check} returned it) into {@code target}, with its whole
     * history when {@code history} is set (for a secret scan of past commits), else at depth 1;
     * returns the commit checked out. The clone is refused when it passes the deadline, the
     * unpacked size, the file count or the folder depth of {@link IntakeLimits}.
     */
    public String clone(URI url, Path target, boolean history) {
        long deadline = System.nanoTime() + limits.cloneTimeoutSeconds() * 1_000_000_000L;
        AtomicReference<RequestRefusedException> stop = new AtomicReference<>();
        EmptyProgressMonitor monitor = new EmptyProgressMonitor() {
            private long nextCheck;

            @Override
            public boolean isCancelled() {
                long now = System.nanoTime();
                if (now > deadline || stop.get() != null) {
                    return true;
                }
                if (now > nextCheck) {
                    nextCheck = now + 250_000_000L;
                    long bytes = dev.pipelinex.files.TreeSize.bytes(target, limits.maxUnpackedBytes());
                    if (bytes > limits.maxUnpackedBytes()) {
                        stop.compareAndSet(null, tooLarge("the repository is larger than "
                                + mib(limits.maxUnpackedBytes()) + " (pipelinex.intake.max-unpacked-bytes)"));
                        return true;
                    }
                }
                return false;
            }
        };
        var command = Git.cloneRepository()
                .setURI(url.toString())
                .setDirectory(target.toFile())
                .setCloneSubmodules(false)
                .setNoTags()
                .setTransportConfigCallback(t -> {
                    if (t instanceof TransportHttp http) {
                        http.setHttpConnectionFactory(new Guard(url, http.getHttpConnectionFactory(), stop));
                    }
                });
        if (!history) {
            command.setDepth(1);
        }
        try (Git git = command
                .setTimeout(limits.cloneTimeoutSeconds())
                .setProgressMonitor(monitor)
                .call()) {
            ObjectId head = git.getRepository().resolve("HEAD");
            if (head == null) {
                throw new RequestRefusedException(Refusal.CLONE_FAILED, url + " has no commits");
            }
            checkTree(target);
            return head.name();
        } catch (GitAPIException | IOException | org.eclipse.jgit.api.errors.JGitInternalException e) {
            if (stop.get() != null) {
                throw stop.get();
            }
            if (System.nanoTime() > deadline) {
                throw new RequestRefusedException(Refusal.CLONE_FAILED, "cloning " + url + " took longer than "
                        + limits.cloneTimeoutSeconds() + " s (pipelinex.intake.clone-timeout-seconds)");
            }
            throw new RequestRefusedException(Refusal.CLONE_FAILED, "cloning " + url + " failed: "
                    + e.getMessage() + ". Check that the repository exists and is public.", List.of(), e);
        }
    }

    /** The checked-out tree within the limits, and no link that points outside it. */
    void checkTree(Path target) {
        Path root = target.toAbsolutePath().normalize();
        long[] files = {0};
        long[] bytes = {0};
        try {
            Files.walkFileTree(root, new SimpleFileVisitor<>() {
                @Override
                public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs) {
                    if (!dir.equals(root) && root.relativize(dir).getNameCount() > limits.maxDepth()
                            && !root.relativize(dir).startsWith(".git")) {
                        throw invalid("folder '" + root.relativize(dir) + "' is nested deeper than "
                                + limits.maxDepth() + " folders (pipelinex.intake.max-depth)");
                    }
                    return FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                    Path rel = root.relativize(file);
                    if (attrs.isSymbolicLink()) {
                        Path to = file.getParent().resolve(Files.readSymbolicLink(file)).normalize();
                        if (!to.startsWith(root)) {
                            throw invalid("'" + rel + "' is a symbolic link that points outside the repository");
                        }
                    }
                    bytes[0] += attrs.size();
                    if (bytes[0] > limits.maxUnpackedBytes()) {
                        throw tooLarge("the repository is larger than " + mib(limits.maxUnpackedBytes())
                                + " (pipelinex.intake.max-unpacked-bytes)");
                    }
                    if (!rel.startsWith(".git") && ++files[0] > limits.maxFiles()) {
                        throw tooLarge("the repository holds more than " + limits.maxFiles()
                                + " files (pipelinex.intake.max-files)");
                    }
                    return FileVisitResult.CONTINUE;
                }
            });
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the clone in " + root + ": " + e.getMessage(), e);
        }
    }

    /** Lets the clone's HTTP requests reach the checked host only, at an allowed address. */
    private final class Guard implements HttpConnectionFactory {
        private final URI origin;
        private final HttpConnectionFactory delegate;
        private final AtomicReference<RequestRefusedException> stop;

        Guard(URI origin, HttpConnectionFactory delegate, AtomicReference<RequestRefusedException> stop) {
            this.origin = origin;
            this.delegate = delegate;
            this.stop = stop;
        }

        @Override
        public HttpConnection create(URL url) throws IOException {
            return create(url, Proxy.NO_PROXY);
        }

        @Override
        public HttpConnection create(URL url, Proxy proxy) throws IOException {
            String host = url.getHost().toLowerCase(Locale.ROOT);
            if (!url.getProtocol().equalsIgnoreCase(origin.getScheme()) || !host.equals(origin.getHost())
                    || url.getPort() != origin.getPort() && !(url.getPort() == -1 && origin.getPort() == -1)) {
                RequestRefusedException e = refused("the server of " + origin + " redirected the clone to "
                        + url.getProtocol() + "://" + url.getHost() + (url.getPort() > 0 ? ":" + url.getPort() : "")
                        + "; a clone stays on the host it was given");
                stop.compareAndSet(null, e);
                throw new IOException(e.detail());
            }
            Optional<String> why = addressProblem(host);
            if (why.isPresent()) {
                stop.compareAndSet(null, refused(why.get()));
                throw new IOException(why.get());
            }
            return delegate.create(url, proxy);
        }
    }

    private static String printable(String s) {
        String p = s.replaceAll("[\\p{Cntrl}\\p{Z}]", "?");
        return p.length() <= 80 ? p : p.substring(0, 80) + "…";
    }

    private static String mib(long bytes) {
        return (bytes >> 20) + " MiB";
    }

    private static RequestRefusedException tooLarge(String detail) {
        return new RequestRefusedException(Refusal.TOO_LARGE, detail);
    }

    private static RequestRefusedException invalid(String detail) {
        return new RequestRefusedException(Refusal.INVALID_ARCHIVE, detail);
    }

    private static RequestRefusedException refused(String detail) {
        return new RequestRefusedException(Refusal.INVALID_REPOSITORY_URL, detail);
    }
}
