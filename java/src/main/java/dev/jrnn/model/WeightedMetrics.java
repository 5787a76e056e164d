package dev.jrnn.model;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;

/**
 * Keras' {@code weighted_metrics}, given to any {@code compile} among its metrics: metrics that the sample weights and class
 * weights of fit, evaluate, trainOnBatch / testOnBatch and the validation data weigh (per sample, per timestep, per output,
 * as they weigh the loss; a sequence output's mask multiplies in as for the loss), where {@code metrics} are unweighted.
 * The same forms as compile's metrics: names and metric objects for every output, one Map by output name, or one List of
 * Lists, one per output. Logged as Keras 3 logs them: under the metric's name ("kind_mae" on a model of several outputs),
 * or "weighted_mae" ("kind_weighted_mae") where the same metric is also among the unweighted ones. Without weights in the
 * data a weighted metric equals its unweighted value.
 *
 * <pre>{@code
 * model.compile("adam", "binary_crossentropy", "accuracy", WeightedMetrics.of("accuracy", new Auc()));
 * model.fit(x, y, new FitOptions().sampleWeight(w));   // logs accuracy, weighted_accuracy, auc
 * }</pre>
 *
 * @param metrics the metrics as given (checked by compile)
 */
public record WeightedMetrics(List<Object> metrics) {
    /** Refuses a null list; keeps an unmodifiable copy. */
    public WeightedMetrics {
        if (metrics == null) throw new IllegalArgumentException("WeightedMetrics: metrics is null (pass none for no weighted metrics)");
        metrics = Collections.unmodifiableList(new ArrayList<>(metrics));   // nulls kept: compile names them
    }

    /** Keras' {@code weighted_metrics=[...]}: {@code WeightedMetrics.of("mae")}, {@code of(Map.of("kind", List.of("auc")))}. */
    public static WeightedMetrics of(Object... metrics) {
        if (metrics == null) throw new IllegalArgumentException("WeightedMetrics.of: metrics is null (pass none for no weighted metrics)");
        return new WeightedMetrics(Arrays.asList(metrics));
    }
}
