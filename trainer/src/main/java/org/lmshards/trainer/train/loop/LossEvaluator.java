package org.lmshards.trainer.train.loop;

import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.api.memory.MemoryWorkspace;
import org.nd4j.linalg.api.memory.conf.WorkspaceConfiguration;
import org.nd4j.linalg.api.memory.enums.AllocationPolicy;
import org.nd4j.linalg.api.memory.enums.LearningPolicy;
import org.nd4j.linalg.api.memory.enums.ResetPolicy;
import org.nd4j.linalg.api.memory.enums.SpillPolicy;
import org.nd4j.linalg.factory.Nd4j;
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
 *
 * <p>The softmax outputs of a batch ({@code [rows, vocabulary, time]}, 37 MB at the small size)
 * go into a workspace reused from batch to batch, one per row block: allocated afresh, each
 * batch's output cost page faults that made evaluation slower than a training step and left
 * hundreds of MB for the garbage collector to free. The workspaces go when the pass ends.
 */
public final class LossEvaluator {
    /** Probabilities are clipped from below as DL4J's softmax cross-entropy does. */
    static final double MIN_PROBABILITY = 1e-10;

    /** As DL4J's own output workspaces: sized on the first batch, grown if a later one needs more. */
    private static final WorkspaceConfiguration OUTPUT_WORKSPACE = WorkspaceConfiguration.builder()
            .initialSize(0).overallocationLimit(0.05).policyLearning(LearningPolicy.FIRST_LOOP)
            .policyReset(ResetPolicy.BLOCK_LEFT).policySpill(SpillPolicy.REALLOCATE)
            .policyAllocation(AllocationPolicy.OVERALLOCATE).build();

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
        RowReplicas replicas = net instanceof StatefulLmNetwork s ? s.replicas() : null;
        MemoryWorkspace[] outputs = new MemoryWorkspace[replicas == null ? 1 : replicas.count()];
        try {
            while (source.hasNext()) {
                DataSet ds = source.next();
                INDArray labels = ds.getLabels();
                if (replicas == null) {
                    sum += lossSum(net, 0, ds.getFeatures(), labels, outputs);
                } else {
                    // each replica runs its own rows, with the state it carried from its rows of the last batch
                    for (double blockSum : replicas.map(ds.getFeatures(), labels,
                            (replica, k, f, l) -> lossSum(replica, k, f, l, outputs))) {
                        sum += blockSum;
                    }
                }
                tokens += labels.size(0) * labels.size(2);
                ResidentSizeCheck.check();
                afterBatch.accept(++batches);
            }
        } finally {
            net.rnnClearPreviousState();
            for (MemoryWorkspace ws : outputs) {
                if (ws != null) {
                    ws.destroyWorkspace();
                }
            }
        }
        if (tokens == 0) {
            throw new IllegalArgumentException("the split has no batches to evaluate");
        }
        return new Result(sum, tokens);
    }

    /** Summed cross-entropy (nats) of a row block's labels, its outputs in workspace {@code outputs[k]}. */
    @SuppressWarnings("try") // the workspace is held for its scope
    private static double lossSum(MultiLayerNetwork net, int k, INDArray features, INDArray labels,
                                  MemoryWorkspace[] outputs) {
        if (outputs[k] == null) { // created on the thread that uses it: the thread running block k
            outputs[k] = Nd4j.getWorkspaceManager().createNewWorkspace(OUTPUT_WORKSPACE, "lmshards-eval-output-" + k);
        }
        try (MemoryWorkspace ws = outputs[k].notifyScopeEntered()) {
            return lossSum(net.rnnTimeStep(features, ws), labels);
        }
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
