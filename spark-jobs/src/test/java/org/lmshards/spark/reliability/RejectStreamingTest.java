package org.lmshards.spark.reliability;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.lmshards.core.shard.Dataset;
import org.lmshards.core.shard.DatasetVerifier;
import org.lmshards.core.shard.TokenStore;
import org.lmshards.spark.SparkTestSupport;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Issue 18, item 2, the fast part: rejected rows are spooled to files by the executors and
 * streamed into {@code rejects/train.csv} by the driver, in input order, whatever the read units
 * and partitions; the spool directories are gone afterwards. (Millions of rows, with the driver's
 * heap measured: {@link ManyRejectsRun}, docs/RELIABILITY.md.)
 */
class RejectStreamingTest {
    @TempDir
    Path tmp;

    @Test
    void tensOfThousandsOfRejectsFromSeveralUnitsAndPartitionsAreListedInInputOrder() throws IOException {
        Path in = tmp.resolve("in");
        Files.createDirectories(in);
        List<String> expected = new ArrayList<>();
        int kept = 0;
        for (int f = 0; f < 3; f++) {
            Path csv = in.resolve("part-" + f + ".csv");
            StringBuilder b = new StringBuilder();
            for (int row = 1; row <= 8000; row++) {
                if (row % 5 == 0) {
                    b.append("\"good text number ").append(row).append(" of file ").append(f).append("\"\n");
                    kept++;
                } else {
                    b.append("a\"b\n");
                    expected.add("\"file:" + csv.toAbsolutePath() + "\"," + row + "," + row + ",\"malformed CSV: stray quote in unquoted"
                            + " field 1 at line " + row + " (a field containing quotes must be quoted, its quotes doubled)\"");
                }
            }
            Files.writeString(csv, b);
        }
        Path out = tmp.resolve("out");
        // Cut into units of about 8 KB (several per file, fewer than the partitions for file 0's share: both paths).
        SparkTestSupport.Run r = SparkTestSupport.run("--train", in.toString(), "--output", out.toString(), "--on-bad-row", "skip",
                "--min-freq", "1", "--read-chunk-bytes", "8000", "--partitions", "3");
        assertThat(r.code()).as(r.err()).isZero();
        List<String> lines = Files.readAllLines(SparkTestSupport.root(out).resolve("rejects/train.csv"));
        assertThat(lines.get(0)).isEqualTo("file,row,line,reason");
        assertThat(lines.subList(1, lines.size())).containsExactlyElementsOf(expected);
        DatasetVerifier.verify(out);
        try (Dataset ds = Dataset.open(out); TokenStore t = ds.split("train")) {
            assertThat(t.numDocs()).isEqualTo(kept);
            assertThat(t.meta().rejectedRows()).isEqualTo(expected.size());
        }
        try (var s = Files.list(SparkTestSupport.root(out))) {
            assertThat(s.map(p -> p.getFileName().toString())).containsExactlyInAnyOrder("vocab.json", "train", "rejects");
        }
        assertThat(SparkTestSupport.leftovers(out)).isEmpty();

        // Fewer units than partitions: the rows (rejects among them) are range-repartitioned first; same list.
        Path out2 = tmp.resolve("out2");
        SparkTestSupport.Run r2 = SparkTestSupport.run("--train", in.toString(), "--output", out2.toString(), "--on-bad-row", "skip",
                "--min-freq", "1", "--partitions", "7");
        assertThat(r2.code()).as(r2.err()).isZero();
        assertThat(Files.readAllLines(SparkTestSupport.root(out2).resolve("rejects/train.csv"))).isEqualTo(lines);
    }
}
