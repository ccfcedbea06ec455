package dev.pipelinex.intake;

/**
 * Limits on what a submission may bring in. Each has a configuration name (docs/configuration.md);
 * the defaults are the ones below.
 */
public record IntakeLimits(long maxUploadBytes, int maxFiles, long maxUnpackedBytes, int maxDepth,
                           int cloneTimeoutSeconds) {

    public static final IntakeLimits DEFAULTS =
            new IntakeLimits(50L << 20, 10_000, 200L << 20, 25, 60);
}
