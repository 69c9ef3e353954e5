package org.lmshards.spark.io;

import java.io.IOException;
import java.io.OutputStream;
import java.util.Collection;
import java.util.List;
import java.util.function.BooleanSupplier;

import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.lmshards.core.shard.ShardLayout;
import org.lmshards.spark.support.FaultInjection;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Replaces {@code --output} by a dataset built beside it, so that readers only ever see the old
 * complete dataset or the new one. The protocol (docs/SPARK.md, "Commit protocol"):
 * <ol>
 *   <li>the output must be replaceable ({@link OutputGuard}), checked before the lock and again
 *       just before the swap;</li>
 *   <li>under the output lock, {@link #recoverAndClean} puts back a complete dataset that a killed
 *       swap left aside and deletes what earlier runs left beside the output;</li>
 *   <li>the run writes into {@code .<name>.staging-<run>}, every metadata file under a temporary
 *       name then renamed ({@link #writeAtomically}), {@code _SUCCESS} last;</li>
 *   <li>{@link #swapIn} renames the old output to {@code .<name>.old-<run>}, the staging
 *       directory to the output, then deletes the old one;</li>
 *   <li>on any failure before the swap only the staging directory goes ({@link #deleteStaging}).</li>
 * </ol>
 */
public final class StagedOutput {
    private static final Logger LOG = LoggerFactory.getLogger(StagedOutput.class);
    /** Directories of the staging directory that task attempts write into, each behind a {@link StagingFence}. */
    private static final List<String> FENCED_PREFIXES = List.of("_temporary-", "_rejects-");

    private final FileSystem fs;
    private final Path output;
    private final Path staging;
    private final Path old;
    private final List<InputFile> inputs;

    /**
     * @param output the dataset directory, as given
     * @param runId  names this run's staging and set-aside directories
     * @param inputs files the run reads, which a swap must never delete
     */
    public StagedOutput(String output, String runId, Collection<InputFile> inputs, Configuration conf) throws IOException {
        Path path = new Path(output);
        this.fs = Fs.of(path, conf);
        this.output = fs.makeQualified(path);
        this.staging = sibling(this.output, ".staging-" + runId);
        this.old = sibling(this.output, ".old-" + runId);
        this.inputs = List.copyOf(inputs);
    }

    /** The hidden directory {@code .<name><suffix>} next to {@code output}. */
    static Path sibling(Path output, String suffix) {
        return new Path(output.getParent(), "." + output.getName() + suffix);
    }

    public FileSystem fs() {
        return fs;
    }

    /** The output, fully qualified. */
    public Path output() {
        return output;
    }

    public Path staging() {
        return staging;
    }

    /** Throws a usage error unless the output is absent, empty or a dataset of this job that holds no input. */
    public void requireReplaceable() throws IOException {
        OutputGuard.requireReplaceable(fs, output, inputs);
    }

    /**
     * Under the lock: puts back a complete dataset that an interrupted swap left aside (killed
     * between its two renames), then deletes staging and set-aside directories of earlier runs.
     */
    public void recoverAndClean() throws IOException {
        String prefix = "." + output.getName() + ".";
        FileStatus[] siblings = fs.listStatus(output.getParent(),
                p -> p.getName().startsWith(prefix + "staging-") || p.getName().startsWith(prefix + "old-"));
        if (!fs.exists(output)) {
            for (FileStatus s : siblings) {
                if (s.getPath().getName().startsWith(prefix + "old-") && fs.exists(new Path(s.getPath(), ShardLayout.SUCCESS))) {
                    LOG.warn("Restoring the dataset {} that an interrupted run had moved aside", s.getPath());
                    if (!fs.rename(s.getPath(), output)) {
                        throw new IOException("cannot restore " + s.getPath() + " to " + output);
                    }
                    break;
                }
            }
        }
        for (FileStatus s : siblings) {
            if (fs.exists(s.getPath())) {
                LOG.info("Deleting {} left by an interrupted run", s.getPath());
                fs.delete(s.getPath(), true);
            }
        }
    }

    public void createStaging() throws IOException {
        fs.mkdirs(staging);
    }

    /** Writes {@code target} under a temporary name and renames it, so that no reader sees it half written. */
    public void writeAtomically(Path target, byte[] content) throws IOException {
        Path tmp = new Path(target.getParent(), "." + target.getName() + ".tmp");
        try (OutputStream out = fs.create(tmp, true)) {
            out.write(content);
        } catch (IOException e) {
            throw new FileIoError(tmp.toString(), "cannot write", e);
        }
        if (fs.exists(target)) {
            fs.delete(target, false);
        }
        if (!fs.rename(tmp, target)) {
            throw new IOException("cannot rename " + tmp + " to " + target);
        }
    }

    /** Replaces the output by the complete staging directory; the old dataset is deleted only once the new one is in place. */
    public void swapIn() throws IOException {
        boolean hadOld = fs.exists(output);
        if (hadOld) {
            if (!fs.rename(output, old)) {
                throw new IOException("cannot move the previous dataset " + output + " aside to " + old);
            }
            FaultInjection.haltPoint("old-moved-aside");
        }
        fs.mkdirs(output.getParent());
        if (!fs.rename(staging, output)) {
            if (hadOld) {
                fs.rename(old, output);
            }
            throw new IOException("cannot move the new dataset " + staging + " to " + output);
        }
        FaultInjection.haltPoint("swapped");
        if (hadOld) {
            fs.delete(old, true);
        }
    }

    /**
     * After a failure: closes the fences of the directories task attempts write into, so that an
     * attempt Spark is still stopping deletes whatever it creates from now on, waits for such
     * attempts, then deletes the staging directory (again if a late file made a pass fail).
     * Problems are added to {@code failure} as suppressed exceptions, never thrown.
     *
     * @param awaitTasks waits for the run's running task attempts; false if some are still running
     */
    public void deleteStaging(Throwable failure, BooleanSupplier awaitTasks) {
        boolean drained = false;
        try {
            if (fs.exists(staging)) {
                for (FileStatus st : fs.listStatus(staging, p -> FENCED_PREFIXES.stream().anyMatch(p.getName()::startsWith))) {
                    StagingFence.close(fs, st.getPath());
                }
            }
            drained = awaitTasks.getAsBoolean();
            for (int pass = 1; fs.exists(staging); pass++) {
                if (fs.delete(staging, true) || !fs.exists(staging)) {
                    break;
                }
                if (pass == 5) {
                    throw new IOException("cannot delete the staging directory " + staging);
                }
                Thread.sleep(200L * pass);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            failure.addSuppressed(e);
        } catch (IOException cleanup) {
            failure.addSuppressed(cleanup);
            LOG.warn("The staging directory {} is left for the next run to delete{}: {}", staging,
                    drained ? "" : " (task attempts were still running)", cleanup.toString());
        }
    }
}
