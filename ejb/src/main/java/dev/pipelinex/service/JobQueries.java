package dev.pipelinex.service;

import dev.pipelinex.config.Settings;
import dev.pipelinex.job.JobFiles;
import dev.pipelinex.job.JobMetadata;
import dev.pipelinex.job.JobStatus;
import dev.pipelinex.job.Refusal;
import dev.pipelinex.job.RequestRefusedException;
import dev.pipelinex.job.StageResult;
import dev.pipelinex.job.Workspace;
import dev.pipelinex.index.JobIndex;
import dev.pipelinex.pipeline.Stage;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Predicate;

/** Reads jobs and their reports from the workspaces; never writes. */
@ApplicationScoped
public class JobQueries {

    @Inject
    private Settings settings;

    @Inject
    private JobIndex index;

    /** A job as the API shows it: its metadata and its live state. */
    public record JobView(JobMetadata metadata, JobStatus status) {
    }

    /** One page of jobs, newest first. */
    public record JobPage(List<JobView> jobs, int total, int offset, int limit) {
    }

    /**
     * The jobs {@code visible} lets through, newest first: chosen from the {@link JobIndex}, and
     * only the page's states read from disk, so a page costs the same with ten jobs kept or ten
     * thousand.
     */
    public JobPage list(int offset, int limit, Predicate<JobMetadata> visible) {
        JobIndex.Page page = index.page(visible, offset, limit);
        List<JobView> views = new ArrayList<>(page.entries().size());
        for (JobIndex.Entry e : page.entries()) {
            try {
                views.add(new JobView(e.metadata(), JobFiles.readStatus(e.workspace()).orElse(null)));
            } catch (RuntimeException ex) {
                views.add(new JobView(e.metadata(), null)); // being written or removed: shown without a state
            }
        }
        return new JobPage(List.copyOf(views), page.total(), offset, limit);
    }

    public JobView get(String jobId) {
        return view(workspace(jobId));
    }

    /**
     * The job, when {@code visible} lets it through; otherwise the same 404 as for a job that
     * does not exist, so that nobody learns which ids other accounts' jobs have.
     */
    public JobView get(String jobId, Predicate<JobMetadata> visible) {
        JobView v = get(jobId);
        if (!visible.test(v.metadata())) {
            throw notFound(jobId);
        }
        return v;
    }

    /** Every stage's result.json that exists, in stage order. */
    public List<StageResult> results(String jobId) {
        Workspace ws = workspace(jobId);
        List<StageResult> results = new ArrayList<>();
        for (Stage s : Stage.values()) {
            JobFiles.readResult(ws, s.id()).ifPresent(results::add);
        }
        return results;
    }

    /** The stage's log file, or a 404 refusal that says why there is none. */
    public Path log(String jobId, String stage) {
        Workspace ws = workspace(jobId);
        if (Stage.byId(stage).isEmpty()) {
            throw new RequestRefusedException(Refusal.REPORT_NOT_FOUND, "there is no stage '" + stage + "'; stages: "
                    + String.join(", ", java.util.Arrays.stream(Stage.values()).map(Stage::id).toList()));
        }
        Path log = ws.stageLog(stage);
        if (!Files.isRegularFile(log)) {
            throw new RequestRefusedException(Refusal.REPORT_NOT_FOUND, "stage '" + stage + "' of job " + jobId
                    + " has no log yet (it has not started, or was skipped)");
        }
        return log;
    }

    /** The scanner stages, which write SARIF: {@code <stage>.sarif} in their reports folder. */
    public static final List<String> SARIF_STAGES = List.of("sast", "sca", "secrets");

    /** A scanner stage's SARIF file, or a 404 refusal that says why there is none. */
    public Path sarif(String jobId, String stage) {
        Workspace ws = workspace(jobId);
        if (!SARIF_STAGES.contains(stage)) {
            throw new RequestRefusedException(Refusal.REPORT_NOT_FOUND, "stage '" + stage + "' writes no SARIF; "
                    + "the stages that do: " + String.join(", ", SARIF_STAGES));
        }
        return report(ws, stage, stage + ".sarif", "SARIF");
    }

    /** The CycloneDX SBOM the SCA stage wrote, or a 404 refusal. */
    public Path sbom(String jobId) {
        return report(workspace(jobId), "sca", "bom.cdx.json", "SBOM");
    }

    /** The job's reports folder (every stage's result, log and raw outputs). */
    public Path reportsDir(String jobId) {
        return workspace(jobId).reports();
    }

    private static Path report(Workspace ws, String stage, String name, String what) {
        Path file = ws.stageReports(stage).resolve(name);
        if (!Files.isRegularFile(file)) {
            throw new RequestRefusedException(Refusal.REPORT_NOT_FOUND, "stage '" + stage + "' of job " + ws.jobId()
                    + " has no " + what + " (it has not finished, was switched off, was skipped or failed before "
                    + "writing it)");
        }
        return file;
    }

    /** The job's workspace, or the 404 refusal every call on an unknown job answers. */
    Workspace workspace(String jobId) {
        Optional<Workspace> ws = settings.workspaces().find(jobId);
        return ws.orElseThrow(() -> notFound(jobId));
    }

    private static RequestRefusedException notFound(String jobId) {
        return new RequestRefusedException(Refusal.JOB_NOT_FOUND,
                "there is no job with id '" + (jobId == null ? "" : jobId.length() > 64 ? jobId.substring(0, 64) : jobId) + "'");
    }

    private static JobView view(Workspace ws) {
        JobMetadata metadata = JobFiles.readMetadata(ws);
        JobStatus status = JobFiles.readStatus(ws).orElse(null);
        return new JobView(metadata, status);
    }
}
