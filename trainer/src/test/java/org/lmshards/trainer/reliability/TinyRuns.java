package org.lmshards.trainer.reliability;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

import org.lmshards.core.shard.DatasetWriter;
import org.lmshards.core.shard.SourceFile;
import org.lmshards.core.shard.SplitWriter;
import org.lmshards.core.vocab.Vocabulary;
import org.lmshards.trainer.cli.LmShardsCli;
import picocli.CommandLine;

/**
 * What the reliability tests share: a small synthetic dataset with learnable structure, the
 * arguments of a tiny model's {@code train} (2.6 k parameters, a few seconds an epoch), and the
 * CLI run in this JVM with its exit code and both outputs captured.
 */
final class TinyRuns {
    private TinyRuns() {
    }

    /** Exit code, standard output and error output of one CLI run. */
    record Result(int code, String out, String err) {
    }

    /** Runs the CLI in this JVM (the trainer prints to System.out, errors go to the command line's err). */
    static synchronized Result cli(List<String> args) {
        StringWriter err = new StringWriter();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        PrintStream old = System.out;
        int code;
        try (PrintStream o = new PrintStream(out, true, StandardCharsets.UTF_8)) {
            System.setOut(o);
            CommandLine cl = LmShardsCli.commandLine();
            cl.setOut(new PrintWriter(o, true));
            cl.setErr(new PrintWriter(err, true));
            code = cl.execute(args.toArray(new String[0]));
        } finally {
            System.setOut(old);
        }
        return new Result(code, out.toString(StandardCharsets.UTF_8), err.toString());
    }

    /** {@code train} of the tiny model (bs 4, seq-len 12, emb 8, hidden 12, 2 layers, seed 7) with {@code extra} options. */
    static List<String> train(Path data, Path out, String... extra) {
        List<String> a = new ArrayList<>(List.of("train", "--data", data.toString(), "--out", out.toString(), "--bs",
                "4", "--seq-len", "12", "--emb", "8", "--hidden", "12", "--layers", "2", "--seed", "7", "--no-progress"));
        a.addAll(List.of(extra));
        return a;
    }

    /** The dataset most tests train on: 2,000 train tokens in documents of 40, four valid documents of 60. */
    static Path writeDataset(Path dir) throws IOException {
        writeDataset(dir, 2_000, 40, 60);
        return dir;
    }

    /** A dataset of {@code tokens} pseudo-random ids in documents of about {@code docLen} tokens, plus a small valid split. */
    static void writeDataset(Path dir, int tokens, int docLen, int validDocLen) throws IOException {
        Map<String, Long> counts = new HashMap<>();
        for (int i = 0; i < 40; i++) {
            counts.put("w" + i, 100L - i);
        }
        Vocabulary vocab = Vocabulary.build(counts, 1, 1000);
        SplittableRandom rnd = new SplittableRandom(11);
        try (DatasetWriter w = DatasetWriter.create(dir, vocab, 100_000)) {
            SplitWriter train = w.split("train");
            for (int done = 0; done < tokens; done += docLen) {
                train.addDocument(doc(rnd, docLen, vocab.size()));
            }
            SplitWriter valid = w.split("valid");
            for (int d = 0; d < 4; d++) {
                valid.addDocument(doc(rnd, validDocLen, vocab.size()));
            }
            w.commit(Map.of("name", "test"), SourceFile.fingerprint(List.of()), Map.of());
        }
    }

    /** A document with learnable structure: mostly id = previous + 1, sometimes a random jump. */
    private static int[] doc(SplittableRandom rnd, int len, int vocabSize) {
        int[] d = new int[len];
        d[0] = 2; // xxbos
        for (int i = 1; i < len; i++) {
            d[i] = rnd.nextInt(8) == 0 ? 9 + rnd.nextInt(vocabSize - 9) : 9 + Math.floorMod(d[i - 1] - 9 + 1, vocabSize - 9);
        }
        return d;
    }
}
