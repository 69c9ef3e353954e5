package org.lmshards.spark.io;

import java.io.IOException;
import java.io.OutputStream;
import java.util.EnumSet;

import org.apache.hadoop.fs.CreateFlag;
import org.apache.hadoop.fs.FSDataOutputStream;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.fs.permission.FsPermission;

/**
 * Fences the temporary directories that task attempts write into. The driver {@link #open}s a
 * directory (it holds the marker {@value #MARKER}) and {@link #close}s it (deletes the marker)
 * before deleting the directory; a task creates each file with {@link #create}, which checks the
 * marker <em>after</em> creating the file and deletes its own file when the fence is closed.
 *
 * <p>Why this removes the race: a file created before the fence closed already exists when the
 * driver lists the directory to delete it, and one created afterwards is deleted by its creator.
 * Waiting for attempts to stop (TaskDrain) cannot promise that alone, because Spark's status
 * tracker learns of a task launch asynchronously and may report none while one starts.
 */
public final class StagingFence {
    /** The marker file of an open directory. */
    public static final String MARKER = "_OPEN";

    private StagingFence() {
    }

    /** Creates {@code dir} with its marker: tasks may now write into it. */
    public static void open(FileSystem fs, Path dir) throws IOException {
        fs.mkdirs(dir);
        fs.create(new Path(dir, MARKER), true).close();
    }

    /** Deletes the marker: any file a task creates in {@code dir} from now on is deleted by that task. */
    public static void close(FileSystem fs, Path dir) throws IOException {
        fs.delete(new Path(dir, MARKER), false);
    }

    /**
     * Creates {@code file} (never its parent: a deleted directory stays deleted) in an open
     * directory; throws, leaving no file, when the directory has been closed.
     */
    public static OutputStream create(FileSystem fs, Path file) throws IOException {
        Path dir = file.getParent();
        // This overload, not createNonRecursive(Path, boolean, ...): on the local filesystem (Hadoop
        // 3.4) that one creates the missing parents, so a late attempt recreated a deleted directory.
        FSDataOutputStream out = fs.createNonRecursive(file, FsPermission.getFileDefault(), EnumSet.of(CreateFlag.CREATE), 1 << 16,
                fs.getDefaultReplication(file), fs.getDefaultBlockSize(file), null);
        if (!fs.exists(new Path(dir, MARKER))) {
            try {
                out.close();
            } finally {
                fs.delete(file, false);
            }
            throw new IOException(dir + " was closed by the driver (the job failed or no longer needs this task attempt); "
                    + file.getName() + " not written");
        }
        return out;
    }
}
