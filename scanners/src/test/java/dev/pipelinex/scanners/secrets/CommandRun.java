package dev.pipelinex.scanners.secrets;

import dev.pipelinex.scanners.Main;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.lang.reflect.Method;
import java.nio.charset.StandardCharsets;

/** Runs the CLI in-process and captures its exit code and output (test helper). */
record CommandRun(int exitCode, String stdout, String stderr) {

    static synchronized CommandRun of(String... argv) throws Exception {
        PrintStream oldOut = System.out;
        PrintStream oldErr = System.err;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code;
        try {
            System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
            System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
            Method run = Main.class.getDeclaredMethod("run", String[].class);
            run.setAccessible(true);
            code = (int) run.invoke(null, (Object) argv);
        } finally {
            System.setOut(oldOut);
            System.setErr(oldErr);
        }
        return new CommandRun(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }
}
