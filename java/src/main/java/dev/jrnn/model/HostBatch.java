package dev.jrnn.model;

import dev.jrnn.tensor.Tensor;

import java.util.List;

/**
 * One batch on the host, as a {@link BatchSource} gives it: per input its samples, the [b, T] 1/0 mask
 * of the valid timesteps (null without sequence lengths), per output its targets (null for an output
 * without one, or when predicting).
 */
record HostBatch(List<Tensor> xs, Tensor mask, List<Tensor> ys) {
    /** The number of samples. */
    int size() { return xs.get(0).dim(0); }
}
