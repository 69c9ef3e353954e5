package org.lmshards.trainer.backend;

import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * Which ND4J backend this build runs on, and whether it can run here. The trainer calls
 * {@link #requireUsable()} before anything touches ND4J, then logs {@link #describe()}.
 */
public final class Backends {

    /** {@code -Dlmshards.skipBackendCheck=true} skips the CUDA checks (if they are wrong about a machine). */
    public static final String SKIP_CHECK_PROPERTY = "lmshards.skipBackendCheck";

    private static final SystemProbe HOST = new HostProbe();

    private Backends() {
    }

    /** The backend jar on the class path, found without initialising ND4J. */
    public static BackendKind detect() {
        return detect(HOST);
    }

    static BackendKind detect(SystemProbe probe) {
        // With both jars present ND4J picks the GPU backend (higher priority), so CUDA wins here too.
        if (probe.hasClassResource(BackendKind.CUDA.classResource())) {
            return BackendKind.CUDA;
        }
        if (probe.hasClassResource(BackendKind.CPU.classResource())) {
            return BackendKind.CPU;
        }
        return BackendKind.NONE;
    }

    /**
     * Fails fast, before ND4J initialises, when this build cannot run on this machine. A no-op on
     * the CPU backend. On the CUDA backend it checks for the NVIDIA driver, a GPU of a supported
     * compute capability (sm_37 to sm_86: not Hopper) and the CUDA 11 libraries.
     *
     * @throws IllegalStateException naming everything that is missing
     */
    public static void requireUsable() {
        requireUsable(HOST, Boolean.getBoolean(SKIP_CHECK_PROPERTY));
    }

    static void requireUsable(SystemProbe probe, boolean skipCudaChecks) {
        switch (detect(probe)) {
            case CPU -> {
                // nd4j-native ships its linux-x86_64 binaries and OpenBLAS: nothing to check.
            }
            case NONE -> throw new IllegalStateException("no ND4J backend on the class path: neither "
                    + BackendKind.CPU.artifact() + " nor " + BackendKind.CUDA.artifact()
                    + " (build trainer.jar with Maven: the default profile is the CPU backend, -Pcuda the CUDA one)");
            case CUDA -> {
                if (skipCudaChecks) {
                    return;
                }
                List<String> problems = CudaCheck.problems(probe);
                if (!problems.isEmpty()) {
                    throw new IllegalStateException("this is the CUDA build of trainer.jar ("
                            + BackendKind.CUDA.artifact() + ") and it cannot run here: "
                            + String.join("; ", problems) + ". Build the default CPU jar (without -Pcuda)"
                            + " for this machine, or pass -D" + SKIP_CHECK_PROPERTY + "=true to try anyway.");
                }
            }
            default -> throw new AssertionError();
        }
    }

    /**
     * One line for the log: backend, device(s), thread counts and OMP_NUM_THREADS. Initialises
     * ND4J: call {@link #requireUsable()} first.
     */
    public static String describe() {
        return describe(HOST, Nd4jFacts.live(), Runtime.getRuntime().availableProcessors());
    }

    static String describe(SystemProbe probe, Nd4jFacts nd4j, int jvmProcessors) {
        String simpleName = nd4j.backendClass().substring(nd4j.backendClass().lastIndexOf('.') + 1);
        boolean cuda = nd4j.backendClass().contains(".jcublas.");
        BackendKind kind = cuda ? BackendKind.CUDA : BackendKind.CPU;
        StringBuilder line = new StringBuilder("ND4J backend ").append(simpleName)
                .append(" (").append(kind.artifact()).append(", ").append(kind.name());
        if (nd4j.blasVendor() != null) {
            line.append(", BLAS ").append(nd4j.blasVendor());
        }
        line.append(")");
        String cpu = cpuDescription(probe, jvmProcessors);
        if (cuda) {
            CudaCheck.GpuListing listing = CudaCheck.listGpus(probe);
            line.append("; devices: ");
            if (listing.gpus().isEmpty()) {
                line.append(nd4j.devices()).append(" CUDA device(s)");
            } else {
                line.append(String.join(", ", listing.gpus().stream().map(GpuInfo::label).toList()));
            }
            line.append("; host CPU: ").append(cpu);
        } else {
            line.append("; device: CPU ").append(cpu);
        }
        line.append("; threads: ND4J ").append(nd4j.maxThreads())
                .append(" (master ").append(nd4j.maxMasterThreads()).append(")");
        if (nd4j.blasThreads() != null) {
            line.append(", BLAS ").append(nd4j.blasThreads());
        }
        line.append(", OMP_NUM_THREADS=").append(probe.env("OMP_NUM_THREADS").orElse("unset"));
        return line.toString();
    }

    /** "AMD EPYC 7B13, 2 logical CPUs (2 available to the JVM)" from /proc/cpuinfo. */
    static String cpuDescription(SystemProbe probe, int jvmProcessors) {
        Optional<String> cpuinfo = probe.readFile(Path.of("/proc/cpuinfo"));
        String model = null;
        long logical = 0;
        if (cpuinfo.isPresent()) {
            for (String l : cpuinfo.get().lines().toList()) {
                int colon = l.indexOf(':');
                if (colon < 0) {
                    continue;
                }
                String key = l.substring(0, colon).strip();
                if (key.equals("processor")) {
                    logical++;
                } else if (model == null && key.equals("model name")) {
                    model = l.substring(colon + 1).strip();
                }
            }
        }
        if (model == null || model.isEmpty()) {
            model = System.getProperty("os.arch");
        }
        String available = jvmProcessors + " available to the JVM";
        return logical > 0 ? model + ", " + logical + " logical CPUs (" + available + ")" : model + " (" + available + ")";
    }
}
