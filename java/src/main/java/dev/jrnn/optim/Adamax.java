package dev.jrnn.optim;

import dev.jrnn.backend.OptimizerArgs;
import dev.jrnn.optim.schedules.LearningRateSchedule;

/**
 * Adamax (Adam with the infinity norm) as Keras 3, with its defaults: learning rate 0.001, beta1 0.9, beta2 0.999,
 * epsilon 1e-7: {@code m += (g - m)(1 - beta1)}, {@code u = max(beta2 u, |g|)},
 * {@code p -= lr m / ((1 - beta1^t) (u + eps))}. Keras names its state "momentum" and "norm".
 *
 * <pre>{@code
 * model.compile(new Adamax(2e-3), "mse");   // or compile("adamax", "mse")
 * }</pre>
 */
public final class Adamax extends AdamFamily<Adamax> {
    /** Adamax at Keras' defaults (the class comment): learning rate 0.001. */
    public Adamax() { this(0.001); }

    /** Adamax at the fixed rate {@code learningRate} (Keras' {@code learning_rate}); the rest at Keras' defaults. */
    public Adamax(double learningRate) {
        super(OptimizerArgs.Kind.ADAMAX, learningRate, "Adamax");
    }

    /** Adamax whose learning rate follows {@code schedule} (Keras' {@code learning_rate=schedule}). */
    public Adamax(LearningRateSchedule schedule) {
        super(OptimizerArgs.Kind.ADAMAX, schedule);
    }

    @Override
    public String name() { return "Adamax"; }
}
