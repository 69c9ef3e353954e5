package org.lmshards.spark.io;

import java.io.FileNotFoundException;
import java.io.IOException;
import java.net.URI;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Consumer;

import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.lmshards.core.shard.ShardLayout;
import org.lmshards.spark.support.BadInputException;
import org.lmshards.spark.support.UsageError;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Expands an input option (a file, a directory of {@code *.csv} files, or a glob, on any Hadoop
 * filesystem) into the split's files in sorted name order: the order that fixes document numbers.
 * Hidden files ({@code .x}, {@code _x}) inside directories are ignored, as Spark does. A path that
 * exists is taken literally even if it holds glob characters; on the local filesystem a
 * {@code *.csv} entry that is not a readable regular file is refused (exit 3), never skipped.
 * Other visible files of a directory (a README, an image) are skipped with a warning naming
 * them, so that a {@code train.tsv} that was meant to be read does not go missing silently.
 */
public final class InputResolver {
    private static final Logger LOG = LoggerFactory.getLogger(InputResolver.class);
    /** Skipped files named in the warning; more are counted. */
    static final int SKIPPED_NAMED = 5;

    private InputResolver() {
    }

    /**
     * The inputs of each split, train first: {@code --train}, and {@code --valid} when given, which
     * must not share a file with it.
     */
    public static Map<String, List<InputFile>> resolveSplits(String train, String valid, Configuration conf) throws IOException {
        Map<String, List<InputFile>> inputs = new LinkedHashMap<>();
        inputs.put(ShardLayout.TRAIN, resolve("--train", train, conf));
        if (valid != null) {
            inputs.put(ShardLayout.VALID, resolve("--valid", valid, conf));
            // Validating on training data measures nothing: almost always a mistyped option.
            Set<String> trainFiles = new HashSet<>();
            inputs.get(ShardLayout.TRAIN).forEach(f -> trainFiles.add(f.path()));
            for (InputFile f : inputs.get(ShardLayout.VALID)) {
                if (trainFiles.contains(f.path())) {
                    throw new UsageError("--train " + train + " and --valid " + valid + " both hold " + f.path()
                            + ": the validation split must not contain training data");
                }
            }
        }
        return inputs;
    }

    public static List<InputFile> resolve(String option, String spec, Configuration conf) throws IOException {
        return resolve(option, spec, conf, LOG::warn);
    }

    /** {@link #resolve(String, String, Configuration)} telling {@code warn} which files of a directory it skips. */
    static List<InputFile> resolve(String option, String spec, Configuration conf, Consumer<String> warn) throws IOException {
        Path path = new Path(spec);
        FileSystem fs = path.getFileSystem(conf);
        // A path that exists is taken literally, so that a file named br[1].csv is not read as a glob.
        FileStatus literal = statusOrNull(fs, path);
        FileStatus[] matches = literal != null ? new FileStatus[] {literal} : fs.globStatus(path);
        if (matches == null || matches.length == 0) {
            throw new BadInputException(option + " " + spec + ": " + (isGlob(spec) ? "the pattern matches no file" : "no such file or directory"));
        }
        TreeMap<String, InputFile> files = new TreeMap<>();
        for (FileStatus st : matches) {
            if (st.isDirectory()) {
                refuseUnusableCsvs(option, spec, st.getPath());
                int before = files.size();
                List<String> skipped = new ArrayList<>();
                for (FileStatus child : fs.listStatus(st.getPath())) {
                    String name = child.getPath().getName();
                    if (name.startsWith(".") || name.startsWith("_")) {
                        continue;   // hidden, as Spark treats them
                    }
                    if (child.isFile() && name.toLowerCase(Locale.ROOT).endsWith(".csv")) {
                        add(files, fs, child);
                    } else {
                        skipped.add(child.isDirectory() ? name + "/" : name);
                    }
                }
                if (!skipped.isEmpty()) {
                    Collections.sort(skipped);
                    warn.accept(option + " " + spec + ": skipping " + skipped.size() + " entr" + (skipped.size() == 1 ? "y" : "ies")
                            + " of " + st.getPath() + " that " + (skipped.size() == 1 ? "is" : "are") + " not a .csv file: "
                            + String.join(", ", skipped.subList(0, Math.min(SKIPPED_NAMED, skipped.size())))
                            + (skipped.size() > SKIPPED_NAMED ? " and " + (skipped.size() - SKIPPED_NAMED) + " more" : ""));
                }
                if (files.size() == before && matches.length == 1) {
                    throw new BadInputException(option + " " + spec + ": the directory " + st.getPath() + " contains no .csv file");
                }
            } else {
                refuseUnusable(option, spec, st.getPath());
                add(files, fs, st);
            }
        }
        if (files.isEmpty()) {
            throw new BadInputException(option + " " + spec + ": no .csv file found");
        }
        return new ArrayList<>(files.values());
    }

    private static FileStatus statusOrNull(FileSystem fs, Path p) throws IOException {
        try {
            return fs.getFileStatus(p);
        } catch (FileNotFoundException e) {
            return null;
        } catch (IOException | IllegalArgumentException e) {
            return null;    // not a plain path (a glob the filesystem cannot stat): globbing decides
        }
    }

    /**
     * Refuses the {@code *.csv} entries of a local directory that Hadoop's listing hides or
     * cannot read: broken symbolic links, FIFOs and other special files (reading a FIFO blocks
     * the job forever), unreadable files. Skipping them would silently build a smaller dataset.
     */
    private static void refuseUnusableCsvs(String option, String spec, Path dir) throws IOException {
        java.nio.file.Path local = localPath(dir);
        if (local == null) {
            return;     // HDFS, S3: no special files, and permissions fail loudly at open
        }
        try (DirectoryStream<java.nio.file.Path> entries = Files.newDirectoryStream(local)) {
            for (java.nio.file.Path e : entries) {
                String name = e.getFileName().toString();
                if (!name.startsWith(".") && !name.startsWith("_") && name.toLowerCase(Locale.ROOT).endsWith(".csv")
                        && !Files.isDirectory(e)) {
                    refuseUnusable(option, spec, e);
                }
            }
        }
    }

    private static void refuseUnusable(String option, String spec, Path file) {
        java.nio.file.Path local = localPath(file);
        if (local != null) {
            refuseUnusable(option, spec, local);
        }
    }

    private static void refuseUnusable(String option, String spec, java.nio.file.Path p) {
        String problem = null;
        if (Files.isSymbolicLink(p) && !Files.exists(p)) {
            problem = "is a broken symbolic link";
        } else if (!Files.isRegularFile(p)) {
            problem = "is not a regular file (a FIFO, socket or device: reading it could block forever)";
        } else if (!Files.isReadable(p)) {
            problem = "is not readable (permission denied)";
        }
        if (problem != null) {
            throw new BadInputException(option + " " + spec + ": " + p + " " + problem + "; refusing to read it"
                    + " (remove it, or name the files to read)");
        }
    }

    /** The local path of a {@code file:} path, or null for any other filesystem. */
    private static java.nio.file.Path localPath(Path p) {
        URI uri = p.toUri();
        if (uri.getScheme() != null && !"file".equals(uri.getScheme())) {
            return null;
        }
        return Paths.get(uri.getPath());
    }

    private static void add(TreeMap<String, InputFile> files, FileSystem fs, FileStatus st) {
        String uri = fs.makeQualified(st.getPath()).toString();
        files.put(uri, new InputFile(uri, st.getLen(), st.getModificationTime()));
    }

    private static boolean isGlob(String spec) {
        return spec.chars().anyMatch(c -> c == '*' || c == '?' || c == '[' || c == '{');
    }
}
