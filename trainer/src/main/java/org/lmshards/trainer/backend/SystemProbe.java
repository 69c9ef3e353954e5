package org.lmshards.trainer.backend;

import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * What {@link Backends} asks of the machine. The real implementation is {@link HostProbe};
 * tests substitute fakes so that every branch of the CUDA checks runs without a GPU.
 */
interface SystemProbe {

    /** Whether the class path holds this resource (for example a backend class file). */
    boolean hasClassResource(String resource);

    /** An environment variable; empty when unset. */
    Optional<String> env(String name);

    /** Where the dynamic loader would find this shared library (file name like {@code libcuda.so.1}). */
    Optional<Path> findLibrary(String fileName);

    /** Where a CUDA toolkit directory that is NOT on the loader's path holds this library. */
    Optional<Path> findLibraryOffLoaderPath(String fileName);

    /** The text of a small file such as {@code /proc/cpuinfo}; empty when it cannot be read. */
    Optional<String> readFile(Path file);

    /** Runs {@code nvidia-smi} with these arguments. */
    CommandResult nvidiaSmi(List<String> args);

    /** The outcome of running an external command. */
    record CommandResult(boolean started, int exitCode, List<String> output) {
        /** The command is not installed (or could not be started). */
        static CommandResult notFound() {
            return new CommandResult(false, -1, List.of());
        }
    }
}
