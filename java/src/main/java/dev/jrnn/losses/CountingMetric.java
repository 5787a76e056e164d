package dev.jrnn.losses;

import dev.jrnn.backend.Loss;

/**
 * What {@link Auc} and {@link FBetaScore} share: a name they are logged under, dense targets, a larger value is better,
 * and, as Keras' confusion-count metrics (no MeanMetricWrapper), every step counts, masked ones too.
 */
abstract class CountingMetric implements EpochMetric {
    private String name;

    CountingMetric(String name) { this.name = name; }

    /** Sets the name; {@code who} ("Auc.name") goes in the message of a blank one. */
    final void rename(String who, String n) {
        if (n == null || n.isBlank()) throw new IllegalArgumentException(who + " must be a non-blank name, got " + (n == null ? "null" : "'" + n + "'"));
        this.name = n.trim();
    }

    /** A new object with the same options and name, by its Keras config (which holds every option). */
    @Override public final EpochMetric copy() { return EpochMetric.deserialize(serialize()); }

    @Override public final String key() { return name; }
    @Override public final boolean higherIsBetter() { return true; }
    @Override public final boolean usesMask() { return false; }
    @Override public final boolean suits(Loss loss) { return !loss.sparse(); }
    @Override public final boolean sparse() { return false; }
}
