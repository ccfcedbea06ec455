package dev.pipelinex.worker;

import dev.pipelinex.files.NoFollow;
import dev.pipelinex.job.Workspace;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The server's side of the wall between a job's folders and its own: the working copy a job's
 * Maven stages build in, a stage's files ingested into the reports once its processes are gone,
 * and the copy of what the build left that SAST reads. Every copy goes through {@link NoFollow}:
 * no link is followed, no special file opened, and what is refused is named in a log.
 */
final class StageFiles {

    /** What one stage may hand the server: 256 MiB a file (SpotBugs' XML of a large project), 1 GiB and 100,000 files in all. */
    static final NoFollow.Limits OUTPUT = new NoFollow.Limits(256L << 20, 1L << 30, 100_000);
    /** The build's copy for SAST: sources, POMs, classes and class paths, 64 MiB a file, 2 GiB and 200,000 files in all. */
    static final NoFollow.Limits BUILT = new NoFollow.Limits(64L << 20, 2L << 30, 200_000);
    /** The working copy of the project: the limits of an upload are far below these. */
    static final NoFollow.Limits WORK = new NoFollow.Limits(1L << 30, 8L << 30, 500_000);
    /** The file in {@link Workspace#control()} that lets a build's tests start once SAST's copy is taken. */
    static final String TESTS_MAY_START = "tests-may-start";

    private StageFiles() {
    }

    /** A fresh working copy of the project and empty output and control folders, for a new attempt. */
    static void prepare(Workspace ws) {
        try {
            for (Path dir : new Path[] {ws.work(), ws.built(), ws.outputs(), ws.control()}) {
                NoFollow.deleteTree(dir);
            }
            Files.createDirectories(ws.control());
            Files.createDirectories(ws.outputs());
            NoFollow.Copy copy = NoFollow.copyTree(ws.source(), ws.work(), WORK, p -> true);
            copy.refused().forEach(r -> JobLog.append(ws.pipelineLog(), "[PIPELINE] not in the working copy: " + r));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot make the job's working copy: " + e.getMessage(), e);
        }
    }

    /** Empties the stage's output folder before its process starts (none of the stage's processes runs). */
    static void freshOutput(Workspace ws, String stage) {
        try {
            NoFollow.deleteTree(ws.output(stage));
            Files.createDirectories(ws.output(stage));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot clear the output folder of stage " + stage + ": " + e.getMessage(), e);
        }
    }

    /**
     * Copies what the stage wrote into its reports folder: regular files only, capped; the
     * stage's log is the server's and is never taken from the stage. What is refused is named
     * in the stage's log.
     */
    static void ingest(Workspace ws, String stage) {
        Path from = ws.output(stage);
        String log = stage + ".log";
        try {
            NoFollow.Copy copy = NoFollow.copyTree(from, ws.stageReports(stage), OUTPUT,
                    p -> !(p.getNameCount() == 1 && p.toString().equals(log)));
            if (Files.exists(from.resolve(log), java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
                JobLog.append(ws.stageLog(stage), "[PIPELINE] REFUSED " + log + ": the stage's log is written by the server");
            }
            copy.refused().forEach(r -> JobLog.append(ws.stageLog(stage), "[PIPELINE] REFUSED " + r));
        } catch (IOException e) {
            JobLog.append(ws.stageLog(stage), "[PIPELINE] REFUSED the stage's files: " + e.getMessage());
        }
    }

    /**
     * The server's copy of what the build left, taken before any test runs: everything but
     * {@code .git/}, and of each {@code target/} only the classes and PipelineX's class paths
     * (not the packaged archives SAST never reads).
     */
    static void snapshot(Workspace ws) {
        try {
            NoFollow.deleteTree(ws.built());
            NoFollow.Copy copy = NoFollow.copyTree(ws.work(), ws.built(), BUILT, StageFiles::analysed);
            copy.refused().forEach(r -> JobLog.append(ws.pipelineLog(), "[PIPELINE] not in SAST's copy: " + r));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot copy what the build left for SAST: " + e.getMessage(), e);
        }
    }

    /** Whether a path of the working copy (relative) goes into SAST's copy. */
    static boolean analysed(Path relative) {
        for (int i = 0; i < relative.getNameCount(); i++) {
            String name = relative.getName(i).toString();
            if (name.equals(".git")) {
                return false;
            }
            if (name.equals("src")) {
                return true; // a package named target is a source folder, not a build's
            }
            if (name.equals("target") && i + 1 < relative.getNameCount()) {
                String next = relative.getName(i + 1).toString();
                return next.equals("classes") || next.equals("pipelinex");
            }
        }
        return true;
    }

    /** Lets the tests of a build that goes on with them start: SAST's copy is taken. */
    static void letTestsStart(Workspace ws) {
        try {
            Files.createDirectories(ws.control());
            Files.writeString(ws.control().resolve(TESTS_MAY_START), "");
        } catch (IOException e) {
            throw new UncheckedIOException("cannot let the build's tests start: " + e.getMessage(), e);
        }
    }
}
