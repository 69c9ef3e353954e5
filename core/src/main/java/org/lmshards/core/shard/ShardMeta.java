package org.lmshards.core.shard;

/** One shard's entry in a split's {@code meta.json} (docs/FORMAT.md). */
public record ShardMeta(int index, String tokensFile, String docsFile, long numTokens, long numDocs,
        long firstDoc, long firstToken, long tokensCrc32c, long docsCrc32c) {
}
