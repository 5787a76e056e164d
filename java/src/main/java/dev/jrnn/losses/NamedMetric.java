package dev.jrnn.losses;

import dev.jrnn.backend.NameUids;

/**
 * What the metric objects share: the name they are logged under (set by each class's {@code name(...)}), and a copy
 * made through their Keras config, which holds every option. The classes whose Keras class has no default name of its
 * own ({@code AUC}, {@code Precision}, the confusion counts, the metrics at a fixed rate) draw a numbered default from
 * the counter layers use, as Keras' {@code auto_name}: "auc", then "auc_1", ... until {@code Jrnn.clearSession()}; a name
 * given right after the object is made takes no number, as Keras' {@code AUC(name="pr")}.
 */
abstract class NamedMetric implements EpochMetric {
    private String name;
    /** The default name drawn when the object was made, until another name is given; then null. */
    private NameUids.Drawn drawn;

    /** A fixed default name ({@code "r2_score"}), as the Keras classes with a default name. */
    NamedMetric(String name) { this.name = name; }

    /** With {@code numbered}, the default drawn from {@code base} ({@code "auc"}, {@code "auc_1"}, ...). */
    NamedMetric(String base, boolean numbered) {
        if (numbered) {
            drawn = NameUids.draw(base);
            this.name = drawn.name();
        } else {
            this.name = base;
        }
    }

    /** Sets the name; {@code who} ("Auc.name") goes in the message of a blank one. */
    final void rename(String who, String n) {
        if (n == null || n.isBlank()) throw new IllegalArgumentException(who + " must be a non-blank name, got " + (n == null ? "null" : "'" + n + "'"));
        this.name = n.trim();
        giveBackDefault();
    }

    /**
     * The object made for a name compile got ("auc"): Keras logs it under that name and draws its default only when the
     * compiled metrics are first built (fit or evaluate), which {@link #drawnFor} tells compile; so the number drawn here
     * goes back and the name is the base.
     */
    final NamedMetric forName() {
        if (drawn != null) name = drawn.base();
        giveBackDefault();
        return this;
    }

    private void giveBackDefault() {
        if (drawn != null) NameUids.giveBack(drawn);
        drawn = null;
    }

    /**
     * The base whose default name Keras draws when compile gets the metric name {@code name} (its class made without a
     * name, then renamed to {@code name}): "auc" for "auc" or "AUC", "precision", "recall", the confusion counts; null
     * for the names of classes with a default name of their own ("mae", "f1_score", ...) and for unknown names.
     */
    static String drawnFor(String name) {
        return switch (name.trim().toLowerCase(java.util.Locale.ROOT)) {
            case "auc" -> "auc";
            case "precision" -> "precision";
            case "recall" -> "recall";
            case "true_positives", "truepositives" -> "true_positives";
            case "false_positives", "falsepositives" -> "false_positives";
            case "true_negatives", "truenegatives" -> "true_negatives";
            case "false_negatives", "falsenegatives" -> "false_negatives";
            default -> null;
        };
    }

    /** A new object with the same options and name, by its Keras config. */
    @Override public final EpochMetric copy() { return EpochMetric.deserialize(serialize()); }

    @Override public final String key() { return name; }
}
