package org.lmshards.trainer.reliability;

import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.lmshards.core.ExitCode;
import org.lmshards.trainer.interop.NpzArray;
import org.lmshards.trainer.interop.NpzFile;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Issue 25 item 2: {@code import} refuses a {@code .npz} whose tensors hold NaN or infinite
 * values (exit 3, naming the file and the tensor) instead of making a run whose every perplexity
 * is NaN; nothing is written.
 */
class ImportRefusalTest {
    @TempDir
    static Path shared;
    static Path npz;

    @TempDir
    Path tmp;

    @BeforeAll
    static void exportATinyModel() throws Exception {
        Path data = shared.resolve("ds");
        TinyRuns.writeDataset(data);
        Path run = shared.resolve("run");
        TinyRuns.Result r = TinyRuns.cli(OutputOwnershipTest.train(data, run));
        assertThat(r.code()).as(r.err()).isZero();
        npz = shared.resolve("model.npz");
        TinyRuns.Result e = TinyRuns.cli(List.of("export", "--model", run.toString(), "--out", npz.toString()));
        assertThat(e.code()).as(e.err()).isZero();
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"NaN", "Infinity", "-Infinity"})
    void aNonFiniteTensorIsRefusedNamingIt(String value) throws Exception {
        Map<String, NpzArray> arrays = new LinkedHashMap<>(NpzFile.read(npz));
        String tensor = "0.rnns.1.module.weight_ih_l0";
        NpzArray a = arrays.get(tensor);
        assertThat(a).as("exported tensors: %s", arrays.keySet()).isNotNull();
        float[] v = a.floats().clone();
        v[7] = Float.parseFloat(value);
        arrays.put(tensor, NpzArray.of(v, a.shape()));
        Path bad = tmp.resolve("bad.npz");
        try (OutputStream out = Files.newOutputStream(bad)) {
            NpzFile.write(arrays, out);
        }
        Path out = tmp.resolve("imported");
        TinyRuns.Result r = TinyRuns.cli(List.of("import", "--npz", bad.toString(), "--out", out.toString()));
        assertThat(r.code()).as(r.err()).isEqualTo(ExitCode.BAD_INPUT);
        assertThat(r.err()).isEqualTo("error: " + bad + ": " + tensor + " holds " + v[7]
                + " at flat index 7: a model's weights must be finite numbers\n");
        assertThat(out).doesNotExist();
    }

    /** A cut .npz: one line naming the file (it named none). */
    @Test
    void aTruncatedNpzIsBadInputNamingTheFile() throws Exception {
        byte[] bytes = Files.readAllBytes(npz);
        Path cut = tmp.resolve("cut.npz");
        Files.write(cut, java.util.Arrays.copyOf(bytes, bytes.length / 2));
        Path out = tmp.resolve("imported");
        TinyRuns.Result r = TinyRuns.cli(List.of("import", "--npz", cut.toString(), "--out", out.toString()));
        assertThat(r.code()).as(r.err()).isEqualTo(ExitCode.BAD_INPUT);
        assertThat(r.err()).startsWith("error: " + cut + ": ").hasLineCount(1);
        assertThat(out).doesNotExist();
    }

    /** A tensor of a wrong shape is the one named, not a good one measured against it. */
    @Test
    void aWrongShapeTensorIsTheOneNamed() throws Exception {
        Map<String, NpzArray> arrays = new LinkedHashMap<>(NpzFile.read(npz));
        String tensor = "0.rnns.0.weight_hh_l0_raw";
        NpzArray a = arrays.get(tensor);
        assertThat(a).as("exported tensors: %s", arrays.keySet()).isNotNull();
        long rows = a.shape()[0], cols = a.shape()[1];
        arrays.put(tensor, NpzArray.of(new float[(int) (rows * (cols + 1))], rows, cols + 1));
        Path bad = tmp.resolve("shape.npz");
        try (OutputStream out = Files.newOutputStream(bad)) {
            NpzFile.write(arrays, out);
        }
        TinyRuns.Result r = TinyRuns.cli(List.of("import", "--npz", bad.toString(), "--out",
                tmp.resolve("imported").toString()));
        assertThat(r.code()).as(r.err()).isEqualTo(ExitCode.BAD_INPUT);
        assertThat(r.err()).startsWith("error: " + bad + ": " + tensor + " has shape [" + rows + ", " + (cols + 1)
                + "], expected [" + rows + ", " + cols + "]");
    }
}
