package dev.pipelinex.runner;

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

    private static final List<String> ARTIFACT_TYPES = List.of(".jar", ".pom");

    private final Path root;

    public MavenCache(Path root) {
        this.root = root;
    }

    public Path root() {
        return root;
    }

    /** Copies new, checksum-verified artifacts of {@code jobRepository} into the cache; returns how many. */
    public int promote(Path jobRepository) {
        if (!Files.isDirectory(jobRepository)) {
            return 0;
        }
        int promoted = 0;
        try (Stream<Path> walk = Files.walk(jobRepository)) {
            for (Path file : walk.filter(Files::isRegularFile).toList()) {
                String name = file.getFileName().toString();
                if (ARTIFACT_TYPES.stream().noneMatch(name::endsWith) || Files.isSymbolicLink(file)) {
                    continue;
                }
                Path rel = jobRepository.relativize(file);
                Path target = root.resolve(rel.toString()).normalize();
                if (!target.startsWith(root) || Files.exists(target) || !verified(file)) {
                    continue;
                }
                Files.createDirectories(target.getParent());
                Path sha1 = file.resolveSibling(name + ".sha1");
                Path tmp = Files.createTempFile(target.getParent(), ".promote", ".tmp");
                Files.copy(file, tmp, StandardCopyOption.REPLACE_EXISTING);
                Files.copy(sha1, target.resolveSibling(name + ".sha1"), StandardCopyOption.REPLACE_EXISTING);
                Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE);
                promoted++;
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot promote artifacts into " + root + ": " + e.getMessage(), e);
        }
        return promoted;
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
