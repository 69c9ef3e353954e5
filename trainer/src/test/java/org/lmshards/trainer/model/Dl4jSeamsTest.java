package org.lmshards.trainer.model;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.util.List;
import java.util.Properties;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.Test;

/**
 * Pins the DL4J version that the stand-ins of docs/ARCHITECTURE.md ("What we replace in DL4J")
 * were written against: an upgrade fails here, naming every class to re-check first.
 */
class Dl4jSeamsTest {
    static final String WRITTEN_AGAINST = "1.0.0-M2.1";

    static final List<Class<?>> DEPEND_ON_DL4J_INTERNALS = List.of(StatefulLmNetwork.class, FusedLstmLayer.class,
            CachedForwardLstmLayer.class, LmOutputLayer.class, LayerSwap.class, RecurrentWeightDropout.class, TokenMeanSparseCrossEntropy.class,
            RowReplicas.class, CarriedState.class);

    @Test
    void dl4jIsTheVersionTheStandInsWereWrittenAgainst() throws IOException {
        Properties pom = new Properties();
        try (InputStream in = MultiLayerNetwork.class.getResourceAsStream(
                "/META-INF/maven/org.deeplearning4j/deeplearning4j-nn/pom.properties")) {
            assertThat(in).as("deeplearning4j-nn's pom.properties").isNotNull();
            pom.load(in);
        }
        assertThat(pom.getProperty("version"))
                .as("DL4J was upgraded: re-check each of %s against the new version's MultiLayerNetwork, LSTM and"
                        + " RnnOutputLayer (docs/ARCHITECTURE.md, section What we replace in DL4J), then change"
                        + " WRITTEN_AGAINST", DEPEND_ON_DL4J_INTERNALS.stream().map(Class::getSimpleName).toList())
                .isEqualTo(WRITTEN_AGAINST);
    }
}
