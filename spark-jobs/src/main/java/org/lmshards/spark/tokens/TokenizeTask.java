package org.lmshards.spark.tokens;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;

import org.apache.spark.api.java.function.FlatMapFunction;
import org.apache.spark.util.LongAccumulator;
import org.lmshards.core.tokenize.ChunkMemo;
import org.lmshards.core.tokenize.FastaiTokenizer;
import org.lmshards.spark.FaultInjection;
import org.lmshards.spark.csv.ParsedRow;
import org.lmshards.spark.csv.Reject;

/** Tokenizes a partition's rows with core's tokenizer into {@link TokenBlock}s of about {@value #BLOCK_TOKENS} tokens. */
public final class TokenizeTask implements FlatMapFunction<Iterator<ParsedRow>, TokenBlock> {
    private static final long serialVersionUID = 1L;
    static final int BLOCK_TOKENS = 1 << 22;

    private final String stage;
    private final FaultInjection fault;
    private final LongAccumulator tokensOut;

    public TokenizeTask(String stage, FaultInjection fault, LongAccumulator tokensOut) {
        this.stage = stage;
        this.fault = fault;
        this.tokensOut = tokensOut;
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
        return new Iterator<>() {
            private final ChunkIdMemo memo = new ChunkIdMemo(ChunkMemo.DEFAULT_MAX_ENTRIES);
            private boolean done;

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
                List<Integer> files = new ArrayList<>();
                List<Long> ordinals = new ArrayList<>();
                List<Integer> ends = new ArrayList<>();
                List<Reject> rejects = new ArrayList<>();
                BlockEncoder encoder = new BlockEncoder(tokenizer, BLOCK_TOKENS + (1 << 16), memo);
                while (rows.hasNext() && encoder.size() < BLOCK_TOKENS) {
                    ParsedRow r = rows.next();
                    if (!r.accepted()) {
                        rejects.add(new Reject(r.file(), r.row(), r.line(), r.reject()));
                        continue;
                    }
                    encoder.add(r.text());
                    ends.add(encoder.size());
                    files.add(r.file());
                    ordinals.add(r.ordinal());
                }
                tokensOut.add(encoder.size());
                return new TokenBlock(encoder.strings(), encoder.counts(), files.stream().mapToInt(Integer::intValue).toArray(),
                        ordinals.stream().mapToLong(Long::longValue).toArray(), ends.stream().mapToInt(Integer::intValue).toArray(),
                        encoder.ids(), rejects);
            }
        };
    }
}
