package dev.pipelinex.service;

import dev.pipelinex.job.JobFiles;
import dev.pipelinex.job.JobStatus;
import dev.pipelinex.job.Workspace;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What happened to a job since a {@link Cursor}: a new state (state.json changed) and the log
 * lines its stages wrote. The cursor is the whole memory of a follower: it travels as the
 * server-sent event id, so a client that reconnects with {@code Last-Event-ID} gets exactly what
 * it missed, from any node, with nothing kept on the server.
 */
public final class JobTail {

    /** At most this much log is read per stage and step, so one step stays short. */
    static final int MAX_READ = 256 * 1024;
    /** A line longer than this is cut into pieces. */
    static final int MAX_LINE = 16 * 1024;

    private JobTail() {
    }

    /** An event: {@code state} (data: state.json) or {@code log} (a stage and one line). */
    public record Event(String type, String stage, String data, Cursor cursor) {
    }

    /**
     * Where a follower is: the {@code updated_at} of the last state it got (epoch micros, 0 for
     * none) and how far it read each stage's log (bytes).
     */
    public record Cursor(long stateMicros, Map<String, Long> logOffsets) {

        public static final Cursor START = new Cursor(0, Map.of());

        public Cursor {
            logOffsets = Map.copyOf(logOffsets);
        }

        /** {@code <micros>;<stage>=<offset>;…}, the form of an event id. */
        public String format() {
            StringBuilder b = new StringBuilder(Long.toString(stateMicros));
            logOffsets.entrySet().stream().sorted(Map.Entry.comparingByKey())
                    .forEach(e -> b.append(';').append(e.getKey()).append('=').append(e.getValue()));
            return b.toString();
        }

        /** The cursor an event id names; {@link #START} for none or for one this server did not make. */
        public static Cursor parse(String id) {
            if (id == null || id.isBlank() || id.length() > 1024) {
                return START;
            }
            try {
                String[] parts = id.trim().split(";");
                Map<String, Long> offsets = new LinkedHashMap<>();
                for (int i = 1; i < parts.length; i++) {
                    int eq = parts[i].indexOf('=');
                    String stage = parts[i].substring(0, eq);
                    long offset = Long.parseLong(parts[i].substring(eq + 1));
                    if (!stage.matches("[a-z]{1,20}") || offset < 0) {
                        return START;
                    }
                    offsets.put(stage, offset);
                }
                long micros = Long.parseLong(parts[0]);
                return micros < 0 ? START : new Cursor(micros, offsets);
            } catch (RuntimeException e) {
                return START;
            }
        }

        Cursor withState(long micros) {
            return new Cursor(micros, logOffsets);
        }

        Cursor withOffset(String stage, long offset) {
            Map<String, Long> next = new LinkedHashMap<>(logOffsets);
            next.put(stage, offset);
            return new Cursor(stateMicros, next);
        }
    }

    /**
     * The result of one step: the events in order, the current state (if readable), the cursor
     * after them, and whether every log was read to its end (a step reads at most
     * {@link #MAX_READ} of each, so a long log takes several steps).
     */
    public record Step(List<Event> events, Optional<JobStatus> status, Cursor cursor, boolean logsRead) {

        /** Whether the job has nothing more to tell: its state is final (or gone) and its logs are read. */
        public boolean last() {
            return logsRead && (status.isEmpty() || status.get().state().isFinal());
        }
    }

    /**
     * The events since {@code from}: log lines first (each stage's complete lines, in stage
     * order), then the new state. The state is read before the logs, so when it is final the
     * logs read after it are complete, and a final state is the last event of a job once its
     * logs are read to their ends ({@link Step#last()}).
     */
    public static Step since(Workspace ws, List<String> stages, Cursor from) {
        List<Event> events = new ArrayList<>();
        Optional<JobStatus> status = JobFiles.readStatus(ws);
        Cursor cursor = from;
        boolean logsRead = true;
        for (String stage : stages) {
            Read read = readLines(ws.stageLog(stage), stage, cursor, events);
            cursor = read.cursor();
            logsRead &= !read.capped();
        }
        if (status.isPresent()) {
            long micros = micros(status.get().updatedAt());
            if (micros != cursor.stateMicros()) {
                cursor = cursor.withState(micros);
                events.add(new Event("state", null, state(status.get()), cursor));
            }
        }
        return new Step(events, status, cursor, logsRead);
    }

    /** The cursor after reading a log, and whether the read stopped at {@link #MAX_READ} before the log's end. */
    private record Read(Cursor cursor, boolean capped) {
    }

    private static Read readLines(Path log, String stage, Cursor cursor, List<Event> events) {
        if (!Files.isRegularFile(log)) {
            return new Read(cursor, false);
        }
        long offset = cursor.logOffsets().getOrDefault(stage, 0L);
        try (RandomAccessFile in = new RandomAccessFile(log.toFile(), "r")) {
            long size = in.length();
            if (offset > size) {
                offset = 0; // the log was started again (a new attempt)
            }
            int want = (int) Math.min(size - offset, MAX_READ);
            if (want <= 0) {
                return new Read(cursor, false);
            }
            byte[] buf = new byte[want];
            in.seek(offset);
            in.readFully(buf);
            int start = 0;
            for (int i = 0; i < want; i++) {
                boolean end = buf[i] == '\n';
                if (end || i - start + 1 >= MAX_LINE) {
                    int len = end ? i - start : i - start + 1;
                    String line = new String(buf, start, len, StandardCharsets.UTF_8);
                    if (line.endsWith("\r")) {
                        line = line.substring(0, line.length() - 1);
                    }
                    start = i + 1;
                    cursor = cursor.withOffset(stage, offset + start);
                    events.add(new Event("log", stage, line, cursor));
                }
            }
            return new Read(cursor, size - offset > want);
        } catch (IOException e) {
            return new Read(cursor, true); // read again at the next step
        }
    }

    private static String state(JobStatus status) {
        try {
            return JobFiles.json().writer().without(com.fasterxml.jackson.databind.SerializationFeature.INDENT_OUTPUT)
                    .writeValueAsString(status);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    static long micros(Instant t) {
        return t == null ? 0 : t.getEpochSecond() * 1_000_000L + t.getNano() / 1_000;
    }
}
