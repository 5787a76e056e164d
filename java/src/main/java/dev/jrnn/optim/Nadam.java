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
public final class Nadam extends FusedOptimizer {
    private float beta1 = 0.9f;
    private float beta2 = 0.999f;
    private float epsilon = 1e-7f;

    public Nadam() { this(0.001); }

    public Nadam(double learningRate) {
        super(OptimizerArgs.Kind.NADAM, learningRate, "Nadam");
    }

    public Nadam(LearningRateSchedule schedule) {
        super(OptimizerArgs.Kind.NADAM, schedule);
    }

    @Override
    public String name() { return "Nadam"; }

    public Nadam beta1(double b) {
        this.beta1 = unitInterval("beta1", b);
        changed();
        return this;
    }

    public Nadam beta2(double b) {
        this.beta2 = unitInterval("beta2", b);
        changed();
        return this;
    }

    public Nadam epsilon(double e) {
        this.epsilon = positiveEps(e);
        changed();
        return this;
    }

    public float beta1() { return beta1; }
    public float beta2() { return beta2; }
    public float epsilon() { return epsilon; }

    @Override boolean usesS2() { return true; }
    @Override boolean usesS3() { return false; }
    @Override float h1() { return beta1; }
    @Override float h2() { return beta2; }
    @Override float eps() { return epsilon; }
}
