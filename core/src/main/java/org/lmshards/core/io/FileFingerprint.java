package org.lmshards.core.io;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.List;

/**
 * The identity of some files at one moment: for each, its file key (device and inode), size and
 * modification time, or its absence. Files written by rename (every lmshards file) get a new
 * inode when replaced, so equal fingerprints taken before and after reading the files show that
 * none was replaced in between.
 */
public record FileFingerprint(List<String> entries) {

    public static FileFingerprint of(List<Path> files) throws IOException {
        List<String> entries = new ArrayList<>(files.size());
        for (Path f : files) {
            entries.add(f + " " + identity(f));
        }
        return new FileFingerprint(List.copyOf(entries));
    }

    /** {@code key size mtime} of {@code f} (following links), or {@code absent}. */
    public static String identity(Path f) throws IOException {
        try {
            BasicFileAttributes a = Files.readAttributes(f, BasicFileAttributes.class);
            return a.fileKey() + " " + a.size() + " " + a.lastModifiedTime().toMillis();
        } catch (NoSuchFileException e) {
            return "absent";
        }
    }
}
