package org.lmshards.spark.csv;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;

import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.lmshards.core.shard.ShardLayout;
import org.lmshards.spark.io.FileIoError;
import org.lmshards.spark.io.StagingFence;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code rejects/<split>.csv} of a staged dataset: the header, then the rows that the executors
 * spooled ({@link RejectSpool}) into the split's fenced spool directory, in input order.
 */
public final class RejectsFile {
    private static final Logger LOG = LoggerFactory.getLogger(RejectsFile.class);

    private RejectsFile() {
    }

    /** The fenced directory that the split's tasks spool rejected rows into. */
    public static Path spoolDir(Path staging, String split) {
        return new Path(staging, "_rejects-" + split);
    }

    /**
     * Closes the split's spool directory; when there are rejects, writes {@code rejects/<split>.csv}
     * by streaming the spool files into it in order (bounded driver memory whatever the number of
     * rows); then deletes the spool directory.
     */
    public static void write(FileSystem fs, Path staging, String split, SplitRejects rejects) throws IOException {
        Path spool = spoolDir(staging, split);
        StagingFence.close(fs, spool);
        if (rejects.count() > 0) {
            Path dir = new Path(staging, ShardLayout.REJECTS);
            fs.mkdirs(dir);
            Path target = new Path(dir, split + ".csv");
            Path tmp = new Path(dir, "." + target.getName() + ".tmp");
            try (OutputStream out = fs.create(tmp, true)) {
                out.write(RejectSpool.HEADER.getBytes(StandardCharsets.UTF_8));
                for (RejectBatch b : rejects.batches()) {
                    try (InputStream in = fs.open(new Path(b.file()))) {
                        in.transferTo(out);
                    }
                }
            } catch (IOException e) {
                throw new FileIoError(tmp.toString(), "cannot write the rejected rows", e);
            }
            if (!fs.rename(tmp, target)) {
                throw new IOException("cannot rename " + tmp + " to " + target);
            }
            LOG.warn("{}: {} row(s) rejected, listed in rejects/{}.csv", split, rejects.count(), split);
        }
        fs.delete(spool, true);
    }
}
