package org.lmshards.trainer.train.rundir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The start decision without training: what each --resume form does with and without a checkpoint. */
class ResumePlanTest {
    @TempDir
    Path run;

    @Test
    void withoutResumeARunStartsAndOnlyIntoADirectoryWithoutOne() throws Exception {
        ResumePlan plan = ResumePlan.of(null, run);
        assertThat(plan.mayStartNewRun()).isTrue();
        assertThat(plan.decide()).isEqualTo(ResumePlan.Start.FRESH);
        plan.requireNoRun();
        Files.writeString(run.resolve(RunFiles.MODEL), "");
        assertThatThrownBy(plan::requireNoRun).isInstanceOf(IllegalArgumentException.class)
                .hasMessage(run + " already holds a run; pass --resume to continue it, or choose another --out");
    }

    @Test
    void resumeAlwaysResumesAndNeedsTheCheckpoint() {
        ResumePlan plan = ResumePlan.of(ResumePlan.CHECKPOINT_VALUE, run);
        assertThat(plan.mayStartNewRun()).isFalse();
        assertThat(plan.decide()).isEqualTo(ResumePlan.Start.RESUME);
        assertThatThrownBy(plan::requireCheckpoint).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("--resume: " + run.resolve(RunFiles.CHECKPOINT) + " does not exist");
    }

    @Test
    void resumeAutoResumesOnlyWhenThereIsACheckpoint() throws Exception {
        ResumePlan plan = ResumePlan.of("auto", run);
        assertThat(plan.mayStartNewRun()).isTrue();
        assertThat(plan.decide()).isEqualTo(ResumePlan.Start.FRESH);
        Files.writeString(run.resolve(RunFiles.CHECKPOINT), "");
        assertThat(plan.mayStartNewRun()).isFalse();
        assertThat(plan.decide()).isEqualTo(ResumePlan.Start.RESUME);
        plan.requireCheckpoint();
    }

    @Test
    void anyOtherValueIsRefused() {
        assertThatThrownBy(() -> ResumePlan.of("sometimes", run)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("--resume takes no value or 'auto', got 'sometimes'");
    }
}
