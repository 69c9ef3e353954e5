package org.lmshards.trainer.cli;

import org.lmshards.core.shard.ShardLayout;
import org.lmshards.core.ExitCode;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import org.lmshards.trainer.train.loop.BatchSource;
import org.lmshards.trainer.train.rundir.SnakeCaseJson;
import org.lmshards.trainer.model.RowReplicas;
import org.lmshards.trainer.train.loop.LossEvaluator;
import org.lmshards.trainer.train.console.PassProgress;
import org.lmshards.trainer.train.console.ProgressMode;
import org.lmshards.trainer.train.loop.TrainingDataset;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code evaluate}: loss and perplexity of a trained model on a split. */
@Command(name = "evaluate", mixinStandardHelpOptions = true,
        description = {"Mean per-token cross-entropy (nats) and perplexity of RUN_DIR's model on a split of DIR,"
                + " batched as in training (the same number train reports as valid_loss)."})
final class EvaluateCommand implements Callable<Integer> {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @CommandLine.Mixin
    FinishedRunOption model;
    @Option(names = "--data", paramLabel = "DIR|URI", required = true,
            description = "Dataset directory (same vocabulary), or a Hadoop URI (hdfs://, s3a://) copied into --cache-dir.")
    String data;
    @Mixin
    DataOptions dataOptions;
    @Option(names = "--split", defaultValue = ShardLayout.VALID, description = "Split to evaluate. Default: ${DEFAULT-VALUE}.")
    String split;
    @Option(names = "--json", description = "Print one JSON object instead of text.")
    boolean json;
    @CommandLine.Mixin
    ReplicaOption replicas;

    @Override
    @SuppressWarnings("try") // the resource is held for its scope, not used
    public Integer call() throws IOException {
        RunDirectory run = model.open();
        int replicaCount = replicas.resolve(run.settings().batchSize(), spec.commandLine());
        LossEvaluator.Result r;
        try (TrainingDataset dataset = TrainingDataset.open(dataOptions.localize(data))) {
            dataset.requireVocabulary(run.vocab(), model.dir.toString());
            try (BatchSource batches = dataset.batches(split, run.settings().batchSize(), run.settings().seqLen(),
                    run.settings().model().seed(), 0)) {
                // stdout is for the result (--json): progress goes to stderr
                long t0 = System.nanoTime();
                long tokensPerBatch = (long) run.settings().batchSize() * run.settings().seqLen();
                try (PassProgress progress = new PassProgress(ProgressMode.forConsole(false), "evaluate " + split,
                        batches.batchesPerEpoch(), 0, 0, System.err);
                     RowReplicas group = RowReplicas.attachForInference(run.network(), replicaCount)) {
                    r = LossEvaluator.evaluate(run.network(), batches, done -> progress.update(done,
                            (System.nanoTime() - t0) / 1e9, String.format(Locale.ROOT, "%.0f tok/s",
                                    (double) done * tokensPerBatch / Math.max((System.nanoTime() - t0) / 1e9, 1e-9))));
                }
            }
        }
        if (json) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("split", split);
            m.put("loss", r.meanLoss());
            m.put("perplexity", r.perplexity());
            m.put("tokens", r.tokens());
            spec.commandLine().getOut().println(SnakeCaseJson.line(m));
        } else {
            spec.commandLine().getOut().printf(Locale.ROOT, "%s: loss %.6f nats/token, perplexity %.3f (%d tokens)%n",
                    split, r.meanLoss(), r.perplexity(), r.tokens());
        }
        spec.commandLine().getOut().flush();
        return ExitCode.OK;
    }
}
