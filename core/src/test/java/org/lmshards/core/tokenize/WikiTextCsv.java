package org.lmshards.core.tokenize;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import org.lmshards.core.testing.TestData;

/**
 * Reads the text column of fastai's WIKITEXT_TINY CSVs (RFC 4180, no header, multi-line fields).
 * Not spark-jobs' {@code StrictCsvReader}, the project's CSV reader: core's tests cannot see
 * spark-jobs, which depends on core.
 */
final class WikiTextCsv {
    private WikiTextCsv() {
    }

    static List<String> trainDocuments() throws IOException {
        return firstColumn(TestData.wikitextTiny().resolve("train.csv"));
    }

    static List<String> firstColumn(Path csv) throws IOException {
        String s = Files.readString(csv, StandardCharsets.UTF_8);
        List<String> docs = new ArrayList<>();
        StringBuilder field = new StringBuilder();
        int i = 0;
        int n = s.length();
        boolean first = true;
        while (i < n) {
            field.setLength(0);
            if (s.charAt(i) == '"') {
                i++;
                while (true) {
                    if (i >= n) {
                        throw new IOException(csv + ": unterminated quoted field at char " + i);
                    }
                    char c = s.charAt(i++);
                    if (c == '"') {
                        if (i < n && s.charAt(i) == '"') {
                            field.append('"');
                            i++;
                        } else {
                            break;
                        }
                    } else {
                        field.append(c);
                    }
                }
            }
            while (i < n && s.charAt(i) != '\n' && s.charAt(i) != ',') {
                field.append(s.charAt(i++));
            }
            if (first) {
                docs.add(field.toString());
            }
            if (i < n && s.charAt(i) == ',') {
                first = false;
            } else {
                first = true;
            }
            i++;
        }
        return docs;
    }
}
