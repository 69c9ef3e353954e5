package org.lmshards.trainer.train;

import java.io.IOException;
import java.nio.file.Path;
import org.lmshards.trainer.backend.Backends;
import org.lmshards.trainer.report.HtmlReport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The trainer's calls into the backend check and the HTML report. */
final class OptionalParts {
    private static final Logger LOG = LoggerFactory.getLogger(OptionalParts.class);

    private OptionalParts() {
    }

    static String describeBackend() {
        return Backends.describe();
    }

    static void requireUsableBackend() {
        Backends.requireUsable();
    }

    /** Writes report.html; a failing report never stops training (the metrics files are intact). */
    static void writeReport(Path runDir) {
        try {
            HtmlReport.write(runDir);
        } catch (IOException | RuntimeException e) {
            LOG.warn("could not write {}: {}", runDir.resolve(HtmlReport.FILE_NAME), e.toString());
        }
    }
}
