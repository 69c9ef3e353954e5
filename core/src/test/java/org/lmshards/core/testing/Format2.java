package org.lmshards.core.testing;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import org.lmshards.core.shard.DatasetManifest;
import org.lmshards.core.shard.DatasetVerifier;
import org.lmshards.core.shard.ShardLayout;

/** Turns a format-1 dataset (core's DatasetWriter) into generation N of a format-2 dataset, as the Spark job writes it. */
public final class Format2 {
    private Format2() {
    }

    /** Moves {@code v1}'s files into {@code dataset/gen-N} and writes {@code manifest-N.json} last; returns {@code dataset}. */
    public static Path publish(Path v1, Path dataset, long generation) throws IOException {
        Files.deleteIfExists(v1.resolve(ShardLayout.SUCCESS));
        Path gen = Files.createDirectories(dataset).resolve(DatasetManifest.directoryName(generation));
        Files.move(v1, gen);
        List<DatasetManifest.Entry> entries = new ArrayList<>();
        try (Stream<Path> s = Files.walk(gen)) {
            for (Path p : s.filter(Files::isRegularFile).sorted().toList()) {
                entries.add(new DatasetManifest.Entry(gen.relativize(p).toString(), Files.size(p), DatasetVerifier.crc32c(p)));
            }
        }
        Files.write(dataset.resolve(DatasetManifest.fileName(generation)),
                DatasetManifest.of(generation, entries, "2026-12-07T00:00:00Z", "test").toJson());
        return dataset;
    }
}
