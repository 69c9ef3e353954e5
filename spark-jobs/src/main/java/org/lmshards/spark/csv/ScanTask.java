package org.lmshards.spark.csv;

import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;

import org.apache.hadoop.fs.Path;
import org.apache.spark.api.java.function.Function;
import org.lmshards.spark.io.CrcFreeFileSystem;
import org.lmshards.spark.io.HadoopConf;
import org.lmshards.spark.io.InputFile;

/**
 * Finds record boundaries in a large file so that several tasks can parse it: a multi-line CSV
 * cannot be cut at arbitrary offsets (a newline may be inside quotes), so one sequential pass
 * with the same state machine as the parser (but copying nothing) records a cut about every
 * {@code chunkBytes}, with the row and line numbers there.
 */
public final class ScanTask implements Function<Integer, List<InputUnit>> {
    private static final long serialVersionUID = 1L;

    private final List<InputFile> files;
    private final HadoopConf conf;
    private final long chunkBytes;

    public ScanTask(List<InputFile> files, HadoopConf conf, long chunkBytes) {
        this.files = files;
        this.conf = conf;
        this.chunkBytes = chunkBytes;
    }

    @Override
    public List<InputUnit> call(Integer file) throws IOException {
        Path p = new Path(files.get(file).path());
        List<InputUnit> units = new ArrayList<>();
        try (InputStream in = CrcFreeFileSystem.of(p, conf.get()).open(p, 1 << 20)) {
            StrictCsvReader scan = new StrictCsvReader(in, StrictCsvReader.DEFAULT_MAX_RECORD_BYTES, false, 0, Long.MAX_VALUE, 0, 1);
            long start = 0;
            long rowsBefore = 0;
            long line = 1;
            while (true) {
                long off = scan.offset();
                if (off - start >= chunkBytes) {
                    units.add(new InputUnit(file, start, off - start, rowsBefore, line));
                    start = off;
                    rowsBefore = scan.rows();
                    line = scan.line();
                }
                if (scan.next() == null) {
                    break;
                }
            }
            units.add(new InputUnit(file, start, Long.MAX_VALUE, rowsBefore, line));
        }
        return units;
    }
}
