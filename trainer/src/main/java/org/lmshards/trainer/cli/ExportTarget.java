package org.lmshards.trainer.cli;

import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.Optional;
import java.util.Set;

import org.lmshards.core.shard.ShardLayout;
import org.lmshards.trainer.report.LrFindReport;
import org.lmshards.trainer.train.rundir.RunDirectoryGuard;
import org.lmshards.trainer.train.rundir.RunFiles;

/**
 * Whether {@code export --out FILE} may write FILE: never a file that is not a regular one (a
 * directory, a device such as {@code /dev/null}, a FIFO), never a file of a dataset directory or
 * one of a run directory's own files, and an existing file only with {@code --force}.
 */
final class ExportTarget {
    private static final Set<String> RUN_FILES = Set.of(RunFiles.CONFIG, RunFiles.VOCAB, RunFiles.MODEL,
            RunFiles.CHECKPOINT, RunFiles.METRICS, RunFiles.STEPS, RunFiles.REPORT, RunFiles.MARKER,
            "lr_find.jsonl", LrFindReport.SVG, LrFindReport.HTML);

    private ExportTarget() {
    }

    /** Why {@code out} may not be written, or empty when it may. */
    static Optional<String> refusal(Path out, boolean force) {
        Path abs = out.toAbsolutePath().normalize();
        Path dir = abs.getParent();
        String name = abs.getFileName() == null ? "" : abs.getFileName().toString();
        if (Files.exists(abs) && !Files.isRegularFile(abs)) {
            return Optional.of(out + " is not a regular file (a directory, device or FIFO); refusing to write to it");
        }
        if (dir != null && (isDataset(dir) || (dir.getParent() != null && isDataset(dir.getParent())))) {
            return Optional.of(out + " is inside a dataset directory; write the .npz elsewhere");
        }
        boolean runDir = dir != null && (RunDirectoryGuard.isRun(dir) || Files.exists(dir.resolve(RunFiles.MODEL))
                || Files.exists(dir.resolve(RunFiles.CHECKPOINT)));
        if (runDir && RUN_FILES.contains(name)) {
            return Optional.of(out + " is a file of the run directory " + dir + "; choose another name, such as "
                    + dir.resolve("model.npz"));
        }
        if (Files.exists(abs, LinkOption.NOFOLLOW_LINKS) && !force) {
            return Optional.of(out + " exists; pass --force to replace it");
        }
        return Optional.empty();
    }

    private static boolean isDataset(Path dir) {
        return Files.exists(dir.resolve(ShardLayout.SUCCESS)) || Files.exists(dir.resolve(ShardLayout.META));
    }
}
