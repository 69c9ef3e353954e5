package org.lmshards.spark.io;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.TreeMap;

import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.lmshards.spark.BadInputError;

/**
 * Expands an input option (a file, a directory of {@code *.csv} files, or a glob, on any Hadoop
 * filesystem) into the split's files in sorted name order: the order that fixes document numbers.
 * Hidden files ({@code .x}, {@code _x}) inside directories are ignored, as Spark does.
 */
public final class InputResolver {
    private InputResolver() {
    }

    public static List<InputFile> resolve(String option, String spec, Configuration conf) throws IOException {
        Path path = new Path(spec);
        FileSystem fs = path.getFileSystem(conf);
        FileStatus[] matches = fs.globStatus(path);
        if (matches == null || matches.length == 0) {
            throw new BadInputError(option + " " + spec + ": " + (isGlob(spec) ? "the pattern matches no file" : "no such file or directory"));
        }
        TreeMap<String, InputFile> files = new TreeMap<>();
        for (FileStatus st : matches) {
            if (st.isDirectory()) {
                int before = files.size();
                for (FileStatus child : fs.listStatus(st.getPath())) {
                    String name = child.getPath().getName();
                    if (child.isFile() && !name.startsWith(".") && !name.startsWith("_")
                            && name.toLowerCase(Locale.ROOT).endsWith(".csv")) {
                        add(files, fs, child);
                    }
                }
                if (files.size() == before && matches.length == 1) {
                    throw new BadInputError(option + " " + spec + ": the directory " + st.getPath() + " contains no .csv file");
                }
            } else {
                add(files, fs, st);
            }
        }
        if (files.isEmpty()) {
            throw new BadInputError(option + " " + spec + ": no .csv file found");
        }
        return new ArrayList<>(files.values());
    }

    private static void add(TreeMap<String, InputFile> files, FileSystem fs, FileStatus st) {
        String uri = fs.makeQualified(st.getPath()).toString();
        files.put(uri, new InputFile(uri, st.getLen(), st.getModificationTime()));
    }

    private static boolean isGlob(String spec) {
        return spec.chars().anyMatch(c -> c == '*' || c == '?' || c == '[' || c == '{');
    }
}
