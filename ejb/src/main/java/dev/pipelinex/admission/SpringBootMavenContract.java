package dev.pipelinex.admission;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.MalformedInputException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The {@code spring-boot-maven} contract: a {@code pom.xml} at the root, {@code src/main/java}
 * with at least one {@code .java} file, and exactly one class annotated
 * {@code @SpringBootApplication}. Missing tests are a warning, not a refusal.
 */
public final class SpringBootMavenContract implements StackContract {

    public static final String ID = "spring-boot-maven";

    private static final Pattern ANNOTATION = Pattern.compile(
            "^\\s*@(?:org\\.springframework\\.boot\\.autoconfigure\\.)?SpringBootApplication\\b",
            Pattern.MULTILINE);

    @Override
    public String id() {
        return ID;
    }

    @Override
    public String framework() {
        return "spring-boot";
    }

    @Override
    public String describe() {
        return "a pom.xml at the root, Java sources under src/main/java and exactly one class annotated "
                + "@SpringBootApplication there";
    }

    @Override
    public Verdict check(Path source) {
        List<String> reasons = new ArrayList<>();
        List<String> warnings = new ArrayList<>();
        if (!Files.isRegularFile(source.resolve("pom.xml"))) {
            reasons.add("no pom.xml at the root of the project");
        }
        Path main = source.resolve("src/main/java");
        if (!Files.isDirectory(main)) {
            reasons.add("no src/main/java folder");
            return new Verdict(reasons, warnings);
        }
        List<Path> sources = javaFiles(main);
        if (sources.isEmpty()) {
            reasons.add("no .java file under src/main/java");
            return new Verdict(reasons, warnings);
        }
        List<String> apps = new ArrayList<>();
        for (Path file : sources) {
            if (ANNOTATION.matcher(read(file)).find()) {
                apps.add(source.relativize(file).toString());
            }
        }
        if (apps.isEmpty()) {
            reasons.add("no class annotated @SpringBootApplication under src/main/java");
        } else if (apps.size() > 1) {
            reasons.add("more than one class annotated @SpringBootApplication: " + String.join(", ", apps));
        }
        Path tests = source.resolve("src/test/java");
        if (!Files.isDirectory(tests) || javaFiles(tests).isEmpty()) {
            warnings.add("no tests under src/test/java: the test stage will report 0 tests");
        }
        return new Verdict(reasons, warnings);
    }

    private static List<Path> javaFiles(Path dir) {
        try (Stream<Path> walk = Files.walk(dir)) {
            return walk.filter(p -> p.toString().endsWith(".java") && Files.isRegularFile(p)).sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String read(Path file) {
        try {
            return Files.readString(file, StandardCharsets.UTF_8);
        } catch (MalformedInputException e) {
            try {
                return new String(Files.readAllBytes(file), StandardCharsets.ISO_8859_1);
            } catch (IOException io) {
                throw new UncheckedIOException(io);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
