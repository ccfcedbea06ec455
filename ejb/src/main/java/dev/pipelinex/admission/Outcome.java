package dev.pipelinex.admission;

/** What admission decided about a project. */
public enum Outcome {
    ACCEPTED, ACCEPTED_WITH_ISSUES, REFUSED
}
