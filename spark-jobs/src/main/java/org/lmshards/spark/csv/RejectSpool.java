package org.lmshards.spark.csv;

import java.io.BufferedWriter;
import java.io.IOException;
import java.io.OutputStreamWriter;
import java.io.Serializable;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.List;

import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.lmshards.spark.io.CrcFreeFileSystem;
import org.lmshards.spark.io.HadoopConf;
import org.lmshards.spark.io.StagingFence;

/**
 * Writes rejected rows, as lines of {@code rejects/<split>.csv}, from the executor that met them
 * into attempt-unique files of a fenced temporary directory ({@link StagingFence}); the driver
 * later concatenates the files of the blocks it keeps, in order. Millions of bad rows thus cost
 * the driver a count and one row per block instead of a list it cannot hold.
 */
public final class RejectSpool implements Serializable {
    private static final long serialVersionUID = 1L;

    private final String dir;
    private final List<String> unitPaths;
    private final HadoopConf conf;

    /**
     * @param dir       the fenced directory
     * @param unitPaths the file URI of each read unit (a reject's {@code unit})
     */
    public RejectSpool(String dir, List<String> unitPaths, HadoopConf conf) {
        this.dir = dir;
        this.unitPaths = List.copyOf(unitPaths);
        this.conf = conf;
    }

    /** Collects one block's rejects; {@link #finish} closes the file. Not thread-safe. */
    public BlockRejects open(String name) {
        return new BlockRejects(new Path(dir, name));
    }

    /** The rejects of one block: the file is created at the first one. */
    public final class BlockRejects {
        private final Path path;
        private java.io.Writer out;
        private long count;
        private Reject first;

        private BlockRejects(Path path) {
            this.path = path;
        }

        public void add(Reject r) {
            try {
                if (out == null) {
                    FileSystem fs = CrcFreeFileSystem.of(path, conf.get());
                    out = new BufferedWriter(new OutputStreamWriter(StagingFence.create(fs, path), StandardCharsets.UTF_8), 1 << 16);
                    first = r;
                }
                out.write(line(unitPaths.get(r.unit()), r));
                count++;
            } catch (IOException e) {
                throw new UncheckedIOException("cannot write rejected rows to " + path + ": " + e.getMessage(), e);
            }
        }

        public RejectBatch finish() {
            if (out == null) {
                return RejectBatch.NONE;
            }
            try {
                out.close();
            } catch (IOException e) {
                throw new UncheckedIOException("cannot write rejected rows to " + path + ": " + e.getMessage(), e);
            }
            return new RejectBatch(path.toString(), count, first);
        }
    }

    /** A row of {@code rejects/<split>.csv}: {@code file,row,line,reason}. */
    public static String line(String file, Reject r) {
        return quote(file) + "," + r.row() + "," + r.line() + "," + quote(r.reason()) + "\n";
    }

    /** The header row of {@code rejects/<split>.csv}. */
    public static final String HEADER = "file,row,line,reason\n";

    private static String quote(String s) {
        return "\"" + s.replace("\"", "\"\"") + "\"";
    }
}
