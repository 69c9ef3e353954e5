package org.lmshards.cli;

import picocli.CommandLine.Command;

/** Placeholder until this command lands; replaced wholesale by its implementation. */
@Command(name = "evaluate", description = "(not implemented yet)")
final class EvaluateCommand implements java.util.concurrent.Callable<Integer> {
    @Override
    public Integer call() {
        throw new UnsupportedOperationException("evaluate is not implemented yet");
    }
}
