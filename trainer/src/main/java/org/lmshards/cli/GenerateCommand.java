package org.lmshards.cli;

import picocli.CommandLine.Command;

/** Placeholder until this command lands; replaced wholesale by its implementation. */
@Command(name = "generate", description = "(not implemented yet)")
final class GenerateCommand implements java.util.concurrent.Callable<Integer> {
    @Override
    public Integer call() {
        throw new UnsupportedOperationException("generate is not implemented yet");
    }
}
