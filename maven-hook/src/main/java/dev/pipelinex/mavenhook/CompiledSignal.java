package dev.pipelinex.mavenhook;

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
 * the same Maven run as the compilation and splits its output at that line: what comes before is
 * the build's log, what comes after the tests'. Nothing else changes in the build.
 */
@Named
@Singleton
public final class CompiledSignal extends AbstractEventSpy {

    public static final String LINE = "[PIPELINEX] compiled; the tests follow";

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
        }
    }
}
