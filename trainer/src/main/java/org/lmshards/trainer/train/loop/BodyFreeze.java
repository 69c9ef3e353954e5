package org.lmshards.trainer.train.loop;

import java.io.PrintStream;
import java.util.List;
import java.util.Locale;
import org.lmshards.trainer.finetune.PretrainedWeights;
import org.lmshards.trainer.train.rundir.TrainSettings;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;

/**
 * fastai's frozen language model ({@code --freeze-epochs}): during the first epochs only the
 * embedding and the output layer learn. The LSTM parameters are put back after every step.
 * A per-layer learning rate of 0 would not do: DL4J's updater applies one Adam configuration to
 * every run of consecutive layers with equal settings (the first layer's), so the LSTMs would
 * still move. Their gradients are still computed and enter the global clipping norm and Adam's
 * moment estimates; PyTorch's {@code requires_grad=False} skips both. Whether an epoch is frozen
 * depends on the epoch alone (config.json and the checkpoint), so a resumed run freezes and
 * unfreezes exactly where an uninterrupted one does.
 */
final class BodyFreeze {
    private final List<INDArray> params;
    private final List<INDArray> held;

    private BodyFreeze(List<INDArray> params) {
        this.params = params;
        this.held = params.stream().map(INDArray::dup).toList();
    }

    /** Remembers the LSTM parameters as they are now. */
    static BodyFreeze hold(MultiLayerNetwork net) {
        return new BodyFreeze(PretrainedWeights.lstms(net).stream().map(l -> l.params()).toList());
    }

    /** Puts the remembered LSTM parameters back (after a step). */
    void restore() {
        for (int i = 0; i < params.size(); i++) {
            params.get(i).assign(held.get(i));
        }
    }

    /** Prints which layers epoch {@code epoch} (0-based) trains, at the first epoch and at the switch. */
    static void announce(TrainSettings settings, int epoch, boolean first, PrintStream console) {
        if (settings.freezeEpochs() == 0 || !(first || epoch == settings.freezeEpochs())) {
            return;
        }
        if (settings.frozen(epoch)) {
            console.printf(Locale.ROOT, "epoch %d/%d: frozen, training only the embedding and output layer (until"
                    + " epoch %d)%n", epoch + 1, settings.epochs(), Math.min(settings.freezeEpochs(), settings.epochs()));
        } else {
            console.printf(Locale.ROOT, "epoch %d/%d: unfrozen, training all layers%n", epoch + 1, settings.epochs());
        }
    }
}
