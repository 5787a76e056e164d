package dev.jrnn.losses;

/**
 * Keras' {@code Recall} with its options: true positives over actual positives over the epoch (0 with none), at
 * {@link #thresholds(double...)}, of each row's {@link #topK(int)} predictions, of one {@link #classId(int)} column. The name "recall" gives
 * {@link Metric#RECALL}, which is this at its defaults.
 *
 * <pre>{@code
 * model.compile("adam", "binary_crossentropy", new Recall().thresholds(0.3, 0.7));   // logs recall_0, recall_1
 * }</pre>
 */
public final class Recall extends PrecisionRecall<Recall> {
    /** Keras' defaults: threshold 0.5, every column, name "recall" (the next object made "recall_1", ..., as Keras 3 numbers them). */
    public Recall() {
        super("Recall", "recall", c -> {
            double[] r = new double[c.tp().length];
            for (int i = 0; i < r.length; i++) r[i] = ConfusionCounts.divideNoNan(c.tp()[i], c.tp()[i] + c.fn()[i]);
            return r;
        });
    }
}
