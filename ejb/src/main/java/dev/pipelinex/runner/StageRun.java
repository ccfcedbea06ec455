package dev.pipelinex.runner;

/** How a stage's process ended: its exit code, or that its deadline killed it. */
public record StageRun(int exitCode, boolean timedOut, long durationMs) {
}
