package dev.jrnn.data;

import dev.jrnn.tensor.Tensor;

import java.util.List;

/**
 * One example: its inputs and targets (one Tensor each, without the batch axis), its sample weights (none, one for every
 * output, or one per output, as tf.data's {@code (x, y, sample_weight)} elements), its sequence
 * length ({@code -1} when it is not a variable-length sequence), and where it came from, for error
 * messages. What user generators yield and {@link Dataset#map} transforms.
 *
 * <pre>{@code
 * Sample s = Sample.of(Tensor.zeros(20, 3), Tensor.of(new float[] {1}, 1));
 * Sample seq = Sample.sequence(Tensor.zeros(17, 3), Tensor.of(new float[] {0}, 1));   // length 17
 * Sample weighted = Sample.of(Tensor.zeros(20, 3), Tensor.of(new float[] {1}, 1), Tensor.of(new float[] {2}, 1));
 * }</pre>
 *
 * @param weights Keras' sample weights of this sample: shape (1) for one weight, (steps) for one per timestep; empty for none
 * @param index   the sample's index in its source, or -1
 * @param source  the file or generator it came from, or null
 */
public record Sample(List<Tensor> inputs, List<Tensor> targets, List<Tensor> weights, int length, long index, String source) {
    /** Copies the tensor lists and checks: at least one input, and a length of -1 or within input 0's steps. */
    public Sample {
        if (inputs == null || inputs.isEmpty()) throw new IllegalArgumentException("Sample: at least one input is needed");
        inputs = copy(inputs, "inputs");
        targets = targets == null ? List.of() : copy(targets, "targets");
        weights = weights == null ? List.of() : copy(weights, "weights");
        // the batch's mask covers `length` steps of input 0: more would unmask the next sample's padding
        if (length < -1 || length >= 0 && length > inputs.get(0).dim(0)) {
            throw new IllegalArgumentException("Sample: length must be -1 (not a sequence) or in [0, " + inputs.get(0).dim(0)
                    + "] (the steps of input 0, shape " + Tensor.shapeString(inputs.get(0).shape()) + "), got " + length);
        }
    }

    /** A sample without sample weights. */
    public Sample(List<Tensor> inputs, List<Tensor> targets, int length, long index, String source) {
        this(inputs, targets, List.of(), length, index, source);
    }

    private static List<Tensor> copy(List<Tensor> l, String what) {
        for (int i = 0; i < l.size(); i++) if (l.get(i) == null) throw new IllegalArgumentException("Sample: " + what + "[" + i + "] is null");
        return List.copyOf(l);
    }

    /** A fixed-shape sample with one input and one target. */
    public static Sample of(Tensor x, Tensor y) {
        return new Sample(List.of(x), y == null ? List.of() : List.of(y), -1, -1, null);
    }

    /** A variable-length sequence: {@code x} has shape (steps, ...); the length is {@code x.dim(0)}. */
    public static Sample sequence(Tensor x, Tensor y) {
        return new Sample(List.of(x), y == null ? List.of() : List.of(y), x.dim(0), -1, null);
    }

    /** A fixed-shape sample with one input, one target and its sample weight {@code w} (shape (1), or (steps) per timestep). */
    public static Sample of(Tensor x, Tensor y, Tensor w) {
        return new Sample(List.of(x), y == null ? List.of() : List.of(y), w == null ? List.of() : List.of(w), -1, -1, null);
    }

    /** A variable-length sequence with its sample weight {@code w}: shape (1), or (steps) for one weight per timestep. */
    public static Sample sequence(Tensor x, Tensor y, Tensor w) {
        return new Sample(List.of(x), y == null ? List.of() : List.of(y), w == null ? List.of() : List.of(w), x.dim(0), -1, null);
    }

    /**
     * This sample with other tensors and its weights, same origin: what a {@link Dataset#map} function returns. A
     * sequence's length becomes the steps of the new input 0 (a map may crop or extend it); per-timestep weights are not
     * cropped with it: a map that changes the steps of a sample with them must give new ones ({@link #with(List, List, List)}).
     */
    public Sample with(List<Tensor> inputs, List<Tensor> targets) {
        // per-timestep weights follow the targets' steps (a Conv1D or pooling may make them differ from the input's)
        for (int k = 0; targets != null && k < Math.min(targets.size(), this.targets.size()); k++) {
            Tensor was = this.targets.get(k), now = targets.get(k);
            if (now == null || was.rank() < 2 || now.rank() < 2 || was.dim(0) == now.dim(0)) continue;   // not a sequence, or same steps
            // target k's weight: its own where there is one per output, else the one shared weight
            for (Tensor w : weights.size() == this.targets.size() && weights.size() > 1 ? List.of(weights.get(k)) : weights) {
                if (w.size() > 1 && w.dim(0) == was.dim(0)) {
                    throw new IllegalArgumentException("Sample.with: " + where() + " has per-timestep weights " + Tensor.shapeString(w.shape())
                            + " and its target " + k + " now has " + now.dim(0) + " steps, not " + was.dim(0)
                            + "; give its new weights with with(inputs, targets, weights)");
                }
            }
        }
        return with(inputs, targets, weights);
    }

    /** This sample with other tensors and other sample weights (empty: none), same origin; as {@link #with(List, List)}. */
    public Sample with(List<Tensor> inputs, List<Tensor> targets, List<Tensor> weights) {
        return new Sample(inputs, targets, weights, length >= 0 && inputs != null && !inputs.isEmpty() && inputs.get(0) != null
                ? inputs.get(0).dim(0) : -1, index, source);
    }

    /**
     * This sample's origin for error messages: "x.npy sample 17", "generator sample 17"; "sample 17" or "a sample" where
     * the source is unknown (a sample made by {@link #of}, not yet numbered).
     */
    public String where() {
        if (source == null) return index >= 0 ? "sample " + index : "a sample";
        return source + (index >= 0 ? " sample " + index : "");
    }
}
