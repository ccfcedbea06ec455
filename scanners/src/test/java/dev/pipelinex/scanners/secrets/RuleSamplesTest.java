package dev.pipelinex.scanners.secrets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.DynamicTest.dynamicTest;

import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/** Runs every built-in rule's tp and fp samples through the whole rule set. */
class RuleSamplesTest {

    private static final RuleSet RULES = RuleSet.builtIn();
    private static final SecretMatcher MATCHER = new SecretMatcher(RULES);

    @TestFactory
    Stream<DynamicTest> everyTruePositiveGivesExactlyOneFindingOfItsRule() {
        return RULES.rules().stream().flatMap(rule -> IntStream.range(0, rule.samples().size()).mapToObj(i ->
                dynamicTest(rule.id() + " tp[" + i + "]", () -> {
                    List<SecretMatcher.Hit> hits = MATCHER.scan(rule.samplePath(), rule.samples().get(i));
                    assertEquals(1, hits.size(), () -> rule.id() + " tp[" + i + "] gave " + hits);
                    assertEquals(rule.id(), hits.get(0).rule().id(), () -> rule.id() + " tp[" + i + "] gave " + hits);
                })));
    }

    @TestFactory
    Stream<DynamicTest> everyFalsePositiveGivesNoFinding() {
        return RULES.rules().stream().flatMap(rule -> IntStream.range(0, rule.nonSamples().size()).mapToObj(i ->
                dynamicTest(rule.id() + " fp[" + i + "]", () -> {
                    List<SecretMatcher.Hit> hits = MATCHER.scan(rule.samplePath(), rule.nonSamples().get(i));
                    assertEquals(List.of(), hits, () -> rule.id() + " fp[" + i + "] gave " + hits);
                })));
    }

    @Test
    void everyRuleHasSamplesBothWays() {
        for (SecretRule r : RULES.rules()) {
            assertFalse(r.samples().isEmpty(), r.id() + " has no tp sample");
            assertFalse(r.nonSamples().isEmpty(), r.id() + " has no fp sample");
        }
    }

    @Test
    void theBuiltInSetCoversTheCommonProvidersWithUniqueIds() {
        Set<String> ids = new HashSet<>();
        RULES.rules().forEach(r -> assertTrue(ids.add(r.id()), "repeated id " + r.id()));
        assertTrue(ids.size() >= 40, "only " + ids.size() + " rules");
        for (String id : List.of("aws-access-key-id", "aws-secret-access-key", "gcp-api-key", "azure-storage-account-key",
                "github-pat", "gitlab-pat", "npm-token", "pypi-token", "dockerhub-token", "slack-bot-token",
                "slack-webhook", "stripe-live-secret-key", "sendgrid-api-key", "private-key", "jwt", "vault-token",
                "url-credentials", "generic-secret-config", "generic-secret-code")) {
            assertTrue(ids.contains(id), id + " is missing");
        }
        assertEquals("generic-secret-xml-property", RULES.rules().get(RULES.rules().size() - 1).id(),
                "the generic rules come last, so specific rules win overlaps");
    }
}
