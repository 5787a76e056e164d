package dev.jrnn.layers;

import dev.jrnn.backend.Activation;
import dev.jrnn.backend.Backend;
import dev.jrnn.backend.Buf;
import dev.jrnn.backend.DTensor;
import dev.jrnn.tensor.Tensor;

import java.util.List;
import java.util.SplittableRandom;

/**
 * Keras' {@code AdditiveAttention}, Bahdanau-style: scores {@code sum_d scale[d] * tanh(query[i, d] + key[j, d])}, with
 * {@code scale} a trainable vector of the query's dimension (Keras' {@code use_scale}, default true here as in Keras;
 * glorot-uniform initial values), or a plain sum without it; then, as {@link BaseDenseAttention} says, the masked
 * softmax over the key steps, dropout and the weighted sum of the value. Keras applies no projection of its own: put
 * Dense layers before it for the W1·query + W2·key of Bahdanau's paper.
 *
 * <pre>{@code
 * Node context = new AdditiveAttention().apply(decoderSeq, encoderSeq);   // (None, Tq, units); weight scale (units)
 * }</pre>
 */
public class AdditiveAttention extends BaseDenseAttention {
    private boolean useScale = true;
    private Param scale;

    /** With the trainable scale, no dropout, as Keras' defaults. */
    public AdditiveAttention() {}

    @Override
    public String kerasClass() { return "AdditiveAttention"; }

    /** Keras' {@code use_scale}: a trainable {@code scale} vector (query dim) weighting the tanh terms; default true. */
    public AdditiveAttention useScale(boolean u) {
        if (isBuilt()) throw new IllegalStateException(name() + ": useScale must be set before the layer is built (it decides its weights)");
        this.useScale = u;
        return this;
    }

    /** Keras' {@code use_scale}; default true. */
    public boolean useScale() { return useScale; }

    /** The scale has the query's dim: a later call fits when its query has the same (a key or none, any steps). */
    @Override
    protected boolean weightsFit(List<int[]> built, List<int[]> given) { return built.get(0)[1] == given.get(0)[1]; }

    @Override
    protected void createParams(List<int[]> in) {
        if (useScale) scale = addParam("scale", in.get(0)[1]);
    }

    @Override
    void initScoreParams(SplittableRandom rng) {
        if (scale == null) return;
        int d = scale.shape()[0];
        scale.set(Tensor.wrap(Initializers.glorotUniform(rng, d, d, d), d));   // Keras' fans of a 1-D shape: (d, d)
    }

    @Override
    boolean sumsPairs() { return true; }

    @Override
    Scores scores(Backend be, DTensor q, DTensor k, DTensor ones, List<DTensor> owned) {
        int b = q.dim(0), tq = q.dim(1), tv = k.dim(1), d = q.dim(2), n3 = b * tq * tv;
        long n4 = (long) n3 * d;
        DTensor t = own(owned, PairSums.forward(be, q, k, ones));
        be.activate(Activation.TANH, n4, d, t.buf(), 0, t.buf(), 0);
        Buf w = scale != null ? scale.value() : ones.buf();
        long wOff = scale != null ? scale.offset() : 0;
        DTensor s = own(owned, DTensor.zeros(be, b, tq, tv));
        PairSums.rowDot(be, t, w, wOff, s);
        return new Scores(s, (dS, dq, dk) -> {
            if (scale != null) be.gemm(true, false, d, 1, n3, 1f, t.buf(), 0, d, dS.buf(), 0, 1, 1f, scale.grad(), scale.offset(), 1);
            try (DTensor dE = PairSums.tanhRowDotBackward(be, dS, t, w, wOff)) {
                PairSums.backward(be, dE, dq, dk, ones);
            }
        });
    }

    @Override
    public AdditiveAttention dropout(double rate) { super.dropout(rate); return this; }

    @Override
    public AdditiveAttention useCausalMask(boolean c) { super.useCausalMask(c); return this; }

    @Override
    public AdditiveAttention maskStream(long seed, long drawn) { super.maskStream(seed, drawn); return this; }

    @Override
    public AdditiveAttention returnAttentionScores(boolean r) { super.returnAttentionScores(r); return this; }

    @Override
    public AdditiveAttention name(String n) { super.name(n); return this; }

    @Override
    public AdditiveAttention dtype(String policy) { super.dtype(policy); return this; }

    @Override
    public AdditiveAttention seed(long s) { super.seed(s); return this; }

    @Override
    public AdditiveAttention trainable(boolean t) { super.trainable(t); return this; }

    @Override
    public AdditiveAttention inputShape(int... shape) { super.inputShape(shape); return this; }

    @Override
    public AdditiveAttention batchInputShape(int batch, int... shape) { super.batchInputShape(batch, shape); return this; }

    @Override
    public AdditiveAttention inputLength(int n) { super.inputLength(n); return this; }

    @Override
    public AdditiveAttention inputDim(int d) { super.inputDim(d); return this; }
}
