package dev.pipelinex.admission;

import java.util.List;

/**
 * Admission's answer: refusal reasons (the project cannot run) and warnings (it can, but a
 * person should know something).
 */
public record Verdict(List<String> reasons, List<String> warnings) {

    public Verdict {
        reasons = List.copyOf(reasons);
        warnings = List.copyOf(warnings);
    }

    public Outcome outcome() {
        if (!reasons.isEmpty()) {
            return Outcome.REFUSED;
        }
        return warnings.isEmpty() ? Outcome.ACCEPTED : Outcome.ACCEPTED_WITH_ISSUES;
    }
}
