package org.lmshards.spark.io;

import org.lmshards.spark.support.UsageError;
import java.io.IOException;
import java.io.InputStream;
import java.util.Collection;

import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.lmshards.core.shard.DatasetManifest;
import org.lmshards.core.shard.ShardLayout;
import org.lmshards.core.shard.SplitMeta;

/**
 * Decides whether {@code --output} may be replaced. A rebuild deletes older generations, so only
 * an empty directory or a dataset that this tool provably wrote qualifies: nothing but the
 * entries the format defines (docs/FORMAT.md), that is {@code manifest-N.json}, {@code gen-N}
 * directories holding the dataset layout (and, unpublished, the job's fenced temporary
 * directories), and the format-1 layout ({@code _SUCCESS}, {@code vocab.json}, split directories
 * holding only {@code meta.json} and shard files, {@code rejects/<split>.csv}); a format-1 dataset
 * must be complete ({@code _SUCCESS} and a split {@code meta.json} that parses), a format-2 one
 * must have a current manifest that parses. Anything else, or an output that is or holds an
 * input file, is refused as a usage error naming the reason: a mistyped {@code --output} must
 * never cost a directory.
 */
public final class OutputGuard {
    private OutputGuard() {
    }

    /** Throws {@link UsageError} unless {@code output} is absent, empty or one of this tool's datasets. */
    public static void requireReplaceable(FileSystem fs, Path output, Collection<InputFile> inputs) throws IOException {
        String out = output.toString();
        for (InputFile in : inputs) {
            if (in.path().equals(out) || in.path().startsWith(out.endsWith("/") ? out : out + "/")) {
                throw refuse(output, "it " + (in.path().equals(out) ? "is" : "contains") + " the input file " + in.path());
            }
        }
        java.nio.file.Path local = fs instanceof org.apache.hadoop.fs.RawLocalFileSystem raw ? raw.pathToFile(output).toPath()
                : fs instanceof org.apache.hadoop.fs.LocalFileSystem lfs ? lfs.pathToFile(output).toPath() : null;
        if (local != null && java.nio.file.Files.isSymbolicLink(local)) {
            // the swap renames the link aside and puts a directory in its place (issue 25)
            throw refuse(output, "it is a symbolic link (to " + java.nio.file.Files.readSymbolicLink(local)
                    + "), which a rebuild would replace by a directory; give the directory it points to");
        }
        if (!fs.exists(output)) {
            return;
        }
        FileStatus st = fs.getFileStatus(output);
        if (!st.isDirectory()) {
            throw refuse(output, "it is a file, not a dataset directory");
        }
        FileStatus[] entries = fs.listStatus(output);
        if (entries.length == 0) {
            return;
        }
        String foreign = foreignEntry(fs, output, entries);
        if (foreign != null) {
            throw refuse(output, "it holds " + foreign + ", which this job does not write");
        }
        boolean format1 = false;
        boolean manifest = false;
        for (FileStatus e : entries) {
            String name = e.getPath().getName();
            manifest |= DatasetManifest.generationOfManifest(name).isPresent();
            format1 |= isFormat1Entry(name);
        }
        if (manifest) {
            try {
                DatasetOutput.current(fs, output);
            } catch (IOException | RuntimeException ex) {
                throw refuse(output, "its current manifest is not an lmshards manifest (" + ex.getMessage() + ")");
            }
            return;
        }
        if (!format1) {
            return; // only generations that no manifest published: what a killed first build leaves
        }
        if (!fs.exists(new Path(output, ShardLayout.SUCCESS))) {
            throw refuse(output, "it has no " + ShardLayout.SUCCESS + ", so it is not a complete lmshards dataset");
        }
        String why = noSplitMeta(fs, output, entries);
        if (why != null) {
            throw refuse(output, why);
        }
    }

    private static UsageError refuse(Path output, String why) {
        return new UsageError("--output " + output + " exists and is not a dataset this job may replace: " + why
                + "; refusing to touch it (choose another --output, or empty it yourself)");
    }

    private static boolean isFormat1Entry(String name) {
        return name.equals(ShardLayout.SUCCESS) || name.equals(ShardLayout.VOCAB) || name.equals(ShardLayout.REJECTS)
                || (ShardLayout.isSplitName(name) && DatasetManifest.generationOfDirectory(name).isEmpty());
    }

    /** The first entry (relative path) that the dataset layout does not define, or null. */
    private static String foreignEntry(FileSystem fs, Path output, FileStatus[] entries) throws IOException {
        for (FileStatus e : entries) {
            String name = e.getPath().getName();
            if (e.isFile() && (DatasetManifest.generationOfManifest(name).isPresent()
                    || name.startsWith(".manifest-") && name.endsWith(".json.tmp"))) {
                continue;
            }
            if (e.isDirectory() && DatasetManifest.generationOfDirectory(name).isPresent()) {
                String inside = foreignInGeneration(fs, listOrEmpty(fs, e.getPath()));
                if (inside != null) {
                    return name + "/" + inside;
                }
                continue;
            }
            String f = foreignInLayout(fs, e);
            if (f != null) {
                return f;
            }
        }
        return null;
    }

    /** Inside a generation: the dataset layout (no {@code _SUCCESS} needed) and the job's fenced temporary directories. */
    private static String foreignInGeneration(FileSystem fs, FileStatus[] entries) throws IOException {
        for (FileStatus e : entries) {
            String name = e.getPath().getName();
            if (e.isDirectory() && (name.startsWith("_temporary-") || name.startsWith("_rejects-"))) {
                continue;
            }
            if (name.equals(ShardLayout.SUCCESS)) {
                return name;
            }
            String f = foreignInLayout(fs, e);
            if (f != null) {
                return f;
            }
        }
        return null;
    }

    /** Null if {@code e} is an entry of the format-1 layout (checked one level deep), else its relative path. */
    private static String foreignInLayout(FileSystem fs, FileStatus e) throws IOException {
        String name = e.getPath().getName();
        if (e.isFile() && (name.equals(ShardLayout.SUCCESS) || name.equals(ShardLayout.VOCAB))) {
            return null;
        }
        if (!e.isDirectory() || !(ShardLayout.isSplitName(name) || name.equals(ShardLayout.REJECTS))) {
            return name;
        }
        for (FileStatus f : listOrEmpty(fs, e.getPath())) {
            String n = f.getPath().getName();
            boolean ours = name.equals(ShardLayout.REJECTS)
                    ? n.endsWith(".csv") && ShardLayout.isSplitName(n.substring(0, n.length() - 4))
                    : n.equals(ShardLayout.META) || ShardLayout.SHARD_FILE.matcher(n).matches();
            if (!f.isFile() || !ours) {
                return name + "/" + n;
            }
        }
        return null;
    }

    /**
     * The entries of a directory that a listing of its parent named; none if it is gone by now
     * (an object store may list a prefix whose objects were just deleted).
     */
    private static FileStatus[] listOrEmpty(FileSystem fs, Path dir) throws IOException {
        try {
            return fs.listStatus(dir);
        } catch (java.io.FileNotFoundException e) {
            return new FileStatus[0];
        }
    }

    /** Null when at least one split directory has a {@code meta.json} in this tool's format, otherwise why not. */
    private static String noSplitMeta(FileSystem fs, Path output, FileStatus[] entries) {
        String problem = "it has no split with a meta.json";
        for (FileStatus e : entries) {
            if (!e.isDirectory() || !ShardLayout.isSplitName(e.getPath().getName())
                    || DatasetManifest.generationOfDirectory(e.getPath().getName()).isPresent()) {
                continue;
            }
            Path meta = new Path(e.getPath(), ShardLayout.META);
            try (InputStream in = fs.open(meta)) {
                SplitMeta.read(in, meta.toString());
                return null;
            } catch (IOException | RuntimeException ex) {
                problem = "its " + e.getPath().getName() + "/" + ShardLayout.META + " is not an lmshards meta.json ("
                        + ex.getMessage() + ")";
            }
        }
        return problem;
    }
}
