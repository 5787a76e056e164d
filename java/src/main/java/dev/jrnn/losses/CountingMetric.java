package dev.jrnn.losses;

import dev.jrnn.backend.Loss;

/**
 * What Keras' metrics that keep their own counts or sums (no MeanMetricWrapper: {@link Auc}, {@link FBetaScore},
 * {@link R2Score}, the confusion counts) share: dense targets, a larger value is better unless a class says otherwise,
 * and every step counts, masked ones too (Keras passes the mask to its MeanMetricWrapper metrics only).
 */
abstract class CountingMetric extends NamedMetric {
    CountingMetric(String name) { super(name); }

    /** A default name drawn from {@code base} when {@code numbered} ({@link NamedMetric}). */
    CountingMetric(String base, boolean numbered) { super(base, numbered); }

    /**
     * Refuses an output that is not 2-D, as Keras' {@code cls} takes (batch, {@code dims}) only, naming the metric, the
     * output and its shape.
     */
    final void requireTwoD(String cls, String dims, String output, int[] shape) {
        if (shape.length != 1) {
            StringBuilder b = new StringBuilder("(None");
            for (int d : shape) b.append(", ").append(d < 0 ? "None" : d);
            throw new IllegalArgumentException(cls + " '" + key() + "' expects 2-D outputs (batch, " + dims + "), as Keras' does; output "
                    + output + " has shape " + b + ")");
        }
    }

    @Override public boolean higherIsBetter() { return true; }
    @Override public final boolean usesMask() { return false; }
    @Override public final boolean suits(Loss loss) { return !loss.sparse(); }
    @Override public final boolean sparse() { return false; }
}
