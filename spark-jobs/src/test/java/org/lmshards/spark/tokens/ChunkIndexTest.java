package org.lmshards.spark.tokens;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

import org.junit.jupiter.api.Test;
import org.lmshards.core.tokenize.ChunkMemo;

/** The flat chunk index against a {@code HashMap} numbering the same chunks. */
class ChunkIndexTest {

    @Test
    void numbersChunksInTheOrderAddedAndFindsThemAgain() {
        ChunkIndex index = new ChunkIndex(1 << 12);
        Map<String, Integer> reference = new HashMap<>();
        SplittableRandom random = new SplittableRandom(7);
        List<String> seen = new ArrayList<>();
        for (int i = 0; i < 20_000; i++) {
            String chunk = i % 3 == 0 && !seen.isEmpty() ? seen.get(random.nextInt(seen.size())) : randomChunk(random);
            int found = index.find(chunk);
            Integer want = reference.get(chunk);
            assertThat(found).as(chunk).isEqualTo(want == null ? -1 : want);
            if (found < 0 && reference.size() < 1 << 12) {
                assertThat(index.add(chunk)).isEqualTo(reference.size());
                reference.put(chunk, reference.size());
                seen.add(chunk);
            }
        }
        assertThat(index.size()).isEqualTo(reference.size()).isEqualTo(1 << 12);
        reference.forEach((chunk, entry) -> assertThat(index.find(chunk)).isEqualTo(entry));
    }

    @Test
    void chunksWithTheSameHashAreToldApart() {
        // "Aa" and "BB" have the same String.hashCode, as have all their concatenations
        ChunkIndex index = new ChunkIndex(16);
        List<String> colliding = List.of("AaAa", "AaBB", "BBAa", "BBBB");
        assertThat(colliding.stream().mapToInt(String::hashCode).distinct().count()).isEqualTo(1);
        for (int i = 0; i < colliding.size(); i++) {
            assertThat(index.add(colliding.get(i))).isEqualTo(i);
        }
        for (int i = 0; i < colliding.size(); i++) {
            assertThat(index.find(colliding.get(i))).isEqualTo(i);
        }
        assertThat(index.find("AaA")).isEqualTo(-1);
        assertThat(index.find("Aa" + "Aa" + "Aa")).isEqualTo(-1);
    }

    @Test
    void boundsAndClear() {
        ChunkIndex index = new ChunkIndex(2);
        assertThat(index.add("x".repeat(ChunkMemo.MAX_CHUNK_CHARS + 1))).isEqualTo(-1);
        assertThat(index.add("x".repeat(ChunkMemo.MAX_CHUNK_CHARS))).isZero();
        assertThat(index.add("y")).isEqualTo(1);
        assertThat(index.add("z")).as("full").isEqualTo(-1);
        assertThat(index.find("z")).isEqualTo(-1);
        index.clear();
        assertThat(index.size()).isZero();
        assertThat(index.find("y")).isEqualTo(-1);
        assertThat(index.add("z")).isZero();
        assertThat(index.find("z")).isZero();
        assertThat(new ChunkIndex(0).add("a")).isEqualTo(-1);
        assertThatThrownBy(() -> new ChunkIndex(-1)).isInstanceOf(IllegalArgumentException.class);
    }

    private static String randomChunk(SplittableRandom random) {
        int n = 1 + random.nextInt(12);
        StringBuilder b = new StringBuilder(n);
        for (int i = 0; i < n; i++) {
            b.append((char) (random.nextInt(8) == 0 ? 0x100 + random.nextInt(0x2000) : 'a' + random.nextInt(6)));
        }
        return b.toString();
    }
}
