package dev.jrnn.layers;

import dev.jrnn.backend.Backend;
import dev.jrnn.backend.DTensor;

import java.util.ArrayList;
import java.util.List;

/**
 * Keras AveragePooling1D: the mean of each window of {@code poolSize} steps, every {@code strides} steps (default
 * poolSize). With padding "same" a window's mean is over its steps inside the input only, as Keras computes it.
 *
 * <pre>{@code
 * Sequential m = new Sequential(new Conv1D(16, 3).activation("relu").inputShape(100, 4),
 *         new AveragePooling1D(2), new LSTM(8), new Dense(1));   // (None, 49, 16) into the LSTM
 * }</pre>
 */
public class AveragePooling1D extends Pooling1D {
    /** Keras' {@code AveragePooling1D(pool_size)}: strides the pool size, padding "valid". */
    public AveragePooling1D(int poolSize) { super("AveragePooling1D", poolSize); }

    @Override
    public String kerasClass() { return "AveragePooling1D"; }

    @Override
    Trace pool(Backend be, DTensor x, Windows1D g) {
        List<DTensor> owned = new ArrayList<>();
        try {
            DTensor xp = g.padded(be, x, 0f, owned);
            DTensor full = DTensor.zeros(be, g.b * g.q, g.c);
            owned.add(full);
            DTensor tmp = DTensor.zeros(be, g.b * g.q, g.c);
            owned.add(tmp);
            for (int j = 0; j < poolSize(); j++) g.gatherAdd(be, xp.buf(), j, full.buf(), tmp.buf());
            DTensor inverse = divide(be, g, full, owned);
            DTensor y = g.valid(be, full.buf(), g.c, owned);
            return Layers.trace(this, y, null, owned, dy -> {
                if (dy == null || g.b == 0 || g.out == 0) {
                    DTensor dx = DTensor.zeros(be, x.shape());
                    owned.add(dx);
                    return List.of(dx);
                }
                DTensor dFull = g.full(be, dy, g.c, owned);
                if (inverse == null) be.scale((long) g.b * g.q * g.c, 1f / poolSize(), dFull.buf(), 0);
                else be.mulRows(g.b * g.q, g.c, dFull.buf(), 0, inverse.buf(), 0, dFull.buf(), 0);
                return List.of(g.windowsBack(be, dFull.buf(), 0, g.c, poolSize(), owned));   // every step of a window: its row
            });
        } catch (RuntimeException | Error e) {
            for (DTensor d : owned) d.close();
            throw e;
        }
    }

    /**
     * Divides the window sums in {@code full} by their counts: poolSize without padding (returns null), else the steps
     * of each window inside the input, counted on the device (a CUDA graph may capture this) as the sums of a padded
     * tensor of ones; returns those inverses, one per row, for the backward.
     */
    private DTensor divide(Backend be, Windows1D g, DTensor full, List<DTensor> owned) {
        if (g.left == 0 && g.out * g.strides + poolSize() - g.strides <= g.t) {   // no window reaches a pad step
            be.scale((long) g.b * g.q * g.c, 1f / poolSize(), full.buf(), 0);
            return null;
        }
        Windows1D one = new Windows1D(name(), g.b, g.t, 1, poolSize(), g.strides, padding());
        DTensor ones = DTensor.zeros(be, g.b, g.t, 1);
        owned.add(ones);
        be.fill(ones.buf(), 0, (long) g.b * g.t, 1f);
        DTensor onesP = one.padded(be, ones, 0f, owned);
        DTensor inv = DTensor.zeros(be, g.b * g.q, 1);
        owned.add(inv);
        DTensor tmp = DTensor.zeros(be, g.b * g.q, 1);
        owned.add(tmp);
        for (int j = 0; j < poolSize(); j++) one.gatherAdd(be, onesP.buf(), j, inv.buf(), tmp.buf());
        long n = (long) g.b * g.q;
        // rows past a sample's outputs may count 0: 1 keeps their (dropped) values and zero gradients finite
        be.clip(n, 1f, Float.MAX_VALUE, inv.buf(), 0);
        // 1/count as rsqrt(count^2): count^2 is exact, so one rounding (as Keras' division) where rsqrt is exact (the CPU);
        // within rsqrtf's ulps on CUDA (there is no division op)
        be.mul(n, inv.buf(), 0, inv.buf(), 0, inv.buf(), 0);
        be.rsqrt(n, 0f, inv.buf(), 0, inv.buf(), 0);
        be.mulRows(g.b * g.q, g.c, full.buf(), 0, inv.buf(), 0, full.buf(), 0);
        return inv;
    }

    @Override
    public AveragePooling1D strides(int s) { super.strides(s); return this; }

    @Override
    public AveragePooling1D padding(String p) { super.padding(p); return this; }

    @Override
    public AveragePooling1D name(String n) { super.name(n); return this; }

    @Override
    public AveragePooling1D dtype(String policy) { super.dtype(policy); return this; }

    @Override
    public AveragePooling1D seed(long s) { super.seed(s); return this; }

    @Override
    public AveragePooling1D inputShape(int... shape) { super.inputShape(shape); return this; }

    @Override
    public AveragePooling1D batchInputShape(int batch, int... shape) { super.batchInputShape(batch, shape); return this; }

    @Override
    public AveragePooling1D inputLength(int n) { super.inputLength(n); return this; }

    @Override
    public AveragePooling1D inputDim(int d) { super.inputDim(d); return this; }

    @Override
    public AveragePooling1D trainable(boolean t) { super.trainable(t); return this; }
}
