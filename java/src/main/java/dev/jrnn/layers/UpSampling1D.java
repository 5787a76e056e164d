package dev.jrnn.layers;

import dev.jrnn.backend.Backend;
import dev.jrnn.backend.DTensor;

import java.util.List;

/**
 * Keras UpSampling1D: repeats each step of a (batch, steps, features) input {@code size} times along the time axis.
 * No weights; no mask passes on (as Keras 3).
 *
 * <pre>{@code
 * Input x = Input.shape(2, 3);
 * Node y = new UpSampling1D(2).apply(x);   // (None, 4, 3): steps 0, 0, 1, 1
 * }</pre>
 */
public class UpSampling1D extends Rearrangement {
    private final int size;

    /** Each step twice (Keras' default size=2). */
    public UpSampling1D() { this(2); }

    /** {@code size}: how many times each step is repeated, positive. */
    public UpSampling1D(int size) {
        if (size <= 0) throw new IllegalArgumentException("UpSampling1D: size must be a positive integer, got " + size);
        this.size = size;
    }

    @Override
    public String kerasClass() { return "UpSampling1D"; }

    /** Keras' {@code size}: how many times each step is repeated; default 2. */
    public int size() { return size; }

    @Override
    public List<int[]> computeOutputShapes(List<int[]> in) {
        int[] s = Layers.singleShape(this, in);
        require3d(s);
        long t = (long) s[0] * size;
        if (t > Integer.MAX_VALUE) {
            throw new IllegalArgumentException(name() + ": size " + size + " makes " + t + " steps, more than " + Integer.MAX_VALUE);
        }
        return List.of(new int[] {s[0] < 0 ? -1 : (int) t, s[1]});
    }

    /** One strided copy per repetition: step t goes to steps t * size + r. */
    @Override
    void rearrange(Backend be, DTensor x, DTensor y, List<DTensor> owned) {
        int rows = x.dim(0) * x.dim(1), f = x.dim(2);
        for (int r = 0; r < size; r++) be.copy2d(rows, f, x.buf(), 0, f, y.buf(), (long) r * f, size * f);
    }

    /** dx[step] = the sum of dy over its repetitions: repetitions first, then the rows summed. */
    @Override
    void rearrangeBackward(Backend be, DTensor dy, DTensor dx, List<DTensor> owned) {
        int rows = dx.dim(0) * dx.dim(1), f = dx.dim(2);
        DTensor rb = DTensor.zeros(be, size, rows, f);
        owned.add(rb);
        be.transpose01(rows, size, f, dy.buf(), 0, rb.buf(), 0);
        be.sumRows(size, rows * f, rb.buf(), 0, dx.buf(), 0, false);
    }

    @Override
    public UpSampling1D name(String n) { super.name(n); return this; }

    @Override
    public UpSampling1D dtype(String policy) { super.dtype(policy); return this; }

    @Override
    public UpSampling1D seed(long s) { super.seed(s); return this; }

    @Override
    public UpSampling1D inputShape(int... shape) { super.inputShape(shape); return this; }

    @Override
    public UpSampling1D batchInputShape(int batch, int... shape) { super.batchInputShape(batch, shape); return this; }

    @Override
    public UpSampling1D inputLength(int n) { super.inputLength(n); return this; }

    @Override
    public UpSampling1D inputDim(int d) { super.inputDim(d); return this; }

    @Override
    public UpSampling1D trainable(boolean t) { super.trainable(t); return this; }
}
