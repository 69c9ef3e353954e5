package org.lmshards.spark.csv;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Random;

import org.junit.jupiter.api.Test;

class Utf8Test {
    private final Utf8 utf8 = new Utf8();

    @Test
    void aLegitimateReplacementCharacterIsText() {
        byte[] b = "a \uFFFD b é".getBytes(StandardCharsets.UTF_8);
        assertThat(utf8.decode(b, 0, b.length)).isEqualTo(new Utf8.Decoded("a \uFFFD b é", -1));
    }

    @Test
    void theOffsetOfTheFirstInvalidSequenceIsRelativeToTheRange() {
        byte[] b = {'x', 'x', 'a', 'b', (byte) 0xC3, (byte) 0xA9, 'c', (byte) 0xFF, 'd'};
        assertThat(utf8.decode(b, 2, 7)).isEqualTo(new Utf8.Decoded(null, 5));
        // an encoded surrogate (CESU-8) is invalid UTF-8
        byte[] s = {'o', 'k', (byte) 0xED, (byte) 0xA0, (byte) 0x80};
        assertThat(utf8.decode(s, 0, s.length)).isEqualTo(new Utf8.Decoded(null, 2));
    }

    /** The fast path must agree with a strict JDK decoder on every input, valid or not. */
    @Test
    void agreesWithAStrictDecoderOnRandomBytes() {
        Random rnd = new Random(7);
        String alphabet = "ab ,\"\né€\uD83D\uDE00\uFFFD";
        byte[] pieces = alphabet.getBytes(StandardCharsets.UTF_8);
        int invalid = 0;
        for (int round = 0; round < 20_000; round++) {
            byte[] b = new byte[rnd.nextInt(24)];
            for (int i = 0; i < b.length; i++) {
                b[i] = rnd.nextInt(8) == 0 ? (byte) rnd.nextInt(256) : pieces[rnd.nextInt(pieces.length)];
            }
            Utf8.Decoded d = utf8.decode(b, 0, b.length);
            try {
                String strict = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                        .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(b)).toString();
                assertThat(d).isEqualTo(new Utf8.Decoded(strict, -1));
            } catch (CharacterCodingException e) {
                invalid++;
                assertThat(d.text()).isNull();
                assertThat(d.badOffset()).isBetween(0, b.length - 1);
                // every byte before the offset decodes strictly
                assertThat(utf8.decode(b, 0, d.badOffset()).text()).isNotNull();
            }
        }
        assertThat(invalid).as("the generator produces invalid input too").isGreaterThan(1000);
    }
}
