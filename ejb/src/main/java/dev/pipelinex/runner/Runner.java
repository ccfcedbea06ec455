package dev.pipelinex.runner;

import dev.pipelinex.job.Workspace;

/**
 * Runs one stage script of a job with {@code APP_DIR}, {@code PIPELINES_DIR} and
 * {@code REPORTS_DIR} set, its output streamed into the stage log, and kills everything it
 * started when the stage ends or passes its deadline.
 */
public interface Runner {

    /** The name recorded in each job's state: {@code local} or {@code docker}. */
    String name();

    StageRun run(StageCommand command) throws InterruptedException;

    /** The JDKs stages can run with (JAVA_HOME as the stage sees it), by feature release. */
    default JavaHomes javaHomes() {
        return new JavaHomes(java.util.Map.of());
    }

    /**
     * Whether a build may start beside the resolve stage ({@link StageCommand#besideResolve()}):
     * the runner then gives it a Maven repository private to its process with the
     * shared cache behind it, so that it sees what a build after a resolve that downloaded
     * nothing would see. Only a runner whose jobs have Maven repositories of their own can.
     */
    default boolean buildsBesideResolve() {
        return false;
    }

    /**
     * Called before a job's first stage, once its working copy ({@link Workspace#work()}) is
     * made and none of its processes runs: hands the job's folders to the stages' user.
     */
    default void prepareJob(Workspace workspace) {
    }

    /** Called once a job has its final state: frees what the runner kept for it. */
    default void finish(Workspace workspace) {
    }

    /**
     * After a cancel: kills whatever of the job still runs on this node (stage processes,
     * containers). Stages whose thread was interrupted are stopped already; this catches the rest.
     */
    default void cancel(Workspace workspace) {
    }

    /**
     * Whether stages can run now: null when they can, else what is wrong (the readiness check
     * reports it). A runner with no outside dependency is always ready.
     */
    default String problem() {
        return null;
    }

    /** At start-up: removes what a crashed run of this node left running; returns how many. */
    default int removeOrphans() {
        return 0;
    }
}
