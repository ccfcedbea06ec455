package dev.pipelinex.runner;

import java.nio.file.Path;

/**
 * How runner containers are made: the Engine API address, the image, the limits every
 * container gets, the read-only shared Maven cache, the repository mirror the resolve stage
 * must use (none: the repositories the project names) and this node's name for labels.
 */
public record DockerSettings(String host, String image, long memoryBytes, double cpus, long pids,
                             long tmpfsBytes, Path mavenCache, String mirrorUrl, String node) {
}
