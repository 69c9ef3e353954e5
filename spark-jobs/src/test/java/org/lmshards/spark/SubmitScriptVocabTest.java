package org.lmshards.spark;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.lmshards.core.testing.TestData;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code ./submit.sh} passes conf/job.conf's {@code min-freq} and {@code max-vocab} as options
 * unless the command line gives them; with {@code --vocab} it must leave them out, or the job
 * would refuse its own defaults. Runs a copy of the script with a stand-in {@code spark-submit}
 * that prints the arguments it was given.
 */
class SubmitScriptVocabTest {
    @TempDir
    Path tmp;

    private List<String> jobArgs(String... args) throws IOException, InterruptedException {
        Path root = TestData.projectRoot();
        Path copy = Files.createDirectories(tmp.resolve("root"));
        Files.copy(root.resolve("submit.sh"), copy.resolve("submit.sh"), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        Path target = Files.createDirectories(copy.resolve("spark-jobs/target"));
        Files.writeString(target.resolve("lmshards-spark.jar"), "");         // present: no build
        Files.writeString(target.resolve("spark-classpath.txt"), "");
        Path sparkSubmit = Files.createDirectories(tmp.resolve("spark/bin")).resolve("spark-submit");
        Files.writeString(sparkSubmit, "#!/usr/bin/env bash\nprintf '%s\\n' \"$@\"\n");
        Files.setPosixFilePermissions(sparkSubmit, PosixFilePermissions.fromString("rwx------"));

        List<String> cmd = new ArrayList<>(List.of("bash", copy.resolve("submit.sh").toString()));
        cmd.addAll(List.of(args));
        // Output to files, not a pipe read to its end: reading a pipe blocks until the script and every
        // child holding it exit, so the timeout below never applied (issue 25).
        Path stdout = tmp.resolve("stdout.txt");
        Path stderr = tmp.resolve("stderr.txt");
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectOutput(stdout.toFile()).redirectError(stderr.toFile());
        pb.environment().put("SPARK_HOME", tmp.resolve("spark").toString());
        pb.environment().put("LMSHARDS_CONF_DIR", root.resolve("conf").toString());
        pb.environment().remove("LMSHARDS_LOCAL");
        Process p = pb.start();
        if (!p.waitFor(5, TimeUnit.MINUTES)) {
            p.descendants().forEach(ProcessHandle::destroyForcibly);
            p.destroyForcibly();
            throw new AssertionError("submit.sh did not finish; stderr:\n" + Files.readString(stderr));
        }
        String out = Files.readString(stdout, StandardCharsets.UTF_8);
        assertThat(p.exitValue()).as(out + Files.readString(stderr)).isZero();
        List<String> all = out.lines().toList();
        // What follows the application jar is the job's command line.
        return all.subList(all.indexOf(target.resolve("lmshards-spark.jar").toString()) + 1, all.size());
    }

    @Test
    void jobConfVocabularyDefaultsAreLeftOutWithVocab() throws IOException, InterruptedException {
        List<String> plain = jobArgs("--train", "in.csv", "--output", "out");
        assertThat(plain).containsSequence("--min-freq", "3").containsSequence("--max-vocab", "60000").contains("--shard-tokens");

        for (List<String> vocab : List.of(List.of("--vocab", "v/vocab.json"), List.of("--vocab=v/vocab.json"))) {
            List<String> args = new ArrayList<>(vocab);
            args.addAll(List.of("--train", "in.csv", "--output", "out"));
            assertThat(jobArgs(args.toArray(new String[0]))).as("%s", vocab)
                    .doesNotContain("--min-freq", "--max-vocab").contains("--shard-tokens", "--on-bad-row");
        }
        // Given on the command line they still reach the job, which refuses them.
        assertThat(jobArgs("--vocab", "v/vocab.json", "--min-freq", "2", "--train", "in.csv", "--output", "out"))
                .containsSequence("--min-freq", "2").doesNotContain("--max-vocab");
    }
}
