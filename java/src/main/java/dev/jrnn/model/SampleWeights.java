package dev.jrnn.model;

import dev.jrnn.tensor.Tensor;

import java.util.List;

/** Keras' sample_weight and class_weight of a fit on tensors, as one weight per sample. */
final class SampleWeights {
    private SampleWeights() {}

    /** Checked sample weights {@code w} for {@code n} samples, as an array of their own. */
    static float[] perSample(String what, Tensor w, int n) {
        if (w.dim(0) != n) {
            throw new IllegalArgumentException(what + ": sampleWeight holds " + w.dim(0) + " weights, x holds " + n
                    + " samples; give one weight per sample");
        }
        return w.data().clone();
    }

    /** Keras' sample_weight as given: shape (n) or (n, 1), finite and >= 0; {@code who} begins the messages. */
    static Tensor check(String who, Tensor w) {
        if (w == null) throw new IllegalArgumentException(who + ": sampleWeight is null (leave it unset for equal weights)");
        if (w.rank() == 0 || w.rank() > 2 || w.rank() == 2 && w.dim(1) != 1) {
            throw new IllegalArgumentException(who + ": sampleWeight must have shape (n) or (n, 1), one weight per sample, got "
                    + java.util.Arrays.toString(w.shape()));
        }
        float[] d = w.data();
        for (int i = 0; i < d.length; i++) {
            if (!Float.isFinite(d[i]) || d[i] < 0) {
                throw new IllegalArgumentException(who + ": sampleWeight must be finite and >= 0, got " + d[i] + " at sample " + i);
            }
        }
        return w;
    }

    /**
     * The weight of each sample of {@code d}'s tensors (by index): {@link FitOptions#sampleWeight} as given, or each
     * sample's {@link FitOptions#classWeight} by its target's class, as Keras' class_weight_to_sample_weights
     * ({@code sparse}: the loss takes class indices; {@code what}, e.g. "m.fit", begins the messages).
     */
    static float[] of(String what, FitOptions o, Data d, boolean sparse) {
        int n = d.xs().get(0).dim(0);
        if (o.sampleWeight != null && o.classWeight != null) {
            throw new IllegalArgumentException(what + ": give sampleWeight or classWeight, not both (as Keras)");
        }
        if (o.sampleWeight != null) return perSample(what, o.sampleWeight, n);
        List<Tensor> ys = d.ys();
        if (ys.size() != 1) {
            throw new IllegalArgumentException(what + ": classWeight is for a model with one output (as Keras), this one has "
                    + ys.size() + "; give sampleWeight instead");
        }
        Tensor y = ys.get(0);
        boolean sparseSteps = sparse && y.rank() == 2 && y.dim(1) > 1;   // class indices per step
        if (y.rank() > 2 || sparseSteps) {
            throw new IllegalArgumentException(what + ": classWeight needs one class per sample (targets of shape (n), (n, 1) or"
                    + " (n, classes)), got targets of shape " + java.util.Arrays.toString(y.shape()) + " (as Keras, not per timestep)");
        }
        int cols = y.rank() == 2 ? y.dim(1) : 1;
        float[] t = y.data(), w = new float[n];
        for (int i = 0; i < n; i++) {
            int c;
            if (cols > 1) {
                c = 0;
                for (int j = 1; j < cols; j++) if (t[i * cols + j] > t[i * cols + c]) c = j;
            } else {
                c = (int) Math.rint(t[i]);   // numpy's round: half to even
            }
            Double cw = o.classWeight.get(c);
            w[i] = cw == null ? 1f : cw.floatValue();
        }
        return w;
    }
}
