package org.lmshards.trainer.cli;

import org.lmshards.trainer.backend.NativeBuild;
import org.lmshards.trainer.backend.ResidentSizeCheck;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * Entry point of {@code trainer.jar}: every lmshards command that is not the Spark job.
 *
 * <p>Exit codes are shared by all subcommands (see {@link ExitCodes}) so that scheduled
 * workflows can branch on them.
 */
@Command(name = "trainer.jar",
        mixinStandardHelpOptions = true,
        versionProvider = ToolVersion.class,
        description = "lmshards: tokenize, verify, inspect and train on token-shard datasets.",
        subcommands = {
                // One line per subcommand keeps merges of parallel work clean.
                TokenizeCommand.class,
                VerifyCommand.class,
                ShowBatchCommand.class,
                TrainCommand.class,
                LrFindCommand.class,
                EvaluateCommand.class,
                GenerateCommand.class,
                DoctorCommand.class,
                ExportCommand.class,
                ImportCommand.class,
                CommandLine.HelpCommand.class,
        })
public final class LmShardsCli implements Runnable {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "missing command");
    }

    /** Builds the configured command line; tests call this instead of {@link #main}. */
    public static CommandLine commandLine() {
        CommandLine cl = new CommandLine(new LmShardsCli());
        cl.setExecutionExceptionHandler(new ErrorReporter());
        cl.setParameterExceptionHandler(new UsageErrorReporter());
        cl.setExitCodeExceptionMapper(ExitCodes::forException);
        return cl;
    }

    public static void main(String[] args) {
        NativeBuild.choose(); // both before anything loads ND4J
        ResidentSizeCheck.takeOver();
        System.exit(commandLine().execute(args));
    }
}
