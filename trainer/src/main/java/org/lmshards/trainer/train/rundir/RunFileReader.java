package org.lmshards.trainer.train.rundir;

import java.io.EOFException;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.zip.ZipException;

import com.fasterxml.jackson.core.JsonProcessingException;
import org.lmshards.trainer.model.LmNetworks;
import org.lmshards.trainer.model.StatefulLmNetwork;

/**
 * Reads a run directory's {@code config.json} and {@code model.zip} so that every failure names
 * the file: a missing or damaged file is bad input ({@link DamagedRunFileException}); an I/O
 * failure of the environment (a disk error, no permission) stays a plain {@link IOException}.
 */
public final class RunFileReader {
    private RunFileReader() {
    }

    public static TrainSettings settings(Path configFile) throws IOException {
        try {
            return SnakeCaseJson.MAPPER.readValue(configFile.toFile(), TrainSettings.class);
        } catch (NoSuchFileException | FileNotFoundException e) {
            throw new DamagedRunFileException(configFile, "config.json missing", e);
        } catch (JsonProcessingException e) {
            throw new DamagedRunFileException(configFile, "malformed config.json: " + e.getOriginalMessage(), e);
        } catch (IOException e) {
            throw new IOException(configFile + ": cannot read (" + e.getMessage() + ")", e);
        }
    }

    public static StatefulLmNetwork model(Path modelFile) throws IOException {
        try {
            return LmNetworks.load(modelFile);
        } catch (NoSuchFileException e) {
            throw new DamagedRunFileException(modelFile, "model.zip missing (did training finish?)", e);
        } catch (IOException e) {
            if (isDamage(e)) {
                throw new DamagedRunFileException(modelFile, "damaged model.zip (" + e.getMessage() + ")", e);
            }
            throw new IOException(modelFile + ": cannot read (" + e.getMessage() + ")", e);
        } catch (RuntimeException e) {
            // DL4J reports content it cannot parse as runtime exceptions
            throw new DamagedRunFileException(modelFile, "damaged model.zip (" + e + ")", e);
        }
    }

    /** Whether the bytes were read but are not a model: a broken zip, a cut file, JSON that does not parse. */
    private static boolean isDamage(Throwable t) {
        for (Throwable c = t; c != null; c = c.getCause()) {
            if (c instanceof ZipException || c instanceof EOFException || c instanceof JsonProcessingException
                    || c instanceof RuntimeException) {
                return true;
            }
        }
        // LmNetworks.load wraps DL4J's runtime failures in an IOException naming the file
        return t.getMessage() != null && t.getMessage().contains("not a readable DL4J model");
    }
}
