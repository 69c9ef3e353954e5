package org.lmshards.trainer.backend;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class DoctorTest {

    private static final String H200 = "0, GPU-hhhh-0000, NVIDIA H200, 9.0";
    private static final long HEAP = 4L << 30;

    private static Doctor.Findings examine(FakeProbe probe) {
        return Doctor.examine(probe, 2, "17.0.9 (OpenJDK 64-Bit Server VM)", HEAP);
    }

    private static String value(Doctor.Findings f, String label) {
        return f.lines().stream().filter(l -> l.label().equals(label)).findFirst().orElseThrow().value();
    }

    @Test
    void cpuJarWithoutAnyGpuTrainsOnTheCpuAndNamesTheMissingDriver() {
        FakeProbe probe = new FakeProbe().cpuJar();
        probe.files.put(Path.of("/proc/cpuinfo"),
                "processor\t: 0\nmodel name\t: AMD EPYC 7B13\nflags\t\t: fpu sse4_2 avx avx2 fma\nprocessor\t: 1\n");
        Doctor.Findings f = examine(probe);

        assertThat(value(f, "trainer.jar")).contains("nd4j-native").contains("CPU build");
        assertThat(value(f, "cpu")).isEqualTo("AMD EPYC 7B13, 2 logical CPUs (2 available to the JVM)");
        assertThat(value(f, "cpu features")).isEqualTo("sse4_2 avx avx2 fma (no avx512f, no avx512_bf16, no amx_tile)");
        assertThat(value(f, "threads")).contains("OMP_NUM_THREADS unset");
        assertThat(value(f, "java")).endsWith("max heap 4096 MiB");
        assertThat(value(f, "gpus")).contains("nvidia-smi is not installed");
        assertThat(f.cudaVerdict()).startsWith("the -Pcuda build would NOT run here").contains("no NVIDIA driver");
        assertThat(f.summary()).isEqualTo("train would run on the CPU (2 threads available)");
        assertThat(f.trainsOnGpu()).isFalse();
    }

    @Test
    void hopperIsExplainedWhateverTheBuild() {
        FakeProbe probe = new FakeProbe().cpuJar().driver().gpus(H200);
        probe.env.put("OMP_NUM_THREADS", "1");
        Doctor.Findings f = examine(probe);

        assertThat(value(f, "gpus")).isEqualTo("GPU 0 NVIDIA H200 (compute capability 9.0) [not supported by nd4j-cuda-11.6]");
        assertThat(value(f, "cuda 11 libraries")).contains("libcublas.so.11 missing");
        assertThat(value(f, "threads")).startsWith("OMP_NUM_THREADS=1");
        assertThat(f.cudaVerdict()).contains("would NOT run").contains("Hopper").contains("CUDA 11 libraries not found");
        assertThat(f.trainsOnGpu()).isFalse();
    }

    @Test
    void driverVersionComesFromNvidiaSmi() {
        FakeProbe probe = new FakeProbe().cpuJar().driver().cudaLibraries();
        probe.smi = args -> args.equals(Doctor.DRIVER_QUERY)
                ? new SystemProbe.CommandResult(true, 0, java.util.List.of("580.159.04"))
                : new SystemProbe.CommandResult(true, 0, java.util.List.of(H200));
        assertThat(value(examine(probe), "nvidia driver")).endsWith("version 580.159.04");
        // the GPU list is asked for once, for both the report and the verdict
        assertThat(probe.smiCalls).filteredOn(CudaCheck.NVIDIA_SMI_QUERY::equals).hasSize(1);
    }

    @Test
    void cpuJarOnAWorkingCudaMachineSaysToBuildTheCudaJar() {
        FakeProbe probe = FakeProbe.workingCudaMachine();
        probe.resources.clear();
        probe.cpuJar();
        Doctor.Findings f = examine(probe);

        assertThat(f.cudaVerdict()).startsWith("the -Pcuda build would run here").contains("mvn -Pcuda package");
        assertThat(f.summary()).contains("the CPU");
        assertThat(f.trainsOnGpu()).isFalse();
    }

    @Test
    void cudaJarOnAWorkingCudaMachineTrainsOnTheGpu() {
        Doctor.Findings f = examine(FakeProbe.workingCudaMachine());

        assertThat(f.cudaVerdict()).isEqualTo("the -Pcuda build would run here (and this jar is that build)");
        assertThat(f.summary()).isEqualTo("train would run on the GPU");
        assertThat(f.trainsOnGpu()).isTrue();
        assertThat(f.render()).contains("verdict").contains("summary").contains("A100");
    }

    @Test
    void cudaJarOnAHopperMachineRunsNowhere() {
        Doctor.Findings f = examine(new FakeProbe().cudaJar().driver().cudaLibraries().gpus(H200));

        assertThat(f.summary()).isEqualTo("train would run on nothing: this is the CUDA build and it cannot run here");
        assertThat(f.trainsOnGpu()).isFalse();
    }

    @Test
    void librariesOffTheLoaderPathAreLocated() {
        FakeProbe probe = new FakeProbe().cpuJar();
        probe.offPathLibraries.put("libcublas.so.11", Path.of("/usr/local/cuda-11.8/lib64/libcublas.so.11"));
        assertThat(value(examine(probe), "cuda 11 libraries"))
                .contains("libcublas.so.11 off the loader's path (/usr/local/cuda-11.8/lib64)");
    }
}
