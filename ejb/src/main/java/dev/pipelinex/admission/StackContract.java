package dev.pipelinex.admission;

import java.nio.file.Path;

/** What a stack demands of a project's source before its pipeline may run. */
public interface StackContract {

    /** The stack id, which is also the folder of its stage scripts under {@code pipelines/}. */
    String id();

    Verdict check(Path source);
}
