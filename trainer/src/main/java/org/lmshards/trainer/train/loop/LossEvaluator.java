package org.lmshards.trainer.train.loop;

import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.lmshards.trainer.model.RowReplicas;
import org.lmshards.trainer.model.StatefulLmNetwork;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.api.DataSet;
import org.lmshards.trainer.backend.ResidentSizeCheck;

/**
 * Mean per-token cross-entropy of a model on a whole split, computed here from the softmax
 * outputs rather than taken from DL4J's {@code score()} (which holds only the last segment
 * and adds the regularisation term). The recurrent state is carried from batch to batch and
 * reset at the start, as in training; no dropout. {@code train} and {@code evaluate} both use
 * this class, so they report the same number for the same model.
 */
public final class LossEvaluator {
    /** Probabilities are clipped from below as DL4J's softmax cross-entropy does. */
    static final double MIN_PROBABILITY = 1e-10;

    private LossEvaluator() {
    }

    /** Result of a pass: summed token losses (nats) and token count. */
    public record Result(double lossSum, long tokens) {
        public double meanLoss() {
            return lossSum / tokens;
        }

        public double perplexity() {
            return Math.exp(meanLoss());
        }
    }

    public static Result evaluate(MultiLayerNetwork net, BatchSource source) {
        return evaluate(net, source, done -> { });
    }

    /** The same, calling {@code afterBatch} with the number of batches done after each one (for progress). */
    public static Result evaluate(MultiLayerNetwork net, BatchSource source, java.util.function.LongConsumer afterBatch) {
        net.rnnClearPreviousState();
        source.seek(0, 0);
        double sum = 0;
        long tokens = 0;
        long batches = 0;
        try {
            RowReplicas replicas = net instanceof StatefulLmNetwork s ? s.replicas() : null;
            while (source.hasNext()) {
                DataSet ds = source.next();
                INDArray labels = ds.getLabels();
                if (replicas == null) {
                    sum += lossSum(net.rnnTimeStep(ds.getFeatures()), labels);
                } else {
                    // each replica runs its own rows, with the state it carried from its rows of the last batch
                    for (double blockSum : replicas.map(ds.getFeatures(), labels,
                            (replica, k, f, l) -> lossSum(replica.rnnTimeStep(f), l))) {
                        sum += blockSum;
                    }
                }
                tokens += labels.size(0) * labels.size(2);
                ResidentSizeCheck.check();
                afterBatch.accept(++batches);
            }
        } finally {
            net.rnnClearPreviousState();
        }
        if (tokens == 0) {
            throw new IllegalArgumentException("the split has no batches to evaluate");
        }
        return new Result(sum, tokens);
    }

    /** Summed cross-entropy (nats) of {@code labels [rows, 1, time]} under {@code probs [rows, vocab, time]}. */
    private static double lossSum(INDArray probs, INDArray labels) {
        double sum = 0;
        long rows = labels.size(0), steps = labels.size(2);
        for (long b = 0; b < rows; b++) {
            for (long t = 0; t < steps; t++) {
                long label = (long) labels.getFloat(b, 0, t);
                double p = probs.getFloat(b, label, t);
                sum -= Math.log(Math.max(p, MIN_PROBABILITY));
            }
        }
        return sum;
    }
}
