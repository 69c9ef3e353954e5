package org.lmshards.cli;

import picocli.CommandLine.Command;

/** Placeholder until this command lands; replaced wholesale by its implementation. */
@Command(name = "verify", description = "(not implemented yet)")
final class VerifyCommand implements java.util.concurrent.Callable<Integer> {
    @Override
    public Integer call() {
        throw new UnsupportedOperationException("verify is not implemented yet");
    }
}
