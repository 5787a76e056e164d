package dev.jrnn.layers;

import dev.jrnn.backend.Backend;
import dev.jrnn.backend.DTensor;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Keras Dot: the batch dot product of two inputs (batch, d) or (batch, m, n) over one axis of each (Keras'
 * {@code batch_dot}); with {@code normalize(true)} each input is first L2-normalized along that axis (Keras'
 * {@code x * rsqrt(max(sum(x^2), 1e-7^2))}), giving cosine similarities. The output is the first input's other axes,
 * then the second's: (batch, 1) for two vectors, (batch, m1, m2) for two matrices. No weights; no output mask (Keras'
 * {@code compute_mask} returns None).
 *
 * <pre>{@code
 * Input q = Input.shape(5, 8), k = Input.shape(7, 8);
 * Node scores = new Dot(2).apply(q, k);                      // (None, 5, 7): q times k transposed, per sample
 * Node cos = new Dot(1).normalize(true).apply(Input.shape(8), Input.shape(8));   // (None, 1)
 * }</pre>
 */
public class Dot extends Merge {
    /** Keras' backend epsilon: the smallest norm normalization divides by. */
    private static final float EPSILON = 1e-7f;

    private final int[] axes;
    private boolean normalize;

    /**
     * {@code axes}: one axis for both inputs, or one per input (Keras' int or pair); counted with the batch axis as
     * 0 (which cannot be taken), negative from the end.
     */
    public Dot(int... axes) {
        if (axes == null || axes.length < 1 || axes.length > 2) {
            throw new IllegalArgumentException("Dot: axes must be one axis or two (one per input), got "
                    + (axes == null ? "null" : Arrays.toString(axes)));
        }
        for (int a : axes) {
            if (a == 0) throw new IllegalArgumentException("Dot: axes cannot include the batch axis 0, got " + Arrays.toString(axes));
        }
        this.axes = axes.clone();
    }

    @Override
    public String kerasClass() { return "Dot"; }

    @Override
    boolean broadcasts() { return false; }

    /** The axes as given (one or two). */
    public int[] axes() { return axes.clone(); }

    /** Keras' {@code normalize}; default false. */
    public boolean normalize() { return normalize; }

    /** Whether to L2-normalize each input along its dot axis first (Keras' {@code normalize}, default false). */
    public Dot normalize(boolean n) {
        this.normalize = n;
        return this;
    }

    /** Input i's dot axis among its per-sample axes (0-based) for a per-sample shape of {@code rank} axes. */
    private int axis(int i, int rank) {
        int a = axes[axes.length == 1 ? 0 : i];
        int r = a < 0 ? a + rank + 1 : a;   // Keras' a % ndim, the batch axis counted
        if (r < 1 || r > rank) {
            throw new IllegalArgumentException(name() + ": axes " + Arrays.toString(axes) + " give axis " + a + " of input " + i
                    + ", which has axes 1.." + rank + " besides the batch");
        }
        return r - 1;
    }

    @Override
    public List<int[]> computeOutputShapes(List<int[]> in) {
        checkCount(in);
        requireTwo(this, in.size());
        int[] a = in.get(0), b = in.get(1);
        for (int[] s : in) {
            if (s.length < 1 || s.length > 2) {
                throw new IllegalArgumentException(name() + ": Dot takes inputs (batch, d) or (batch, m, n), got "
                        + Layers.withBatch(a) + " and " + Layers.withBatch(b));
            }
        }
        int ia = axis(0, a.length), ib = axis(1, b.length);
        if (a[ia] != b[ib] && a[ia] >= 0 && b[ib] >= 0) {
            throw new IllegalArgumentException(name() + ": axes " + Arrays.toString(axes) + " pair " + a[ia] + " values of input 0 "
                    + Layers.withBatch(a) + " with " + b[ib] + " of input 1 " + Layers.withBatch(b) + "; they must match");
        }
        List<Integer> out = new ArrayList<>();
        for (int i = 0; i < a.length; i++) if (i != ia) out.add(a[i]);
        for (int i = 0; i < b.length; i++) if (i != ib) out.add(b[i]);
        if (out.isEmpty()) out.add(1);
        return List.of(out.stream().mapToInt(Integer::intValue).toArray());
    }

    /** No mask comes out of a Dot (Keras). */
    @Override
    DTensor outputMask(Backend be, List<DTensor> xs, List<DTensor> masks, List<DTensor> owned) {
        return null;
    }

    /** Each input as [batch, rows, d] with the dot axis last (a transposed copy where it is not), normalized if asked. */
    private List<DTensor> canonical(Backend be, List<DTensor> xs, List<DTensor> owned) {
        List<DTensor> r = new ArrayList<>();
        for (int i = 0; i < 2; i++) {
            DTensor x = xs.get(i);
            int rank = x.rank() - 1, ax = axis(i, rank);
            DTensor c = x;
            if (rank == 2 && ax == 0) {
                c = DTensor.zeros(be, x.dim(0), x.dim(2), x.dim(1));
                owned.add(c);
                Permute.permute(be, name(), new int[] {2, 1}, x, c, indices, false);
            }
            if (normalize) c = DotNorm.forward(be, c, EPSILON, owned);
            r.add(c);
        }
        return r;
    }

    /**
     * Per sample, {@code out = X Y^T} for X [p, d] and Y [q, d] (one batched product); two vectors make one product and
     * one row sum.
     */
    @Override
    DTensor merge(Backend be, List<DTensor> xs, List<DTensor> owned) {
        List<DTensor> c = canonical(be, xs, owned);
        DTensor x = c.get(0), y = c.get(1);
        int b = x.dim(0), d = x.dim(x.rank() - 1);
        int p = (int) (x.size() / Math.max(1, (long) b * d)), q = (int) (y.size() / Math.max(1, (long) b * d));
        int[] shape = Layers.batchDims(computeOutputShapes(Layers.perSample(xs)).get(0));
        shape[0] = b;
        DTensor out = DTensor.zeros(be, shape);
        owned.add(out);
        if (out.size() == 0 || d == 0) return out;
        if (p == 1 && q == 1) {
            DTensor xy = DTensor.zeros(be, b, d), ones = DTensor.zeros(be, d);
            owned.add(xy);
            owned.add(ones);
            be.mul((long) b * d, x.buf(), 0, y.buf(), 0, xy.buf(), 0);
            be.fill(ones.buf(), 0, d, 1f);
            be.gemm(false, false, b, 1, d, 1f, xy.buf(), 0, d, ones.buf(), 0, 1, 0f, out.buf(), 0, 1);
            return out;
        }
        be.gemmBatched(b, false, true, p, q, d, 1f, x.buf(), 0, d, (long) p * d, y.buf(), 0, d, (long) q * d,
                0f, out.buf(), 0, q, (long) p * q);
        return out;
    }

    /**
     * dX = G Y and dY = G^T X per sample (G [p, q]; two batched products), then back through the normalization and
     * transposition.
     */
    @Override
    void mergeBackward(Backend be, List<DTensor> xs, DTensor dy, List<DTensor> dx) {
        List<DTensor> tmp = new ArrayList<>();
        try {
            List<DTensor> c = canonical(be, xs, tmp);
            DTensor x = c.get(0), y = c.get(1);
            int b = x.dim(0), d = x.dim(x.rank() - 1);
            if (d == 0 || dy.size() == 0) return;
            int p = (int) (x.size() / ((long) b * d)), q = (int) (y.size() / ((long) b * d));
            DTensor gx = DTensor.zeros(be, x.shape()), gy = DTensor.zeros(be, y.shape());
            tmp.add(gx);
            tmp.add(gy);
            be.gemmBatched(b, false, false, p, d, q, 1f, dy.buf(), 0, q, (long) p * q, y.buf(), 0, d, (long) q * d,
                    0f, gx.buf(), 0, d, (long) p * d);
            be.gemmBatched(b, true, false, q, d, p, 1f, dy.buf(), 0, q, (long) p * q, x.buf(), 0, d, (long) p * d,
                    0f, gy.buf(), 0, d, (long) q * d);
            List<DTensor> g = List.of(gx, gy);
            for (int i = 0; i < 2; i++) {
                DTensor xi = xs.get(i), gi = g.get(i);
                int rank = xi.rank() - 1;
                boolean transposed = rank == 2 && axis(i, rank) == 0;
                if (normalize) {
                    DTensor raw = xi;
                    if (transposed) {
                        raw = DTensor.zeros(be, gi.shape());
                        tmp.add(raw);
                        Permute.permute(be, name(), new int[] {2, 1}, xi, raw, indices, false);
                    }
                    gi = DotNorm.backward(be, raw, gi, EPSILON, tmp);
                }
                if (transposed) Permute.permute(be, name(), new int[] {2, 1}, dx.get(i), gi, indices, true);
                else be.copy(gi.buf(), 0, dx.get(i).buf(), 0, gi.size());
            }
        } finally {
            for (DTensor t : tmp) t.close();
        }
    }

    @Override
    public Dot name(String n) { super.name(n); return this; }

    @Override
    public Dot dtype(String policy) { super.dtype(policy); return this; }

    @Override
    public Dot seed(long s) { super.seed(s); return this; }

    @Override
    public Dot trainable(boolean t) { super.trainable(t); return this; }
}
