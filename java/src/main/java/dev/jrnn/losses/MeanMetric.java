package dev.jrnn.losses;

import dev.jrnn.backend.Loss;

import java.util.Arrays;

/**
 * A metric of the user's own: a function of one sample's targets and predictions, averaged over the epoch's samples
 * (weighted by sample weights; for a sequence output, one value per step, over the valid steps: the function is called
 * on the masked steps too, which weigh 0, so a NaN there makes the metric NaN), as Keras' {@code MeanMetricWrapper}
 * takes {@code compile(metrics=[my_fn])}. The function sees the last axis: an output of 3 columns
 * gives it arrays of 3 (a sparse target: its one class index).
 *
 * <pre>{@code
 * MeanMetric maxError = MeanMetric.of("max_abs_error", (y, p) -> {
 *     double m = 0;
 *     for (int i = 0; i < y.length; i++) m = Math.max(m, Math.abs(y[i] - p[i]));
 *     return m;
 * });
 * model.compile("adam", "mse", maxError);   // logged as "max_abs_error", "val_max_abs_error"
 * }</pre>
 *
 * A saved model keeps only the metric's name, as Keras keeps a function's ({@code {"class_name": "function", "config":
 * name}} of a module that is not Keras'): {@code Models.load} compiles such a file without its metrics and says so in a
 * warning (Keras needs the function in {@code custom_objects}), even when the name is a built-in metric's. Its direction
 * is unknown unless set with {@link #higherIsBetter(boolean)}, as Keras' for a function: a callback monitoring it in mode
 * "auto" is refused before the first update whatever its name ("my_acc" too), as Keras 3 refuses it; give the callback
 * {@code mode("max")} or {@code mode("min")}, or the metric its direction.
 */
public final class MeanMetric implements EpochMetric {
    /** One sample's (or step's) value from its targets and predictions along the last axis. */
    @FunctionalInterface
    public interface SampleFunction {
        /** The value for one sample's (or step's) targets and predictions. */
        double apply(float[] target, float[] prediction);
    }

    private final String name;
    private final SampleFunction fn;
    private final Boolean higherIsBetter;   // null: not given
    private final boolean sparse;

    private MeanMetric(String name, SampleFunction fn, Boolean higherIsBetter, boolean sparse) {
        this.name = name;
        this.fn = fn;
        this.higherIsBetter = higherIsBetter;
        this.sparse = sparse;
    }

    /** The metric {@code fn}, logged as {@code name}; no direction, dense targets (see the setters). */
    public static MeanMetric of(String name, SampleFunction fn) {
        if (name == null || name.isBlank()) {
            throw new IllegalArgumentException("MeanMetric.of: name must be a non-blank name, got " + (name == null ? "null" : "'" + name + "'"));
        }
        if (fn == null) throw new IllegalArgumentException("MeanMetric.of: fn must be a function of (target, prediction), got null");
        String n = name.trim();
        if (n.equals("loss") || n.endsWith("_loss") || n.startsWith("val_")) {
            throw new IllegalArgumentException("MeanMetric.of: name must not be a key fit logs itself ('loss', '<output>_loss', 'val_...'), got '"
                    + n + "'");
        }
        return new MeanMetric(n, fn, null, false);
    }

    /** The same metric, a larger value better or not (Keras' direction, which monitor mode "auto" follows). */
    public MeanMetric higherIsBetter(boolean b) { return new MeanMetric(name, fn, b, sparse); }

    /** The same metric for a sparse loss's targets: the function gets the sample's class index as its one target. */
    public MeanMetric sparseTargets(boolean b) { return new MeanMetric(name, fn, higherIsBetter, b); }

    @Override public String key() { return name; }
    /** Whether a larger value is better; false when not given (see {@link #directionGiven}). */
    @Override public boolean higherIsBetter() { return Boolean.TRUE.equals(higherIsBetter); }

    /** Whether {@link #higherIsBetter(boolean)} was called (Keras' function metrics have no direction). */
    public boolean directionGiven() { return higherIsBetter != null; }

    @Override public boolean hasDirection() { return directionGiven(); }
    @Override public boolean usesMask() { return true; }
    @Override public boolean suits(Loss loss) { return sparse == loss.sparse(); }
    @Override public boolean sparse() { return sparse; }

    /** The weighted sum of the values and the sum of the weights. */
    @Override public int stateSize(int cols) { return 2; }

    @Override
    public void update(Loss loss, int rows, int cols, float[] pred, float[] target, float[] weights, double[] state) {
        int tc = sparse ? 1 : cols;
        for (int r = 0; r < rows; r++) {
            double w = weights == null ? 1 : weights[r];
            // every row, the masked and zero-weight ones too, as Keras' MeanMetricWrapper: 0 * NaN there is NaN
            state[0] += w * fn.apply(Arrays.copyOfRange(target, r * tc, (r + 1) * tc), Arrays.copyOfRange(pred, r * cols, (r + 1) * cols));
            state[1] += w;
        }
    }

    /** The weighted mean, 0 when no weight was counted (Keras' Mean divides no-NaN). */
    @Override public double[] result(double[] state, int cols) { return new double[] {state[1] == 0 ? 0 : state[0] / state[1]}; }

    /** As Keras 3 writes a function of the user's module: its name only (no Keras metric of that name on loading). */
    @Override
    public Object serialize() { return Losses.userFunction(name); }

    @Override
    public String toString() { return "MeanMetric(" + name + ")"; }
}
