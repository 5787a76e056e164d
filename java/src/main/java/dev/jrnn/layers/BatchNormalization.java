package dev.jrnn.layers;

import dev.jrnn.backend.Backend;
import dev.jrnn.backend.Buf;
import dev.jrnn.backend.DTensor;
import dev.jrnn.tensor.Tensor;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Keras BatchNormalization over the last axis (the features of (batch, features) and (batch, steps, features)
 * inputs). In training (fit, with the layer trainable) it normalizes with the batch's moments over every other axis,
 * {@code y = (x - mean) / sqrt(var + epsilon) * gamma + beta} with the biased variance, and updates the moving
 * statistics on the device as Keras does, {@code moving = moving * momentum + batch * (1 - momentum)}; otherwise
 * (predict, evaluate, or a frozen layer, as Keras 3) it uses the moving statistics. With a mask, as Keras 3, the
 * batch's moments are taken over the unmasked steps only (sums divided by the count of them plus 1e-7), while every
 * step is normalized; the mask is passed on.
 *
 * <p>Weights in Keras order: {@code gamma} [features] (when {@link #scale}), {@code beta} [features] (when
 * {@link #center}), both trainable, then the non-trainable {@code moving_mean} and {@code moving_variance}
 * [features]. Keras' defaults: axis -1, momentum 0.99, epsilon 1e-3, initializers ones / zeros / zeros / ones.
 * Keras' {@code synchronized} is false here (each data-parallel rank keeps its own batch moments); {@code renorm}
 * is not supported.
 *
 * <pre>{@code
 * Sequential m = new Sequential(new Conv1D(16, 3).inputShape(20, 4), new BatchNormalization().momentum(0.9),
 *         new LSTM(8), new Dense(1));
 * }</pre>
 */
public class BatchNormalization extends Layer {
    /** Keras' {@code backend.epsilon()}, added to the unmasked count of a masked batch. */
    private static final float COUNT_EPSILON = 1e-7f;

    private int axis = -1;
    private double momentum = 0.99, epsilon = 1e-3;
    private boolean center = true, scale = true;
    private double gammaInit = 1, betaInit = 0, movingMeanInit = 0, movingVarianceInit = 1;
    private Param gamma, beta, movingMean, movingVariance;

    /** Keras' {@code BatchNormalization()} at its defaults (the class comment); the builders below change them. */
    public BatchNormalization() {}

    @Override
    public String kerasClass() { return "BatchNormalization"; }

    /**
     * Keras' {@code axis}, counted with the batch as axis 0: jrnn normalizes the last axis only, so -1 or the index of
     * the last axis (checked when built; e.g. 2 for a (batch, steps, features) input).
     */
    public BatchNormalization axis(int a) {
        if (a == 0 || a < -1) {
            throw new IllegalArgumentException(name() + ": axis must be the last axis (-1 or its index, the features), got " + a
                    + (a == 0 ? " (the batch axis)" : ""));
        }
        checkUnbuilt("axis");
        this.axis = a;
        return this;
    }

    /** Keras' {@code axis}; default -1 (the last). */
    public int axis() { return axis; }

    /** Keras' {@code momentum} of the moving statistics (default 0.99), in [0, 1]. */
    public BatchNormalization momentum(double m) {
        if (!(m >= 0 && m <= 1)) throw new IllegalArgumentException(name() + ": momentum must be in [0, 1], got " + m);
        checkUnbuilt("momentum");   // a captured train step keeps the value it was captured with
        this.momentum = m;
        return this;
    }

    /** Keras' {@code momentum}; default 0.99. */
    public double momentum() { return momentum; }

    /** Keras' {@code epsilon} added to the variance (default 1e-3), positive and finite. */
    public BatchNormalization epsilon(double e) {
        if (!(e > 0) || Double.isInfinite(e)) throw new IllegalArgumentException(name() + ": epsilon must be positive and finite, got " + e);
        checkUnbuilt("epsilon");
        this.epsilon = e;
        return this;
    }

    /** Keras' {@code epsilon}; default 1e-3. */
    public double epsilon() { return epsilon; }

    /** Keras' {@code center}: add the learned offset {@code beta} (default true). */
    public BatchNormalization center(boolean c) {
        checkUnbuilt("center");
        this.center = c;
        return this;
    }

    /** Keras' {@code center}; default true. */
    public boolean center() { return center; }

    /** Keras' {@code scale}: multiply by the learned {@code gamma} (default true). */
    public BatchNormalization scale(boolean s) {
        checkUnbuilt("scale");
        this.scale = s;
        return this;
    }

    /** Keras' {@code scale}; default true. */
    public boolean scale() { return scale; }

    /** Keras' {@code gamma_initializer} as a constant: 1 ("ones", the default), 0 ("zeros") or Keras' Constant(value). */
    public BatchNormalization gammaInitializer(double value) {
        gammaInit = constant("gammaInitializer", value);
        return this;
    }

    /** Keras' {@code beta_initializer} as a constant: 0 ("zeros", the default), 1 ("ones") or Constant(value). */
    public BatchNormalization betaInitializer(double value) {
        betaInit = constant("betaInitializer", value);
        return this;
    }

    /** Keras' {@code moving_mean_initializer} as a constant: 0 ("zeros", the default), 1 ("ones") or Constant(value). */
    public BatchNormalization movingMeanInitializer(double value) {
        movingMeanInit = constant("movingMeanInitializer", value);
        return this;
    }

    /** Keras' {@code moving_variance_initializer} as a constant: 1 ("ones", the default), 0 or Constant(value); not negative. */
    public BatchNormalization movingVarianceInitializer(double value) {
        if (value < 0) throw new IllegalArgumentException(name() + ": movingVarianceInitializer must be >= 0 (a variance), got " + value);
        movingVarianceInit = constant("movingVarianceInitializer", value);
        return this;
    }

    /** Keras' {@code gamma_initializer} as its constant; default 1 (ones). */
    public double gammaInitializer() { return gammaInit; }

    /** Keras' {@code beta_initializer} as its constant; default 0 (zeros). */
    public double betaInitializer() { return betaInit; }

    /** Keras' {@code moving_mean_initializer} as its constant; default 0 (zeros). */
    public double movingMeanInitializer() { return movingMeanInit; }

    /** Keras' {@code moving_variance_initializer} as its constant; default 1 (ones). */
    public double movingVarianceInitializer() { return movingVarianceInit; }

    private double constant(String what, double v) {
        if (!Double.isFinite(v) || Math.abs(v) > Float.MAX_VALUE) {
            throw new IllegalArgumentException(name() + ": " + what + " must be a finite float32 constant, got " + v);
        }
        checkUnbuilt(what);
        return v;
    }

    private void checkUnbuilt(String what) {
        if (isBuilt()) throw new IllegalStateException(name() + ": " + what + " must be set before the layer is built");
    }

    @Override
    public List<int[]> computeOutputShapes(List<int[]> in) {
        return List.of(Layers.normalizedShape(this, in, axis).clone());
    }

    /** Keras' InputSpec(ndim, axes={axis: features}): the same rank and features as when built. */
    @Override
    protected boolean weightsFit(List<int[]> built, List<int[]> given) {
        return given.size() == 1 && Layers.sameFeatures(built, given);
    }

    @Override
    protected void createParams(List<int[]> in) {
        int[] x = in.get(0);
        int f = x[x.length - 1];
        gamma = scale ? addParam("gamma", f) : null;
        beta = center ? addParam("beta", f) : null;
        movingMean = addParam("moving_mean", false, f);
        movingVariance = addParam("moving_variance", false, f);
    }

    @Override
    protected void initParams(SplittableRandom rng) {
        if (!initialValuesNeeded()) return;
        for (Param p : params) {
            double v = p == gamma ? gammaInit : p == beta ? betaInit : p == movingMean ? movingMeanInit : movingVarianceInit;
            float[] d = new float[p.shape()[0]];
            Arrays.fill(d, (float) v);
            p.set(Tensor.wrap(d, d.length));
        }
    }

    /** Keras' {@code training and self.trainable}: the batch's moments, else the moving statistics. */
    @Override
    public Trace forward(List<DTensor> inputs, DTensor mask, boolean training) {
        DTensor x = Layers.lastAxisInput(this, inputs);
        int f = x.dim(-1), rows = (int) (x.size() / f);
        if (mask != null && mask.size() != rows) {
            throw new IllegalArgumentException(name() + ": the mask should have one entry per position of input "
                    + Tensor.shapeString(x.shape()) + " (" + rows + "), got shape " + Tensor.shapeString(mask.shape()));
        }
        List<DTensor> owned = new ArrayList<>();
        try {
            return training && trainable() ? batchMoments(x, mask, f, rows, owned) : movingMoments(x, mask, f, rows, owned);
        } catch (RuntimeException e) {
            for (DTensor d : owned) d.close();
            owned.clear();
            throw e;
        }
    }

    /** In training (and trainable) one sample's output depends on the batch's moments: TimeDistributed runs it per step. */
    @Override
    protected boolean mixesBatch(boolean training) { return training && trainable(); }

    /** Its moving statistics: each training call moves them. */
    @Override
    public boolean callsShareState() { return true; }

    /** Training: normalize with the batch's moments, update the moving statistics, backward through the moments. */
    private Trace batchMoments(DTensor x, DTensor mask, int f, int rows, List<DTensor> owned) {
        Backend be = backend();
        long n = x.size();
        DTensor mean = Layers.tensor(be, owned, f), var = Layers.tensor(be, owned, f), rstd = Layers.tensor(be, owned, f);
        DTensor xhat = Layers.tensor(be, owned, x.shape()), t = Layers.tensor(be, owned, x.shape());
        // per-row weights of a masked batch: mask / (count + 1e-7), Keras' sum_of_weights + backend.epsilon()
        DTensor w = mask == null ? null : rowWeights(be, owned, mask, rows);
        weightedMean(be, rows, f, x.buf(), w, t, mean);
        be.copy(x.buf(), 0, xhat.buf(), 0, n);
        be.copy(mean.buf(), 0, rstd.buf(), 0, f);
        be.scale(f, -1f, rstd.buf(), 0);
        be.addRowVector(rows, f, rstd.buf(), 0, xhat.buf(), 0);              // x - mean
        be.mul(n, xhat.buf(), 0, xhat.buf(), 0, t.buf(), 0);
        weightedMean(be, rows, f, t.buf(), w, t, var);                      // biased variance
        be.rsqrt(f, (float) epsilon, var.buf(), 0, rstd.buf(), 0);
        be.mulRowVector(rows, f, xhat.buf(), 0, rstd.buf(), 0, xhat.buf(), 0);
        DTensor y = affine(be, owned, x, xhat, rows, f);
        updateMoving(be, movingMean, mean);
        updateMoving(be, movingVariance, var);
        return Layers.trace(this, y, mask, owned, dy -> {
            DTensor dx = Layers.tensor(be, owned, x.shape());
            if (dy == null) return List.of(dx);
            paramGradients(be, dy, xhat, t, rows, f);
            // g = dy * gamma; dx = rstd * (g - w_r * (sum_r g + xhat * sum_r g * xhat)), sums over rows per feature
            scaled(be, rows, f, dy, dx);
            DTensor g1 = Layers.tensor(be, owned, f), h = Layers.tensor(be, owned, f);
            be.sumRows(rows, f, dx.buf(), 0, g1.buf(), 0, false);
            be.mul(n, dx.buf(), 0, xhat.buf(), 0, t.buf(), 0);
            be.sumRows(rows, f, t.buf(), 0, h.buf(), 0, false);
            be.mulRowVector(rows, f, xhat.buf(), 0, h.buf(), 0, t.buf(), 0);
            be.addRowVector(rows, f, g1.buf(), 0, t.buf(), 0);
            if (w == null) be.scale(n, 1f / rows, t.buf(), 0);
            else be.maskedMulRows(rows, f, t.buf(), 0, w.buf(), 0, t.buf(), 0);
            be.axpy(n, -1f, t.buf(), 0, dx.buf(), 0);
            be.mulRowVector(rows, f, dx.buf(), 0, rstd.buf(), 0, dx.buf(), 0);
            return List.of(dx);
        });
    }

    /** Inference or a frozen layer: normalize with the moving statistics; x's gradient is dy * gamma * rstd. */
    private Trace movingMoments(DTensor x, DTensor mask, int f, int rows, List<DTensor> owned) {
        Backend be = backend();
        long n = x.size();
        DTensor negMean = Layers.tensor(be, owned, f), rstd = Layers.tensor(be, owned, f), xhat = Layers.tensor(be, owned, x.shape());
        be.copy(movingMean.value(), movingMean.offset(), negMean.buf(), 0, f);
        be.scale(f, -1f, negMean.buf(), 0);
        be.rsqrt(f, (float) epsilon, movingVariance.value(), movingVariance.offset(), rstd.buf(), 0);
        be.copy(x.buf(), 0, xhat.buf(), 0, n);
        be.addRowVector(rows, f, negMean.buf(), 0, xhat.buf(), 0);
        be.mulRowVector(rows, f, xhat.buf(), 0, rstd.buf(), 0, xhat.buf(), 0);
        DTensor y = affine(be, owned, x, xhat, rows, f);
        return Layers.trace(this, y, mask, owned, dy -> {
            DTensor dx = Layers.tensor(be, owned, x.shape());
            if (dy == null) return List.of(dx);
            if (trainable()) paramGradients(be, dy, xhat, Layers.tensor(be, owned, x.shape()), rows, f);
            scaled(be, rows, f, dy, dx);
            be.mulRowVector(rows, f, dx.buf(), 0, rstd.buf(), 0, dx.buf(), 0);
            return List.of(dx);
        });
    }

    /** {@code out = x's weighted column sums}: the mean over rows (w null), else {@code sum_r w[r] * x[r]} (tmp holds x * w). */
    private static void weightedMean(Backend be, int rows, int f, Buf x, DTensor w, DTensor tmp, DTensor out) {
        if (w == null) {
            be.sumRows(rows, f, x, 0, out.buf(), 0, false);
            be.scale(f, 1f / rows, out.buf(), 0);
        } else {
            be.maskedMulRows(rows, f, x, 0, w.buf(), 0, tmp.buf(), 0);   // a masked row counts 0, whatever it holds
            be.sumRows(rows, f, tmp.buf(), 0, out.buf(), 0, false);
        }
    }

    /** {@code w[r] = mask[r] / (sum(mask) + 1e-7)}, on the device: 1 / c as rsqrt(c + 1e-7) squared. */
    private static DTensor rowWeights(Backend be, List<DTensor> owned, DTensor mask, int rows) {
        DTensor inv = Layers.tensor(be, owned, 1), w = Layers.tensor(be, owned, rows);
        be.sumRows(rows, 1, mask.buf(), 0, inv.buf(), 0, false);
        be.rsqrt(1, COUNT_EPSILON, inv.buf(), 0, inv.buf(), 0);
        be.mul(1, inv.buf(), 0, inv.buf(), 0, inv.buf(), 0);
        be.mulRows(1, rows, mask.buf(), 0, inv.buf(), 0, w.buf(), 0);
        return w;
    }

    /** {@code y = xhat * gamma + beta}. */
    private DTensor affine(Backend be, List<DTensor> owned, DTensor x, DTensor xhat, int rows, int f) {
        DTensor y = Layers.tensor(be, owned, x.shape());
        scaled(be, rows, f, xhat, y);
        if (beta != null) be.addRowVector(rows, f, beta.value(), beta.offset(), y.buf(), 0);
        return y;
    }

    /** {@code out = in * gamma} per feature (a copy without scale). */
    private void scaled(Backend be, int rows, int f, DTensor in, DTensor out) {
        if (gamma != null) be.mulRowVector(rows, f, in.buf(), 0, gamma.value(), gamma.offset(), out.buf(), 0);
        else be.copy(in.buf(), 0, out.buf(), 0, in.size());
    }

    /** Adds beta's (sum of dy) and gamma's (sum of dy * xhat) gradients; {@code t} is scratch of x's size. */
    private void paramGradients(Backend be, DTensor dy, DTensor xhat, DTensor t, int rows, int f) {
        if (beta != null) be.sumRows(rows, f, dy.buf(), 0, beta.grad(), beta.offset(), true);
        if (gamma != null) {
            be.mul(xhat.size(), dy.buf(), 0, xhat.buf(), 0, t.buf(), 0);
            be.sumRows(rows, f, t.buf(), 0, gamma.grad(), gamma.offset(), true);
        }
    }

    /** {@code moving = moving * momentum + batch * (1 - momentum)}, on the device (a captured step replays it). */
    private void updateMoving(Backend be, Param moving, DTensor batch) {
        int f = (int) moving.size();
        be.scale(f, (float) momentum, moving.value(), moving.offset());
        be.axpy(f, (float) (1 - momentum), batch.buf(), 0, moving.value(), moving.offset());
    }

    @Override
    public BatchNormalization name(String n) { super.name(n); return this; }

    @Override
    public BatchNormalization dtype(String policy) { super.dtype(policy); return this; }

    @Override
    public BatchNormalization seed(long s) { super.seed(s); return this; }

    @Override
    public BatchNormalization inputShape(int... shape) { super.inputShape(shape); return this; }

    @Override
    public BatchNormalization batchInputShape(int batch, int... shape) { super.batchInputShape(batch, shape); return this; }

    @Override
    public BatchNormalization inputLength(int n) { super.inputLength(n); return this; }

    @Override
    public BatchNormalization inputDim(int d) { super.inputDim(d); return this; }

    /** Keras 3: a frozen BatchNormalization runs in inference mode (the moving statistics), in fit too. */
    @Override
    public BatchNormalization trainable(boolean t) { super.trainable(t); return this; }

    /** Keras 3's {@code supports_masking} is true here: a mask passes on where the steps stay. */
    @Override
    public boolean passesMask() { return true; }
}
