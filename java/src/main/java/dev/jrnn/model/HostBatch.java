package dev.jrnn.model;

import dev.jrnn.tensor.Tensor;

import java.util.List;

/**
 * One batch on the host, as a {@link BatchSource} gives it: per input its samples, the [b, T] 1/0 mask
 * of the valid timesteps (null without sequence lengths), per output its targets (null for an output
 * without one, or when predicting). A batch whose inputs a {@link DeviceFeed} is copying to the device
 * has them in {@code staged} instead (and {@code xs} empty). {@code weights} (nullable) is Keras' sample_weight, per output
 * (null: unweighted) [b], one per sample, or [b, T], one per timestep.
 */
record HostBatch(List<Tensor> xs, Tensor mask, List<Tensor> ys, DeviceFeed.Staged staged, List<Tensor> weights) {
    HostBatch(List<Tensor> xs, Tensor mask, List<Tensor> ys) {
        this(xs, mask, ys, null, null);
    }

    HostBatch(List<Tensor> xs, Tensor mask, List<Tensor> ys, DeviceFeed.Staged staged) {
        this(xs, mask, ys, staged, null);
    }

    /** The number of samples. */
    int size() { return staged != null ? staged.rows() : xs.get(0).dim(0); }

    /** The number of inputs. */
    int inputs() { return staged != null ? staged.inputs() : xs.size(); }

    /** The shape of input {@code i}. */
    int[] xShape(int i) { return staged != null ? staged.shape(i) : xs.get(i).shape(); }
}
