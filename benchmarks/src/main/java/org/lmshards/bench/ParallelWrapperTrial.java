package org.lmshards.bench;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.deeplearning4j.datasets.iterator.utilty.ListDataSetIterator;
import org.deeplearning4j.nn.api.Model;
import org.deeplearning4j.parallelism.ParallelWrapper;
import org.deeplearning4j.optimize.api.BaseTrainingListener;
import org.lmshards.core.shard.ShardLayout;
import org.lmshards.trainer.model.LmHyperParams;
import org.lmshards.trainer.model.LmNetworks;
import org.lmshards.trainer.model.RowReplicas;
import org.lmshards.trainer.model.StatefulLmNetwork;
import org.lmshards.trainer.train.loop.BatchSource;
import org.lmshards.trainer.train.loop.LossEvaluator;
import org.lmshards.trainer.train.loop.TrainingDataset;
import org.nd4j.linalg.dataset.DataSet;

/**
 * Trains the small model for one epoch on the same batches three ways and prints the valid
 * perplexity and speed of each: one network alone, the trainer's row replicas, and DL4J's
 * {@link ParallelWrapper} with the same worker count (docs/MODEL.md, "Training on every core").
 *
 * <pre>java -cp CLASSPATH org.lmshards.bench.ParallelWrapperTrial DATASET [WORKERS [alone,replicas,wrapper]]</pre>
 */
public final class ParallelWrapperTrial {
    private static final int BS = 32, SEQ = 32;

    private ParallelWrapperTrial() {
    }

    public static void main(String[] args) throws Exception {
        Path data = Path.of(args[0]);
        int workers = args.length > 1 ? Integer.parseInt(args[1]) : 2;
        List<String> runs = List.of((args.length > 2 ? args[2] : "alone,replicas,wrapper").split(","));
        try (TrainingDataset ds = TrainingDataset.open(data);
             BatchSource train = ds.batches(ShardLayout.TRAIN, BS, SEQ, 1, 0, true);
             BatchSource valid = ds.batches(ShardLayout.VALID, BS, SEQ, 1, 0)) {
            LmHyperParams hp = new LmHyperParams(ds.vocab().size(), 32, 128, 2, 0, 0, 0, 0, 0, 2e-2, 0.01, 0.25, 1);
            List<DataSet> epoch = new ArrayList<>();
            train.seek(0, 0);
            while (train.hasNext()) {
                org.nd4j.linalg.dataset.api.DataSet b = train.next();
                epoch.add(new DataSet(b.getFeatures().dup(), b.getLabels().dup()));
            }
            long[] counts = new long[hp.vocabSize()];
            for (DataSet b : epoch) {
                for (float id : b.getLabels().ravel().toFloatVector()) {
                    counts[(int) id]++;
                }
            }
            System.out.printf(Locale.ROOT, "%d batches of %d x %d, %d workers%n", epoch.size(), BS, SEQ, workers);
            if (runs.contains("alone")) {
                report("one network", alone(hp, counts, epoch, 1), valid, epoch);
            }
            if (runs.contains("replicas")) {
                report(workers + " row replicas", alone(hp, counts, epoch, workers), valid, epoch);
            }
            if (runs.contains("wrapper")) {
                report("ParallelWrapper, " + workers + " workers", wrapped(hp, counts, epoch, workers), valid, epoch);
            }
        }
    }

    private record Trained(StatefulLmNetwork net, double seconds, String note) {
    }

    /** The model as the trainer starts it: output bias at the log unigram frequencies. */
    private static StatefulLmNetwork start(LmHyperParams hp, long[] counts) {
        StatefulLmNetwork net = LmNetworks.build(hp, SEQ);
        LmNetworks.initOutputBiasToLogUnigram(net, counts);
        return net;
    }

    @SuppressWarnings("try") // the replicas are attached for the loop, not used by name
    private static Trained alone(LmHyperParams hp, long[] counts, List<DataSet> epoch, int replicas) {
        StatefulLmNetwork net = start(hp, counts);
        net.setCarryState(true);
        long t0 = System.nanoTime();
        try (RowReplicas group = RowReplicas.attach(net, replicas)) {
            net.rnnClearPreviousState();
            for (int i = 0; i < epoch.size(); i++) {
                net.seedDropout(hp.seed(), i);
                net.fit(epoch.get(i));
            }
        }
        return new Trained(net, (System.nanoTime() - t0) / 1e9, "");
    }

    private static Trained wrapped(LmHyperParams hp, long[] counts, List<DataSet> epoch, int workers) throws Exception {
        StatefulLmNetwork net = start(hp, counts);
        // the workers get copies of the model's listeners: this one records what class each trains
        Set<String> workerClasses = ConcurrentHashMap.newKeySet();
        net.setListeners(new BaseTrainingListener() {
            @Override
            public void iterationDone(Model model, int iteration, int epoch) {
                workerClasses.add(model.getClass().getSimpleName());
            }
        });
        ParallelWrapper wrapper = new ParallelWrapper.Builder<>(net).workers(workers).averagingFrequency(1)
                .prefetchBuffer(2).build();
        long t0 = System.nanoTime();
        wrapper.fit(new ListDataSetIterator<>(epoch, 1));
        double seconds = (System.nanoTime() - t0) / 1e9;
        wrapper.close();
        return new Trained(net, seconds, "workers trained " + workerClasses);
    }

    private static void report(String name, Trained t, BatchSource valid, List<DataSet> epoch) {
        long tokens = (long) epoch.size() * BS * SEQ;
        double ppl = LossEvaluator.evaluate(t.net(), valid).perplexity();
        System.out.printf(Locale.ROOT, "%-32s valid perplexity %8.2f  %,6.0f tokens/s  %s%n", name, ppl, tokens / t.seconds(),
                t.note());
    }
}
