package org.lmshards.trainer.cli;

import org.lmshards.core.ExitCode;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.OutputStream;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.lmshards.core.testing.TestData;
import org.lmshards.core.vocab.Vocabulary;
import org.lmshards.trainer.interop.AwdLstmStateDict;
import org.lmshards.trainer.interop.NpzArray;
import org.lmshards.trainer.interop.NpzFile;
import org.lmshards.trainer.model.LmNetworks;
import org.lmshards.trainer.model.StatefulLmNetwork;
import org.lmshards.trainer.testing.CliRun;
import org.lmshards.trainer.testing.WikiTextDatasets;
import org.lmshards.trainer.train.rundir.RunFiles;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * {@code export} and {@code import} on a model trained on real WikiText: numpy (and torch where
 * importable) reproduce the trainer's next-token log-probabilities from the {@code .npz} alone,
 * and importing the export gives the same model back.
 */
class ExportImportCliTest {
    /** The interpreter of the numpy check: {@code $LMSHARDS_PYTHON}, else {@code python3}. */
    private static final String PYTHON = System.getenv().getOrDefault("LMSHARDS_PYTHON", "python3");

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
        // hidden differs from emb and there are two layers, so that a transposed or misplaced tensor cannot pass
        CliRun.Result o = CliRun.run("train", "--data", data.toString(), "--out", run.toString(), "--bs", "8", "--seq-len",
                "24", "--emb", "16", "--hidden", "24", "--layers", "2", "--epochs", "1", "--lr", "1e-2", "--workers", "0",
                "--seed", "5", "--no-progress");
        assertThat(o.code()).as(o.err()).isZero();
    }

    private static Path export(String name) {
        Path npz = tmp.resolve(name);
        CliRun.Result o = CliRun.run("export", "--model", run.toString(), "--out", npz.toString());
        assertThat(o.code()).as(o.err()).isZero();
        assertThat(o.out()).contains("emb 16, hidden 24, layers 2");
        return npz;
    }

    /** Token ids of the first test.csv article, as [rows, time]. */
    private static int[][] inputIds(int rows, int time) throws IOException {
        List<String> tokens = WikiTextDatasets.tokenizedArticles(TestData.wikitextTiny().resolve("test.csv"), 1).get(0);
        int[] ids = vocab.encode(tokens);
        int[][] out = new int[rows][time];
        for (int r = 0; r < rows; r++) {
            System.arraycopy(ids, 100 + r * time, out[r], 0, time);
        }
        return out;
    }

    /** The network's next-token probabilities from a zero state: [rows, vocab, time]. */
    private static INDArray predict(StatefulLmNetwork net, int[][] ids) {
        float[][][] f = new float[ids.length][1][ids[0].length];
        for (int r = 0; r < ids.length; r++) {
            for (int t = 0; t < ids[r].length; t++) {
                f[r][0][t] = ids[r][t];
            }
        }
        net.rnnClearPreviousState();
        return net.output(Nd4j.create(f), false);
    }

    @Test
    void numpyComputesTheTrainersLogProbabilitiesFromTheNpz() throws Exception {
        assumePythonWithNumpy();
        Path npz = export("model.npz");
        int[][] ids = inputIds(3, 20);
        INDArray probs = predict(LmNetworks.load(run.resolve(RunFiles.MODEL)), ids);
        int rows = ids.length, time = ids[0].length, v = vocab.size();
        float[] idValues = new float[rows * time];
        float[] expected = new float[rows * time * v];
        for (int r = 0; r < rows; r++) {
            for (int t = 0; t < time; t++) {
                idValues[r * time + t] = ids[r][t];
                for (int k = 0; k < v; k++) {
                    expected[(r * time + t) * v + k] = (float) Math.log(probs.getDouble(r, k, t));
                }
            }
        }
        Map<String, NpzArray> testCase = new LinkedHashMap<>();
        testCase.put("ids", NpzArray.of(idValues, rows, time));
        testCase.put("expected", NpzArray.of(expected, rows, time, v));
        Path casePath = tmp.resolve("case.npz");
        try (OutputStream out = Files.newOutputStream(casePath)) {
            NpzFile.write(testCase, out);
        }
        Path resaved = tmp.resolve("resaved-by-numpy.npz");
        JsonNode r = python(script(), npz.toString(), casePath.toString(), resaved.toString());
        System.out.println("awd_lstm_forward.py: " + r); // the measured differences, for the record
        assertThat(r.get("vocab").asInt()).isEqualTo(v);
        assertThat(r.get("first_tokens").toString()).isEqualTo("[\"xxunk\",\"xxpad\",\"xxbos\"]");
        assertThat(r.get("dtypes").toString()).isEqualTo("[\"float32\"]");
        assertThat(r.get("shape").toString()).isEqualTo("[" + rows + "," + time + "," + v + "]");
        assertThat(r.get("max_abs_diff").asDouble()).isLessThan(1e-4);
        // the check is sensitive: DL4J's own gate order read as PyTorch's is far off
        assertThat(r.get("max_abs_diff_wrong_gate_order").asDouble()).isGreaterThan(1e-2);
        if (!r.get("max_abs_diff_torch").isNull()) {
            assertThat(r.get("max_abs_diff_torch").asDouble()).isLessThan(1e-4);
        }
        // a file numpy wrote itself (its zip layout, not ours) imports to the same model
        Path imported = tmp.resolve("from-numpy");
        CliRun.Result o = CliRun.run("import", "--npz", resaved.toString(), "--out", imported.toString());
        assertThat(o.code()).as(o.err()).isZero();
        assertThat(LmNetworks.load(imported.resolve(RunFiles.MODEL)).params())
                .isEqualTo(LmNetworks.load(run.resolve(RunFiles.MODEL)).params());
    }

    @Test
    void importingTheExportGivesTheSameModel() throws IOException {
        Path npz = export("roundtrip.npz");
        Path imported = tmp.resolve("imported");
        // evaluate batches as the run's config.json says: the import records the same batch geometry
        CliRun.Result o = CliRun.run("import", "--npz", npz.toString(), "--out", imported.toString(), "--bs", "8",
                "--seq-len", "24");
        assertThat(o.code()).as(o.err()).isZero();
        assertThat(o.out()).contains("emb 16, hidden 24, layers 2");
        assertThat(Vocabulary.read(imported.resolve(RunFiles.VOCAB)).itos()).isEqualTo(vocab.itos());
        StatefulLmNetwork original = LmNetworks.load(run.resolve(RunFiles.MODEL));
        StatefulLmNetwork back = LmNetworks.load(imported.resolve(RunFiles.MODEL));
        assertThat(back.params()).isEqualTo(original.params());
        int[][] ids = inputIds(2, 30);
        assertThat(predict(back, ids)).isEqualTo(predict(original, ids));
        // and the imported run directory is usable as such
        CliRun.Result a = CliRun.run("evaluate", "--model", run.toString(), "--data", data.toString(), "--json");
        CliRun.Result b = CliRun.run("evaluate", "--model", imported.toString(), "--data", data.toString(), "--json");
        assertThat(b.code()).as(b.err()).isZero();
        assertThat(b.out()).isEqualTo(a.out());
    }

    @Test
    void importNamesTheFileAndEntryOfAnIncompleteNpz() throws IOException {
        Map<String, NpzArray> arrays = NpzFile.read(export("full.npz"));
        arrays.remove(AwdLstmStateDict.biasIh(1));
        Path broken = tmp.resolve("broken.npz");
        try (OutputStream out = Files.newOutputStream(broken)) {
            NpzFile.write(arrays, out);
        }
        CliRun.Result o = CliRun.run("import", "--npz", broken.toString(), "--out", tmp.resolve("nope").toString());
        assertThat(o.code()).isEqualTo(ExitCode.BAD_INPUT);
        assertThat(o.err()).contains(broken.toString()).contains("0.rnns.1.module.bias_ih_l0").contains("missing");
        assertThat(tmp.resolve("nope").resolve(RunFiles.MODEL)).doesNotExist();
    }

    @Test
    void importRefusesShapeOptionsThatContradictTheFile() {
        Path npz = export("shape.npz");
        CliRun.Result o = CliRun.run("import", "--npz", npz.toString(), "--out", tmp.resolve("shape").toString(),
                "--emb", "32");
        assertThat(o.code()).isEqualTo(ExitCode.USAGE);
        assertThat(o.err()).contains("emb 32, hidden 24, layers 2").contains("emb 16, hidden 24, layers 2");
    }

    private static Path script() throws URISyntaxException {
        return Path.of(ExportImportCliTest.class.getResource("awd_lstm_forward.py").toURI());
    }

    private static void assumePythonWithNumpy() {
        boolean ok;
        try {
            Process p = new ProcessBuilder(PYTHON, "-c", "import numpy").redirectErrorStream(true).start();
            p.getInputStream().readAllBytes();
            ok = p.waitFor() == 0;
        } catch (IOException | InterruptedException e) {
            ok = false;
        }
        assumeTrue(ok, PYTHON + " with numpy is not available");
    }

    private static JsonNode python(Path script, String... args) throws IOException, InterruptedException {
        List<String> cmd = new java.util.ArrayList<>(List.of(PYTHON, script.toString()));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).start();
        byte[] out = p.getInputStream().readAllBytes();
        String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor()).as("%s failed: %s", script.getFileName(), err).isZero();
        return new com.fasterxml.jackson.databind.ObjectMapper().readTree(out);
    }
}
