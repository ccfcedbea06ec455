package dev.pipelinex.runner;

/**
 * Runs one stage script of a job with {@code APP_DIR}, {@code PIPELINES_DIR} and
 * {@code REPORTS_DIR} set, its output streamed into the stage log, and kills everything it
 * started when the stage ends or passes its deadline.
 */
public interface Runner {

    /** The name recorded in each job's state, e.g. {@code local}. */
    String name();

    StageRun run(StageCommand command) throws InterruptedException;
}
