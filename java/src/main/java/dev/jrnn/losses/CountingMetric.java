package dev.jrnn.losses;

import dev.jrnn.backend.Loss;

/**
 * What Keras' metrics that keep their own counts or sums (no MeanMetricWrapper: {@link Auc}, {@link FBetaScore},
 * {@link R2Score}, the confusion counts) share: dense targets, a larger value is better unless a class says otherwise,
 * and every step counts, masked ones too (Keras passes the mask to its MeanMetricWrapper metrics only).
 */
abstract class CountingMetric extends NamedMetric {
    CountingMetric(String name) { super(name); }

    @Override public boolean higherIsBetter() { return true; }
    @Override public final boolean usesMask() { return false; }
    @Override public final boolean suits(Loss loss) { return !loss.sparse(); }
    @Override public final boolean sparse() { return false; }
}
