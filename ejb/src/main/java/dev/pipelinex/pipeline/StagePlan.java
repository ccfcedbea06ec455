package dev.pipelinex.pipeline;

import dev.pipelinex.job.JobRequest.PipelineOptions;
import dev.pipelinex.job.StageState;
import java.util.ArrayList;
import java.util.List;

/** Which stages a job runs, and the stage list its state starts with. */
public final class StagePlan {

    static final String SWITCHED_OFF = "switched off in the job's metadata";

    private StagePlan() {
    }

    /** The ids of the stages the options turn on, in running order. */
    public static List<String> stagesFor(PipelineOptions options) {
        List<String> ids = new ArrayList<>();
        for (Stage s : Stage.values()) {
            if (s.enabledBy(options)) {
                ids.add(s.id());
            }
        }
        return ids;
    }

    /** Every stage, PENDING when planned and SKIPPED when switched off. */
    public static List<StageState> initialStates(List<String> planned) {
        List<StageState> states = new ArrayList<>();
        for (Stage s : Stage.values()) {
            states.add(planned.contains(s.id()) ? StageState.pending(s.id()) : StageState.skipped(s.id(), SWITCHED_OFF));
        }
        return states;
    }
}
