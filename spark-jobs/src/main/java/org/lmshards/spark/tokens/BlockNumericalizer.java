package org.lmshards.spark.tokens;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import org.apache.spark.broadcast.Broadcast;
import org.lmshards.core.shard.NpyArrayWriter;
import org.lmshards.core.shard.TokenDtype;
import org.lmshards.core.vocab.Vocabulary;

/**
 * Writes documents of cached {@link TokenBlock}s as vocabulary ids in the split's dtype
 * (little-endian {@code <u2} or {@code <i4}). A block's string table maps to vocabulary ids by
 * the entries' UTF-8 bytes ({@link Utf8Vocabulary}), each entry when a token first needs it, so
 * a shard task that writes only part of a block looks up only what that part uses. Not
 * thread-safe: one per task.
 */
public final class BlockNumericalizer {
    private static final Map<Long, Utf8Vocabulary> VOCABS = new ConcurrentHashMap<>();
    private static final VarHandle SHORT_LE = MethodHandles.byteArrayViewVarHandle(short[].class, ByteOrder.LITTLE_ENDIAN);
    private static final VarHandle INT_LE = MethodHandles.byteArrayViewVarHandle(int[].class, ByteOrder.LITTLE_ENDIAN);
    private static final int BUFFER_BYTES = 1 << 18;

    private final Utf8Vocabulary vocab;
    private final boolean narrow;
    private final int itemBytes;
    private final byte[] buffer = new byte[BUFFER_BYTES];
    private TokenBlock mapped;
    private int[] map;

    /** Ids from the broadcast {@code vocab.json}, written as {@code dtype}. */
    public BlockNumericalizer(Broadcast<byte[]> vocabJson, TokenDtype dtype) {
        this(vocabulary(vocabJson), dtype);
    }

    BlockNumericalizer(Utf8Vocabulary vocab, TokenDtype dtype) {
        this.vocab = vocab;
        this.narrow = dtype == TokenDtype.UINT16;
        this.itemBytes = dtype.bytes();
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

    /**
     * Writes the ids of documents {@code [from, to)} of {@code block} to {@code out}; returns how
     * many of them are {@code xxunk} (id 0).
     */
    public long write(TokenBlock block, int from, int to, NpyArrayWriter out) {
        if (block != mapped) {
            mapped = block;
            if (map == null || map.length < block.table().size()) {
                map = new int[block.table().size()];
            }
            Arrays.fill(map, 0, block.table().size(), -1);
        }
        TokenStrings table = block.table();
        int[] local = block.ids();
        int end = block.docStart(to);
        long unknown = 0;
        int o = 0;
        for (int i = block.docStart(from); i < end; i++) {
            int l = local[i];
            int id = map[l];
            if (id < 0) {
                id = table.idIn(vocab, l);
                map[l] = id;
            }
            if (id == 0) {
                unknown++;
            }
            if (narrow) {
                SHORT_LE.set(buffer, o, (short) id);
            } else {
                INT_LE.set(buffer, o, id);
            }
            o += itemBytes;
            if (o == buffer.length) {
                out.writeEncoded(buffer, 0, o);
                o = 0;
            }
        }
        out.writeEncoded(buffer, 0, o);
        return unknown;
    }
}
