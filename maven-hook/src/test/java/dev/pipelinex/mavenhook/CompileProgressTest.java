package dev.pipelinex.mavenhook;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class CompileProgressTest {

    @Test
    void oneModuleIsCompiledWhenTheFirstMojoAfterTestCompileStarts() {
        CompileProgress p = new CompileProgress(List.of("app"));
        assertFalse(p.mojoStarted("app", null), "a goal named on the command line has no phase");
        for (String phase : List.of("validate", "initialize", "process-resources", "compile", "process-classes",
                "generate-test-sources", "process-test-resources", "test-compile")) {
            assertFalse(p.mojoStarted("app", phase), phase);
        }
        assertTrue(p.mojoStarted("app", "test"));
        assertFalse(p.mojoStarted("app", "package"), "said once");
        assertFalse(p.moduleBuilt("app"), "said once");
    }

    @Test
    void aPhaseBetweenTestCompileAndTestCounts() {
        CompileProgress p = new CompileProgress(List.of("app"));
        assertTrue(p.mojoStarted("app", "process-test-classes"));
    }

    @Test
    void everyModuleMustBeCompiled() {
        CompileProgress p = new CompileProgress(List.of("parent", "core", "web"));
        assertFalse(p.moduleBuilt("parent"), "a pom module is done when built");
        assertFalse(p.mojoStarted("core", "test"));
        assertFalse(p.mojoStarted("core", "package"));
        assertFalse(p.mojoStarted("web", "test-compile"));
        assertTrue(p.mojoStarted("web", "test"));
    }

    @Test
    void aModuleBuiltWithoutTestsCounts() {
        CompileProgress p = new CompileProgress(List.of("app"));
        assertFalse(p.mojoStarted("app", "compile"));
        assertTrue(p.moduleBuilt("app"));
    }

    @Test
    void phasesOfOtherLifecyclesDoNotCount() {
        CompileProgress p = new CompileProgress(List.of("app"));
        assertFalse(p.mojoStarted("app", "pre-clean"));
        assertFalse(p.mojoStarted("app", "site"));
        assertFalse(p.mojoStarted("other", "test"), "a module not of the build changes nothing");
    }
}
