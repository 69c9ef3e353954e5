package org.lmshards.core.shard;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.lmshards.core.ShardFormatException;
import org.lmshards.core.vocab.Vocabulary;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Format 2 on the reader side: a dataset is its highest-numbered manifest's generation, checked against the manifest. */
class DatasetManifestReadTest {
    @TempDir
    Path tmp;
    Path dir;
    VerifyReport one, two;

    /** {@code dir} with generations 1 and 2 (other documents), each in the layout the job writes. */
    @BeforeEach
    void twoGenerations() throws IOException {
        Vocabulary vocab = Fixtures.vocabWithTokens(50);
        dir = tmp.resolve("data");
        one = generation(1, vocab, 1);
        two = generation(2, vocab, 3);
        assertThat(one).isNotEqualTo(two);
    }

    private VerifyReport generation(long g, Vocabulary vocab, long seed) throws IOException {
        Path v1 = tmp.resolve("v1-" + g);
        Fixtures.write(v1, vocab, 400, Fixtures.randomDocs(seed, 40, 30, vocab.size()), Fixtures.randomDocs(seed + 1, 5, 30, vocab.size()));
        VerifyReport report = DatasetVerifier.verify(v1);
        Files.delete(v1.resolve(ShardLayout.SUCCESS));
        Path gen = Files.createDirectories(dir).resolve(DatasetManifest.directoryName(g));
        Files.move(v1, gen);
        List<DatasetManifest.Entry> entries = new ArrayList<>();
        try (Stream<Path> s = Files.walk(gen)) {
            for (Path p : s.filter(Files::isRegularFile).sorted().toList()) {
                entries.add(new DatasetManifest.Entry(gen.relativize(p).toString(), Files.size(p), DatasetVerifier.crc32c(p)));
            }
        }
        Files.write(dir.resolve(DatasetManifest.fileName(g)), DatasetManifest.of(g, entries, "now", "test").toJson());
        return report;
    }

    @Test
    void theHighestManifestIsTheDatasetAndAGenerationWithoutOneIsNot() throws IOException {
        assertThat(DatasetVerifier.verify(dir)).isEqualTo(two);
        try (Dataset ds = Dataset.open(dir)) {
            assertThat(ds.root().root()).isEqualTo(dir.resolve("gen-0000000002"));
            assertThat(ds.splits()).containsExactly("train", "valid");
        }
        Files.delete(dir.resolve(DatasetManifest.fileName(2)));
        assertThat(DatasetVerifier.verify(dir)).as("the manifest gone, generation 2 does not exist").isEqualTo(one);
        assertThatThrownBy(() -> Dataset.open(dir.resolve("gen-0000000002"))).isInstanceOf(ShardFormatException.class)
                .hasMessageContaining("_SUCCESS missing");
    }

    @Test
    void filesAreCheckedAgainstTheManifestsSizesOnOpenAndChecksumsOnVerify() throws IOException {
        Path meta = dir.resolve("gen-0000000002/valid/meta.json");
        String original = Files.readString(meta);
        Files.writeString(meta, original + " ");
        assertThatThrownBy(() -> Dataset.open(dir)).isInstanceOfSatisfying(ShardFormatException.class,
                e -> assertThat(e.file()).isEqualTo(meta.toString()))
                .hasMessageContaining("trailing bytes").hasMessageContaining("manifest-0000000002.json says");
        Files.writeString(meta, original.replaceFirst("\\{\n", "{ "));  // same size, other bytes, still valid JSON
        assertThat(Files.size(meta)).isEqualTo(DatasetRoot.resolve(dir).manifest().entry("valid/meta.json").size());
        assertThatThrownBy(() -> DatasetVerifier.verify(dir)).isInstanceOfSatisfying(ShardFormatException.class,
                e -> assertThat(e.file()).isEqualTo(meta.toString())).hasMessageContaining("checksum mismatch")
                .hasMessageContaining("manifest-0000000002.json says");
    }

    @Test
    void aMissingFileIsNamed() throws IOException {
        Path shard = dir.resolve("gen-0000000002/train/docs-00001.npy");
        Files.delete(shard);
        assertThatThrownBy(() -> Dataset.open(dir)).isInstanceOfSatisfying(ShardFormatException.class,
                e -> assertThat(e.file()).isEqualTo(shard.toString())).hasMessageContaining("missing file");
    }
}
