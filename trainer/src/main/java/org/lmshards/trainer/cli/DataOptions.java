package org.lmshards.trainer.cli;

import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

import org.lmshards.trainer.remote.HadoopSettings;
import org.lmshards.trainer.remote.RemoteDatasetCache;
import picocli.CommandLine.Option;

/**
 * Where {@code --data} may live: a local directory as before, or any Hadoop URI ({@code hdfs://},
 * {@code s3a://}), copied once into a local cache and checked against the dataset's manifest
 * ({@link RemoteDatasetCache}). A picocli mixin of every command that reads a dataset.
 */
final class DataOptions {
    @Option(names = "--cache-dir", paramLabel = "DIR",
            description = "Local copy of datasets given as hdfs://, s3a://... URIs (default: ~/.cache/lmshards).")
    Path cacheDir = Path.of(System.getProperty("user.home"), ".cache", "lmshards");

    @Option(names = "--cache-max-gb", paramLabel = "GB",
            description = "Evict the least recently used cached datasets not in use beyond this size (default: no cap).")
    double cacheMaxGb;

    @Option(names = "--conf", paramLabel = "KEY=VALUE",
            description = "A Hadoop setting for remote --data (after $HADOOP_CONF_DIR and -Dspark.hadoop.KEY=VALUE), "
                    + "e.g. --conf fs.s3a.endpoint=http://minio:9000.")
    Map<String, String> conf = new LinkedHashMap<>();

    /** The local dataset directory for {@code data}: itself, or the cached copy of a remote dataset. */
    Path localize(String data) throws IOException {
        if (!RemoteDatasetCache.isRemote(data)) {
            return Path.of(data.startsWith("file:") ? java.net.URI.create(data).getPath() : data);
        }
        RemoteDatasetCache cache = new RemoteDatasetCache(HadoopSettings.load(System.getenv(), conf), cacheDir,
                (long) (cacheMaxGb * (1L << 30)), System.err);
        return cache.localize(data);
    }
}
