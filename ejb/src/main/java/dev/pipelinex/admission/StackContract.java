package dev.pipelinex.admission;

import java.nio.file.Path;

/** What a stack demands of a project's source before its pipeline may run. */
public interface StackContract {

    /** The stack id, the folder of its scripts in a job's {@code pipelines/}. */
    String id();

    /** The {@code stack.framework} value that asks for this stack. */
    String framework();

    /** The pipeline (under {@code pipelines/} in the repository) whose scripts the stack runs. */
    default String pipeline() {
        return "java-maven";
    }

    /** What a project must have, in a sentence, for clients to read. */
    String describe();

    Verdict check(Path source);
}
