package dev.jrnn.losses;

import dev.jrnn.backend.Loss;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A {@link Metric} constant logged under a name of the user's, as Keras' {@code RootMeanSquaredError(name="rmse")}
 * ({@link Metric#named}); saved as that Keras class with the name, as Keras writes it.
 */
final class RenamedMetric implements EpochMetric {
    private final Metric metric;
    private final String name;

    RenamedMetric(Metric metric, String name) {
        this.metric = metric;
        this.name = name;
    }

    /** The metric it measures. */
    Metric metric() { return metric; }

    @Override public String key() { return name; }
    @Override public boolean higherIsBetter() { return metric.higherIsBetter(); }
    @Override public boolean hasDirection() { return metric.hasDirection(); }
    @Override public boolean usesMask() { return metric.usesMask(); }
    @Override public boolean suits(Loss loss) { return metric.suits(loss); }
    @Override public boolean sparse() { return metric.sparse(); }
    @Override public int stateSize(int cols) { return metric.stateSize(cols); }

    @Override
    public void update(Loss loss, int rows, int cols, float[] pred, float[] target, float[] weights, double[] state) {
        metric.update(loss, rows, cols, pred, target, weights, state);
    }

    @Override public double[] result(double[] state, int cols) { return metric.result(state, cols); }

    @Override
    public Object serialize() {
        Map<String, Object> c = new LinkedHashMap<>();
        c.put("name", name);
        c.put("dtype", "float32");
        return Metric.kerasObject(metric.kerasClass(), c);
    }

    @Override
    public String toString() { return metric.key() + " as " + name; }
}
