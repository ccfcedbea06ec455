package dev.pipelinex.scanners.secrets;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.pipelinex.scanners.report.Finding;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What the working-tree walk reads, skips and never follows. */
class TreeScannerTest {

    @TempDir
    Path project;
    @TempDir
    Path outside;

    private final Fakes fakes = new Fakes(9);

    private void write(String path, String text) throws IOException {
        Path f = project.resolve(path);
        Files.createDirectories(f.getParent());
        Files.writeString(f, text);
    }

    private SecretScan.Outcome scan() throws IOException {
        return SecretScan.run(project, RuleSet.builtIn(), SecretScan.Mode.FILES, 10, 2);
    }

    private static List<String> paths(SecretScan.Outcome o) {
        return o.findings().stream().map(Finding::path).toList();
    }

    @Test
    void buildOutputDependenciesAndGitFoldersAreLeftOut() throws IOException {
        write("app/config.env", "TOKEN=" + fakes.npmToken() + "\n");
        write("target/classes/config.env", "TOKEN=" + fakes.npmToken() + "\n");
        write("node_modules/lib/.env", "TOKEN=" + fakes.npmToken() + "\n");
        write("web/build/out.env", "TOKEN=" + fakes.npmToken() + "\n");
        write(".git/config", "url = https://x:" + fakes.password(16) + "@git.acme.org/r.git\n");
        write("docs/target.md", "TOKEN=" + fakes.npmToken() + "\n");
        SecretScan.Outcome o = scan();
        assertEquals(List.of("app/config.env", "docs/target.md"), paths(o));
        assertEquals(2, o.filesScanned());
        assertEquals(0, o.filesSkipped());
    }

    @Test
    void binaryFilesAreSkippedByANulByteInTheFirst8KiB() throws IOException {
        byte[] secretLine = ("TOKEN=" + fakes.npmToken() + "\n").getBytes(StandardCharsets.US_ASCII);
        byte[] early = new byte[100 + secretLine.length];
        Arrays.fill(early, (byte) 'a');
        early[50] = 0;
        System.arraycopy(secretLine, 0, early, 100, secretLine.length);
        Files.write(project.resolve("early.dat"), early);

        byte[] late = new byte[TreeScanner.BINARY_PROBE + 10 + secretLine.length];
        Arrays.fill(late, (byte) 'a');
        late[TreeScanner.BINARY_PROBE + 1] = 0;
        late[TreeScanner.BINARY_PROBE + 9] = '\n';
        System.arraycopy(secretLine, 0, late, TreeScanner.BINARY_PROBE + 10, secretLine.length);
        Files.write(project.resolve("late.dat"), late);

        SecretScan.Outcome o = scan();
        assertEquals(List.of("late.dat"), paths(o));
        assertEquals(1, o.filesScanned());
        assertEquals(1, o.filesSkipped());
    }

    @Test
    void filesOver2MiBAreSkippedAndCounted() throws IOException {
        String token = "TOKEN=" + fakes.npmToken() + "\n";
        StringBuilder big = new StringBuilder(token);
        while (big.length() <= TreeScanner.MAX_FILE_BYTES) {
            big.append("x = 1;\n");
        }
        write("big.env", big.toString());
        write("small.env", token);
        SecretScan.Outcome o = scan();
        assertEquals(List.of("small.env"), paths(o));
        assertEquals(1, o.filesScanned());
        assertEquals(1, o.filesSkipped());
    }

    @Test
    void symbolicLinksAreNeverFollowed() throws IOException {
        Files.writeString(outside.resolve("secret.env"), "TOKEN=" + fakes.npmToken() + "\n");
        Files.createDirectories(outside.resolve("dir"));
        Files.writeString(outside.resolve("dir/more.env"), "TOKEN=" + fakes.npmToken() + "\n");
        Files.createSymbolicLink(project.resolve("linked.env"), outside.resolve("secret.env"));
        Files.createSymbolicLink(project.resolve("linked-dir"), outside.resolve("dir"));
        write("real.env", "TOKEN=" + fakes.npmToken() + "\n");
        SecretScan.Outcome o = scan();
        assertEquals(List.of("real.env"), paths(o));
        assertEquals(1, o.filesScanned());
        assertEquals(2, o.filesSkipped(), "both links are counted as skipped");
    }

    @Test
    void pathsAreRelativeWithForwardSlashesAndSorted() throws IOException {
        write("b/deep/er/x.env", "T=" + fakes.npmToken() + "\n");
        write("a.env", "\n\nT=" + fakes.npmToken() + "\n");
        SecretScan.Outcome o = scan();
        assertEquals(List.of("a.env", "b/deep/er/x.env"), paths(o));
        assertEquals(3, o.findings().get(0).startLine());
    }
}
