package org.lmshards.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import org.lmshards.core.vocab.Vocabulary;
import org.lmshards.trainer.model.LmNetworks;
import org.lmshards.trainer.model.StatefulLmNetwork;
import org.lmshards.trainer.train.DataMismatchException;
import org.lmshards.trainer.train.Json;
import org.lmshards.trainer.train.RunFiles;
import org.lmshards.trainer.train.TrainSettings;

/** A finished run directory as {@code evaluate} and {@code generate} read it. */
record RunDirectory(Path dir, TrainSettings settings, Vocabulary vocab, StatefulLmNetwork network) {

    static RunDirectory open(Path dir) throws IOException {
        Path model = dir.resolve(RunFiles.MODEL);
        if (!Files.isRegularFile(model)) {
            throw new NoSuchFileException(model.toString(), null, "no trained model (did training finish?)");
        }
        TrainSettings settings = Json.MAPPER.readValue(dir.resolve(RunFiles.CONFIG).toFile(), TrainSettings.class);
        Vocabulary vocab = Vocabulary.read(dir.resolve(RunFiles.VOCAB));
        StatefulLmNetwork net = LmNetworks.load(model);
        int modelVocab = LmNetworks.vocabSize(net);
        if (modelVocab != vocab.size()) {
            throw new DataMismatchException(dir + ": model.zip has " + modelVocab + " outputs but vocab.json "
                    + vocab.size() + " tokens");
        }
        return new RunDirectory(dir, settings, vocab, net);
    }
}
