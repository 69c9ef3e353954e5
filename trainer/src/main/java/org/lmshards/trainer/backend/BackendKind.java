package org.lmshards.trainer.backend;

/** Which ND4J backend jar the classpath carries, found without initialising ND4J. */
public enum BackendKind {
    /** {@code nd4j-native}: the default build. */
    CPU("nd4j-native", "org/nd4j/linalg/cpu/nativecpu/CpuBackend.class"),
    /** {@code nd4j-cuda-11.6}: the {@code -Pcuda} build. */
    CUDA("nd4j-cuda-11.6", "org/nd4j/linalg/jcublas/JCublasBackend.class"),
    /** Neither backend jar is on the classpath. */
    NONE("no ND4J backend", null);

    private final String artifact;
    private final String classResource;

    BackendKind(String artifact, String classResource) {
        this.artifact = artifact;
        this.classResource = classResource;
    }

    /** The Maven artifact that provides this backend. */
    public String artifact() {
        return artifact;
    }

    /** The backend class as a class-path resource name; null for {@link #NONE}. */
    String classResource() {
        return classResource;
    }
}
