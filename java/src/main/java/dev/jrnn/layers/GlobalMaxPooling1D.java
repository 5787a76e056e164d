package dev.jrnn.layers;

import dev.jrnn.backend.Backend;
import dev.jrnn.backend.DTensor;

import java.util.List;

/**
 * Keras GlobalMaxPooling1D: the maximum over the steps of a (batch, steps, features) input. As in Keras 3 (which takes
 * no mask here and warns that it drops it) every step counts, masked ones too, and no mask goes on. The gradient goes to
 * the maximal step, shared equally among tied ones (TensorFlow's and JAX's max). Output (batch, features), or
 * (batch, 1, features) with {@link #keepdims(boolean)}.
 *
 * <pre>{@code
 * Sequential m = new Sequential(new GRU(16).inputShape(20, 3).returnSequences(true), new GlobalMaxPooling1D(), new Dense(1));
 * }</pre>
 */
public class GlobalMaxPooling1D extends GlobalPooling1D {
    /** Keras' {@code GlobalMaxPooling1D()} (keepdims false). */
    public GlobalMaxPooling1D() {}

    @Override
    public String kerasClass() { return "GlobalMaxPooling1D"; }

    @Override
    Trace pool(Backend be, DTensor x, DTensor mask, DTensor y, List<DTensor> owned) {
        int b = x.dim(0), t = x.dim(1), f = x.dim(2);
        be.maxOverSteps(b, t, f, x.buf(), 0, y.buf(), 0);
        return Layers.trace(this, y, null, owned, dy -> {
            DTensor dx = DTensor.zeros(be, b, t, f);
            owned.add(dx);
            if (dy != null) be.maxOverStepsBackward(b, t, f, x.buf(), 0, y.buf(), 0, dy.buf(), 0, dx.buf(), 0);
            return List.of(dx);
        });
    }

    @Override
    public GlobalMaxPooling1D keepdims(boolean k) { super.keepdims(k); return this; }

    @Override
    public GlobalMaxPooling1D dataFormat(String format) { super.dataFormat(format); return this; }

    @Override
    public GlobalMaxPooling1D name(String n) { super.name(n); return this; }

    @Override
    public GlobalMaxPooling1D dtype(String policy) { super.dtype(policy); return this; }

    @Override
    public GlobalMaxPooling1D seed(long s) { super.seed(s); return this; }

    @Override
    public GlobalMaxPooling1D inputShape(int... shape) { super.inputShape(shape); return this; }

    @Override
    public GlobalMaxPooling1D batchInputShape(int batch, int... shape) { super.batchInputShape(batch, shape); return this; }

    @Override
    public GlobalMaxPooling1D inputLength(int n) { super.inputLength(n); return this; }

    @Override
    public GlobalMaxPooling1D inputDim(int d) { super.inputDim(d); return this; }

    @Override
    public GlobalMaxPooling1D trainable(boolean t) { super.trainable(t); return this; }
}
