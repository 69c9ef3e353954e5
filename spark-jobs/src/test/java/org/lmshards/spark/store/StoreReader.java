package org.lmshards.spark.store;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.util.zip.CRC32C;

import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.lmshards.core.shard.DatasetManifest;
import org.lmshards.spark.io.DatasetOutput;

/**
 * A reader of a dataset on a Hadoop filesystem, as a trainer on another machine reads it: the
 * current manifest, then every file it lists, checked against its size and CRC32C, into a local
 * directory in the same layout (manifest and generation), which core's readers then open.
 */
final class StoreReader {
    private StoreReader() {
    }

    /** Copies the current generation of {@code dataset} into {@code local}; null if it has no manifest. */
    static java.nio.file.Path download(FileSystem fs, Path dataset, java.nio.file.Path local) throws IOException {
        DatasetOutput.Published current = DatasetOutput.current(fs, dataset);
        if (current == null) {
            return null;
        }
        DatasetManifest m = current.manifest();
        java.nio.file.Path root = local.resolve(m.directory());
        for (DatasetManifest.Entry e : m.files()) {
            java.nio.file.Path target = root.resolve(e.path());
            Files.createDirectories(target.getParent());
            CRC32C crc = new CRC32C();
            long n = 0;
            byte[] buf = new byte[1 << 16];
            try (InputStream in = fs.open(new Path(current.root(), e.path())); OutputStream out = Files.newOutputStream(target)) {
                for (int r; (r = in.read(buf)) > 0; n += r) {
                    crc.update(buf, 0, r);
                    out.write(buf, 0, r);
                }
            }
            if (n != e.size() || crc.getValue() != e.crc32c()) {
                throw new IOException(new Path(current.root(), e.path()) + ": " + n + " bytes with CRC32C " + crc.getValue()
                        + ", the manifest says " + e.size() + " and " + e.crc32c());
            }
        }
        try (InputStream in = fs.open(current.manifestFile())) {
            Files.write(local.resolve(current.manifestFile().getName()), in.readAllBytes());
        }
        return local;
    }
}
