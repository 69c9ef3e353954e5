package org.lmshards.trainer.cli;

import org.lmshards.core.ExitCode;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.deeplearning4j.nn.api.Layer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.lmshards.core.tokenize.SpecialTokens;
import org.lmshards.core.vocab.Vocabulary;
import org.lmshards.trainer.finetune.EmbeddingMatch;
import org.lmshards.trainer.finetune.PretrainedWeights;
import org.lmshards.trainer.model.LmHyperParams;
import org.lmshards.trainer.model.LmNetworks;
import org.lmshards.trainer.model.StatefulLmNetwork;
import org.lmshards.trainer.testing.CliRun;
import org.lmshards.trainer.testing.WikiTextDatasets;
import org.lmshards.trainer.train.rundir.SnakeCaseJson;
import org.lmshards.trainer.train.rundir.RunFiles;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * {@code train --init-from}: pretrain on some WikiText articles, fine-tune on other articles
 * whose vocabulary is partly different (fastai's {@code match_embeds}).
 */
class FineTuneCliTest {
    @TempDir
    static Path tmp;
    static Path pretrained;
    static Path corpusB;
    static Vocabulary vocabA;
    static Vocabulary vocabB;

    @BeforeAll
    static void pretrain() throws IOException {
        Path corpusA = tmp.resolve("a");
        corpusB = tmp.resolve("b");
        vocabA = WikiTextDatasets.build(corpusA, 0, 3, 1, 2);
        vocabB = WikiTextDatasets.build(corpusB, 3, 3, 1, 2); // three other articles
        pretrained = tmp.resolve("pretrained");
        CliRun.Result o = CliRun.run("train", "--data", corpusA.toString(), "--out", pretrained.toString(), "--bs", "8",
                "--seq-len", "24", "--emb", "16", "--hidden", "24", "--layers", "2", "--epochs", "1", "--lr", "1e-2",
                "--workers", "0", "--seed", "5", "--no-progress");
        assertThat(o.code()).as(o.err()).isZero();
    }

    /** Tokens of B's vocabulary that A's also has (counted here, independently of EmbeddingMatch). */
    private static int shared() {
        java.util.Set<String> a = new java.util.HashSet<>(vocabA.itos());
        a.remove(SpecialTokens.FAKE);
        return (int) vocabB.itos().stream().filter(a::contains).count();
    }

    @Test
    void sharedTokensKeepTheirPretrainedRowsAndNewTokensGetTheMean() throws IOException {
        StatefulLmNetwork source = LmNetworks.load(pretrained.resolve(RunFiles.MODEL));
        LmHyperParams hp = new LmHyperParams(vocabB.size(), 16, 24, 2, 0, 0, 0, 0, 0, 1e-2, 0, 0, 9);
        StatefulLmNetwork target = LmNetworks.build(hp, 24);
        EmbeddingMatch match = EmbeddingMatch.between(vocabA.itos(), vocabB.itos());
        match.apply(source, target);

        int shared = shared();
        assertThat(shared).isGreaterThan(100).isLessThan(vocabB.size() - 50); // partly different vocabularies
        assertThat(match.copied()).isEqualTo(shared);
        assertThat(match.added()).isEqualTo(vocabB.size() - shared);

        INDArray srcEmb = source.getLayer(0).getParam("W"), dstEmb = target.getLayer(0).getParam("W");
        Layer srcOutLayer = source.getLayer(source.getnLayers() - 1), dstOutLayer = target.getLayer(target.getnLayers() - 1);
        INDArray srcOut = srcOutLayer.getParam("W"), dstOut = dstOutLayer.getParam("W");
        INDArray srcBias = srcOutLayer.getParam("b"), dstBias = dstOutLayer.getParam("b");
        INDArray meanEmb = srcEmb.mean(0), meanOut = srcOut.mean(1);
        double meanBias = srcBias.meanNumber().doubleValue();
        Map<String, Integer> idA = new HashMap<>();
        for (int i = vocabA.size() - 1; i >= 0; i--) {
            if (!vocabA.token(i).equals(SpecialTokens.FAKE)) { // padding entries are never matched
                idA.put(vocabA.token(i), i);
            }
        }
        int checkedNew = 0;
        for (int t = 0; t < vocabB.size(); t++) {
            Integer s = idA.get(vocabB.token(t));
            if (s != null) {
                assertThat(dstEmb.getRow(t)).isEqualTo(srcEmb.getRow(s));
                assertThat(dstOut.getColumn(t)).isEqualTo(srcOut.getColumn(s));
                assertThat(dstBias.getFloat(t)).isEqualTo(srcBias.getFloat(s));
            } else {
                for (int j = 0; j < 16; j++) {
                    assertThat(dstEmb.getDouble(t, j)).isCloseTo(meanEmb.getDouble(j), within(1e-6));
                    assertThat(dstOut.getDouble(j, t)).isCloseTo(meanOut.getDouble(j), within(1e-6));
                }
                assertThat(dstBias.getDouble(t)).isCloseTo(meanBias, within(1e-5));
                checkedNew++;
            }
        }
        assertThat(checkedNew).isEqualTo(match.added());
        List<Layer> from = PretrainedWeights.lstms(source), to = PretrainedWeights.lstms(target);
        assertThat(to).hasSize(2);
        for (int i = 0; i < 2; i++) {
            assertThat(to.get(i).params()).isEqualTo(from.get(i).params());
        }
    }

    @Test
    void fineTuningRecordsTheMappingFreezesTheLstmsAndResumesUnfrozen() throws IOException {
        Path run = tmp.resolve("finetuned");
        // no shape options: they come from the pretrained run
        CliRun.Result o = CliRun.run("train", "--data", corpusB.toString(), "--out", run.toString(), "--init-from",
                pretrained.toString(), "--freeze-epochs", "1", "--epochs", "1", "--bs", "8", "--seq-len", "24", "--lr", "1e-2",
                "--workers", "0", "--no-progress");
        assertThat(o.code()).as(o.err()).isZero();
        JsonNode config = SnakeCaseJson.MAPPER.readTree(run.resolve(RunFiles.CONFIG).toFile());
        assertThat(config.at("/model/emb").asInt()).isEqualTo(16);
        assertThat(config.at("/model/vocab_size").asInt()).isEqualTo(vocabB.size());
        assertThat(config.at("/freeze_epochs").asInt()).isEqualTo(1);
        assertThat(config.at("/init_from/run").asText()).isEqualTo(pretrained.toAbsolutePath().toString());
        assertThat(config.at("/init_from/source_vocab").asInt()).isEqualTo(vocabA.size());
        assertThat(config.at("/init_from/copied").asInt()).isEqualTo(shared());
        assertThat(config.at("/init_from/added").asInt()).isEqualTo(vocabB.size() - shared());

        // the frozen epoch left the pretrained LSTMs exactly as they were and trained the rest
        StatefulLmNetwork source = LmNetworks.load(pretrained.resolve(RunFiles.MODEL));
        StatefulLmNetwork frozen = LmNetworks.load(run.resolve(RunFiles.MODEL));
        for (int i = 0; i < 2; i++) {
            assertThat(PretrainedWeights.lstms(frozen).get(i).params())
                    .isEqualTo(PretrainedWeights.lstms(source).get(i).params());
        }
        StatefulLmNetwork start = LmNetworks.load(pretrained.resolve(RunFiles.MODEL));
        LmHyperParams hp = new LmHyperParams(vocabB.size(), 16, 24, 2, 0, 0, 0, 0, 0, 1e-2, 0, 0, 9);
        StatefulLmNetwork mapped = LmNetworks.build(hp, 24);
        EmbeddingMatch.between(vocabA.itos(), vocabB.itos()).apply(start, mapped);
        assertThat(frozen.getLayer(0).getParam("W")).isNotEqualTo(mapped.getLayer(0).getParam("W"));

        // a second epoch, resumed from the checkpoint, is past the freeze: the LSTMs learn
        java.nio.file.Files.delete(run.resolve(RunFiles.MODEL));
        CliRun.Result resumed = CliRun.run("train", "--out", run.toString(), "--resume", "--epochs", "2", "--no-progress");
        assertThat(resumed.code()).as(resumed.err()).isZero();
        StatefulLmNetwork unfrozen = LmNetworks.load(run.resolve(RunFiles.MODEL));
        // the report marks the origin and the switch
        String report = java.nio.file.Files.readString(run.resolve(RunFiles.REPORT));
        assertThat(report).contains("embedding and output only in epochs 1-1, all layers from epoch 2")
                .contains(shared() + " token rows copied, " + (vocabB.size() - shared()) + " new");
        for (int i = 0; i < 2; i++) {
            assertThat(PretrainedWeights.lstms(unfrozen).get(i).params())
                    .isNotEqualTo(PretrainedWeights.lstms(source).get(i).params());
        }
    }

    @Test
    void aShapeOptionThatContradictsThePretrainedRunIsAUsageErrorNamingBothShapes() {
        CliRun.Result o = CliRun.run("train", "--data", corpusB.toString(), "--out", tmp.resolve("wrong").toString(),
                "--init-from", pretrained.toString(), "--hidden", "48", "--no-progress");
        assertThat(o.code()).isEqualTo(ExitCode.USAGE);
        assertThat(o.err()).contains("emb 16, hidden 48, layers 2").contains("emb 16, hidden 24, layers 2");
    }

    @Test
    void resumeRefusesInitFrom() {
        CliRun.Result o = CliRun.run("train", "--out", tmp.resolve("finetuned").toString(), "--resume", "--init-from",
                pretrained.toString(), "--no-progress");
        assertThat(o.code()).isEqualTo(ExitCode.USAGE);
        assertThat(o.err()).contains("--init-from");
    }
}
