package dev.jrnn.layers;

import dev.jrnn.backend.Backend;
import dev.jrnn.backend.DTensor;
import dev.jrnn.tensor.Tensor;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Keras RepeatVector: repeats a (batch, features) input {@code n} times into (batch, n, features). No
 * weights and no output mask (as Keras).
 *
 * <pre>{@code
 * RepeatVector r = new RepeatVector(3);
 * Tensor y = r.call(Tensor.zeros(2, 4));   // (2, 3, 4)
 * }</pre>
 */
public class RepeatVector extends WeightlessLayer {
    private final int n;

    /** {@code n}: how many times to repeat, positive. */
    public RepeatVector(int n) {
        if (n <= 0) throw new IllegalArgumentException("RepeatVector: n must be positive, got " + n);
        this.n = n;
    }

    @Override
    public String kerasClass() { return "RepeatVector"; }

    /** Keras' {@code n}: how many times the input is repeated. */
    public int n() { return n; }

    @Override
    public List<int[]> computeOutputShapes(List<int[]> in) {
        Layers.singleShape(this, in);
        int[] x = in.get(0);
        if (x.length != 1) {
            throw new IllegalArgumentException(name() + ": expected input (batch, features), got " + Layers.withBatch(x));
        }
        return List.of(new int[] {n, x[0]});
    }

    @Override
    public Trace forward(List<DTensor> inputs, DTensor mask, boolean training) {
        DTensor x = Layers.single(this, inputs);
        if (x.rank() != 2) {
            throw new IllegalArgumentException(name() + ": expected input (batch, features), got " + Tensor.shapeString(x.shape()));
        }
        build(Layers.perSample(inputs));
        Backend be = backend();
        Layers.sameBackend(this, be, inputs);
        int b = x.dim(0), f = x.dim(1);
        List<DTensor> owned = new ArrayList<>();
        DTensor y = DTensor.zeros(be, b, n, f);
        owned.add(y);
        repeat(be, b, n, f, x, y, owned);
        return Layers.trace(this, y, null, owned, dy -> {
            DTensor dx = DTensor.zeros(be, b, f);
            owned.add(dx);
            if (dy != null && b > 0 && f > 0) {
                // dx[i, :] = sum over t of dy[i, t, :]: put t first, then sum the rows
                DTensor tb = DTensor.zeros(be, n, b, f);
                owned.add(tb);
                be.transpose01(b, n, f, dy.buf(), 0, tb.buf(), 0);
                be.sumRows(n, b * f, tb.buf(), 0, dx.buf(), 0, false);
            }
            return List.of(dx);
        });
    }

    /**
     * {@code y[i, t, :] = x[i, :]} for t &lt; n ({@code x} [b, f], {@code y} [b, n, f]): x added to n rows of zeros, then
     * the first two axes swapped, three operations whatever n (n strided copies were n kernel launches on CUDA). Exact.
     */
    static void repeat(Backend be, int b, int n, int f, DTensor x, DTensor y, List<DTensor> owned) {
        if (b == 0 || n == 0 || f == 0) return;
        DTensor stepsFirst = DTensor.zeros(be, n, b, f);
        owned.add(stepsFirst);
        be.addRowVector(n, Math.multiplyExact(b, f), x.buf(), 0, stepsFirst.buf(), 0);
        be.transpose01(n, b, f, stepsFirst.buf(), 0, y.buf(), 0);
    }

    @Override
    public RepeatVector name(String n) { super.name(n); return this; }

    @Override
    public RepeatVector dtype(String policy) { super.dtype(policy); return this; }

    @Override
    public RepeatVector seed(long s) { super.seed(s); return this; }

    @Override
    public RepeatVector inputShape(int... shape) { super.inputShape(shape); return this; }

    @Override
    public RepeatVector batchInputShape(int batch, int... shape) { super.batchInputShape(batch, shape); return this; }

    @Override
    public RepeatVector inputLength(int n) { super.inputLength(n); return this; }

    @Override
    public RepeatVector inputDim(int d) { super.inputDim(d); return this; }

    @Override
    public RepeatVector trainable(boolean t) { super.trainable(t); return this; }
}
