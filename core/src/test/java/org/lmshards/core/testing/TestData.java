package org.lmshards.core.testing;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Locates the shared WikiText data set for tests in every module.
 *
 * <p>{@code LMSHARDS_DATA} wins when set (CI exports it); otherwise the data is looked up at
 * {@code ../shared/data/wikitext-tiny} relative to the project root, which Surefire passes in
 * as {@code LMSHARDS_ROOT}. Shipped to the other modules as core's test-jar.
 */
public final class TestData {
    private TestData() {
    }

    /** The {@code wikitext-tiny} directory holding {@code train.csv} and {@code test.csv}. */
    public static Path wikitextTiny() {
        String env = System.getenv("LMSHARDS_DATA");
        Path dir;
        if (env != null && !env.isBlank()) {
            Path p = Paths.get(env);
            dir = p.isAbsolute() ? p : projectRoot().resolve(p).normalize();
        } else {
            dir = projectRoot().resolve("../shared/data/wikitext-tiny").normalize();
        }
        if (!Files.isRegularFile(dir.resolve("train.csv"))) {
            throw new IllegalStateException("WikiText test data not found at " + dir
                    + " (set LMSHARDS_DATA to the directory holding train.csv and test.csv)");
        }
        return dir;
    }

    /** The project root: {@code LMSHARDS_ROOT}, else the nearest ancestor holding the parent pom. */
    public static Path projectRoot() {
        String env = System.getenv("LMSHARDS_ROOT");
        if (env != null && !env.isBlank()) {
            return Paths.get(env).toAbsolutePath().normalize();
        }
        Path p = Paths.get("").toAbsolutePath();
        while (p != null) {
            if (Files.isRegularFile(p.resolve("pom.xml")) && Files.isDirectory(p.resolve("core"))) {
                return p;
            }
            p = p.getParent();
        }
        throw new IllegalStateException("cannot find the lmshards project root from " + Paths.get("").toAbsolutePath());
    }

    /** Skips the calling test when {@code python3} with numpy is not available. */
    public static void assumeNumpy() {
        boolean ok;
        try {
            Process p = new ProcessBuilder("python3", "-c", "import numpy").redirectErrorStream(true).start();
            p.getInputStream().readAllBytes();
            ok = p.waitFor() == 0;
        } catch (Exception e) {
            ok = false;
        }
        assumeTrue(ok, "python3 with numpy is not available");
    }
}
