package org.lmshards.spark.io;

import org.lmshards.spark.support.UsageError;
import java.io.IOException;
import java.io.InputStream;
import java.util.Collection;

import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.lmshards.core.shard.ShardLayout;
import org.lmshards.core.shard.SplitMeta;

/**
 * Decides whether {@code --output} may be replaced. A rebuild deletes the old output, so only
 * an empty directory or a complete dataset that this tool provably wrote qualifies: {@code _SUCCESS},
 * at least one split whose {@code meta.json} parses as an {@code lmshards-split}, and nothing
 * but the files the format defines ({@code vocab.json}, split directories holding only
 * {@code meta.json} and shard files, {@code rejects/<split>.csv}). Anything else, or an output
 * that is or holds an input file, is refused as a usage error naming the reason: a mistyped
 * {@code --output} must never cost a directory.
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

    /** The first entry (relative path) that the dataset layout does not define, or null. */
    private static String foreignEntry(FileSystem fs, Path output, FileStatus[] entries) throws IOException {
        for (FileStatus e : entries) {
            String name = e.getPath().getName();
            if (e.isFile() && (name.equals(ShardLayout.SUCCESS) || name.equals(ShardLayout.VOCAB))) {
                continue;
            }
            if (!e.isDirectory() || !(ShardLayout.isSplitName(name) || name.equals(ShardLayout.REJECTS))) {
                return name;
            }
            for (FileStatus f : fs.listStatus(e.getPath())) {
                String n = f.getPath().getName();
                boolean ours = name.equals(ShardLayout.REJECTS)
                        ? n.endsWith(".csv") && ShardLayout.isSplitName(n.substring(0, n.length() - 4))
                        : n.equals(ShardLayout.META) || ShardLayout.SHARD_FILE.matcher(n).matches();
                if (!f.isFile() || !ours) {
                    return name + "/" + n;
                }
            }
        }
        return null;
    }

    /** Null when at least one split directory has a {@code meta.json} in this tool's format, otherwise why not. */
    private static String noSplitMeta(FileSystem fs, Path output, FileStatus[] entries) {
        String problem = "it has no split with a meta.json";
        for (FileStatus e : entries) {
            if (!e.isDirectory() || !ShardLayout.isSplitName(e.getPath().getName())) {
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
