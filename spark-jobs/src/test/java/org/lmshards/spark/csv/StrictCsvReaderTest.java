package org.lmshards.spark.csv;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class StrictCsvReaderTest {

    private static List<CsvRecord> all(byte[] input) throws IOException {
        StrictCsvReader r = new StrictCsvReader(new ByteArrayInputStream(input), 1 << 20);
        List<CsvRecord> out = new ArrayList<>();
        for (CsvRecord c = r.next(); c != null; c = r.next()) {
            out.add(c);
        }
        return out;
    }

    private static List<CsvRecord> all(String input) throws IOException {
        return all(input.getBytes(StandardCharsets.UTF_8));
    }

    private static List<String> fields(CsvRecord r) {
        List<String> f = new ArrayList<>();
        for (int i = 0; i < r.fieldCount(); i++) {
            f.add(r.fieldLenient(i));
        }
        return f;
    }

    @Test
    void readsQuotedMultiLineFieldsWithDoubledQuotes() throws IOException {
        List<CsvRecord> recs = all("\" a \"\"b\"\"\n c\",x\nplain,\"\"\n");
        assertThat(recs).hasSize(2);
        assertThat(fields(recs.get(0))).containsExactly(" a \"b\"\n c", "x");
        assertThat(recs.get(0).row()).isEqualTo(1);
        assertThat(recs.get(0).line()).isEqualTo(1);
        assertThat(fields(recs.get(1))).containsExactly("plain", "");
        assertThat(recs.get(1).row()).isEqualTo(2);
        assertThat(recs.get(1).line()).isEqualTo(3);
        assertThat(recs.get(1).offset()).isEqualTo(16);
    }

    @Test
    void bomAndCrlfGiveTheSameFieldsAsPlainLf() throws IOException {
        String lf = "\"one\ntwo\",a\nthree,b\n";
        byte[] bom = {(byte) 0xEF, (byte) 0xBB, (byte) 0xBF};
        byte[] crlf = lf.replace("\n", "\r\n").getBytes(StandardCharsets.UTF_8);
        byte[] both = new byte[bom.length + crlf.length];
        System.arraycopy(bom, 0, both, 0, 3);
        System.arraycopy(crlf, 0, both, 3, crlf.length);
        List<CsvRecord> want = all(lf);
        List<CsvRecord> got = all(both);
        assertThat(got).hasSameSizeAs(want);
        for (int i = 0; i < want.size(); i++) {
            assertThat(fields(got.get(i))).isEqualTo(fields(want.get(i)));
            assertThat(got.get(i).row()).isEqualTo(want.get(i).row());
            assertThat(got.get(i).line()).isEqualTo(want.get(i).line());
        }
    }

    @Test
    void lastRecordWithoutNewlineAndBlankLinesAreHandled() throws IOException {
        List<CsvRecord> recs = all("a\n\n\r\nb");
        assertThat(recs).extracting(r -> fields(r).get(0)).containsExactly("a", "b");
        assertThat(recs.get(1).row()).isEqualTo(2);
        assertThat(recs.get(1).line()).isEqualTo(4);
    }

    @Test
    void unterminatedQuoteAtEndOfFileIsMalformed() throws IOException {
        List<CsvRecord> recs = all("ok\n\"never\nclosed\n");
        assertThat(recs).hasSize(2);
        assertThat(recs.get(0).malformed()).isNull();
        assertThat(recs.get(1).malformed()).contains("unterminated quoted field").contains("line 2");
        assertThat(recs.get(1).row()).isEqualTo(2);
    }

    @Test
    void strayQuoteIsMalformedAndReadingResumesAtTheNextLine() throws IOException {
        List<CsvRecord> recs = all("a\nbad \"quote\" here\nc\n\"x\"y\nd\n");
        assertThat(recs).hasSize(5);
        assertThat(recs.get(1).malformed()).contains("stray quote").contains("line 2");
        assertThat(recs.get(3).malformed()).contains("after the closing quote");
        assertThat(fields(recs.get(2))).containsExactly("c");
        assertThat(recs.get(2).row()).isEqualTo(3);
        assertThat(fields(recs.get(4))).containsExactly("d");
        assertThat(recs.get(4).line()).isEqualTo(5);
    }

    @Test
    void aTwentyMegabyteMultiLineRecordIsReadWhole() throws IOException {
        String para = "A long paragraph with \"\"quotes\"\", commas and\nnewlines . ";
        StringBuilder big = new StringBuilder(21 << 20);
        while (big.length() < 20_000_000) {
            big.append(para);
        }
        byte[] input = ("before\n\"" + big + "\"\nafter\n").getBytes(StandardCharsets.UTF_8);
        StrictCsvReader r = new StrictCsvReader(new ByteArrayInputStream(input));
        assertThat(r.next().fieldLenient(0)).isEqualTo("before");
        CsvRecord huge = r.next();
        assertThat(huge.malformed()).isNull();
        assertThat(huge.fieldEnd(0)).isEqualTo(big.toString().replace("\"\"", "\"").getBytes(StandardCharsets.UTF_8).length);
        CsvRecord after = r.next();
        assertThat(after.fieldLenient(0)).isEqualTo("after");
        assertThat(after.row()).isEqualTo(3);
        assertThat(after.line()).isEqualTo(2 + big.chars().filter(c -> c == '\n').count() + 1);
    }

    @Test
    void oversizedRecordIsMalformed() throws IOException {
        StrictCsvReader r = new StrictCsvReader(new ByteArrayInputStream(("\"" + "x".repeat(5000) + "\"\nnext\n")
                .getBytes(StandardCharsets.UTF_8)), 4096);
        assertThat(r.next().malformed()).contains("larger than");
        assertThat(r.next().fieldLenient(0)).isEqualTo("next");
        assertThat(r.next()).isNull();
    }

    @Test
    void rowReaderRejectsInvalidUtf8EmptyTextAndMissingColumnsWithRowNumbers() throws IOException {
        byte[] input = ("good text,1\n  \t ,2\n,3\nonly\nbad \u00ff!,4\n\"a\"b\nlast,5\n").getBytes(StandardCharsets.ISO_8859_1);
        FileRowReader rows = new FileRowReader(7, new StrictCsvReader(new ByteArrayInputStream(input)), false,
                new TextColumn(0, null), false);
        List<ParsedRow> got = new ArrayList<>();
        rows.forEachRemaining(got::add);
        assertThat(got).hasSize(7);
        assertThat(got.get(0).text()).isEqualTo("good text");
        assertThat(got.get(0).ordinal()).isZero();
        assertThat(got.get(1).reject()).isEqualTo("whitespace-only text");
        assertThat(got.get(2).reject()).isEqualTo("empty text");
        // Every row of a file has the first row's number of fields (issue 18.6: the rest was dropped silently).
        assertThat(got.get(3).reject()).isEqualTo("the row has 1 field but row 1 of the file has 2 fields");
        assertThat(got.get(4).reject()).contains("invalid UTF-8").contains("byte 4");
        assertThat(got.get(4).row()).isEqualTo(5);
        assertThat(got.get(5).reject()).contains("malformed CSV");
        assertThat(got.get(6).text()).isEqualTo("last");
        assertThat(got.get(6).ordinal()).isEqualTo(1);
        assertThat(got).allMatch(r -> r.unit() == 7);
    }

    @Test
    void rowReaderFindsHeaderColumnsAndReportsUnknownOnes() throws IOException {
        byte[] input = "id,text\n1,hello\n2\n".getBytes(StandardCharsets.UTF_8);
        List<ParsedRow> got = new ArrayList<>();
        new FileRowReader(0, new StrictCsvReader(new ByteArrayInputStream(input)), true, TextColumn.parse("text"), false)
                .forEachRemaining(got::add);
        assertThat(got).hasSize(2);
        assertThat(got.get(0).text()).isEqualTo("hello");
        assertThat(got.get(0).row()).isEqualTo(2);
        assertThat(got.get(1).reject()).contains("out of range");

        List<ParsedRow> unknown = new ArrayList<>();
        new FileRowReader(0, new StrictCsvReader(new ByteArrayInputStream(input)), true, TextColumn.parse("body"), true)
                .forEachRemaining(unknown::add);
        assertThat(unknown).hasSize(1);   // stops at the first reject when failing anyway
        assertThat(unknown.get(0).reject()).contains("no column named 'body'").contains("[id, text]");
    }
}
