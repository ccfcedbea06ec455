package dev.pipelinex.it;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

/** The sample projects under src/test/projects, as they are or with files changed, as ZIPs. */
final class Projects {

    /** Metadata of a Spring Boot job that runs only the secret scan: quick, for tests about the service. */
    static final String SECRETS_ONLY = """
            {"stack": {"language": "java", "framework": "spring-boot", "build_tool": "maven"},
             "pipeline": {"run_build": false, "run_unit_tests": false, "run_sast": false,
                          "run_sca": false, "run_secret_scan": true}}""";

    /** Metadata of a job that runs only the build and the unit tests. */
    static final String BUILD_AND_TESTS = """
            {"stack": {"language": "java", "framework": "spring-boot", "build_tool": "maven"},
             "pipeline": {"run_build": true, "run_unit_tests": true, "run_sast": false,
                          "run_sca": false, "run_secret_scan": false}}""";

    /** Metadata of a job that runs only the build. */
    static final String BUILD_ONLY = """
            {"stack": {"language": "java", "framework": "spring-boot", "build_tool": "maven"},
             "pipeline": {"run_build": true, "run_unit_tests": false, "run_sast": false,
                          "run_sca": false, "run_secret_scan": false}}""";

    private Projects() {
    }

    static Path dir(String name) {
        return Path.of(System.getProperty("it.projects", "src/test/projects")).resolve(name);
    }

    /** The files of a project, relative path to content, build output left out. */
    static Map<String, byte[]> files(String name) {
        Path root = dir(name);
        Map<String, byte[]> files = new TreeMap<>();
        try (Stream<Path> walk = Files.walk(root)) {
            for (Path p : walk.filter(Files::isRegularFile).toList()) {
                String rel = root.relativize(p).toString().replace('\\', '/');
                if (!rel.startsWith("target/")) {
                    files.put(rel, Files.readAllBytes(p));
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return files;
    }

    /** A ZIP of {@code name} with {@code changes} added or replaced and {@code removed} left out. */
    static byte[] zip(String name, String topFolder, Map<String, String> changes, Set<String> removed) {
        Map<String, byte[]> files = files(name);
        removed.forEach(files::remove);
        changes.forEach((k, v) -> files.put(k, v.getBytes(StandardCharsets.UTF_8)));
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ZipOutputStream zip = new ZipOutputStream(bytes)) {
            for (Map.Entry<String, byte[]> f : files.entrySet()) {
                zip.putNextEntry(new ZipEntry(topFolder + f.getKey()));
                zip.write(f.getValue());
                zip.closeEntry();
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }

    /** A ZIP of exactly {@code files} (relative path to content). */
    static byte[] zip(Map<String, byte[]> files) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ZipOutputStream zip = new ZipOutputStream(bytes)) {
            for (Map.Entry<String, byte[]> f : new TreeMap<>(files).entrySet()) {
                zip.putNextEntry(new ZipEntry(f.getKey()));
                zip.write(f.getValue());
                zip.closeEntry();
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }

    /** Writes the files of {@code name} into a fresh folder {@code dir} (removed first if it exists). */
    static void writeTo(String name, Path dir) {
        try {
            dev.pipelinex.job.Workspaces.deleteTree(dir);
            for (Map.Entry<String, byte[]> f : files(name).entrySet()) {
                Path p = dir.resolve(f.getKey());
                Files.createDirectories(p.getParent());
                Files.write(p, f.getValue());
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static byte[] zip(String name) {
        return zip(name, "", Map.of(), Set.of());
    }
}
