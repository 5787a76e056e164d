package dev.jrnn.optim.schedules;

import java.util.LinkedHashMap;
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
     * The schedule's settings under Keras' {@code get_config} keys, or null for a schedule Keras has no class for
     * (the default: a schedule of one's own).
     */
    default Map<String, Object> config() { return null; }

    /**
     * The schedule as Keras serializes it into an optimizer's config ({@code module}, {@code class_name},
     * {@code config}, {@code registered_name}). A schedule without a Keras {@link #config()} gets its own class name
     * and an empty config, which no loader takes for a Keras schedule.
     */
    static Map<String, Object> serialize(LearningRateSchedule s) {
        Map<String, Object> c = s.config();
        Map<String, Object> r = new LinkedHashMap<>();
        r.put("module", c == null ? null : "keras.optimizers.schedules");
        r.put("class_name", c == null ? s.getClass().getName() : s.getClass().getSimpleName());
        r.put("config", c == null ? Map.of() : c);
        r.put("registered_name", c == null ? s.getClass().getName() : null);
        return r;
    }

    /**
     * The schedule a Keras optimizer config holds under {@code learning_rate} (as {@link #serialize} or Keras writes it):
     * ExponentialDecay, PiecewiseConstantDecay or CosineDecay. Throws IllegalArgumentException naming what is not taken
     * (another class, a missing or bad setting).
     *
     * <pre>{@code
     * LearningRateSchedule s = LearningRateSchedule.deserialize(LearningRateSchedule.serialize(new CosineDecay(1e-3, 1000)));
     * }</pre>
     */
    static LearningRateSchedule deserialize(Map<?, ?> serialized) {
        return Schedules.deserialize(serialized);
    }
}
