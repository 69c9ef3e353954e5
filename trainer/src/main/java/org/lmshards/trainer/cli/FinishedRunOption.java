package org.lmshards.trainer.cli;

import java.io.IOException;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/** {@code --model RUN_DIR}: the finished run that {@code evaluate}, {@code generate} and {@code export} read (a picocli mixin). */
final class FinishedRunOption {
    @Option(names = "--model", paramLabel = "RUN_DIR", required = true, description = "Run directory of a finished training.")
    Path dir;

    /** The run, read as one snapshot; refused while a {@code train} holds its lock ({@link RunDirectory#open}). */
    RunDirectory open() throws IOException {
        return RunDirectory.open(dir);
    }
}
