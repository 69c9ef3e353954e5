package org.lmshards.core.io;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.concurrent.ThreadLocalRandom;

/** Crash-safe local file helpers: write under a temporary name, fsync, rename. */
public final class LocalFiles {
    /** Suffix of files being written; never a final name. */
    public static final String TEMP_SUFFIX = ".tmp";

    private LocalFiles() {
    }

    /** Something that writes a file's content to a stream (the stream is closed by the caller). */
    @FunctionalInterface
    public interface StreamWriter {
        void write(OutputStream out) throws IOException;
    }

    /**
     * Writes {@code file} atomically: the content goes to a temporary sibling, which is fsynced
     * and then renamed; the directory is fsynced too. A crash leaves either the old file or the
     * new one, never a half-written file under {@code file}'s name.
     */
    public static void writeAtomically(Path file, StreamWriter writer) throws IOException {
        Path tmp = tempSibling(file);
        try {
            try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
                OutputStream raw = Channels.newOutputStream(ch);
                // The writer may close its stream (NpyArrayWriter does); the channel must stay open for force().
                OutputStream out = new java.io.FilterOutputStream(raw) {
                    @Override
                    public void write(byte[] b, int off, int len) throws IOException {
                        raw.write(b, off, len);
                    }

                    @Override
                    public void close() throws IOException {
                        flush();
                    }
                };
                writer.write(out);
                out.flush();
                ch.force(true);
            }
            moveAtomically(tmp, file);
        } finally {
            Files.deleteIfExists(tmp);
        }
        fsyncDirectory(file.toAbsolutePath().getParent());
    }

    /** A fresh temporary name next to {@code file}. */
    public static Path tempSibling(Path file) {
        return file.resolveSibling(file.getFileName() + "." + Long.toHexString(ThreadLocalRandom.current().nextLong())
                + TEMP_SUFFIX);
    }

    /** Renames atomically (replacing the target); falls back to a plain replace where atomic moves are unsupported. */
    public static void moveAtomically(Path from, Path to) throws IOException {
        try {
            Files.move(from, to, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(from, to, StandardCopyOption.REPLACE_EXISTING);
        }
    }

    /** Flushes a directory's entries (renames) to disk; a no-op where the platform cannot open directories. */
    public static void fsyncDirectory(Path dir) {
        if (dir == null) {
            return;
        }
        try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
            ch.force(true);
        } catch (IOException e) {
            // Some platforms (Windows) cannot open a directory; durability of the rename is then best effort.
        }
    }

    /** Deletes a file tree if it exists. */
    public static void deleteRecursively(Path root) throws IOException {
        if (!Files.exists(root, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        Files.walkFileTree(root, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                Files.delete(file);
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult postVisitDirectory(Path dir, IOException exc) throws IOException {
                if (exc != null) {
                    throw exc;
                }
                Files.delete(dir);
                return FileVisitResult.CONTINUE;
            }
        });
    }
}
