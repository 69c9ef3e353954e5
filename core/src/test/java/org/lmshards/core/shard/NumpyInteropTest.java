package org.lmshards.core.shard;

import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.lmshards.core.testing.TestData;
import org.lmshards.core.vocab.Vocabulary;

import static org.assertj.core.api.Assertions.assertThat;

/** numpy opens every shard with {@code mmap_mode='r'} and sees what the Java reader sees. */
class NumpyInteropTest {
    @TempDir
    Path tmp;

    /** One python3 run (numpy imports slowly) for several datasets' train splits. */
    private static List<JsonNode> numpyViews(Path... datasets) throws IOException, InterruptedException {
        Path script;
        try {
            script = Path.of(NumpyInteropTest.class.getResource("read_shards.py").toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
        List<String> cmd = new java.util.ArrayList<>(List.of("python3", script.toString()));
        for (Path d : datasets) {
            cmd.add(d.toString());
            cmd.add("train");
        }
        Process p = new ProcessBuilder(cmd).start();
        byte[] out = p.getInputStream().readAllBytes();
        String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor()).as("python3 read_shards.py failed: %s", err).isZero();
        List<JsonNode> views = new java.util.ArrayList<>();
        for (String line : new String(out, StandardCharsets.UTF_8).split("\n")) {
            views.add(new ObjectMapper().readTree(line));
        }
        return views;
    }

    private static void assertNumpyAgrees(Path dir, List<int[]> docs, JsonNode view, String expectedDescr)
            throws IOException {
        try (TokenStore t = TokenStore.open(dir, "train")) {
            JsonNode shards = view.get("shards");
            assertThat(shards.size()).isEqualTo(t.numShards()).isGreaterThan(1);
            long docBase = 0;
            for (int s = 0; s < shards.size(); s++) {
                JsonNode sh = shards.get(s);
                ShardMeta sm = t.meta().shards().get(s);
                assertThat(sh.get("memmap").asBoolean()).isTrue();
                assertThat(sh.get("version").toString()).isEqualTo("[1,0]");
                assertThat(sh.get("data_offset").asInt() % 64).isZero();
                assertThat(sh.get("dtype").asText()).isEqualTo(expectedDescr);
                assertThat(sh.get("shape").toString()).isEqualTo("[" + sm.numTokens() + "]");
                assertThat(sh.get("docs_dtype").asText()).isEqualTo("<i8");
                JsonNode tokens = sh.get("tokens");
                for (int i = 0; i < tokens.size(); i++) {
                    assertThat(tokens.get(i).asLong()).isEqualTo(t.get(sm.firstToken() + i));
                }
                JsonNode offsets = sh.get("docs");
                assertThat(offsets.size()).isEqualTo(sm.numDocs() + 1);
                for (int d = 0; d < sm.numDocs(); d++) {
                    assertThat(sm.firstToken() + offsets.get(d).asLong()).isEqualTo(t.docStart(docBase + d));
                    assertThat(sm.firstToken() + offsets.get(d + 1).asLong()).isEqualTo(t.docEnd(docBase + d));
                }
                docBase += sm.numDocs();
            }
            // and both agree with what was written
            int[] ref = Fixtures.concat(docs);
            int k = 0;
            for (JsonNode sh : shards) {
                for (JsonNode v : sh.get("tokens")) {
                    assertThat(v.asInt()).isEqualTo(ref[k++]);
                }
            }
            assertThat(k).isEqualTo(ref.length);
        }
    }

    @Test
    void numpyReadsUint16AndInt32ShardsLikeTheJavaReader() throws Exception {
        TestData.assumeNumpy();
        Vocabulary u16 = Fixtures.uint16MaxVocab(); // ids up to 65535: numpy must see them unsigned too
        Vocabulary i32 = Fixtures.int32Vocab();
        List<int[]> docs16 = Fixtures.randomDocs(11, 40, 80, u16.size());
        List<int[]> docs32 = Fixtures.randomDocs(12, 40, 80, i32.size());
        Path dir16 = tmp.resolve("u16");
        Path dir32 = tmp.resolve("i32");
        Fixtures.write(dir16, u16, 500, docs16, null);
        Fixtures.write(dir32, i32, 500, docs32, null);
        List<JsonNode> views = numpyViews(dir16, dir32);
        assertThat(views).hasSize(2);
        assertNumpyAgrees(dir16, docs16, views.get(0), "<u2");
        assertNumpyAgrees(dir32, docs32, views.get(1), "<i4");
    }
}
