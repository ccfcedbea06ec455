package dev.pipelinex.pipeline;

import dev.pipelinex.job.JobRequest.PipelineOptions;
import java.util.Optional;
import java.util.function.Predicate;

/**
 * The stages of a pipeline, in the order they run (resolve downloads the dependencies, the only
 * stage with network in a container; it runs whenever a Maven stage does), each with its script, the metadata toggle
 * that turns it on, and the stage it depends on: when that one fails, this one is skipped.
 * A stage whose dependency was switched off still runs (it builds what it needs itself).
 * Stages that do not depend on each other run side by side: the secret scan needs nothing,
 * SCA needs only the resolved dependencies, tests and SAST need the build. The scanners run in
 * the background (a lower CPU priority): the chain resolve, build, test is what a job's end
 * usually waits for, and the scanners use the CPU that chain leaves.
 */
public enum Stage {
    RESOLVE("resolve", null, false, o -> o.runBuild() || o.runUnitTests() || o.runSast() || o.runSca()),
    BUILD("build", "resolve", false, PipelineOptions::runBuild),
    TEST("test", "build", false, PipelineOptions::runUnitTests),
    SAST("sast", "build", true, PipelineOptions::runSast),
    SCA("sca", "resolve", true, PipelineOptions::runSca),
    SECRETS("secrets", null, true, PipelineOptions::runSecretScan);

    private final String id;
    private final String dependsOn;
    private final boolean background;
    private final Predicate<PipelineOptions> toggle;

    Stage(String id, String dependsOn, boolean background, Predicate<PipelineOptions> toggle) {
        this.id = id;
        this.dependsOn = dependsOn;
        this.background = background;
        this.toggle = toggle;
    }

    /** Whether the stage runs at a lower CPU priority than the build and the tests. */
    public boolean background() {
        return background;
    }

    public String id() {
        return id;
    }

    public String script() {
        return id + ".sh";
    }

    public Optional<String> dependsOn() {
        return Optional.ofNullable(dependsOn);
    }

    public boolean enabledBy(PipelineOptions options) {
        return toggle.test(options);
    }

    public static Optional<Stage> byId(String id) {
        for (Stage s : values()) {
            if (s.id.equals(id)) {
                return Optional.of(s);
            }
        }
        return Optional.empty();
    }
}
