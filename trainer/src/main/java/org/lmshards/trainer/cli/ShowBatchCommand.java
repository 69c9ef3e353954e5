package org.lmshards.trainer.cli;

import org.lmshards.core.ExitCode;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import org.lmshards.core.shard.Dataset;
import org.lmshards.core.shard.ShardLayout;
import org.lmshards.core.shard.TokenStore;
import org.lmshards.core.tokenize.Detokenizer;
import org.lmshards.core.vocab.Vocabulary;
import org.lmshards.trainer.data.LmStreamIterator;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code show-batch}: the first rows of the first batch the trainer would see, as input text and
 * target text (fastai's {@code show_batch}), decoded with the dataset's vocabulary.
 */
@Command(name = "show-batch", mixinStandardHelpOptions = true,
        description = "Print the decoded input and target text of the first rows of the first batch of a split.")
final class ShowBatchCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Option(names = "--data", required = true, paramLabel = "DIR|URI",
            description = "Dataset directory, or a Hadoop URI (hdfs://, s3a://) copied into --cache-dir.")
    String data;
    @Mixin
    DataOptions dataOptions;

    @Option(names = "--split", defaultValue = ShardLayout.TRAIN, description = "Split to read (default: ${DEFAULT-VALUE}).")
    String split;

    @Option(names = "--max-n", defaultValue = "2", paramLabel = "N",
            description = "Rows to show (default: ${DEFAULT-VALUE}, at most --bs).")
    int maxN;

    @Option(names = "--bs", defaultValue = "64", description = "Batch size (default: ${DEFAULT-VALUE}).")
    int batchSize;

    @Option(names = "--seq-len", defaultValue = "72", description = "Sequence length (default: ${DEFAULT-VALUE}).")
    int seqLen;

    @Option(names = "--seed", defaultValue = "0",
            description = "Seed of the train split's document shuffle (default: ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--tokens",
            description = "Show the tokens separated by spaces (as fastai prints them) instead of readable text.")
    boolean tokens;

    @Override
    public Integer call() throws Exception {
        if (maxN < 1) {
            throw new ParameterException(spec.commandLine(), "--max-n must be at least 1, got " + maxN);
        }
        if (batchSize < 1 || seqLen < 1) {
            throw new ParameterException(spec.commandLine(), "--bs and --seq-len must be at least 1");
        }
        PrintWriter out = spec.commandLine().getOut();
        try (Dataset dataset = Dataset.open(dataOptions.localize(data));
                TokenStore store = dataset.split(split);
                LmStreamIterator it = LmStreamIterator.builder(store).batchSize(batchSize).seqLen(seqLen).seed(seed)
                        .build()) {
            Vocabulary vocab = dataset.vocab();
            DataSet batch = it.next();
            int[][] x = ids(batch.getFeatures());
            int[][] y = ids(batch.getLabels());
            out.printf("%s, split %s: %d tokens, %d documents; bs %d, seq-len %d: %d batches per epoch, %s%n",
                    data, split, store.size(), store.numDocs(), batchSize, seqLen, it.batchesPerEpoch(),
                    it.shuffled() ? "documents shuffled with seed " + seed : "not shuffled");
            int rows = Math.min(maxN, x.length);
            for (int j = 0; j < rows; j++) {
                out.printf("row %d%n", j);
                out.printf("  text : %s%n", render(vocab, x[j]));
                out.printf("  text_: %s%n", render(vocab, y[j]));
            }
            out.flush();
        }
        return ExitCode.OK;
    }

    private String render(Vocabulary vocab, int[] ids) {
        List<String> toks = vocab.decode(ids, 0, ids.length);
        String s = tokens ? String.join(" ", toks) : Detokenizer.detokenize(toks);
        // one line per row: make line breaks inside the text visible instead
        return s.replace("\r", "\\r").replace("\n", "\\n");
    }

    /** {@code [bs, 1, len]} float ids as {@code int[bs][len]}. */
    private static int[][] ids(INDArray a) {
        int bs = (int) a.size(0);
        int len = (int) a.size(2);
        float[] flat = a.dup('c').data().asFloat();
        int[][] out = new int[bs][len];
        for (int j = 0; j < bs; j++) {
            for (int t = 0; t < len; t++) {
                out[j][t] = (int) flat[j * len + t];
            }
        }
        return out;
    }
}
