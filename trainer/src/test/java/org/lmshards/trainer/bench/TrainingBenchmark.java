package org.lmshards.trainer.bench;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.lmshards.core.shard.Dataset;
import org.lmshards.core.shard.TokenStore;
import org.lmshards.trainer.model.LmHyperParams;
import org.lmshards.trainer.testing.WikiTextDatasets;
import org.lmshards.trainer.train.loop.BatchSource;
import org.lmshards.trainer.train.rundir.EpochMetrics;
import org.lmshards.trainer.train.rundir.SnakeCaseJson;
import org.lmshards.trainer.train.loop.TrainingDataset;
import org.lmshards.trainer.train.rundir.TrainSettings;
import org.lmshards.trainer.train.loop.Trainer;

/**
 * The training quality benchmark of docs/BENCHMARKS.md (not part of the normal test run; its
 * name does not match Surefire's test patterns). Builds the whole wikitext-tiny dataset
 * (train.csv -> train, test.csv -> valid, vocabulary min_freq 3), computes the unigram
 * baseline from train counts, trains the documented small configuration and prints the figures.
 *
 * <pre>mvn -o -B -q -pl trainer -am verify -Dtest=TrainingBenchmark -Dsurefire.failIfNoSpecifiedTests=false
 *   [-Dbench.epochs=2 -Dbench.emb=32 -Dbench.hidden=128 -Dbench.layers=2 -Dbench.bs=32 -Dbench.seqLen=32 -Dbench.lr=2e-2 -Dbench.drop=0]</pre>
 */
class TrainingBenchmark {
    static int prop(String name, int def) {
        return Integer.getInteger("bench." + name, def);
    }

    @Test
    void trainSmallConfigurationOnWikitextTiny() throws Exception {
        Path target = Path.of("target").toAbsolutePath();
        Path data = target.resolve("bench-wikitext-tiny");
        long t0 = System.nanoTime();
        if (!Files.exists(data.resolve("_SUCCESS"))) {
            WikiTextDatasets.build(data, Integer.MAX_VALUE, Integer.MAX_VALUE, 3);
        }
        System.out.printf(Locale.ROOT, "dataset %s built in %.1f s%n", data, (System.nanoTime() - t0) / 1e9);

        Map<String, Object> result = new LinkedHashMap<>();
        int vocab;
        try (Dataset ds = Dataset.open(data); TokenStore train = ds.split("train"); TokenStore valid = ds.split("valid")) {
            vocab = ds.vocab().size();
            long[] counts = new long[vocab];
            for (long i = 0; i < train.size(); i++) {
                counts[train.get(i)]++;
            }
            double denom = train.size() + vocab; // add-one smoothing: every valid id gets a probability
            double ce = 0;
            for (long i = 1; i < valid.size(); i++) { // the tokens a language model predicts (all but the first)
                ce -= Math.log((counts[valid.get(i)] + 1) / denom);
            }
            ce /= valid.size() - 1;
            result.put("vocab_size", vocab);
            result.put("train_tokens", train.size());
            result.put("valid_tokens", valid.size());
            result.put("unigram_valid_loss", ce);
            result.put("unigram_valid_perplexity", Math.exp(ce));
        }
        double lr = Double.parseDouble(System.getProperty("bench.lr", "2e-2"));
        double drop = Double.parseDouble(System.getProperty("bench.drop", "0"));
        LmHyperParams hp = new LmHyperParams(vocab, prop("emb", 32), prop("hidden", 128), prop("layers", 2),
                drop, drop, drop, 0, drop, lr, 0.01, 0.25, 42);
        TrainSettings s = new TrainSettings(hp, prop("bs", 32), prop("seqLen", 32), prop("epochs", 2), 1, 0, 0, data.toString());
        Path run = target.resolve("bench-run");
        if (Files.exists(run)) {
            try (var walk = Files.walk(run)) {
                walk.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
        result.put("settings", s);
        result.put("parameters", hp.parameterCount());
        result.put("forward_flops_per_token", hp.forwardFlopsPerToken());
        result.put("omp_num_threads", System.getenv("OMP_NUM_THREADS"));
        result.put("load_average_before", Files.readString(Path.of("/proc/loadavg")).trim());
        var os = (com.sun.management.OperatingSystemMXBean) java.lang.management.ManagementFactory.getOperatingSystemMXBean();
        long cpu0 = os.getProcessCpuTime();
        long start = System.nanoTime();
        Trainer.Result r;
        try (TrainingDataset rd = TrainingDataset.open(data);
             BatchSource train = rd.batches("train", s.batchSize(), s.seqLen(), 42, 1);
             BatchSource valid = rd.batches("valid", s.batchSize(), s.seqLen(), 42, 0)) {
            r = new Trainer(s, train, valid, run, System.out).run(false);
        }
        result.put("wall_seconds", (System.nanoTime() - start) / 1e9);
        // CPU time is less sensitive than wall time to other jobs sharing the machine
        result.put("process_cpu_seconds", (os.getProcessCpuTime() - cpu0) / 1e9);
        result.put("load_average_after", Files.readString(Path.of("/proc/loadavg")).trim());
        result.put("epochs", r.metrics());
        EpochMetrics last = r.metrics().get(r.metrics().size() - 1);
        long trainedTokens = 0;
        for (String line : Files.readAllLines(run.resolve("steps.jsonl"))) {
            trainedTokens += (long) s.batchSize() * s.seqLen(); // upper bound: the last batch may be shorter
        }
        result.put("tokens_per_cpu_second", trainedTokens / ((double) result.get("process_cpu_seconds")));
        result.put("training_gflops_per_s", 3.0 * hp.forwardFlopsPerToken() * last.tokensPerS() / 1e9);
        String json = SnakeCaseJson.PRETTY.writeValueAsString(result);
        Files.writeString(target.resolve("bench-result.json"), json);
        System.out.println(json);
    }
}
