package org.lmshards.spark.io;

import java.io.IOException;

import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.LocalFileSystem;
import org.apache.hadoop.fs.Path;

/**
 * The Hadoop filesystem of a path with no {@code .crc} checksum side files: for local paths the
 * raw local filesystem. Driver and executors both look filesystems up here.
 */
public final class CrcFreeFileSystem {
    private CrcFreeFileSystem() {
    }

    /**
     * The filesystem of {@code path}; for local paths the raw local filesystem, so that no
     * {@code .crc} side files appear in the dataset (shards carry their own CRC32C).
     */
    public static FileSystem of(Path path, Configuration conf) throws IOException {
        FileSystem fs = path.getFileSystem(conf);
        if (fs instanceof LocalFileSystem local) {
            return local.getRawFileSystem();
        }
        return fs;
    }
}
