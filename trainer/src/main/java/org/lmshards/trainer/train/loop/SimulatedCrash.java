package org.lmshards.trainer.train.loop;

import org.lmshards.trainer.model.StatefulLmNetwork;

/**
 * Thrown by the test hook {@link Trainer#crashAfterSteps}: the run ends there without a
 * checkpoint, as if the process had been killed. It carries the network so that a test can
 * look at its state at that moment.
 */
final class SimulatedCrash extends RuntimeException {
    private final transient StatefulLmNetwork network;

    SimulatedCrash(long step, StatefulLmNetwork network) {
        super("simulated crash after step " + step, null, false, false);
        this.network = network;
    }

    StatefulLmNetwork network() {
        return network;
    }
}
