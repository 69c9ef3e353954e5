package org.lmshards.core.shard;

import org.lmshards.core.ShardFormatException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.zip.CRC32C;

/**
 * The full check of a dataset (docs/FORMAT.md, "What a reader checks"): everything
 * {@link TokenStore#open} checks, for every split, then every byte: each file's CRC32C against
 * meta.json, every token id {@code < vocab_size}, every document index (starts at 0, strictly
 * increasing, ends at the shard's token count). In a format-2 dataset also every file the
 * manifest lists: its size and CRC32C ({@code vocab.json}, the {@code meta.json} files, the
 * rejects; a shard's manifest checksum must equal its {@code meta.json} checksum, which the
 * shard's full read checks).
 */
public final class DatasetVerifier {
    private static final int CHUNK = 64 * 1024;

    private DatasetVerifier() {
    }

    /** Called before a split's full read; the point where tests swap the dataset. */
    @FunctionalInterface
    interface SplitHook {
        void beforeFullRead(String split) throws IOException;
    }

    /**
     * Verifies the dataset; throws {@link ShardFormatException} on the first problem. A rebuild
     * swapping the dataset during the check is not corruption: the check is repeated on the new
     * generation ({@link DatasetGeneration}).
     */
    public static VerifyReport verify(Path datasetDir) throws IOException {
        return verify(datasetDir, TokenStore.DEFAULT_MAX_MAP_BYTES);
    }

    static VerifyReport verify(Path datasetDir, long maxMapBytes) throws IOException {
        return verify(datasetDir, maxMapBytes, split -> { });
    }

    static VerifyReport verify(Path datasetDir, long maxMapBytes, SplitHook hook) throws IOException {
        return DatasetGeneration.read(datasetDir, () -> verifyOnce(datasetDir, maxMapBytes, hook));
    }

    private static VerifyReport verifyOnce(Path datasetDir, long maxMapBytes, SplitHook hook) throws IOException {
        Map<String, Long> tokens = new LinkedHashMap<>();
        Map<String, Long> docs = new LinkedHashMap<>();
        int shards = 0;
        int vocabSize;
        int[] buf = new int[CHUNK];
        try (Dataset ds = Dataset.open(datasetDir, maxMapBytes)) {
            vocabSize = ds.vocab().size();
            checkManifestFiles(ds);
            // open every split first: the cheap checks fail fast before any full read
            for (String split : ds.splits()) {
                ds.split(split).close();
            }
            for (String split : ds.splits()) {
                try (TokenStore t = ds.split(split)) {
                    hook.beforeFullRead(split);
                    for (int s = 0; s < t.numShards(); s++) {
                        verifyShard(t, s, buf);
                    }
                    tokens.put(split, t.size());
                    docs.put(split, t.numDocs());
                    shards += t.numShards();
                }
            }
        }
        return new VerifyReport(tokens, docs, vocabSize, shards);
    }

    /** Files other than shards against the manifest by reading them; shards by comparing the two recorded checksums. */
    private static void checkManifestFiles(Dataset ds) throws IOException {
        DatasetRoot root = ds.root();
        if (root.isFormat1()) {
            return;
        }
        Map<String, Long> shardCrcs = new java.util.HashMap<>();
        for (String split : ds.splits()) {
            try (TokenStore t = ds.split(split)) {
                for (ShardMeta sm : t.meta().shards()) {
                    shardCrcs.put(split + "/" + sm.tokensFile(), sm.tokensCrc32c());
                    shardCrcs.put(split + "/" + sm.docsFile(), sm.docsCrc32c());
                }
            }
        }
        String manifestName = root.manifestFile().getFileName().toString();
        for (DatasetManifest.Entry e : root.manifest().files()) {
            Long metaCrc = shardCrcs.get(e.path());
            long actual = metaCrc != null ? metaCrc : crc32c(root.file(e.path()));
            if (actual != e.crc32c()) {
                throw new ShardFormatException(root.file(e.path()).toString(), "checksum mismatch: "
                        + (metaCrc != null ? "meta.json says CRC32C " : "CRC32C ") + actual + " but " + manifestName
                        + " says " + e.crc32c());
            }
        }
    }

    private static void verifyShard(TokenStore t, int s, int[] buf) throws IOException {
        ShardMeta sm = t.meta().shards().get(s);
        checkCrc(t.tokensFile(s), sm.tokensCrc32c());
        checkCrc(t.docsFile(s), sm.docsCrc32c());
        // ids
        int vocab = t.vocabSize();
        long first = t.shardFirstToken(s);
        for (long pos = 0; pos < sm.numTokens(); ) {
            int n = (int) Math.min(CHUNK, sm.numTokens() - pos);
            t.read(first + pos, buf, 0, n);
            for (int i = 0; i < n; i++) {
                int id = buf[i];
                if (id < 0 || id >= vocab) {
                    throw new ShardFormatException(t.tokensFile(s).toString(), "id out of range: " + id
                            + " at token offset " + (pos + i) + " (split offset " + (first + pos + i)
                            + ") is not < vocab size " + vocab);
                }
            }
            pos += n;
        }
        // document index
        MappedArray d = t.docIndex(s);
        long prev = d.getLong(0);
        if (prev != 0) {
            throw new ShardFormatException(t.docsFile(s).toString(), "bad document index: offsets[0] is " + prev
                    + ", expected 0");
        }
        for (long i = 1; i < d.length; i++) {
            long v = d.getLong(i);
            if (v <= prev) {
                throw new ShardFormatException(t.docsFile(s).toString(), "bad document index: offsets[" + i + "] = "
                        + v + " is not greater than offsets[" + (i - 1) + "] = " + prev);
            }
            prev = v;
        }
        if (prev != sm.numTokens()) {
            throw new ShardFormatException(t.docsFile(s).toString(), "bad document index: last offset " + prev
                    + " is not the token count " + sm.numTokens());
        }
    }

    private static void checkCrc(Path file, long expected) throws IOException {
        long actual = crc32c(file);
        if (actual != expected) {
            throw new ShardFormatException(file.toString(), "checksum mismatch: CRC32C " + actual
                    + " but meta.json says " + expected);
        }
    }

    /** CRC32C of a whole file. */
    public static long crc32c(Path file) throws IOException {
        CRC32C crc = new CRC32C();
        ByteBuffer b = ByteBuffer.allocate(CHUNK * 4);
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            while (ch.read(b) >= 0) {
                b.flip();
                crc.update(b);
                b.clear();
            }
        }
        return crc.getValue();
    }
}
