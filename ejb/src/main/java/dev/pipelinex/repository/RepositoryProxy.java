package dev.pipelinex.repository;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.logging.Logger;
import java.util.regex.Pattern;

/**
 * The server's Maven repository proxy: the one way a stage gets dependencies. It answers
 * {@code GET} and {@code HEAD} of repository paths from the operator's upstreams only (Maven
 * Central or the configured mirror, then an allow-list), in that order. Every file it passes on
 * has been checked against the strongest checksum its upstream serves (SHA-512, SHA-256, then
 * SHA-1), and the checksums a stage asks for are computed here from the checked file, never
 * taken from a job. Release files land in the shared cache, which only this class writes (by
 * atomic rename, so readers and other nodes never see half a file); SNAPSHOT files are passed
 * on and not kept; {@code maven-metadata.xml} is kept in the server's own folder for
 * {@code metadataTtl}, and served stale when every upstream fails.
 */
public final class RepositoryProxy {

    private static final Logger LOG = Logger.getLogger(RepositoryProxy.class.getName());
    private static final Pattern HEX = Pattern.compile("[0-9a-fA-F]+");
    private static final int LOCKS = 64;

    /** What the proxy answers to one request. {@code file} (or {@code body}) is the content of a 200. */
    public record Answer(int status, String reason, Path file, byte[] body, boolean temporary) {

        static Answer file(Path file, boolean temporary) {
            return new Answer(200, "OK", file, null, temporary);
        }

        static Answer body(byte[] body) {
            return new Answer(200, "OK", null, body, false);
        }

        static Answer refused(int status, String reason) {
            return new Answer(status, reason, null, null, false);
        }

        public boolean ok() {
            return status == 200;
        }

        /** Deletes a file that was fetched for this answer alone. */
        public void release() {
            if (temporary && file != null) {
                try {
                    Files.deleteIfExists(file);
                } catch (IOException e) {
                    LOG.fine("cannot delete " + file + ": " + e.getMessage());
                }
            }
        }
    }

    private final Path cache;
    private final Path state;
    private final List<URI> upstreams;
    private final Duration metadataTtl;
    private final long maxFileBytes;
    private final HttpClient http;
    private final Object[] locks = new Object[LOCKS];
    private final java.util.concurrent.atomic.AtomicLong sockets = new java.util.concurrent.atomic.AtomicLong();
    private Path socketDir;

    /**
     * @param cache        the shared cache (a Maven repository), read-only to stages, written here
     * @param state        the proxy's own folder (metadata, downloads in progress), seen by no stage
     * @param upstreams    the repositories files come from, in the order they are asked
     * @param metadataTtl  how long a {@code maven-metadata.xml} is served before upstream is asked again
     * @param maxFileBytes the largest file passed on
     */
    public RepositoryProxy(Path cache, Path state, List<URI> upstreams, Duration metadataTtl, long maxFileBytes) {
        if (upstreams.isEmpty()) {
            throw new IllegalArgumentException("the repository proxy needs at least one upstream repository");
        }
        this.cache = cache;
        this.state = state;
        this.upstreams = upstreams.stream().map(RepositoryProxy::withSlash).toList();
        this.metadataTtl = metadataTtl;
        this.maxFileBytes = maxFileBytes;
        // HTTP/1.1 on a pool of connections: one stalled HTTP/2 connection would hold every request behind it.
        this.http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).followRedirects(HttpClient.Redirect.NORMAL)
                .connectTimeout(Duration.ofSeconds(15)).build();
        for (int i = 0; i < LOCKS; i++) {
            locks[i] = new Object();
        }
    }

    private static URI withSlash(URI u) {
        String s = u.toString();
        return URI.create(s.endsWith("/") ? s : s + "/");
    }

    public Path cache() {
        return cache;
    }

    public List<URI> upstreams() {
        return upstreams;
    }

    /**
     * A socket of this proxy for one stage, in a folder of the server's alone (mode 0700 under
     * {@code /tmp}: a socket's path must be short); {@code note} writes into the stage's log.
     */
    public ProxySocket open(java.util.function.Consumer<String> note) throws IOException {
        return ProxySocket.open(this, socketDir().resolve("s" + sockets.incrementAndGet() + ".sock"), note);
    }

    private synchronized Path socketDir() throws IOException {
        if (socketDir == null || !Files.isDirectory(socketDir)) {
            Path base = Path.of("/tmp");
            socketDir = Files.createTempDirectory(Files.isDirectory(base) ? base : Path.of(System.getProperty("java.io.tmpdir")),
                    "pipelinex-repo");
        }
        return socketDir;
    }

    /** The upstreams as a person reads them, for messages. */
    public String describeUpstreams() {
        return String.join(", ", upstreams.stream().map(URI::toString).toList());
    }

    /**
     * The answer to a {@code GET} (or {@code HEAD}: the same answer, its body unsent) of
     * {@code target}. A refusal's reason says why in words a person acts on.
     */
    public Answer get(String target) {
        Optional<RepositoryPath> parsed = RepositoryPath.parse(target);
        if (parsed.isEmpty()) {
            RepositoryCounters.refused();
            return Answer.refused(400, "not a repository path: " + printable(target));
        }
        RepositoryPath path = parsed.get();
        Answer answer;
        try {
            answer = path.checksum().isPresent() ? checksum(path) : file(path);
        } catch (IOException e) {
            // A refused connection or a timeout has no message of its own: name its kind.
            String why = e.getMessage() == null || e.getMessage().isBlank() ? e.getClass().getSimpleName() : e.getMessage();
            LOG.warning("repository proxy: " + path + ": " + why);
            answer = Answer.refused(502, path.coordinates() + " could not be fetched from the allowed repositories: "
                    + printable(why));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            answer = Answer.refused(503, "the server is stopping");
        }
        if (!answer.ok()) {
            RepositoryCounters.refused();
        }
        return answer;
    }

    /** A checksum of a file, computed here from the checked file. */
    private Answer checksum(RepositoryPath path) throws IOException, InterruptedException {
        Answer of = file(path.checked());
        if (!of.ok()) {
            return of;
        }
        try {
            String algorithm = path.checksum().orElseThrow();
            byte[] digest = of.file() != null ? digest(of.file(), algorithm) : digest(of.body(), algorithm);
            return Answer.body(HexFormat.of().formatHex(digest).getBytes(StandardCharsets.US_ASCII));
        } finally {
            of.release();
        }
    }

    private Answer file(RepositoryPath path) throws IOException, InterruptedException {
        if (path.metadata()) {
            return metadata(path);
        }
        if (path.snapshot()) {
            Path tmp = Files.createTempFile(downloads(), "snapshot", ".tmp");
            Optional<String> refusal = fetchChecked(path, tmp);
            if (refusal.isPresent()) {
                Files.deleteIfExists(tmp);
                return Answer.refused(404, refusal.get());
            }
            RepositoryCounters.miss();
            return Answer.file(tmp, true);
        }
        Path target = cache.resolve(path.path());
        if (Files.isRegularFile(target, LinkOption.NOFOLLOW_LINKS)) {
            RepositoryCounters.hit();
            return Answer.file(target, false);
        }
        synchronized (lock(path)) {
            if (Files.isRegularFile(target, LinkOption.NOFOLLOW_LINKS)) {
                RepositoryCounters.hit();
                return Answer.file(target, false);
            }
            // Fetched into the proxy's own folder: nothing, not even a folder, lands in the shared
            // cache before the file is checked.
            Path tmp = Files.createTempFile(downloads(), "artifact", ".tmp");
            try {
                Optional<String> refusal = fetchChecked(path, tmp);
                if (refusal.isPresent()) {
                    return Answer.refused(404, refusal.get());
                }
                // Readable by every stage's user (the temporary file was the server's alone).
                Files.setPosixFilePermissions(tmp, java.nio.file.attribute.PosixFilePermissions.fromString("rw-r--r--"));
                Files.createDirectories(target.getParent());
                place(tmp, target);
                RepositoryCounters.miss();
                return Answer.file(target, false);
            } finally {
                Files.deleteIfExists(tmp);
            }
        }
    }

    /** A {@code maven-metadata.xml}: the kept copy while it is fresh, else upstream's, else the stale copy. */
    private Answer metadata(RepositoryPath path) throws IOException, InterruptedException {
        Path kept = state.resolve("metadata").resolve(path.path());
        synchronized (lock(path)) {
            if (fresh(kept)) {
                RepositoryCounters.hit();
                return Answer.body(Files.readAllBytes(kept));
            }
            Path tmp = Files.createTempFile(downloads(), "metadata", ".tmp");
            try {
                Optional<String> refusal;
                try {
                    refusal = fetchChecked(path, tmp);
                } catch (IOException e) {
                    if (Files.isRegularFile(kept)) {
                        LOG.info("repository proxy: upstream failed (" + e.getMessage() + "); serving the kept " + path);
                        return Answer.body(Files.readAllBytes(kept));
                    }
                    throw e;
                }
                if (refusal.isPresent()) {
                    // Gone upstream: forget it, so that no stale list outlives it.
                    Files.deleteIfExists(kept);
                    return Answer.refused(404, refusal.get());
                }
                Files.createDirectories(kept.getParent());
                Files.move(tmp, kept, StandardCopyOption.REPLACE_EXISTING);
                RepositoryCounters.miss();
                return Answer.body(Files.readAllBytes(kept));
            } finally {
                Files.deleteIfExists(tmp);
            }
        }
    }

    /** Moves a checked file into the cache by one rename (a copy beside it first when the cache is on another file system). */
    private static void place(Path tmp, Path target) throws IOException {
        try {
            Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE);
        } catch (java.nio.file.FileAlreadyExistsException e) {
            // another node placed it first: the same checked file
        } catch (java.nio.file.AtomicMoveNotSupportedException e) {
            Path beside = Files.createTempFile(target.getParent(), ".proxy", ".tmp");
            try {
                Files.copy(tmp, beside, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.COPY_ATTRIBUTES);
                Files.move(beside, target, StandardCopyOption.ATOMIC_MOVE);
            } catch (java.nio.file.FileAlreadyExistsException again) {
                // another node placed it first
            } finally {
                Files.deleteIfExists(beside);
            }
        }
    }

    private boolean fresh(Path kept) throws IOException {
        return Files.isRegularFile(kept) && Files.getLastModifiedTime(kept).toInstant()
                .plus(metadataTtl).isAfter(java.time.Instant.now());
    }

    /**
     * Fetches {@code path} into {@code into} from the first upstream that has it, checked
     * against that upstream's strongest checksum; the refusal when none has it (or one serves
     * it without a checksum, or with content that does not match). Throws when an upstream
     * failed and none had it.
     */
    private Optional<String> fetchChecked(RepositoryPath path, Path into) throws IOException, InterruptedException {
        IOException failed = null;
        for (URI upstream : upstreams) {
            URI uri = upstream.resolve(path.path());
            // The file is asked for with its checksums, so a cold fetch costs one round trip, not four.
            java.util.concurrent.CompletableFuture<HttpResponse<InputStream>> asked = http.sendAsync(
                    request(uri, Duration.ofMinutes(10)), HttpResponse.BodyHandlers.ofInputStream());
            try {
                Optional<Checksum> expected;
                try {
                    expected = checksumOf(uri);
                } catch (IOException | InterruptedException e) {
                    asked.thenAccept(r -> closeQuietly(r.body()));
                    throw e;
                }
                HttpResponse<InputStream> response = await(asked);
                try (InputStream body = response.body()) {
                    if (response.statusCode() == 404 || response.statusCode() == 410) {
                        continue;
                    }
                    if (response.statusCode() != 200) {
                        throw new IOException(upstream + " answered " + response.statusCode() + " for " + path);
                    }
                    if (expected.isEmpty() && !path.metadata()) {
                        return Optional.of(path.coordinates() + " is refused: " + upstream
                                + " serves no checksum for " + path.fileName());
                    }
                    String actual = copy(body, into, expected.map(Checksum::algorithm).orElse("sha1"));
                    if (expected.isPresent() && !expected.get().hex().equalsIgnoreCase(actual)) {
                        LOG.warning("repository proxy: " + uri + " does not match its " + expected.get().algorithm()
                                + " checksum: refused");
                        return Optional.of(path.coordinates() + " is refused: " + path.fileName() + " from " + upstream
                                + " does not match its " + expected.get().algorithm().toUpperCase(Locale.ROOT) + " checksum");
                    }
                    return Optional.empty();
                }
            } catch (TooLarge e) {
                return Optional.of(path.coordinates() + " is refused: " + path.fileName() + " is larger than "
                        + (maxFileBytes >> 20) + " MiB");
            } catch (IOException e) {
                failed = failed == null ? e : failed;
            }
        }
        if (failed != null) {
            throw failed;
        }
        return Optional.of(path.coordinates() + " is not served by the allowed repositories (" + describeUpstreams() + ")");
    }

    private record Checksum(String algorithm, String hex) {
    }

    /** The strongest checksum the upstream serves beside {@code uri}; empty when it serves none. */
    private Optional<Checksum> checksumOf(URI uri) throws IOException, InterruptedException {
        List<String> algorithms = List.of("sha512", "sha256", "sha1");
        // All three at once; the strongest that answers wins.
        List<java.util.concurrent.CompletableFuture<HttpResponse<byte[]>>> asked = new ArrayList<>();
        for (String algorithm : algorithms) {
            asked.add(http.sendAsync(request(URI.create(uri + "." + algorithm), Duration.ofSeconds(60)),
                    HttpResponse.BodyHandlers.ofByteArray()));
        }
        for (int i = 0; i < algorithms.size(); i++) {
            String algorithm = algorithms.get(i);
            HttpResponse<byte[]> r = await(asked.get(i));
            if (r.statusCode() == 404 || r.statusCode() == 410) {
                continue;
            }
            if (r.statusCode() != 200) {
                throw new IOException(uri + "." + algorithm + " answered " + r.statusCode());
            }
            String text = new String(r.body(), 0, Math.min(r.body().length, 1024), StandardCharsets.US_ASCII).trim();
            String hex = text.isEmpty() ? "" : text.split("\\s+")[0];
            if (HEX.matcher(hex).matches() && hex.length() == expectedLength(algorithm)) {
                return Optional.of(new Checksum(algorithm, hex));
            }
            LOG.warning("repository proxy: " + uri + "." + algorithm + " is not a checksum; trying a weaker one");
        }
        return Optional.empty();
    }

    /** The answer of a request sent with {@code sendAsync}, its failure thrown as {@code send} would. */
    private static <T> HttpResponse<T> await(java.util.concurrent.CompletableFuture<HttpResponse<T>> asked)
            throws IOException, InterruptedException {
        try {
            return asked.get();
        } catch (java.util.concurrent.ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof IOException io) {
                throw io;
            }
            throw new IOException(cause == null ? e.toString() : cause.toString(), cause);
        } catch (InterruptedException e) {
            asked.cancel(true);
            throw e;
        }
    }

    private static void closeQuietly(InputStream in) {
        try {
            in.close();
        } catch (IOException e) {
            // nothing to keep
        }
    }

    private static int expectedLength(String algorithm) {
        return switch (algorithm) {
            case "sha512" -> 128;
            case "sha256" -> 64;
            case "sha1" -> 40;
            default -> 32;
        };
    }

    private static HttpRequest request(URI uri, Duration timeout) {
        return HttpRequest.newBuilder(uri).GET().timeout(timeout).header("User-Agent", "PipelineX repository proxy").build();
    }

    private static final class TooLarge extends IOException {
        TooLarge() {
            super("too large");
        }
    }

    /** Copies the body into {@code into} (at most {@code maxFileBytes}); returns its digest in hex. */
    private String copy(InputStream body, Path into, String algorithm) throws IOException {
        MessageDigest md = digest(algorithm);
        long total = 0;
        try (OutputStream out = Files.newOutputStream(into)) {
            byte[] buf = new byte[64 * 1024];
            for (int n; (n = body.read(buf)) > 0; ) {
                total += n;
                if (total > maxFileBytes) {
                    throw new TooLarge();
                }
                md.update(buf, 0, n);
                out.write(buf, 0, n);
            }
        }
        RepositoryCounters.upstreamBytes(total);
        return HexFormat.of().formatHex(md.digest());
    }

    private Path downloads() throws IOException {
        Path d = state.resolve("downloads");
        Files.createDirectories(d);
        return d;
    }

    private Object lock(RepositoryPath path) {
        return locks[Math.floorMod(path.path().hashCode(), LOCKS)];
    }

    static MessageDigest digest(String algorithm) {
        try {
            return MessageDigest.getInstance(switch (algorithm) {
                case "sha512" -> "SHA-512";
                case "sha256" -> "SHA-256";
                case "sha1" -> "SHA-1";
                case "md5" -> "MD5";
                default -> throw new IllegalArgumentException(algorithm);
            });
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static byte[] digest(Path file, String algorithm) throws IOException {
        MessageDigest md = digest(algorithm);
        try (InputStream in = Files.newInputStream(file)) {
            byte[] buf = new byte[64 * 1024];
            for (int n; (n = in.read(buf)) > 0; ) {
                md.update(buf, 0, n);
            }
        }
        return md.digest();
    }

    private static byte[] digest(byte[] body, String algorithm) {
        return digest(algorithm).digest(body);
    }

    /** Text safe in a status line and a log line: printable ASCII, at most 300 characters. */
    static String printable(String s) {
        if (s == null) {
            return "";
        }
        StringBuilder b = new StringBuilder();
        for (char c : s.toCharArray()) {
            b.append(c >= 0x20 && c < 0x7f ? c : '?');
            if (b.length() >= 300) {
                break;
            }
        }
        return b.toString();
    }

    /** Every upstream of this configuration: the mirror (or Maven Central) first, then the allow-list. */
    public static List<URI> upstreams(URI central, String mirrorUrl, String allowList) {
        List<URI> all = new ArrayList<>();
        all.add(mirrorUrl == null || mirrorUrl.isBlank() ? central : URI.create(mirrorUrl.trim()));
        if (allowList != null) {
            for (String r : allowList.split("\\s*,\\s*")) {
                if (!r.isBlank()) {
                    all.add(URI.create(r.trim()));
                }
            }
        }
        for (URI u : all) {
            if (!"https".equals(u.getScheme()) && !"http".equals(u.getScheme())) {
                throw new IllegalStateException("a Maven repository of the proxy must be an http(s) URL, not " + u);
            }
        }
        return all;
    }
}
