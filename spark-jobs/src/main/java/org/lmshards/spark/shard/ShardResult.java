package org.lmshards.spark.shard;

import java.io.Serializable;

/**
 * What a successful shard-writing task attempt reports to the driver: its attempt-unique
 * temporary files and what they hold. The driver commits exactly one result per shard.
 */
public record ShardResult(int shard, String tmpTokens, String tmpDocs, long numTokens, long numDocs,
                          long tokensCrc32c, long docsCrc32c, long unknownTokens, String attempt) implements Serializable {
}
