package dev.pipelinex.worker;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.logging.Level;
import java.util.logging.Logger;

/** Appends lines to a log file; a log that cannot be written never fails the job. */
final class JobLog {

    private static final Logger LOG = Logger.getLogger(JobLog.class.getName());

    private JobLog() {
    }

    static void append(Path file, String line) {
        try {
            Files.createDirectories(file.getParent());
            // One line, whatever a stage's message held: no line of a log is anyone's to choose whole.
            Files.writeString(file, line.replaceAll("[\\r\\n]", " ") + "\n", StandardCharsets.UTF_8,
                    StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        } catch (IOException e) {
            LOG.log(Level.WARNING, "cannot write to " + file, e);
        }
    }

    static void stamped(Path file, String line) {
        append(file, Instant.now() + " " + line);
    }
}
