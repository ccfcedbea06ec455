package dev.pipelinex.repository;

import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * A path of a Maven repository as a stage asks for it ({@code org/x/lib/1.0/lib-1.0.jar}):
 * plain segments only, never one that climbs ({@code ..}), hides ({@code .name}) or escapes
 * (percent signs, back slashes). What it names: a checksum of another path, a
 * {@code maven-metadata.xml}, a file of a SNAPSHOT version, or a release artifact.
 */
public record RepositoryPath(String path) {

    private static final Pattern SEGMENT = Pattern.compile("[A-Za-z0-9_~+-][A-Za-z0-9._~+-]{0,199}");
    private static final int MAX_LENGTH = 1024;
    /** The checksum files Maven asks for, with the digest each one is. */
    static final List<String> CHECKSUMS = List.of("sha512", "sha256", "sha1", "md5");

    /** The path of a request target ({@code /org/x/…}, query ignored); empty when it is not a plain repository path. */
    public static Optional<RepositoryPath> parse(String target) {
        if (target == null) {
            return Optional.empty();
        }
        int query = target.indexOf('?');
        String p = query < 0 ? target : target.substring(0, query);
        while (p.startsWith("/")) {
            p = p.substring(1);
        }
        if (p.isEmpty() || p.length() > MAX_LENGTH || p.endsWith("/")) {
            return Optional.empty();
        }
        String[] segments = p.split("/", -1);
        for (String s : segments) {
            if (!SEGMENT.matcher(s).matches()) {
                return Optional.empty();
            }
        }
        return Optional.of(new RepositoryPath(p));
    }

    public String fileName() {
        return path.substring(path.lastIndexOf('/') + 1);
    }

    /** The digest name when this path is a checksum of another ({@code sha1} of {@code x.jar.sha1}). */
    public Optional<String> checksum() {
        String name = fileName();
        return CHECKSUMS.stream().filter(c -> name.endsWith("." + c) && name.length() > c.length() + 1).findFirst();
    }

    /** The path a checksum is of. */
    public RepositoryPath checked() {
        String c = checksum().orElseThrow();
        return new RepositoryPath(path.substring(0, path.length() - c.length() - 1));
    }

    /** A {@code maven-metadata.xml}: changes upstream, kept for a while only. */
    public boolean metadata() {
        return fileName().startsWith("maven-metadata") && fileName().endsWith(".xml");
    }

    /** A file of a SNAPSHOT version: may change upstream, never kept in the shared cache. */
    public boolean snapshot() {
        String[] s = path.split("/");
        return s.length >= 2 && s[s.length - 2].endsWith("-SNAPSHOT");
    }

    /**
     * What a person calls it: {@code group:artifact:version} for a file of a version folder,
     * the path itself otherwise.
     */
    public String coordinates() {
        String[] s = path.split("/");
        if (s.length < 4 || metadata()) {
            return path;
        }
        String group = String.join(".", List.of(s).subList(0, s.length - 3));
        return group + ":" + s[s.length - 3] + ":" + s[s.length - 2];
    }

    @Override
    public String toString() {
        return path;
    }
}
