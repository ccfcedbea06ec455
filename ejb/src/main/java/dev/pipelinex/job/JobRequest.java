package dev.pipelinex.job;

/** What the client asked for: the stack, the tool versions and which stages to run. */
public record JobRequest(Stack stack, Versions versions, PipelineOptions pipeline) {

    public record Stack(String language, String framework, String buildTool) {
    }

    public record Versions(String java, String buildTool) {
    }

    public record PipelineOptions(boolean runBuild, boolean runUnitTests, boolean runSast,
                                  boolean runSca, boolean runSecretScan) {

        public static final PipelineOptions ALL = new PipelineOptions(true, true, true, true, true);
    }
}
