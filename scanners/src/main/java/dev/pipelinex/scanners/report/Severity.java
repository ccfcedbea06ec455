package dev.pipelinex.scanners.report;

import java.util.Locale;
import java.util.Optional;

/** The severities every scanner reports in, most severe first. */
public enum Severity {
    CRITICAL("error", "9.5"),
    HIGH("error", "8.0"),
    MEDIUM("warning", "5.5"),
    LOW("note", "3.0"),
    INFO("note", "0.0");

    private final String sarifLevel;
    private final String securitySeverity;

    Severity(String sarifLevel, String securitySeverity) {
        this.sarifLevel = sarifLevel;
        this.securitySeverity = securitySeverity;
    }

    /** The lower-case name used in JSON: {@code critical}, {@code high}, … */
    public String id() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** SARIF {@code level}: error, warning or note. */
    public String sarifLevel() {
        return sarifLevel;
    }

    /** The {@code security-severity} score (0.0–10.0) code-scanning tools sort by. */
    public String securitySeverity() {
        return securitySeverity;
    }

    public boolean atLeast(Severity other) {
        return ordinal() <= other.ordinal();
    }

    public static Optional<Severity> parse(String text) {
        if (text == null) {
            return Optional.empty();
        }
        String t = text.trim().toUpperCase(Locale.ROOT);
        if (t.equals("MODERATE")) {
            return Optional.of(MEDIUM);
        }
        for (Severity s : values()) {
            if (s.name().equals(t)) {
                return Optional.of(s);
            }
        }
        return Optional.empty();
    }

    /** The severity of a CVSS base score, as the CVSS v3 specification names its ranges. */
    public static Severity ofCvssScore(double score) {
        if (score >= 9.0) {
            return CRITICAL;
        }
        if (score >= 7.0) {
            return HIGH;
        }
        if (score >= 4.0) {
            return MEDIUM;
        }
        return score > 0.0 ? LOW : INFO;
    }
}
