package dev.pipelinex.job;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The workspace root: one folder per job, named by its random UUID, the only name ever used to
 * find a job. An id that is not a canonical UUID never reaches the file system.
 */
public final class Workspaces {

    private static final Pattern UUID_FORM =
            Pattern.compile("[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}");

    private final Path root;

    public Workspaces(Path root) {
        this.root = root.toAbsolutePath().normalize();
    }

    public Path root() {
        return root;
    }

    /** Creates the folder of a new job with empty source/ and reports/. */
    public Workspace create() {
        try {
            Files.createDirectories(root);
            String id = UUID.randomUUID().toString();
            Workspace ws = new Workspace(id, root.resolve(id));
            Files.createDirectory(ws.dir());
            Files.createDirectory(ws.source());
            Files.createDirectory(ws.reports());
            return ws;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create a workspace under " + root + ": " + e.getMessage(), e);
        }
    }

    /** Whether {@code name} has the form of a job id (a canonical UUID), the only names the root's job folders have. */
    public static boolean isJobId(String name) {
        return name != null && UUID_FORM.matcher(name).matches();
    }

    /** The workspace of an existing job; empty for an unknown or malformed id. */
    public Optional<Workspace> find(String jobId) {
        if (!isJobId(jobId)) {
            return Optional.empty();
        }
        Workspace ws = new Workspace(jobId, root.resolve(jobId));
        return Files.isRegularFile(ws.metadataFile()) ? Optional.of(ws) : Optional.empty();
    }

    /** Every job's workspace that has its metadata written (admission finished). */
    public List<Workspace> all() {
        if (!Files.isDirectory(root)) {
            return List.of();
        }
        List<Workspace> found = new ArrayList<>();
        try (Stream<Path> dirs = Files.list(root)) {
            dirs.forEach(d -> find(d.getFileName().toString()).ifPresent(found::add));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list " + root + ": " + e.getMessage(), e);
        }
        return found;
    }

    /** Removes a job's folder and everything in it; symbolic links are removed, never followed. */
    public void delete(Workspace ws) {
        deleteTree(ws.dir());
    }

    /** Removes {@code dir} and everything in it without following any link ({@link dev.pipelinex.files.NoFollow}). */
    public static void deleteTree(Path dir) {
        try {
            dev.pipelinex.files.NoFollow.deleteTree(dir);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot remove " + dir + ": " + e.getMessage(), e);
        }
    }
}
