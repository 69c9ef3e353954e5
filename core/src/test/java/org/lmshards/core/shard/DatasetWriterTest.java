package org.lmshards.core.shard;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.lmshards.core.LmShardsVersion;
import org.lmshards.core.vocab.Vocabulary;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class DatasetWriterTest {
    @TempDir
    Path tmp;

    private static List<String> names(Path dir) throws IOException {
        try (var s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    @Test
    void layoutAndMetaJsonFieldsFollowTheSpec() throws IOException {
        Vocabulary vocab = Fixtures.vocabWithTokens(10);
        Path dir = tmp.resolve("ds");
        Fixtures.write(dir, vocab, 20, Fixtures.randomDocs(1, 10, 15, vocab.size()), List.of(new int[] {2, 3}));
        assertThat(names(tmp)).containsExactly("ds"); // no staging or old directory left behind
        assertThat(names(dir)).containsExactly("_SUCCESS", "train", "valid", "vocab.json");
        assertThat(Files.size(dir.resolve("_SUCCESS"))).isZero();
        List<String> train = names(dir.resolve("train"));
        assertThat(train).contains("meta.json", "tokens-00000.npy", "docs-00000.npy")
                .allMatch(n -> n.equals("meta.json") || ShardLayout.SHARD_FILE.matcher(n).matches());
        assertThat(names(dir.resolve("valid"))).containsExactly("docs-00000.npy", "meta.json", "tokens-00000.npy");

        JsonNode meta = new ObjectMapper().readTree(dir.resolve("train/meta.json").toFile());
        List<String> fields = new ArrayList<>();
        meta.fieldNames().forEachRemaining(fields::add);
        assertThat(fields).containsExactlyInAnyOrder("format", "format_version", "split", "dtype", "vocab_size",
                "vocab_crc32c", "total_tokens", "num_docs", "shards", "tokenizer", "source", "settings", "rejected_rows",
                "created_at", "tool_version");
        assertThat(meta.get("vocab_crc32c").asLong()).isEqualTo(DatasetVerifier.crc32c(dir.resolve("vocab.json")));
        assertThat(meta.get("format").asText()).isEqualTo("lmshards-split");
        assertThat(meta.get("format_version").asInt()).isEqualTo(1);
        assertThat(meta.get("dtype").asText()).isEqualTo("uint16");
        assertThat(meta.get("vocab_size").asInt()).isEqualTo(vocab.size());
        assertThat(meta.get("tool_version").asText()).isEqualTo(LmShardsVersion.get());
        assertThat(meta.get("created_at").asText()).matches("\\d{4}-\\d\\d-\\d\\dT.*Z");
        assertThat(meta.get("tokenizer").get("name").asText()).isEqualTo("synthetic");
        assertThat(meta.get("source").get("files").get(0).get("path").asText()).isEqualTo("file:/synthetic.csv");
        assertThat(meta.get("settings").get("shard_tokens").asLong()).isEqualTo(20);
        JsonNode shard = meta.get("shards").get(1);
        List<String> shardFields = new ArrayList<>();
        shard.fieldNames().forEachRemaining(shardFields::add);
        assertThat(shardFields).containsExactlyInAnyOrder("index", "tokens_file", "docs_file", "num_tokens",
                "num_docs", "first_doc", "first_token", "tokens_crc32c", "docs_crc32c");
        assertThat(shard.get("tokens_file").asText()).isEqualTo("tokens-00001.npy");
        assertThat(shard.get("tokens_crc32c").asLong())
                .isEqualTo(DatasetVerifier.crc32c(dir.resolve("train/tokens-00001.npy")));
    }

    @Test
    void anExistingDatasetStaysIntactUntilTheNewOneIsCommitted() throws IOException {
        Vocabulary vocab = Fixtures.vocabWithTokens(10);
        Path dir = tmp.resolve("ds");
        List<int[]> oldDocs = List.of(new int[] {9, 9, 9});
        Fixtures.write(dir, vocab, 20, oldDocs, null);

        DatasetWriter w = DatasetWriter.create(dir, vocab, 20);
        SplitWriter t = w.split("train");
        for (int i = 0; i < 10; i++) {
            t.addDocument(new int[] {1, 2, 3, 4, 5});
        }
        // shards of the new dataset exist (staged), the old one is untouched and still complete
        assertThat(names(tmp)).hasSize(2).contains("ds").anyMatch(n -> n.startsWith(".ds.staging-"));
        assertThat(DatasetVerifier.verify(dir).tokensPerSplit()).containsEntry("train", 3L);
        // abandoning the writer leaves the old dataset as it was
        w.close();
        assertThat(names(tmp)).containsExactly("ds");
        assertThat(DatasetVerifier.verify(dir).tokensPerSplit()).containsEntry("train", 3L);

        Fixtures.write(dir, vocab, 20, List.of(new int[] {1, 2}, new int[] {3}), null);
        assertThat(names(tmp)).containsExactly("ds");
        try (TokenStore s = TokenStore.open(dir, "train")) {
            assertThat(s.size()).isEqualTo(3);
            assertThat(s.numDocs()).isEqualTo(2);
            assertThat(s.get(2)).isEqualTo(3);
        }
    }

    @Test
    void shardsNeverAppearUnderAFinalNameUntilComplete() throws IOException {
        Vocabulary vocab = Fixtures.vocabWithTokens(10);
        try (DatasetWriter w = DatasetWriter.create(tmp.resolve("ds"), vocab, 100)) {
            SplitWriter t = w.split("train");
            t.addDocument(new int[] {1, 2, 3});
            Path staging;
            try (var s = Files.list(tmp)) {
                staging = s.findFirst().orElseThrow();
            }
            // the open shard is only a temporary file; no document index yet
            assertThat(names(staging.resolve("train"))).singleElement().asString()
                    .startsWith("tokens-00000.npy.").endsWith(".tmp");
            for (int i = 0; i < 40; i++) {
                t.addDocument(new int[] {4, 5, 6});
            }
            assertThat(names(staging.resolve("train"))).contains("tokens-00000.npy", "docs-00000.npy");
            assertThat(t.numDocs()).isEqualTo(41);
            assertThat(t.numTokens()).isEqualTo(123);
        }
    }

    @Test
    void commitNeedsATrainSplitAndHappensOnce() throws IOException {
        Vocabulary vocab = Fixtures.vocabWithTokens(10);
        try (DatasetWriter w = DatasetWriter.create(tmp.resolve("ds"), vocab, 100)) {
            w.split("valid").addDocument(new int[] {1});
            assertThatThrownBy(() -> w.commit(Map.of(), Map.of(), Map.of())).isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("'train' split");
        }
        DatasetWriter w = DatasetWriter.create(tmp.resolve("ds"), vocab, 100);
        w.split("train").addDocument(new int[] {1});
        w.commit(Map.of(), Map.of(), Map.of());
        assertThatThrownBy(() -> w.commit(Map.of(), Map.of(), Map.of())).isInstanceOf(IllegalStateException.class);
        w.close();
        assertThat(Dataset.open(tmp.resolve("ds")).splits()).containsExactly("train");
    }

    @Test
    void neverReplacesADirectoryThatIsNotADataset() throws IOException {
        Path dir = tmp.resolve("home");
        Files.createDirectories(dir);
        Files.writeString(dir.resolve("notes.txt"), "precious");
        assertThatThrownBy(() -> DatasetWriter.create(dir, Fixtures.vocabWithTokens(3), 10))
                .isInstanceOf(IOException.class).hasMessageContaining("refusing to replace " + dir);
        assertThat(names(dir)).containsExactly("notes.txt");
        assertThat(names(tmp)).containsExactly("home");
        // an empty directory is fine
        Path empty = Files.createDirectories(tmp.resolve("empty"));
        Fixtures.write(empty, Fixtures.vocabWithTokens(3), 10, List.of(new int[] {1}), null);
        assertThat(names(empty)).contains("_SUCCESS");
    }
}
