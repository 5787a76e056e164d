package dev.jrnn.model;

import dev.jrnn.tensor.Tensor;

import java.util.List;

/** Keras' sample_weight and class_weight of a fit on tensors, as one weight per sample. */
final class SampleWeights {
    private SampleWeights() {}

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
        if (o.sampleWeight != null) {
            if (o.sampleWeight.dim(0) != n) {
                throw new IllegalArgumentException(what + ": sampleWeight holds " + o.sampleWeight.dim(0) + " weights, x holds "
                        + n + " samples; give one weight per sample");
            }
            return o.sampleWeight.data().clone();
        }
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
