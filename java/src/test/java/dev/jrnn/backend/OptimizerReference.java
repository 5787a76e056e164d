package dev.jrnn.backend;

/**
 * Keras 3's update rules of RMSprop, Adagrad, AdamW, Nadam, Adamax, Adadelta and Lion written out in double, step by step, from
 * keras/src/optimizers/*.py (and BaseOptimizer._apply_weight_decay), independently of the backends' code.
 */
public final class OptimizerReference {
    public final OptimizerArgs.Kind kind;
    public final double lr, h1, h2, eps, wd;
    public final boolean momentum, centered;
    public final double[] p, s1, s2, s3;
    /** Nadam's u_product, kept as Keras keeps it (a variable multiplied once per step). */
    private double uProduct = 1;
    private long t;

    public OptimizerReference(OptimizerArgs.Kind kind, double[] p0, double s1Initial, double lr, double h1, double h2, double eps,
                              double wd, boolean centered) {
        this.kind = kind;
        this.lr = lr;
        this.h1 = h1;
        this.h2 = h2;
        this.eps = eps;
        this.wd = wd;
        this.momentum = kind == OptimizerArgs.Kind.RMSPROP && h2 > 0;
        this.centered = centered;
        int n = p0.length;
        p = p0.clone();
        s1 = new double[n];
        java.util.Arrays.fill(s1, s1Initial);
        s2 = new double[n];
        s3 = new double[n];
    }

    /** Continues from {@code t0} completed updates (Keras' {@code iterations.assign(t0)}) with the state as it is. */
    public OptimizerReference startAt(long t0) {
        for (long s = 1; s <= t0; s++) if (kind == OptimizerArgs.Kind.NADAM) uProduct *= h1 * (1 - 0.5 * Math.pow(0.96, s));
        t = t0;
        return this;
    }

    /** One update with gradients g at learning rate lr. */
    public void step(float[] g, double lr) {
        t++;
        if (kind == OptimizerArgs.Kind.NADAM) uProduct *= h1 * (1 - 0.5 * Math.pow(0.96, t));
        for (int i = 0; i < p.length; i++) {
            double gi = g[i];
            if (wd > 0) p[i] -= p[i] * wd * lr;
            switch (kind) {
                case RMSPROP -> {
                    s1[i] = h1 * s1[i] + (1 - h1) * gi * gi;
                    double den = s1[i] + eps;
                    if (centered) {
                        s3[i] = h1 * s3[i] + (1 - h1) * gi;
                        den = s1[i] - s3[i] * s3[i] + eps;
                    }
                    double inc = lr * gi / Math.sqrt(den);
                    if (momentum) {
                        s2[i] = h2 * s2[i] + inc;
                        p[i] -= s2[i];
                    } else {
                        p[i] -= inc;
                    }
                }
                case ADAGRAD -> {
                    s1[i] += gi * gi;
                    p[i] -= lr * gi / Math.sqrt(s1[i] + eps);
                }
                case LION -> {   // keras/src/optimizers/lion.py update_step
                    p[i] -= lr * Math.signum(s1[i] * h1 + gi * (1 - h1));
                    s1[i] = s1[i] * h2 + gi * (1 - h2);
                }
                case ADADELTA -> {   // keras/src/optimizers/adadelta.py update_step
                    s1[i] = h1 * s1[i] + (1 - h1) * gi * gi;
                    double d = -Math.sqrt(s2[i] + eps) * gi / Math.sqrt(s1[i] + eps);
                    s2[i] = h1 * s2[i] + (1 - h1) * d * d;
                    p[i] += lr * d;
                }
                case ADAMAX -> {   // keras/src/optimizers/adamax.py update_step
                    s1[i] += (gi - s1[i]) * (1 - h1);
                    s2[i] = Math.max(h2 * s2[i], Math.abs(gi));
                    p[i] -= lr * s1[i] / ((1 - Math.pow(h1, t)) * (s2[i] + eps));
                }
                case ADAMW -> {
                    s1[i] += (gi - s1[i]) * (1 - h1);
                    s2[i] += (gi * gi - s2[i]) * (1 - h2);
                    double alpha = lr * Math.sqrt(1 - Math.pow(h2, t)) / (1 - Math.pow(h1, t));
                    p[i] -= alpha * s1[i] / (Math.sqrt(s2[i]) + eps);
                }
                case NADAM -> {
                    double ut = h1 * (1 - 0.5 * Math.pow(0.96, t)), ut1 = h1 * (1 - 0.5 * Math.pow(0.96, t + 1));
                    double uProduct1 = uProduct * ut1;
                    s1[i] += (gi - s1[i]) * (1 - h1);
                    s2[i] += (gi * gi - s2[i]) * (1 - h2);
                    double mHat = ut1 * s1[i] / (1 - uProduct1) + (1 - ut) * gi / (1 - uProduct);
                    double vHat = s2[i] / (1 - Math.pow(h2, t));
                    p[i] -= mHat * lr / (Math.sqrt(vHat) + eps);
                }
            }
        }
    }
}
