package org.lmshards.core.testing;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;

import org.lmshards.core.io.LocalFiles;

/**
 * Replaces a dataset the way a rebuild does (the Spark job's and {@code DatasetWriter}'s swap):
 * a complete copy is staged beside it, the old directory is renamed aside, the copy renamed into
 * place, and the old one deleted.
 */
public final class DatasetSwap {
    private static final AtomicInteger RUN = new AtomicInteger();

    private DatasetSwap() {
    }

    /** Swaps a copy of the complete dataset {@code source} in at {@code dir} (or puts it there). */
    public static void swapIn(Path source, Path dir) throws IOException {
        Path staged = stage(source, dir);
        Path old = Files.exists(dir) ? moveAside(dir) : null;
        Files.move(staged, dir, StandardCopyOption.ATOMIC_MOVE);
        if (old != null) {
            LocalFiles.deleteRecursively(old);
        }
    }

    /** A complete copy of {@code source} beside {@code dir}, ready to be moved in. */
    public static Path stage(Path source, Path dir) throws IOException {
        Path staged = dir.resolveSibling("." + dir.getFileName() + ".staging-" + RUN.incrementAndGet());
        try (Stream<Path> files = Files.walk(source)) {
            for (Path p : (Iterable<Path>) files::iterator) {
                Files.copy(p, staged.resolve(source.relativize(p).toString()), StandardCopyOption.COPY_ATTRIBUTES);
            }
        }
        return staged;
    }

    /** The first rename of a swap: {@code dir} is gone until the staged copy is moved in. */
    public static Path moveAside(Path dir) throws IOException {
        Path old = dir.resolveSibling("." + dir.getFileName() + ".old-" + RUN.incrementAndGet());
        Files.move(dir, old, StandardCopyOption.ATOMIC_MOVE);
        return old;
    }
}
