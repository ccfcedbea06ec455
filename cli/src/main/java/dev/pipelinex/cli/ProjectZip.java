package dev.pipelinex.cli;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.regex.Pattern;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

/**
 * A project folder as the ZIP the server takes: build output ({@code target/} beside a
 * {@code pom.xml}) and {@code .git/} are left out, and so are links, which the server refuses.
 */
final class ProjectZip {

    private static final Pattern SPRING_BOOT_APP = Pattern.compile("@SpringBootApplication\\b");

    private ProjectZip() {
    }

    static byte[] of(Path root, boolean withGit) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ZipOutputStream zip = new ZipOutputStream(bytes)) {
            Files.walkFileTree(root, new SimpleFileVisitor<>() {
                @Override
                public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs) {
                    return leftOut(root, dir, attrs, withGit) ? FileVisitResult.SKIP_SUBTREE : FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                    if (attrs.isRegularFile()) {
                        zip.putNextEntry(new ZipEntry(root.relativize(file).toString().replace('\\', '/')));
                        Files.copy(file, zip);
                        zip.closeEntry();
                    }
                    return FileVisitResult.CONTINUE;
                }
            });
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + root + ": " + e.getMessage(), e);
        }
        return bytes.toByteArray();
    }

    /** Build output ({@code target/} beside a {@code pom.xml}), {@code .git/} unless wanted, and links. */
    static boolean leftOut(Path root, Path dir, BasicFileAttributes attrs, boolean withGit) {
        String name = dir.getFileName() == null ? "" : dir.getFileName().toString();
        return !dir.equals(root) && (attrs.isSymbolicLink() || (name.equals(".git") && !withGit)
                || (name.equals("target") && Files.isRegularFile(dir.resolveSibling("pom.xml"))));
    }

    /** Whether a class of the project (build output left out) is annotated {@code @SpringBootApplication}. */
    static boolean isSpringBoot(Path root) {
        boolean[] found = {false};
        try {
            Files.walkFileTree(root, new SimpleFileVisitor<>() {
                @Override
                public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs) {
                    return leftOut(root, dir, attrs, false) ? FileVisitResult.SKIP_SUBTREE : FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) {
                    if (attrs.isRegularFile() && file.toString().endsWith(".java")) {
                        try {
                            found[0] = SPRING_BOOT_APP.matcher(Files.readString(file)).find();
                        } catch (IOException e) {
                            // not UTF-8, or gone: not the application class
                        }
                    }
                    return found[0] ? FileVisitResult.TERMINATE : FileVisitResult.CONTINUE;
                }
            });
        } catch (IOException e) {
            return false;
        }
        return found[0];
    }
}
