package dev.jrnn.layers;

import dev.jrnn.backend.Backend;
import dev.jrnn.backend.Buf;
import dev.jrnn.backend.DTensor;
import dev.jrnn.tensor.Tensor;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Keras LayerNormalization over the last axis: {@code y = (x - mean) / sqrt(var + epsilon) * gamma + beta}, mean
 * and (biased) variance over the features of each position. Weights in Keras order: {@code gamma} [features]
 * (ones; when {@link #scale}) and {@code beta} [features] (zeros; when {@link #center}). Keras' defaults: axis -1,
 * epsilon 1e-3. The input mask is passed on.
 *
 * <pre>{@code
 * LayerNormalization ln = new LayerNormalization().epsilon(1e-5);
 * Tensor y = ln.call(Tensor.of(new float[][] {{1, 2, 3}}));   // ~[[-1.22, 0, 1.22]]
 * }</pre>
 */
public class LayerNormalization extends Layer {
    private int axis = -1;
    private double epsilon = 1e-3;
    private boolean center = true, scale = true;
    private Param gamma, beta;

    /** Keras' {@code LayerNormalization()} at its defaults (axis -1, epsilon 1e-3, center and scale). */
    public LayerNormalization() {}

    @Override
    public String kerasClass() { return "LayerNormalization"; }

    /**
     * Keras' {@code axis}, counted with the batch as axis 0; jrnn normalizes over the last axis only, so -1 or the
     * index of the last axis (checked when built), as a Keras file stores it (e.g. {@code [2]} for a sequence).
     */
    public LayerNormalization axis(int a) {
        if (a == 0 || a < -1) throw new IllegalArgumentException(name() + ": axis must be the last axis (-1 or its index), got " + a);
        checkUnbuilt("axis");
        this.axis = a;
        return this;
    }

    /** Keras' {@code axis}; default -1 (the last). */
    public int axis() { return axis; }

    /** Keras' {@code epsilon} (default 1e-3), positive. */
    public LayerNormalization epsilon(double e) {
        if (!(e > 0) || Double.isInfinite(e)) throw new IllegalArgumentException(name() + ": epsilon must be positive and finite, got " + e);
        checkUnbuilt("epsilon");
        this.epsilon = e;
        return this;
    }

    /** Keras' {@code center}: add the learned offset {@code beta} (default true). */
    public LayerNormalization center(boolean c) {
        checkUnbuilt("center");
        this.center = c;
        return this;
    }

    /** Keras' {@code scale}: multiply by the learned {@code gamma} (default true). */
    public LayerNormalization scale(boolean s) {
        checkUnbuilt("scale");
        this.scale = s;
        return this;
    }

    /** Keras' {@code epsilon}; default 1e-3. */
    public double epsilon() { return epsilon; }

    /** Keras' {@code center}; default true. */
    public boolean center() { return center; }

    /** Keras' {@code scale}; default true. */
    public boolean scale() { return scale; }

    private void checkUnbuilt(String what) {
        if (isBuilt()) throw new IllegalStateException(name() + ": " + what + " must be set before the layer is built");
    }

    @Override
    public List<int[]> computeOutputShapes(List<int[]> in) {
        return List.of(Layers.normalizedShape(this, in, axis).clone());
    }

    /** Any rank with the same features: Keras applies one Dense (or LayerNormalization) to vectors and sequences alike. */
    @Override
    protected boolean weightsFit(List<int[]> built, List<int[]> given) { return Layers.sameLastAxis(built, given); }

    @Override
    protected void createParams(List<int[]> in) {
        int[] x = in.get(0);
        int f = x[x.length - 1];
        gamma = scale ? addParam("gamma", f) : null;
        beta = center ? addParam("beta", f) : null;
    }

    @Override
    protected void initParams(SplittableRandom rng) {
        if (!initialValuesNeeded()) return;
        if (gamma != null) {
            float[] ones = new float[gamma.shape()[0]];
            java.util.Arrays.fill(ones, 1f);
            gamma.set(Tensor.wrap(ones, ones.length));
        }
        if (beta != null) beta.set(Tensor.wrap(Initializers.zeros(beta.shape()[0]), beta.shape()[0]));
    }

    @Override
    public Trace forward(List<DTensor> inputs, DTensor mask, boolean training) {
        DTensor x = Layers.lastAxisInput(this, inputs);
        Backend be = backend();
        int f = x.dim(-1), rows = (int) (x.size() / f);
        List<DTensor> owned = new ArrayList<>();
        try {
            DTensor ones = Layers.tensor(be, owned, Math.max(rows, f));
            be.fill(ones.buf(), 0, ones.size(), 1f);
            // xhat = (x - mean) * rstd, one mean and rstd per row
            DTensor xhat = Layers.tensor(be, owned, x.shape());
            be.copy(x.buf(), 0, xhat.buf(), 0, x.size());
            DTensor rowStat = Layers.tensor(be, owned, rows);
            rowMean(be, rows, f, xhat.buf(), ones, rowStat);
            subtractRows(be, rows, f, rowStat, ones, xhat.buf());
            DTensor sq = Layers.tensor(be, owned, x.shape());
            be.mul(x.size(), xhat.buf(), 0, xhat.buf(), 0, sq.buf(), 0);
            DTensor rstd = Layers.tensor(be, owned, rows);
            rowMean(be, rows, f, sq.buf(), ones, rstd);
            be.rsqrt(rows, (float) epsilon, rstd.buf(), 0, rstd.buf(), 0);
            be.mulRows(rows, f, xhat.buf(), 0, rstd.buf(), 0, xhat.buf(), 0);
            // y = xhat * gamma + beta; gamma broadcast to every row (an outer product with ones) serves backward too
            DTensor y = Layers.tensor(be, owned, x.shape());
            DTensor g = null;
            if (gamma != null) {
                g = sq;
                be.gemm(false, false, rows, f, 1, 1f, ones.buf(), 0, 1, gamma.value(), gamma.offset(), f, 0f, g.buf(), 0, f);
                be.mul(x.size(), xhat.buf(), 0, g.buf(), 0, y.buf(), 0);
            } else {
                be.copy(xhat.buf(), 0, y.buf(), 0, x.size());
            }
            if (beta != null) be.addRowVector(rows, f, beta.value(), beta.offset(), y.buf(), 0);
            DTensor gammaRows = g;
            return Layers.trace(this, y, mask, owned, dy -> {
                DTensor dx = Layers.tensor(be, owned, x.shape());
                if (dy == null) return List.of(dx);
                long n = x.size();
                DTensor t = Layers.tensor(be, owned, x.shape());
                if (trainable()) {
                    if (beta != null) be.sumRows(rows, f, dy.buf(), 0, beta.grad(), beta.offset(), true);
                    if (gamma != null) {
                        be.mul(n, dy.buf(), 0, xhat.buf(), 0, t.buf(), 0);
                        be.sumRows(rows, f, t.buf(), 0, gamma.grad(), gamma.offset(), true);
                    }
                }
                // dxhat = dy * gamma; dx = rstd * (dxhat - mean(dxhat) - xhat * mean(dxhat * xhat)), means per row
                if (gammaRows != null) be.mul(n, dy.buf(), 0, gammaRows.buf(), 0, dx.buf(), 0);
                else be.copy(dy.buf(), 0, dx.buf(), 0, n);
                DTensor m = Layers.tensor(be, owned, rows);
                be.mul(n, dx.buf(), 0, xhat.buf(), 0, t.buf(), 0);
                rowMean(be, rows, f, t.buf(), ones, m);
                be.mulRows(rows, f, xhat.buf(), 0, m.buf(), 0, t.buf(), 0);
                be.axpy(n, -1f, t.buf(), 0, dx.buf(), 0);
                rowMean(be, rows, f, dx.buf(), ones, m);
                subtractRows(be, rows, f, m, ones, dx.buf());
                be.mulRows(rows, f, dx.buf(), 0, rstd.buf(), 0, dx.buf(), 0);
                return List.of(dx);
            });
        } catch (RuntimeException e) {
            for (DTensor d : owned) d.close();
            owned.clear();
            throw e;
        }
    }

    /** {@code out[r] = mean_c x[r, c]}: a matrix-vector product with ones. */
    private static void rowMean(Backend be, int rows, int f, Buf x, DTensor ones, DTensor out) {
        be.gemm(false, false, rows, 1, f, 1f / f, x, 0, f, ones.buf(), 0, 1, 0f, out.buf(), 0, 1);
    }

    /** {@code x[r, c] -= v[r]}: a rank-one update with ones. */
    private static void subtractRows(Backend be, int rows, int f, DTensor v, DTensor ones, Buf x) {
        be.gemm(false, false, rows, f, 1, -1f, v.buf(), 0, 1, ones.buf(), 0, f, 1f, x, 0, f);
    }

    @Override
    public LayerNormalization name(String n) { super.name(n); return this; }

    @Override
    public LayerNormalization dtype(String policy) { super.dtype(policy); return this; }

    @Override
    public LayerNormalization seed(long s) { super.seed(s); return this; }

    @Override
    public LayerNormalization inputShape(int... shape) { super.inputShape(shape); return this; }

    @Override
    public LayerNormalization batchInputShape(int batch, int... shape) { super.batchInputShape(batch, shape); return this; }

    @Override
    public LayerNormalization trainable(boolean t) { super.trainable(t); return this; }

    /** Keras 3's {@code supports_masking} is true here: a mask passes on where the steps stay. */
    @Override
    public boolean passesMask() { return true; }
}
