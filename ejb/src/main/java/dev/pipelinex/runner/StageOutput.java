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
 *
 * <p>Each log takes at most {@link StageCommand#maxLogBytes()}: the line that would pass the cap
 * is replaced by one saying where the log was cut, and the rest of the output is read and
 * discarded (the stage goes on; the split's marker is still looked for). When the stream ends the
 * log says how many bytes were discarded.
 */
public final class StageOutput extends OutputStream {

    /** A line longer than this is written as it comes, without looking for the split's marker. */
    private static final int MAX_LINE = 64 * 1024;

    private final StageCommand cmd;
    private final ByteArrayOutputStream line = new ByteArrayOutputStream();
    private OutputStream out;
    private boolean split;
    /** Bytes written into the current log, and bytes discarded past its cap. */
    private long written;
    private long discarded;

    public StageOutput(StageCommand cmd) throws IOException {
        this.cmd = cmd;
        open(cmd.log());
    }

    /** Appends to {@code log} from now on; what it holds already counts towards its cap. */
    private void open(Path log) throws IOException {
        Files.createDirectories(log.getParent());
        out = Files.newOutputStream(log, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        written = Files.size(log);
        discarded = 0;
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
            ended();
            open(cmd.workspace().stageLog(s.stage()));
            append(("[PIPELINE] START " + s.stage() + "\n").getBytes(StandardCharsets.UTF_8));
            s.reached().run();
            return;
        }
        append(bytes);
    }

    /** Writes a line into the current log while it is under its cap; the line that reaches the cap says so instead. */
    private void append(byte[] bytes) throws IOException {
        if (discarded > 0) {
            discarded += bytes.length;
            return;
        }
        if (written + bytes.length > cmd.maxLogBytes()) {
            discarded = bytes.length;
            out.write(("[PIPELINE] log cut at " + written + " bytes, its cap (pipelinex.stage.max-log-bytes="
                    + cmd.maxLogBytes() + "): the rest of the stage's output is discarded; the stage goes on\n")
                    .getBytes(StandardCharsets.UTF_8));
            out.flush();
            return;
        }
        out.write(bytes);
        out.flush();
        written += bytes.length;
    }

    /** The end of the current log: how much of its output was discarded, if any. */
    private void ended() throws IOException {
        if (discarded > 0) {
            out.write(("[PIPELINE] " + discarded + " bytes of output were discarded past the log's cap\n")
                    .getBytes(StandardCharsets.UTF_8));
        }
        out.close();
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
            append((text.replace('\n', ' ').replace('\r', ' ') + "\n").getBytes(StandardCharsets.UTF_8));
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
            line.write('\n');
            append(line.toByteArray());
            line.reset();
        }
        ended();
    }
}
