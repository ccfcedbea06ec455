package dev.pipelinex.scanners.secrets;

/** A rule file that cannot be used; the message names the file and, when there is one, the rule. */
public final class RuleFileException extends RuntimeException {

    public RuleFileException(String message) {
        super(message);
    }
}
