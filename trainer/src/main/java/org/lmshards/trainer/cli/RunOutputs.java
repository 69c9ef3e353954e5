package org.lmshards.trainer.cli;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Optional;

import org.lmshards.trainer.train.rundir.RunDirectoryGuard;
import picocli.CommandLine;

/** The usage error (exit 2) of a command whose {@code --out} is no run directory it may write. */
final class RunOutputs {
    private RunOutputs() {
    }

    static void requireWritable(CommandLine.Model.CommandSpec spec, Path out) throws IOException {
        Optional<String> refused = RunDirectoryGuard.refusal(out);
        if (refused.isPresent()) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--out " + refused.get()
                    + "; choose a new or empty directory");
        }
    }
}
