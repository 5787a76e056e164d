package dev.jrnn.layers;

import dev.jrnn.backend.Backend;
import dev.jrnn.backend.DTensor;

import java.util.List;

/**
 * Keras ZeroPadding1D: adds {@code left} zero steps before and {@code right} after each sample of a
 * (batch, steps, features) input (channels_last). No weights; no mask passes on (as Keras 3).
 *
 * <pre>{@code
 * Input x = Input.shape(2, 3);
 * Node y = new ZeroPadding1D(2).apply(x);   // (None, 6, 3): two zero steps at each end
 * }</pre>
 */
public class ZeroPadding1D extends Rearrangement {
    private final int left, right;

    /** One zero step at each end (Keras' default padding=1). */
    public ZeroPadding1D() { this(1, 1); }

    /** {@code padding} zero steps at each end. */
    public ZeroPadding1D(int padding) { this(padding, padding); }

    /** {@code left} zero steps before, {@code right} after; both &gt;= 0. */
    public ZeroPadding1D(int left, int right) {
        if (left < 0 || right < 0) {
            throw new IllegalArgumentException("ZeroPadding1D: padding must be >= 0 at both ends, got (" + left + ", " + right + ")");
        }
        this.left = left;
        this.right = right;
    }

    @Override
    public String kerasClass() { return "ZeroPadding1D"; }

    /** The (left, right) padding. */
    public int[] padding() { return new int[] {left, right}; }

    @Override
    public List<int[]> computeOutputShapes(List<int[]> in) {
        int[] s = Layers.singleShape(this, in);
        require3d(s);
        long t = (long) s[0] + left + right;
        if (s[0] >= 0 && t > Integer.MAX_VALUE) {
            throw new IllegalArgumentException(name() + ": padding (" + left + ", " + right + ") makes " + t + " steps, more than "
                    + Integer.MAX_VALUE);
        }
        return List.of(new int[] {s[0] < 0 ? -1 : (int) t, s[1]});
    }

    @Override
    void rearrange(Backend be, DTensor x, DTensor y, List<DTensor> owned) {
        int t = x.dim(1), f = x.dim(2);
        if (x.size() > 0) be.copy2d(x.dim(0), t * f, x.buf(), 0, t * f, y.buf(), (long) left * f, y.dim(1) * f);
    }

    @Override
    void rearrangeBackward(Backend be, DTensor dy, DTensor dx, List<DTensor> owned) {
        int t = dx.dim(1), f = dx.dim(2);
        if (dx.size() > 0) be.copy2d(dx.dim(0), t * f, dy.buf(), (long) left * f, dy.dim(1) * f, dx.buf(), 0, t * f);
    }

    @Override
    public ZeroPadding1D name(String n) { super.name(n); return this; }

    @Override
    public ZeroPadding1D dtype(String policy) { super.dtype(policy); return this; }

    @Override
    public ZeroPadding1D seed(long s) { super.seed(s); return this; }

    @Override
    public ZeroPadding1D inputShape(int... shape) { super.inputShape(shape); return this; }

    @Override
    public ZeroPadding1D batchInputShape(int batch, int... shape) { super.batchInputShape(batch, shape); return this; }

    @Override
    public ZeroPadding1D inputLength(int n) { super.inputLength(n); return this; }

    @Override
    public ZeroPadding1D inputDim(int d) { super.inputDim(d); return this; }

    @Override
    public ZeroPadding1D trainable(boolean t) { super.trainable(t); return this; }
}
