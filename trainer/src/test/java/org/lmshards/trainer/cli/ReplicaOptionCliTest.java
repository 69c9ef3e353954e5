package org.lmshards.trainer.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.lmshards.core.ExitCode;
import org.lmshards.trainer.testing.CliRun;
import org.lmshards.trainer.testing.WikiTextDatasets;
import org.lmshards.trainer.train.rundir.SnakeCaseJson;
import org.lmshards.trainer.train.rundir.RunFiles;

/** {@code --replicas} of train, evaluate and lr-find, on a small real WikiText dataset. */
class ReplicaOptionCliTest {
    @TempDir
    static Path tmp;
    static Path data;
    static Path run;

    @BeforeAll
    static void trainWithThreeReplicas() throws IOException {
        data = tmp.resolve("data");
        WikiTextDatasets.build(data, 3, 1, 2);
        run = tmp.resolve("run");
        CliRun.Result o = CliRun.run("train", "--data", data.toString(), "--out", run.toString(), "--bs", "8", "--seq-len", "24",
                "--emb", "16", "--hidden", "32", "--layers", "1", "--epochs", "1", "--lr", "1e-2", "--workers", "0",
                "--seed", "3", "--no-progress", "--replicas", "3");
        assertThat(o.code()).as(o.err()).isZero();
    }

    @Test
    void evaluateWithReplicasGivesTheLossOfOneReplicaAndOfTraining() throws IOException {
        JsonNode one = SnakeCaseJson.MAPPER.readTree(CliRun.run("evaluate", "--model", run.toString(), "--data", data.toString(),
                "--json", "--replicas", "1").out());
        CliRun.Result four = CliRun.run("evaluate", "--model", run.toString(), "--data", data.toString(), "--json",
                "--replicas", "4");
        assertThat(four.code()).as(four.err()).isZero();
        double a = one.get("loss").asDouble(), b = SnakeCaseJson.MAPPER.readTree(four.out()).get("loss").asDouble();
        assertThat(Math.abs(a - b) / a).isLessThan(1e-6);
        List<String> metrics = Files.readAllLines(run.resolve(RunFiles.METRICS));
        double trained = SnakeCaseJson.MAPPER.readTree(metrics.get(0)).get("valid_loss").asDouble();
        assertThat(Math.abs(trained - a) / a).isLessThan(1e-6);
    }

    @Test
    void lrFindRunsWithReplicas() {
        CliRun.Result o = CliRun.run("lr-find", "--data", data.toString(), "--out", tmp.resolve("lr").toString(), "--bs", "8",
                "--seq-len", "24", "--emb", "16", "--hidden", "32", "--layers", "1", "--iterations", "12", "--replicas", "2");
        assertThat(o.code()).as(o.err()).isZero();
        assertThat(tmp.resolve("lr").resolve("lr_find.jsonl")).isRegularFile();
    }

    @Test
    void aBadReplicaCountIsOneUsageError() {
        for (String bad : List.of("0", "-2", "9", "two", "")) {
            CliRun.Result r = CliRun.run("train", "--data", data.toString(), "--out", tmp.resolve("bad").toString(), "--bs", "8",
                    "--replicas", bad);
            assertThat(r.code()).as(bad).isEqualTo(ExitCode.USAGE);
            List<String> lines = r.err().lines().toList();
            assertThat(lines.get(0)).as(bad).startsWith("error: --replicas").contains(bad);
            assertThat(lines).as(bad).hasSizeLessThanOrEqualTo(2);
        }
        CliRun.Result tooMany = CliRun.run("evaluate", "--model", run.toString(), "--data", data.toString(), "--replicas", "9");
        assertThat(tooMany.code()).isEqualTo(ExitCode.USAGE);
        assertThat(tooMany.err()).contains("more than the batch size 8");
        assertThat(tmp.resolve("bad")).doesNotExist();
    }

    @Test
    void autoTakesOneReplicaPerCoreAndLeavesEachEnoughRows() {
        assertThat(ReplicaOption.auto(64, 2)).isEqualTo(2);
        assertThat(ReplicaOption.auto(64, 16)).isEqualTo(64 / ReplicaOption.MIN_ROWS_PER_REPLICA);
        assertThat(ReplicaOption.auto(8, 16)).isEqualTo(1);
        assertThat(ReplicaOption.auto(4, 16)).isEqualTo(1);
        assertThat(ReplicaOption.auto(64, 1)).isEqualTo(1);
    }
}
