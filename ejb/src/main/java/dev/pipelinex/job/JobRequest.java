package dev.pipelinex.job;

import java.util.List;

/** What the client asked for: the stack, the tool versions and which stages to run. */
public record JobRequest(Stack stack, Versions versions, PipelineOptions pipeline) {

    public record Stack(String language, String framework, String buildTool) {
    }

    public record Versions(String java, String buildTool) {
    }

    /**
     * The stage toggles, the quality gate ({@code failOn}: a severity, or null for none), what
     * the secret scan covers ({@code files}, or {@code git} for the history too) and whether the
     * SAST stage suppresses injection findings it proves safe ({@code sastPruning}, default true).
     */
    public record PipelineOptions(boolean runBuild, boolean runUnitTests, boolean runSast,
                                  boolean runSca, boolean runSecretScan, String failOn, String secretScanMode,
                                  Boolean sastPruning) {

        public static final List<String> SEVERITIES = List.of("critical", "high", "medium", "low", "info");
        public static final List<String> SECRET_SCAN_MODES = List.of("files", "git");
        public static final PipelineOptions ALL = new PipelineOptions(true, true, true, true, true);

        public PipelineOptions {
            // metadata.json of an older version has neither field.
            secretScanMode = secretScanMode == null ? "files" : secretScanMode;
            sastPruning = sastPruning == null ? Boolean.TRUE : sastPruning;
        }

        public PipelineOptions(boolean runBuild, boolean runUnitTests, boolean runSast, boolean runSca,
                               boolean runSecretScan, String failOn, String secretScanMode) {
            this(runBuild, runUnitTests, runSast, runSca, runSecretScan, failOn, secretScanMode, true);
        }

        public PipelineOptions(boolean runBuild, boolean runUnitTests, boolean runSast, boolean runSca,
                               boolean runSecretScan) {
            this(runBuild, runUnitTests, runSast, runSca, runSecretScan, null, "files", true);
        }
    }
}
