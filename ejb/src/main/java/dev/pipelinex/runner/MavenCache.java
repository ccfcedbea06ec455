package dev.pipelinex.runner;

import dev.pipelinex.job.Workspace;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.stream.Stream;

/**
 * The Maven repository that jobs share: mounted read-only into every container (Maven's
 * {@code maven.repo.local.tail}), written only by the service, which promotes what a resolve
 * stage downloaded into the job's own repository. Only artifacts whose content matches the
 * checksum Maven fetched beside them are promoted; nothing ever replaces an existing file.
 */
public final class MavenCache {

    private static final java.util.logging.Logger LOG = java.util.logging.Logger.getLogger(MavenCache.class.getName());
    private static final List<String> ARTIFACT_TYPES = List.of(".jar", ".pom");

    private final Path root;

    public MavenCache(Path root) {
        this.root = root;
    }

    public Path root() {
        return root;
    }

    /**
     * Promotes what the job's resolve stage downloaded ({@link Workspace#mavenRepository()}) and
     * logs how it went. A failure only costs later downloads: it is logged, never thrown, as the
     * job has what it needs.
     */
    public void promoteFrom(Workspace ws) {
        try {
            int promoted = promote(ws.mavenRepository());
            LOG.info("job " + ws.jobId() + ": " + promoted + " artifacts promoted into the shared Maven cache");
        } catch (UncheckedIOException e) {
            LOG.warning("job " + ws.jobId() + ": nothing promoted into the shared Maven cache: " + e.getMessage());
        }
    }

    /**
     * Copies new, checksum-verified artifacts of {@code jobRepository} into the cache; returns
     * how many. One promotion at a time in this server; every file lands by an atomic rename,
     * so a promotion of another node, or a reader, never sees half a file. An artifact that
     * cannot be copied is left out (the cache only saves downloads); the job is not failed.
     */
    public synchronized int promote(Path jobRepository) {
        if (!Files.isDirectory(jobRepository)) {
            return 0;
        }
        int promoted = 0;
        List<Path> files;
        try (Stream<Path> walk = Files.walk(jobRepository)) {
            files = walk.filter(Files::isRegularFile).toList();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the job repository " + jobRepository + ": " + e.getMessage(), e);
        }
        for (Path file : files) {
            String name = file.getFileName().toString();
            if (ARTIFACT_TYPES.stream().noneMatch(name::endsWith) || Files.isSymbolicLink(file)) {
                continue;
            }
            Path target = root.resolve(jobRepository.relativize(file).toString()).normalize();
            try {
                if (!target.startsWith(root) || Files.exists(target) || !verified(file)) {
                    continue;
                }
                Files.createDirectories(target.getParent());
                // The checksum first, then the artifact: an artifact in the cache always has its checksum.
                place(file.resolveSibling(name + ".sha1"), target.resolveSibling(name + ".sha1"));
                place(file, target);
                promoted++;
            } catch (IOException e) {
                LOG.warning("not promoted into the shared Maven cache: " + target + " (" + e + ")");
            }
        }
        return promoted;
    }

    private static void place(Path from, Path to) throws IOException {
        Path tmp = Files.createTempFile(to.getParent(), ".promote", ".tmp");
        try {
            Files.copy(from, tmp, StandardCopyOption.REPLACE_EXISTING);
            Files.move(tmp, to, StandardCopyOption.ATOMIC_MOVE);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    /** True when the file's SHA-1 equals the one Maven downloaded with it. */
    static boolean verified(Path file) throws IOException {
        Path sha1 = file.resolveSibling(file.getFileName() + ".sha1");
        if (!Files.isRegularFile(sha1) || Files.size(sha1) > 1024) {
            return false;
        }
        String expected = Files.readString(sha1, StandardCharsets.US_ASCII).trim().split("\\s+")[0];
        return expected.equalsIgnoreCase(sha1Of(file));
    }

    static String sha1Of(Path file) throws IOException {
        try (InputStream in = Files.newInputStream(file)) {
            MessageDigest md = MessageDigest.getInstance("SHA-1");
            byte[] buf = new byte[64 * 1024];
            for (int n; (n = in.read(buf)) > 0; ) {
                md.update(buf, 0, n);
            }
            return HexFormat.of().formatHex(md.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
