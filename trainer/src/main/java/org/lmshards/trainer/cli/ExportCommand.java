package org.lmshards.trainer.cli;

import org.lmshards.core.ExitCode;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import org.lmshards.trainer.interop.AwdLstmStateDict;
import org.lmshards.trainer.interop.NpzArray;
import org.lmshards.trainer.interop.NpzFile;
import org.lmshards.trainer.finetune.PretrainedWeights;
import org.lmshards.trainer.train.rundir.AtomicFiles;
import org.lmshards.trainer.train.rundir.DeadTemporaries;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code export}: a run's model as a numpy {@code .npz} with fastai AWD_LSTM state_dict names. */
@Command(name = "export", mixinStandardHelpOptions = true,
        description = {"Write RUN_DIR's model as a numpy .npz (readable with numpy alone): the tensors under fastai's"
                + " AWD_LSTM language-model state_dict names and PyTorch shapes (gate order i, f, g, o), plus the"
                + " vocabulary as 'itos'. See docs/MODEL.md for loading it into PyTorch or fastai."})
final class ExportCommand implements Callable<Integer> {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @CommandLine.Mixin
    FinishedRunOption model;
    @Option(names = "--out", paramLabel = "FILE", required = true, description = "The .npz file to write (new, or"
            + " replaced atomically with --force; never a run's or a dataset's own file).")
    Path out;
    @Option(names = "--force", description = "Replace an existing --out file.")
    boolean force;

    @Override
    public Integer call() throws IOException {
        Optional<String> refused = ExportTarget.refusal(out, force);
        if (refused.isPresent()) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--out " + refused.get());
        }
        RunDirectory run = model.open();
        Map<String, NpzArray> arrays = AwdLstmStateDict.export(run.network(), run.vocab().itos());
        Path abs = out.toAbsolutePath();
        DeadTemporaries.remove(abs.getParent(), abs.getFileName().toString());
        AtomicFiles.write(out, o -> NpzFile.write(arrays, o));
        spec.commandLine().getOut().printf("%s: %d arrays, model of %s, vocabulary %d%n", out, arrays.size(),
                PretrainedWeights.shapeOf(run.network()).describe(), run.vocab().size());
        spec.commandLine().getOut().flush();
        return ExitCode.OK;
    }
}
