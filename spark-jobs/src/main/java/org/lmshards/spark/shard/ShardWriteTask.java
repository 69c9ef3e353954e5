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
import org.lmshards.spark.FaultInjection;
import org.lmshards.spark.io.Fs;
import org.lmshards.spark.io.HadoopConf;
import scala.Tuple2;

/**
 * Writes one shard (partition index = shard index) from its {@link ShardPiece}s, sorted by the
 * global number of their first document, to attempt-unique temporary files; the driver later commits exactly one
 * attempt per shard ({@link ShardCommitter}). Files are created non-recursively so that an
 * attempt still running after the driver removed the temporary directory fails instead of
 * leaving debris.
 */
public final class ShardWriteTask implements Function2<Integer, Iterator<Tuple2<Long, ShardPiece>>, Iterator<ShardResult>> {
    private static final long serialVersionUID = 1L;

    private final String split;
    private final String tmpDir;
    private final String tokensDescr;
    private final Broadcast<ShardPlan> plan;
    private final Broadcast<HadoopConf> conf;
    private final FaultInjection fault;
    private final LongAccumulator tokensWritten;

    public ShardWriteTask(String split, String tmpDir, String tokensDescr, Broadcast<ShardPlan> plan,
                          Broadcast<HadoopConf> conf, FaultInjection fault, LongAccumulator tokensWritten) {
        this.split = split;
        this.tmpDir = tmpDir;
        this.tokensDescr = tokensDescr;
        this.plan = plan;
        this.conf = conf;
        this.fault = fault;
        this.tokensWritten = tokensWritten;
    }

    @Override
    public Iterator<ShardResult> call(Integer shard, Iterator<Tuple2<Long, ShardPiece>> pieces) throws IOException {
        ShardPlan p = plan.value();
        TaskContext tc = TaskContext.get();
        String attempt = tc == null ? "driver"
                : "stage" + tc.stageId() + "." + tc.stageAttemptNumber() + "-task" + tc.taskAttemptId() + "." + tc.attemptNumber();
        Path dir = new Path(tmpDir);
        Path tmpTokens = new Path(dir, split + "-" + ShardLayout.tokensFile(shard) + "." + attempt);
        Path tmpDocs = new Path(dir, split + "-" + ShardLayout.docsFile(shard) + "." + attempt);
        FileSystem fs = Fs.of(dir, conf.value().get());

        long expectedTokens = p.numTokens(shard);
        long expectedDocs = p.numDocs(shard);
        long nextDoc = p.firstDoc(shard);
        long tokens = 0;
        long unknown = 0;
        NpyArrayWriter tw = new NpyArrayWriter(create(fs, tmpTokens), tokensDescr, expectedTokens);
        NpyArrayWriter dw = new NpyArrayWriter(create(fs, tmpDocs), "<i8", expectedDocs + 1);
        try (tw; dw) {
            dw.writeLong(0);
            while (pieces.hasNext()) {
                Tuple2<Long, ShardPiece> t = pieces.next();
                if (t._1() != nextDoc) {
                    throw new IllegalStateException("shard " + shard + " of " + split + ": expected document " + nextDoc
                            + " but got " + t._1() + " (documents lost or duplicated)");
                }
                ShardPiece piece = t._2();
                tw.writeEncoded(piece.tokens(), 0, piece.tokens().length);
                for (int len : piece.docLengths()) {
                    tokens += len;
                    dw.writeLong(tokens);
                }
                unknown += piece.unknownTokens();
                nextDoc += piece.numDocs();
            }
            if (tokens != expectedTokens || nextDoc != p.firstDoc(shard) + expectedDocs) {
                throw new IllegalStateException("shard " + shard + " of " + split + ": planned " + expectedDocs + " documents / "
                        + expectedTokens + " tokens, got " + (nextDoc - p.firstDoc(shard)) + " / " + tokens);
            }
        }
        tokensWritten.add(tokens);
        fault.afterTaskWork(split + "-write");
        return List.of(new ShardResult(shard, tmpTokens.toString(), tmpDocs.toString(), tokens, expectedDocs,
                tw.crc32c(), dw.crc32c(), unknown, attempt)).iterator();
    }

    private static BufferedOutputStream create(FileSystem fs, Path p) throws IOException {
        return new BufferedOutputStream(fs.createNonRecursive(p, false, 1 << 16, fs.getDefaultReplication(p),
                fs.getDefaultBlockSize(p), null), 1 << 20);
    }
}
