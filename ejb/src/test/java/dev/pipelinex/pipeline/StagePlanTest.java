package dev.pipelinex.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pipelinex.job.JobRequest.PipelineOptions;
import dev.pipelinex.job.StageState;
import dev.pipelinex.job.StageStatus;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class StagePlanTest {

    @Test
    void stagesRunInTheOrderResolveBuildTestSastScaSecrets() {
        assertEquals(List.of("resolve", "build", "test", "sast", "sca", "secrets"), StagePlan.stagesFor(PipelineOptions.ALL),
                "every stage on should plan all six in running order");
        assertEquals(List.of(Stage.RESOLVE, Stage.BUILD, Stage.TEST, Stage.SAST, Stage.SCA, Stage.SECRETS), List.of(Stage.values()),
                "the enum order is the running order");
    }

    @Test
    void eachToggleSwitchesOffItsOwnStage() {
        assertEquals(List.of("resolve", "test", "sast", "sca", "secrets"),
                StagePlan.stagesFor(new PipelineOptions(false, true, true, true, true)), "run_build off drops build");
        assertEquals(List.of("resolve", "build", "sast", "sca", "secrets"),
                StagePlan.stagesFor(new PipelineOptions(true, false, true, true, true)), "run_unit_tests off drops test");
        assertEquals(List.of("resolve", "build", "test", "sca", "secrets"),
                StagePlan.stagesFor(new PipelineOptions(true, true, false, true, true)), "run_sast off drops sast");
        assertEquals(List.of("resolve", "build", "test", "sast", "secrets"),
                StagePlan.stagesFor(new PipelineOptions(true, true, true, false, true)), "run_sca off drops sca");
        assertEquals(List.of("resolve", "build", "test", "sast", "sca"),
                StagePlan.stagesFor(new PipelineOptions(true, true, true, true, false)), "run_secret_scan off drops secrets");
        assertEquals(List.of(), StagePlan.stagesFor(new PipelineOptions(false, false, false, false, false)),
                "every toggle off plans nothing");
        assertEquals(List.of("secrets"), StagePlan.stagesFor(new PipelineOptions(false, false, false, false, true)),
                "a secret scan alone needs no dependencies resolved");
    }

    @Test
    void initialStatesListEveryStagePendingOrSkippedWhenSwitchedOff() {
        List<StageState> states = StagePlan.initialStates(List.of("build", "sca")).subList(1, 6);
        assertEquals(List.of("build", "test", "sast", "sca", "secrets"), states.stream().map(StageState::name).toList(),
                "the state should list every stage in running order");
        assertEquals(List.of(StageStatus.PENDING, StageStatus.SKIPPED, StageStatus.SKIPPED, StageStatus.PENDING,
                StageStatus.SKIPPED), states.stream().map(StageState::status).toList(),
                "planned stages should be PENDING and the others SKIPPED");
        assertEquals(StagePlan.SWITCHED_OFF, states.get(1).message(), "a switched-off stage should say why it is skipped");
        assertEquals(null, states.get(0).message(), "a pending stage has no message");
    }

    @Test
    void buildIsTheDependencyOfTestAndSastAndScaNeedsOnlyResolve() {
        assertEquals(Optional.empty(), Stage.RESOLVE.dependsOn(), "resolve depends on nothing");
        assertEquals(Optional.of("resolve"), Stage.BUILD.dependsOn(), "build depends on resolve");
        assertEquals(Optional.of("build"), Stage.TEST.dependsOn(), "test depends on build");
        assertEquals(Optional.of("build"), Stage.SAST.dependsOn(), "sast depends on build");
        assertEquals(Optional.of("resolve"), Stage.SCA.dependsOn(), "sca needs the resolved graph, not the build");
        assertEquals(Optional.empty(), Stage.SECRETS.dependsOn(), "secrets depends on nothing");
    }

    @Test
    void stagesAreFoundByIdAndNameTheirScript() {
        for (Stage s : Stage.values()) {
            assertEquals(Optional.of(s), Stage.byId(s.id()), "byId should find " + s);
            assertEquals(s.id() + ".sh", s.script(), "the script of " + s);
        }
        assertTrue(Stage.byId("deploy").isEmpty(), "an unknown id should find nothing");
        assertTrue(Stage.byId("BUILD").isEmpty(), "ids are lower case");
    }
}
