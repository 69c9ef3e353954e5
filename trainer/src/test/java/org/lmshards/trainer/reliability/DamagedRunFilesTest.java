package org.lmshards.trainer.reliability;

import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.lmshards.core.io.LocalFiles;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Issue 18 item 7 (trainer): a damaged {@code model.zip} or {@code config.json} is refused by
 * {@code evaluate}, {@code generate} and {@code train --resume} with exit 3 and a message that
 * names the file.
 */
class DamagedRunFilesTest {
    @TempDir
    static Path shared;
    static Path data;
    static Path good;

    @TempDir
    Path tmp;

    @BeforeAll
    static void trainAGoodRun() throws Exception {
        data = shared.resolve("ds");
        TinyRuns.writeDataset(data);
        good = shared.resolve("good");
        TinyRuns.Result r = TinyRuns.cli(RunDirectoryLockTest.trainArgs(data, good, "1"));
        assertThat(r.code()).as(r.err()).isZero();
    }

    private Path copyOfTheRun() throws Exception {
        Path run = tmp.resolve("run");
        Files.createDirectories(run);
        for (String f : List.of("model.zip", "config.json", "vocab.json", "checkpoint.zip")) {
            Files.copy(good.resolve(f), run.resolve(f));
        }
        return run;
    }

    private static TinyRuns.Result evaluate(Path run) {
        return TinyRuns.cli(List.of("evaluate", "--model", run.toString(), "--data", data.toString()));
    }

    private static TinyRuns.Result generate(Path run) {
        return TinyRuns.cli(List.of("generate", "--model", run.toString(), "--prompt", "w1", "--tokens", "2"));
    }

    private static void assertRefused(TinyRuns.Result r, Path file, String problem) {
        assertThat(r.code()).as(r.err()).isEqualTo(3);
        assertThat(r.err()).startsWith("error: " + file + ": " + problem);
        assertThat(r.err().lines()).as("one line, no stack trace").hasSize(1);
    }

    @Test
    void aTruncatedModelZipIsBadInputNamingIt() throws Exception {
        Path run = copyOfTheRun();
        Path model = run.resolve("model.zip");
        try (FileChannel ch = FileChannel.open(model, StandardOpenOption.WRITE)) {
            ch.truncate(ch.size() / 2);
        }
        assertRefused(evaluate(run), model, "damaged model.zip");
        assertRefused(generate(run), model, "damaged model.zip");
    }

    @Test
    void aModelZipThatIsNoZipOrHasNoModelIsBadInputNamingIt() throws Exception {
        Path run = copyOfTheRun();
        Path model = run.resolve("model.zip");
        Files.writeString(model, "not a zip at all");
        assertRefused(evaluate(run), model, "damaged model.zip");
        // a valid zip without DL4J's entries
        try (java.util.zip.ZipOutputStream zip = new java.util.zip.ZipOutputStream(Files.newOutputStream(model))) {
            zip.putNextEntry(new java.util.zip.ZipEntry("notes.txt"));
            zip.write("no model here".getBytes(java.nio.charset.StandardCharsets.UTF_8));
            zip.closeEntry();
        }
        assertRefused(generate(run), model, "damaged model.zip");
    }

    @Test
    void aMissingModelZipIsBadInputNamingIt() throws Exception {
        Path run = copyOfTheRun();
        Files.delete(run.resolve("model.zip"));
        assertRefused(evaluate(run), run.resolve("model.zip"), "model.zip missing (did training finish?)");
        // named as the file (issue 15 item 3): the same answer, not "no such directory"
        TinyRuns.Result byFile = TinyRuns.cli(List.of("generate", "--model", run.resolve("model.zip").toString(),
                "--prompt", "The"));
        assertRefused(byFile, run.resolve("model.zip"), "model.zip missing (did training finish?)");
    }

    @Test
    void aCutOrMissingConfigJsonIsBadInputNamingIt() throws Exception {
        Path run = copyOfTheRun();
        Path config = run.resolve("config.json");
        byte[] bytes = Files.readAllBytes(config);
        Files.write(config, java.util.Arrays.copyOf(bytes, bytes.length / 2));
        assertRefused(evaluate(run), config, "malformed config.json");
        assertRefused(generate(run), config, "malformed config.json");
        TinyRuns.Result resume = TinyRuns.cli(List.of("train", "--resume", "--out", run.toString(),
                "--epochs", "2", "--no-progress"));
        assertRefused(resume, config, "malformed config.json");

        Files.writeString(config, "{\"model\": 7}");
        assertRefused(evaluate(run), config, "malformed config.json");
        Files.delete(config);
        assertRefused(evaluate(run), config, "config.json missing");
        LocalFiles.deleteRecursively(run);
    }

    @Test
    void aCutVocabJsonIsBadInputNamingIt() throws Exception {
        Path run = copyOfTheRun();
        Path vocab = run.resolve("vocab.json");
        byte[] bytes = Files.readAllBytes(vocab);
        Files.write(vocab, java.util.Arrays.copyOf(bytes, bytes.length / 2));
        assertRefused(evaluate(run), vocab, "malformed vocab.json");
    }

    @Test
    void aCheckpointMissingAnEntryIsBadInputNamingIt() throws Exception {
        Path run = copyOfTheRun();
        Path checkpoint = run.resolve("checkpoint.zip");
        Files.delete(run.resolve("model.zip"));
        // the same zip without its parameters
        Path copy = tmp.resolve("full.zip");
        Files.move(checkpoint, copy);
        try (java.util.zip.ZipInputStream in = new java.util.zip.ZipInputStream(Files.newInputStream(copy));
             java.util.zip.ZipOutputStream out = new java.util.zip.ZipOutputStream(Files.newOutputStream(checkpoint))) {
            for (java.util.zip.ZipEntry e; (e = in.getNextEntry()) != null; ) {
                if (!e.getName().equals("coefficients.bin")) {
                    out.putNextEntry(new java.util.zip.ZipEntry(e.getName()));
                    out.write(in.readAllBytes());
                    out.closeEntry();
                }
            }
        }
        TinyRuns.Result r = TinyRuns.cli(List.of("train", "--resume", "--out", run.toString(),
                "--epochs", "2", "--no-progress"));
        assertRefused(r, checkpoint, "damaged checkpoint, entry coefficients.bin missing");
    }
}
