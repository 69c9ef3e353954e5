package org.lmshards.trainer.cli;

import org.lmshards.core.ExitCode;
import java.io.PrintWriter;
import picocli.CommandLine;

/**
 * Reports a bad command line as the one line that matters, picocli's suggestions for a
 * mistyped option, and a pointer to {@code --help}, instead of the whole usage text under which
 * the cause scrolls away.
 */
final class UsageErrorReporter implements CommandLine.IParameterExceptionHandler {
    @Override
    public int handleParseException(CommandLine.ParameterException ex, String[] args) {
        CommandLine cl = ex.getCommandLine();
        PrintWriter err = cl.getErr();
        if (args.length == 0) {
            cl.usage(err); // nothing given at all: the list of commands is the answer
            return ExitCode.USAGE;
        }
        err.println("error: " + ex.getMessage());
        CommandLine.UnmatchedArgumentException.printSuggestions(ex, err);
        err.println("Run '" + cl.getCommandSpec().qualifiedName() + " --help' for the options.");
        err.flush();
        return ExitCode.USAGE;
    }
}
