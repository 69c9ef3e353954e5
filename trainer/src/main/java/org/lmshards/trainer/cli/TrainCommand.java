package org.lmshards.trainer.cli;

import org.lmshards.core.shard.ShardLayout;
import org.lmshards.core.ExitCode;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.function.Supplier;
import org.lmshards.core.io.DirectoryLock;
import org.lmshards.core.vocab.Vocabulary;
import org.lmshards.trainer.remote.RemoteDatasetCache;
import org.lmshards.trainer.model.LmHyperParams;
import org.lmshards.trainer.train.rundir.AtomicFiles;
import org.lmshards.trainer.train.loop.BatchSource;
import org.lmshards.trainer.train.rundir.DeadTemporaries;
import org.lmshards.trainer.train.rundir.RunDirectoryGuard;
import org.lmshards.trainer.train.loop.TrainingDataset;
import org.lmshards.trainer.train.rundir.RunFileReader;
import org.lmshards.trainer.train.rundir.RunFiles;
import org.lmshards.trainer.train.rundir.RunLock;
import org.lmshards.trainer.train.rundir.ResumePlan;
import org.lmshards.trainer.train.console.ProgressMode;
import org.lmshards.trainer.train.loop.StopRequest;
import org.lmshards.trainer.train.rundir.TrainSettings;
import org.lmshards.trainer.train.rundir.TrainState;
import org.lmshards.trainer.train.loop.Trainer;
import org.lmshards.trainer.train.loop.TrainingStoppedException;
import org.lmshards.trainer.train.console.TrainingUi;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code train}: trains the LSTM language model on a dataset's train split. */
@Command(name = "train", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Train an LSTM language model (AWD-LSTM-style settings) on DIR's train split, evaluating on"
                + " its valid split after every epoch. RUN_DIR receives config.json, vocab.json, metrics.jsonl,"
                + " steps.jsonl, checkpoint.zip (every epoch) and finally model.zip. See docs/MODEL.md."})
final class TrainCommand implements Callable<Integer> {
    static final String UI_BUILD_NEEDED = "--ui-port needs the UI build: mvn -Pcpu,ui -DskipTests package (or -Pcuda,ui)";

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = "--data", paramLabel = "DIR|URI",
            description = "Dataset directory, or a Hadoop URI (hdfs://, s3a://) copied into --cache-dir (required unless --resume).")
    String data;
    @Mixin
    DataOptions dataOptions;
    @Option(names = "--out", paramLabel = "RUN_DIR", required = true, description = "Run directory.")
    Path out;
    @Option(names = "--resume", arity = "0..1", fallbackValue = ResumePlan.CHECKPOINT_VALUE, paramLabel = "auto",
            description = "Continue the run in RUN_DIR from its last checkpoint; its config.json decides every setting except"
                    + " --epochs. --resume auto: continue if RUN_DIR has a checkpoint, else start the run (one command for a"
                    + " scheduler to rerun: starts, resumes, or reports a complete run with exit 0).")
    String resumeMode;
    /** Decides from --resume whether this call starts, continues, or finds the run complete. */
    private ResumePlan plan;
    /** Whether this call continues a run (from --resume, or --resume auto finding a checkpoint). */
    private boolean resume;

    @Option(names = "--init-from", paramLabel = "RUN_DIR", description = "Start from that finished run's weights"
            + " (fine-tuning): tokens in both vocabularies keep their rows, new ones get the mean (fastai's match_embeds)."
            + " The shape options default to the run's.")
    Path initFrom;
    @Option(names = "--freeze-epochs", paramLabel = "N", defaultValue = "0", description = "Train only the embedding"
            + " and output layer for the first N epochs, then all layers. Default: ${DEFAULT-VALUE}.")
    int freezeEpochs;

    @CommandLine.Mixin
    ModelOptions model;
    @Option(names = "--epochs", description = "Epochs in total. Default: 1 (on --resume: the run's).")
    Integer epochs;
    @Option(names = "--no-shuffle", description = "Keep the train split's documents in order every epoch (fastai and the"
            + " default shuffle them).")
    boolean noShuffle;
    @Option(names = "--workers", defaultValue = "1", description = "Iterator threads preparing batches (0 = none). Default: ${DEFAULT-VALUE}.")
    int workers;
    @Option(names = "--checkpoint-minutes", defaultValue = "0", description = "Also checkpoint mid-epoch every N minutes (0 = only at epoch ends).")
    double checkpointMinutes;
    @Option(names = "--checkpoint-batches", defaultValue = "0", description = "Also checkpoint mid-epoch every N batches (0 = off).")
    int checkpointBatches;
    @Option(names = "--valid-split", defaultValue = ShardLayout.VALID, description = "Split evaluated after each epoch (the default is skipped if absent; a named split must exist)."
            + " Default: ${DEFAULT-VALUE}.")
    String validSplit;
    @Option(names = "--no-progress", description = "No progress at all (on a terminal a bar, in a log a line every 10%%).")
    boolean noProgress;
    @CommandLine.Mixin
    ReplicaOption replicas;
    @Option(names = "--ui-port", paramLabel = "PORT", description = "Serve DL4J's training UI at"
            + " http://localhost:PORT/train during training (needs the UI build: mvn -Pcpu,ui package).")
    Integer uiPort;

    @Override
    @SuppressWarnings("try") // the lock is held, not used
    public Integer call() throws IOException {
        plan = usage(() -> ResumePlan.of(resumeMode, out));
        if (plan.mayStartNewRun()) {
            RunOutputs.requireWritable(spec, out); // a new run: only into a new, empty or run directory
        }
        try (DirectoryLock lock = RunLock.forTraining(out)) {
            resume = plan.decide() == ResumePlan.Start.RESUME; // under the lock, see ResumePlan#decide
            DeadTemporaries.remove(out);
            return train();
        }
    }

    @SuppressWarnings("try") // the signal handlers are installed, not used
    private Integer train() throws IOException {
        if (uiPort != null) {
            if (uiPort < 1 || uiPort > 65535) {
                throw new CommandLine.ParameterException(spec.commandLine(), "--ui-port must be in 1..65535, got " + uiPort);
            }
            if (!TrainingUi.available()) {
                throw new CommandLine.ParameterException(spec.commandLine(), UI_BUILD_NEEDED);
            }
        }
        TrainSettings settings;
        int replicaCount;
        FineTuneStart fineTune = null;
        if (resume && (initFrom != null || spec.commandLine().getParseResult().hasMatchedOption("--freeze-epochs"))) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--resume continues with the run's own"
                    + " --init-from and --freeze-epochs (config.json); leave them out");
        }
        if (resume) {
            usage(plan::requireCheckpoint);
            settings = RunFileReader.settings(out.resolve(RunFiles.CONFIG));
            if (epochs != null) {
                settings = settings.withEpochs(epochs);
            }
            replicaCount = replicas.resolve(settings.batchSize(), spec.commandLine());
            Optional<TrainState> complete = plan.completed(settings);
            if (complete.isPresent()) {
                spec.commandLine().getOut().println(TrainMessages.alreadyComplete(out, complete.get()));
                spec.commandLine().getOut().flush();
                return ExitCode.OK;
            }
            if (data == null) {
                data = settings.data();
            }
            RunDirectoryGuard.mark(out, "train"); // a run of an earlier version had no marker
        } else {
            if (data == null) {
                throw new CommandLine.ParameterException(spec.commandLine(), "missing --data DIR");
            }
            checkScheduleOptions();
            usage(plan::requireNoRun);
            replicaCount = replicas.resolve(model.bs, spec.commandLine());
            settings = null;
        }
        Path dataDir = dataOptions.localize(data);
        try (TrainingDataset run = TrainingDataset.open(dataDir)) {
            // the default split may be absent (no evaluation); a split the user named must exist
            if (spec.commandLine().getParseResult().hasMatchedOption("--valid-split") && !run.hasSplit(validSplit)) {
                throw new CommandLine.ParameterException(spec.commandLine(), "--valid-split " + validSplit + ": " + data
                        + " has no such split (it has " + run.splits() + ")");
            }
            if (resume) {
                run.requireVocabulary(Vocabulary.read(out.resolve(RunFiles.VOCAB)), out.toString());
            } else {
                if (initFrom != null) {
                    fineTune = FineTuneStart.open(initFrom, run.vocab(), model, spec, System.out);
                }
                LmHyperParams hp;
                try {
                    hp = model.hyperParams(run.vocab().size());
                    settings = new TrainSettings(hp, model.bs, model.seqLen, epochs == null ? 1 : epochs, workers, checkpointMinutes,
                            checkpointBatches, RemoteDatasetCache.isRemote(data) ? data : dataDir.toAbsolutePath().toString(), !noShuffle)
                            .withFineTuning(freezeEpochs, fineTune == null ? null : fineTune.record());
                } catch (IllegalArgumentException e) {
                    throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage());
                }
                RunDirectoryGuard.mark(out, "train");
                Vocabulary vocab = run.vocab();
                AtomicFiles.write(out.resolve(RunFiles.VOCAB), vocab::write);
            }
            long seedForData = settings.model().seed();
            try (BatchSource train = run.batches(ShardLayout.TRAIN, settings.batchSize(), settings.seqLen(), seedForData, settings.workers(),
                    settings.shuffle());
                 BatchSource valid = run.hasSplit(validSplit)
                         ? run.batches(validSplit, settings.batchSize(), settings.seqLen(), seedForData, 0) : null) {
                String estimate = TrainMessages.epochEstimate(settings.model(), train.batchesPerEpoch(), settings.batchSize(),
                        settings.seqLen(), replicaCount);
                if (estimate != null) {
                    System.out.println(estimate);
                }
                StopRequest stop = new StopRequest();
                Trainer trainer = new Trainer(settings, train, valid, out, System.out)
                        .progress(ProgressMode.forConsole(noProgress)).stopOn(stop).replicas(replicaCount);
                if (fineTune != null) {
                    trainer.initialWeights(fineTune::copyInto);
                }
                try (StopOnSignals signals = StopOnSignals.install(stop, System.err)) {
                    if (uiPort == null) {
                        return exitCode(trainer.run(resume));
                    }
                    try (TrainingUi ui = TrainingUi.start(uiPort)) {
                        System.out.println("training UI at http://localhost:" + ui.port() + "/train");
                        return exitCode(trainer.onNetworkReady(ui::attachTo).run(resume));
                    }
                } catch (TrainingStoppedException e) {
                    System.out.println(TrainMessages.stopped(e, out));
                    return e.exitCode();
                }
            }
        }
    }

    /** Values that were accepted and then failed late or did nothing (issue 25): refused up front, naming the option. */
    private void checkScheduleOptions() {
        try {
            ModelOptions.requireFinite("--checkpoint-minutes", checkpointMinutes);
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage());
        }
        if (checkpointMinutes < 0 || checkpointBatches < 0) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--checkpoint-minutes and --checkpoint-batches"
                    + " must not be negative");
        }
        if (freezeEpochs < 0) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--freeze-epochs must not be negative, got "
                    + freezeEpochs);
        }
        if (freezeEpochs > 0 && initFrom == null) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--freeze-epochs needs --init-from: it trains"
                    + " only the new layers of a pretrained model");
        }
        int total = epochs == null ? 1 : epochs;
        if (freezeEpochs > total) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--freeze-epochs " + freezeEpochs
                    + " is more than --epochs " + total + ": the body would never be trained");
        }
    }

    /** Runs a check whose {@link IllegalArgumentException} is a usage error (exit 2) with its message. */
    private void usage(Runnable check) {
        usage(() -> {
            check.run();
            return null;
        });
    }

    private <T> T usage(Supplier<T> check) {
        try {
            return check.get();
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage());
        }
    }

    private int exitCode(Trainer.Result r) {
        System.out.println(TrainMessages.nextSteps(out, data));
        return ExitCode.OK;
    }
}
