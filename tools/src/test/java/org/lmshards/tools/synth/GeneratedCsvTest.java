package org.lmshards.tools.synth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** The tests' check of the generator's CSV dialect is as strict as the dialect. */
class GeneratedCsvTest {
    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void readsTheDialectAndRejectsEverythingElse() {
        assertThat(GeneratedCsv.articles(utf8("\" a \"\"b\"\" \n c\"\n\"é\"\n"))).containsExactly(" a \"b\" \n c", "é");
        String[] bad = {
            "abc\n",                    // not quoted
            "\"a\"\r\n",                // CRLF after the closing quote
            "\"a\r\nb\"\n",             // CRLF inside the field
            "\"a\"",                    // no final LF
            "\uFEFF\"a\"\n",            // byte-order mark
            "\"a\"\n\n\"b\"\n",         // blank line
            "\"a\",\"b\"\n",            // two fields
            "\"a\"b\"\n",               // a bare quote
            "\"a\n",                    // unterminated
        };
        for (String csv : bad) {
            assertThatThrownBy(() -> GeneratedCsv.articles(utf8(csv))).as(csv).isInstanceOf(AssertionError.class);
        }
        assertThatThrownBy(() -> GeneratedCsv.articles(new byte[] {'"', (byte) 0xC3, '"', '\n'}))
                .isInstanceOf(AssertionError.class).hasMessageContaining("UTF-8");
    }
}
