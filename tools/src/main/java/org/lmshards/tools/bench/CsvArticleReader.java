package org.lmshards.tools.bench;

import java.io.BufferedReader;
import java.io.Closeable;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Streams the first column of a header-less RFC 4180 CSV file, one record at a time, for the
 * bare-tokenizer baseline. Lenient on purpose (the input is the generator's own output); the
 * Spark job has the strict reader.
 */
final class CsvArticleReader implements Closeable {
    private final BufferedReader in;
    private final StringBuilder field = new StringBuilder(1 << 16);

    CsvArticleReader(Path file) throws IOException {
        this.in = Files.newBufferedReader(file, StandardCharsets.UTF_8);
    }

    /** The next record's first field, or null at the end of the file. */
    String next() throws IOException {
        int c = in.read();
        if (c < 0) {
            return null;
        }
        field.setLength(0);
        boolean quoted = c == '"';
        if (!quoted) {
            field.append((char) c);
        }
        int column = 0;
        while (true) {
            c = in.read();
            if (c < 0) {
                break;
            }
            if (quoted) {
                if (c == '"') {
                    in.mark(1);
                    int d = in.read();
                    if (d == '"') {
                        field.append('"');
                        continue;
                    }
                    quoted = false;
                    if (d < 0) {
                        break;
                    }
                    c = d;
                } else {
                    if (column == 0) {
                        field.append((char) c);
                    }
                    continue;
                }
            }
            if (c == '\n') {
                break;
            }
            if (c == ',') {
                column++;
            } else if (c == '"') {
                quoted = true;
            } else if (column == 0 && c != '\r') {
                field.append((char) c);
            }
        }
        return field.toString();
    }

    @Override
    public void close() throws IOException {
        in.close();
    }
}
