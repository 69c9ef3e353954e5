package org.lmshards.spark.shard;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.util.Iterator;
import java.util.List;

import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.TaskContext;
import org.apache.spark.api.java.function.Function2;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.util.LongAccumulator;
import org.lmshards.core.shard.NpyArrayWriter;
import org.lmshards.core.shard.ShardLayout;
import org.lmshards.core.shard.TokenDtype;
import org.lmshards.spark.support.FaultInjection;
import org.lmshards.spark.io.FileIoError;
import org.lmshards.spark.io.CrcFreeFileSystem;
import org.lmshards.spark.io.HadoopConf;
import org.lmshards.spark.io.StagingFence;
import org.lmshards.spark.tokens.BlockNumericalizer;
import org.lmshards.spark.tokens.TokenBlock;

/**
 * Writes one shard (partition index = shard index) from the cached token blocks of its
 * {@link ShardGroups} group, which hold its documents in order among others: the documents in
 * the shard's range are numericalized ({@link BlockNumericalizer}) into attempt-unique
 * temporary files; the driver later commits exactly one attempt per shard
 * ({@link ShardCommitter}, io.DatasetOutput). Files are created through the directory's {@link StagingFence}, so
 * that an attempt still running after the driver closed the temporary directory (to commit, or
 * after a failure) deletes what it creates instead of leaving debris.
 */
public final class ShardWriteTask implements Function2<Integer, Iterator<TokenBlock>, Iterator<ShardResult>> {
    private static final long serialVersionUID = 1L;

    private final String split;
    private final String tmpDir;
    private final TokenDtype dtype;
    private final Broadcast<byte[]> vocabJson;
    private final Broadcast<ShardPlan> plan;
    private final Broadcast<HadoopConf> conf;
    private final FaultInjection fault;
    private final LongAccumulator tokensWritten;

    public ShardWriteTask(String split, String tmpDir, TokenDtype dtype, Broadcast<byte[]> vocabJson, Broadcast<ShardPlan> plan,
                          Broadcast<HadoopConf> conf, FaultInjection fault, LongAccumulator tokensWritten) {
        this.split = split;
        this.tmpDir = tmpDir;
        this.dtype = dtype;
        this.vocabJson = vocabJson;
        this.plan = plan;
        this.conf = conf;
        this.fault = fault;
        this.tokensWritten = tokensWritten;
    }

    @Override
    public Iterator<ShardResult> call(Integer shard, Iterator<TokenBlock> blocks) {
        try {
            return write(shard, blocks);
        } catch (IOException | java.io.UncheckedIOException e) {
            if (e instanceof FileIoError f) {
                throw f;
            }
            // Name the shard's file: a full disk otherwise surfaces as Spark's bare "No space left on device".
            throw new FileIoError(tmpDir + "/" + split + "-" + ShardLayout.tokensFile(shard) + " (and its docs file)",
                    "cannot write shard " + shard + " of " + split, FileIoError.ioCause(e));
        }
    }

    private Iterator<ShardResult> write(Integer shard, Iterator<TokenBlock> blocks) throws IOException {
        ShardPlan p = plan.value();
        TaskContext tc = TaskContext.get();
        String attempt = tc == null ? "driver"
                : "stage" + tc.stageId() + "." + tc.stageAttemptNumber() + "-task" + tc.taskAttemptId() + "." + tc.attemptNumber();
        Path dir = new Path(tmpDir);
        Path tmpTokens = new Path(dir, split + "-" + ShardLayout.tokensFile(shard) + "." + attempt);
        Path tmpDocs = new Path(dir, split + "-" + ShardLayout.docsFile(shard) + "." + attempt);
        FileSystem fs = CrcFreeFileSystem.of(dir, conf.value().get());
        BlockNumericalizer numericalizer = new BlockNumericalizer(vocabJson, dtype);

        long expectedTokens = p.numTokens(shard);
        long expectedDocs = p.numDocs(shard);
        long firstDoc = p.firstDoc(shard);
        long endDoc = firstDoc + expectedDocs;
        long nextDoc = firstDoc;
        long tokens = 0;
        long unknown = 0;
        NpyArrayWriter tw = new NpyArrayWriter(create(fs, tmpTokens), dtype, expectedTokens);
        NpyArrayWriter dw = new NpyArrayWriter(create(fs, tmpDocs), ShardLayout.DOCS_DTYPE, expectedDocs + 1);
        try (tw; dw) {
            dw.writeLong(0);
            while (blocks.hasNext()) {
                TokenBlock b = blocks.next();
                if (b.numDocs() == 0) {
                    continue;
                }
                // The block's documents are consecutive (checked below): the shard takes a range of them.
                long blockFirst = p.docNumber(b.units()[0], b.ordinals()[0]);
                int from = (int) Math.min(b.numDocs(), Math.max(0, firstDoc - blockFirst));
                int to = (int) Math.min(b.numDocs(), Math.max(0, endDoc - blockFirst));
                if (from >= to) {
                    continue;
                }
                if (blockFirst + from != nextDoc) {
                    throw new IllegalStateException("shard " + shard + " of " + split + ": expected document " + nextDoc
                            + " but got " + (blockFirst + from) + " (documents lost or duplicated)");
                }
                for (int d = from; d < to; d++) {
                    if (p.docNumber(b.units()[d], b.ordinals()[d]) != blockFirst + d) {
                        throw new IllegalStateException("shard " + shard + " of " + split + ": a token block's documents are not"
                                + " consecutive (document " + p.docNumber(b.units()[d], b.ordinals()[d]) + " after "
                                + (blockFirst + d - 1) + ")");
                    }
                    tokens += b.length(d);
                    dw.writeLong(tokens);
                }
                unknown += numericalizer.write(b, from, to, tw);
                nextDoc = blockFirst + to;
            }
            if (tokens != expectedTokens || nextDoc != endDoc) {
                throw new IllegalStateException("shard " + shard + " of " + split + ": planned " + expectedDocs + " documents / "
                        + expectedTokens + " tokens, got " + (nextDoc - firstDoc) + " / " + tokens);
            }
        }
        tokensWritten.add(tokens);
        fault.afterTaskWork(split + "-write");
        return List.of(new ShardResult(shard, tmpTokens.toString(), tmpDocs.toString(), tokens, expectedDocs,
                tw.crc32c(), dw.crc32c(), unknown, attempt)).iterator();
    }

    private static BufferedOutputStream create(FileSystem fs, Path p) throws IOException {
        return new BufferedOutputStream(StagingFence.create(fs, p), 1 << 20);
    }
}
