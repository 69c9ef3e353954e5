package org.lmshards.trainer.backend;

import java.util.Properties;
import org.nd4j.linalg.factory.Environment;
import org.nd4j.linalg.factory.Nd4j;

/** What the initialised ND4J reports about itself; {@code blasVendor} and {@code blasThreads} may be null. */
record Nd4jFacts(String backendClass, int maxThreads, int maxMasterThreads, int devices,
                 String blasVendor, String blasThreads) {

    /** Asks ND4J, initialising it if it is not yet (loads the native backend). */
    static Nd4jFacts live() {
        String backend = Nd4j.getBackend().getClass().getName();
        Environment env = Nd4j.getEnvironment();
        Properties info = Nd4j.getExecutioner().getEnvironmentInformation();
        return new Nd4jFacts(backend, env.maxThreads(), env.maxMasterThreads(),
                Nd4j.getAffinityManager().getNumberOfDevices(),
                stringOrNull(info.get("blas.vendor")), stringOrNull(info.get("blas.threads")));
    }

    private static String stringOrNull(Object value) {
        return value == null ? null : value.toString();
    }
}
