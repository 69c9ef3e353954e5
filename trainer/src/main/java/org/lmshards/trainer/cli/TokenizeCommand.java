package org.lmshards.trainer.cli;

import org.lmshards.core.ExitCode;
import java.io.BufferedInputStream;
import java.io.BufferedWriter;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.MalformedInputException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.concurrent.Callable;

import org.lmshards.core.BadInput;
import org.lmshards.core.tokenize.ChunkMemo;
import org.lmshards.core.tokenize.FastaiTokenizer;

import picocli.CommandLine.Command;

/**
 * {@code tokenize}: reads UTF-8 text on stdin, one document per line, and prints each document's
 * fastai tokens on one line, separated by single spaces. Characters inside a token that would
 * break that layout are escaped: backslash as {@code \\}, newline {@code \n}, tab {@code \t},
 * carriage return {@code \r}, space {@code \s} (docs/TOKENIZER.md).
 */
@Command(name = "tokenize", mixinStandardHelpOptions = true,
        description = {"Tokenize UTF-8 text from stdin with the fastai default pipeline (spaCy-compatible English splitter).",
            "One document per input line; one output line of space-separated tokens per document.",
            "Inside tokens, \\\\ \\n \\t \\r \\s stand for backslash, newline, tab, carriage return and space."})
final class TokenizeCommand implements Callable<Integer> {
    private final InputStream in;
    private final OutputStream out;

    TokenizeCommand() {
        this(System.in, System.out);
    }

    TokenizeCommand(InputStream in, OutputStream out) {
        this.in = in;
        this.out = out;
    }

    @Override
    public Integer call() throws Exception {
        CharsetDecoder decoder = StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT).onUnmappableCharacter(CodingErrorAction.REPORT);
        FastaiTokenizer tokenizer = FastaiTokenizer.defaults();
        ChunkMemo<String[]> memo = new ChunkMemo<>();
        InputStream input = new BufferedInputStream(in, 1 << 16);
        Writer writer = new BufferedWriter(new OutputStreamWriter(out, StandardCharsets.UTF_8), 1 << 16);
        StringBuilder line = new StringBuilder();
        byte[] buf = new byte[8192];
        long lineNo = 0;
        long offset = 0; // byte offset of the current line in stdin
        try {
            while (true) {
                // Lines are cut as bytes and decoded one by one, so an error names its line and offset.
                int len = 0;
                int b;
                while ((b = input.read()) >= 0 && b != '\n') {
                    if (len == buf.length) {
                        buf = Arrays.copyOf(buf, len * 2);
                    }
                    buf[len++] = (byte) b;
                }
                if (b < 0 && len == 0) {
                    break;
                }
                lineNo++;
                String doc = decode(decoder, buf, len, lineNo, offset);
                offset += len + (b < 0 ? 0 : 1);
                line.setLength(0);
                tokenizer.tokenize(doc, memo, tok -> {
                    if (line.length() > 0) {
                        line.append(' ');
                    }
                    escape(tok, line);
                });
                writer.append(line).append('\n');
                if (b < 0) {
                    break;
                }
            }
        } finally {
            writer.flush();
        }
        return ExitCode.OK;
    }

    private static String decode(CharsetDecoder decoder, byte[] buf, int len, long lineNo, long offset) {
        if (len > 0 && buf[len - 1] == '\r') {
            len--; // CRLF input
        }
        try {
            return decoder.decode(ByteBuffer.wrap(buf, 0, len)).toString();
        } catch (CharacterCodingException e) {
            int bad = 0;
            if (e instanceof MalformedInputException) {
                // find the first byte the decoder rejects, for the message
                CharsetDecoder d = StandardCharsets.UTF_8.newDecoder();
                java.nio.CharBuffer cb = java.nio.CharBuffer.allocate(len + 1);
                ByteBuffer bb = ByteBuffer.wrap(buf, 0, len);
                d.decode(bb, cb, true);
                bad = bb.position();
            }
            throw new BadStdinException("stdin: line " + lineNo + " (byte offset " + (offset + bad)
                    + "): not valid UTF-8", e);
        }
    }

    /** Appends {@code token} with backslash, newline, tab, carriage return and space escaped. */
    static void escape(String token, StringBuilder sb) {
        for (int i = 0; i < token.length(); i++) {
            char c = token.charAt(i);
            switch (c) {
                case '\\' -> sb.append("\\\\");
                case '\n' -> sb.append("\\n");
                case '\t' -> sb.append("\\t");
                case '\r' -> sb.append("\\r");
                case ' ' -> sb.append("\\s");
                default -> sb.append(c);
            }
        }
    }

    /** Undoes {@link #escape}: for readers of the command's output. */
    static String unescape(String s) {
        if (s.indexOf('\\') < 0) {
            return s;
        }
        StringBuilder sb = new StringBuilder(s.length());
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c != '\\' || i + 1 == s.length()) {
                sb.append(c);
                continue;
            }
            char e = s.charAt(++i);
            switch (e) {
                case 'n' -> sb.append('\n');
                case 't' -> sb.append('\t');
                case 'r' -> sb.append('\r');
                case 's' -> sb.append(' ');
                default -> sb.append(e);
            }
        }
        return sb.toString();
    }

    /** Input that is not UTF-8 text: exit code 3. */
    static final class BadStdinException extends RuntimeException implements BadInput {
        private static final long serialVersionUID = 1L;

        BadStdinException(String message, Throwable cause) {
            super(message, cause);
        }
    }
}
