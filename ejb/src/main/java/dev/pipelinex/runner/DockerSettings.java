package dev.pipelinex.runner;

import java.nio.file.Path;

/**
 * How runner containers are made: the Engine API address, the image, the limits every
 * container gets, the read-only shared Maven cache and extra Maven settings for the resolve stage.
 */
public record DockerSettings(String host, String image, long memoryBytes, double cpus, long pids,
                             long tmpfsBytes, Path mavenCache, String node) {
}
