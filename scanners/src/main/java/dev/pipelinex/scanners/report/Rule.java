package dev.pipelinex.scanners.report;

import java.util.List;

/**
 * A rule a scanner checks: its id, a short name and description, where to read more
 * ({@code helpUri} may be null), its default severity and tags such as {@code external/cwe/cwe-89}.
 */
public record Rule(String id, String name, String description, String helpUri, Severity severity,
                   List<String> tags) {

    public Rule {
        tags = tags == null ? List.of() : List.copyOf(tags);
    }
}
