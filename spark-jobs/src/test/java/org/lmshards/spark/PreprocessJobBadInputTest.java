package org.lmshards.spark;

import org.lmshards.core.ExitCode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.lmshards.core.shard.Dataset;
import org.lmshards.core.shard.DatasetVerifier;
import org.lmshards.core.shard.TokenStore;
import org.lmshards.core.testing.ChildProcesses;
import org.lmshards.spark.io.CrcFreeFileSystem;
import org.lmshards.spark.io.OutputLock;

import static org.assertj.core.api.Assertions.assertThat;

/** Every bad-input case, with --on-bad-row fail and skip, and the output-safety rules. */
class PreprocessJobBadInputTest {
    @TempDir
    Path tmp;

    private static String doc(int i) {
        return "The quick brown fox number " + i + " jumps over the lazy dog . It was a sunny day .";
    }

    private Path file(String name, String content) throws IOException {
        return file(name, content.getBytes(StandardCharsets.UTF_8));
    }

    private Path file(String name, byte[] content) throws IOException {
        Path p = tmp.resolve(name);
        Files.createDirectories(p.getParent());
        Files.write(p, content);
        return p;
    }

    private SparkTestSupport.Run job(Path train, Path out, String... extra) {
        return job(train.toString(), out, extra);
    }

    private SparkTestSupport.Run job(String train, Path out, String... extra) {
        List<String> a = new ArrayList<>(List.of("--train", train, "--output", out.toString(), "--min-freq", "1",
                "--shard-tokens", "40"));
        a.addAll(List.of(extra));
        return SparkTestSupport.run(a.toArray(new String[0]));
    }

    /** Runs a bad file with fail (exit 3, message names file and row) and skip (exit 0, rejects listed and counted). */
    private void failsThenSkips(Path train, String row, String reason, int keptDocs, int rejected, String... extra) throws IOException {
        Path failed = tmp.resolve("out-fail");
        SparkTestSupport.Run f = job(train, failed, extra);
        assertThat(f.code()).as(f.err()).isEqualTo(ExitCode.BAD_INPUT);
        assertThat(f.err()).contains("error: ").contains(train.getFileName().toString()).contains(row).contains(reason);
        assertThat(failed).doesNotExist();
        assertThat(SparkTestSupport.leftovers(failed)).isEmpty();

        Path skipped = tmp.resolve("out-skip");
        List<String> args = new ArrayList<>(List.of(extra));
        args.addAll(List.of("--on-bad-row", "skip"));
        SparkTestSupport.Run s = job(train, skipped, args.toArray(new String[0]));
        assertThat(s.code()).as(s.err()).isZero();
        DatasetVerifier.verify(skipped);
        try (Dataset ds = Dataset.open(skipped); TokenStore t = ds.split("train")) {
            assertThat(t.numDocs()).isEqualTo(keptDocs);
            assertThat(t.meta().rejectedRows()).isEqualTo(rejected);
        }
        List<String> rejects = Files.readAllLines(SparkTestSupport.root(skipped).resolve("rejects/train.csv"));
        assertThat(rejects).hasSize(rejected + 1);
        assertThat(rejects.get(0)).isEqualTo("file,row,line,reason");
        assertThat(rejects.get(1)).contains(train.getFileName().toString()).contains(reason);
    }

    @Test
    void unterminatedQuoteAtEndOfFile() throws IOException {
        Path p = file("unterminated.csv", doc(1) + "\n" + doc(2) + "\n\"" + doc(3) + "\n" + doc(4) + "\n");
        failsThenSkips(p, "row 3 (line 3)", "unterminated quoted field", 2, 1);
    }

    @Test
    void strayQuoteInTheMiddle() throws IOException {
        Path p = file("stray.csv", doc(1) + "\nsays \"hi\" loudly\n" + doc(3) + "\n\"" + doc(4) + "\"\n");
        failsThenSkips(p, "row 2 (line 2)", "stray quote", 3, 1);
    }

    @Test
    void invalidUtf8() throws IOException {
        byte[] good = (doc(1) + "\n").getBytes(StandardCharsets.UTF_8);
        byte[] bad = {'c', 'a', 'f', (byte) 0xC3, '(', '\n'};
        byte[] more = (doc(3) + "\n").getBytes(StandardCharsets.UTF_8);
        byte[] all = new byte[good.length + bad.length + more.length];
        System.arraycopy(good, 0, all, 0, good.length);
        System.arraycopy(bad, 0, all, good.length, bad.length);
        System.arraycopy(more, 0, all, good.length + bad.length, more.length);
        failsThenSkips(file("latin.csv", all), "row 2 (line 2)", "invalid UTF-8", 2, 1);
    }

    @Test
    void aNulOnlyRowIsRejected() throws IOException {
        byte[] a = (doc(1) + "\n").getBytes(StandardCharsets.UTF_8);
        byte[] c = (doc(3) + "\n").getBytes(StandardCharsets.UTF_8);
        byte[] all = new byte[a.length + 2 + c.length];
        System.arraycopy(a, 0, all, 0, a.length);
        all[a.length + 1] = '\n';
        System.arraycopy(c, 0, all, a.length + 2, c.length);
        failsThenSkips(file("nul.csv", all), "row 2 (line 2)", "NUL byte (0x00) in the text field at byte 0 of the field", 2, 1);
    }

    @Test
    void utf16WithAndWithoutBomIsRejectedAsLookingLikeUtf16() throws IOException {
        String text = doc(1) + "\n" + doc(2) + "\n";
        byte[] le = text.getBytes(StandardCharsets.UTF_16LE);
        byte[] bom = text.getBytes(StandardCharsets.UTF_16);    // big-endian with FE FF
        for (Path p : List.of(file("utf16le.csv", le), file("utf16bom.csv", bom))) {
            SparkTestSupport.Run f = job(p, tmp.resolve("u16-fail"));
            assertThat(f.code()).as(f.err()).isEqualTo(ExitCode.BAD_INPUT);
            assertThat(f.err()).contains(p.getFileName() + ": row 1 (line 1): ").contains("the file looks like UTF-16: convert it to UTF-8");
            SparkTestSupport.Run s = job(p, tmp.resolve("u16-skip"), "--on-bad-row", "skip");
            assertThat(s.code()).isEqualTo(ExitCode.BAD_INPUT);
            assertThat(s.err()).contains("no documents").contains("looks like UTF-16");
            assertThat(tmp.resolve("u16-fail")).doesNotExist();
            assertThat(tmp.resolve("u16-skip")).doesNotExist();
        }
        assertThat(job(file("nul-le.csv", le), tmp.resolve("x")).err()).contains("NUL byte");
    }

    @Test
    void aRowWithMoreFieldsThanTheFileIsABadRow() throws IOException {
        StringBuilder b = new StringBuilder();
        for (int i = 1; i <= 40; i++) {
            b.append(i == 33 ? "The cat sat, and then it left" : doc(i)).append('\n');
        }
        Path p = file("comma.csv", b.toString());
        failsThenSkips(p, "row 33 (line 33)", "the row has 2 fields but row 1 of the file has 1 field (an unquoted comma?", 39, 1);
        // Read in several units (cut at record boundaries): the same row, the same reason.
        SparkTestSupport.Run chunked = job(p, tmp.resolve("comma-chunked"), "--read-chunk-bytes", "600");
        assertThat(chunked.code()).isEqualTo(ExitCode.BAD_INPUT);
        assertThat(chunked.err()).contains("row 33 (line 33)").contains("row 1 of the file has 1 field");
    }

    @Test
    void aRowWhoseFieldsDisagreeWithTheHeaderIsABadRow() throws IOException {
        Path p = file("hdrwidth.csv", "id,text\n1," + doc(1) + "\n2," + doc(2) + ",extra\n3," + doc(3) + "\n");
        failsThenSkips(p, "row 3 (line 3)", "the row has 3 fields but row 1 of the file has 2 fields", 2, 1,
                "--header", "--text-column", "text");
    }

    @Test
    void emptyAndWhitespaceOnlyText() throws IOException {
        Path p = file("blank.csv", doc(1) + "\n\"\"\n\"  \n \t\"\n" + doc(4) + "\n");
        failsThenSkips(p, "row 2 (line 2)", "empty text", 2, 2);
    }

    /**
     * Issue 25: rows of no-break and other Unicode spaces, line and paragraph separators, zero-width
     * spaces or a stray BOM ({@code String.isBlank} sees none of them as blank) became empty documents.
     */
    @Test
    void rowsOfOnlyUnicodeSpacesOrInvisibleCharactersAreBadRows() throws IOException {
        List<String> blanks = List.of("\u00A0\u00A0", "\u2007", "\u202F \u202F", "\u2028\u2029", "\u200B",
                "\uFEFF", "\u00A0\u200B\u3000\u2060\t");
        StringBuilder csv = new StringBuilder(doc(1)).append('\n');
        for (String b : blanks) {
            csv.append('"').append(b).append("\"\n");
        }
        csv.append(doc(9)).append('\n');
        Path p = file("unicode-blank.csv", csv.toString());
        failsThenSkips(p, "row 2 (line 2)", "whitespace-only text (Unicode spaces or invisible characters such as U+00A0)",
                2, blanks.size());
    }

    @Test
    void columnIndexOutOfRange() throws IOException {
        Path p = file("cols.csv", "1," + doc(1) + "\nonly one field\n3,\"" + doc(3) + "\"\n");
        failsThenSkips(p, "row 2 (line 2)", "out of range", 2, 1, "--text-column", "1");
    }

    @Test
    void headerWithoutTheNamedColumn() throws IOException {
        Path dir = tmp.resolve("hdr");
        file("hdr/a.csv", "id,text\n1," + doc(1) + "\n2," + doc(2) + "\n");
        file("hdr/b.csv", "id,body\n1," + doc(3) + "\n2," + doc(4) + "\n3," + doc(5) + "\n");
        Path failed = tmp.resolve("hdr-fail");
        // The directory as a file: URI, then as a glob: the same two files in the same order.
        SparkTestSupport.Run f = job(dir.toUri().toString(), failed, "--header", "--text-column", "text");
        assertThat(f.code()).isEqualTo(ExitCode.BAD_INPUT);
        assertThat(f.err()).contains("b.csv: row 2").contains("no column named 'text'").contains("[id, body]");

        Path skipped = tmp.resolve("hdr-skip");
        SparkTestSupport.Run s = job(dir + "/*.csv", skipped, "--header", "--text-column", "text", "--on-bad-row", "skip");
        assertThat(s.code()).as(s.err()).isZero();
        try (Dataset ds = Dataset.open(skipped); TokenStore t = ds.split("train")) {
            assertThat(t.numDocs()).isEqualTo(2);
            assertThat(t.meta().rejectedRows()).isEqualTo(3);
        }
        assertThat(Files.readAllLines(SparkTestSupport.root(skipped).resolve("rejects/train.csv"))).hasSize(4)
                .allMatch(l -> l.startsWith("file") || l.contains("b.csv"));
    }

    @Test
    void missingPathEmptyInputAndDirectoryWithoutCsvFailInBothModes() throws IOException {
        Path empty = file("empty.csv", new byte[0]);
        Path onlyBlank = file("onlyblank.csv", "\"\"\n  \n");
        Path noCsv = tmp.resolve("nocsv");
        file("nocsv/readme.txt", "not a csv");
        for (String mode : List.of("fail", "skip")) {
            SparkTestSupport.Run missing = job(tmp.resolve("nope.csv"), tmp.resolve("o1"), "--on-bad-row", mode);
            assertThat(missing.code()).isEqualTo(ExitCode.BAD_INPUT);
            assertThat(missing.err()).contains("nope.csv").contains("no such file");

            SparkTestSupport.Run none = job(empty, tmp.resolve("o2"), "--on-bad-row", mode);
            assertThat(none.code()).isEqualTo(ExitCode.BAD_INPUT);
            assertThat(none.err()).contains("empty.csv").contains("no documents");

            SparkTestSupport.Run dir = job(noCsv, tmp.resolve("o3"), "--on-bad-row", mode);
            assertThat(dir.code()).isEqualTo(ExitCode.BAD_INPUT);
            assertThat(dir.err()).contains("nocsv").contains("contains no .csv file");

            SparkTestSupport.Run glob = job(tmp.resolve("zz*.csv"), tmp.resolve("o4"), "--on-bad-row", mode);
            assertThat(glob.code()).isEqualTo(ExitCode.BAD_INPUT);
            assertThat(glob.err()).contains("matches no file");
        }
        SparkTestSupport.Run allRejected = job(onlyBlank, tmp.resolve("o5"), "--on-bad-row", "skip");
        assertThat(allRejected.code()).isEqualTo(ExitCode.BAD_INPUT);
        assertThat(allRejected.err()).contains("no documents").contains("all 2 rows were rejected");
        for (String o : List.of("o1", "o2", "o3", "o4", "o5")) {
            assertThat(tmp.resolve(o)).doesNotExist();
        }
    }

    @Test
    void bomAndCrlfAreReadLikePlainLf() throws IOException {
        String lf = "\"" + doc(1) + "\nsecond line\"\n" + doc(2) + "\n\"with \"\"quotes\"\"\"\n";
        Path plain = file("lf/plain.csv", lf);
        byte[] crlf = lf.replace("\n", "\r\n").getBytes(StandardCharsets.UTF_8);
        byte[] bomCrlf = new byte[crlf.length + 3];
        bomCrlf[0] = (byte) 0xEF;
        bomCrlf[1] = (byte) 0xBB;
        bomCrlf[2] = (byte) 0xBF;
        System.arraycopy(crlf, 0, bomCrlf, 3, crlf.length);
        Path windows = file("crlf/windows.csv", bomCrlf);
        assertThat(job(plain, tmp.resolve("lf-out")).code()).isZero();
        assertThat(job(windows, tmp.resolve("crlf-out")).code()).isZero();
        Map<String, String> a = withoutMeta(SparkTestSupport.contents(tmp.resolve("lf-out")));
        Map<String, String> b = withoutMeta(SparkTestSupport.contents(tmp.resolve("crlf-out")));
        assertThat(b).isEqualTo(a);
        try (Dataset ds = Dataset.open(tmp.resolve("crlf-out")); TokenStore t = ds.split("train")) {
            assertThat(t.numDocs()).isEqualTo(3);
            int[] first = new int[(int) t.docEnd(0)];
            t.read(0, first, 0, first.length);
            assertThat(ds.vocab().decode(first, 0, first.length)).doesNotContain("\r\n").contains("\n").contains("xxbos");
        }
    }

    private static Map<String, String> withoutMeta(Map<String, String> m) {
        return m.entrySet().stream().filter(e -> !e.getKey().endsWith("meta.json"))
                .collect(Collectors.toMap(Map.Entry::getKey, Map.Entry::getValue));
    }

    @Test
    void usageErrorsExitWith2() throws IOException {
        Path p = file("u.csv", doc(1) + "\n");
        assertThat(job(p, tmp.resolve("u1"), "--text-column", "text").code()).isEqualTo(ExitCode.USAGE);
        assertThat(job(p, tmp.resolve("u2"), "--no-such-option").code()).isEqualTo(ExitCode.USAGE);
        SparkTestSupport.Run badValue = job(p, tmp.resolve("u3"), "--on-bad-row", "ignore");
        assertThat(badValue.code()).isEqualTo(ExitCode.USAGE);
        // issue 15 item 2: the cause and where the options are, not the whole usage
        assertThat(badValue.err()).startsWith("error: ").contains("--on-bad-row").contains("ignore")
                .contains("./submit.sh --help").doesNotContain("Usage:");
        assertThat(badValue.err().lines()).hasSizeLessThanOrEqualTo(3);
        assertThat(SparkTestSupport.run("--output", tmp.resolve("u4").toString()).code()).isEqualTo(ExitCode.USAGE);
        Path notADataset = tmp.resolve("home");
        file("home/precious.txt", "keep me");
        SparkTestSupport.Run r = job(p, notADataset);
        assertThat(r.code()).isEqualTo(ExitCode.USAGE);
        assertThat(r.err()).contains("not a dataset this job may replace").contains("holds precious.txt");
        assertThat(notADataset.resolve("precious.txt")).hasContent("keep me");
    }

    @Test
    void aFailedRebuildLeavesTheOldDatasetIntact() throws IOException {
        Path good = file("g/good.csv", doc(1) + "\n" + doc(2) + "\n");
        Path out = tmp.resolve("kept");
        assertThat(job(good, out).code()).isZero();
        Map<String, String> before = SparkTestSupport.contents(out);
        Files.writeString(good, doc(1) + "\n\"broken\n");
        SparkTestSupport.Run r = job(good, out);
        assertThat(r.code()).isEqualTo(ExitCode.BAD_INPUT);
        assertThat(r.out()).contains("building").contains("source changed");
        assertThat(SparkTestSupport.contents(out)).isEqualTo(before);
        assertThat(SparkTestSupport.leftovers(out)).isEmpty();
        DatasetVerifier.verify(out);
    }

    @Test
    void settingsMismatchRebuildsAndSaysWhy() throws IOException {
        Path p = file("m/m.csv", doc(1) + "\n" + doc(2) + "\n" + doc(1) + "\n");
        Path out = tmp.resolve("mm");
        assertThat(job(p, out).code()).isZero();
        SparkTestSupport.Run r = job(p, out, "--min-freq", "2");
        assertThat(r.code()).isZero();
        assertThat(r.out()).contains("train settings changed: min_freq was 1, now 2");
        try (Dataset ds = Dataset.open(out)) {
            assertThat(ds.vocab().minFreq()).isEqualTo(2);
        }
    }

    @SuppressWarnings("try") // the lock is held, not used
    @Test
    void aSecondJobOnTheSameOutputIsRefusedAndAStaleLockIsTakenOver() throws IOException {
        Path p = file("l/l.csv", doc(1) + "\n" + doc(2) + "\n");
        Path out = tmp.resolve("locked");
        org.apache.hadoop.fs.Path hout = new org.apache.hadoop.fs.Path(out.toUri());
        org.apache.hadoop.fs.FileSystem fs = CrcFreeFileSystem.of(hout, new org.apache.hadoop.conf.Configuration());
        try (OutputLock held = OutputLock.acquire(fs, hout)) {
            SparkTestSupport.Run r = job(p, out);
            assertThat(r.code()).isEqualTo(ExitCode.INTERNAL);
            assertThat(r.err()).contains("being written by another job").contains(".locked.lock");
            assertThat(out).doesNotExist();
        }
        // A lock left by a killed job (its process is gone) does not block the next run.
        Path lock = tmp.resolve(".locked.lock");
        Files.writeString(lock, java.net.InetAddress.getLocalHost().getHostName() + " " + ChildProcesses.pidThatCannotExist() + " x 2026-01-01T00:00:00Z\n");
        SparkTestSupport.Run r = job(p, out);
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(lock).doesNotExist();
    }

    @Test
    void aDatasetSetAsideByAnInterruptedSwapIsRestored() throws IOException {
        // What a format-1 build (rename swap) killed between its two renames left: the dataset aside, no output.
        Path p = file("s/s.csv", doc(1) + "\n" + doc(2) + "\n");
        Path out = tmp.resolve("swapped");
        assertThat(job(p, out).code()).isZero();
        Map<String, String> before = SparkTestSupport.contents(out);
        Path aside = tmp.resolve(".swapped.old-deadbeef");
        Files.move(SparkTestSupport.root(out), aside);
        Files.writeString(aside.resolve("_SUCCESS"), "");
        org.apache.commons.io.FileUtils.deleteDirectory(out.toFile());
        Files.createDirectories(tmp.resolve(".swapped.staging-deadbeef/train"));
        SparkTestSupport.Run r = job(p, out);
        assertThat(r.code()).isZero();
        assertThat(r.out()).as("restored, then rebuilt in format 2").contains("holds a dataset in format 1");
        assertThat(SparkTestSupport.contents(out)).isEqualTo(before);
        assertThat(SparkTestSupport.leftovers(out)).isEmpty();
    }
}
