package dev.jrnn.layers;

import java.util.List;
import java.util.SplittableRandom;

/** A layer with no weights (Activation, Flatten, RepeatVector, Masking): nothing to create, initialise or match. */
abstract class WeightlessLayer extends Layer {
    @Override
    protected boolean weightsFit(List<int[]> built, List<int[]> given) { return given.size() == 1; }

    @Override
    protected void createParams(List<int[]> in) {}

    @Override
    protected void initParams(SplittableRandom rng) {}
}
