package org.lmshards.trainer.train.rundir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * How {@code train} starts in a run directory, decided in one place: from scratch, from the
 * checkpoint, or not at all because the run is complete. {@code --resume} continues from the
 * checkpoint, which must exist; {@code --resume auto} continues if there is one and starts
 * otherwise; without either the run starts, into a directory that holds no run yet.
 *
 * <p>Also what each start does to the run directory's logs: a resume rolls them back to the
 * checkpoint ({@link #rollBack}), a fresh start clears them ({@link #clearLogs}).
 *
 * <p>The refusals throw {@link IllegalArgumentException} with the message for the user; the
 * command reports them as usage errors.
 */
public final class ResumePlan {
    /** What the user asked for with {@code --resume}. */
    public enum Request { NONE, CHECKPOINT, AUTO }

    /** How the run starts. */
    public enum Start { FRESH, RESUME }

    /** The value picocli gives {@code --resume} when it has none. */
    public static final String CHECKPOINT_VALUE = "checkpoint";

    private final Request request;
    private final Path runDir;

    private ResumePlan(Request request, Path runDir) {
        this.request = request;
        this.runDir = runDir;
    }

    /**
     * @param resumeOption the value of {@code --resume}: null when absent, {@value #CHECKPOINT_VALUE}
     *                     when given without a value, or {@code auto}
     */
    public static ResumePlan of(String resumeOption, Path runDir) {
        if (resumeOption == null) {
            return new ResumePlan(Request.NONE, runDir);
        }
        return switch (resumeOption) {
            case CHECKPOINT_VALUE -> new ResumePlan(Request.CHECKPOINT, runDir);
            case "auto" -> new ResumePlan(Request.AUTO, runDir);
            default -> throw new IllegalArgumentException("--resume takes no value or 'auto', got '" + resumeOption + "'");
        };
    }

    private Path checkpoint() {
        return runDir.resolve(RunFiles.CHECKPOINT);
    }

    /**
     * Whether this command may start a new run, so that the run directory must be one it may
     * write ({@link RunDirectoryGuard}); asked before the run's lock is taken.
     */
    public boolean mayStartNewRun() {
        return request == Request.NONE || request == Request.AUTO && !Files.exists(checkpoint());
    }

    /**
     * Fresh or resumed. Ask once, holding the run's lock ({@link RunLock}): a concurrent first
     * run cannot then write its checkpoint between the decision and the start.
     */
    public Start decide() {
        boolean resume = request == Request.CHECKPOINT || request == Request.AUTO && Files.exists(checkpoint());
        return resume ? Start.RESUME : Start.FRESH;
    }

    /** Before a resume: refuses when there is no checkpoint to resume from. */
    public void requireCheckpoint() {
        if (!Files.exists(checkpoint())) {
            throw new IllegalArgumentException("--resume: " + checkpoint() + " does not exist");
        }
    }

    /** Before a fresh start: refuses when the directory already holds a run (a checkpoint or a model). */
    public void requireNoRun() {
        if (Files.exists(checkpoint()) || Files.exists(runDir.resolve(RunFiles.MODEL))) {
            throw new IllegalArgumentException(runDir + " already holds a run; pass --resume to continue it, or choose"
                    + " another --out");
        }
    }

    /**
     * The checkpoint's state when a resume has nothing to do: the model is written and the
     * checkpoint stands at the start of an epoch beyond the last of {@code settings}.
     */
    public Optional<TrainState> completed(TrainSettings settings) throws IOException {
        if (!Files.exists(runDir.resolve(RunFiles.MODEL))) {
            return Optional.empty();
        }
        TrainState state = Checkpoint.readState(checkpoint());
        if (state.epoch() < settings.epochs() || state.batchIndex() > 0) {
            return Optional.empty();
        }
        return Optional.of(state);
    }

    /**
     * Reads the checkpoint of {@code runDir} and rolls the run's logs back to it: steps logged
     * after it (and a torn last line) are dropped, the metrics are rewritten from it (it holds
     * every completed epoch), and temporary files of writes a killed run left are deleted.
     */
    public static Checkpoint rollBack(Path runDir) throws IOException {
        Checkpoint cp = Checkpoint.read(runDir.resolve(RunFiles.CHECKPOINT));
        long step = cp.state().globalStep();
        RunFiles.retainLines(runDir.resolve(RunFiles.STEPS), n -> n.path("step").asLong(Long.MAX_VALUE) <= step);
        StringBuilder lines = new StringBuilder();
        for (EpochMetrics m : cp.state().metrics()) {
            lines.append(SnakeCaseJson.line(m)).append('\n');
        }
        AtomicFiles.writeString(runDir.resolve(RunFiles.METRICS), lines.toString());
        removeTemporaryFiles(runDir);
        return cp;
    }

    /** Before a fresh start: deletes the logs a previous start in {@code runDir} may have left. */
    public static void clearLogs(Path runDir) throws IOException {
        Files.deleteIfExists(runDir.resolve(RunFiles.STEPS));
        Files.deleteIfExists(runDir.resolve(RunFiles.METRICS));
    }

    /** Deletes temporary files of writes that a killed run left behind (the real files are intact). */
    private static void removeTemporaryFiles(Path runDir) throws IOException {
        try (var files = Files.list(runDir)) {
            for (Path p : (Iterable<Path>) files::iterator) {
                String name = p.getFileName().toString();
                if (name.startsWith(".") && name.contains(".tmp-")) {
                    Files.deleteIfExists(p);
                }
            }
        }
    }
}
