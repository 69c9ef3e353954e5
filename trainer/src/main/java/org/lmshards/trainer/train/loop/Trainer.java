package org.lmshards.trainer.train.loop;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.Consumer;
import org.deeplearning4j.util.CrashReportingUtil;
import org.lmshards.core.PausePoint;
import org.lmshards.trainer.backend.Backends;
import org.lmshards.trainer.model.LmNetworks;
import org.lmshards.trainer.report.HtmlReport;
import org.lmshards.trainer.model.RowBlocks;
import org.lmshards.trainer.model.RowReplicas;
import org.lmshards.trainer.model.StatefulLmNetwork;
import org.lmshards.trainer.train.console.PassProgress;
import org.lmshards.trainer.train.console.ProgressMode;
import org.lmshards.trainer.train.console.TrainingUi;
import org.lmshards.trainer.train.rundir.AtomicFiles;
import org.lmshards.trainer.train.rundir.Checkpoint;
import org.lmshards.trainer.train.rundir.EpochMetrics;
import org.lmshards.trainer.train.rundir.ResumePlan;
import org.lmshards.trainer.train.rundir.RunFiles;
import org.lmshards.trainer.train.rundir.SnakeCaseJson;
import org.lmshards.trainer.train.rundir.TrainSettings;
import org.lmshards.trainer.train.rundir.TrainState;
import org.nd4j.linalg.dataset.api.DataSet;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The training loop: stateful truncated BPTT over a {@link BatchSource}, a valid pass after
 * every epoch, metrics and step logs, atomic checkpoints (every epoch, and optionally every N
 * minutes or batches) and exact resume.
 *
 * <p>Reproducibility: parameters are initialised from the seed; before training step {@code g}
 * the ND4J random generator (all dropout masks) is reseeded from {@code (seed, g)}, so a run
 * resumed from a checkpoint at step {@code g} draws the same masks as an uninterrupted one.
 */
public final class Trainer {
    private static final Logger LOG = LoggerFactory.getLogger(Trainer.class);

    private final TrainSettings settings;
    private final BatchSource train;
    private final BatchSource valid;
    private final Path runDir;
    private final PrintStream console;
    private ProgressMode progress = ProgressMode.BAR;
    private long crashAfterSteps = -1;
    private Consumer<? super StatefulLmNetwork> networkHook = net -> { };
    private Consumer<? super StatefulLmNetwork> initialWeights = net -> { };
    private StopRequest stop = new StopRequest();
    private int replicas = 1;

    /** Outcome of {@link #run}: the trained network and all epoch metrics. */
    public record Result(StatefulLmNetwork network, List<EpochMetrics> metrics) {
    }

    /**
     * @param valid may be null (no valid split: valid metrics are null)
     */
    public Trainer(TrainSettings settings, BatchSource train, BatchSource valid, Path runDir, PrintStream console) {
        this.settings = settings;
        this.train = train;
        this.valid = valid;
        this.runDir = runDir;
        this.console = console;
        if (train.vocabSize() != settings.model().vocabSize()) {
            throw new IllegalArgumentException("train split vocabulary size " + train.vocabSize()
                    + " differs from the model's " + settings.model().vocabSize());
        }
        if (valid != null && valid.vocabSize() != settings.model().vocabSize()) {
            throw new IllegalArgumentException("valid split vocabulary size " + valid.vocabSize()
                    + " differs from the model's " + settings.model().vocabSize());
        }
    }

    /** Shows a progress bar on the console (default true). */
    public Trainer progress(boolean show) {
        return progress(show ? ProgressMode.BAR : ProgressMode.NONE);
    }

    /** How each epoch shows its progress (default a bar). */
    public Trainer progress(ProgressMode mode) {
        this.progress = mode;
        return this;
    }

    /**
     * Called with the network once it is built or restored, before training: e.g. to add
     * listeners such as {@link TrainingUi#attachTo}.
     */
    public Trainer onNetworkReady(Consumer<? super StatefulLmNetwork> hook) {
        this.networkHook = hook;
        return this;
    }

    /**
     * Overwrites the freshly initialised network's parameters before a run from scratch starts
     * (fine-tuning from a pretrained model); not called on resume, whose checkpoint has them.
     */
    public Trainer initialWeights(Consumer<? super StatefulLmNetwork> init) {
        this.initialWeights = init;
        return this;
    }

    /**
     * Stops at the next batch boundary once {@code stop} is requested (Ctrl-C), after writing a
     * checkpoint: {@link #run} then throws {@link TrainingStoppedException}.
     */
    public Trainer stopOn(StopRequest stop) {
        this.stop = stop;
        return this;
    }

    /**
     * Trains with {@code count} data-parallel replicas, each owning a contiguous block of the
     * batch rows ({@link RowReplicas}); 1 (default) trains on the caller's thread alone. The
     * result is the same up to floating-point rounding; dropout masks depend on the count.
     */
    public Trainer replicas(int count) {
        if (count < 1 || count > settings.batchSize()) {
            throw new IllegalArgumentException("replicas must be in 1.." + settings.batchSize() + " (the batch size), got "
                    + count);
        }
        this.replicas = count;
        return this;
    }

    /**
     * Test hook: stops abruptly, without any checkpoint, once {@code steps} training steps are
     * done in total, as if the process had been killed there: {@link #run} throws
     * {@link SimulatedCrash}.
     */
    Trainer crashAfterSteps(long steps) {
        this.crashAfterSteps = steps;
        return this;
    }

    /**
     * Trains from scratch, or from {@code RUN_DIR/checkpoint.zip} when {@code resume} (see
     * {@link ResumePlan}, which decides it and rolls the run directory back to the checkpoint).
     */
    @SuppressWarnings("try") // the resource is held for its scope, not used
    public Result run(boolean resume) throws IOException {
        Backends.requireUsable();
        console.println("backend: " + Backends.describe());
        CrashReportingUtil.crashDumpsEnabled(false);
        Files.createDirectories(runDir);
        Path checkpointFile = runDir.resolve(RunFiles.CHECKPOINT);
        StatefulLmNetwork net;
        TrainState state;
        if (resume) {
            Checkpoint cp = ResumePlan.rollBack(runDir);
            net = cp.network();
            state = cp.state();
            console.printf(Locale.ROOT, "resuming %s at epoch %d, batch %d (step %d)%n", runDir, state.epoch() + 1,
                    state.batchIndex(), state.globalStep());
        } else {
            net = LmNetworks.build(settings.model(), settings.seqLen());
            LmNetworks.initOutputBiasToLogUnigram(net, labelCounts(train, settings.model().vocabSize()));
            initialWeights.accept(net);
            state = TrainState.start();
            ResumePlan.clearLogs(runDir);
        }
        LmNetworks.configureClipping(net, settings.model());
        AtomicFiles.write(runDir.resolve(RunFiles.CONFIG), out -> SnakeCaseJson.PRETTY.writeValue(out, settings));
        console.printf(Locale.ROOT, "model: %,d parameters, %,d forward FLOPs per token; %d batches of %d x %d per epoch%n",
                settings.model().parameterCount(), settings.model().forwardFlopsPerToken(), train.batchesPerEpoch(),
                settings.batchSize(), settings.seqLen());
        net.setCarryState(true);
        networkHook.accept(net);
        if (replicas > 1) {
            console.printf(Locale.ROOT, "replicas: %d, each training %s of the %d rows of every batch%n", replicas,
                    rowsPerReplica(), settings.batchSize());
        }
        try (RowReplicas group = RowReplicas.attach(net, replicas)) {
            return train(net, state, checkpointFile);
        }
    }

    private String rowsPerReplica() {
        RowBlocks blocks = new RowBlocks(settings.batchSize(), replicas);
        int min = blocks.size(replicas - 1), max = blocks.size(0);
        return min == max ? String.valueOf(min) : min + " or " + max;
    }

    private Result train(StatefulLmNetwork net, TrainState state, Path checkpointFile) throws IOException {
        List<EpochMetrics> metrics = new ArrayList<>(state.metrics());
        try {
            int firstEpoch = state.epoch();
            for (int epoch = firstEpoch; epoch < settings.epochs(); epoch++) {
                boolean midEpoch = epoch == state.epoch() && state.batchIndex() > 0;
                if (!midEpoch) {
                    net.rnnClearPreviousState(); // a new epoch starts from a zero state, as fastai's reset()
                    state = counted(state.startingEpoch(epoch).withMetrics(metrics), net);
                }
                BodyFreeze.announce(settings, epoch, epoch == firstEpoch, console);
                state = trainEpoch(net, state, checkpointFile);
                Double validLoss = null, validPpl = null;
                if (valid != null) {
                    LossEvaluator.Result r = LossEvaluator.evaluate(net, valid);
                    validLoss = r.meanLoss();
                    validPpl = r.perplexity();
                }
                double trainLoss = state.epochLossSum() / state.epochTokens();
                EpochMetrics m = new EpochMetrics(epoch + 1, trainLoss, validLoss, validPpl,
                        state.epochTokens() / Math.max(state.epochSeconds(), 1e-9), state.epochSeconds());
                metrics.add(m);
                console.printf(Locale.ROOT, "epoch %d/%d: train_loss %.4f  valid_loss %s  valid_perplexity %s  %.0f tokens/s  %.1f s%n",
                        m.epoch(), settings.epochs(), m.trainLoss(), fmt(validLoss), fmt(validPpl), m.tokensPerS(), m.seconds());
                RunFiles.appendLine(runDir.resolve(RunFiles.METRICS), m);
                net.setEpochCount(epoch + 1);
                state = counted(state.startingEpoch(epoch + 1).withMetrics(metrics), net);
                writeCheckpoint(net, state, checkpointFile);
                writeReport(runDir);
                if (stop.requested() && epoch + 1 < settings.epochs()) {
                    throw new TrainingStoppedException(stop, checkpointFile, epoch + 2, 0, state.globalStep());
                }
            }
            requireFiniteParams(net, "before saving the model");
            net.rnnClearPreviousState();
            AtomicFiles.write(runDir.resolve(RunFiles.MODEL), out -> LmNetworks.save(net, out));
            writeReport(runDir);
            console.println("model: " + runDir.resolve(RunFiles.MODEL));
            return new Result(net, metrics);
        } catch (OutOfMemoryError | RuntimeException e) {
            if (!isOutOfMemory(e)) {
                throw e;
            }
            throw new TrainingOutOfMemoryException(String.format(Locale.ROOT,
                    "out of memory with batch size %d, sequence length %d and vocabulary %d (%s): try a smaller --bs or"
                            + " --seq-len, or give Java more memory (-Xmx for the heap, -Dorg.bytedeco.javacpp.maxbytes"
                            + " for ND4J's off-heap arrays)", settings.batchSize(), settings.seqLen(),
                    settings.model().vocabSize(), e.getMessage()), e);
        }
    }

    /** How often each id occurs as a label in one pass over the source (the train split's token counts). */
    static long[] labelCounts(BatchSource source, int vocabSize) {
        long[] counts = new long[vocabSize];
        source.seek(0, 0);
        while (source.hasNext()) {
            for (float id : source.next().getLabels().ravel().toFloatVector()) {
                counts[(int) id]++;
            }
        }
        return counts;
    }

    /** Trains the rest of one epoch; returns the state after it. */
    private TrainState trainEpoch(StatefulLmNetwork net, TrainState start, Path checkpointFile) throws IOException {
        int epoch = start.epoch();
        long batches = train.batchesPerEpoch();
        double explodeAbove = 3 * Math.log(settings.model().vocabSize()) + 1;
        OptimizerSchedule schedule = new OptimizerSchedule(settings.model(), (long) settings.epochs() * batches);
        train.seek(epoch, start.batchIndex());
        BodyFreeze freeze = settings.frozen(epoch) ? BodyFreeze.hold(net) : null;
        long lastCheckpointNanos = System.nanoTime();
        long t0 = System.nanoTime();
        TrainState state = start;
        try (PassProgress bar = new PassProgress(progress, String.format(Locale.ROOT, "epoch %d/%d", epoch + 1,
                settings.epochs()), batches, start.batchIndex(), start.epochSeconds(), console)) {
            while (train.hasNext()) {
                DataSet ds = train.next();
                long step = state.globalStep();
                net.seedDropout(settings.model().seed(), step);
                double lr = schedule.lr(step);
                AdamConfigWriter.set(net, lr, schedule.beta1(step));
                net.fit(ds);
                if (freeze != null) {
                    freeze.restore();
                }
                double batchLoss = net.lastLossSum() / net.lastTokens();
                state = state.afterBatch(net.lastLossSum(), net.lastTokens())
                        .withEpochSeconds(start.epochSeconds() + (System.nanoTime() - t0) / 1e9);
                if (!Double.isFinite(batchLoss) || batchLoss > explodeAbove) {
                    throw new TrainingDivergedException(String.format(Locale.ROOT,
                            "training diverged at epoch %d, batch %d (step %d): loss %s (a healthy loss stays below"
                                    + " %.1f). Try a lower --lr or a smaller --clip. The last good checkpoint, %s, is kept;"
                                    + " no model was written.", epoch + 1, state.batchIndex(), state.globalStep(), batchLoss,
                            explodeAbove, Files.exists(checkpointFile) ? checkpointFile : "(none yet)"));
                }
                double tokensPerS = state.epochTokens() / Math.max(state.epochSeconds(), 1e-9);
                RunFiles.appendLine(runDir.resolve(RunFiles.STEPS), new StepRecord(epoch + 1, state.globalStep(), batchLoss,
                        tokensPerS, lr, net.lastGradientNorm()));
                bar.update(state.batchIndex(), state.epochSeconds(), String.format(Locale.ROOT, "loss %.3f, %.0f tok/s",
                        state.epochLossSum() / state.epochTokens(), tokensPerS));
                PausePoint.reached("step-" + state.globalStep(), stop::requested); // kill tests: a SIGINT/SIGTERM ends the pause
                if (crashAfterSteps >= 0 && state.globalStep() >= crashAfterSteps) {
                    throw new SimulatedCrash(state.globalStep(), net);
                }
                boolean dueByBatches = settings.checkpointBatches() > 0
                        && state.batchIndex() % settings.checkpointBatches() == 0;
                boolean dueByTime = settings.checkpointMinutes() > 0
                        && System.nanoTime() - lastCheckpointNanos >= settings.checkpointMinutes() * 60e9;
                if (stop.requested() && train.hasNext()) {
                    // at the epoch's last batch the epoch-end checkpoint follows instead
                    writeCheckpoint(net, counted(state, net), checkpointFile);
                    throw new TrainingStoppedException(stop, checkpointFile, epoch + 1, state.batchIndex(), state.globalStep());
                }
                if ((dueByBatches || dueByTime) && train.hasNext()) {
                    writeCheckpoint(net, counted(state, net), checkpointFile);
                    lastCheckpointNanos = System.nanoTime();
                }
            }
        }
        if (state.epochTokens() == 0) {
            throw new IllegalArgumentException("the train split yields no batches with batch size " + settings.batchSize());
        }
        return counted(state, net);
    }

    /** {@code state} with the network's DL4J counters, as a checkpoint must hold them. */
    private static TrainState counted(TrainState state, StatefulLmNetwork net) {
        return state.withCounters(net.getIterationCount(), net.getEpochCount());
    }

    private void writeCheckpoint(StatefulLmNetwork net, TrainState state, Path file) throws IOException {
        requireFiniteParams(net, "before writing a checkpoint");
        new Checkpoint(net, state).write(file);
        LOG.debug("checkpoint at epoch {} batch {} (step {})", state.epoch(), state.batchIndex(), state.globalStep());
    }

    private static void requireFiniteParams(StatefulLmNetwork net, String when) {
        double norm = net.params().norm2Number().doubleValue();
        if (!Double.isFinite(norm)) {
            throw new TrainingDivergedException("parameters became " + norm + " " + when
                    + "; the last good checkpoint is kept. Try a lower --lr or a smaller --clip.");
        }
    }

    /** Heap exhaustion, or ND4J's native allocation failures (std::bad_alloc, JavaCPP's maxbytes). */
    static boolean isOutOfMemory(Throwable t) {
        for (Throwable c = t; c != null; c = c.getCause()) {
            String msg = String.valueOf(c.getMessage());
            if (c instanceof OutOfMemoryError || msg.contains("bad_alloc") || msg.contains("Cannot allocate")
                    || msg.contains("Failed to allocate")) {
                return true;
            }
        }
        return false;
    }

    /** Writes report.html; a failing report never stops training (the metrics files are intact). */
    private static void writeReport(Path runDir) {
        try {
            HtmlReport.write(runDir);
        } catch (IOException | RuntimeException e) {
            LOG.warn("could not write {}: {}", runDir.resolve(HtmlReport.FILE_NAME), e.toString());
        }
    }

    private static String fmt(Double v) {
        return v == null ? "-" : String.format(Locale.ROOT, "%.4f", v);
    }

    /**
     * One line of {@code RUN_DIR/steps.jsonl}: the batch's mean token loss, the learning rate it
     * was trained with and its gradient norm before clipping.
     */
    public record StepRecord(int epoch, long step, double loss, double tokensPerS, double lr, double gradNorm) {
    }
}
