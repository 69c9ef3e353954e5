package org.lmshards.spark.tokens;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;

import org.apache.spark.TaskContext;
import org.apache.spark.api.java.function.FlatMapFunction;
import org.apache.spark.util.LongAccumulator;
import org.lmshards.core.tokenize.ChunkMemo;
import org.lmshards.core.tokenize.FastaiTokenizer;
import org.lmshards.spark.support.FaultInjection;
import org.lmshards.spark.csv.ParsedRow;
import org.lmshards.spark.csv.Reject;
import org.lmshards.spark.csv.RejectSpool;

/**
 * Tokenizes a partition's rows with core's tokenizer into {@link TokenBlock}s of about
 * {@value #BLOCK_TOKENS} tokens; rejected rows go to a {@link RejectSpool} file per block.
 */
public final class TokenizeTask implements FlatMapFunction<Iterator<ParsedRow>, TokenBlock> {
    private static final long serialVersionUID = 1L;
    static final int BLOCK_TOKENS = 1 << 22;

    private final String stage;
    private final FaultInjection fault;
    private final LongAccumulator tokensOut;
    private final RejectSpool rejectSpool;

    public TokenizeTask(String stage, FaultInjection fault, LongAccumulator tokensOut, RejectSpool rejectSpool) {
        this.stage = stage;
        this.fault = fault;
        this.tokensOut = tokensOut;
        this.rejectSpool = rejectSpool;
    }

    /** One tokenizer per executor JVM: it is immutable and thread-safe. */
    private static final class Holder {
        static final FastaiTokenizer TOKENIZER = FastaiTokenizer.defaults();
    }

    public static FastaiTokenizer tokenizer() {
        return Holder.TOKENIZER;
    }

    @Override
    public Iterator<TokenBlock> call(Iterator<ParsedRow> rows) {
        FastaiTokenizer tokenizer = tokenizer();
        TaskContext tc = TaskContext.get();
        // Attempt-unique spool names: a retried or recomputed task never touches a file the driver may keep.
        String attempt = tc == null ? "p0-driver" : "p" + tc.partitionId() + "-task" + tc.taskAttemptId();
        return new Iterator<>() {
            private final ChunkIdMemo memo = new ChunkIdMemo(ChunkMemo.DEFAULT_MAX_ENTRIES);
            private boolean done;
            private int block;

            @Override
            public boolean hasNext() {
                if (!done && !rows.hasNext()) {
                    done = true;
                    fault.afterTaskWork(stage);
                }
                return !done;
            }

            @Override
            public TokenBlock next() {
                if (!hasNext()) {
                    throw new NoSuchElementException();
                }
                List<Integer> units = new ArrayList<>();
                List<Long> ordinals = new ArrayList<>();
                List<Integer> ends = new ArrayList<>();
                RejectSpool.BlockRejects rejects = rejectSpool.open(attempt + "-b" + block++ + ".csv");
                BlockEncoder encoder = new BlockEncoder(tokenizer, BLOCK_TOKENS + (1 << 16), memo);
                while (rows.hasNext() && encoder.size() < BLOCK_TOKENS) {
                    ParsedRow r = rows.next();
                    if (!r.accepted()) {
                        rejects.add(new Reject(r.unit(), r.row(), r.line(), r.reject()));
                        continue;
                    }
                    encoder.add(r.text());
                    ends.add(encoder.size());
                    units.add(r.unit());
                    ordinals.add(r.ordinal());
                }
                tokensOut.add(encoder.size());
                return new TokenBlock(encoder.strings(), encoder.counts(), units.stream().mapToInt(Integer::intValue).toArray(),
                        ordinals.stream().mapToLong(Long::longValue).toArray(), ends.stream().mapToInt(Integer::intValue).toArray(),
                        encoder.ids(), rejects.finish());
            }
        };
    }
}
