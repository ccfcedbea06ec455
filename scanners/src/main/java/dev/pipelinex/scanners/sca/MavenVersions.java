package dev.pipelinex.scanners.sca;

import java.util.Comparator;
import org.apache.maven.artifact.versioning.ComparableVersion;

/** Maven's version ordering (1.0-alpha < 1.0 = 1.0.RELEASE = 1.0.Final < 1.0.1), as Maven itself compares. */
public final class MavenVersions {

    public static final Comparator<String> ORDER = MavenVersions::compare;

    private MavenVersions() {
    }

    public static int compare(String a, String b) {
        return new ComparableVersion(a.trim()).compareTo(new ComparableVersion(b.trim()));
    }
}
