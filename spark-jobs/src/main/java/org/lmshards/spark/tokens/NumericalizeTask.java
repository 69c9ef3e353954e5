package org.lmshards.spark.tokens;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Collections;
import java.util.Iterator;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.concurrent.ConcurrentHashMap;

import org.apache.spark.api.java.function.PairFlatMapFunction;
import org.apache.spark.broadcast.Broadcast;
import org.lmshards.core.vocab.Vocabulary;
import org.lmshards.spark.shard.ShardPlan;
import scala.Tuple2;

/**
 * Maps each cached document to (global document number, global token ids): translates each
 * block's string table through the broadcast vocabulary once, then its documents.
 */
public final class NumericalizeTask implements PairFlatMapFunction<Iterator<TokenBlock>, Long, int[]> {
    private static final long serialVersionUID = 1L;
    private static final Map<Long, Vocabulary> VOCABS = new ConcurrentHashMap<>();

    private final Broadcast<byte[]> vocabJson;
    private final Broadcast<ShardPlan> plan;

    public NumericalizeTask(Broadcast<byte[]> vocabJson, Broadcast<ShardPlan> plan) {
        this.vocabJson = vocabJson;
        this.plan = plan;
    }

    /** The broadcast vocabulary, parsed once per executor JVM with core's reader (the same rules as every reader). */
    static Vocabulary vocabulary(Broadcast<byte[]> json) {
        long id = json.id();
        Vocabulary v = VOCABS.get(id);
        if (v == null) {
            try {
                v = Vocabulary.read(new ByteArrayInputStream(json.value()), "broadcast vocab.json");
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            VOCABS.keySet().removeIf(k -> k < id);   // an earlier job's vocabulary is no longer needed
            Vocabulary raced = VOCABS.putIfAbsent(id, v);
            if (raced != null) {
                v = raced;
            }
        }
        return v;
    }

    @Override
    public Iterator<Tuple2<Long, int[]>> call(Iterator<TokenBlock> blocks) {
        if (!blocks.hasNext()) {
            return Collections.emptyIterator();
        }
        Vocabulary vocab = vocabulary(vocabJson);
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
                    map = new int[block.table().size()];
                    for (int i = 0; i < map.length; i++) {
                        map[i] = vocab.id(block.table().get(i));
                    }
                }
                return true;
            }

            @Override
            public Tuple2<Long, int[]> next() {
                if (!hasNext()) {
                    throw new NoSuchElementException();
                }
                int[] local = block.ids();
                int start = block.docStart(next);
                int[] ids = new int[block.docEnds()[next] - start];
                for (int i = 0; i < ids.length; i++) {
                    ids[i] = map[local[start + i]];
                }
                long doc = p.docNumber(block.files()[next], block.ordinals()[next]);
                next++;
                return new Tuple2<>(doc, ids);
            }
        };
    }
}
