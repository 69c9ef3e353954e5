package org.lmshards.spark.tokens;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;

import org.apache.spark.api.java.function.FlatMapFunction;
import org.apache.spark.util.LongAccumulator;
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
                TokenTable table = new TokenTable();
                List<int[]> docs = new ArrayList<>();
                List<Integer> files = new ArrayList<>();
                List<Long> ordinals = new ArrayList<>();
                List<Reject> rejects = new ArrayList<>();
                long tokens = 0;
                int[] buf = new int[4096];
                int[] n = new int[1];
                while (rows.hasNext() && tokens < BLOCK_TOKENS) {
                    ParsedRow r = rows.next();
                    if (!r.accepted()) {
                        rejects.add(new Reject(r.file(), r.row(), r.line(), r.reject()));
                        continue;
                    }
                    n[0] = 0;
                    int[][] holder = {buf};
                    tokenizer.tokenize(r.text(), tok -> {
                        int id = table.id(tok);
                        if (n[0] == holder[0].length) {
                            holder[0] = Arrays.copyOf(holder[0], holder[0].length * 2);
                        }
                        holder[0][n[0]++] = id;
                    });
                    buf = holder[0];
                    docs.add(Arrays.copyOf(buf, n[0]));
                    files.add(r.file());
                    ordinals.add(r.ordinal());
                    tokens += n[0];
                }
                tokensOut.add(tokens);
                return new TokenBlock(table.toArray(), table.counts(), files.stream().mapToInt(Integer::intValue).toArray(),
                        ordinals.stream().mapToLong(Long::longValue).toArray(), docs.toArray(new int[0][]), rejects);
            }
        };
    }
}
