package org.lmshards.trainer.backend;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.factory.Nd4j;

/** Which nd4j-native build a machine gets, and that the test JVM runs the one {@code main} would choose. */
class NativeBuildTest {
    private static final Optional<String> AVX512 = Optional.of("processor\t: 0\nflags\t\t: fpu sse4_2 avx avx2 fma"
            + " avx512f avx512dq avx512cd avx512bw avx512vl avx512_bf16\n");
    private static final Optional<String> AVX2 = Optional.of("flags\t\t: fpu sse4_2 avx avx2 fma\n");

    @Test
    void oneDnnAvx512OnlyOnLinuxX86WithEveryAvx512SubsetAndTheBuildBundled() {
        assertThat(NativeBuild.suffixFor("Linux", "amd64", AVX512, true)).isEqualTo(NativeBuild.ONEDNN_AVX512);
        assertThat(NativeBuild.suffixFor("Linux", "amd64", AVX2, true)).isEmpty();
        assertThat(NativeBuild.suffixFor("Linux", "amd64", AVX512, false)).isEmpty();
        assertThat(NativeBuild.suffixFor("Linux", "aarch64", AVX512, true)).isEmpty();
        assertThat(NativeBuild.suffixFor("Mac OS X", "x86_64", AVX512, true)).isEmpty();
        assertThat(NativeBuild.suffixFor("Linux", "amd64", Optional.empty(), true)).isEmpty();
        // avx512f alone (an early AVX-512 CPU without BW/VL) cannot run a build compiled for them
        assertThat(NativeBuild.suffixFor("Linux", "amd64", Optional.of("flags : avx2 avx512f avx512cd\n"), true)).isEmpty();
    }

    @Test
    void aPropertyTheUserSetIsKeptEvenEmpty() {
        // set by the session listener (or the user) before ND4J loaded: choose() reports it unchanged
        String inEffect = System.getProperty(NativeBuild.PROPERTY);
        assertThat(inEffect).as("chosen at the start of the test run").isNotNull();
        assertThat(NativeBuild.choose()).isEqualTo(inEffect);
    }

    @Test
    void theTestJvmLoadedTheBuildChosenForThisMachine() {
        String expected = NativeBuild.suffixFor(System.getProperty("os.name"), System.getProperty("os.arch"),
                new HostProbe().readFile(java.nio.file.Path.of("/proc/cpuinfo")), true);
        assertThat(System.getProperty(NativeBuild.PROPERTY)).isEqualTo(expected);
        Nd4j.create(1); // loads the backend
        assertThat(org.bytedeco.javacpp.Loader.getLoadedLibraries().values())
                .anySatisfy(path -> assertThat(path).endsWith("/bindings/linux-x86_64" + expected + "/libnd4jcpu.so"));
    }
}
