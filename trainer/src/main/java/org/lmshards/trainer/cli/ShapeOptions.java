package org.lmshards.trainer.cli;

import org.lmshards.trainer.interop.ModelShape;
import picocli.CommandLine;

/**
 * The model-shape options ({@code --emb}, {@code --hidden}, {@code --layers}) when the shape is
 * given by existing weights ({@code train --init-from}, {@code import}): options left out take
 * the weights' values; one given with another value is a usage error naming both shapes.
 */
final class ShapeOptions {
    private ShapeOptions() {
    }

    static void adopt(ModelOptions model, ModelShape weights, CommandLine.Model.CommandSpec spec) {
        CommandLine.ParseResult given = spec.commandLine().getParseResult();
        boolean emb = given.hasMatchedOption("--emb"), hidden = given.hasMatchedOption("--hidden"),
                layers = given.hasMatchedOption("--layers");
        ModelShape asked = new ModelShape(weights.vocab(), emb ? model.emb : weights.emb(),
                hidden ? model.hidden : weights.hidden(), layers ? model.layers : weights.layers());
        // hidden is unused with one layer
        boolean hiddenDiffers = hidden && asked.layers() > 1 && asked.hidden() != weights.hidden();
        if (asked.emb() != weights.emb() || asked.layers() != weights.layers() || hiddenDiffers) {
            throw new CommandLine.ParameterException(spec.commandLine(), "the options ask for a model of "
                    + asked.describe() + " but the pretrained weights are " + weights.describe()
                    + "; leave --emb/--hidden/--layers out to use the weights' shape");
        }
        model.emb = weights.emb();
        model.hidden = weights.hidden();
        model.layers = weights.layers();
    }
}
