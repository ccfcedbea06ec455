package dev.pipelinex.runner;

import java.nio.file.Path;

/**
 * How runner containers are made: the Engine API address, the image, the limits every
 * container gets, the read-only shared Maven cache, the repository mirror the resolve stage
 * must use (none: the repositories the project names), this node's name for labels, and the
 * operator's scanner data mounted read-only into the scanner stages (imported advisories,
 * extra secret rules; each may be null).
 */
public record DockerSettings(String host, String image, long memoryBytes, double cpus, long pids,
                             long tmpfsBytes, Path mavenCache, String mirrorUrl, String node,
                             Path advisoriesDir, Path secretRulesDir) {

    public DockerSettings(String host, String image, long memoryBytes, double cpus, long pids,
                          long tmpfsBytes, Path mavenCache, String mirrorUrl, String node) {
        this(host, image, memoryBytes, cpus, pids, tmpfsBytes, mavenCache, mirrorUrl, node, null, null);
    }
}
