package org.lmshards.trainer.cli;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.lmshards.trainer.model.OptimizerSettings;
import picocli.CommandLine;

/**
 * The CLI's optimiser defaults are written twice, as picocli default strings in
 * {@link ModelOptions} and as {@link OptimizerSettings#DEFAULTS} for code and tests: this keeps
 * them one set of values. The options are parsed from nothing, so picocli applies every default
 * through its own converters.
 */
class ModelOptionsDefaultsTest {
    @Test
    void theOptionDefaultsAreTheOptimizerDefaults() {
        ModelOptions options = new ModelOptions();
        new CommandLine(options).parseArgs();
        assertThat(options.hyperParams(100).optimizer()).isEqualTo(OptimizerSettings.DEFAULTS);
    }

    @Test
    void everyOptimizerSettingHasAnOptionWithADefault() {
        CommandLine.Model.CommandSpec spec = new CommandLine(new ModelOptions()).getCommandSpec();
        for (String name : new String[] {"--init", "--clip-scope", "--loss-scale", "--adam-beta1", "--adam-beta2",
                "--adam-eps", "--schedule", "--pct-start", "--div", "--final-div"}) {
            assertThat(spec.findOption(name)).as(name).isNotNull();
            assertThat(spec.findOption(name).defaultValue()).as(name).isNotNull();
        }
        // the forget-gate bias has no default: null means the initialisation scheme's own draw
        assertThat(spec.findOption("--forget-bias").defaultValue()).isNull();
        assertThat(OptimizerSettings.DEFAULTS.forgetBias()).isNull();
    }
}
