package org.lmshards.trainer.backend;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * What the CUDA build ({@code nd4j-cuda-11.6}, DL4J 1.0.0-M2.1) needs from the machine, checked
 * without touching ND4J: initialising ND4J's CUDA backend on a machine that lacks one of these
 * crashes the JVM or prints native errors instead of saying what is missing.
 */
final class CudaCheck {

    /** The driver's user-space library, which every CUDA program loads. */
    static final String DRIVER_LIBRARY = "libcuda.so.1";

    /**
     * The CUDA 11 libraries the backend loads (sonames shared by every CUDA 11.x), from the ELF
     * NEEDED entries: libnd4jcuda.so needs libcublas.so.11 and libcusolver.so.11 (cuBLAS needs
     * cuBLASLt), and JavaCPP's cudart binding libjnicudart.so, which the backend loads first,
     * needs libcudart.so.11.0 and the driver's libcuda.so.1.
     */
    static final List<String> CUDA_LIBRARIES =
            List.of("libcudart.so.11.0", "libcublas.so.11", "libcublasLt.so.11", "libcusolver.so.11");

    /**
     * {@code org.bytedeco:cuda:...:linux-x86_64-redist} (the {@code cuda-redist} profile) carries
     * the CUDA libraries inside the jar; JavaCPP extracts them into its cache at start.
     */
    static final List<String> REDIST_RESOURCES = List.of(
            "org/bytedeco/cuda/linux-x86_64-redist/libcublas.so.11",
            "org/bytedeco/cuda/linux-x86_64-redist/libcudart.so.11.0");

    static final List<String> NVIDIA_SMI_QUERY =
            List.of("--query-gpu=index,uuid,name,compute_cap", "--format=csv,noheader");
    static final List<String> NVIDIA_SMI_QUERY_OLD_DRIVER =
            List.of("--query-gpu=index,uuid,name", "--format=csv,noheader");

    private static final String SUPPORTED_RANGE =
            "nd4j-cuda-11.6 (DL4J 1.0.0-M2.1) ships GPU code for sm_37 to sm_86 only, without PTX";

    private CudaCheck() {
    }

    /** Every reason the CUDA backend cannot run here; empty when it can (as far as can be told). */
    static List<String> problems(SystemProbe probe) {
        return problems(probe, listGpus(probe));
    }

    /** The same, with the GPUs already listed (nvidia-smi can take seconds to answer). */
    static List<String> problems(SystemProbe probe, GpuListing listing) {
        List<String> problems = new ArrayList<>();
        if (probe.findLibrary(DRIVER_LIBRARY).isEmpty()) {
            problems.add(noDriver(probe));
        }
        listing.problem().ifPresent(problems::add);
        for (GpuInfo gpu : listing.gpus()) {
            unsupported(gpu).ifPresent(problems::add);
        }
        missingLibraries(probe).ifPresent(problems::add);
        return problems;
    }

    /** Whether ND4J's CUDA kernels can run on a GPU of this compute capability. */
    static boolean supported(int major, int minor) {
        // libnd4jcuda.so's fatbins hold cubins for sm_37/50/52/60/61/70/75/80/86 and no PTX. A cubin
        // for sm_XY runs on sm_XZ with Z >= Y of the same major only, and without PTX nothing can
        // be JIT-compiled for a newer major: so 3.7 up to 8.x (8.9 Ada runs the sm_86 code).
        return (major == 3 && minor >= 7) || (major >= 5 && major <= 8);
    }

    static Optional<String> unsupported(GpuInfo gpu) {
        if (!gpu.ccKnown() || supported(gpu.ccMajor(), gpu.ccMinor())) {
            return Optional.empty();
        }
        String why = gpu.ccMajor() >= 9
                ? "Hopper (9.x) and newer GPUs such as the H100/H200 cannot run it"
                : "GPUs older than compute capability 3.7 cannot run it";
        return Optional.of("unsupported compute capability: " + gpu.label() + "; " + SUPPORTED_RANGE
                + ", so " + why + " (if the machine has a supported GPU too, select it with CUDA_VISIBLE_DEVICES)");
    }

    /** The GPUs that CUDA will see, from nvidia-smi filtered by CUDA_VISIBLE_DEVICES. */
    static GpuListing listGpus(SystemProbe probe) {
        SystemProbe.CommandResult result = probe.nvidiaSmi(NVIDIA_SMI_QUERY);
        if (!result.started()) {
            // No nvidia-smi: the compute capability cannot be checked here; the driver check and
            // ND4J itself still catch a missing GPU.
            return new GpuListing(List.of(), Optional.empty(), false);
        }
        boolean withCc = true;
        if (result.exitCode() != 0 && String.join("\n", result.output()).contains("compute_cap")) {
            // Drivers before 510 do not know the compute_cap field.
            result = probe.nvidiaSmi(NVIDIA_SMI_QUERY_OLD_DRIVER);
            withCc = false;
        }
        String text = String.join("\n", result.output()).strip();
        if (result.exitCode() != 0) {
            String lower = text.toLowerCase(Locale.ROOT);
            if (lower.contains("no devices were found")) {
                return new GpuListing(List.of(), Optional.of("no GPU: nvidia-smi found no devices"), true);
            }
            String first = text.isEmpty() ? "(no output)" : text.lines().findFirst().orElse("");
            if (lower.contains("couldn't communicate with the nvidia driver")) {
                return new GpuListing(List.of(), Optional.of(
                        "the NVIDIA driver is not running (nvidia-smi: " + first + ")"), true);
            }
            return new GpuListing(List.of(), Optional.of(
                    "nvidia-smi failed with exit code " + result.exitCode() + ": " + first), true);
        }
        Optional<List<GpuInfo>> parsed = GpuInfo.parse(result.output(), withCc);
        if (parsed.isEmpty()) {
            return new GpuListing(List.of(), Optional.of("cannot read nvidia-smi's GPU list: " + text), true);
        }
        List<GpuInfo> all = parsed.get();
        if (all.isEmpty()) {
            return new GpuListing(List.of(), Optional.of("no GPU: nvidia-smi lists no devices"), true);
        }
        Optional<String> visible = probe.env("CUDA_VISIBLE_DEVICES");
        if (visible.isEmpty()) {
            return new GpuListing(all, Optional.empty(), true);
        }
        List<GpuInfo> selected = visibleDevices(all, visible.get());
        if (selected.isEmpty()) {
            return new GpuListing(List.of(), Optional.of("no GPU visible: CUDA_VISIBLE_DEVICES=" + visible.get()
                    + " selects none of the " + all.size() + " GPU(s) nvidia-smi lists"), true);
        }
        return new GpuListing(selected, Optional.empty(), true);
    }

    /**
     * CUDA's rules: a comma-separated list of indices or UUID prefixes; enumeration stops at the
     * first entry that matches no device.
     */
    static List<GpuInfo> visibleDevices(List<GpuInfo> all, String cudaVisibleDevices) {
        List<GpuInfo> selected = new ArrayList<>();
        for (String raw : cudaVisibleDevices.split(",")) {
            String entry = raw.strip();
            Optional<GpuInfo> match = Optional.empty();
            if (entry.matches("\\d+")) {
                int index = Integer.parseInt(entry);
                match = all.stream().filter(g -> g.index() == index).findFirst();
            } else if (entry.startsWith("GPU-")) {
                match = all.stream().filter(g -> g.uuid().startsWith(entry)).findFirst();
            }
            if (match.isEmpty()) {
                break;
            }
            if (!selected.contains(match.get())) {
                selected.add(match.get());
            }
        }
        return selected;
    }

    private static String noDriver(SystemProbe probe) {
        boolean kernelModule = probe.readFile(Path.of("/proc/driver/nvidia/version")).isPresent();
        return "no NVIDIA driver: " + DRIVER_LIBRARY + " is not on the dynamic loader's path"
                + (kernelModule
                        ? " although /proc/driver/nvidia exists (add the driver's library directory to LD_LIBRARY_PATH)"
                        : " and /proc/driver/nvidia does not exist (install the NVIDIA driver; in a container run"
                                + " it with the NVIDIA Container Toolkit, e.g. docker run --gpus all)");
    }

    private static Optional<String> missingLibraries(SystemProbe probe) {
        if (REDIST_RESOURCES.stream().anyMatch(probe::hasClassResource)) {
            return Optional.empty();
        }
        List<String> missing = new ArrayList<>();
        List<String> offPath = new ArrayList<>();
        for (String lib : CUDA_LIBRARIES) {
            if (probe.findLibrary(lib).isEmpty()) {
                missing.add(lib);
                probe.findLibraryOffLoaderPath(lib).ifPresent(p -> offPath.add(p.getParent().toString()));
            }
        }
        if (missing.isEmpty()) {
            return Optional.empty();
        }
        String hint = offPath.isEmpty()
                ? "install the CUDA 11.x toolkit libraries (11.6 matches), or rebuild with"
                        + " -Pcuda,cuda-redist to bundle them"
                : "found in " + String.join(", ", offPath.stream().distinct().toList())
                        + ", which is not on the loader's path: add it to LD_LIBRARY_PATH";
        return Optional.of("CUDA 11 libraries not found: " + String.join(", ", missing)
                + " (nd4j-cuda-11.6 needs the CUDA 11 runtime, cuBLAS and cuSOLVER; " + hint + ")");
    }

    /**
     * The GPUs CUDA will use; {@code problem} when there is none; {@code queried} false when
     * nvidia-smi is not installed.
     */
    record GpuListing(List<GpuInfo> gpus, Optional<String> problem, boolean queried) {
    }
}
