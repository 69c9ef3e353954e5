package org.lmshards.spark;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.univocity.parsers.csv.CsvParser;
import com.univocity.parsers.csv.CsvParserSettings;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.apache.spark.sql.SparkSession;
import org.lmshards.core.shard.DatasetManifest;
import org.lmshards.core.shard.DatasetRoot;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * One local Spark session for all test classes of the module (local[2,3]: 2 cores, up to 3
 * attempts per task), in-process runs of the job on it, and dataset comparisons. Public for the
 * {@code reliability} package.
 */
public final class SparkTestSupport {
    private static final ObjectMapper JSON = new ObjectMapper();

    private SparkTestSupport() {
    }

    public static synchronized SparkSession session() {
        SparkSession s = SparkSession.builder()
                .master("local[2,3]")
                .appName("lmshards-spark-tests")
                .config("spark.ui.enabled", "false")
                .config("spark.driver.host", "127.0.0.1")
                .config("spark.driver.bindAddress", "127.0.0.1")
                .config("spark.sql.shuffle.partitions", "4")
                .getOrCreate();
        SparkSession.setActiveSession(s);
        return s;
    }

    /** A finished run of the job: exit code and what it printed. */
    public record Run(int code, String out, String err) {
    }

    /** Runs the job in this JVM on the shared session, capturing stdout and stderr. */
    public static synchronized Run run(String... args) {
        session();
        PrintStream oldOut = System.out;
        PrintStream oldErr = System.err;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code;
        try (PrintStream o = new PrintStream(out, true, StandardCharsets.UTF_8);
             PrintStream e = new PrintStream(err, true, StandardCharsets.UTF_8)) {
            System.setOut(o);
            System.setErr(e);
            code = PreprocessJob.run(args);
        } finally {
            System.setOut(oldOut);
            System.setErr(oldErr);
        }
        Run r = new Run(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
        oldOut.print(r.out());
        oldErr.print(r.err());
        return r;
    }

    /** Where the current generation of a dataset is (the dataset directory itself for format 1). */
    public static Path root(Path dataset) {
        try {
            return DatasetRoot.resolve(dataset).root();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Every file of a dataset's current generation (relative path to content; for format 1 of
     * the directory); {@code meta.json} files without {@code created_at}, the one field allowed
     * to differ between runs. For format 2, checks that the manifest lists exactly these files.
     */
    public static Map<String, String> contents(Path dataset) {
        Map<String, String> m = new TreeMap<>();
        Path dir = dataset;
        try {
            if (DatasetRoot.currentManifest(dataset) != null) {
                DatasetRoot r = DatasetRoot.resolve(dataset);
                dir = r.root();
                try (Stream<Path> files = Files.walk(dir)) {
                    Path d = dir;
                    assertThat(files.filter(Files::isRegularFile).map(p -> d.relativize(p).toString()).sorted())
                            .as("files of %s against %s", dir, r.manifestFile())
                            .containsExactlyElementsOf(r.manifest().files().stream().map(e -> e.path()).sorted().toList());
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        Path top = dir;
        try (Stream<Path> files = Files.walk(dir)) {
            // A format-1 dataset that a build is replacing may hold that build's generation: not its files.
            for (Path p : files.filter(Files::isRegularFile).filter(p -> !isGenerationEntry(top.relativize(p))).toList()) {
                byte[] b = Files.readAllBytes(p);
                String content;
                if (p.getFileName().toString().equals("meta.json")) {
                    ObjectNode meta = (ObjectNode) JSON.readTree(b);
                    assertThat(meta.has("created_at")).isTrue();
                    meta.remove("created_at");
                    content = meta.toString();
                } else {
                    content = java.util.HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256").digest(b))
                            + " " + b.length;
                }
                m.put(dir.relativize(p).toString(), content);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
        return m;
    }

    /** Every file under {@code dir}, generations and manifests included: relative path to SHA-256 and size. */
    public static Map<String, String> tree(Path dir) {
        Map<String, String> m = new TreeMap<>();
        try (Stream<Path> files = Files.walk(dir)) {
            for (Path p : files.filter(Files::isRegularFile).toList()) {
                byte[] b = Files.readAllBytes(p);
                m.put(dir.relativize(p).toString(), java.util.HexFormat.of().formatHex(
                        java.security.MessageDigest.getInstance("SHA-256").digest(b)) + " " + b.length);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
        return m;
    }

    private static boolean isGenerationEntry(Path relative) {
        String first = relative.getName(0).toString();
        return DatasetManifest.generationOfDirectory(first).isPresent() || first.startsWith(".manifest-");
    }

    /** The job's bookkeeping entries for {@code dir} in its parent directory (lock, staging, set-aside old dataset). */
    public static List<Path> leftovers(Path dir) throws IOException {
        try (Stream<Path> s = Files.list(dir.getParent())) {
            return s.filter(p -> p.getFileName().toString().startsWith("." + dir.getFileName() + ".")).sorted().toList();
        }
    }

    /** The first column of a header-less CSV, by an independent reader (univocity, which Spark bundles): the expected rows. */
    public static List<String> column0(Path csv) throws IOException {
        CsvParserSettings s = new CsvParserSettings();
        s.getFormat().setLineSeparator("\n");
        s.getFormat().setQuote('"');
        s.getFormat().setQuoteEscape('"');
        s.setMaxCharsPerColumn(-1);
        s.setIgnoreLeadingWhitespaces(false);
        s.setIgnoreTrailingWhitespaces(false);
        s.setHeaderExtractionEnabled(false);
        List<String> texts = new ArrayList<>();
        try (Reader r = Files.newBufferedReader(csv, StandardCharsets.UTF_8)) {
            for (String[] row : new CsvParser(s).parseAll(r)) {
                texts.add(row[0]);
            }
        }
        return texts;
    }
}
