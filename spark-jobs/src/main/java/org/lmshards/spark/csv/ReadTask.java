package org.lmshards.spark.csv;

import java.io.IOException;
import java.io.InputStream;
import java.util.Collections;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;

import org.apache.hadoop.fs.FSDataInputStream;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.TaskContext;
import org.apache.spark.api.java.function.FlatMapFunction;
import org.apache.spark.util.LongAccumulator;
import org.lmshards.spark.support.FaultInjection;
import org.lmshards.spark.io.FileIoError;
import org.lmshards.spark.io.CrcFreeFileSystem;
import org.lmshards.spark.io.HadoopConf;
import org.lmshards.spark.io.InputFile;

/**
 * Reads the {@link InputUnit}s whose indices a partition holds (the job gives each unit its own
 * partition) and streams their rows in file order; a row's {@code unit} is its unit index.
 */
public final class ReadTask implements FlatMapFunction<Iterator<Integer>, ParsedRow> {
    private static final long serialVersionUID = 1L;

    private final String stage;
    private final List<InputFile> files;
    private final List<InputUnit> units;
    private final HadoopConf conf;
    private final boolean header;
    private final TextColumn column;
    private final boolean stopAfterFirstReject;
    private final FaultInjection fault;
    private final LongAccumulator bytesRead;
    private final LongAccumulator rowsRead;

    public ReadTask(String stage, List<InputFile> files, List<InputUnit> units, HadoopConf conf, boolean header, TextColumn column, boolean stopAfterFirstReject,
                    FaultInjection fault, LongAccumulator bytesRead, LongAccumulator rowsRead) {
        this.stage = stage;
        this.files = files;
        this.units = units;
        this.conf = conf;
        this.header = header;
        this.column = column;
        this.stopAfterFirstReject = stopAfterFirstReject;
        this.fault = fault;
        this.bytesRead = bytesRead;
        this.rowsRead = rowsRead;
    }

    @Override
    public Iterator<ParsedRow> call(Iterator<Integer> indices) {
        if (!indices.hasNext()) {
            return Collections.emptyIterator();
        }
        return new Iterator<>() {
            private FileRowReader current;
            private InputStream stream;
            private String path;

            @Override
            public boolean hasNext() {
                try {
                    return advance();
                } catch (java.io.UncheckedIOException e) {
                    if (e instanceof FileIoError || current == null) {
                        throw e;
                    }
                    // Name the file and where: Spark's failure report would only carry the bare IOException.
                    throw new FileIoError(path, "read failed at byte " + current.offset() + " (after row " + current.rows() + ")",
                            e.getCause());
                }
            }

            private boolean advance() {
                while (current == null || !current.hasNext()) {
                    if (current != null) {
                        finishFile();
                    }
                    if (!indices.hasNext()) {
                        fault.afterTaskWork(stage);
                        return false;
                    }
                    open(indices.next());
                }
                return true;
            }

            @Override
            public ParsedRow next() {
                if (!hasNext()) {
                    throw new NoSuchElementException();
                }
                rowsRead.add(1);
                return current.next();
            }

            private void open(int index) {
                InputUnit u = units.get(index);
                path = files.get(u.file()).path();
                Path p = new Path(path);
                CsvRecord headerRecord = null;
                try {
                    FileSystem fs = CrcFreeFileSystem.of(p, conf.get());
                    if (u.start() > 0) {
                        headerRecord = firstRecord(fs, p, u.start());
                    }
                    FSDataInputStream in = fs.open(p, 1 << 20);
                    stream = in;
                    if (u.start() > 0) {
                        in.seek(u.start());
                    }
                } catch (IOException e) {
                    throw new FileIoError(path, "cannot open", e);
                }
                InputStream s = stream;
                TaskContext tc = TaskContext.get();
                if (tc != null) {
                    tc.addTaskCompletionListener((org.apache.spark.util.TaskCompletionListener) ctx -> closeQuietly(s));
                }
                StrictCsvReader csv = new StrictCsvReader(stream, StrictCsvReader.DEFAULT_MAX_RECORD_BYTES, true, u.start(),
                        u.length(), u.rowsBefore(), u.line());
                current = u.start() == 0
                        ? new FileRowReader(index, csv, header, column, stopAfterFirstReject)
                        : FileRowReader.continuing(index, csv, header, headerRecord, column, stopAfterFirstReject);
            }

            private void finishFile() {
                bytesRead.add(current.bytesRead());
                closeQuietly(stream);
                current = null;
            }
        };
    }

    /**
     * The record that fixes a later unit's columns, as the whole-file reader would see it: the
     * header with {@code --header}, otherwise the first well-formed record before {@code end}.
     */
    private CsvRecord firstRecord(FileSystem fs, Path p, long end) throws IOException {
        try (InputStream h = fs.open(p, 1 << 16)) {
            StrictCsvReader r = new StrictCsvReader(h);
            CsvRecord rec = r.next();
            while (!header && rec != null && rec.malformed() != null && r.offset() < end) {
                rec = r.next();
            }
            return rec != null && rec.offset() < end ? rec : null;
        }
    }

    private static void closeQuietly(InputStream s) {
        try {
            s.close();
        } catch (IOException e) {
            // already read what we need
        }
    }
}
