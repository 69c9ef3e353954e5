package org.lmshards.spark.tokens;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;

import org.junit.jupiter.api.Test;

class TokenTableAndPayloadTest {

    /** Ids in order of first appearance, across the table's growth, against a HashMap. */
    @Test
    void tableAssignsDenseIdsInOrderOfFirstAppearance() {
        TokenTable table = new TokenTable();
        Map<String, Integer> ids = new LinkedHashMap<>();
        Random rnd = new Random(3);
        for (int i = 0; i < 300_000; i++) {
            // a Zipf-like mix of frequent and rare tokens, new String objects each time like the tokenizer's
            String tok = new String(("t" + (int) (Math.pow(rnd.nextDouble(), 4) * 60_000) + (i % 97 == 0 ? "é" : "")).toCharArray());
            int id = table.id(tok);
            assertThat(id).isEqualTo(ids.computeIfAbsent(tok, k -> ids.size()));
        }
        String[] byId = table.toArray();
        assertThat(byId).containsExactlyElementsOf(ids.keySet());
        assertThat(table.size()).isEqualTo(byId.length);
        assertThat(byId.length).as("the table grew past its first capacity").isGreaterThan(1 << 14);
        assertThat(table.toStrings().toArray()).as("packed for caching").containsExactly(byId);
    }

    @Test
    void packedStringsKeepEveryTokenWhateverItsScript() {
        String[] tokens = {"the", "", "naïve", "東京", "\uD83D\uDE00", "xxmaj", " "};
        TokenStrings packed = TokenStrings.of(tokens, tokens.length);
        assertThat(packed.size()).isEqualTo(tokens.length);
        for (int i = 0; i < tokens.length; i++) {
            assertThat(packed.get(i)).isEqualTo(tokens[i]);
        }
        assertThat(TokenStrings.of(tokens, 3).toArray()).containsExactly("the", "", "naïve");
        // routed as bytes, a token reads back the same as one added as a String, and equal tokens hash equally
        CountPayload fromBytes = new CountPayload();
        CountPayload fromStrings = new CountPayload();
        for (int i = 0; i < tokens.length; i++) {
            packed.appendTo(fromBytes, i, i + 1);
            addString(fromStrings, tokens[i], i + 1);
        }
        assertThat(fromBytes.toBytes()).isEqualTo(fromStrings.toBytes());
        TokenStrings again = TokenStrings.of(new String[] {"x", "東京", "the"}, 3);
        assertThat(again.hash(1)).isEqualTo(packed.hash(3));
        assertThat(again.hash(2)).isEqualTo(packed.hash(0));
    }

    @Test
    void payloadRoundTripsTokensOfAnyScriptAndSumsCounts() {
        CountPayload p = new CountPayload();
        Map<String, long[]> expected = new HashMap<>();
        String[] tokens = {"the", "", "xxmaj", "naïve", "東京", "\uD83D\uDE00", "a,\"b\"\n"};
        long count = 1;
        for (int round = 0; round < 20_000; round++) {   // past the initial 64 KiB buffer
            String t = tokens[round % tokens.length] + (round % 5 == 0 ? "" : round);
            count = count * 31 % 1_000_003 + (round == 7 ? 5_000_000_000L : 0);
            addString(p, t, count);
            expected.computeIfAbsent(t, k -> new long[1])[0] += 2 * count;
        }
        byte[] bytes = p.toBytes();
        Map<String, Long> merged = new HashMap<>();
        CountPayload.decodeInto(bytes, merged);
        CountPayload.decodeInto(bytes, merged);
        assertThat(merged.keySet()).isEqualTo(expected.keySet());
        expected.forEach((k, v) -> assertThat(merged.get(k)).as(k).isEqualTo(v[0]));

        // merged on the bytes (the reducers' way), then filtered: the same sums, and only those reaching the threshold
        ByteCountTable table = new ByteCountTable();
        CountPayload.mergeInto(bytes, table);
        CountPayload.mergeInto(bytes, table);
        assertThat(table.size()).isEqualTo(expected.size());
        long threshold = 1_000_000;
        CountPayload kept = new CountPayload();
        table.appendAtLeast(threshold, kept);
        Map<String, Long> frequent = new HashMap<>();
        CountPayload.decodeInto(kept.toBytes(), frequent);
        Map<String, Long> want = new HashMap<>();
        expected.forEach((k, v) -> {
            if (v[0] >= threshold) {
                want.put(k, v[0]);
            }
        });
        assertThat(want).isNotEmpty().hasSizeLessThan(expected.size());
        assertThat(frequent).isEqualTo(want);
    }

    /** Many tokens whose routing hashes agree modulo the reducer count still spread over the table and merge right. */
    @Test
    void byteTableMergesTokensOfOneReducerAcrossItsGrowth() {
        ByteCountTable table = new ByteCountTable();
        Map<String, Long> expected = new HashMap<>();
        Random rnd = new Random(11);
        for (int i = 0; i < 200_000; i++) {
            String t = "w" + rnd.nextInt(40_000) + (i % 101 == 0 ? "東" : "");
            if (Math.floorMod(TokenStrings.of(new String[] {t}, 1).hash(0), 8) != 3) {
                continue;   // only what reducer 3 of 8 receives
            }
            byte[] b = t.getBytes(java.nio.charset.StandardCharsets.UTF_8);
            table.add(b, 0, b.length, i % 7 + 1);
            expected.merge(t, (long) (i % 7 + 1), Long::sum);
        }
        CountPayload all = new CountPayload();
        table.appendAtLeast(1, all);
        Map<String, Long> got = new HashMap<>();
        CountPayload.decodeInto(all.toBytes(), got);
        assertThat(expected.size()).isGreaterThan(1 << 12);
        assertThat(got).isEqualTo(expected);
    }

    /** A token added the way a reference encoder would: the JDK's UTF-8 bytes of the String. */
    private static void addString(CountPayload payload, String token, long count) {
        byte[] utf8 = token.getBytes(java.nio.charset.StandardCharsets.UTF_8);
        payload.add(utf8, 0, utf8.length, count);
    }
}
