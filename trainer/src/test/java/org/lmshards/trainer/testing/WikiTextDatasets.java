package org.lmshards.trainer.testing;

import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.lmshards.core.shard.DatasetWriter;
import org.lmshards.core.shard.SplitWriter;
import org.lmshards.core.testing.TestData;
import org.lmshards.core.tokenize.FastaiTokenizer;
import org.lmshards.core.vocab.Vocabulary;

/**
 * Builds token-shard datasets from the shared WikiText CSVs with core's tokenizer, vocabulary
 * rules and {@link DatasetWriter}, for tests and the training benchmark (the reference path of
 * what the Spark job produces: train.csv -> train, test.csv -> valid).
 */
public final class WikiTextDatasets {
    private WikiTextDatasets() {
    }

    /** Token lists of the first {@code maxRows} articles (first column) of a WikiText CSV. */
    public static List<List<String>> tokenizedArticles(Path csv, int maxRows) throws IOException {
        FastaiTokenizer tok = FastaiTokenizer.defaults();
        List<List<String>> docs = new ArrayList<>();
        for (String text : firstColumn(csv, maxRows)) {
            docs.add(tok.tokenize(text));
        }
        return docs;
    }

    /**
     * Writes a dataset with splits {@code train} (first {@code trainRows} of train.csv) and
     * {@code valid} (first {@code validRows} of test.csv), vocabulary from train with {@code minFreq}.
     */
    public static Vocabulary build(Path datasetDir, int trainRows, int validRows, int minFreq) throws IOException {
        return build(datasetDir, 0, trainRows, validRows, minFreq);
    }

    /** The same with the train split from rows {@code firstTrainRow ..} of train.csv (disjoint corpora for fine-tuning). */
    public static Vocabulary build(Path datasetDir, int firstTrainRow, int trainRows, int validRows, int minFreq)
            throws IOException {
        Path src = TestData.wikitextTiny();
        List<List<String>> all = tokenizedArticles(src.resolve("train.csv"), firstTrainRow + trainRows);
        List<List<String>> train = all.subList(Math.min(firstTrainRow, all.size()), all.size());
        List<List<String>> valid = tokenizedArticles(src.resolve("test.csv"), validRows);
        Map<String, Long> counts = new HashMap<>();
        for (List<String> d : train) {
            for (String t : d) {
                counts.merge(t, 1L, Long::sum);
            }
        }
        Vocabulary vocab = Vocabulary.build(counts, minFreq, Vocabulary.DEFAULT_MAX_VOCAB);
        try (DatasetWriter w = DatasetWriter.create(datasetDir, vocab, 1 << 16)) {
            SplitWriter tw = w.split("train");
            for (List<String> d : train) {
                tw.addDocument(vocab.encode(d));
            }
            SplitWriter vw = w.split("valid");
            for (List<String> d : valid) {
                vw.addDocument(vocab.encode(d));
            }
            w.commit(Map.of("name", FastaiTokenizer.defaults().name(), "settings", FastaiTokenizer.defaults().settings()),
                    Map.of("files", List.of(src.toString())), Map.of("min_freq", minFreq, "first_train_row", firstTrainRow, "train_rows", trainRows,
                            "valid_rows", validRows));
        }
        return vocab;
    }

    /** The first field of each record of an RFC 4180 CSV (quoted fields may span lines). */
    static List<String> firstColumn(Path csv, int maxRows) throws IOException {
        List<String> rows = new ArrayList<>();
        try (Reader r = Files.newBufferedReader(csv, StandardCharsets.UTF_8)) {
            StringBuilder field = new StringBuilder();
            int column = 0;
            boolean quoted = false, inQuotes = false;
            int c;
            while ((c = r.read()) != -1 && rows.size() < maxRows) {
                if (inQuotes) {
                    if (c == '"') {
                        r.mark(1);
                        int n = r.read();
                        if (n == '"') {
                            field.append('"');
                        } else {
                            inQuotes = false;
                            if (n != -1) {
                                r.reset();
                            }
                        }
                    } else if (column == 0) {
                        field.append((char) c);
                    }
                } else if (c == '"' && field.isEmpty() && !quoted) {
                    inQuotes = true;
                    quoted = true;
                } else if (c == ',') {
                    column++;
                } else if (c == '\n') {
                    rows.add(field.toString());
                    field.setLength(0);
                    column = 0;
                    quoted = false;
                } else if (c != '\r' && column == 0) {
                    field.append((char) c);
                }
            }
            if (!field.isEmpty() && rows.size() < maxRows) {
                rows.add(field.toString());
            }
        }
        return rows;
    }
}
