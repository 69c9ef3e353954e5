package org.lmshards.core.shard;

import java.util.regex.Pattern;

/** File names and constants of the dataset layout (docs/FORMAT.md, "Directory layout"). */
public final class ShardLayout {
    public static final String SUCCESS = "_SUCCESS", VOCAB = "vocab.json", META = "meta.json";
    /** The split every dataset has. */
    public static final String TRAIN = "train";
    /** The optional validation split. */
    public static final String VALID = "valid";
    /** Element type of every document index ({@code docs-NNNNN.npy}): offsets as {@code <i8}. */
    public static final NpyDtype DOCS_DTYPE = NpyDtype.INT64;
    /** Directory of rejected rows; not a split. */
    public static final String REJECTS = "rejects";
    /** {@code format} of meta.json. */
    public static final String SPLIT_FORMAT = "lmshards-split";
    /** {@code format_version} of meta.json and the layout this code reads and writes. */
    public static final int FORMAT_VERSION = 1;

    /** Valid split names. */
    public static final Pattern SPLIT_NAME = Pattern.compile("[a-z][a-z0-9_-]*");
    /** Any token shard or document index name (listed or not). */
    public static final Pattern SHARD_FILE = Pattern.compile("(tokens|docs)-[0-9]{5,}\\.npy");

    private ShardLayout() {
    }

    public static String tokensFile(int index) {
        return String.format("tokens-%05d.npy", index);
    }

    public static String docsFile(int index) {
        return String.format("docs-%05d.npy", index);
    }

    /** Directories of format-2 generations ({@code gen-NNNNNNNNNN}): never a split. */
    private static final Pattern GENERATION = Pattern.compile("gen-[0-9]{10,}");

    /** Whether {@code name} is a split directory name (valid split name, not {@code rejects} nor a generation directory). */
    public static boolean isSplitName(String name) {
        return SPLIT_NAME.matcher(name).matches() && !REJECTS.equals(name) && !GENERATION.matcher(name).matches();
    }
}
