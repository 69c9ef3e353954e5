package org.lmshards.cli;

import picocli.CommandLine.Command;

/** Placeholder until this command lands; replaced wholesale by its implementation. */
@Command(name = "show-batch", description = "(not implemented yet)")
final class ShowBatchCommand implements java.util.concurrent.Callable<Integer> {
    @Override
    public Integer call() {
        throw new UnsupportedOperationException("show-batch is not implemented yet");
    }
}
