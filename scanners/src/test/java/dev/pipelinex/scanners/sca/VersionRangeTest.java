package dev.pipelinex.scanners.sca;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.pipelinex.scanners.report.Reports;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class VersionRangeTest {

    private static Advisory advisory(String affectedJson) throws Exception {
        JsonNode node = Reports.json().readTree("{\"id\": \"T-1\", \"affected\": [" + affectedJson.replace('\'', '"') + "]}");
        return Advisory.parse(node);
    }

    private static String range(String type, String events) {
        return "{'package': {'ecosystem': 'Maven', 'name': 'g:a'}, 'ranges': [{'type': '" + type + "', 'events': ["
                + events + "]}]}";
    }

    @ParameterizedTest(name = "{0} {1} -> {2}")
    @CsvSource(delimiter = '|', textBlock = """
            # events                                                            | version       | affected
            {'introduced': '1.0'}, {'fixed': '1.2'}                             | 1.0           | true
            {'introduced': '1.0'}, {'fixed': '1.2'}                             | 1.1.9         | true
            {'introduced': '1.0'}, {'fixed': '1.2'}                             | 1.2           | false
            {'introduced': '1.0'}, {'fixed': '1.2'}                             | 1.2.0         | false
            {'introduced': '1.0'}, {'fixed': '1.2'}                             | 0.9           | false
            {'introduced': '1.0'}, {'fixed': '1.2'}                             | 1.0-alpha     | false
            {'introduced': '1.0'}, {'fixed': '1.2'}                             | 1.2-rc1       | true
            {'introduced': '1.0'}, {'fixed': '1.2'}                             | 1.0.RELEASE   | true
            {'introduced': '1.0'}, {'fixed': '1.2'}                             | 1.2.Final     | false
            {'introduced': '1.0'}, {'fixed': '1.2'}                             | 1.2-SNAPSHOT  | true
            {'introduced': '0'}                                                 | 0.0.1         | true
            {'introduced': '0'}                                                 | 1.0-alpha-1   | true
            {'introduced': '0'}, {'fixed': '2.3.1'}                             | 2.3           | true
            {'introduced': '0'}, {'fixed': '2.3.1'}                             | 2.3.1         | false
            {'introduced': '2.0-beta9'}, {'fixed': '2.3.1'}                     | 2.0-beta8     | false
            {'introduced': '2.0-beta9'}, {'fixed': '2.3.1'}                     | 2.0-beta9     | true
            {'introduced': '2.0-beta9'}, {'fixed': '2.3.1'}                     | 2.0-beta10    | true
            {'introduced': '2.0-beta9'}, {'fixed': '2.3.1'}                     | 2.0-rc2       | true
            {'introduced': '2.0-beta9'}, {'fixed': '2.3.1'}                     | 2.0           | true
            {'introduced': '0'}, {'last_affected': '2.1.214'}                   | 2.1.214       | true
            {'introduced': '0'}, {'last_affected': '2.1.214'}                   | 2.1.215       | false
            {'introduced': '1.0'}, {'limit': '1.5'}                             | 1.4           | true
            {'introduced': '1.0'}, {'limit': '1.5'}                             | 1.5           | false
            {'introduced': '1.0'}, {'limit': '*'}                               | 99            | true
            {'introduced': '1.0'}, {'fixed': '1.2'}, {'limit': '1.1'}           | 1.1.5         | false
            {'introduced': '1.0'}, {'fixed': '1.2'}, {'limit': '1.1'}, {'limit': '1.6'} | 1.1.5 | true
            {'introduced': '1.0'}, {'fixed': '1.0.2'}, {'introduced': '3.0'}, {'fixed': '3.2.5'} | 1.0.1 | true
            {'introduced': '1.0'}, {'fixed': '1.0.2'}, {'introduced': '3.0'}, {'fixed': '3.2.5'} | 2.0   | false
            {'introduced': '1.0'}, {'fixed': '1.0.2'}, {'introduced': '3.0'}, {'fixed': '3.2.5'} | 3.2.4 | true
            {'introduced': '1.0'}, {'fixed': '1.0.2'}, {'introduced': '3.0'}, {'fixed': '3.2.5'} | 3.2.5 | false
            {'fixed': '3.2.5'}, {'introduced': '3.0'}, {'fixed': '1.0.2'}, {'introduced': '1.0'} | 1.0.1 | true
            {'fixed': '3.2.5'}, {'introduced': '3.0'}, {'fixed': '1.0.2'}, {'introduced': '1.0'} | 2.0   | false
            {'fixed': '3.2.5'}, {'introduced': '3.0'}, {'fixed': '1.0.2'}, {'introduced': '1.0'} | 3.1   | true
            {'fixed': '2.15.0'}, {'introduced': '2.13.0'}                       | 2.14.1        | true
            {'introduced': '5.3.0'}, {'fixed': '5.3.18.RELEASE'}                | 5.3.17        | true
            {'introduced': '5.3.0'}, {'fixed': '5.3.18.RELEASE'}                | 5.3.18        | false
            {'introduced': '6.0.0.Final'}, {'fixed': '6.0.20.Final'}            | 6.0.0.CR1     | false
            {'introduced': '6.0.0.Final'}, {'fixed': '6.0.20.Final'}            | 6.0.19.Final  | true
            {'introduced': '2.9.0'}, {'fixed': '2.9.10.8'}                      | 2.9.10.1      | true
            {'introduced': '2.9.0'}, {'fixed': '2.9.10.8'}                      | 2.10.0        | false
            """)
    void rangesFollowTheOsvEvaluationInMavenOrder(String events, String version, boolean affected) throws Exception {
        assertEquals(affected, advisory(range("ECOSYSTEM", events)).affects("g:a", version));
        assertEquals(affected, advisory(range("SEMVER", events)).affects("g:a", version), "SEMVER in Maven order");
    }

    @Test
    void mavenOrderingBasics() {
        assertTrue(MavenVersions.compare("1.0-alpha", "1.0") < 0);
        assertTrue(MavenVersions.compare("1.0", "1.0.1") < 0);
        assertTrue(MavenVersions.compare("2.0-beta9", "2.0-beta10") < 0);
        assertTrue(MavenVersions.compare("1.9", "1.10.0") < 0);
        assertEquals(0, MavenVersions.compare("1.0.RELEASE", "1.0"));
        assertEquals(0, MavenVersions.compare("1.0.Final", "1.0.0"));
    }

    @Test
    void versionsListAndRangesEitherMatch() throws Exception {
        Advisory a = advisory("{'package': {'ecosystem': 'Maven', 'name': 'g:a'}, 'versions': ['1.5', '2.0-beta2'],"
                + " 'ranges': [{'type': 'ECOSYSTEM', 'events': [{'introduced': '3.0'}, {'fixed': '3.1'}]}]}");
        assertTrue(a.affects("g:a", "1.5"));
        assertTrue(a.affects("g:a", "2.0-beta2"));
        assertTrue(a.affects("g:a", "3.0.4"));
        assertEquals(false, a.affects("g:a", "1.6"));
        assertEquals(false, a.affects("g:a", "3.1"));
        assertEquals(false, a.affects("g:other", "1.5"), "another package");
    }

    @Test
    void gitRangesAndOtherEcosystemsAreIgnored() throws Exception {
        Advisory git = advisory("{'package': {'ecosystem': 'Maven', 'name': 'g:a'}, 'ranges': [{'type': 'GIT',"
                + " 'repo': 'https://example.org/r.git', 'events': [{'introduced': '0'}]}]}");
        assertEquals(false, git.affects("g:a", "1.0"));
        Advisory npm = advisory("{'package': {'ecosystem': 'npm', 'name': 'g:a'}, 'ranges': [{'type': 'SEMVER',"
                + " 'events': [{'introduced': '0'}]}]}");
        assertTrue(npm.affected().isEmpty());
        assertEquals(false, npm.affects("g:a", "1.0"));
        Advisory google = advisory("{'package': {'ecosystem': 'Maven:https://maven.google.com', 'name': 'g:a'},"
                + " 'ranges': [{'type': 'ECOSYSTEM', 'events': [{'introduced': '0'}]}]}");
        assertTrue(google.affects("g:a", "1.0"));
    }

    @Test
    void fixedVersionIsTheLowestFixAboveTheVersionInTheMatchingRange() throws Exception {
        // Log4Shell's ranges as published: three release lines with their own fixes.
        Advisory log4shell = advisory(range("ECOSYSTEM", "{'introduced': '2.13.0'}, {'fixed': '2.15.0'}") + ","
                + range("ECOSYSTEM", "{'introduced': '2.0-beta9'}, {'fixed': '2.3.1'}") + ","
                + range("ECOSYSTEM", "{'introduced': '2.4'}, {'fixed': '2.12.2'}"));
        assertEquals(Optional.of("2.15.0"), log4shell.fixedVersion("g:a", "2.14.1"));
        assertEquals(Optional.of("2.12.2"), log4shell.fixedVersion("g:a", "2.11.0"));
        assertEquals(Optional.of("2.3.1"), log4shell.fixedVersion("g:a", "2.1"));
        assertEquals(false, log4shell.affects("g:a", "2.12.2"));
        assertEquals(false, log4shell.affects("g:a", "2.15.0"));
        assertEquals(false, log4shell.affects("g:a", "1.2.17"));

        Advisory twoFixes = advisory(range("ECOSYSTEM",
                "{'introduced': '1.0'}, {'fixed': '1.4'}, {'introduced': '2.0'}, {'fixed': '2.2'}, {'fixed': '1.8'}"));
        assertEquals(Optional.of("1.4"), twoFixes.fixedVersion("g:a", "1.2"));
        assertEquals(Optional.of("2.2"), twoFixes.fixedVersion("g:a", "2.1"));
        Advisory unfixed = advisory(range("ECOSYSTEM", "{'introduced': '0'}, {'last_affected': '3.0'}"));
        assertEquals(Optional.empty(), unfixed.fixedVersion("g:a", "2.0"));
    }
}
