package org.lmshards.trainer.cli;

import org.lmshards.core.shard.ShardLayout;
import org.lmshards.core.ExitCode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import org.lmshards.trainer.model.LmHyperParams;
import org.lmshards.trainer.report.HtmlReport;
import org.lmshards.trainer.report.LrFindReport;
import org.lmshards.core.io.DirectoryLock;
import org.lmshards.trainer.train.rundir.AtomicFiles;
import org.lmshards.trainer.train.rundir.DeadTemporaries;
import org.lmshards.trainer.train.rundir.RunDirectoryGuard;
import org.lmshards.trainer.train.rundir.RunFiles;
import org.lmshards.trainer.train.rundir.RunLock;
import org.lmshards.trainer.train.loop.BatchSource;
import org.lmshards.trainer.train.rundir.SnakeCaseJson;
import org.lmshards.trainer.train.loop.LrFinder;
import org.lmshards.trainer.train.loop.TrainingDataset;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code lr-find}: fastai's learning-rate finder for the model {@code train} would build with the same options. */
@Command(name = "lr-find", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Sweep the learning rate exponentially over DIR's train split (fastai's lr_find; by default"
                + " about one epoch, see --iterations) and suggest one. RUN_DIR receives lr_find.jsonl, lr_find.svg"
                + " and lr_find.html; train with the same options and --lr set to the suggestion (see docs/MODEL.md)."})
final class LrFindCommand implements Callable<Integer> {
    @Option(names = "--data", paramLabel = "DIR|URI", required = true,
            description = "Dataset directory, or a Hadoop URI (hdfs://, s3a://) copied into --cache-dir.")
    String data;
    @Mixin
    DataOptions dataOptions;
    @Option(names = "--out", paramLabel = "RUN_DIR", required = true, description = "Where to write the curve (created).")
    Path out;
    @Option(names = "--start-lr", defaultValue = "1e-7", description = "First learning rate. Default: ${DEFAULT-VALUE}.")
    double startLr;
    @Option(names = "--end-lr", defaultValue = "10", description = "Last learning rate. Default: ${DEFAULT-VALUE}.")
    double endLr;
    @Mixin
    SweepIterationsOption iterations;
    @CommandLine.Mixin
    ModelOptions model;
    @CommandLine.Mixin
    ReplicaOption replicas;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    @SuppressWarnings("try") // the lock is held, not used
    public Integer call() throws IOException {
        iterations.fixed(spec.commandLine()); // a bad --iterations is refused before anything is opened
        RunOutputs.requireWritable(spec, out);
        // the run directory's lock: a train writing it (or a second lr-find) is refused
        try (DirectoryLock lock = RunLock.forTraining(out)) {
            DeadTemporaries.remove(out);
            return findAndWrite();
        }
    }

    private Integer findAndWrite() throws IOException {
        try (TrainingDataset run = TrainingDataset.open(dataOptions.localize(data))) {
            LmHyperParams hp;
            LrFinder.Result r;
            int sweep;
            long epoch;
            try (BatchSource train = run.batches(ShardLayout.TRAIN, model.bs, model.seqLen, model.seed, 0)) {
                try {
                    hp = model.hyperParams(run.vocab().size());
                    epoch = train.batchesPerEpoch();
                    sweep = iterations.resolve(epoch, spec.commandLine());
                    r = LrFinder.run(hp, model.seqLen, train, startLr, endLr, sweep,
                            replicas.resolve(model.bs, spec.commandLine()));
                } catch (IllegalArgumentException e) {
                    throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage());
                }
            }
            RunDirectoryGuard.mark(out, "lr-find");
            List<LrFinder.Point> points = r.points();
            StringBuilder lines = new StringBuilder();
            double[] lrs = new double[points.size()], losses = new double[points.size()], smooth = new double[points.size()];
            for (int i = 0; i < points.size(); i++) {
                LrFinder.Point p = points.get(i);
                lines.append(SnakeCaseJson.line(p)).append('\n');
                lrs[i] = p.lr();
                losses[i] = p.loss();
                smooth[i] = p.smoothedLoss();
            }
            AtomicFiles.writeString(out.resolve("lr_find.jsonl"), lines.toString());
            Map<String, Double> suggestions = new LinkedHashMap<>();
            suggestions.put("valley", r.valley());
            suggestions.put("minimum/10", r.minimum());
            suggestions.put("steep", r.steep());
            LrFindReport.write(out, lrs, losses, smooth, suggestions);
            if (Files.exists(out.resolve(RunFiles.METRICS))) {
                HtmlReport.write(out); // a run's report.html gets the section docs/MODEL.md promises (issue 25)
            }
            System.out.printf(Locale.ROOT, "%d of %d batches (an epoch is %d), lr %.1e to %.1e%s%n", points.size(), sweep,
                    epoch, lrs[0], lrs[lrs.length - 1], r.diverged() ? " (stopped: the loss diverged)" : "");
            System.out.printf(Locale.ROOT, "suggested lr (valley): %.2e   minimum/10: %.2e   steep: %.2e%n",
                    r.valley(), r.minimum(), r.steep());
            System.out.println("curve: " + out.resolve(LrFindReport.HTML));
            return ExitCode.OK;
        }
    }
}
