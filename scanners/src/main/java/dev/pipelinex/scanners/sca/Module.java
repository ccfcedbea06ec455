package dev.pipelinex.scanners.sca;

/** One Maven project of the scanned source: its pom (relative to the source root) and its dependency tree. */
public record Module(String pomPath, DependencyNode root) {

    /** {@code groupId:artifactId} of the project. */
    public String id() {
        return root.pkg();
    }
}
