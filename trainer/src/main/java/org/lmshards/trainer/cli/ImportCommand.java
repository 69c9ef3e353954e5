package org.lmshards.trainer.cli;

import org.lmshards.core.ExitCode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.Callable;
import org.lmshards.core.io.DirectoryLock;
import org.lmshards.core.vocab.Vocabulary;
import org.lmshards.trainer.interop.AwdLstmStateDict;
import org.lmshards.trainer.interop.ModelShape;
import org.lmshards.trainer.interop.NpzArray;
import org.lmshards.trainer.interop.NpzFile;
import org.lmshards.trainer.model.LmHyperParams;
import org.lmshards.trainer.model.LmNetworks;
import org.lmshards.trainer.model.StatefulLmNetwork;
import org.lmshards.trainer.train.rundir.AtomicFiles;
import org.lmshards.trainer.train.rundir.DamagedRunFileException;
import org.lmshards.trainer.train.rundir.DeadTemporaries;
import org.lmshards.trainer.train.rundir.SnakeCaseJson;
import org.lmshards.trainer.train.rundir.RunDirectoryGuard;
import org.lmshards.trainer.train.rundir.RunFiles;
import org.lmshards.trainer.train.rundir.RunLock;
import org.lmshards.trainer.train.rundir.TrainSettings;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code import}: a model from a numpy {@code .npz} (as {@code export} writes it) as a run directory. */
@Command(name = "import", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Make RUN_DIR from a .npz with fastai AWD_LSTM language-model state_dict names and an 'itos'"
                + " array (as export writes them; bias_ih and bias_hh are summed). The model's shape comes from the"
                + " file; the other options are recorded in config.json for evaluate and for train --init-from."})
final class ImportCommand implements Callable<Integer> {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = "--npz", paramLabel = "FILE", required = true, description = "The .npz to read.")
    Path npz;
    @Option(names = "--out", paramLabel = "RUN_DIR", required = true, description = "Run directory to create.")
    Path out;
    @CommandLine.Mixin
    ModelOptions model;

    @Override
    @SuppressWarnings("try") // the lock is held, not used
    public Integer call() throws IOException {
        RunOutputs.requireWritable(spec, out);
        if (Files.exists(out.resolve(RunFiles.MODEL)) || Files.exists(out.resolve(RunFiles.CHECKPOINT))) {
            throw new CommandLine.ParameterException(spec.commandLine(), out + " already holds a run; choose another --out");
        }
        Map<String, NpzArray> arrays = NpzFile.read(npz);
        ModelShape shape = AwdLstmStateDict.shape(arrays, npz);
        Vocabulary vocab;
        try {
            vocab = Vocabulary.of(arrays.get(AwdLstmStateDict.ITOS).strings(), 1, shape.vocab());
        } catch (IllegalArgumentException e) {
            throw new DamagedRunFileException(npz, "itos is not an lmshards/fastai vocabulary: " + e.getMessage(), e);
        }
        ShapeOptions.adopt(model, shape, spec);
        TrainSettings settings;
        try {
            LmHyperParams hp = model.hyperParams(shape.vocab());
            settings = new TrainSettings(hp, model.bs, model.seqLen, 1, 0, 0, 0, npz.toAbsolutePath().toString());
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage());
        }
        StatefulLmNetwork net = LmNetworks.build(settings.model(), settings.seqLen());
        AwdLstmStateDict.load(arrays, net, npz);
        try (DirectoryLock lock = RunLock.forTraining(out)) {
            DeadTemporaries.remove(out);
            RunDirectoryGuard.mark(out, "import");
            AtomicFiles.write(out.resolve(RunFiles.VOCAB), vocab::write);
            AtomicFiles.write(out.resolve(RunFiles.CONFIG), o -> SnakeCaseJson.PRETTY.writeValue(o, settings));
            AtomicFiles.write(out.resolve(RunFiles.MODEL), o -> LmNetworks.save(net, o));
        }
        spec.commandLine().getOut().printf("%s: model of %s, vocabulary %d, from %s%n", out, shape.describe(),
                shape.vocab(), npz);
        spec.commandLine().getOut().flush();
        return ExitCode.OK;
    }
}
