package org.lmshards.trainer.cli;

import org.lmshards.core.ExitCode;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.lmshards.core.tokenize.SpecialTokens;
import org.lmshards.core.vocab.Vocabulary;
import org.lmshards.trainer.generate.TextGenerator;
import org.lmshards.trainer.model.LmNetworks;
import org.lmshards.trainer.testing.CliRun;
import org.lmshards.trainer.testing.WikiTextDatasets;
import org.lmshards.trainer.train.rundir.SnakeCaseJson;
import org.lmshards.trainer.train.rundir.RunFiles;

/** train, evaluate and generate end to end on a small real WikiText dataset, through the CLI. */
class TrainEvaluateGenerateCliTest {
    @TempDir
    static Path tmp;
    static Path data;
    static Path run;
    static Vocabulary vocab;

    @BeforeAll
    static void trainTinyModel() throws IOException {
        data = tmp.resolve("data");
        vocab = WikiTextDatasets.build(data, 3, 1, 2);
        run = tmp.resolve("run");
        CliRun.Result o = CliRun.run("train", "--data", data.toString(), "--out", run.toString(), "--bs", "8", "--seq-len", "24",
                "--emb", "16", "--hidden", "32", "--layers", "1", "--epochs", "2", "--lr", "1e-2", "--workers", "0",
                "--seed", "3", "--no-progress");
        assertThat(o.code()).as(o.err()).isZero();
    }

    @Test
    void runDirectoryHoldsModelVocabConfigAndMetrics() throws IOException {
        for (String f : List.of(RunFiles.MODEL, RunFiles.VOCAB, RunFiles.CONFIG, RunFiles.METRICS, RunFiles.STEPS,
                RunFiles.CHECKPOINT)) {
            assertThat(run.resolve(f)).isRegularFile();
        }
        assertThat(Vocabulary.read(run.resolve(RunFiles.VOCAB))).isEqualTo(vocab);
        JsonNode config = SnakeCaseJson.MAPPER.readTree(run.resolve(RunFiles.CONFIG).toFile());
        assertThat(config.at("/model/emb").asInt()).isEqualTo(16);
        assertThat(config.at("/model/vocab_size").asInt()).isEqualTo(vocab.size());
        assertThat(config.at("/seq_len").asInt()).isEqualTo(24);
        List<String> metrics = Files.readAllLines(run.resolve(RunFiles.METRICS));
        assertThat(metrics).hasSize(2);
        JsonNode first = SnakeCaseJson.MAPPER.readTree(metrics.get(0)), second = SnakeCaseJson.MAPPER.readTree(metrics.get(1));
        assertThat(second.get("train_loss").asDouble()).isLessThan(first.get("train_loss").asDouble());
        // learnt something: well below a uniform guess over the vocabulary
        assertThat(second.get("valid_loss").asDouble()).isLessThan(Math.log(vocab.size()) - 0.5);
    }

    @Test
    void evaluateEqualsTheValidLossTrainReported() throws IOException {
        CliRun.Result o = CliRun.run("evaluate", "--model", run.toString(), "--data", data.toString(), "--json");
        assertThat(o.code()).as(o.err()).isZero();
        JsonNode r = SnakeCaseJson.MAPPER.readTree(o.out());
        List<String> metrics = Files.readAllLines(run.resolve(RunFiles.METRICS));
        JsonNode last = SnakeCaseJson.MAPPER.readTree(metrics.get(metrics.size() - 1));
        assertThat(r.get("loss").asDouble()).isEqualTo(last.get("valid_loss").asDouble());
        assertThat(r.get("perplexity").asDouble()).isEqualTo(last.get("valid_perplexity").asDouble());
        CliRun.Result text = CliRun.run("evaluate", "--model", run.toString(), "--data", data.toString());
        assertThat(text.out()).startsWith("valid: loss ").contains("perplexity");
    }

    @Test
    void generateIsReproducibleBySeedAndUsesOnlyVocabularyTokens() throws IOException {
        CliRun.Result a = CliRun.run("generate", "--model", run.toString(), "--prompt", "The album was released in", "--tokens", "30",
                "--seed", "5");
        CliRun.Result b = CliRun.run("generate", "--model", run.toString(), "--prompt", "The album was released in", "--tokens", "30",
                "--seed", "5");
        CliRun.Result c = CliRun.run("generate", "--model", run.toString(), "--prompt", "The album was released in", "--tokens", "30",
                "--seed", "6", "--temperature", "1.5");
        assertThat(a.code()).as(a.err()).isZero();
        assertThat(a.out()).isEqualTo(b.out()).startsWith("The album was released in").isNotEqualTo(c.out());
        assertThat(a.out().strip().length()).isGreaterThan("The album was released in".length() + 20);

        TextGenerator g = new TextGenerator(LmNetworks.load(run.resolve(RunFiles.MODEL)), vocab);
        TextGenerator.Generation gen = g.generate("The album was released in", 40, 0.8, 5);
        assertThat(gen.generatedTokens()).hasSize(40);
        assertThat(vocab.itos()).containsAll(gen.generatedTokens());
        assertThat(gen.generatedTokens()).doesNotContain(SpecialTokens.UNK, SpecialTokens.PAD);
        assertThat(gen.promptTokens().get(0)).isEqualTo(SpecialTokens.BOS);
    }

    @Test
    void aDatasetWithAnotherVocabularyIsRefused() throws IOException {
        Path other = tmp.resolve("other-vocab");
        Vocabulary v2 = WikiTextDatasets.build(other, 3, 1, 1);
        assertThat(v2.size()).isNotEqualTo(vocab.size());
        CliRun.Result e = CliRun.run("evaluate", "--model", run.toString(), "--data", other.toString());
        assertThat(e.code()).isEqualTo(ExitCode.BAD_INPUT);
        assertThat(e.err()).contains(other.toString()).contains("vocabulary size " + v2.size())
                .contains(String.valueOf(vocab.size()));
        CliRun.Result r = CliRun.run("train", "--resume", "--out", run.toString(), "--data", other.toString(), "--epochs", "3");
        assertThat(r.code()).isEqualTo(ExitCode.BAD_INPUT);
        assertThat(r.err()).contains("vocabulary size");
    }

    @Test
    void aCorruptDatasetIsRefusedNamingTheFile() throws IOException {
        Path corrupt = tmp.resolve("corrupt");
        WikiTextDatasets.build(corrupt, 3, 1, 2);
        Path shard = corrupt.resolve("valid").resolve("tokens-00000.npy");
        try (FileChannel ch = FileChannel.open(shard, StandardOpenOption.WRITE)) {
            ch.truncate(ch.size() - 10);
        }
        CliRun.Result e = CliRun.run("evaluate", "--model", run.toString(), "--data", corrupt.toString());
        assertThat(e.code()).isEqualTo(ExitCode.BAD_INPUT);
        assertThat(e.err()).contains("tokens-00000.npy");

        Path incomplete = tmp.resolve("incomplete");
        WikiTextDatasets.build(incomplete, 3, 1, 2);
        Files.delete(incomplete.resolve("_SUCCESS"));
        CliRun.Result t = CliRun.run("train", "--data", incomplete.toString(), "--out", tmp.resolve("run2").toString());
        assertThat(t.code()).isEqualTo(ExitCode.BAD_INPUT);
        assertThat(t.err()).contains("_SUCCESS");
    }

    @Test
    void trainRefusesToOverwriteARunAndBadOptionsAreUsageErrors() {
        CliRun.Result o = CliRun.run("train", "--data", data.toString(), "--out", run.toString(), "--epochs", "1");
        assertThat(o.code()).isEqualTo(ExitCode.USAGE);
        assertThat(o.err()).contains("--resume");
        CliRun.Result bad = CliRun.run("train", "--data", data.toString(), "--out", tmp.resolve("x").toString(), "--input-p", "1.5");
        assertThat(bad.code()).isEqualTo(ExitCode.USAGE);
        assertThat(bad.err()).contains("dropout");
    }

    /** Issue 15 item 2: the cause and a pointer to --help, not the 50-line usage under which it scrolls away. */
    @Test
    void aBadValueOrASemanticErrorIsOneMessageAndAPointerToHelpWithoutTheUsage() {
        CliRun.Result typed = CliRun.run("train", "--data", data.toString(), "--out", tmp.resolve("y").toString(), "--bs", "sixteen");
        CliRun.Result held = CliRun.run("train", "--data", data.toString(), "--out", run.toString());
        CliRun.Result noCheckpoint = CliRun.run("train", "--resume", "--out", tmp.resolve("never-trained").toString());
        for (CliRun.Result r : List.of(typed, held, noCheckpoint)) {
            assertThat(r.code()).isEqualTo(ExitCode.USAGE);
            assertThat(r.err()).doesNotContain("Usage:").doesNotContain("--seq-len")
                    .endsWith("Run 'trainer.jar train --help' for the options." + System.lineSeparator());
            assertThat(r.err().lines()).hasSizeLessThanOrEqualTo(3);
        }
        assertThat(typed.err()).startsWith("error: ").contains("sixteen").contains("--bs");
        assertThat(held.err()).startsWith("error: " + run + " already holds a run");
        assertThat(noCheckpoint.err()).contains("checkpoint.zip does not exist");
        // a mistyped option still gets picocli's suggestion
        CliRun.Result typo = CliRun.run("train", "--data", data.toString(), "--out", tmp.resolve("y").toString(), "--epoch", "2");
        assertThat(typo.code()).isEqualTo(ExitCode.USAGE);
        assertThat(typo.err()).contains("--epoch").contains("--epochs").doesNotContain("Usage:");
    }

    /** Issue 15 item 3: a --model folder that is not there is named as such; the model.zip file is taken for its folder. */
    @Test
    void aMissingModelFolderIsNamedAndTheModelZipStandsForItsFolder() {
        Path nope = tmp.resolve("runs").resolve("nope");
        for (String command : List.of("evaluate", "generate")) {
            CliRun.Result r = command.equals("evaluate") ? CliRun.run(command, "--model", nope.toString(), "--data", data.toString())
                    : CliRun.run(command, "--model", nope.toString(), "--prompt", "The");
            assertThat(r.code()).isEqualTo(ExitCode.BAD_INPUT);
            assertThat(r.err()).startsWith("error: " + nope + ": no such directory").doesNotContain("did training finish");
        }
        CliRun.Result byFolder = CliRun.run("generate", "--model", run.toString(), "--prompt", "The album", "--tokens", "10");
        CliRun.Result byFile = CliRun.run("generate", "--model", run.resolve(RunFiles.MODEL).toString(), "--prompt", "The album",
                "--tokens", "10");
        assertThat(byFile.code()).as(byFile.err()).isZero();
        assertThat(byFile.out()).isEqualTo(byFolder.out());
        CliRun.Result otherFile = CliRun.run("generate", "--model", run.resolve(RunFiles.CONFIG).toString(), "--prompt", "The");
        assertThat(otherFile.code()).isEqualTo(ExitCode.BAD_INPUT);
        assertThat(otherFile.err()).contains("pass the directory holding model.zip");
    }

    /** Issue 24 item 4: one command a scheduler reruns: it starts the run, resumes it, then reports it complete. */
    @Test
    void resumeAutoStartsResumesAndThenReportsTheRunComplete() throws IOException {
        Path auto = tmp.resolve("auto");
        String[] first = {"train", "--resume", "auto", "--data", data.toString(), "--out", auto.toString(), "--bs", "8",
                "--seq-len", "24", "--emb", "16", "--hidden", "24", "--layers", "1", "--epochs", "1", "--seed", "3", "--no-progress"};
        CliRun.Result start = CliRun.run(first);
        assertThat(start.code()).as(start.err()).isZero();
        assertThat(Files.readAllLines(auto.resolve(RunFiles.METRICS))).hasSize(1);

        String[] more = first.clone();
        more[more.length - 4] = "2";   // --epochs 2: the same command with a larger total resumes
        assertThat(more[more.length - 5]).isEqualTo("--epochs");
        CliRun.Result resumed = CliRun.run(more);
        assertThat(resumed.code()).as(resumed.err()).isZero();
        assertThat(Files.readAllLines(auto.resolve(RunFiles.METRICS))).hasSize(2);
        byte[] model = Files.readAllBytes(auto.resolve(RunFiles.MODEL));

        CliRun.Result complete = CliRun.run(more);
        assertThat(complete.code()).as(complete.err()).isZero();
        assertThat(complete.out()).contains(auto + " is complete: it has trained all 2 epoch(s)");
        assertThat(Files.readAllBytes(auto.resolve(RunFiles.MODEL))).isEqualTo(model);

        CliRun.Result bad = CliRun.run("train", "--resume", "sometimes", "--out", tmp.resolve("x").toString());
        assertThat(bad.code()).isEqualTo(2);
        assertThat(bad.err()).contains("--resume takes no value or 'auto', got 'sometimes'");
    }

    /** Issue 15 item 3: --resume of a finished run says so and how to train more, and changes nothing. */
    @Test
    void resumingACompleteRunSaysItIsCompleteAndHowToTrainMoreAndTouchesNothing() throws IOException {
        Path copy = tmp.resolve("complete");
        Files.createDirectories(copy);
        for (String f : List.of(RunFiles.MODEL, RunFiles.VOCAB, RunFiles.CONFIG, RunFiles.METRICS, RunFiles.STEPS,
                RunFiles.CHECKPOINT)) {
            Files.copy(run.resolve(f), copy.resolve(f));
        }
        byte[] metricsBefore = Files.readAllBytes(copy.resolve(RunFiles.METRICS));
        byte[] stepsBefore = Files.readAllBytes(copy.resolve(RunFiles.STEPS));
        CliRun.Result r = CliRun.run("train", "--resume", "--out", copy.toString(), "--no-progress");
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(r.out()).contains(copy + " is complete: it has trained all 2 epoch(s)")
                .contains("train --resume --out " + copy + " --epochs 3").doesNotContain("resuming");
        assertThat(Files.readAllBytes(copy.resolve(RunFiles.METRICS))).isEqualTo(metricsBefore);
        assertThat(Files.readAllBytes(copy.resolve(RunFiles.STEPS))).isEqualTo(stepsBefore);
    }

    @Test
    void aNamedValidSplitThatDoesNotExistIsAUsageErrorBeforeTraining() {
        Path out = tmp.resolve("typo");
        CliRun.Result o = CliRun.run("train", "--data", data.toString(), "--out", out.toString(), "--bs", "8", "--seq-len", "24",
                "--emb", "16", "--hidden", "32", "--layers", "1", "--workers", "0", "--valid-split", "vaild", "--no-progress");
        assertThat(o.code()).isEqualTo(2);
        assertThat(o.err()).contains("--valid-split vaild").contains("no such split").contains("valid");
        assertThat(out.resolve(RunFiles.CHECKPOINT)).doesNotExist();
    }
}
