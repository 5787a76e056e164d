package dev.jrnn.layers;

import dev.jrnn.backend.Backend;
import dev.jrnn.backend.DTensor;

import java.util.ArrayList;
import java.util.List;

/**
 * Keras MaxPooling1D: the maximum of each window of {@code poolSize} steps, every {@code strides} steps (default
 * poolSize); with padding "same" pad steps never win. Where several steps of a window tie for the maximum, the window's
 * gradient goes to the earliest of them ({@link Backend#maxOverStepsFirstBackward}), as Keras 3.15.1 on TensorFlow and JAX
 * (checked; Changed (session 21): jrnn split it among them). {@link GlobalMaxPooling1D} splits it, as Keras on both.
 *
 * <pre>{@code
 * Sequential m = new Sequential(new Conv1D(32, 5).activation("relu").inputShape(200, 8),
 *         new MaxPooling1D(4), new LSTM(16), new Dense(1));    // (None, 49, 32) into the LSTM
 * }</pre>
 */
public class MaxPooling1D extends Pooling1D {
    /** Keras' {@code MaxPooling1D(pool_size)}: strides the pool size, padding "valid". */
    public MaxPooling1D(int poolSize) { super("MaxPooling1D", poolSize); }

    @Override
    public String kerasClass() { return "MaxPooling1D"; }

    @Override
    Trace pool(Backend be, DTensor x, Windows1D g) {
        int p = poolSize();
        List<DTensor> owned = new ArrayList<>();
        try {
            DTensor xp = g.padded(be, x, Float.NEGATIVE_INFINITY, owned);
            // each output row's window as p consecutive rows: [b·q, p, c]; window steps past the padded input stay -inf
            DTensor win = DTensor.zeros(be, g.b * g.q, p, g.c);
            owned.add(win);
            DTensor full = DTensor.zeros(be, g.b * g.q, g.c);
            owned.add(full);
            be.fill(win.buf(), 0, (long) g.b * g.q * p * g.c, Float.NEGATIVE_INFINITY);
            for (int j = 0; j < p; j++) {
                int m = g.rows(j);
                if (m > 0) be.copy2d(m, g.c, xp.buf(), (long) j * g.c, g.strides * g.c, win.buf(), (long) j * g.c, p * g.c);
            }
            if (g.b > 0) be.maxOverSteps(g.b * g.q, p, g.c, win.buf(), 0, full.buf(), 0);
            DTensor y = g.valid(be, full.buf(), g.c, owned);
            return Layers.trace(this, y, null, owned, dy -> {
                if (dy == null || g.b == 0 || g.out == 0) {
                    DTensor dx = DTensor.zeros(be, x.shape());
                    owned.add(dx);
                    return List.of(dx);
                }
                DTensor dFull = g.full(be, dy, g.c, owned);   // dropped rows: zero gradient
                DTensor dWin = DTensor.zeros(be, g.b * g.q, p, g.c);
                owned.add(dWin);
                be.maxOverStepsFirstBackward(g.b * g.q, p, g.c, win.buf(), 0, full.buf(), 0, dFull.buf(), 0, dWin.buf(), 0);
                return List.of(g.windowsBack(be, dWin.buf(), g.c, p * g.c, p, owned));   // window step j: its own column block
            });
        } catch (RuntimeException | Error e) {
            for (DTensor d : owned) d.close();
            throw e;
        }
    }

    @Override
    public MaxPooling1D strides(int s) { super.strides(s); return this; }

    @Override
    public MaxPooling1D padding(String p) { super.padding(p); return this; }

    @Override
    public MaxPooling1D name(String n) { super.name(n); return this; }

    @Override
    public MaxPooling1D dtype(String policy) { super.dtype(policy); return this; }

    @Override
    public MaxPooling1D seed(long s) { super.seed(s); return this; }

    @Override
    public MaxPooling1D inputShape(int... shape) { super.inputShape(shape); return this; }

    @Override
    public MaxPooling1D batchInputShape(int batch, int... shape) { super.batchInputShape(batch, shape); return this; }

    @Override
    public MaxPooling1D inputLength(int n) { super.inputLength(n); return this; }

    @Override
    public MaxPooling1D inputDim(int d) { super.inputDim(d); return this; }

    @Override
    public MaxPooling1D trainable(boolean t) { super.trainable(t); return this; }
}
