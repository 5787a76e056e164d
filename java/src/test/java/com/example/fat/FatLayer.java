package com.example.fat;

import dev.jrnn.layers.Layer;
import dev.jrnn.layers.Trace;
import dev.jrnn.backend.DTensor;

import java.util.List;
import java.util.SplittableRandom;

/**
 * A user's layer outside jrnn's packages, which {@code dev.jrnn.layers.OwnClassesTest} loads with jrnn's own code
 * source, as a fat (shaded) jar holding both would: it must still count as the user's.
 */
public class FatLayer extends Layer {
    @Override
    public String kerasClass() { return "FatLayer"; }

    @Override
    public List<int[]> computeOutputShapes(List<int[]> inputShapes) { return inputShapes; }

    @Override
    protected void createParams(List<int[]> inputShapes) {}

    @Override
    protected void initParams(SplittableRandom rng) {}

    @Override
    public Trace forward(List<DTensor> inputs, DTensor mask, boolean training) { throw new UnsupportedOperationException(); }
}
