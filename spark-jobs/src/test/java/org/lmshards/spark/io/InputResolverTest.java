package org.lmshards.spark.io;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import org.apache.hadoop.conf.Configuration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Issue 15 item 5: the files of an input directory that are not read are named, not skipped silently. */
class InputResolverTest {
    @TempDir
    Path tmp;

    @Test
    void aDirectoryReadsItsCsvFilesAndNamesTheOthersItSkips() throws Exception {
        Path corpus = Files.createDirectories(tmp.resolve("corpus"));
        Files.writeString(corpus.resolve("train.csv"), "\"a\"\n");
        Files.writeString(corpus.resolve("README.txt"), "about\n");
        Files.write(corpus.resolve("logo.png"), new byte[] {1, 2, 3});
        Files.createDirectories(corpus.resolve("old"));
        Files.writeString(corpus.resolve(".hidden.csv"), "\"x\"\n");
        Files.writeString(corpus.resolve("_SUCCESS"), "");
        List<String> warnings = new ArrayList<>();
        List<InputFile> files = InputResolver.resolve("--train", corpus.toString(), new Configuration(), warnings::add);
        assertThat(files).singleElement().satisfies(f -> assertThat(f.path()).endsWith("/corpus/train.csv"));
        assertThat(warnings).singleElement().asString()
                .startsWith("--train " + corpus + ": skipping 3 entries of ")
                .endsWith("that are not a .csv file: README.txt, logo.png, old/");
    }

    @Test
    void manySkippedFilesAreCountedAfterTheFirstFew() throws Exception {
        Path corpus = Files.createDirectories(tmp.resolve("many"));
        Files.writeString(corpus.resolve("a.csv"), "\"a\"\n");
        for (int i = 0; i < 8; i++) {
            Files.writeString(corpus.resolve("note" + i + ".txt"), "n\n");
        }
        List<String> warnings = new ArrayList<>();
        InputResolver.resolve("--valid", corpus.toString(), new Configuration(), warnings::add);
        assertThat(warnings).singleElement().asString()
                .endsWith(": note0.txt, note1.txt, note2.txt, note3.txt, note4.txt and 3 more");
    }

    @Test
    void aDirectoryOfCsvFilesOnlyGivesNoWarning() throws Exception {
        Path corpus = Files.createDirectories(tmp.resolve("clean"));
        Files.writeString(corpus.resolve("a.csv"), "\"a\"\n");
        List<String> warnings = new ArrayList<>();
        InputResolver.resolve("--train", corpus.toString(), new Configuration(), warnings::add);
        assertThat(warnings).isEmpty();
    }
}
