package org.lmshards.spark.io;

import java.io.FileNotFoundException;
import java.io.IOException;
import java.util.List;
import java.util.Map;

import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.Path;
import org.lmshards.spark.support.BadInputException;

/**
 * Checks, once the inputs have been read, that every input file still has the size and
 * modification time recorded when the job listed it: a CSV that grew (or was rewritten) while
 * the job read it would give a dataset whose recorded fingerprint does not match what was read,
 * and a later run would take it for a cache hit (issue 25).
 */
public final class InputStability {
    private InputStability() {
    }

    /** Throws {@link BadInputException} (exit 3) naming the first input file that changed. */
    public static void requireUnchanged(Configuration conf, Map<String, List<InputFile>> inputs) throws IOException {
        for (List<InputFile> files : inputs.values()) {
            for (InputFile f : files) {
                Path p = new Path(f.path());
                FileStatus now;
                try {
                    now = p.getFileSystem(conf).getFileStatus(p);
                } catch (FileNotFoundException e) {
                    throw new BadInputException(f.path() + " was deleted while the job read it; run the job again once"
                            + " the input is complete");
                }
                if (now.getLen() != f.size() || now.getModificationTime() != f.modified()) {
                    throw new BadInputException(f.path() + " changed while the job read it (" + f.size() + " bytes, now "
                            + now.getLen() + "; modified " + f.modified() + ", now " + now.getModificationTime()
                            + " ms): is it still being written? Run the job again once it is complete");
                }
            }
        }
    }
}
