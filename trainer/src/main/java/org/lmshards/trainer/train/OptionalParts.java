package org.lmshards.trainer.train;

import java.lang.reflect.InvocationTargetException;
import java.nio.file.Path;

/**
 * Calls the backend check and the HTML report when those classes are on the classpath
 * ({@code org.lmshards.trainer.backend.Backends}, {@code org.lmshards.trainer.report.HtmlReport},
 * written in a parallel branch); until they are, training runs without them.
 */
final class OptionalParts {
    private static final String BACKENDS = "org.lmshards.trainer.backend.Backends";
    private static final String REPORT = "org.lmshards.trainer.report.HtmlReport";

    private OptionalParts() {
    }

    /** The backend description, or a fallback built from ND4J when the class is absent. */
    static String describeBackend() {
        Object r = call(BACKENDS, "describe", new Class<?>[0]);
        if (r != null) {
            return r.toString();
        }
        return "backend " + org.nd4j.linalg.factory.Nd4j.getBackend().getClass().getSimpleName()
                + ", OMP_NUM_THREADS=" + System.getenv("OMP_NUM_THREADS");
    }

    static void requireUsableBackend() {
        call(BACKENDS, "requireUsable", new Class<?>[0]);
    }

    static void writeReport(Path runDir) {
        call(REPORT, "write", new Class<?>[] {Path.class}, runDir);
    }

    static boolean reportAvailable() {
        try {
            Class.forName(REPORT);
            return true;
        } catch (ClassNotFoundException e) {
            return false;
        }
    }

    private static Object call(String className, String method, Class<?>[] types, Object... args) {
        Class<?> c;
        try {
            c = Class.forName(className);
        } catch (ClassNotFoundException e) {
            return null;
        }
        try {
            return c.getMethod(method, types).invoke(null, args);
        } catch (InvocationTargetException e) {
            Throwable cause = e.getCause();
            if (cause instanceof RuntimeException re) {
                throw re;
            }
            if (cause instanceof Error err) {
                throw err;
            }
            throw new IllegalStateException(className + "." + method + " failed: " + cause, cause);
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException(className + "." + method + " is not callable: " + e, e);
        }
    }
}
