package org.lmshards.spark.csv;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.IntStream;

import org.apache.hadoop.conf.Configuration;
import org.apache.spark.util.LongAccumulator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.lmshards.spark.support.FaultInjection;
import org.lmshards.spark.io.HadoopConf;
import org.lmshards.spark.io.InputFile;

import static org.assertj.core.api.Assertions.assertThat;

/** A large file cut at scanned record boundaries reads exactly like the whole file, row numbers included. */
class ChunkedReadTest {
    @TempDir
    Path tmp;

    private record Row(long row, long line, long ordinal, String text, String reject) {
    }

    @Test
    void everyChunkSizeYieldsTheSameRowsAsOneReader() throws IOException {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        b.write(new byte[] {(byte) 0xEF, (byte) 0xBB, (byte) 0xBF});
        b.writeBytes("id,text\r\n".getBytes(StandardCharsets.UTF_8));
        for (int i = 0; i < 12; i++) {
            b.writeBytes((i + ",\"para " + i + "\r\nwith \"\"quotes\"\", and, commas\"\r\n").getBytes(StandardCharsets.UTF_8));
            if (i == 3) {
                b.writeBytes("x,a stray \" quote\n\n".getBytes(StandardCharsets.UTF_8));
            }
            if (i == 6) {
                b.writeBytes(new byte[] {'y', ',', (byte) 0xFF, '\n'});
                b.writeBytes("z,   \n".getBytes(StandardCharsets.UTF_8));
            }
        }
        b.writeBytes("last,\"never closed\nat all\n".getBytes(StandardCharsets.UTF_8));
        Path f = Files.write(tmp.resolve("big.csv"), b.toByteArray());
        List<InputFile> files = List.of(new InputFile(f.toUri().toString(), Files.size(f), 0));
        HadoopConf conf = new HadoopConf(new Configuration());

        List<Row> whole = read(files, List.of(InputUnit.wholeFile(0)), conf);
        assertThat(whole).hasSize(16);
        assertThat(whole.get(0)).isEqualTo(new Row(2, 2, 0, "para 0\nwith \"quotes\", and, commas", null));
        assertThat(whole.get(4).reject()).contains("stray quote");
        assertThat(whole.get(4).row()).isEqualTo(6);
        assertThat(whole.get(15).reject()).contains("unterminated");
        assertThat(whole.stream().filter(r -> r.reject() != null)).hasSize(4);

        for (long chunk : new long[] {1, 7, 40, 100, 333}) {
            List<InputUnit> units = new ScanTask(files, conf, chunk).call(0);
            assertThat(units.size()).as("units for chunk %d", chunk).isGreaterThan(chunk < 100 ? 10 : 1);
            List<Row> parts = read(files, units, conf);
            // Ordinals restart per unit; everything else must match.
            assertThat(parts).hasSameSizeAs(whole);
            for (int i = 0; i < whole.size(); i++) {
                Row w = whole.get(i);
                Row p = parts.get(i);
                assertThat(new Row(p.row(), p.line(), 0, p.text(), p.reject())).as("chunk %d, row %d", chunk, i)
                        .isEqualTo(new Row(w.row(), w.line(), 0, w.text(), w.reject()));
            }
        }
    }

    private static List<Row> read(List<InputFile> files, List<InputUnit> units, HadoopConf conf) {
        ReadTask task = new ReadTask("t-read", files, units, conf, true, TextColumn.parse("text"), false,
                FaultInjection.fromSettings("", ""), new LongAccumulator(), new LongAccumulator());
        List<Row> rows = new ArrayList<>();
        task.call(IntStream.range(0, units.size()).boxed().iterator())
                .forEachRemaining(r -> rows.add(new Row(r.row(), r.line(), r.ordinal(), r.text(), r.reject())));
        return rows;
    }
}
