package org.lmshards.trainer.train.rundir;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Optional;

import org.lmshards.core.shard.ShardLayout;

/**
 * The rule of the Spark job's {@code --output} for the directories the trainer writes
 * ({@code train}, {@code import}, {@code lr-find --out}): write only into a new or empty
 * directory, or into one this tool made, recognised by the marker {@value RunFiles#MARKER} that
 * every command creating a run directory writes first. A user's directory holding a
 * {@code config.json} or {@code vocab.json}, a dataset directory, or a file is refused. A
 * directory holding only this tool's temporaries ({@code .NAME.tmp-PID}) counts as empty.
 */
public final class RunDirectoryGuard {
    private RunDirectoryGuard() {
    }

    /** Why {@code dir} may not be written, or empty when it may (it is new, empty, or a run). */
    public static Optional<String> refusal(Path dir) throws IOException {
        if (!Files.exists(dir, LinkOption.NOFOLLOW_LINKS)) {
            return Optional.empty();
        }
        if (!Files.isDirectory(dir)) {
            return Optional.of(dir + " exists and is not a directory");
        }
        if (Files.exists(dir.resolve(RunFiles.MARKER))) {
            return Optional.empty();
        }
        if (Files.exists(dir.resolve(ShardLayout.SUCCESS)) || Files.exists(dir.resolve(ShardLayout.META))) {
            return Optional.of(dir + " is a dataset directory, not a run directory");
        }
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir)) {
            for (Path entry : entries) {
                if (DeadTemporaries.isTemporaryName(entry.getFileName().toString())) {
                    continue; // a write of this tool that never completed: as good as empty
                }
                return Optional.of(dir + " exists and is not a run directory of lmshards (it holds "
                        + entry.getFileName() + ", and no " + RunFiles.MARKER + ")");
            }
        }
        return Optional.empty();
    }

    /** True when {@code dir} carries the run marker. */
    public static boolean isRun(Path dir) {
        return Files.isRegularFile(dir.resolve(RunFiles.MARKER));
    }

    /**
     * Creates {@code dir} if needed and marks it as a run directory (after {@link #refusal}
     * found nothing, under the run's lock).
     */
    public static void mark(Path dir, String command) throws IOException {
        Files.createDirectories(dir);
        if (!isRun(dir)) {
            AtomicFiles.writeString(dir.resolve(RunFiles.MARKER),
                    "lmshards run directory, created by " + command + " at " + Instant.now() + "\n");
        }
    }
}
