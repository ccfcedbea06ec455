package dev.pipelinex.mavenhook;

import java.util.Arrays;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Which modules of a Maven build are compiled: a module is once a mojo of a lifecycle phase after
 * {@code test-compile} starts in it (its main and test classes are written by then), or once it
 * has been built. The build is compiled when every module is.
 */
final class CompileProgress {

    /** Maven's default lifecycle, in order. */
    static final List<String> DEFAULT_LIFECYCLE = Arrays.asList(
            "validate", "initialize", "generate-sources", "process-sources", "generate-resources",
            "process-resources", "compile", "process-classes", "generate-test-sources",
            "process-test-sources", "generate-test-resources", "process-test-resources", "test-compile",
            "process-test-classes", "test", "prepare-package", "package", "pre-integration-test",
            "integration-test", "post-integration-test", "verify", "install", "deploy");
    private static final int TEST_COMPILE = DEFAULT_LIFECYCLE.indexOf("test-compile");

    private final Set<String> waiting;
    private boolean reported;

    /** @param modules the ids of the build's modules */
    CompileProgress(Collection<String> modules) {
        this.waiting = new HashSet<>(modules);
    }

    /**
     * A mojo of {@code phase} (null for a goal named on the command line) starts in the module.
     * Returns true once, when this makes the whole build compiled.
     */
    boolean mojoStarted(String module, String phase) {
        if (phase != null && DEFAULT_LIFECYCLE.indexOf(phase) > TEST_COMPILE) {
            waiting.remove(module);
        }
        return check();
    }

    /** The module was built. Returns true once, when this makes the whole build compiled. */
    boolean moduleBuilt(String module) {
        waiting.remove(module);
        return check();
    }

    private boolean check() {
        if (reported || !waiting.isEmpty()) {
            return false;
        }
        reported = true;
        return true;
    }
}
