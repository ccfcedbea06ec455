package dev.pipelinex.service;

import dev.pipelinex.admission.Outcome;
import dev.pipelinex.admission.StackContract;
import dev.pipelinex.admission.Stacks;
import dev.pipelinex.runner.Runner;
import dev.pipelinex.admission.Verdict;
import dev.pipelinex.config.Settings;
import dev.pipelinex.intake.GitIntake;
import dev.pipelinex.intake.ZipIntake;
import dev.pipelinex.job.JobFiles;
import dev.pipelinex.job.JobMetadata;
import dev.pipelinex.job.JobRequest;
import dev.pipelinex.job.JobSource;
import dev.pipelinex.job.JobStatus;
import dev.pipelinex.job.MetadataParser;
import dev.pipelinex.job.Refusal;
import dev.pipelinex.job.RequestRefusedException;
import dev.pipelinex.job.Workspace;
import dev.pipelinex.job.Workspaces;
import dev.pipelinex.pipeline.PipelineInstaller;
import dev.pipelinex.pipeline.StagePlan;
import dev.pipelinex.queue.JobQueue;
import jakarta.ejb.Stateless;
import jakarta.ejb.TransactionAttribute;
import jakarta.ejb.TransactionAttributeType;
import jakarta.inject.Inject;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.function.Function;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Turns a submission into a queued job: workspace, intake, admission, pipeline installation,
 * metadata.json and state.json, then the message. Any failure on the way removes the
 * workspace: either the client gets a job id and the job is queued, or no job exists.
 */
@Stateless
@TransactionAttribute(TransactionAttributeType.NOT_SUPPORTED)
public class JobSubmission {

    private static final Logger LOG = Logger.getLogger(JobSubmission.class.getName());

    @Inject
    private Settings settings;

    @Inject
    private JobQueue queue;

    @Inject
    private dev.pipelinex.index.JobIndex index;

    private final MetadataParser parser = new MetadataParser();
    @Inject
    private Runner runner;
    private final PipelineInstaller installer = new PipelineInstaller();

    /**
     * A ZIP upload: {@code zip} is read once, as a stream, and never held in memory whole.
     * {@code owner} is the submitting account, recorded in metadata.json.
     */
    public JobMetadata submitUpload(InputStream zip, String filename, String metadataJson, String owner) {
        JobRequest request = parser.parse(metadataJson);
        StackContract contract = stacks().contractFor(request);
        ZipIntake intake = new ZipIntake(settings.intakeLimits());
        return admit(request, contract, owner, ws -> {
            Path upload = ws.dir().resolve("upload.zip");
            try {
                intake.save(zip, upload);
                intake.unpack(upload, ws.source());
            } finally {
                deleteQuietly(upload);
            }
            return JobSource.upload(safeName(filename));
        });
    }

    /** A repository URL and metadata in one JSON body; {@code owner} is the submitting account. */
    public JobMetadata submitGit(String body, String owner) {
        MetadataParser.GitRequest git = parser.parseGit(body);
        StackContract contract = stacks().contractFor(git.request());
        GitIntake intake = new GitIntake(settings.gitPolicy(), settings.intakeLimits());
        URI url = intake.check(git.url());
        boolean history = "git".equals(git.request().pipeline().secretScanMode());
        return admit(git.request(), contract, owner, ws -> JobSource.git(url.toString(), intake.clone(url, ws.source(), history)));
    }

    /** The stacks and versions served, with the JDKs the runner has now. */
    public Stacks stacks() {
        return new Stacks(settings.javaVersions(), runner.javaHomes());
    }

    private JobMetadata admit(JobRequest request, StackContract contract, String owner,
                              Function<Workspace, JobSource> intake) {
        Workspaces workspaces = settings.workspaces();
        Workspace ws = workspaces.create();
        try {
            JobSource source = intake.apply(ws);
            if ("git".equals(request.pipeline().secretScanMode()) && !Files.isDirectory(ws.source().resolve(".git"))) {
                throw new RequestRefusedException(Refusal.ADMISSION_REFUSED, "secret_scan_mode \"git\" scans a "
                        + "repository's history, and this project has none: submit it as a GitHub URL, upload a ZIP "
                        + "that includes its .git folder, or use secret_scan_mode \"files\"");
            }
            Verdict verdict = contract.check(ws.source());
            if (verdict.outcome() == Outcome.REFUSED) {
                throw new RequestRefusedException(Refusal.ADMISSION_REFUSED, "the project is not a "
                        + contract.id() + " project: " + String.join("; ", verdict.reasons()), verdict.reasons());
            }
            installer.install(contract.pipeline(), contract.id(), ws);
            List<String> stages = StagePlan.stagesFor(request.pipeline());
            Instant now = Instant.now().truncatedTo(ChronoUnit.MILLIS);
            JobMetadata metadata = new JobMetadata(ws.jobId(), now, source, request.stack(), request.versions(),
                    request.pipeline(), contract.id(),
                    new JobMetadata.Admission(verdict.outcome().name(), verdict.warnings()), stages, owner);
            // The account's jobs that wait or run, counted before this one is: its share of the queue.
            int priority = dev.pipelinex.capacity.BackPressure.priority(index, owner);
            JobStatus queued = JobStatus.queued(ws.jobId(), StagePlan.initialStates(stages), now);
            JobFiles.writeMetadata(ws, metadata);
            JobFiles.writeStatus(ws, queued);
            index.added(ws, metadata, queued);
            send(ws.jobId(), priority);
            JobCounters.submitted();
            LOG.info("job " + ws.jobId() + " queued (" + contract.id() + ", " + verdict.outcome() + ")");
            return metadata;
        } catch (RuntimeException e) {
            discard(workspaces, ws);
            throw e;
        }
    }

    private void send(String jobId, int priority) {
        try {
            queue.send(jobId, priority);
        } catch (RuntimeException e) {
            LOG.log(Level.SEVERE, "cannot queue job " + jobId, e);
            throw new RequestRefusedException(Refusal.QUEUE_UNAVAILABLE,
                    "the job could not be queued (" + e.getMessage() + "); try again later", List.of(), e);
        }
    }

    private static void discard(Workspaces workspaces, Workspace ws) {
        try {
            workspaces.delete(ws);
        } catch (UncheckedIOException e) {
            LOG.log(Level.SEVERE, "cannot remove the workspace of a refused submission " + ws.dir(), e);
        }
    }

    private static void deleteQuietly(Path file) {
        try {
            Files.deleteIfExists(file);
        } catch (IOException e) {
            LOG.log(Level.WARNING, "cannot remove " + file, e);
        }
    }

    /** The client's file name, kept only as a label: no folders, no control characters. */
    static String safeName(String filename) {
        if (filename == null) {
            return "project.zip";
        }
        String base = filename.replace('\\', '/');
        base = base.substring(base.lastIndexOf('/') + 1).replaceAll("[\\p{Cntrl}]", "");
        return base.isBlank() ? "project.zip" : base.length() > 200 ? base.substring(0, 200) : base;
    }
}
