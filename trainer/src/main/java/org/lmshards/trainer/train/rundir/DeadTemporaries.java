package org.lmshards.trainer.train.rundir;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Removes the temporary files ({@code .NAME.tmp-PID}, see {@link AtomicFiles}) that a process
 * killed mid-write left behind: only those whose process is gone, so a live writer's file is
 * never touched. Every command that writes into a directory calls it first.
 */
public final class DeadTemporaries {
    private static final Logger LOG = LoggerFactory.getLogger(DeadTemporaries.class);
    private static final Pattern TEMPORARY = Pattern.compile("\\.(.+)\\.tmp-(\\d+)");

    private DeadTemporaries() {
    }

    /** Removes the dead temporaries of every file in {@code dir}; returns them. */
    public static List<Path> remove(Path dir) throws IOException {
        return remove(dir, null);
    }

    /** Removes the dead temporaries of {@code dir/name} only (null: of every file). */
    public static List<Path> remove(Path dir, String name) throws IOException {
        List<Path> removed = new ArrayList<>();
        if (!Files.isDirectory(dir)) {
            return removed;
        }
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir, ".*.tmp-*")) {
            for (Path p : entries) {
                Matcher m = TEMPORARY.matcher(p.getFileName().toString());
                if (!m.matches() || (name != null && !name.equals(m.group(1))) || alive(m.group(2))
                        || !Files.isRegularFile(p)) {
                    continue;
                }
                try {
                    Files.delete(p);
                    removed.add(p);
                    LOG.info("removed {}, left by a process that was killed while writing", p);
                } catch (NoSuchFileException gone) {
                    // another command removed it first
                }
            }
        }
        return removed;
    }

    /** Whether {@code fileName} is a temporary name of {@link AtomicFiles} ({@code .NAME.tmp-PID}). */
    static boolean isTemporaryName(String fileName) {
        return TEMPORARY.matcher(fileName).matches();
    }

    private static boolean alive(String pid) {
        try {
            return ProcessHandle.of(Long.parseLong(pid)).map(ProcessHandle::isAlive).orElse(false);
        } catch (NumberFormatException e) {
            return true; // not ours: leave it
        }
    }
}
