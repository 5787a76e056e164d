package dev.jrnn.optim;

import dev.jrnn.backend.Backend;
import dev.jrnn.backend.Buf;

/**
 * Adam with Keras' defaults: learning rate 0.001, beta1 0.9, beta2 0.999, epsilon 1e-7.
 * One fused {@link Backend#adamUpdate} over all trainable parameters per step.
 *
 * <pre>{@code
 * model.compile("mse", new Adam(0.01));
 * }</pre>
 */
public final class Adam extends Optimizer {
    private float beta1 = 0.9f;
    private float beta2 = 0.999f;
    private float epsilon = 1e-7f;
    private Buf m;
    private Buf v;

    public Adam() { this(0.001f); }

    public Adam(double learningRate) { super((float) learningRate); }

    @Override
    public String name() { return "Adam"; }

    public Adam beta1(double b) {
        this.beta1 = checkBeta("beta1", b);
        return this;
    }

    public Adam beta2(double b) {
        this.beta2 = checkBeta("beta2", b);
        return this;
    }

    public Adam epsilon(double e) {
        if (!(e > 0) || !Double.isFinite(e)) throw new IllegalArgumentException("Adam: epsilon must be positive, got " + e);
        this.epsilon = (float) e;
        return this;
    }

    public float beta1() { return beta1; }
    public float beta2() { return beta2; }
    public float epsilon() { return epsilon; }

    @Override
    protected void createState(Backend be, long n) {
        m = be.alloc(n);
        v = be.alloc(n);
    }

    @Override
    protected void releaseState() {
        if (m != null) m.close();
        if (v != null) v.close();
        m = null;
        v = null;
    }

    @Override
    protected void update(Backend be, Buf p, Buf g, long n, long t) {
        be.adamUpdate(n, p, 0, g, 0, m, 0, v, 0, learningRate(), beta1, beta2, epsilon, t);
    }

    private static float checkBeta(String what, double b) {
        if (!(b >= 0 && b < 1)) throw new IllegalArgumentException("Adam: " + what + " must be in [0, 1), got " + b);
        return (float) b;
    }
}
