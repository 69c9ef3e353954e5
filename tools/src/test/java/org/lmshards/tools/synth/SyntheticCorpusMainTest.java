package org.lmshards.tools.synth;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SyntheticCorpusMainTest {
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();

    private int run(String... args) {
        return SyntheticCorpusMain.run(args, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
    }

    @Test
    void writesTrainAndTestFilesReproducibly(@TempDir Path dir) throws IOException {
        assertThat(run("--out", dir.resolve("a").toString(), "--mb", "0.3", "--valid-mb", "0.05", "--seed", "9")).isZero();
        assertThat(run("--out", dir.resolve("b").toString(), "--mb", "0.3", "--valid-mb", "0.05", "--seed", "9")).isZero();
        byte[] train = Files.readAllBytes(dir.resolve("a/train.csv"));
        byte[] test = Files.readAllBytes(dir.resolve("a/test.csv"));
        assertThat(train.length).isBetween(300_000, 308_192);
        assertThat(test.length).isBetween(50_000, 58_192);
        assertThat(Files.readAllBytes(dir.resolve("b/train.csv"))).isEqualTo(train);
        assertThat(Files.readAllBytes(dir.resolve("b/test.csv"))).isEqualTo(test);
        // the validation file is its own text, not a prefix of the training file
        assertThat(new String(train, 0, 2_000, StandardCharsets.UTF_8))
                .isNotEqualTo(new String(test, 0, 2_000, StandardCharsets.UTF_8));
        assertThat(GeneratedCsv.articles(test)).isNotEmpty();
        try (var files = Files.list(dir.resolve("a"))) {
            assertThat(files.map(p -> p.getFileName().toString())).containsExactlyInAnyOrder("train.csv", "test.csv");
        }
        assertThat(out.toString(StandardCharsets.UTF_8)).contains("train.csv", "test.csv");
    }

    @Test
    void validationDefaultsToATenth(@TempDir Path dir) throws IOException {
        assertThat(run("--out", dir.toString(), "--mb", "0.5")).isZero();
        assertThat(Files.size(dir.resolve("test.csv"))).isBetween(50_000L, 58_192L);
    }

    @Test
    void badCommandLinesExitWithUsageCode(@TempDir Path dir) {
        assertThat(run("--mb", "1")).isEqualTo(2);
        assertThat(run("--out", dir.toString())).isEqualTo(2);
        assertThat(run("--out", dir.toString(), "--mb", "lots")).isEqualTo(2);
        assertThat(run("--out", dir.toString(), "--mb", "-1")).isEqualTo(2);
        assertThat(run("--out", dir.toString(), "--mb", "1", "--seed", "x")).isEqualTo(2);
        assertThat(run("--out", dir.toString(), "--mb", "1", "--frobnicate")).isEqualTo(2);
        assertThat(run("--out")).isEqualTo(2);
        assertThat(err.toString(StandardCharsets.UTF_8)).contains("usage:", "unknown option: --frobnicate");
        assertThat(dir.toFile().list()).isEmpty();
    }
}
