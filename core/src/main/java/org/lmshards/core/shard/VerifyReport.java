package org.lmshards.core.shard;

import java.util.Map;

/** What {@link DatasetVerifier} found in a good dataset. */
public record VerifyReport(Map<String, Long> tokensPerSplit, Map<String, Long> docsPerSplit, int vocabSize, int shards) {

    /** One line, e.g. {@code "ok: 2 splits (train 1200 tokens / 10 docs, valid ...), 3 shards, vocab 64"}. */
    public String summary() {
        StringBuilder sb = new StringBuilder("ok: ").append(tokensPerSplit.size()).append(" split")
                .append(tokensPerSplit.size() == 1 ? "" : "s").append(" (");
        String sep = "";
        for (Map.Entry<String, Long> e : tokensPerSplit.entrySet()) {
            sb.append(sep).append(e.getKey()).append(' ').append(e.getValue()).append(" tokens / ")
                    .append(docsPerSplit.get(e.getKey())).append(" docs");
            sep = ", ";
        }
        return sb.append("), ").append(shards).append(" shard").append(shards == 1 ? "" : "s").append(", vocab ")
                .append(vocabSize).toString();
    }
}
