package org.lmshards.trainer.backend;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;

/** A machine described by hand, for the CUDA checks' branches. */
final class FakeProbe implements SystemProbe {
    final Set<String> resources = new HashSet<>();
    final Map<String, String> env = new HashMap<>();
    final Map<String, Path> libraries = new HashMap<>();
    final Map<String, Path> offPathLibraries = new HashMap<>();
    final Map<Path, String> files = new HashMap<>();
    final List<List<String>> smiCalls = new ArrayList<>();
    Function<List<String>, CommandResult> smi = args -> CommandResult.notFound();

    /** A machine where the CUDA build runs: driver, CUDA 11 libraries, one A100. */
    static FakeProbe workingCudaMachine() {
        FakeProbe p = new FakeProbe().cudaJar().driver().cudaLibraries();
        p.files.put(Path.of("/proc/driver/nvidia/version"), "NVRM version: 535.104.05\n");
        return p.gpus("0, GPU-aaaa-1111, NVIDIA A100-SXM4-40GB, 8.0");
    }

    FakeProbe cudaJar() {
        resources.add(BackendKind.CUDA.classResource());
        return this;
    }

    FakeProbe cpuJar() {
        resources.add(BackendKind.CPU.classResource());
        return this;
    }

    FakeProbe driver() {
        libraries.put(CudaCheck.DRIVER_LIBRARY, Path.of("/usr/lib/x86_64-linux-gnu/libcuda.so.1"));
        return this;
    }

    FakeProbe cudaLibraries() {
        for (String lib : CudaCheck.CUDA_LIBRARIES) {
            libraries.put(lib, Path.of("/usr/local/cuda-11.6/lib64").resolve(lib));
        }
        return this;
    }

    /** nvidia-smi answers the compute_cap query with these lines. */
    FakeProbe gpus(String... lines) {
        smi = args -> new CommandResult(true, 0, List.of(lines));
        return this;
    }

    FakeProbe smiFails(int exitCode, String... output) {
        smi = args -> new CommandResult(true, exitCode, List.of(output));
        return this;
    }

    @Override
    public boolean hasClassResource(String resource) {
        return resources.contains(resource);
    }

    @Override
    public Optional<String> env(String name) {
        return Optional.ofNullable(env.get(name));
    }

    @Override
    public Optional<Path> findLibrary(String fileName) {
        return Optional.ofNullable(libraries.get(fileName));
    }

    @Override
    public Optional<Path> findLibraryOffLoaderPath(String fileName) {
        return Optional.ofNullable(offPathLibraries.get(fileName));
    }

    @Override
    public Optional<String> readFile(Path file) {
        return Optional.ofNullable(files.get(file));
    }

    @Override
    public CommandResult nvidiaSmi(List<String> args) {
        smiCalls.add(args);
        return smi.apply(args);
    }
}
