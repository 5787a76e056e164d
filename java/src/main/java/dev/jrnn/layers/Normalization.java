package dev.jrnn.layers;

import dev.jrnn.backend.Backend;
import dev.jrnn.backend.DTensor;
import dev.jrnn.data.Batch;
import dev.jrnn.data.BatchStream;
import dev.jrnn.data.Dataset;
import dev.jrnn.tensor.Tensor;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Keras' preprocessing {@code Normalization} over the last axis: {@code y = (x - mean) / max(sqrt(variance), 1e-7)}, or
 * with {@link #invert} {@code y = mean + x * max(sqrt(variance), 1e-7)}, the mean and variance per feature learned by
 * {@link #adapt(Tensor)} (or {@link #adapt(Dataset)}) before training, as Keras' {@code layer.adapt(data)}. Weights in
 * Keras' order, none trainable: {@code mean} and {@code variance} [features], and {@code count} (Keras' int scalar, kept
 * 0 by adapt as in Keras; a (1) float here). The mask is passed on.
 *
 * <pre>{@code
 * Normalization norm = new Normalization();
 * norm.adapt(xTrain);                               // (n, steps, features): each feature's mean and variance
 * Sequential m = new Sequential(new InputLayer(50, 4), norm, new LSTM(32), new Dense(1));
 * }</pre>
 *
 * Keras' {@code axis} other than -1 (a tuple, or None for one mean over everything) and constant {@code mean=} /
 * {@code variance=} arguments are not supported.
 */
public class Normalization extends Layer {
    /** Keras' {@code backend.epsilon()}: the smallest standard deviation divided by. */
    private static final float EPSILON = 1e-7f;

    private boolean invert;
    private Param mean, variance, count;

    @Override
    public String kerasClass() { return "Normalization"; }

    /** Keras' {@code invert}: map normalized values back ({@code mean + x * std}); default false. */
    public Normalization invert(boolean on) {
        if (isBuilt()) throw new IllegalStateException(name() + ": invert must be set before the layer is built");
        this.invert = on;
        return this;
    }

    public boolean invert() { return invert; }

    @Override
    public List<int[]> computeOutputShapes(List<int[]> in) {
        return List.of(Layers.normalizedShape(this, in, -1).clone());
    }

    /** Any rank with the features it was built for, as Keras' keep axis. */
    @Override
    protected boolean weightsFit(List<int[]> built, List<int[]> given) {
        return Layers.sameLastAxis(built, given);
    }

    @Override
    protected void createParams(List<int[]> in) {
        int[] x = in.get(0);
        int f = x[x.length - 1];
        mean = addParam("mean", false, f);
        variance = addParam("variance", false, f);
        count = addParam("count", false, 1);
    }

    /** Keras' initializers: mean zeros, variance ones, count zero (the identity until adapted). */
    @Override
    protected void initParams(SplittableRandom rng) {
        if (!initialValuesNeeded()) return;
        float[] ones = new float[mean.shape()[0]];
        Arrays.fill(ones, 1f);
        mean.set(Tensor.zeros(ones.length));
        variance.set(Tensor.wrap(ones, ones.length));
        count.set(Tensor.zeros(1));
    }

    /**
     * Sets each feature's mean and (population) variance from {@code data} (batch, ..., features), every other axis
     * reduced, as Keras' {@code adapt} on an array; builds the layer for {@code data}'s per-sample shape when unbuilt.
     * Computed in float64 over all values.
     */
    public Normalization adapt(Tensor data) {
        if (data == null) throw new IllegalArgumentException(name() + ".adapt: data is null");
        Moments m = new Moments();
        m.add(data, "data");
        return m.store(this);
    }

    /**
     * As {@link #adapt(Tensor)} over the inputs (the first input) of every batch of {@code data}'s epoch 0, merged batch
     * by batch as Keras merges a dataset's batches; every value of a batch counts (padding too, as in Keras).
     */
    public Normalization adapt(Dataset data) throws IOException {
        if (data == null) throw new IllegalArgumentException(name() + ".adapt: data is null");
        if (data.endless()) throw new IllegalArgumentException(name() + ".adapt: the dataset is endless (repeat()); give one pass of it");
        Moments m = new Moments();
        try (BatchStream batches = data.epoch(0)) {
            while (batches.hasNext()) {
                try (Batch b = batches.next()) {
                    m.add(b.input(0), "the batch starting at " + b.where(0));
                }
            }
        }
        return m.store(this);
    }

    /** Running per-feature mean and variance, merged as Keras' adapt merges batches (in float64). */
    private final class Moments {
        double[] mean, var;
        long n;
        int[] sample;

        void add(Tensor x, String what) {
            if (x.rank() < 2) {
                throw new IllegalArgumentException(name() + ".adapt: " + what + " should be (batch, ..., features), got "
                        + Tensor.shapeString(x.shape()));
            }
            int f = x.dim(-1);
            if (sample == null) {
                sample = Arrays.copyOfRange(x.shape(), 1, x.rank());
                int built = isBuilt() ? Normalization.this.mean.shape()[0] : f;
                if (f != built) {
                    throw new IllegalArgumentException(name() + ".adapt: " + what + " has " + f + " features, the layer was built for "
                            + built + " (" + Tensor.shapeString(x.shape()) + ")");
                }
                mean = new double[f];
                var = new double[f];
            } else if (f != mean.length) {
                throw new IllegalArgumentException(name() + ".adapt: " + what + " has " + f + " features, the batches before "
                        + mean.length);
            }
            long rows = x.size() / f;
            if (rows == 0) return;
            float[] d = x.data();
            double[] bm = new double[f], bv = new double[f];
            for (long r = 0; r < rows; r++) for (int j = 0; j < f; j++) bm[j] += d[(int) (r * f + j)];
            for (int j = 0; j < f; j++) bm[j] /= rows;
            for (long r = 0; r < rows; r++) {
                for (int j = 0; j < f; j++) {
                    double c = d[(int) (r * f + j)] - bm[j];
                    bv[j] += c * c;
                }
            }
            for (int j = 0; j < f; j++) bv[j] /= rows;
            long total = n + rows;
            double wb = (double) rows / total, we = 1 - wb;
            for (int j = 0; j < f; j++) {
                double m = mean[j] * we + bm[j] * wb;
                var[j] = (var[j] + (mean[j] - m) * (mean[j] - m)) * we + (bv[j] + (bm[j] - m) * (bm[j] - m)) * wb;
                mean[j] = m;
            }
            n = total;
        }

        Normalization store(Normalization l) {
            if (n == 0) throw new IllegalArgumentException(name() + ".adapt: the data holds no value to adapt to");
            if (!isBuilt()) build(List.of(sample));
            float[] m = new float[mean.length], v = new float[var.length];
            for (int j = 0; j < m.length; j++) {
                m[j] = (float) mean[j];
                v[j] = (float) var[j];
            }
            l.mean.set(Tensor.wrap(m, m.length));
            l.variance.set(Tensor.wrap(v, v.length));
            return l;
        }
    }

    @Override
    public Trace forward(List<DTensor> inputs, DTensor mask, boolean training) {
        DTensor x = Layers.lastAxisInput(this, inputs);
        Backend be = backend();
        int f = x.dim(-1), rows = (int) (x.size() / f);
        List<DTensor> owned = new ArrayList<>();
        try {
            // r = 1 / max(sqrt(variance), 1e-7), as min(rsqrt(variance), 1e7); its inverse, the std, for invert
            DTensor r = Layers.tensor(be, owned, f), shift = Layers.tensor(be, owned, f), y = Layers.tensor(be, owned, x.shape());
            be.rsqrt(f, 0f, variance.value(), variance.offset(), r.buf(), 0);
            be.clip(f, 0f, 1 / EPSILON, r.buf(), 0);
            if (invert) {   // std = rsqrt(r * r); y = x * std + mean
                be.mul(f, r.buf(), 0, r.buf(), 0, r.buf(), 0);
                be.rsqrt(f, 0f, r.buf(), 0, r.buf(), 0);
                be.mulRowVector(rows, f, x.buf(), 0, r.buf(), 0, y.buf(), 0);
                be.addRowVector(rows, f, mean.value(), mean.offset(), y.buf(), 0);
            } else {   // y = (x - mean) * r
                be.copy(mean.value(), mean.offset(), shift.buf(), 0, f);
                be.scale(f, -1f, shift.buf(), 0);
                be.copy(x.buf(), 0, y.buf(), 0, x.size());
                be.addRowVector(rows, f, shift.buf(), 0, y.buf(), 0);
                be.mulRowVector(rows, f, y.buf(), 0, r.buf(), 0, y.buf(), 0);
            }
            return Layers.trace(this, y, mask, owned, dy -> {
                DTensor dx = Layers.tensor(be, owned, x.shape());
                if (dy != null) be.mulRowVector(rows, f, dy.buf(), 0, r.buf(), 0, dx.buf(), 0);
                return List.of(dx);
            });
        } catch (RuntimeException | Error e) {
            for (DTensor d : owned) d.close();
            throw e;
        }
    }

    @Override
    public Normalization name(String n) { super.name(n); return this; }

    @Override
    public Normalization inputShape(int... shape) { super.inputShape(shape); return this; }

    @Override
    public Normalization trainable(boolean t) { super.trainable(t); return this; }
}
