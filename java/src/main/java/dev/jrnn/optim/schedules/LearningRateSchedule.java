package dev.jrnn.optim.schedules;

import java.util.Map;

/**
 * A learning rate that depends on the optimizer's update count, as Keras' {@code LearningRateSchedule}: the
 * optimizer evaluates it at {@code iterations} (0 for the first update) before every update.
 *
 * <pre>{@code
 * model.compile(new Adam(new ExponentialDecay(1e-2, 1000, 0.9)), "mse");
 * }</pre>
 */
@FunctionalInterface
public interface LearningRateSchedule {
    /** The learning rate of the update that follows {@code step} completed updates. */
    double at(long step);

    /**
     * The schedule as Keras serialises it in a saved optimizer's {@code learning_rate} ({@code module},
     * {@code class_name}, {@code config}), or null for one Keras could not rebuild (a lambda): a model compiled
     * with such a schedule cannot be saved whole, as in Keras (its weights can).
     */
    default Map<String, Object> config() { return null; }
}
