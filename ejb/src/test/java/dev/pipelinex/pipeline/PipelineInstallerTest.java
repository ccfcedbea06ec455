package dev.pipelinex.pipeline;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pipelinex.job.Workspace;
import dev.pipelinex.job.Workspaces;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PipelineInstallerTest {

    /** The stage scripts as they are in the repository, relative to the ejb module's basedir. */
    private static final Path SOURCE = Path.of("..", "pipelines", "java-maven");

    @TempDir
    Path tmp;

    private static Set<String> filesUnder(Path dir) throws IOException {
        try (Stream<Path> walk = Files.walk(dir)) {
            return walk.filter(Files::isRegularFile).map(p -> dir.relativize(p).toString())
                    .collect(Collectors.toCollection(TreeSet::new));
        }
    }

    @Test
    void manifestListsExactlyTheFilesOfThePipelineFolder() throws IOException {
        assertTrue(Files.isDirectory(SOURCE), "the pipeline folder should be at " + SOURCE.toAbsolutePath());
        Set<String> onDisk = filesUnder(SOURCE);
        onDisk.remove(PipelineInstaller.MANIFEST);
        List<String> manifest = new PipelineInstaller().manifest("java-maven");
        assertEquals(onDisk, new TreeSet<>(manifest),
                "MANIFEST should list every file of pipelines/java-maven and nothing else");
        assertEquals(manifest.size(), Set.copyOf(manifest).size(), "MANIFEST should name each file once");
        for (Stage s : Stage.values()) {
            assertTrue(manifest.contains(s.script()), "MANIFEST should list the script of stage " + s.id());
        }
    }

    @Test
    void packagedManifestIsTheRepositoryManifest() throws IOException {
        List<String> fromSource = Files.readAllLines(SOURCE.resolve(PipelineInstaller.MANIFEST)).stream()
                .map(String::trim).filter(l -> !l.isEmpty() && !l.startsWith("#")).toList();
        assertEquals(fromSource, new PipelineInstaller().manifest("java-maven"),
                "the packaged MANIFEST should be the one in the repository");
    }

    @Test
    void installCopiesTheFilesWithScriptsExecutable() throws IOException {
        Workspace ws = new Workspaces(tmp).create();
        Path installed = new PipelineInstaller().install("java-maven", "spring-boot-maven", ws);
        assertEquals(ws.pipelines().resolve("spring-boot-maven"), installed, "install should return the stack folder");
        Set<String> expected = filesUnder(SOURCE);
        expected.remove(PipelineInstaller.MANIFEST);
        assertEquals(expected, filesUnder(installed), "install should copy exactly the files of the manifest");
        for (String f : expected) {
            Path copy = installed.resolve(f);
            assertArrayEquals(Files.readAllBytes(SOURCE.resolve(f)), Files.readAllBytes(copy), f + " should be copied unchanged");
            String perms = PosixFilePermissions.toString(Files.getPosixFilePermissions(copy));
            assertEquals(f.endsWith(".sh") ? "rwxr-xr-x" : "rw-r--r--", perms, "permissions of " + f);
        }
        assertTrue(Files.isExecutable(installed.resolve("build.sh")), "build.sh should be executable");
    }

    @Test
    void installingAgainReplacesChangedFiles() throws IOException {
        Workspace ws = new Workspaces(tmp).create();
        Path installed = new PipelineInstaller().install("java-maven", "spring-boot-maven", ws);
        Files.writeString(installed.resolve("build.sh"), "tampered");
        new PipelineInstaller().install("java-maven", "spring-boot-maven", ws);
        assertArrayEquals(Files.readAllBytes(SOURCE.resolve("build.sh")), Files.readAllBytes(installed.resolve("build.sh")),
                "a second install should put back the packaged script");
    }

    @Test
    void unknownStackFailsToInstall() {
        Workspace ws = new Workspaces(tmp).create();
        UncheckedIOException e = assertThrows(UncheckedIOException.class,
                () -> new PipelineInstaller().install("cobol-make", "cobol", ws), "a stack without packaged scripts should fail");
        assertTrue(e.getMessage().contains("cobol-make"), "the failure should name the stack: " + e.getMessage());
    }

    @Test
    void manifestNamingAFileOutsideTheStackFolderIsRejected() throws IOException {
        Path classes = tmp.resolve("classes");
        Path stack = Files.createDirectories(classes.resolve("pipelines/evil"));
        Files.writeString(stack.resolve(PipelineInstaller.MANIFEST), "# comment\n\nok.sh\n../../escaped.sh\n");
        Files.writeString(stack.resolve("ok.sh"), "echo ok");
        Files.writeString(classes.resolve("pipelines/escaped.sh"), "echo escaped");
        Workspace ws = new Workspaces(tmp.resolve("root")).create();
        try (URLClassLoader loader = new URLClassLoader(new URL[] {classes.toUri().toURL()}, null)) {
            PipelineInstaller installer = new PipelineInstaller(loader);
            assertEquals(List.of("ok.sh", "../../escaped.sh"), installer.manifest("evil"),
                    "comments and blank lines should be left out of the manifest");
            IllegalStateException e = assertThrows(IllegalStateException.class, () -> installer.install("evil", "evil", ws),
                    "a manifest entry outside the stack folder should be rejected");
            assertTrue(e.getMessage().contains("../../escaped.sh"), "the failure should name the entry: " + e.getMessage());
        }
        assertFalse(Files.exists(ws.dir().resolve("escaped.sh")), "nothing should be written outside the stack folder");
    }
}
