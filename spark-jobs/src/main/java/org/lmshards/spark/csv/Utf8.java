package org.lmshards.spark.csv;

import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/** Strict UTF-8 decoding that reports the byte offset of the first invalid sequence. */
public final class Utf8 {
    private final CharsetDecoder decoder = StandardCharsets.UTF_8.newDecoder()
            .onMalformedInput(CodingErrorAction.REPORT)
            .onUnmappableCharacter(CodingErrorAction.REPORT);

    /** Thrown-free result: either {@link #text} or {@link #badOffset} (relative to {@code off}). */
    public record Decoded(String text, int badOffset) {
    }

    /** Decodes {@code bytes[off, off+len)}; not thread-safe (one instance per task). */
    public Decoded decode(byte[] bytes, int off, int len) {
        // Fast path: the JDK's String decoder (vectorised for ASCII, no intermediate char[]) replaces
        // invalid sequences by U+FFFD; only text that contains U+FFFD, rare and possibly legitimate,
        // is decoded again strictly to tell the two apart and find the offset.
        String text = new String(bytes, off, len, StandardCharsets.UTF_8);
        if (text.indexOf('\uFFFD') < 0) {
            return new Decoded(text, -1);
        }
        return decodeStrictly(bytes, off, len);
    }

    private Decoded decodeStrictly(byte[] bytes, int off, int len) {
        ByteBuffer in = ByteBuffer.wrap(bytes, off, len);
        CharBuffer out = CharBuffer.allocate(len);   // UTF-8 never yields more chars than bytes
        decoder.reset();
        CoderResult r = decoder.decode(in, out, true);
        if (!r.isError()) {
            r = decoder.flush(out);
        }
        if (r.isError()) {
            return new Decoded(null, in.position() - off);
        }
        out.flip();
        return new Decoded(out.toString(), -1);
    }
}
