package org.lmshards.trainer.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.lmshards.core.io.FileFingerprint;
import org.lmshards.core.io.StableRead;
import org.lmshards.core.vocab.Vocabulary;
import org.lmshards.trainer.model.LmNetworks;
import org.lmshards.trainer.model.StatefulLmNetwork;
import org.lmshards.trainer.train.rundir.DamagedRunFileException;
import org.lmshards.trainer.train.loop.DataMismatchException;
import org.lmshards.trainer.train.rundir.RunFileReader;
import org.lmshards.trainer.train.rundir.RunFiles;
import org.lmshards.trainer.train.rundir.RunLock;
import org.lmshards.trainer.train.rundir.TrainSettings;

/**
 * A finished run directory as {@code evaluate} and {@code generate} read it: refused while a
 * live {@code train} holds the run's lock, and read as one snapshot (model.zip, config.json and
 * vocab.json unchanged from before to after the read).
 */
record RunDirectory(Path dir, TrainSettings settings, Vocabulary vocab, StatefulLmNetwork network) {

    static RunDirectory open(Path given) throws IOException {
        return open(given, "--model");
    }

    /** As {@link #open(Path)}, for the run named by {@code option} (named in the messages). */
    static RunDirectory open(Path given, String option) throws IOException {
        Path dir = locate(given, option);
        RunLock.requireNoTraining(dir);
        List<Path> files = List.of(dir.resolve(RunFiles.MODEL), dir.resolve(RunFiles.CONFIG), dir.resolve(RunFiles.VOCAB));
        return StableRead.read(() -> FileFingerprint.of(files), () -> read(dir), "the run directory " + dir,
                "is a train writing it? Wait for it to finish");
    }

    /**
     * The run directory {@code --model} names: the directory itself, or the one holding the
     * {@code model.zip} given (a natural thing to pass); anything else is refused by name.
     */
    static Path locate(Path given) throws IOException {
        return locate(given, "--model");
    }

    private static Path locate(Path given, String option) throws IOException {
        Path named = given.getFileName();
        if (named != null && named.toString().equals(RunFiles.MODEL) && !Files.isDirectory(given)) {
            // RUN_DIR/model.zip: the run directory, which then says whether its model is there
            Path parent = given.toAbsolutePath().getParent();
            if (parent != null && Files.isDirectory(parent)) {
                return given.getParent() != null ? given.getParent() : parent;
            }
        }
        if (!Files.exists(given)) {
            throw new DamagedRunFileException(given, "no such directory (" + option + " takes the run directory that"
                    + " train --out wrote)", null);
        }
        if (Files.isDirectory(given)) {
            return given;
        }
        throw new DamagedRunFileException(given, "not a run directory: pass the directory holding "
                + RunFiles.MODEL + ", not a file", null);
    }

    private static RunDirectory read(Path dir) throws IOException {
        StatefulLmNetwork net = RunFileReader.model(dir.resolve(RunFiles.MODEL));
        TrainSettings settings = RunFileReader.settings(dir.resolve(RunFiles.CONFIG));
        Vocabulary vocab = Vocabulary.read(dir.resolve(RunFiles.VOCAB));
        int modelVocab = LmNetworks.vocabSize(net);
        if (modelVocab != vocab.size()) {
            throw new DataMismatchException(dir + ": model.zip has " + modelVocab + " outputs but vocab.json "
                    + vocab.size() + " tokens");
        }
        return new RunDirectory(dir, settings, vocab, net);
    }
}
