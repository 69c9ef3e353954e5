package org.lmshards.trainer.backend;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BackendsTest {

    private static final String H100 = "0, GPU-hhhh-0000, NVIDIA H100 80GB HBM3, 9.0";
    private static final String A100 = "1, GPU-aaaa-1111, NVIDIA A100-SXM4-40GB, 8.0";

    /** The backend this build carries: CPU by default, CUDA under -Pcuda (set by the profile). */
    private static final BackendKind EXPECTED =
            BackendKind.valueOf(System.getProperty("lmshards.expectedBackend", "CPU"));

    private static String failure(FakeProbe probe) {
        try {
            Backends.requireUsable(probe, false);
        } catch (IllegalStateException e) {
            return e.getMessage();
        }
        throw new AssertionError("requireUsable accepted the machine");
    }

    @Nested
    class Detect {
        @Test
        void cpuJarOnly() {
            assertThat(Backends.detect(new FakeProbe().cpuJar())).isEqualTo(BackendKind.CPU);
        }

        @Test
        void cudaJarOnly() {
            assertThat(Backends.detect(new FakeProbe().cudaJar())).isEqualTo(BackendKind.CUDA);
        }

        @Test
        void bothJarsMeansCudaAsNd4jPrefersIt() {
            assertThat(Backends.detect(new FakeProbe().cpuJar().cudaJar())).isEqualTo(BackendKind.CUDA);
        }

        @Test
        void noJar() {
            assertThat(Backends.detect(new FakeProbe())).isEqualTo(BackendKind.NONE);
        }

        @Test
        void realClassPathIsTheBuildsBackend() {
            assertThat(Backends.detect()).isEqualTo(EXPECTED);
        }
    }

    @Nested
    class RequireUsable {
        @Test
        void cpuBackendIsANoOpEvenWithoutAnyGpuOrLibrary() {
            FakeProbe probe = new FakeProbe().cpuJar();
            probe.smi = args -> {
                throw new AssertionError("the CPU backend must not run nvidia-smi");
            };
            assertThatCode(() -> Backends.requireUsable(probe, false)).doesNotThrowAnyException();
        }

        @Test
        void realBuildPassesHere() {
            assertThatCode(Backends::requireUsable).doesNotThrowAnyException();
        }

        @Test
        void noBackendJarIsRefused() {
            assertThat(failure(new FakeProbe())).contains("no ND4J backend on the class path")
                    .contains("nd4j-native").contains("nd4j-cuda-11.6");
        }

        @Test
        void workingCudaMachinePasses() {
            FakeProbe probe = FakeProbe.workingCudaMachine();
            assertThatCode(() -> Backends.requireUsable(probe, false)).doesNotThrowAnyException();
            assertThat(probe.smiCalls).containsExactly(CudaCheck.NVIDIA_SMI_QUERY);
        }

        @Test
        void noDriverAndNoKernelModule() {
            FakeProbe probe = FakeProbe.workingCudaMachine();
            probe.libraries.remove(CudaCheck.DRIVER_LIBRARY);
            probe.files.clear();
            probe.smi = args -> SystemProbe.CommandResult.notFound();
            String message = failure(probe);
            assertThat(message).startsWith("this is the CUDA build of trainer.jar (nd4j-cuda-11.6)")
                    .contains("no NVIDIA driver: libcuda.so.1 is not on the dynamic loader's path")
                    .contains("/proc/driver/nvidia does not exist")
                    .doesNotContain("CUDA 11 libraries")
                    .contains("-Dlmshards.skipBackendCheck=true");
        }

        @Test
        void kernelModuleButDriverLibraryOffThePath() {
            FakeProbe probe = FakeProbe.workingCudaMachine();
            probe.libraries.remove(CudaCheck.DRIVER_LIBRARY);
            assertThat(failure(probe)).contains("no NVIDIA driver")
                    .contains("although /proc/driver/nvidia exists").contains("LD_LIBRARY_PATH");
        }

        @Test
        void hopperIsRefused() {
            String message = failure(FakeProbe.workingCudaMachine().gpus(H100));
            assertThat(message)
                    .contains("unsupported compute capability: GPU 0 NVIDIA H100 80GB HBM3 (compute capability 9.0)")
                    .contains("sm_37 to sm_86").contains("without PTX").contains("Hopper")
                    .doesNotContain("no NVIDIA driver").doesNotContain("CUDA 11 libraries");
        }

        @Test
        void blackwellIsRefused() {
            assertThat(failure(FakeProbe.workingCudaMachine().gpus("0, GPU-bbbb, NVIDIA B200, 10.0")))
                    .contains("NVIDIA B200 (compute capability 10.0)").contains("Hopper (9.x) and newer");
        }

        @Test
        void olderThanKepler37IsRefused() {
            assertThat(failure(FakeProbe.workingCudaMachine().gpus("0, GPU-kkkk, Tesla K40m, 3.5")))
                    .contains("Tesla K40m (compute capability 3.5)").contains("older than compute capability 3.7");
        }

        @Test
        void supportedRangeEdges() {
            for (String line : List.of("0, GPU-k80, Tesla K80, 3.7", "0, GPU-m, Tesla M60, 5.2",
                    "0, GPU-p, Tesla P100-PCIE-16GB, 6.0", "0, GPU-v, Tesla V100-SXM2-16GB, 7.0",
                    "0, GPU-t, Tesla T4, 7.5", "0, GPU-3090, NVIDIA GeForce RTX 3090, 8.6",
                    "0, GPU-l4, NVIDIA L4, 8.9")) {
                FakeProbe probe = FakeProbe.workingCudaMachine().gpus(line);
                assertThatCode(() -> Backends.requireUsable(probe, false)).as(line).doesNotThrowAnyException();
            }
            assertThat(CudaCheck.supported(3, 5)).isFalse();
            assertThat(CudaCheck.supported(9, 0)).isFalse();
        }

        @Test
        void missingCudaLibrariesAreNamed() {
            FakeProbe probe = FakeProbe.workingCudaMachine();
            probe.libraries.remove("libcublas.so.11");
            probe.libraries.remove("libcusolver.so.11");
            assertThat(failure(probe))
                    .contains("CUDA 11 libraries not found: libcublas.so.11, libcusolver.so.11")
                    .contains("-Pcuda,cuda-redist").doesNotContain("libcudart.so.11.0");
        }

        @Test
        void librariesInAToolkitDirectoryOffTheLoaderPath() {
            FakeProbe probe = FakeProbe.workingCudaMachine();
            for (String lib : CudaCheck.CUDA_LIBRARIES) {
                probe.libraries.remove(lib);
                probe.offPathLibraries.put(lib, Path.of("/usr/local/cuda-11.8/lib64").resolve(lib));
            }
            assertThat(failure(probe)).contains("found in /usr/local/cuda-11.8/lib64, which is not on the loader's path")
                    .contains("LD_LIBRARY_PATH");
        }

        @Test
        void redistJarReplacesSystemLibraries() {
            FakeProbe probe = FakeProbe.workingCudaMachine();
            CudaCheck.CUDA_LIBRARIES.forEach(probe.libraries::remove);
            probe.resources.add("org/bytedeco/cuda/linux-x86_64-redist/libcublas.so.11");
            assertThatCode(() -> Backends.requireUsable(probe, false)).doesNotThrowAnyException();
        }

        @Test
        void withoutNvidiaSmiTheCapabilityIsNotChecked() {
            FakeProbe probe = FakeProbe.workingCudaMachine();
            probe.smi = args -> SystemProbe.CommandResult.notFound();
            assertThatCode(() -> Backends.requireUsable(probe, false)).doesNotThrowAnyException();
        }

        @Test
        void oldDriverWithoutComputeCapFieldFallsBackToNames() {
            FakeProbe probe = FakeProbe.workingCudaMachine();
            probe.smi = args -> args.equals(CudaCheck.NVIDIA_SMI_QUERY)
                    ? new SystemProbe.CommandResult(true, 2, List.of("Field \"compute_cap\" is not a valid field to query."))
                    : new SystemProbe.CommandResult(true, 0, List.of("0, GPU-vvvv, Tesla V100-SXM2-16GB"));
            assertThatCode(() -> Backends.requireUsable(probe, false)).doesNotThrowAnyException();
            assertThat(probe.smiCalls).containsExactly(CudaCheck.NVIDIA_SMI_QUERY, CudaCheck.NVIDIA_SMI_QUERY_OLD_DRIVER);
            assertThat(CudaCheck.listGpus(probe).gpus()).singleElement()
                    .satisfies(g -> assertThat(g.label()).isEqualTo("GPU 0 Tesla V100-SXM2-16GB"));
        }

        @Test
        void noDevices() {
            assertThat(failure(FakeProbe.workingCudaMachine().smiFails(6, "No devices were found")))
                    .contains("no GPU: nvidia-smi found no devices");
        }

        @Test
        void driverNotRunning() {
            assertThat(failure(FakeProbe.workingCudaMachine().smiFails(9,
                    "NVIDIA-SMI has failed because it couldn't communicate with the NVIDIA driver. Make sure"
                            + " that the latest NVIDIA driver is installed and running.")))
                    .contains("the NVIDIA driver is not running (nvidia-smi: NVIDIA-SMI has failed");
        }

        @Test
        void otherNvidiaSmiFailure() {
            assertThat(failure(FakeProbe.workingCudaMachine().smiFails(15, "Unknown Error")))
                    .contains("nvidia-smi failed with exit code 15: Unknown Error");
        }

        @Test
        void unreadableNvidiaSmiOutput() {
            assertThat(failure(FakeProbe.workingCudaMachine().gpus("garbage without commas")))
                    .contains("cannot read nvidia-smi's GPU list: garbage without commas");
        }

        @Test
        void cudaVisibleDevicesSelectsTheSupportedGpu() {
            FakeProbe probe = FakeProbe.workingCudaMachine().gpus(H100, A100);
            assertThat(failure(probe)).contains("H100").doesNotContain("A100");
            probe.env.put("CUDA_VISIBLE_DEVICES", "1");
            assertThatCode(() -> Backends.requireUsable(probe, false)).doesNotThrowAnyException();
            probe.env.put("CUDA_VISIBLE_DEVICES", "GPU-aaaa");
            assertThatCode(() -> Backends.requireUsable(probe, false)).doesNotThrowAnyException();
            probe.env.put("CUDA_VISIBLE_DEVICES", "1,0");
            assertThat(failure(probe)).contains("H100");
        }

        @Test
        void cudaVisibleDevicesHidingEveryGpu() {
            FakeProbe probe = FakeProbe.workingCudaMachine().gpus(A100);
            probe.env.put("CUDA_VISIBLE_DEVICES", "");
            assertThat(failure(probe)).contains("no GPU visible: CUDA_VISIBLE_DEVICES= selects none of the 1 GPU(s)");
            probe.env.put("CUDA_VISIBLE_DEVICES", "-1");
            assertThat(failure(probe)).contains("no GPU visible");
        }

        @Test
        void visibleDevicesStopAtTheFirstInvalidEntry() {
            List<GpuInfo> all = GpuInfo.parse(List.of(H100, A100), true).orElseThrow();
            assertThat(CudaCheck.visibleDevices(all, "1,7,0")).extracting(GpuInfo::index).containsExactly(1);
            assertThat(CudaCheck.visibleDevices(all, "0, 1")).extracting(GpuInfo::index).containsExactly(0, 1);
        }

        @Test
        void everyProblemIsListedAtOnce() {
            FakeProbe probe = FakeProbe.workingCudaMachine().gpus(H100);
            probe.libraries.clear();
            assertThat(failure(probe)).contains("no NVIDIA driver").contains("Hopper").contains("CUDA 11 libraries not found");
        }

        @Test
        void skipPropertyBypassesTheCudaChecks() {
            FakeProbe probe = new FakeProbe().cudaJar();
            assertThatCode(() -> Backends.requireUsable(probe, true)).doesNotThrowAnyException();
            assertThatThrownBy(() -> Backends.requireUsable(new FakeProbe(), true))
                    .isInstanceOf(IllegalStateException.class);
        }
    }

    @Nested
    class Describe {
        private static final String CPUINFO = """
                processor\t: 0
                vendor_id\t: AuthenticAMD
                model name\t: AMD EPYC 7B13
                flags\t\t: fpu vme

                processor\t: 1
                vendor_id\t: AuthenticAMD
                model name\t: AMD EPYC 7B13
                """;

        @Test
        void cpuBackendLine() {
            FakeProbe probe = new FakeProbe().cpuJar();
            probe.files.put(Path.of("/proc/cpuinfo"), CPUINFO);
            probe.env.put("OMP_NUM_THREADS", "1");
            String line = Backends.describe(probe,
                    new Nd4jFacts("org.nd4j.linalg.cpu.nativecpu.CpuBackend", 1, 1, 1, "OPENBLAS", "1"), 2);
            assertThat(line).isEqualTo("ND4J backend CpuBackend (nd4j-native, CPU, BLAS OPENBLAS);"
                    + " device: CPU AMD EPYC 7B13, 2 logical CPUs (2 available to the JVM);"
                    + " threads: ND4J 1 (master 1), BLAS 1, OMP_NUM_THREADS=1");
        }

        @Test
        void cudaBackendLineNamesTheGpus() {
            FakeProbe probe = FakeProbe.workingCudaMachine().gpus("0, GPU-x, NVIDIA GeForce RTX 3090, 8.6");
            String line = Backends.describe(probe,
                    new Nd4jFacts("org.nd4j.linalg.jcublas.JCublasBackend", 4, 4, 1, null, null), 8);
            assertThat(line).startsWith("ND4J backend JCublasBackend (nd4j-cuda-11.6, CUDA);"
                            + " devices: GPU 0 NVIDIA GeForce RTX 3090 (compute capability 8.6); host CPU: ")
                    .endsWith("threads: ND4J 4 (master 4), OMP_NUM_THREADS=unset");
        }

        @Test
        void cpuWithoutProcCpuinfo() {
            assertThat(Backends.cpuDescription(new FakeProbe(), 3))
                    .isEqualTo(System.getProperty("os.arch") + " (3 available to the JVM)");
        }

        @Test
        void realBackendIsNamed() {
            Backends.requireUsable(); // under -Pcuda without a usable GPU: say why, not an ND4J init error
            String line = Backends.describe();
            assertThat(line).startsWith(EXPECTED == BackendKind.CPU ? "ND4J backend CpuBackend (nd4j-native, CPU"
                            : "ND4J backend JCublasBackend (nd4j-cuda-11.6, CUDA")
                    .contains(EXPECTED == BackendKind.CPU ? "device: CPU " : "devices: GPU ")
                    .contains("threads: ND4J ").contains("OMP_NUM_THREADS=").doesNotContain("\n");
        }
    }

    @Nested
    class Host {
        private final HostProbe host = new HostProbe();

        @Test
        void findsTheCLibraryAndNotAnInventedOne() {
            assertThat(host.findLibrary("libc.so.6")).isPresent();
            assertThat(host.findLibrary("liblmshards-does-not-exist.so.9")).isEmpty();
        }

        @Test
        void seesTheBuildsBackendClassAndNotTheOtherOne() {
            BackendKind other = EXPECTED == BackendKind.CPU ? BackendKind.CUDA : BackendKind.CPU;
            assertThat(host.hasClassResource(EXPECTED.classResource())).isTrue();
            assertThat(host.hasClassResource(other.classResource())).isFalse();
        }

        @Test
        void runsNvidiaSmiAndReadsItsOutput(@TempDir Path dir) throws IOException {
            Path smi = script(dir.resolve("nvidia-smi"), "echo \"0, GPU-hhhh, NVIDIA H100 80GB HBM3, 9.0\"\necho \"$@\" >&2");
            SystemProbe.CommandResult result = new HostProbe(smi.toString()).nvidiaSmi(CudaCheck.NVIDIA_SMI_QUERY);
            assertThat(result.started()).isTrue();
            assertThat(result.exitCode()).isZero();
            assertThat(result.output()).containsExactly("0, GPU-hhhh, NVIDIA H100 80GB HBM3, 9.0",
                    "--query-gpu=index,uuid,name,compute_cap --format=csv,noheader");
        }

        @Test
        void reportsNvidiaSmiExitCode(@TempDir Path dir) throws IOException {
            Path smi = script(dir.resolve("nvidia-smi"), "echo 'No devices were found'\nexit 6");
            SystemProbe.CommandResult result = new HostProbe(smi.toString()).nvidiaSmi(List.of());
            assertThat(result.exitCode()).isEqualTo(6);
            assertThat(result.output()).containsExactly("No devices were found");
        }

        @Test
        void missingNvidiaSmiIsNotStarted(@TempDir Path dir) {
            assertThat(new HostProbe(dir.resolve("absent").toString()).nvidiaSmi(List.of()).started()).isFalse();
        }

        private static Path script(Path file, String body) throws IOException {
            Files.writeString(file, "#!/bin/sh\n" + body + "\n");
            Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rwxr-xr-x"));
            return file;
        }

        @Test
        void readsProcCpuinfo() {
            assertThat(host.readFile(Path.of("/proc/cpuinfo"))).hasValueSatisfying(s -> assertThat(s).contains("processor"));
            assertThat(host.readFile(Path.of("/nonexistent/lmshards"))).isEmpty();
        }
    }
}
