package org.lmshards.core.shard;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

import org.lmshards.core.io.FileFingerprint;
import org.lmshards.core.io.StableRead;

/**
 * Reads a dataset directory as one generation. A rebuild ({@code --force}) swaps a new dataset in
 * by renaming directories, so a reader that opens {@code vocab.json}, {@code meta.json} and the
 * shards one after the other by path can mix two datasets, or meet the gap between the renames.
 * The fingerprint of the directory itself, {@code _SUCCESS}, {@code vocab.json} and each split's
 * {@code meta.json} is taken before and after the read ({@link StableRead}): a new generation
 * has new inodes for all of them, so equal fingerprints mean that everything read belongs to the
 * same one. Files of a complete dataset never change in place.
 *
 * <p>A format-2 dataset publishes each build as a new manifest over an immutable generation
 * directory, so its fingerprint is the current manifest alone: the same manifest before and
 * after the read means one generation was read (and if a later build deleted that generation
 * meanwhile, the manifest changed too).
 */
public final class DatasetGeneration {
    private DatasetGeneration() {
    }

    /** Runs {@code read} (which opens {@code datasetDir} by path) until it saw a single generation. */
    public static <T> T read(Path datasetDir, StableRead.IoSupplier<T> read) throws IOException {
        return StableRead.read(() -> fingerprint(datasetDir), read, "the dataset " + datasetDir,
                "is a rebuild (--force) replacing it? Try again once it has finished");
    }

    static FileFingerprint fingerprint(Path dir) throws IOException {
        Path manifest = DatasetRoot.currentManifest(dir);
        if (manifest != null) {
            return FileFingerprint.of(List.of(manifest));
        }
        List<Path> files = new ArrayList<>(List.of(dir, dir.resolve(ShardLayout.SUCCESS), dir.resolve(ShardLayout.VOCAB)));
        List<Path> metas = new ArrayList<>();
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir)) {
            for (Path p : ds) {
                if (ShardLayout.isSplitName(p.getFileName().toString()) && Files.isDirectory(p)) {
                    metas.add(p.resolve(ShardLayout.META));
                }
            }
        } catch (NoSuchFileException | NotDirectoryException e) {
            // no dataset (or the gap of a swap): the absence is the fingerprint
        }
        Collections.sort(metas);
        files.addAll(metas);
        return FileFingerprint.of(files);
    }
}
