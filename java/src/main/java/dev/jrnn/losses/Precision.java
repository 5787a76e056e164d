package dev.jrnn.losses;

/**
 * Keras' {@code Precision} with its options: true positives over predicted positives over the epoch (0 with none), at
 * {@link #thresholds(double...)}, of each row's {@link #topK(int)} predictions, of one {@link #classId(int)} column. Keras' docstring:
 * {@code Precision(top_k=2)} on targets [0, 0, 1, 1] and predictions [1, 1, 1, 1] gives 0, {@code top_k=4} 0.5. The name
 * "precision" gives {@link Metric#PRECISION}, which is this at its defaults.
 *
 * <pre>{@code
 * model.compile("adam", "categorical_crossentropy", new Precision().topK(2), new Precision().classId(1).name("precision_1"));
 * }</pre>
 */
public final class Precision extends PrecisionRecall<Precision> {
    /** Keras' defaults: threshold 0.5, every column, name "precision" (the next object made "precision_1", ..., as Keras 3 numbers them). */
    public Precision() {
        super("Precision", "precision", c -> {
            double[] r = new double[c.tp().length];
            for (int i = 0; i < r.length; i++) r[i] = ConfusionCounts.divideNoNan(c.tp()[i], c.tp()[i] + c.fp()[i]);
            return r;
        });
    }
}
