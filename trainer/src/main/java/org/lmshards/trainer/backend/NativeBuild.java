package org.lmshards.trainer.backend;

import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;

/**
 * Which of the bundled nd4j-native builds ND4J loads: libnd4j compiled with oneDNN for AVX-512
 * ({@code linux-x86_64-onednn-avx512}) on CPUs that have AVX-512, the generic x86-64 build
 * elsewhere. Measured on the project's 2-core machines (docs/BENCHMARKS.md, "Current figures"),
 * the oneDNN build trained the AWD-LSTM size 1.27x and the small model 1.14x as fast as the
 * generic one, the plain AVX-512 build 1.06x and 1.02x.
 *
 * <p>JavaCPP picks the build from the system property {@value #PROPERTY} when ND4J first loads,
 * so {@link #choose} must run before anything touches ND4J: first thing in {@code main}, and at
 * the start of a test run. A property the user set, empty included, is left alone:
 * {@code -Dorg.bytedeco.javacpp.platform.extension=} forces the generic build.
 */
public final class NativeBuild {
    /** JavaCPP's system property naming the native build's suffix. */
    public static final String PROPERTY = "org.bytedeco.javacpp.platform.extension";
    /** The suffix of the oneDNN AVX-512 build. */
    public static final String ONEDNN_AVX512 = "-onednn-avx512";
    /** The AVX-512 subsets the oneDNN AVX-512 build is compiled for. */
    static final Set<String> AVX512_FLAGS = Set.of("avx512f", "avx512cd", "avx512bw", "avx512dq", "avx512vl");
    private static final String LIBRARY = "org/nd4j/linalg/cpu/nativecpu/bindings/linux-x86_64" + ONEDNN_AVX512 + "/libnd4jcpu.so";

    private NativeBuild() {
    }

    /** Chooses the build for this machine unless the property is set already; returns the suffix in effect. */
    public static String choose() {
        return choose(new HostProbe());
    }

    static synchronized String choose(SystemProbe probe) {
        String given = System.getProperty(PROPERTY);
        if (given != null) {
            return given;
        }
        String chosen = suffixFor(System.getProperty("os.name", ""), System.getProperty("os.arch", ""),
                probe.readFile(Path.of("/proc/cpuinfo")), probe.hasClassResource(LIBRARY));
        System.setProperty(PROPERTY, chosen); // empty: the generic build, and chosen once
        return chosen;
    }

    /** The suffix for a machine: the oneDNN AVX-512 build where it is bundled and the CPU can run it, else none. */
    static String suffixFor(String osName, String osArch, Optional<String> cpuinfo, boolean bundled) {
        boolean linuxX86 = osName.toLowerCase(Locale.ROOT).startsWith("linux")
                && List.of("amd64", "x86_64").contains(osArch.toLowerCase(Locale.ROOT));
        boolean avx512 = CpuFlags.of(cpuinfo).map(flags -> flags.containsAll(AVX512_FLAGS)).orElse(false);
        return linuxX86 && bundled && avx512 ? ONEDNN_AVX512 : "";
    }
}
