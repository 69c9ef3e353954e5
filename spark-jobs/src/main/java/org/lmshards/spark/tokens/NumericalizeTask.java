package org.lmshards.spark.tokens;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.util.Collections;
import java.util.Iterator;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.concurrent.ConcurrentHashMap;

import org.apache.spark.api.java.function.PairFlatMapFunction;
import org.apache.spark.broadcast.Broadcast;
import org.lmshards.core.shard.TokenDtype;
import org.lmshards.core.vocab.Vocabulary;
import org.lmshards.spark.shard.ShardPiece;
import org.lmshards.spark.shard.ShardPlan;
import scala.Tuple2;

/**
 * Maps each cached block to {@link ShardPiece}s keyed by global document number: translates the
 * block's string table through the broadcast vocabulary once, then encodes the ids of each run
 * of consecutive documents of one shard in the split's dtype. A block read from one input range
 * holds one or two runs; rows spread by a repartition give one piece per document.
 */
public final class NumericalizeTask implements PairFlatMapFunction<Iterator<TokenBlock>, Long, ShardPiece> {
    private static final long serialVersionUID = 1L;
    private static final Map<Long, Utf8Vocabulary> VOCABS = new ConcurrentHashMap<>();
    private static final VarHandle SHORT_LE = MethodHandles.byteArrayViewVarHandle(short[].class, ByteOrder.LITTLE_ENDIAN);
    private static final VarHandle INT_LE = MethodHandles.byteArrayViewVarHandle(int[].class, ByteOrder.LITTLE_ENDIAN);

    private final Broadcast<byte[]> vocabJson;
    private final Broadcast<ShardPlan> plan;
    private final TokenDtype dtype;

    public NumericalizeTask(Broadcast<byte[]> vocabJson, Broadcast<ShardPlan> plan, TokenDtype dtype) {
        this.vocabJson = vocabJson;
        this.plan = plan;
        this.dtype = dtype;
    }

    /**
     * The broadcast vocabulary, parsed once per executor JVM with core's reader (the same rules
     * as every reader) and indexed by UTF-8 bytes.
     */
    static Utf8Vocabulary vocabulary(Broadcast<byte[]> json) {
        long id = json.id();
        Utf8Vocabulary v = VOCABS.get(id);
        if (v == null) {
            try {
                v = new Utf8Vocabulary(Vocabulary.read(new ByteArrayInputStream(json.value()), "broadcast vocab.json"));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            VOCABS.keySet().removeIf(k -> k < id);   // an earlier job's vocabulary is no longer needed
            Utf8Vocabulary raced = VOCABS.putIfAbsent(id, v);
            if (raced != null) {
                v = raced;
            }
        }
        return v;
    }

    @Override
    public Iterator<Tuple2<Long, ShardPiece>> call(Iterator<TokenBlock> blocks) {
        if (!blocks.hasNext()) {
            return Collections.emptyIterator();
        }
        Utf8Vocabulary vocab = vocabulary(vocabJson);
        ShardPlan p = plan.value();
        return new Iterator<>() {
            private TokenBlock block;
            private int[] map;
            private int next;

            @Override
            public boolean hasNext() {
                while (block == null || next == block.numDocs()) {
                    if (!blocks.hasNext()) {
                        return false;
                    }
                    block = blocks.next();
                    next = 0;
                    TokenStrings table = block.table();
                    map = new int[table.size()];
                    for (int i = 0; i < map.length; i++) {
                        map[i] = table.idIn(vocab, i);
                    }
                }
                return true;
            }

            @Override
            public Tuple2<Long, ShardPiece> next() {
                if (!hasNext()) {
                    throw new NoSuchElementException();
                }
                long first = docNumber(next);
                int shard = p.shardOf(first);
                long shardEnd = p.firstDoc(shard) + p.numDocs(shard);
                int last = next + 1;   // exclusive: extend while the documents stay consecutive and in this shard
                while (last < block.numDocs() && docNumber(last) == first + (last - next) && first + (last - next) < shardEnd) {
                    last++;
                }
                ShardPiece piece = encode(next, last);
                next = last;
                return new Tuple2<>(first, piece);
            }

            private long docNumber(int d) {
                return p.docNumber(block.files()[d], block.ordinals()[d]);
            }

            private ShardPiece encode(int from, int to) {
                int[] local = block.ids();
                int start = block.docStart(from);
                int end = block.docStart(to);
                byte[] out = new byte[Math.multiplyExact(end - start, dtype.bytes())];
                long unknown = 0;
                boolean narrow = dtype == TokenDtype.UINT16;
                for (int i = start, o = 0; i < end; i++) {
                    int id = map[local[i]];
                    if (id == 0) {   // xxunk
                        unknown++;
                    }
                    if (narrow) {
                        SHORT_LE.set(out, o, (short) id);
                        o += 2;
                    } else {
                        INT_LE.set(out, o, id);
                        o += 4;
                    }
                }
                int[] lengths = new int[to - from];
                for (int d = from; d < to; d++) {
                    lengths[d - from] = block.length(d);
                }
                return new ShardPiece(lengths, out, unknown);
            }
        };
    }
}
