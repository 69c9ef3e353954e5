package org.lmshards.trainer.backend;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;

/**
 * What the trainer would run on here, for {@code trainer.jar doctor}: the backend in this jar, the
 * CPU, the thread settings and, whatever the build, the CUDA probe with a verdict on whether the
 * {@code -Pcuda} build would run. Reads the machine through a {@link SystemProbe} and never
 * initialises ND4J, so it also runs from a thin jar on a machine where ND4J would crash.
 */
public final class Doctor {

    /** CPU flags worth knowing for ND4J's native code and OpenBLAS, in the order printed. */
    static final List<String> CPU_FEATURES =
            List.of("sse4_2", "avx", "avx2", "fma", "avx512f", "avx512_bf16", "amx_tile");

    static final List<String> DRIVER_QUERY = List.of("--query-gpu=driver_version", "--format=csv,noheader");

    private Doctor() {
    }

    /** The findings on this machine. */
    public static Findings examine() {
        return examine(new HostProbe(), Runtime.getRuntime().availableProcessors(),
                System.getProperty("java.version") + " (" + System.getProperty("java.vm.name") + ")",
                Runtime.getRuntime().maxMemory());
    }

    static Findings examine(SystemProbe probe, int jvmProcessors, String java, long maxHeapBytes) {
        BackendKind jar = Backends.detect(probe);
        List<Line> lines = new ArrayList<>();
        lines.add(new Line("trainer.jar", "backend " + jar.artifact() + switch (jar) {
            case CPU -> " (the default CPU build)";
            case CUDA -> " (the -Pcuda build)";
            case NONE -> " (cannot train: build trainer.jar with Maven)";
        }));
        lines.add(new Line("java", java + ", max heap " + maxHeapBytes / (1024 * 1024) + " MiB"));
        lines.add(new Line("cpu", Backends.cpuDescription(probe, jvmProcessors)));
        lines.add(new Line("cpu features", cpuFeatures(probe)));
        lines.add(new Line("threads", threads(probe, jvmProcessors)));

        Optional<Path> driver = probe.findLibrary(CudaCheck.DRIVER_LIBRARY);
        boolean driverLibrary = driver.isPresent();
        lines.add(new Line("nvidia driver", driverLibrary
                ? CudaCheck.DRIVER_LIBRARY + " at " + driver.get()
                        + driverVersion(probe).map(v -> ", version " + v).orElse("")
                : "none (" + CudaCheck.DRIVER_LIBRARY + " is not on the loader's path)"));
        CudaCheck.GpuListing listing = CudaCheck.listGpus(probe);
        String gpus;
        if (!listing.queried()) {
            gpus = "unknown (nvidia-smi is not installed)";
        } else if (listing.gpus().isEmpty()) {
            gpus = listing.problem().orElse("none");
        } else {
            gpus = String.join("; ", listing.gpus().stream()
                    .map(g -> g.label() + (CudaCheck.unsupported(g).isPresent() ? " [not supported by nd4j-cuda-11.6]" : ""))
                    .toList());
        }
        lines.add(new Line("gpus", gpus));
        lines.add(new Line("cuda 11 libraries", cudaLibraries(probe)));

        List<String> problems = CudaCheck.problems(probe, listing);
        boolean cudaBuildRuns = problems.isEmpty() && driverLibrary;
        String verdict;
        if (cudaBuildRuns && listing.gpus().isEmpty()) {
            verdict = "the -Pcuda build may run here: the driver and CUDA 11 libraries are present, but"
                    + " without nvidia-smi the GPUs' compute capability could not be checked";
        } else if (cudaBuildRuns) {
            verdict = "the -Pcuda build would run here"
                    + (jar == BackendKind.CUDA ? " (and this jar is that build)" : ": this jar is not it, build it with mvn -Pcuda package");
        } else {
            verdict = "the -Pcuda build would NOT run here: " + String.join("; ", problems);
        }
        boolean trainsOnGpu = jar == BackendKind.CUDA && cudaBuildRuns;
        String runsOn = switch (jar) {
            case NONE -> "nothing: this jar carries no ND4J backend";
            case CPU -> "the CPU (" + jvmProcessors + " threads available)";
            case CUDA -> trainsOnGpu ? "the GPU" : "nothing: this is the CUDA build and it cannot run here";
        };
        return new Findings(lines, verdict, "train would run on " + runsOn, trainsOnGpu);
    }

    private static String cpuFeatures(SystemProbe probe) {
        Optional<Set<String>> flags = CpuFlags.of(probe.readFile(Path.of("/proc/cpuinfo")));
        if (flags.isEmpty()) {
            return "unknown (/proc/cpuinfo has no flags line)";
        }
        List<String> present = new ArrayList<>();
        List<String> absent = new ArrayList<>();
        for (String f : CPU_FEATURES) {
            (flags.get().contains(f) ? present : absent).add(f);
        }
        return (present.isEmpty() ? "none of " + CPU_FEATURES : String.join(" ", present))
                + (absent.isEmpty() || present.isEmpty() ? "" : " (no " + String.join(", no ", absent) + ")");
    }

    private static String threads(SystemProbe probe, int jvmProcessors) {
        Optional<String> omp = probe.env("OMP_NUM_THREADS");
        // replicas set their own native thread count; the variable only matters for --replicas 1
        String replicas = "; train, evaluate and lr-find use up to " + jvmProcessors + " replicas (--replicas auto: one per"
                + " core, each on one native thread)";
        return omp.map(n -> "OMP_NUM_THREADS=" + n + ": with --replicas 1, ND4J's native ops use " + n + " thread(s)"
                        + replicas)
                .orElse("OMP_NUM_THREADS unset: with --replicas 1, ND4J picks its own count (at most " + jvmProcessors
                        + "; one is often faster)" + replicas);
    }

    private static Optional<String> driverVersion(SystemProbe probe) {
        SystemProbe.CommandResult r = probe.nvidiaSmi(DRIVER_QUERY);
        if (!r.started() || r.exitCode() != 0) {
            return Optional.empty();
        }
        return r.output().stream().map(String::strip).filter(s -> s.matches("[0-9][0-9.]*")).findFirst();
    }

    private static String cudaLibraries(SystemProbe probe) {
        if (CudaCheck.REDIST_RESOURCES.stream().anyMatch(probe::hasClassResource)) {
            return "bundled in this jar (cuda-redist)";
        }
        List<String> parts = new ArrayList<>();
        for (String lib : CudaCheck.CUDA_LIBRARIES) {
            Optional<Path> found = probe.findLibrary(lib);
            if (found.isPresent()) {
                parts.add(lib + " found");
            } else {
                parts.add(lib + probe.findLibraryOffLoaderPath(lib)
                        .map(p -> " off the loader's path (" + p.getParent() + ")").orElse(" missing"));
            }
        }
        return String.join(", ", parts);
    }

    /** One labelled finding. */
    public record Line(String label, String value) {
    }

    /**
     * Everything {@code doctor} prints; {@code trainsOnGpu}: this jar is the CUDA build and can
     * run here, the condition {@code --require-gpu} asks for.
     */
    public record Findings(List<Line> lines, String cudaVerdict, String summary, boolean trainsOnGpu) {

        /** The report as printed, labels aligned. */
        public String render() {
            int width = lines.stream().mapToInt(l -> l.label().length()).max().orElse(0);
            StringBuilder out = new StringBuilder();
            for (Line l : lines) {
                out.append(String.format(Locale.ROOT, "%-" + width + "s  %s%n", l.label(), l.value()));
            }
            out.append(String.format(Locale.ROOT, "%-" + width + "s  %s%n", "verdict", cudaVerdict));
            out.append(String.format(Locale.ROOT, "%-" + width + "s  %s%n", "summary", summary));
            return out.toString();
        }
    }
}
