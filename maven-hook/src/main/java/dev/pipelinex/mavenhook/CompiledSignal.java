package dev.pipelinex.mavenhook;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import javax.inject.Named;
import javax.inject.Singleton;
import org.apache.maven.eventspy.AbstractEventSpy;
import org.apache.maven.execution.ExecutionEvent;
import org.apache.maven.project.MavenProject;

/**
 * Prints {@value #LINE} on its own line of the build's output when every module of the build is
 * compiled (main and test classes), before the first test runs. The build stage runs the tests in
 * the same Maven run as the compilation and the server splits its output at that line: what comes
 * before is the build's log, what comes after the tests'. Then it waits, before any test runs,
 * until the server has copied what was compiled (for SAST, so that no test can change what SAST
 * reads): the file {@value #GO} appears in the folder {@code PIPELINEX_CONTROL_DIR}, which the
 * build can read but not write. Without that variable it does not wait. Nothing else changes in the build.
 */
@Named
@Singleton
public final class CompiledSignal extends AbstractEventSpy {

    public static final String LINE = "[PIPELINEX] compiled; the tests follow";
    /** The server's file that lets the tests start. */
    public static final String GO = "tests-may-start";
    /** How long the build waits for it before it gives up. */
    static final long WAIT_MS = 300_000;

    private CompileProgress progress;

    @Override
    public void onEvent(Object event) {
        if (!(event instanceof ExecutionEvent)) {
            return;
        }
        ExecutionEvent e = (ExecutionEvent) event;
        boolean compiled = false;
        switch (e.getType()) {
            case SessionStarted:
                List<String> modules = new ArrayList<>();
                for (MavenProject p : e.getSession().getProjects()) {
                    modules.add(p.getId());
                }
                progress = new CompileProgress(modules);
                break;
            case MojoStarted:
                if (progress != null && e.getProject() != null && e.getMojoExecution() != null) {
                    compiled = progress.mojoStarted(e.getProject().getId(), e.getMojoExecution().getLifecyclePhase());
                }
                break;
            case ProjectSucceeded:
                if (progress != null && e.getProject() != null) {
                    compiled = progress.moduleBuilt(e.getProject().getId());
                }
                break;
            default:
                break;
        }
        if (compiled) {
            System.out.println(LINE);
            System.out.flush();
            awaitServer(System.getenv("PIPELINEX_CONTROL_DIR"));
        }
    }

    /** Waits for the server's {@value #GO}; ends the build when it never comes. */
    static void awaitServer(String controlDir) {
        if (controlDir == null || controlDir.isEmpty()) {
            return;
        }
        Path go = Paths.get(controlDir, GO);
        long deadline = System.currentTimeMillis() + WAIT_MS;
        while (!Files.exists(go)) {
            if (System.currentTimeMillis() > deadline) {
                System.out.println("[PIPELINEX] the server did not let the tests start within " + WAIT_MS / 1000 + " s");
                System.out.flush();
                Runtime.getRuntime().halt(1);
            }
            try {
                Thread.sleep(10);
            } catch (InterruptedException e) {
                // No test may run before the server's copy: the build ends instead.
                Runtime.getRuntime().halt(1);
            }
        }
    }
}
