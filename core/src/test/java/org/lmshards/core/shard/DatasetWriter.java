package org.lmshards.core.shard;

import org.lmshards.core.io.LocalFiles;
import java.io.Closeable;
import java.io.IOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ThreadLocalRandom;

import org.lmshards.core.LmShardsVersion;
import org.lmshards.core.vocab.Vocabulary;

/**
 * Writes a dataset (docs/FORMAT.md, version 1) on the local filesystem: a test fixture, shared
 * through core's test-jar with the other modules' tests and the benchmarks' synthetic datasets.
 * Datasets for training come from the Spark job only. Everything is staged in a hidden sibling directory of {@code datasetDir};
 * {@link #commit} writes vocab.json, the meta.json files and {@code _SUCCESS} (last), then moves
 * the staging directory into place, so an existing dataset at {@code datasetDir} stays intact
 * until the new one is complete. {@link #close()} without a commit deletes the staging directory.
 *
 * <p>The swap is two renames (old dataset aside, new one in); a crash exactly between them leaves
 * the complete old dataset in {@code .NAME.old-*} and the complete new one in
 * {@code .NAME.staging-*}, never a half-written dataset under {@code datasetDir}. A non-empty
 * directory that is not a dataset is never replaced. Not thread-safe.
 */
public final class DatasetWriter implements Closeable {
    private final Path datasetDir;
    private final Path staging;
    private final Vocabulary vocab;
    private final long shardTokens;
    private final Map<String, SplitWriter> splits = new LinkedHashMap<>();
    private boolean committed;
    private boolean closed;

    private DatasetWriter(Path datasetDir, Path staging, Vocabulary vocab, long shardTokens) {
        this.datasetDir = datasetDir;
        this.staging = staging;
        this.vocab = vocab;
        this.shardTokens = shardTokens;
    }

    /**
     * Starts a dataset that will replace {@code datasetDir} on {@link #commit}.
     *
     * @param shardTokens a shard is closed at the first document boundary at or past this many tokens
     */
    public static DatasetWriter create(Path datasetDir, Vocabulary vocab, long shardTokens) throws IOException {
        Objects.requireNonNull(vocab, "vocab");
        if (shardTokens < 1) {
            throw new IllegalArgumentException("shardTokens must be positive: " + shardTokens);
        }
        Path dir = datasetDir.toAbsolutePath().normalize();
        Path parent = dir.getParent();
        if (parent == null) {
            throw new IllegalArgumentException("dataset directory cannot be the filesystem root");
        }
        checkReplaceable(dir);
        Files.createDirectories(parent);
        Path staging = parent.resolve("." + dir.getFileName() + ".staging-" + randomHex());
        Files.createDirectory(staging);
        return new DatasetWriter(dir, staging, vocab, shardTokens);
    }

    /** Starts split {@code name} (e.g. {@code train}, {@code valid}); each name once. */
    public SplitWriter split(String name) throws IOException {
        checkOpen();
        if (!ShardLayout.isSplitName(name)) {
            throw new IllegalArgumentException("invalid split name '" + name + "' (must match "
                    + ShardLayout.SPLIT_NAME.pattern() + " and not be " + ShardLayout.REJECTS + ")");
        }
        if (splits.containsKey(name)) {
            throw new IllegalStateException("split " + name + " already started");
        }
        Path dir = Files.createDirectory(staging.resolve(name));
        SplitWriter w = new SplitWriter(name, dir, vocab.size(), shardTokens);
        splits.put(name, w);
        return w;
    }

    /**
     * Completes the dataset: closes open shards, writes vocab.json, every split's meta.json,
     * then {@code _SUCCESS}, fsyncs, and moves it into place (replacing any old dataset).
     *
     * @param tokenizer meta.json's {@code tokenizer} ({@code name} and {@code settings})
     * @param source    meta.json's {@code source} (see {@link SourceFile#fingerprint})
     * @param settings  meta.json's {@code settings}
     */
    public void commit(Map<String, Object> tokenizer, Map<String, Object> source, Map<String, Object> settings)
            throws IOException {
        checkOpen();
        if (!splits.containsKey(ShardLayout.TRAIN)) {
            throw new IllegalStateException("a dataset needs a '" + ShardLayout.TRAIN + "' split");
        }
        String createdAt = Instant.now().truncatedTo(ChronoUnit.MILLIS).toString();
        String toolVersion = LmShardsVersion.get();
        vocab.write(staging.resolve(ShardLayout.VOCAB));
        long vocabCrc = VocabChecksum.of(Files.readAllBytes(staging.resolve(ShardLayout.VOCAB)));
        for (SplitWriter w : splits.values()) {
            SplitMeta meta = w.finish(tokenizer, source, settings, createdAt, toolVersion);
            java.io.ByteArrayOutputStream json = new java.io.ByteArrayOutputStream();
            meta.write(json);
            byte[] withChecksum = VocabChecksum.addTo(json.toByteArray(), vocabCrc);
            LocalFiles.writeAtomically(w.dir().resolve(ShardLayout.META), out -> out.write(withChecksum));
        }
        LocalFiles.writeAtomically(staging.resolve(ShardLayout.SUCCESS), out -> { });
        LocalFiles.fsyncDirectory(staging);
        swapIntoPlace();
        committed = true;
        closed = true;
    }

    /**
     * Refuses to replace a directory that is neither empty nor a dataset (one with
     * {@code _SUCCESS} or {@code vocab.json}, complete or not): a mistyped output path must not
     * delete unrelated files.
     */
    private static void checkReplaceable(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        if (!Files.isDirectory(dir)) {
            throw new IOException("cannot write a dataset to " + dir + ": it exists and is not a directory");
        }
        boolean empty;
        try (var s = Files.list(dir)) {
            empty = s.findAny().isEmpty();
        }
        if (!empty && !Files.exists(dir.resolve(ShardLayout.SUCCESS)) && !Files.exists(dir.resolve(ShardLayout.VOCAB))) {
            throw new IOException("refusing to replace " + dir + ": it is not empty and not a dataset"
                    + " (no " + ShardLayout.SUCCESS + " or " + ShardLayout.VOCAB + ")");
        }
    }

    private void swapIntoPlace() throws IOException {
        checkReplaceable(datasetDir);
        Path parent = datasetDir.getParent();
        Path old = null;
        if (Files.exists(datasetDir)) {
            old = parent.resolve("." + datasetDir.getFileName() + ".old-" + randomHex());
            move(datasetDir, old);
        }
        move(staging, datasetDir);
        LocalFiles.fsyncDirectory(parent);
        if (old != null) {
            LocalFiles.deleteRecursively(old);
        }
    }

    private static void move(Path from, Path to) throws IOException {
        try {
            Files.move(from, to, StandardCopyOption.ATOMIC_MOVE);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(from, to);
        }
    }

    /** The dataset directory this writer commits to. */
    public Path datasetDir() {
        return datasetDir;
    }

    /** Deletes the staging directory unless committed. */
    @Override
    public void close() throws IOException {
        if (closed) {
            return;
        }
        closed = true;
        if (!committed) {
            for (SplitWriter w : splits.values()) {
                w.abort();
            }
            LocalFiles.deleteRecursively(staging);
        }
    }

    private void checkOpen() {
        if (closed) {
            throw new IllegalStateException(committed ? "dataset already committed" : "writer is closed");
        }
    }

    private static String randomHex() {
        return Long.toHexString(ThreadLocalRandom.current().nextLong() & Long.MAX_VALUE);
    }
}
