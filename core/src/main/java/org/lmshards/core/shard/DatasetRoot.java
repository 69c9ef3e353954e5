package org.lmshards.core.shard;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.OptionalLong;

import org.lmshards.core.ShardFormatException;

/**
 * Where the files of a local dataset are: for a format-2 dataset the directory of the generation
 * that the highest-numbered manifest publishes; for a format-1 dataset (no manifest) the dataset
 * directory itself, which must hold {@code _SUCCESS}. Every local reader resolves a dataset
 * through this class, so a generation that has no manifest yet is never read.
 *
 * @param dataset      the dataset directory as given
 * @param root         the directory holding {@code vocab.json} and the splits
 * @param manifest     the current manifest, or null for a format-1 dataset
 * @param manifestFile its file, or null
 */
public record DatasetRoot(Path dataset, Path root, DatasetManifest manifest, Path manifestFile) {

    /** Resolves the current generation of {@code datasetDir}; a {@link ShardFormatException} if there is no complete dataset. */
    public static DatasetRoot resolve(Path datasetDir) throws IOException {
        Path manifestFile = currentManifest(datasetDir);
        if (manifestFile == null) {
            Dataset.requireSuccess(datasetDir);
            return new DatasetRoot(datasetDir, datasetDir, null, null);
        }
        DatasetManifest m;
        try (InputStream in = Files.newInputStream(manifestFile)) {
            m = DatasetManifest.read(in, manifestFile.toString());
        }
        return new DatasetRoot(datasetDir, datasetDir.resolve(m.directory()), m, manifestFile);
    }

    /** The highest-numbered {@code manifest-N.json} in {@code dir}, or null (none, or no directory). */
    public static Path currentManifest(Path dir) throws IOException {
        long best = -1;
        Path found = null;
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir, "manifest-*.json")) {
            for (Path p : ds) {
                OptionalLong g = DatasetManifest.generationOfManifest(p.getFileName().toString());
                if (g.isPresent() && g.getAsLong() > best && Files.isRegularFile(p)) {
                    best = g.getAsLong();
                    found = p;
                }
            }
        } catch (NoSuchFileException | NotDirectoryException e) {
            return null;
        }
        return found;
    }

    /** Whether this is a format-1 dataset (no manifest). */
    public boolean isFormat1() {
        return manifest == null;
    }

    /** A file of the dataset, by its path relative to the root ({@code train/meta.json}). */
    public Path file(String relative) {
        return root.resolve(relative);
    }

    /** The split names: from the manifest, or (format 1) the split directories, sorted. */
    public List<String> splits() throws IOException {
        if (manifest != null) {
            return manifest.splits();
        }
        List<String> splits = new ArrayList<>();
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(root)) {
            for (Path p : ds) {
                String name = p.getFileName().toString();
                if (Files.isDirectory(p) && ShardLayout.isSplitName(name)) {
                    splits.add(name);
                }
            }
        }
        Collections.sort(splits);
        return splits;
    }

    /**
     * The cheap check of a format-2 generation: every file the manifest lists exists with its
     * size (one stat each, no read). Nothing to do for format 1, whose files carry no sizes.
     */
    public void checkSizes() throws IOException {
        if (manifest == null) {
            return;
        }
        for (DatasetManifest.Entry e : manifest.files()) {
            Path f = file(e.path());
            long size;
            try {
                size = Files.size(f);
            } catch (NoSuchFileException ex) {
                throw new ShardFormatException(f.toString(), "missing file: listed in " + manifestFile.getFileName()
                        + " but absent", ex);
            }
            if (size != e.size()) {
                throw new ShardFormatException(f.toString(), (size < e.size() ? "truncated: " : "trailing bytes: ") + size
                        + " bytes, " + manifestFile.getFileName() + " says " + e.size());
            }
        }
    }
}
