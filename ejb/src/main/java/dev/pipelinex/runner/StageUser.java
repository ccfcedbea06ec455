package dev.pipelinex.runner;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The unprivileged user stages run as, in a container and, when the server runs as root, in the
 * local runner's sandbox: UID and GID 10001, an account of no one on the host. The job's
 * folders a stage writes are handed to it while none of the job's processes runs.
 */
public final class StageUser {

    public static final int UID = 10001;
    static final String OWNER = UID + ":" + UID;

    private StageUser() {
    }

    /** Whether this server runs as root (and must not start stages as itself). */
    public static boolean serverIsRoot() {
        try {
            return ((Number) Files.getAttribute(Path.of("/proc/self"), "unix:uid")).intValue() == 0;
        } catch (IOException | UnsupportedOperationException | IllegalArgumentException e) {
            return false;
        }
    }

    /**
     * {@code chown} of {@code paths} to the stage user: recursive, never through a link
     * ({@code -P}), or of the paths alone ({@code -h}: a link itself, not its target).
     */
    static void chown(List<String> paths, boolean recursive) {
        if (paths.isEmpty()) {
            return;
        }
        List<String> command = new ArrayList<>(recursive ? List.of("chown", "-R", "-P", OWNER) : List.of("chown", "-h", OWNER));
        command.add("--");
        command.addAll(paths);
        try {
            Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes());
            if (p.waitFor() != 0) {
                throw new IllegalStateException("cannot hand the job's folders to UID " + UID
                        + " (the server must run as root to): " + out.strip());
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
