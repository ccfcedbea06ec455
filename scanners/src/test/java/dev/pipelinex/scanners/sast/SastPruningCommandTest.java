package dev.pipelinex.scanners.sast;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.pipelinex.scanners.Main;
import dev.pipelinex.scanners.report.Reports;
import dev.pipelinex.scanners.report.SarifSchema;
import dev.pipelinex.scanners.sast.samples.Queries;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code sast-report} with the precision step: a SpotBugs report with one safe and one unsafe
 * injection finding in the samples gives one open finding and one suppressed with its reason;
 * {@code --pruning false} leaves both open.
 */
class SastPruningCommandTest {

    @TempDir
    Path repo;

    private Path xml() throws IOException {
        StringBuilder bugs = new StringBuilder();
        for (String method : new String[] {"mapSafe", "mapUnsafe"}) {
            BugSite s = InjectionPrunerTest.site(method);
            bugs.append("""
                    <BugInstance type="SQL_INJECTION_JDBC" priority="1" rank="10" category="SECURITY" instanceHash="%s" instanceOccurrenceNum="0" cweid="89">
                      <ShortMessage>Potential JDBC Injection</ShortMessage>
                      <LongMessage>This use of executeQuery can be vulnerable to SQL injection</LongMessage>
                      <Class classname="%s" primary="true"/>
                      <Method classname="%s" name="%s" signature="%s" isStatic="false" primary="true"/>
                      <SourceLine classname="%s" primary="true" start="%d" end="%d" sourcefile="Queries.java" sourcepath="dev/pipelinex/scanners/sast/samples/Queries.java"/>
                      <String value="java/sql/Statement.executeQuery(Ljava/lang/String;)Ljava/sql/ResultSet;" role="Sink method"/>
                      <String value="0" role="Sink parameter"/>
                    </BugInstance>
                    """.formatted(method, s.className(), s.className(), method, s.signature(), s.className(),
                    s.startLine(), s.endLine()));
        }
        Path xml = repo.resolve("spotbugs.xml");
        Files.writeString(xml, "<BugCollection version=\"4.10.4\">\n" + bugs + "</BugCollection>\n");
        Path source = repo.resolve("src/main/java/dev/pipelinex/scanners/sast/samples/Queries.java");
        Files.createDirectories(source.getParent());
        Files.writeString(source, "class Queries {}");
        return xml;
    }

    private static String classes() {
        try {
            return Path.of(Queries.class.getProtectionDomain().getCodeSource().getLocation().toURI()).toString();
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    private JsonNode run(String pruning, Path out) throws Exception {
        int rc = Main.run(new String[] {"sast-report", "--spotbugs-xml", xml().toString(), "--source", repo.toString(),
                "--out", out.toString(), "--class-dirs", classes(), "--pruning", pruning});
        assertEquals(0, rc);
        assertEquals(Set.of(), SarifSchema.violations(out.resolve("sast.sarif")));
        return Reports.json().readTree(out.resolve("result.json").toFile());
    }

    @Test
    void aProvenSafeFindingIsSuppressedWithItsReasonAndCountedApart() throws Exception {
        Path out = repo.resolve("on");
        JsonNode result = run("true", out);
        assertEquals(1, result.at("/summary/findings/high").asInt(), "only the unsafe one counts");
        assertEquals(1, result.at("/summary/suppressed").asInt());
        assertEquals(1, result.at("/summary/reported").asInt());
        assertTrue(result.at("/summary/pruning/enabled").asBoolean());
        assertEquals(2, result.at("/summary/pruning/examined").asInt());
        JsonNode results = Reports.json().readTree(out.resolve("sast.sarif").toFile()).at("/runs/0/results");
        JsonNode safe = results.get(0);
        assertEquals("external", safe.at("/suppressions/0/kind").asText());
        assertTrue(safe.at("/suppressions/0/justification").asText().contains("argument 1 is \"a-value\""),
                safe.at("/suppressions/0/justification").asText());
        assertTrue(results.get(1).path("suppressions").isMissingNode());
    }

    @Test
    void pruningOffLeavesEveryFindingOpen() throws Exception {
        JsonNode result = run("false", repo.resolve("off"));
        assertEquals(2, result.at("/summary/findings/high").asInt());
        assertEquals(0, result.at("/summary/suppressed").asInt());
        assertFalse(result.at("/summary/pruning/enabled").asBoolean());
    }
}
