package org.lmshards.trainer.cli;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.Locale;
import org.lmshards.core.vocab.Vocabulary;
import org.lmshards.trainer.finetune.EmbeddingMatch;
import org.lmshards.trainer.finetune.PretrainedWeights;
import org.lmshards.trainer.interop.ModelShape;
import org.lmshards.trainer.model.StatefulLmNetwork;
import org.lmshards.trainer.train.rundir.InitFrom;
import picocli.CommandLine;

/**
 * {@code train --init-from RUN_DIR}: the pretrained run, its shape adopted by the model
 * options, its vocabulary matched against the dataset's.
 */
final class FineTuneStart {
    private final Path dir;
    private final StatefulLmNetwork source;
    private final EmbeddingMatch match;

    private FineTuneStart(Path dir, StatefulLmNetwork source, EmbeddingMatch match) {
        this.dir = dir;
        this.source = source;
        this.match = match;
    }

    /** Opens the run, sets the shape options from it (usage error on a conflict) and maps the vocabularies. */
    static FineTuneStart open(Path dir, Vocabulary target, ModelOptions model, CommandLine.Model.CommandSpec spec,
                              PrintStream console) throws IOException {
        RunDirectory run = RunDirectory.open(dir, "--init-from");
        ModelShape shape = PretrainedWeights.shapeOf(run.network());
        ShapeOptions.adopt(model, shape, spec);
        EmbeddingMatch match = EmbeddingMatch.between(run.vocab().itos(), target.itos());
        if (match.identity()) {
            console.printf(Locale.ROOT, "init from %s: same vocabulary (%d tokens), weights as they are%n", dir,
                    target.size());
        } else {
            console.printf(Locale.ROOT, "init from %s: %d of %d tokens found in its vocabulary of %d (rows copied),"
                            + " %d new (mean rows)%n", dir, match.copied(), target.size(), match.sourceVocab(),
                    match.added());
        }
        return new FineTuneStart(dir, run.network(), match);
    }

    /** What config.json records. */
    InitFrom record() {
        return new InitFrom(dir.toAbsolutePath().toString(), match.sourceVocab(), match.copied(), match.added());
    }

    void copyInto(StatefulLmNetwork target) {
        match.apply(source, target);
    }
}
