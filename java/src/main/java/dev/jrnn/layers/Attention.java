package dev.jrnn.layers;

import dev.jrnn.backend.Activation;
import dev.jrnn.backend.Backend;
import dev.jrnn.backend.DTensor;
import dev.jrnn.tensor.Tensor;

import java.util.List;
import java.util.SplittableRandom;

/**
 * Keras' {@code Attention}, Luong-style dot-product attention: scores {@code query · key^T} (times the scalar weight
 * {@code scale} with {@link #useScale}), or with {@code scoreMode("concat")}
 * {@code concat_score_weight * sum_d tanh(scale * (query + key))}; then, as {@link BaseDenseAttention} says, the
 * masked softmax over the key steps, dropout and the weighted sum of the value. Weights as Keras names them:
 * {@code scale} (with useScale), then {@code concat_score_weight} (with concat), both scalars starting at 1 (Keras
 * saves them with shape (); {@link #getWeights()} gives them as (1)). For a seq2seq model the query is the decoder's
 * sequence and the value the encoder's.
 *
 * <pre>{@code
 * Node enc = new LSTM(64).returnSequences(true).apply(sourceEmbedded);
 * Node dec = new LSTM(64).returnSequences(true).apply(targetEmbedded);
 * Node context = new Attention().apply(dec, enc);                        // (None, Tq, 64)
 * Node joined = new Concatenate().apply(dec, context);                   // (None, Tq, 128)
 * }</pre>
 */
public class Attention extends BaseDenseAttention {
    private boolean useScale;
    private boolean concat;
    private Param scale, concatWeight;

    /** Dot scores, no scale, no dropout, as Keras' defaults. */
    public Attention() {}

    @Override
    public String kerasClass() { return "Attention"; }

    /** Keras' {@code use_scale}: a trainable scalar {@code scale} on the scores; default false. Before the build. */
    public Attention useScale(boolean u) {
        requireUnbuilt("useScale");
        this.useScale = u;
        return this;
    }

    /** Keras' {@code use_scale}; default false. */
    public boolean useScale() { return useScale; }

    /** Keras' {@code score_mode}: "dot" (default) or "concat". Before the build. */
    public Attention scoreMode(String mode) {
        if (!"dot".equals(mode) && !"concat".equals(mode)) {
            throw new IllegalArgumentException(name() + ": score_mode must be one of \"dot\", \"concat\", got "
                    + (mode == null ? "null" : "\"" + mode + "\""));
        }
        requireUnbuilt("scoreMode");
        this.concat = mode.equals("concat");
        return this;
    }

    /** Keras' {@code score_mode}: "dot" (default) or "concat". */
    public String scoreMode() { return concat ? "concat" : "dot"; }

    private void requireUnbuilt(String what) {
        if (isBuilt()) throw new IllegalStateException(name() + ": " + what + " must be set before the layer is built (it decides its weights)");
    }

    /** Its weights are scalars: any later call fits them (other dims, a key or none), as in Keras. */
    @Override
    protected boolean weightsFit(List<int[]> built, List<int[]> given) { return true; }

    @Override
    protected void createParams(List<int[]> in) {
        if (useScale) scale = addParam("scale", 1);
        if (concat) concatWeight = addParam("concat_score_weight", 1);
    }

    @Override
    void initScoreParams(SplittableRandom rng) {
        for (Param p : params) p.set(Tensor.wrap(new float[] {1f}, 1));
    }

    @Override
    Scores scores(Backend be, DTensor q, DTensor k, DTensor ones, List<DTensor> owned) {
        return concat ? concatScores(be, q, k, ones, owned) : dotScores(be, q, k, owned);
    }

    @Override
    boolean sumsPairs() { return concat; }

    /** scores[b] = q[b] · k[b]^T, times scale. */
    private Scores dotScores(Backend be, DTensor q, DTensor k, List<DTensor> owned) {
        int b = q.dim(0), tq = q.dim(1), tv = k.dim(1), d = q.dim(2), n3 = b * tq * tv;
        DTensor raw = own(owned, DTensor.zeros(be, b, tq, tv));
        be.gemmBatched(b, false, true, tq, tv, d, 1f, q.buf(), 0, d, (long) tq * d, k.buf(), 0, d, (long) tv * d, 0f, raw.buf(), 0,
                tv, (long) tq * tv);
        DTensor s = scale == null ? raw : own(owned, DTensor.zeros(be, b, tq, tv));
        if (scale != null) timesScalar(be, n3, raw, scale, s);
        return new Scores(s, (dS, dq, dk) -> {
            if (scale != null) timesScalarBackward(be, n3, dS, raw, scale);
            be.gemmBatched(b, false, false, tq, d, tv, 1f, dS.buf(), 0, tv, (long) tq * tv, k.buf(), 0, d, (long) tv * d, 1f,
                    dq.buf(), 0, d, (long) tq * d);
            be.gemmBatched(b, true, false, tv, d, tq, 1f, dS.buf(), 0, tv, (long) tq * tv, q.buf(), 0, d, (long) tq * d, 1f,
                    dk.buf(), 0, d, (long) tv * d);
        });
    }

    /** scores = c * sum_d tanh(s * (q + k)) over the pair sums E; s = 1 without useScale. */
    private Scores concatScores(Backend be, DTensor q, DTensor k, DTensor ones, List<DTensor> owned) {
        int b = q.dim(0), tq = q.dim(1), tv = k.dim(1), d = q.dim(2), n3 = b * tq * tv;
        long n4 = (long) n3 * d;
        DTensor e = own(owned, PairSums.forward(be, q, k, ones));
        // tanh in place unless the scale's gradient needs E
        DTensor t = scale == null ? e : own(owned, DTensor.zeros(be, b, tq, tv, d));
        if (scale != null) timesScalar(be, (int) n4, e, scale, t);
        be.activate(Activation.TANH, n4, d, t.buf(), 0, t.buf(), 0);
        DTensor sum = own(owned, DTensor.zeros(be, b, tq, tv)), s = own(owned, DTensor.zeros(be, b, tq, tv));
        PairSums.rowDot(be, t, ones.buf(), 0, sum);
        timesScalar(be, n3, sum, concatWeight, s);
        return new Scores(s, (dS, dq, dk) -> {
            timesScalarBackward(be, n3, dS, sum, concatWeight);
            try (DTensor dE = PairSums.tanhRowDotBackward(be, dS, t, ones.buf(), 0)) {
                if (scale != null) timesScalarBackward(be, (int) n4, dE, e, scale);
                PairSums.backward(be, dE, dq, dk, ones);
            }
        });
    }

    @Override
    public Attention dropout(double rate) { super.dropout(rate); return this; }

    @Override
    public Attention useCausalMask(boolean c) { super.useCausalMask(c); return this; }

    @Override
    public Attention maskStream(long seed, long drawn) { super.maskStream(seed, drawn); return this; }

    @Override
    public Attention returnAttentionScores(boolean r) { super.returnAttentionScores(r); return this; }

    @Override
    public Attention name(String n) { super.name(n); return this; }

    @Override
    public Attention dtype(String policy) { super.dtype(policy); return this; }

    @Override
    public Attention seed(long s) { super.seed(s); return this; }

    @Override
    public Attention trainable(boolean t) { super.trainable(t); return this; }

    @Override
    public Attention inputShape(int... shape) { super.inputShape(shape); return this; }

    @Override
    public Attention batchInputShape(int batch, int... shape) { super.batchInputShape(batch, shape); return this; }

    @Override
    public Attention inputLength(int n) { super.inputLength(n); return this; }

    @Override
    public Attention inputDim(int d) { super.inputDim(d); return this; }
}
