package org.lmshards.tools.synth;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * A deliberately strict reader for the generator's CSV dialect: UTF-8, every record a single
 * quoted field, {@code ""} for an embedded quote, LF after the closing quote. Anything else
 * (a bare quote, text after a closing quote, a missing final LF) fails with the byte offset.
 */
final class StrictCsv {
    private StrictCsv() {
    }

    static List<String> parseSingleQuotedColumn(byte[] bytes) {
        String text;
        try {
            text = StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(bytes)).toString();
        } catch (CharacterCodingException e) {
            throw new AssertionError("not valid UTF-8: " + e);
        }
        List<String> rows = new ArrayList<>();
        int i = 0;
        while (i < text.length()) {
            if (text.charAt(i) != '"') {
                throw new AssertionError("record " + rows.size() + " at char " + i + " does not start with a quote");
            }
            i++;
            StringBuilder field = new StringBuilder();
            while (true) {
                if (i >= text.length()) {
                    throw new AssertionError("record " + rows.size() + ": unterminated quoted field");
                }
                char c = text.charAt(i);
                if (c == '"') {
                    if (i + 1 < text.length() && text.charAt(i + 1) == '"') {
                        field.append('"');
                        i += 2;
                        continue;
                    }
                    i++;
                    break;
                }
                field.append(c);
                i++;
            }
            if (i >= text.length() || text.charAt(i) != '\n') {
                throw new AssertionError("record " + rows.size() + " at char " + i + ": expected LF after the closing quote");
            }
            i++;
            rows.add(field.toString());
        }
        return rows;
    }
}
