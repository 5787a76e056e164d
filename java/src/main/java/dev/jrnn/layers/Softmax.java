package dev.jrnn.layers;

import dev.jrnn.backend.Activation;
import dev.jrnn.backend.Backend;
import dev.jrnn.backend.DTensor;
import dev.jrnn.tensor.Tensor;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Keras' Softmax layer: a softmax over {@code axis} (Keras' default -1, counted with the batch as axis 0), or jointly over
 * several adjacent axes ({@code exp(x - logsumexp(x, axes))}, as Keras). A mask from an upstream Masking or Embedding (one
 * per sample and step) masks every value of a masked step as Keras' {@code where(mask, x, -1e9)} before the softmax and
 * {@code where(mask, y, 0)} after it, and is passed on. No weights.
 *
 * <pre>{@code
 * Node scores = new Dense(1).apply(seq);                // (None, T, 1)
 * Node weights = new Softmax(1).apply(scores);           // over the steps; masked steps get 0
 * }</pre>
 */
public class Softmax extends WeightlessLayer {
    /** Keras' {@code _large_negative_number} for float32. */
    static final float LARGE_NEGATIVE = -1e9f;

    private final int[] axes;
    private final boolean list;
    private final MergeBroadcast.Indices toEnd = new MergeBroadcast.Indices(), back = new MergeBroadcast.Indices();

    /** Over the last axis, Keras' default. */
    public Softmax() { this(-1); }

    /** Over {@code axis}: counted with the batch as 0 (which it must not be), negative from the end; checked when built. */
    public Softmax(int axis) {
        this.axes = new int[] {axis};
        this.list = false;
    }

    /** Jointly over {@code axes} (Keras' list form), adjacent once resolved; checked when built. */
    public Softmax(int[] axes) {
        if (axes == null || axes.length == 0) {
            throw new IllegalArgumentException(name() + ": axis of a Softmax layer must be an axis or a list of axes, got "
                    + (axes == null ? "null" : "[]"));
        }
        this.axes = axes.clone();
        this.list = true;
    }

    @Override
    public String kerasClass() { return "Softmax"; }

    /** The axes as given (one unless made from a list). */
    public int[] axes() { return axes.clone(); }

    /** Whether the axes were given as a list (Keras' config then holds a list). */
    public boolean axisList() { return list; }

    /** The axes for per-sample shape {@code s}, as [first, last] per-sample axes counted from 1; refuses bad ones. */
    private int[] span(int[] s) {
        int rank = s.length + 1;
        int[] r = new int[axes.length];
        for (int i = 0; i < axes.length; i++) {
            int a = axes[i] < 0 ? axes[i] + rank : axes[i];
            if (a < 1 || a >= rank) {
                throw new IllegalArgumentException(name() + ": axis " + axes[i] + " of a Softmax layer is not an axis of its input "
                        + Layers.withBatch(s) + ": expected one of 1.." + (rank - 1) + " or -" + (rank - 1) + "..-1 (0 is the batch axis),"
                        + " got " + axes[i]);
            }
            r[i] = a;
        }
        int[] sorted = r.clone();
        Arrays.sort(sorted);
        for (int i = 1; i < sorted.length; i++) {
            if (sorted[i] != sorted[i - 1] + 1) {
                throw new IllegalArgumentException(name() + ": axis " + Arrays.toString(axes) + " of a Softmax layer: expected"
                        + " distinct adjacent axes of input " + Layers.withBatch(s) + ", got axes " + Arrays.toString(sorted));
            }
        }
        return new int[] {sorted[0], sorted[sorted.length - 1]};
    }

    @Override
    public List<int[]> computeOutputShapes(List<int[]> in) {
        int[] s = Layers.singleShape(this, in);
        span(s);
        return List.of(s.clone());
    }

    @Override
    public void releaseBuffers() {
        toEnd.release();
        back.release();
        super.releaseBuffers();
    }

    @Override
    public Trace forward(List<DTensor> inputs, DTensor mask, boolean training) {
        DTensor x = Layers.singleBuilt(this, inputs, 2);
        Backend be = backend();
        int[] s = Arrays.copyOfRange(x.shape(), 1, x.rank());
        int[] sp = span(s);
        int width = 1;
        for (int a = sp[0]; a <= sp[1]; a++) width *= s[a - 1];
        int[] dims = null, inverse = null;
        if (sp[1] != s.length) {   // the axes are not last: moved there, and back after
            dims = new int[s.length];
            inverse = new int[s.length];
            int k = 0;
            for (int a = 1; a <= s.length; a++) if (a < sp[0] || a > sp[1]) dims[k++] = a;
            for (int a = sp[0]; a <= sp[1]; a++) dims[k++] = a;
            for (int i = 0; i < dims.length; i++) inverse[dims[i] - 1] = i + 1;
        }
        long n = x.size();
        int cols = width;
        List<DTensor> owned = new ArrayList<>();
        try {
            int[] keep = dims, undo = inverse;
            DTensor in = x;
            int maskRows = 0, maskCols = 0;
            if (mask != null) {
                maskRows = (int) mask.size();
                if (mask.rank() != 2 || mask.dim(0) != x.dim(0) || mask.dim(1) != x.dim(1)) {
                    throw new IllegalArgumentException(name() + ": expected a mask (batch, steps) of input " + Tensor.shapeString(x.shape())
                            + ", got " + Tensor.shapeString(mask.shape()));
                }
                maskCols = (int) (n / Math.max(1, maskRows));
                in = Layers.tensor(be, owned, x.shape());
                be.maskedMulRows(maskRows, maskCols, x.buf(), 0, mask.buf(), 0, in.buf(), 0);
                // + (1 - mask) * -1e9, a rank-one update: where(mask, x, -1e9)
                DTensor off = Layers.tensor(be, owned, maskRows);
                be.fill(off.buf(), 0, maskRows, LARGE_NEGATIVE);
                be.axpy(maskRows, -LARGE_NEGATIVE, mask.buf(), 0, off.buf(), 0);
                DTensor ones = Layers.tensor(be, owned, maskCols);
                be.fill(ones.buf(), 0, maskCols, 1f);
                be.gemm(false, false, maskRows, maskCols, 1, 1f, off.buf(), 0, 1, ones.buf(), 0, maskCols, 1f, in.buf(), 0, maskCols);
            }
            DTensor moved = keep == null ? in : permuted(be, in, keep, toEnd, owned);
            DTensor ym = Layers.tensor(be, owned, moved.shape());
            be.activate(Activation.SOFTMAX, n, cols, moved.buf(), 0, ym.buf(), 0);
            DTensor y = keep == null ? ym : permuted(be, ym, undo, back, owned);
            if (mask != null) be.maskedMulRows(maskRows, maskCols, y.buf(), 0, mask.buf(), 0, y.buf(), 0);
            int mr = maskRows, mc = maskCols;
            return Layers.trace(this, y, mask, owned, dy -> {
                DTensor dx = Layers.tensor(be, owned, x.shape());
                if (dy == null) return List.of(dx);
                DTensor g = dy;
                if (mask != null) {
                    g = Layers.tensor(be, owned, x.shape());
                    be.maskedMulRows(mr, mc, dy.buf(), 0, mask.buf(), 0, g.buf(), 0);
                }
                DTensor gm = keep == null ? g : permuted(be, g, keep, toEnd, owned);
                DTensor dm = Layers.tensor(be, owned, gm.shape());
                be.activateBackward(Activation.SOFTMAX, n, cols, ym.buf(), 0, gm.buf(), 0, dm.buf(), 0);
                if (keep == null) be.copy(dm.buf(), 0, dx.buf(), 0, n);
                else Permute.permute(be, name(), undo, dm, dx, back, false);
                if (mask != null) be.maskedMulRows(mr, mc, dx.buf(), 0, mask.buf(), 0, dx.buf(), 0);
                return List.of(dx);
            });
        } catch (RuntimeException e) {
            for (DTensor d : owned) d.close();
            throw e;
        }
    }

    /** {@code x} with its per-sample axes reordered by {@code dims} (1-based), a new tensor to {@code owned}. */
    private DTensor permuted(Backend be, DTensor x, int[] dims, MergeBroadcast.Indices indices, List<DTensor> owned) {
        int[] shape = new int[x.rank()];
        shape[0] = x.dim(0);
        for (int i = 0; i < dims.length; i++) shape[i + 1] = x.dim(dims[i]);
        DTensor y = Layers.tensor(be, owned, shape);
        Permute.permute(be, name(), dims, x, y, indices, false);
        return y;
    }

    @Override
    public Softmax name(String n) { super.name(n); return this; }

    @Override
    public Softmax dtype(String policy) { super.dtype(policy); return this; }

    @Override
    public Softmax seed(long s) { super.seed(s); return this; }

    @Override
    public Softmax inputShape(int... shape) { super.inputShape(shape); return this; }

    @Override
    public Softmax batchInputShape(int batch, int... shape) { super.batchInputShape(batch, shape); return this; }

    @Override
    public Softmax inputLength(int n) { super.inputLength(n); return this; }

    @Override
    public Softmax inputDim(int d) { super.inputDim(d); return this; }

    @Override
    public Softmax trainable(boolean t) { super.trainable(t); return this; }

    /** Keras 3's {@code supports_masking} is true here: a mask passes on where the steps stay. */
    @Override
    public boolean passesMask() { return true; }
}
