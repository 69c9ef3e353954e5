package org.lmshards.core.shard;

import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.OptionalLong;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.fasterxml.jackson.core.JsonProcessingException;
import org.lmshards.core.ShardFormatException;

/**
 * {@code manifest-NNNNNNNNNN.json} of a format-2 dataset (docs/FORMAT.md, "Generations and the
 * manifest"): the one file that publishes generation N. It names the generation's directory and
 * every file in it, relative to that directory, with its size and CRC32C. A generation whose
 * manifest does not exist is not a dataset; the highest-numbered manifest is the current one.
 */
public record DatasetManifest(String format, int formatVersion, long generation, String directory,
        List<Entry> files, String createdAt, String toolVersion) {

    /** {@code format} of a manifest. */
    public static final String FORMAT = "lmshards-manifest";
    /** The dataset format version that manifests introduced. */
    public static final int VERSION = 2;
    /** Names of manifests and generation directories, with the generation number as group 1. */
    public static final Pattern MANIFEST_NAME = Pattern.compile("manifest-([0-9]{10,})\\.json");
    public static final Pattern GENERATION_NAME = Pattern.compile("gen-([0-9]{10,})");

    /** One file of the generation. */
    public record Entry(String path, long size, long crc32c) {
    }

    public DatasetManifest {
        files = files == null ? null : List.copyOf(files);
    }

    /** A manifest of this format version, written now. */
    public static DatasetManifest of(long generation, List<Entry> files, String createdAt, String toolVersion) {
        return new DatasetManifest(FORMAT, VERSION, generation, directoryName(generation), files, createdAt, toolVersion);
    }

    public static String fileName(long generation) {
        return String.format(Locale.ROOT, "manifest-%010d.json", generation);
    }

    public static String directoryName(long generation) {
        return String.format(Locale.ROOT, "gen-%010d", generation);
    }

    /** The generation a manifest file name stands for, or empty for any other name. */
    public static OptionalLong generationOfManifest(String name) {
        return parse(MANIFEST_NAME.matcher(name));
    }

    /** The generation a directory name stands for, or empty for any other name. */
    public static OptionalLong generationOfDirectory(String name) {
        return parse(GENERATION_NAME.matcher(name));
    }

    private static OptionalLong parse(Matcher m) {
        if (!m.matches()) {
            return OptionalLong.empty();
        }
        try {
            return OptionalLong.of(Long.parseLong(m.group(1)));
        } catch (NumberFormatException e) {
            return OptionalLong.empty(); // more digits than a long: not one of ours
        }
    }

    /** The manifest as JSON (snake_case, indented, a final newline). */
    public byte[] toJson() {
        try {
            byte[] b = SplitMeta.JSON.writeValueAsBytes(this);
            byte[] out = java.util.Arrays.copyOf(b, b.length + 1);
            out[b.length] = '\n';
            return out;
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The entry of {@code path}, or null. */
    public Entry entry(String path) {
        for (Entry e : files) {
            if (e.path().equals(path)) {
                return e;
            }
        }
        return null;
    }

    /** Split names: every {@code <split>/meta.json} the manifest lists, sorted. */
    public List<String> splits() {
        List<String> splits = new ArrayList<>();
        for (Entry e : files) {
            String[] parts = e.path().split("/");
            if (parts.length == 2 && parts[1].equals(ShardLayout.META) && ShardLayout.isSplitName(parts[0])) {
                splits.add(parts[0]);
            }
        }
        splits.sort(null);
        return splits;
    }

    /**
     * Parses a manifest and checks it: format, version, the directory its generation implies,
     * relative paths without {@code ..}, no path twice, {@code vocab.json} listed. Any problem is
     * a {@link ShardFormatException} naming {@code sourceName}.
     */
    public static DatasetManifest read(InputStream in, String sourceName) throws IOException {
        DatasetManifest m;
        try {
            m = SplitMeta.JSON.readValue(in, DatasetManifest.class);
        } catch (JsonProcessingException e) {
            throw new ShardFormatException(sourceName, "malformed manifest: " + e.getOriginalMessage(), e);
        }
        if (m == null || !FORMAT.equals(m.format())) {
            throw new ShardFormatException(sourceName, "malformed manifest: format is '" + (m == null ? null : m.format())
                    + "', expected '" + FORMAT + "'");
        }
        if (m.formatVersion() != VERSION) {
            throw new ShardFormatException(sourceName, "unsupported format_version " + m.formatVersion()
                    + " (this reader supports manifests of version " + VERSION + ")");
        }
        if (!directoryName(m.generation()).equals(m.directory()) || m.files() == null) {
            throw new ShardFormatException(sourceName, "malformed manifest: generation " + m.generation()
                    + " must name directory " + directoryName(m.generation()) + " and list files");
        }
        Set<String> seen = new HashSet<>();
        for (Entry e : m.files()) {
            if (e == null || e.path() == null || e.path().isEmpty() || e.path().startsWith("/") || e.path().contains("\\")
                    || List.of(e.path().split("/")).contains("..") || e.size() < 0 || !seen.add(e.path())) {
                throw new ShardFormatException(sourceName, "malformed manifest: bad or repeated file entry " + e);
            }
        }
        if (!seen.contains(ShardLayout.VOCAB)) {
            throw new ShardFormatException(sourceName, "malformed manifest: it does not list " + ShardLayout.VOCAB);
        }
        return m;
    }
}
