package org.lmshards.trainer.cli;

import org.lmshards.core.ExitCode;
import java.util.concurrent.Callable;
import org.lmshards.trainer.backend.Doctor;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code doctor}: what the trainer would run on here, with the CUDA probe's verdict whatever the
 * build. Touches no ND4J class, so it runs where ND4J's native libraries would not load.
 */
@Command(name = "doctor", mixinStandardHelpOptions = true,
        description = {"Print the backend in this jar, the CPU and thread settings, and whether the"
                + " -Pcuda (nd4j-cuda-11.6) build would run on this machine and why not.",
                "Exit 0 unless --require-gpu is given and this jar cannot train on a GPU here (then 1)."})
final class DoctorCommand implements Callable<Integer> {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = "--require-gpu",
            description = "Exit 1 unless this jar is the CUDA build and a GPU it supports is usable here.")
    boolean requireGpu;

    @Override
    public Integer call() {
        Doctor.Findings findings = Doctor.examine();
        spec.commandLine().getOut().print(findings.render());
        spec.commandLine().getOut().flush();
        return requireGpu && !findings.trainsOnGpu() ? ExitCode.INTERNAL : ExitCode.OK;
    }

    /** Runs the check alone, so that it also works from a thin class path without ND4J. */
    public static void main(String[] args) {
        System.exit(new CommandLine(new DoctorCommand()).execute(args));
    }
}
