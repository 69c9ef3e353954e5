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

    /** A growable int array for one block's token ids (sized for a whole block: allocated once per block). */
    private static final class IdBuffer {
        private int[] a;
        private int size;

        IdBuffer(int capacity) {
            a = new int[capacity];
        }

        void add(int id) {
            if (size == a.length) {
                if (a.length == Integer.MAX_VALUE - 8) {
                    throw new IllegalStateException("a block of more than 2^31 tokens (one document that large?)");
                }
                a = Arrays.copyOf(a, (int) Math.min(Integer.MAX_VALUE - 8, 2L * a.length));
            }
            a[size++] = id;
        }

        int[] toArray() {
            return size == a.length ? a : Arrays.copyOf(a, size);
        }
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
                List<Integer> files = new ArrayList<>();
                List<Long> ordinals = new ArrayList<>();
                List<Integer> ends = new ArrayList<>();
                List<Reject> rejects = new ArrayList<>();
                IdBuffer ids = new IdBuffer(BLOCK_TOKENS + (1 << 16));
                while (rows.hasNext() && ids.size < BLOCK_TOKENS) {
                    ParsedRow r = rows.next();
                    if (!r.accepted()) {
                        rejects.add(new Reject(r.file(), r.row(), r.line(), r.reject()));
                        continue;
                    }
                    tokenizer.tokenize(r.text(), tok -> ids.add(table.id(tok)));
                    ends.add(ids.size);
                    files.add(r.file());
                    ordinals.add(r.ordinal());
                }
                tokensOut.add(ids.size);
                return new TokenBlock(table.toStrings(), table.counts(), files.stream().mapToInt(Integer::intValue).toArray(),
                        ordinals.stream().mapToLong(Long::longValue).toArray(), ends.stream().mapToInt(Integer::intValue).toArray(),
                        ids.toArray(), rejects);
            }
        };
    }
}
