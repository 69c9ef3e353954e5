package org.lmshards.core.shard;

import org.lmshards.core.ShardFormatException;
import java.io.Closeable;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import org.lmshards.core.vocab.Vocabulary;

/**
 * A complete dataset directory (docs/FORMAT.md): resolves its current generation through the
 * manifest (format 2; a format-1 dataset requires {@code _SUCCESS}), reads vocab.json and lists
 * the splits; {@link #split} opens a split as a {@link TokenStore}. Closing closes the stores
 * opened through it. Thread-safe.
 */
public final class Dataset implements Closeable {
    private final Path dir;
    private final DatasetRoot root;
    private final Vocabulary vocab;
    private final List<String> splits;
    private final long maxMapBytes;
    private final List<TokenStore> opened = new ArrayList<>();

    private Dataset(DatasetRoot root, Vocabulary vocab, List<String> splits, long maxMapBytes) {
        this.dir = root.dataset();
        this.root = root;
        this.vocab = vocab;
        this.splits = splits;
        this.maxMapBytes = maxMapBytes;
    }

    /** Opens the dataset at {@code datasetDir}; fails with {@link ShardFormatException} if incomplete or malformed. */
    public static Dataset open(Path datasetDir) throws IOException {
        return open(datasetDir, TokenStore.DEFAULT_MAX_MAP_BYTES);
    }

    static Dataset open(Path datasetDir, long maxMapBytes) throws IOException {
        DatasetRoot root = DatasetRoot.resolve(datasetDir);
        root.checkSizes();
        Vocabulary vocab = Vocabulary.read(root.file(ShardLayout.VOCAB));
        List<String> splits = root.splits();
        if (!splits.contains(ShardLayout.TRAIN)) {
            throw new ShardFormatException(root.file(ShardLayout.TRAIN).toString(),
                    "missing split: every dataset has a '" + ShardLayout.TRAIN + "' split");
        }
        return new Dataset(root, vocab, List.copyOf(splits), maxMapBytes);
    }

    static void requireSuccess(Path datasetDir) throws ShardFormatException {
        if (!Files.exists(datasetDir)) {
            throw new ShardFormatException(datasetDir.toString(), "no such directory");
        }
        if (!Files.isDirectory(datasetDir)) {
            throw new ShardFormatException(datasetDir.toString(), "not a directory: no dataset here");
        }
        Path success = datasetDir.resolve(ShardLayout.SUCCESS);
        if (!Files.isRegularFile(success) && !Files.exists(datasetDir.resolve(ShardLayout.META))
                && !Files.exists(datasetDir.resolve(ShardLayout.VOCAB))) {
            // Not a half-written dataset but no dataset at all, most often the raw corpus itself.
            throw new ShardFormatException(datasetDir.toString(), "not a dataset (no " + ShardLayout.META + ", "
                    + ShardLayout.VOCAB + " or " + ShardLayout.SUCCESS + ")" + (holdsCsv(datasetDir)
                    ? "; it holds CSV files: did you mean to preprocess them with ./submit.sh --train " + datasetDir
                            + " --output cache/NAME?" : ""));
        }
        if (!Files.isRegularFile(success)) {
            throw new ShardFormatException(success.toString(),
                    "_SUCCESS missing: the dataset is incomplete (its writer did not finish)");
        }
    }

    private static boolean holdsCsv(Path dir) {
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir, "*.{csv,CSV}")) {
            return ds.iterator().hasNext();
        } catch (IOException e) {
            return false; // only a hint in a message
        }
    }

    public Vocabulary vocab() {
        return vocab;
    }

    /** Split names in sorted order (always including {@code train}). */
    public List<String> splits() {
        return splits;
    }

    /** Whether the dataset has split {@code name}. */
    public boolean hasSplit(String name) {
        return splits.contains(name);
    }

    /** Opens split {@code name}, validating it (cheap checks). */
    public TokenStore split(String name) throws IOException {
        if (!splits.contains(name)) {
            throw new ShardFormatException(dir.resolve(name).toString(), "missing split: '" + name
                    + "' does not exist (the dataset has " + splits + ")");
        }
        TokenStore t = TokenStore.open(root.root(), name, vocab.size(), maxMapBytes);
        synchronized (opened) {
            opened.add(t);
        }
        return t;
    }

    /** The dataset directory, as given. */
    public Path dir() {
        return dir;
    }

    /** Where the opened generation's files are, and its manifest (null for a format-1 dataset). */
    public DatasetRoot root() {
        return root;
    }

    @Override
    public void close() {
        synchronized (opened) {
            opened.forEach(TokenStore::close);
            opened.clear();
        }
    }
}
