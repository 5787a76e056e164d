package dev.jrnn.layers;

import dev.jrnn.backend.Backend;
import dev.jrnn.backend.DTensor;

import java.util.List;

/**
 * Keras Cropping1D: drops {@code left} steps at the start and {@code right} at the end of each sample of a
 * (batch, steps, features) input; at least one step must stay. No weights; no mask passes on (as Keras 3).
 *
 * <pre>{@code
 * Input x = Input.shape(3, 2);
 * Node y = new Cropping1D(1).apply(x);   // (None, 1, 2): the middle step
 * }</pre>
 */
public class Cropping1D extends Rearrangement {
    private final int left, right;

    /** One step off each end (Keras' default cropping=(1, 1)). */
    public Cropping1D() { this(1, 1); }

    /** {@code cropping} steps off each end. */
    public Cropping1D(int cropping) { this(cropping, cropping); }

    /** {@code left} steps off the start, {@code right} off the end; both &gt;= 0. */
    public Cropping1D(int left, int right) {
        if (left < 0 || right < 0) {
            throw new IllegalArgumentException("Cropping1D: cropping must be >= 0 at both ends, got (" + left + ", " + right + ")");
        }
        this.left = left;
        this.right = right;
    }

    @Override
    public String kerasClass() { return "Cropping1D"; }

    /** The (left, right) cropping. */
    public int[] cropping() { return new int[] {left, right}; }

    @Override
    public List<int[]> computeOutputShapes(List<int[]> in) {
        int[] s = Layers.singleShape(this, in);
        require3d(s);
        if (s[0] >= 0 && (long) left + right >= s[0]) {
            throw new IllegalArgumentException(name() + ": cropping (" + left + ", " + right + ") must leave at least one of the "
                    + s[0] + " steps of an input " + Layers.withBatch(s));
        }
        return List.of(new int[] {s[0] < 0 ? -1 : s[0] - left - right, s[1]});
    }

    @Override
    void rearrange(Backend be, DTensor x, DTensor y, List<DTensor> owned) {
        int f = x.dim(2), kept = y.dim(1);
        be.copy2d(x.dim(0), kept * f, x.buf(), (long) left * f, x.dim(1) * f, y.buf(), 0, kept * f);
    }

    @Override
    void rearrangeBackward(Backend be, DTensor dy, DTensor dx, List<DTensor> owned) {
        int f = dx.dim(2), kept = dy.dim(1);
        be.copy2d(dx.dim(0), kept * f, dy.buf(), 0, kept * f, dx.buf(), (long) left * f, dx.dim(1) * f);
    }

    @Override
    public Cropping1D name(String n) { super.name(n); return this; }

    @Override
    public Cropping1D dtype(String policy) { super.dtype(policy); return this; }

    @Override
    public Cropping1D seed(long s) { super.seed(s); return this; }

    @Override
    public Cropping1D inputShape(int... shape) { super.inputShape(shape); return this; }

    @Override
    public Cropping1D batchInputShape(int batch, int... shape) { super.batchInputShape(batch, shape); return this; }

    @Override
    public Cropping1D inputLength(int n) { super.inputLength(n); return this; }

    @Override
    public Cropping1D inputDim(int d) { super.inputDim(d); return this; }

    @Override
    public Cropping1D trainable(boolean t) { super.trainable(t); return this; }
}
