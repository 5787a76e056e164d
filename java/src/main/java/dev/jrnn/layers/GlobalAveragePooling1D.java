package dev.jrnn.layers;

import dev.jrnn.backend.Backend;
import dev.jrnn.backend.DTensor;

import java.util.List;

/**
 * Keras GlobalAveragePooling1D: the mean over the steps of a (batch, steps, features) input, over the unmasked steps
 * when the input has a mask (Keras: {@code sum(x * mask) / sum(mask)}, so a sample with every step masked gives NaN, as
 * in Keras). Output (batch, features), or (batch, 1, features) with {@link #keepdims(boolean)}; no mask goes on.
 *
 * <pre>{@code
 * Sequential m = new Sequential(new Masking(0).inputShape(20, 3), new LSTM(16).returnSequences(true),
 *         new GlobalAveragePooling1D(), new Dense(1));
 * }</pre>
 */
public class GlobalAveragePooling1D extends GlobalPooling1D {
    /** Keras' {@code GlobalAveragePooling1D()} (keepdims false). */
    public GlobalAveragePooling1D() {}

    @Override
    public String kerasClass() { return "GlobalAveragePooling1D"; }

    /**
     * With s[b, t] = mask[b, t] / sum_t mask[b, t] (1 / steps without a mask): y[b, :] = sum_t s[b, t] x[b, t, :], as the
     * rows scaled by s (a masked row zeroed whatever it holds, Keras' where(mask, x, 0)), put steps first and summed;
     * dx[b, t, :] = s[b, t] dy[b, :], dy copied to every step. The count's inverse is rsqrt(count^2) (no backend op divides):
     * 1 / count rounded once on the CPU, within rsqrtf's 2 ulp on CUDA.
     */
    @Override
    Trace pool(Backend be, DTensor x, DTensor mask, DTensor y, List<DTensor> owned) {
        int b = x.dim(0), t = x.dim(1), f = x.dim(2);
        DTensor s = DTensor.zeros(be, b, t);
        owned.add(s);
        if (mask == null) {
            be.fill(s.buf(), 0, (long) b * t, 1f / t);
        } else {
            DTensor maskT = DTensor.zeros(be, t, b), inv = DTensor.zeros(be, b);
            owned.add(maskT);
            owned.add(inv);
            be.transpose01(b, t, 1, mask.buf(), 0, maskT.buf(), 0);
            be.sumRows(t, b, maskT.buf(), 0, inv.buf(), 0, false);      // valid steps per sample
            be.mul(b, inv.buf(), 0, inv.buf(), 0, inv.buf(), 0);          // count^2, exact below 4097 steps
            be.rsqrt(b, 0f, inv.buf(), 0, inv.buf(), 0);                  // 1 / count (inf for none: 0 * inf is NaN, as 0 / 0 in Keras)
            be.mulRows(b, t, mask.buf(), 0, inv.buf(), 0, s.buf(), 0);
        }
        DTensor scaled = DTensor.zeros(be, b, t, f), stepsFirst = DTensor.zeros(be, t, b, f);
        owned.add(scaled);
        owned.add(stepsFirst);
        be.maskedMulRows(b * t, f, x.buf(), 0, s.buf(), 0, scaled.buf(), 0);
        be.transpose01(b, t, f, scaled.buf(), 0, stepsFirst.buf(), 0);
        be.sumRows(t, b * f, stepsFirst.buf(), 0, y.buf(), 0, false);
        return Layers.trace(this, y, null, owned, dy -> {
            DTensor dx = DTensor.zeros(be, b, t, f);
            owned.add(dx);
            if (dy != null && b > 0 && f > 0) {
                RepeatVector.repeat(be, b, t, f, dy, dx, owned);   // dy to every step (exact), each row scaled by s
                be.maskedMulRows(b * t, f, dx.buf(), 0, s.buf(), 0, dx.buf(), 0);
            }
            return List.of(dx);
        });
    }

    @Override
    public GlobalAveragePooling1D keepdims(boolean k) { super.keepdims(k); return this; }

    @Override
    public GlobalAveragePooling1D dataFormat(String format) { super.dataFormat(format); return this; }

    @Override
    public GlobalAveragePooling1D name(String n) { super.name(n); return this; }

    @Override
    public GlobalAveragePooling1D dtype(String policy) { super.dtype(policy); return this; }

    @Override
    public GlobalAveragePooling1D seed(long s) { super.seed(s); return this; }

    @Override
    public GlobalAveragePooling1D inputShape(int... shape) { super.inputShape(shape); return this; }

    @Override
    public GlobalAveragePooling1D batchInputShape(int batch, int... shape) { super.batchInputShape(batch, shape); return this; }

    @Override
    public GlobalAveragePooling1D inputLength(int n) { super.inputLength(n); return this; }

    @Override
    public GlobalAveragePooling1D inputDim(int d) { super.inputDim(d); return this; }

    @Override
    public GlobalAveragePooling1D trainable(boolean t) { super.trainable(t); return this; }

    /** Keras 3's layer supports masking (it averages over the valid steps) and gives no mask: ending it warns nothing. */
    @Override
    boolean warnsOnDroppedMask() { return false; }
}
