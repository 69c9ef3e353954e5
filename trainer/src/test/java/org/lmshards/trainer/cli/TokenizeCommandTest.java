package org.lmshards.trainer.cli;

import org.lmshards.core.ExitCode;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.lmshards.core.tokenize.FastaiTokenizer;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code trainer.jar tokenize} through the real command line (picocli wiring, exit codes). */
class TokenizeCommandTest {

    private record Result(int exit, String out, String err) {
    }

    private static Result run(byte[] stdin) {
        InputStream oldIn = System.in;
        PrintStream oldOut = System.out;
        PrintStream oldErr = System.err;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        try {
            System.setIn(new ByteArrayInputStream(stdin));
            System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
            System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
            int exit = LmShardsCli.commandLine().execute("tokenize");
            return new Result(exit, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
        } finally {
            System.setIn(oldIn);
            System.setOut(oldOut);
            System.setErr(oldErr);
        }
    }

    @Test
    void tokenizesOneDocumentPerLine() {
        String input = "This isn't a problem\n = Homarus gammarus = \n\nI'M SHOUTING about first @-@ class <unk> .\n";
        Result r = run(input.getBytes(StandardCharsets.UTF_8));
        assertThat(r.exit()).isEqualTo(ExitCode.OK);
        assertThat(r.out().split("\n", -1)).containsExactly(
                "xxbos xxmaj this is n't a problem",
                "xxbos = xxmaj homarus gammarus =",
                "xxbos",
                "xxbos xxup i 'm xxup shouting about first - class xxunk .",
                "");
    }

    @Test
    void escapesWhitespaceAndBackslashInsideTokens() {
        // fix_html turns a literal backslash-n into a newline; " \n " after "a" becomes the token "\n▁",
        // and spec_add_spaces makes the backslash a token of its own
        Result r = run("a \\n b \\\\ c\tz\n".getBytes(StandardCharsets.UTF_8));
        assertThat(r.exit()).isEqualTo(ExitCode.OK);
        List<String> expected = FastaiTokenizer.defaults().tokenize("a \\n b \\\\ c\tz");
        assertThat(expected).contains("\n\u2581", "\\", "\t");
        String line = r.out().substring(0, r.out().length() - 1);
        assertThat(line).isEqualTo("xxbos a \\n\u2581 b \\\\ \\\\ c \\t z");
        assertThat(line).doesNotContain("\n").doesNotContain("\t");
        // splitting on single spaces and unescaping gives back exactly the tokenizer's tokens
        assertThat(Arrays.stream(line.split(" ")).map(TokenizeCommand::unescape).toList()).isEqualTo(expected);
    }

    @Test
    void escapeCoversSpaceAndCarriageReturn() {
        StringBuilder sb = new StringBuilder();
        TokenizeCommand.escape("a b\r\\", sb);
        assertThat(sb.toString()).isEqualTo("a\\sb\\r\\\\");
        assertThat(TokenizeCommand.unescape(sb.toString())).isEqualTo("a b\r\\");
    }

    @Test
    void invalidUtf8IsBadInput() {
        Result r = run(new byte[] {'o', 'k', '\n', (byte) 0xC3, (byte) 0x28, '\n'});
        assertThat(r.exit()).isEqualTo(ExitCode.BAD_INPUT);
        assertThat(r.err()).contains("stdin").contains("line 2 (byte offset 3)").contains("UTF-8");
    }
}
