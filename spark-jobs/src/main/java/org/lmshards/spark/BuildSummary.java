package org.lmshards.spark;

import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

import org.apache.hadoop.fs.Path;
import org.lmshards.spark.shard.SplitMetaJson;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The end-of-run report on stdout: per split documents, tokens, shards, OOV rate and rejects; vocabulary; time. */
final class BuildSummary {
    private static final Logger LOG = LoggerFactory.getLogger(BuildSummary.class);

    private final int vocabSize;
    private final Map<String, Object> vocabSource;
    private final long inputBytes;
    private final Map<String, SplitStats> splits = new LinkedHashMap<>();

    /** What was written of one split. */
    record SplitStats(long docs, long tokens, long unknown, int shards, long rejected) {
    }

    /** @param vocabSource meta.json's {@code vocab_source}, null for a built vocabulary */
    BuildSummary(int vocabSize, Map<String, Object> vocabSource, long inputBytes) {
        this.vocabSize = vocabSize;
        this.vocabSource = vocabSource;
        this.inputBytes = inputBytes;
    }

    void add(String split, SplitStats s) {
        splits.put(split, s);
    }

    void print(Path output, double seconds) {
        StringBuilder b = new StringBuilder();
        b.append("lmshards preprocess: wrote ").append(output).append('\n');
        splits.forEach((name, s) -> b.append(String.format(Locale.ROOT,
                "  %-5s: %,d documents, %,d tokens, %d shard(s), out-of-vocabulary rate %.3f%% (%,d xxunk), %,d rejected row(s)%n",
                name, s.docs(), s.tokens(), s.shards(), 100.0 * SplitMetaJson.oovRate(s.unknown(), s.tokens()), s.unknown(),
                s.rejected())));
        b.append(String.format(Locale.ROOT, "  vocabulary: %,d tokens%s%n", vocabSize, vocabSource == null ? ""
                : String.format(Locale.ROOT, ", given by %s (%,d entries, %,d new token(s) added)", vocabSource.get("path"),
                (Integer) vocabSource.get("size"), (Long) vocabSource.get("added_tokens"))));
        b.append(String.format(Locale.ROOT, "  time: %.1f s, input %.1f MB, %.2f MB/s%n", seconds, inputBytes / 1e6,
                inputBytes / 1e6 / Math.max(seconds, 1e-9)));
        System.out.print(b);
        System.out.flush();
        LOG.debug("{}", b.toString().trim()); // printed once, on stdout
    }
}
