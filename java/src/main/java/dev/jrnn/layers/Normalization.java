package dev.jrnn.layers;

import dev.jrnn.backend.Backend;
import dev.jrnn.backend.Buf;
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
 * Keras' preprocessing {@code Normalization}: {@code y = (x - mean) / max(sqrt(variance), 1e-7)}, or with
 * {@link #invert} {@code y = mean + x * max(sqrt(variance), 1e-7)}, with one mean and variance per index of the kept
 * axes ({@link #axis}: the last by default, several, or none for one mean over everything), learned by
 * {@link #adapt(Tensor)} (or {@link #adapt(Dataset)}) before training as Keras' {@code layer.adapt(data)}, or given as
 * constants ({@link #meanAndVariance(Tensor, Tensor)}, Keras' {@code mean=} / {@code variance=}). Adapted, its weights
 * are Keras', none trainable: {@code mean} and {@code variance} of the kept axes' shape (a (1) scalar for none), and
 * {@code count} (Keras' int scalar, kept 0 by adapt as in Keras; a (1) float here); with constants it has no weights,
 * as in Keras. The mask is passed on.
 *
 * <pre>{@code
 * Normalization norm = new Normalization();
 * norm.adapt(xTrain);                               // (n, steps, features): each feature's mean and variance
 * Sequential m = new Sequential(Input.shape(50, 4), norm, new LSTM(32), new Dense(1));
 * new Normalization().axis(1, 2).adapt(xTrain);     // one mean per step and feature: weights (50, 4)
 * new Normalization().axisNone().adapt(xTrain);     // one mean and variance over everything
 * new Normalization().meanAndVariance(3, 2);        // constants: (x - 3) / sqrt(2), no weights
 * }</pre>
 */
public class Normalization extends Layer {
    /** Keras' {@code backend.epsilon()}: the smallest standard deviation divided by. */
    private static final float EPSILON = 1e-7f;

    private boolean invert;
    /** Keras' axis as given (counted with the batch axis; empty for None). */
    private int[] axis = {-1};
    /** Keras' constant mean= / variance= (null when adapted) and their shape (empty for a scalar). */
    private float[] constMean, constVariance;
    private int[] constShape;
    /** The constants broadcast to the kept axes' shape at build, and their copy on a backend (mean, then variance). */
    private float[] builtMean, builtVariance;
    private Buf constBuf;
    /** gatherRows' ids per backend and block shape; kept until releaseBuffers, as a captured step may hold them. */
    private final java.util.Map<String, Buf> indexBufs = new java.util.HashMap<>();
    private Param mean, variance, count;

    /** Keras' {@code Normalization()}: the last axis kept, not inverted; adapt it or give constants before use. */
    public Normalization() {}

    @Override
    public String kerasClass() { return "Normalization"; }

    /** Keras' {@code invert}: map normalized values back ({@code mean + x * std}); default false. */
    public Normalization invert(boolean on) {
        requireUnbuilt("invert");
        this.invert = on;
        return this;
    }

    /** Keras' {@code invert}; default false. */
    public boolean invert() { return invert; }

    /**
     * Keras' {@code axis}: the axes (counted with the batch axis, negative from the end) that keep one mean and
     * variance per index; the others are reduced. Default -1 (each feature); {@code axis(1, 2)} on (batch, steps,
     * features) keeps one per step and feature. The batch axis cannot be kept (its size is unknown).
     */
    public Normalization axis(int... axes) {
        requireUnbuilt("axis");
        if (axes == null || axes.length == 0) {
            throw new IllegalArgumentException(name() + ": axis needs at least one axis, got " + (axes == null ? "null" : "none")
                    + "; axisNone() for one mean over everything");
        }
        checkConstantRank(constShape, axes);
        this.axis = axes.clone();
        return this;
    }

    /** Keras' {@code axis=None}: one mean and variance over every value (weights of shape (1), Keras' scalars). */
    public Normalization axisNone() {
        requireUnbuilt("axis");
        checkConstantRank(constShape, new int[0]);
        this.axis = new int[0];
        return this;
    }

    /** Keras' {@code axis} as given; empty for None. */
    public int[] axis() { return axis.clone(); }

    /** Keras' scalar {@code mean=} and {@code variance=}: every value normalized by these constants. */
    public Normalization meanAndVariance(double mean, double variance) {
        return constants(new float[] {(float) mean}, new float[] {(float) variance}, new int[0]);
    }

    /**
     * Keras' {@code mean=} and {@code variance=} of one shape: per index of the kept axes, lined up with them from the
     * right and broadcast as Keras does (a size 1 spreads); the layer then has no weights and refuses {@code adapt}.
     */
    public Normalization meanAndVariance(Tensor mean, Tensor variance) {
        if (mean == null || variance == null) {
            throw new IllegalArgumentException(name() + ": mean and variance must both be set, got mean " + (mean == null ? "null" : "set")
                    + " and variance " + (variance == null ? "null" : "set"));
        }
        if (!Arrays.equals(mean.shape(), variance.shape())) {
            throw new IllegalArgumentException(name() + ": mean and variance must have the same shape, got mean "
                    + Tensor.shapeString(mean.shape()) + " and variance " + Tensor.shapeString(variance.shape()));
        }
        return constants(mean.data().clone(), variance.data().clone(), mean.shape());
    }

    private Normalization constants(float[] m, float[] v, int[] shape) {
        requireUnbuilt("meanAndVariance");
        checkConstantRank(shape, axis);
        constMean = m;
        constVariance = v;
        constShape = shape.clone();
        return this;
    }

    /** Keras' {@code __init__} check: the constants' rank at most the number of axes. */
    private void checkConstantRank(int[] shape, int[] axes) {
        if (shape != null && shape.length > axes.length) {
            throw new IllegalArgumentException(name() + ": the rank of mean must be at most the number of axes (" + axes.length
                    + "), got mean shape " + Tensor.shapeString(shape) + " for axis " + Arrays.toString(axes));
        }
    }

    /** Keras' constant mean (its shape; a scalar as shape (1)), or null when the layer is adapted. */
    public Tensor constantMean() { return constMean == null ? null : Tensor.wrap(constMean.clone(), constantShape()); }

    /** Keras' constant variance, or null when the layer is adapted. */
    public Tensor constantVariance() { return constVariance == null ? null : Tensor.wrap(constVariance.clone(), constantShape()); }

    /** Whether the constants are Keras scalars (shape ()) rather than arrays. */
    public boolean constantsAreScalars() { return constShape != null && constShape.length == 0; }

    private int[] constantShape() { return constShape.length == 0 ? new int[] {1} : constShape; }

    private void requireUnbuilt(String what) {
        if (isBuilt()) throw new IllegalStateException(name() + ": " + what + " must be set before the layer is built");
    }

    @Override
    public List<int[]> computeOutputShapes(List<int[]> in) {
        int[] x = Layers.singleShape(this, in);
        if (Arrays.equals(axis, new int[] {-1})) return List.of(Layers.normalizedShape(this, in, -1).clone());
        NormalizationAxes.resolve(name(), axis, x);
        return List.of(x.clone());
    }

    /** Any shape whose kept axes have the sizes it was built for, as Keras' build. */
    @Override
    protected boolean weightsFit(List<int[]> built, List<int[]> given) {
        if (Arrays.equals(axis, new int[] {-1})) return Layers.sameLastAxis(built, given);
        if (given.size() != 1) return false;
        try {
            return Arrays.equals(NormalizationAxes.resolve(name(), axis, built.get(0)).statShape,
                    NormalizationAxes.resolve(name(), axis, given.get(0)).statShape);
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    @Override
    protected void createParams(List<int[]> in) {
        NormalizationAxes ax = NormalizationAxes.resolve(name(), axis, in.get(0));
        if (constMean != null) {
            builtMean = ax.broadcast(name(), "mean", constMean, constShape);
            builtVariance = ax.broadcast(name(), "variance", constVariance, constShape);
            return;
        }
        mean = addParam("mean", false, ax.statShape);
        variance = addParam("variance", false, ax.statShape);
        count = addParam("count", false, 1);
    }

    /** Keras' initializers: mean zeros, variance ones, count zero (the identity until adapted). */
    @Override
    protected void initParams(SplittableRandom rng) {
        if (!initialValuesNeeded() || mean == null) return;
        int[] shape = mean.shape();
        mean.set(Tensor.zeros(shape));
        variance.set(Tensor.full(1f, shape));
        count.set(Tensor.zeros(1));
    }

    /**
     * Sets the mean and (population) variance of each index of the kept axes from {@code data} (batch, ...), every other
     * axis reduced, as Keras' {@code adapt} on an array; builds the layer for {@code data}'s per-sample shape when
     * unbuilt. Computed in float64 over all values. Refused with constant mean and variance, as in Keras.
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

    /** Running mean and variance per index of the kept axes, merged as Keras' adapt merges batches (in float64). */
    private final class Moments {
        double[] mean, var;
        long n;
        int[] sample, stats;

        void add(Tensor x, String what) {
            if (constMean != null) {
                throw new IllegalStateException(name() + ".adapt: the layer has a constant mean and variance (Keras' mean= / "
                        + "variance=), so there are no statistics to adapt");
            }
            if (x.rank() < 2) {
                throw new IllegalArgumentException(name() + ".adapt: " + what + " should be (batch, ..., features), got "
                        + Tensor.shapeString(x.shape()));
            }
            int[] s = Arrays.copyOfRange(x.shape(), 1, x.rank());
            NormalizationAxes ax = NormalizationAxes.resolve(name() + ".adapt", axis, s);
            int[] want = stats != null ? stats : isBuilt() ? Normalization.this.mean.shape() : ax.statShape;
            if (!Arrays.equals(ax.statShape, want)) {
                String before = stats != null ? "the batches before " : "the layer was built for ";
                throw new IllegalArgumentException(ax.lastOnly()
                        ? name() + ".adapt: " + what + " has " + x.dim(-1) + " features, " + before + want[0]
                                + (stats != null ? "" : " (" + Tensor.shapeString(x.shape()) + ")")
                        : name() + ".adapt: " + what + " " + Tensor.shapeString(x.shape()) + " has kept axes " + Arrays.toString(axis)
                                + " of shape " + Tensor.shapeString(ax.statShape) + ", " + before + Tensor.shapeString(want));
            }
            if (sample == null) {
                sample = s;
                stats = ax.statShape;
                mean = new double[ax.stats];
                var = new double[ax.stats];
            }
            int per = (int) Tensor.size(s);
            long total = x.size() / ax.stats;   // values per statistic
            if (total == 0) return;
            int[] k = ax.keptIndex(s, 0);
            float[] d = x.data();
            int m = ax.stats;
            double[] bm = new double[m], bv = new double[m];
            for (int i = 0; i < d.length; i++) bm[k[i % per]] += d[i];
            for (int j = 0; j < m; j++) bm[j] /= total;
            for (int i = 0; i < d.length; i++) {
                double c = d[i] - bm[k[i % per]];
                bv[k[i % per]] += c * c;
            }
            for (int j = 0; j < m; j++) bv[j] /= total;
            long all = n + total;
            double wb = (double) total / all, we = 1 - wb;
            for (int j = 0; j < m; j++) {
                double mm = mean[j] * we + bm[j] * wb;
                var[j] = (var[j] + (mean[j] - mm) * (mean[j] - mm)) * we + (bv[j] + (bm[j] - mm) * (bm[j] - mm)) * wb;
                mean[j] = mm;
            }
            n = all;
        }

        Normalization store(Normalization l) {
            if (n == 0) throw new IllegalArgumentException(name() + ".adapt: the data holds no value to adapt to");
            if (!isBuilt()) build(List.of(sample));
            float[] m = new float[mean.length], v = new float[var.length];
            for (int j = 0; j < m.length; j++) {
                m[j] = (float) mean[j];
                v[j] = (float) var[j];
            }
            l.mean.set(Tensor.wrap(m, stats));
            l.variance.set(Tensor.wrap(v, stats));
            return l;
        }
    }

    /** The constants on {@code be}: mean, then variance (uploaded once per backend, outside any captured step). */
    private synchronized Buf constants(Backend be) {
        if (constBuf == null || constBuf.backend() != be) {
            releaseConstants();
            Buf b = be.alloc(2L * builtMean.length);
            be.upload(builtMean, 0, b, 0, builtMean.length);
            be.upload(builtVariance, 0, b, builtMean.length, builtVariance.length);
            constBuf = b;
        }
        return constBuf;
    }

    /** Each value's statistic in a block of {@code dims} (ids as floats, for gatherRows), cached per backend and shape. */
    private synchronized Buf index(Backend be, NormalizationAxes ax, int[] dims) {
        String key = System.identityHashCode(be) + " " + Arrays.toString(ax.keep) + Arrays.toString(dims);
        Buf b = indexBufs.get(key);
        if (b == null || b.backend() != be) {
            int[] k = ax.keptIndex(dims, ax.keep[0]);
            float[] f = new float[k.length];
            for (int i = 0; i < k.length; i++) f[i] = k[i];
            b = be.alloc(f.length);
            be.upload(f, 0, b, 0, f.length);
            Buf old = indexBufs.put(key, b);
            if (old != null) old.close();
        }
        return b;
    }

    private void releaseConstants() {
        if (constBuf != null) constBuf.close();
        constBuf = null;
    }

    @Override
    public synchronized void releaseBuffers() {
        releaseConstants();
        for (Buf b : indexBufs.values()) b.close();
        indexBufs.clear();
    }

    @Override
    public Trace forward(List<DTensor> inputs, DTensor mask, boolean training) {
        DTensor x = Layers.lastAxisInput(this, inputs);
        Backend be = backend();
        int[] sample = Arrays.copyOfRange(x.shape(), 1, x.rank());
        NormalizationAxes ax = NormalizationAxes.resolve(name(), axis, sample);
        int m = ax.stats, cols = ax.cols, rows = (int) (x.size() / cols);
        Buf mb, vb;
        long mo, vo;
        if (constMean != null) {
            mb = vb = constants(be);
            mo = 0;
            vo = m;
        } else {
            mb = mean.value();
            mo = mean.offset();
            vb = variance.value();
            vo = variance.offset();
        }
        List<DTensor> owned = new ArrayList<>();
        try {
            // r = 1 / max(sqrt(variance), 1e-7), as min(rsqrt(variance), 1e7); its inverse, the std, for invert
            DTensor r = Layers.tensor(be, owned, m), shift = Layers.tensor(be, owned, m), y = Layers.tensor(be, owned, x.shape());
            be.rsqrt(m, 0f, vb, vo, r.buf(), 0);
            be.clip(m, 0f, 1 / EPSILON, r.buf(), 0);
            if (invert) {   // std = rsqrt(r * r); y = x * std + mean
                be.mul(m, r.buf(), 0, r.buf(), 0, r.buf(), 0);
                be.rsqrt(m, 0f, r.buf(), 0, r.buf(), 0);
                be.copy(mb, mo, shift.buf(), 0, m);
            } else {   // y = (x - mean) * r
                be.copy(mb, mo, shift.buf(), 0, m);
                be.scale(m, -1f, shift.buf(), 0);
            }
            DTensor rv = r, sv = shift;
            if (!ax.trailing) {   // spread the statistics over the block from the first kept axis on
                Buf idx = index(be, ax, ax.block(sample));
                rv = Layers.tensor(be, owned, cols);
                sv = Layers.tensor(be, owned, cols);
                be.gatherRows(cols, 1, idx, 0, r.buf(), 0, rv.buf(), 0);
                be.gatherRows(cols, 1, idx, 0, shift.buf(), 0, sv.buf(), 0);
            }
            if (invert) {
                be.mulRowVector(rows, cols, x.buf(), 0, rv.buf(), 0, y.buf(), 0);
                be.addRowVector(rows, cols, sv.buf(), 0, y.buf(), 0);
            } else {
                be.copy(x.buf(), 0, y.buf(), 0, x.size());
                be.addRowVector(rows, cols, sv.buf(), 0, y.buf(), 0);
                be.mulRowVector(rows, cols, y.buf(), 0, rv.buf(), 0, y.buf(), 0);
            }
            DTensor scale = rv;
            return Layers.trace(this, y, mask, owned, dy -> {
                DTensor dx = Layers.tensor(be, owned, x.shape());
                if (dy != null) be.mulRowVector(rows, cols, dy.buf(), 0, scale.buf(), 0, dx.buf(), 0);
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
    public Normalization dtype(String policy) { super.dtype(policy); return this; }

    @Override
    public Normalization inputShape(int... shape) { super.inputShape(shape); return this; }

    @Override
    public Normalization trainable(boolean t) { super.trainable(t); return this; }

    /** Keras 3's {@code supports_masking} is true here: a mask passes on where the steps stay. */
    @Override
    public boolean passesMask() { return true; }
}
