package dev.jrnn.optim;

import dev.jrnn.backend.OptimizerArgs;
import dev.jrnn.optim.schedules.LearningRateSchedule;

/**
 * Nadam (Adam with Nesterov momentum) as Keras 3, with its defaults: learning rate 0.001, beta1 0.9, beta2 0.999,
 * epsilon 1e-7, and Keras' momentum schedule {@code u_t = beta1 (1 - 0.5 * 0.96^t)}:
 * {@code p -= lr (u_{t+1} m / (1 - U_{t+1}) + (1 - u_t) g / (1 - U_t)) / (sqrt(v / (1 - beta2^t)) + eps)} with
 * {@code U_t = u_1 ... u_t}.
 *
 * <pre>{@code
 * model.compile(new Nadam(2e-3), "mse");
 * }</pre>
 */
public final class Nadam extends AdamFamily<Nadam> {
    /** Nadam at Keras' defaults (the class comment): learning rate 0.001. */
    public Nadam() { this(0.001); }

    /** Nadam at the fixed rate {@code learningRate} (Keras' {@code learning_rate}); the rest at Keras' defaults. */
    public Nadam(double learningRate) {
        super(OptimizerArgs.Kind.NADAM, learningRate, "Nadam");
    }

    /** Nadam whose learning rate follows {@code schedule} (Keras' {@code learning_rate=schedule}). */
    public Nadam(LearningRateSchedule schedule) {
        super(OptimizerArgs.Kind.NADAM, schedule);
    }

    @Override
    public String name() { return "Nadam"; }
}
