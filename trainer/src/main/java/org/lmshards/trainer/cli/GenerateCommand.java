package org.lmshards.trainer.cli;

import org.lmshards.core.ExitCode;
import java.io.IOException;
import java.util.concurrent.Callable;
import org.lmshards.trainer.generate.TextGenerator;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code generate}: continues a prompt with a trained model. */
@Command(name = "generate", mixinStandardHelpOptions = true,
        description = {"Continue TEXT with RUN_DIR's model: fastai tokenization and the run's vocabulary, sampling"
                + " with a temperature, detokenized output. The same --seed gives the same text."})
final class GenerateCommand implements Callable<Integer> {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @CommandLine.Mixin
    FinishedRunOption model;
    @Option(names = "--prompt", paramLabel = "TEXT", required = true, description = "Text to continue.")
    String prompt;
    @Option(names = "--tokens", defaultValue = "50", description = "Tokens to generate. Default: ${DEFAULT-VALUE}.")
    int tokens;
    @Option(names = "--temperature", defaultValue = "0.8", description = "Sampling temperature (0 = greedy). Default: ${DEFAULT-VALUE}.")
    double temperature;
    @Option(names = "--seed", defaultValue = "42", description = "Sampling seed. Default: ${DEFAULT-VALUE}.")
    long seed;

    @Override
    public Integer call() throws IOException {
        if (tokens < 0 || !(temperature >= 0)) {
            throw new CommandLine.ParameterException(spec.commandLine(), "need --tokens >= 0 and --temperature >= 0");
        }
        RunDirectory run = model.open();
        java.io.PrintWriter out = spec.commandLine().getOut();
        new TextGenerator(run.network(), run.vocab()).stream(prompt, tokens, temperature, seed, out, out::flush);
        out.println();
        out.flush();
        return ExitCode.OK;
    }
}
