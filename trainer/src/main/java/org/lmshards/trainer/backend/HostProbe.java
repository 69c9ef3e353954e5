package org.lmshards.trainer.backend;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/** {@link SystemProbe} on the real machine: class path, environment, loader paths, {@code nvidia-smi}. */
final class HostProbe implements SystemProbe {

    /** Directories the dynamic loader searches even without an ld.so.cache entry. */
    private static final List<String> DEFAULT_LOADER_DIRS = List.of(
            "/lib/x86_64-linux-gnu", "/usr/lib/x86_64-linux-gnu", "/lib64", "/usr/lib64", "/lib", "/usr/lib",
            // WSL2 puts the driver's libcuda.so.1 here, on the loader path through ld.so.conf.d.
            "/usr/lib/wsl/lib",
            // libnd4jcuda.so's RUNPATH, so CUDA 11.6 installed there is found without configuration.
            "/usr/local/cuda-11.6/lib64");

    private static final long COMMAND_TIMEOUT_SECONDS = 15;

    /** nvidia-smi's answers are a few kB; ldconfig -p lists a few thousand libraries. */
    private static final int MAX_OUTPUT_BYTES = 4 << 20;

    private final String nvidiaSmi;
    private final long timeoutMillis;
    private final int maxOutputBytes;
    private Map<String, Path> ldCache;

    HostProbe() {
        this("nvidia-smi");
    }

    /** With another nvidia-smi executable (tests use a script). */
    HostProbe(String nvidiaSmi) {
        this(nvidiaSmi, TimeUnit.SECONDS.toMillis(COMMAND_TIMEOUT_SECONDS), MAX_OUTPUT_BYTES);
    }

    /** With other bounds on what a probe command may take (tests). */
    HostProbe(String nvidiaSmi, long timeoutMillis, int maxOutputBytes) {
        this.nvidiaSmi = nvidiaSmi;
        this.timeoutMillis = timeoutMillis;
        this.maxOutputBytes = maxOutputBytes;
    }

    @Override
    public boolean hasClassResource(String resource) {
        ClassLoader loader = Thread.currentThread().getContextClassLoader();
        if (loader != null && loader.getResource(resource) != null) {
            return true;
        }
        return HostProbe.class.getClassLoader().getResource(resource) != null;
    }

    @Override
    public Optional<String> env(String name) {
        return Optional.ofNullable(System.getenv(name));
    }

    @Override
    public Optional<Path> findLibrary(String fileName) {
        for (Path dir : loaderDirs()) {
            Path candidate = dir.resolve(fileName);
            if (Files.exists(candidate)) {
                return Optional.of(candidate);
            }
        }
        return Optional.ofNullable(ldCache().get(fileName));
    }

    @Override
    public Optional<Path> findLibraryOffLoaderPath(String fileName) {
        for (Path dir : cudaToolkitDirs()) {
            Path candidate = dir.resolve(fileName);
            if (Files.exists(candidate)) {
                return Optional.of(candidate);
            }
        }
        return Optional.empty();
    }

    @Override
    public Optional<String> readFile(Path file) {
        try {
            return Optional.of(Files.readString(file, StandardCharsets.UTF_8));
        } catch (IOException | RuntimeException e) {
            return Optional.empty();
        }
    }

    @Override
    public CommandResult nvidiaSmi(List<String> args) {
        List<String> command = new ArrayList<>();
        command.add(nvidiaSmi);
        command.addAll(args);
        return run(command);
    }

    private static List<Path> loaderDirs() {
        Set<String> dirs = new LinkedHashSet<>();
        for (String d : System.getenv().getOrDefault("LD_LIBRARY_PATH", "").split(":")) {
            if (!d.isBlank()) {
                dirs.add(d);
            }
        }
        for (String d : System.getProperty("java.library.path", "").split(File.pathSeparator)) {
            if (!d.isBlank()) {
                dirs.add(d);
            }
        }
        dirs.addAll(DEFAULT_LOADER_DIRS);
        return dirs.stream().map(Path::of).toList();
    }

    /** CUDA toolkit install directories, which dlopen does not search unless configured to. */
    private static List<Path> cudaToolkitDirs() {
        List<Path> dirs = new ArrayList<>();
        Path usrLocal = Path.of("/usr/local");
        try (DirectoryStream<Path> cudas = Files.newDirectoryStream(usrLocal, "cuda*")) {
            for (Path cuda : cudas) {
                dirs.add(cuda.resolve("lib64"));
                dirs.add(cuda.resolve("targets/x86_64-linux/lib"));
            }
        } catch (IOException | RuntimeException e) {
            // no /usr/local/cuda*: nothing off the loader path either
        }
        dirs.add(Path.of("/usr/local/nvidia/lib64"));
        return dirs;
    }

    /** File name to path from {@code ldconfig -p}, the loader's cache. */
    private synchronized Map<String, Path> ldCache() {
        if (ldCache == null) {
            Map<String, Path> cache = new HashMap<>();
            for (String ldconfig : List.of("/sbin/ldconfig", "/usr/sbin/ldconfig", "ldconfig")) {
                CommandResult result = run(List.of(ldconfig, "-p"));
                if (result.started() && result.exitCode() == 0) {
                    for (String line : result.output()) {
                        int arrow = line.indexOf(" => ");
                        if (arrow > 0 && line.contains("x86-64")) {
                            String name = line.strip().split("\\s+", 2)[0];
                            cache.putIfAbsent(name, Path.of(line.substring(arrow + 4).strip()));
                        }
                    }
                    break;
                }
            }
            ldCache = cache;
        }
        return ldCache;
    }

    private CommandResult run(List<String> command) {
        return BoundedCommand.run(command, timeoutMillis, maxOutputBytes);
    }
}
