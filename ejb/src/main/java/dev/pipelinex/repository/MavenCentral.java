package dev.pipelinex.repository;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Maven Central's address as Maven itself names it: the {@code central} repository of Maven's
 * super POM ({@code org/apache/maven/model/pom-4.0.0.xml} of maven-model-builder, on the
 * server's class path), so that the proxy's default upstream is the one every Maven build uses.
 */
public final class MavenCentral {

    private static final String SUPER_POM = "/org/apache/maven/model/pom-4.0.0.xml";
    private static final Pattern CENTRAL = Pattern.compile(
            "<repository>\\s*<id>central</id>.*?<url>\\s*([^<\\s]+)\\s*</url>", Pattern.DOTALL);

    private MavenCentral() {
    }

    public static URI url() {
        try (InputStream in = MavenCentral.class.getResourceAsStream(SUPER_POM)) {
            if (in == null) {
                throw new IllegalStateException("Maven's super POM (" + SUPER_POM + ") is not on the class path; "
                        + "set pipelinex.maven.central-url");
            }
            Matcher m = CENTRAL.matcher(new String(in.readAllBytes(), StandardCharsets.UTF_8));
            if (!m.find()) {
                throw new IllegalStateException("Maven's super POM names no central repository; set pipelinex.maven.central-url");
            }
            return URI.create(m.group(1));
        } catch (IOException e) {
            throw new IllegalStateException("cannot read Maven's super POM: " + e.getMessage(), e);
        }
    }
}
