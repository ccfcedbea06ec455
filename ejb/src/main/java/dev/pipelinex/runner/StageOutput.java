package dev.pipelinex.runner;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;

/**
 * A stage's output stream, written by the server into the stage's log: the log is the server's
 * file (never one the stage can reach), and the stage only chooses bytes, not where they go.
 * With a {@link StageCommand.Split}, the line that marks it is not written; the lines after it
 * go to the other stage's log, which starts with that stage's START line.
 */
public final class StageOutput extends OutputStream {

    /** A line longer than this is written as it comes, without looking for the split's marker. */
    private static final int MAX_LINE = 64 * 1024;

    private final StageCommand cmd;
    private final ByteArrayOutputStream line = new ByteArrayOutputStream();
    private OutputStream out;
    private boolean split;

    public StageOutput(StageCommand cmd) throws IOException {
        this.cmd = cmd;
        this.out = open(cmd.log());
    }

    private static OutputStream open(Path log) throws IOException {
        Files.createDirectories(log.getParent());
        return Files.newOutputStream(log, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
    }

    @Override
    public synchronized void write(int b) throws IOException {
        write(new byte[] {(byte) b}, 0, 1);
    }

    @Override
    public synchronized void write(byte[] b, int off, int len) throws IOException {
        for (int i = off; i < off + len; i++) {
            line.write(b[i]);
            if (b[i] == '\n' || line.size() >= MAX_LINE) {
                endLine();
            }
        }
    }

    private void endLine() throws IOException {
        byte[] bytes = line.toByteArray();
        line.reset();
        StageCommand.Split s = cmd.split();
        if (s != null && !split && isMarker(bytes, s.marker())) {
            split = true;
            out.close();
            Path next = cmd.workspace().stageLog(s.stage());
            out = open(next);
            out.write(("[PIPELINE] START " + s.stage() + "\n").getBytes(StandardCharsets.UTF_8));
            out.flush();
            s.reached().run();
            return;
        }
        out.write(bytes);
        out.flush();
    }

    private static boolean isMarker(byte[] bytes, String marker) {
        int end = bytes.length;
        while (end > 0 && (bytes[end - 1] == '\n' || bytes[end - 1] == '\r')) {
            end--;
        }
        return Arrays.equals(Arrays.copyOf(bytes, end), marker.getBytes(StandardCharsets.UTF_8));
    }

    /**
     * A line of the server's own (the repository proxy's refusals, say), written between two
     * lines of the stage's output into the log the output goes to now.
     */
    public synchronized void note(String text) {
        try {
            out.write((text.replace('\n', ' ').replace('\r', ' ') + "\n").getBytes(StandardCharsets.UTF_8));
            out.flush();
        } catch (IOException e) {
            // the log is closed: the stage is over
        }
    }

    /** Whether the split's marker was seen. */
    public synchronized boolean split() {
        return split;
    }

    @Override
    public synchronized void close() throws IOException {
        if (line.size() > 0) {
            out.write(line.toByteArray());
            out.write('\n');
            line.reset();
        }
        out.close();
    }
}
