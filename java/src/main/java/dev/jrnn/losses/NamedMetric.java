package dev.jrnn.losses;

/**
 * What the metric objects share: the name they are logged under (set by each class's {@code name(...)}), and a copy
 * made through their Keras config, which holds every option.
 */
abstract class NamedMetric implements EpochMetric {
    private String name;

    NamedMetric(String name) { this.name = name; }

    /** Sets the name; {@code who} ("Auc.name") goes in the message of a blank one. */
    final void rename(String who, String n) {
        if (n == null || n.isBlank()) throw new IllegalArgumentException(who + " must be a non-blank name, got " + (n == null ? "null" : "'" + n + "'"));
        this.name = n.trim();
    }

    /** A new object with the same options and name, by its Keras config. */
    @Override public final EpochMetric copy() { return EpochMetric.deserialize(serialize()); }

    @Override public final String key() { return name; }
}
