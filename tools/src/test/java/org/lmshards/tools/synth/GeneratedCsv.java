package org.lmshards.tools.synth;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import org.lmshards.spark.csv.CsvRecord;
import org.lmshards.spark.csv.StrictCsvReader;
import org.lmshards.spark.csv.Utf8;

/**
 * The articles of a generated CSV, read with the job's {@link StrictCsvReader}, and a check that
 * the file is exactly the generator's dialect: UTF-8, every record a single quoted field,
 * {@code ""} for an embedded quote, LF after the closing quote (the last record's too), nothing
 * else. The reader accepts more (unquoted fields, CRLF, a byte-order mark, blank lines, no final
 * LF); writing the articles back in the dialect and comparing with the input byte for byte
 * rules all of that out.
 */
final class GeneratedCsv {
    private GeneratedCsv() {
    }

    static List<String> articles(byte[] csv) {
        List<String> articles = new ArrayList<>();
        Utf8 utf8 = new Utf8();
        StrictCsvReader reader = new StrictCsvReader(new ByteArrayInputStream(csv));
        try {
            CsvRecord r;
            while ((r = reader.next()) != null) {
                if (r.malformed() != null || r.fieldCount() != 1) {
                    throw new AssertionError("record " + r.row() + " at byte " + r.offset() + ": "
                            + (r.malformed() != null ? r.malformed() : r.fieldCount() + " fields, expected 1"));
                }
                Utf8.Decoded d = utf8.decode(r.bytes(), 0, r.fieldEnd(0));
                if (d.text() == null) {
                    throw new AssertionError("record " + r.row() + ": not valid UTF-8 at byte " + d.badOffset() + " of the field");
                }
                articles.add(d.text());
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        StringBuilder dialect = new StringBuilder(csv.length);
        for (String a : articles) {
            dialect.append('"').append(a.replace("\"", "\"\"")).append("\"\n");
        }
        byte[] again = dialect.toString().getBytes(StandardCharsets.UTF_8);
        int at = Arrays.mismatch(csv, again);
        if (at >= 0) {
            throw new AssertionError("not the generator's CSV dialect at byte " + at + " of " + csv.length);
        }
        return articles;
    }
}
