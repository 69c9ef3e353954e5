package org.lmshards.cli;

import picocli.CommandLine.Command;

/** Placeholder until this command lands; replaced wholesale by its implementation. */
@Command(name = "train", description = "(not implemented yet)")
final class TrainCommand implements java.util.concurrent.Callable<Integer> {
    @Override
    public Integer call() {
        throw new UnsupportedOperationException("train is not implemented yet");
    }
}
