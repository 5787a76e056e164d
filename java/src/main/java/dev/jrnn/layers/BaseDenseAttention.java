package dev.jrnn.layers;

import dev.jrnn.backend.Activation;
import dev.jrnn.backend.Backend;
import dev.jrnn.backend.Cleanup;
import dev.jrnn.backend.DTensor;
import dev.jrnn.tensor.Tensor;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * What Keras 3's {@link Attention} and {@link AdditiveAttention} share (Keras keeps it in {@code Attention}, which
 * {@code AdditiveAttention} extends): called on {@code [query, value]} or {@code [query, value, key]} (the value is
 * the key when none is given), each {@code (batch, steps, dim)}; the subclass scores every query step against every
 * key step ({@code (batch, Tq, Tv)}); value steps the value mask drops, and later steps under
 * {@link #useCausalMask}, get Keras' {@code -1e9} before the softmax; {@link #dropout} drops attention weights in
 * training; the output is the weights times the value, {@code (batch, Tq, value dim)}, zero at the steps the query
 * mask drops, and passes the query mask on. With {@link #returnAttentionScores} the weights (after dropout) are a second
 * output. Keras' call arguments {@code use_causal_mask} and {@code return_attention_scores} are settings here, since
 * a jrnn layer's outputs are known when it is applied.
 *
 * <p>All of it is batched products ({@link Backend#gemmBatched}) and row softmax on the backend, so both backends run
 * it with the same calls.
 *
 * <pre>{@code
 * Node context = new Attention().apply(decoderSeq, encoderSeq);   // (None, Tq, units)
 * }</pre>
 */
public abstract class BaseDenseAttention extends Layer implements RandomDraws {
    /** Keras' bias on dropped scores ({@code max_value} for float32). */
    static final float MASKED = 1.0e9f;

    private final AttentionOptions opts = new AttentionOptions();

    BaseDenseAttention() {}

    /** Keras' {@code dropout}: the fraction of attention weights dropped in training, in [0, 1); default 0. */
    public BaseDenseAttention dropout(double rate) {
        opts.dropout(this, rate);
        return this;
    }

    /** Keras' {@code dropout}; default 0. */
    public double dropout() { return opts.dropout; }

    /**
     * Keras' call argument {@code use_causal_mask}: query step i attends only to key steps j &lt;= i (decoder
     * self-attention); default false.
     */
    public BaseDenseAttention useCausalMask(boolean c) {
        opts.causal = c;
        return this;
    }

    /** Keras' {@code use_causal_mask}; default false. */
    public boolean useCausalMask() { return opts.causal; }

    /**
     * Keras' call argument {@code return_attention_scores}: a second output, the attention weights {@code (batch, Tq,
     * Tv)} after masking, softmax and dropout; default false. Set it before the layer is applied.
     */
    public BaseDenseAttention returnAttentionScores(boolean r) {
        opts.returnScores(this, r);
        return this;
    }

    /** Keras' {@code return_attention_scores}; default false. */
    public boolean returnAttentionScores() { return opts.returnScores; }

    // ------------------------------------------------------------------ shapes and weights

    /** Refuses anything but 2 or 3 inputs, as Keras' {@code _validate_inputs}. */
    final void checkCount(int n) {
        if (n < 2 || n > 3) {
            throw new IllegalArgumentException(name() + ": " + kerasClass() + " takes a list of 2 or 3 inputs, namely [query, value] "
                    + "or [query, value, key], got " + n);
        }
    }

    @Override
    public List<int[]> computeOutputShapes(List<int[]> in) {
        checkCount(in == null ? 0 : in.size());
        String[] names = {"query", "value", "key"};
        for (int i = 0; i < in.size(); i++) {
            if (in.get(i) == null || in.get(i).length != 2) {
                throw new IllegalArgumentException(name() + ": " + names[i] + " must be (batch, steps, dim), got "
                        + (in.get(i) == null ? "null" : Layers.withBatch(in.get(i))));
            }
        }
        int[] q = in.get(0), v = in.get(1), k = in.size() > 2 ? in.get(2) : v;
        if (k != v && v[0] > 0 && k[0] > 0 && v[0] != k[0]) {
            throw new IllegalArgumentException(name() + ": value and key must have the same steps, got value "
                    + Layers.withBatch(v) + " and key " + Layers.withBatch(k));
        }
        if (q[1] > 0 && k[1] > 0 && q[1] != k[1]) {
            throw new IllegalArgumentException(name() + ": query and key must have the same last dimension (the scores pair them),"
                    + " got query " + Layers.withBatch(q) + " and " + (k == v ? "value (the key) " : "key ") + Layers.withBatch(k));
        }
        List<int[]> out = new ArrayList<>();
        out.add(new int[] {q[0], v[1]});
        if (opts.returnScores) out.add(new int[] {q[0], v[0] > 0 ? v[0] : k[0]});
        return out;
    }

    @Override
    protected final void initParams(SplittableRandom rng) {
        opts.masks.seed(maskSeed(rng));
        if (initialValuesNeeded()) initScoreParams(rng);
    }

    /** Writes the score weights' initial values (Keras' initializers). */
    abstract void initScoreParams(SplittableRandom rng);

    /**
     * The dropout mask stream, for saving a training run: {seed, masks drawn so far}; {@link #maskStream(long, long)}
     * puts it back, so a resumed fit draws the masks the uninterrupted one would have drawn (as {@link Dropout}'s).
     */
    public long[] maskStream() { return opts.masks.state(); }

    /** Sets the mask stream saved by {@link #maskStream()}; the layer must be built. */
    public BaseDenseAttention maskStream(long seed, long drawn) {
        opts.masks.restore(backend(), name(), seed, drawn);
        return this;
    }

    /** Frees the dropout mask counter. */
    @Override
    public void releaseBuffers() { opts.masks.release(); }

    // ------------------------------------------------------------------ scores (the subclass's part)

    /** One call's scores {@code (B, Tq, Tv)} and how their gradient goes back. */
    record Scores(DTensor scores, Backward backward) {}

    /** Adds the query's and key's gradients into dq and dk, and the score weights' into their gradients. */
    interface Backward {
        void apply(DTensor dScores, DTensor dq, DTensor dk);
    }

    /** The scores of query q {@code (B, Tq, D)} against key k {@code (B, Tv, D)}; what it allocates goes to owned. */
    abstract Scores scores(Backend be, DTensor q, DTensor k, DTensor ones, List<DTensor> owned);

    /** Whether the scores go through the (batch, Tq, Tv, dim) pair sums (concat and additive scores), not a product. */
    abstract boolean sumsPairs();

    // ------------------------------------------------------------------ forward and backward

    /** With one mask only, the query's; models pass every input's mask through {@link #forwardMasked}. */
    @Override
    public Trace forward(List<DTensor> inputs, DTensor mask, boolean training) {
        List<DTensor> ms = new ArrayList<>();
        for (int i = 0; inputs != null && i < inputs.size(); i++) ms.add(i == 0 ? mask : null);
        return forwardMasked(inputs, ms, training);
    }

    @Override
    public Trace forwardMasked(List<DTensor> inputs, List<DTensor> inputMasks, boolean training) {
        checkCount(inputs == null ? 0 : inputs.size());
        if (!Layers.noNulls(inputs)) throw new IllegalArgumentException(name() + ": an input is null");
        if (inputMasks != null && inputMasks.size() != inputs.size()) {
            throw new IllegalArgumentException(name() + ": expected one mask (or null) per input, " + inputs.size() + " in all, got "
                    + inputMasks.size());
        }
        DTensor q = inputs.get(0), v = inputs.get(1), k = inputs.size() > 2 ? inputs.get(2) : v;
        for (DTensor x : inputs) {
            if (x.rank() != 3 || x.dim(0) != q.dim(0)) {
                throw new IllegalArgumentException(name() + ": inputs must be (batch, steps, dim) with one batch size, got "
                        + shapes(inputs));
            }
        }
        DTensor qMask = inputMasks == null ? null : inputMasks.get(0), vMask = inputMasks == null ? null : inputMasks.get(1);
        checkMask(qMask, q, "query");   // before the build: a refused call leaves the layer as it was
        checkMask(vMask, v, "value");
        long values = (long) q.dim(0) * q.dim(1) * k.dim(1) * (sumsPairs() ? q.dim(2) : 1);
        if (values > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException(name() + ": the scores of batch " + q.dim(0) + ", " + q.dim(1) + " query and " + k.dim(1)
                    + " value steps" + (sumsPairs() ? " and dim " + q.dim(2) : "") + " hold " + values
                    + " values, more than one call takes (2^31 - 9): split the batch");
        }
        build(Layers.perSample(inputs));
        Backend be = backend();
        Layers.sameBackend(this, be, inputs);
        int b = q.dim(0), tq = q.dim(1), tv = k.dim(1), dv = v.dim(2);
        long n3 = (long) b * tq * tv;
        List<DTensor> owned = new ArrayList<>();
        try {
            DTensor ones = DTensor.zeros(be, Math.max(Math.max(b, tq), Math.max(tv, q.dim(2))));
            owned.add(ones);
            be.fill(ones.buf(), 0, ones.size(), 1f);
            Scores sc = scores(be, q, k, ones, owned);
            DTensor w = sc.scores();   // becomes the softmax in place
            if (vMask != null || opts.causal) addMaskBias(be, w, vMask, b, tq, tv);
            be.activate(Activation.SOFTMAX, n3, tv, w.buf(), 0, w.buf(), 0);
            DTensor keep = null, wd = w;
            MaskStream drops = opts.drops(training);
            if (drops != null) {
                keep = own(owned, DTensor.zeros(be, b, tq, tv));
                drops.draw(be, n3, opts.dropout32, keep.buf(), 0);
                wd = own(owned, DTensor.zeros(be, b, tq, tv));
                be.mul(n3, w.buf(), 0, keep.buf(), 0, wd.buf(), 0);
            }
            DTensor y = own(owned, DTensor.zeros(be, b, tq, dv));
            be.gemmBatched(b, false, false, tq, dv, tv, 1f, wd.buf(), 0, tv, (long) tq * tv, v.buf(), 0, dv, (long) tv * dv,
                    0f, y.buf(), 0, dv, (long) tq * dv);
            if (qMask != null) be.maskedMulRows(b * tq, dv, y.buf(), 0, qMask.buf(), 0, y.buf(), 0);
            List<DTensor> outs = opts.returnScores ? List.of(y, wd) : List.of(y);
            return trace(be, inputs, qMask, outs, sc, w, wd, keep, owned);
        } catch (RuntimeException | Error e) {
            Cleanup.each(owned, DTensor::close);
            throw e;
        }
    }

    /** w: the softmax, wd: after dropout (w itself without), keep: the dropout mask or null. */
    private Trace trace(Backend be, List<DTensor> inputs, DTensor qMask, List<DTensor> outs, Scores sc, DTensor w, DTensor wd,
                        DTensor keep, List<DTensor> owned) {
        DTensor q = inputs.get(0), v = inputs.get(1);
        boolean keyGiven = inputs.size() > 2;
        return new Trace() {
            @Override
            public List<DTensor> outputs() { return outs; }

            @Override
            public DTensor outputMask() { return qMask; }

            @Override
            public List<DTensor> backward(List<DTensor> dOut) {
                Layers.checkGradients(BaseDenseAttention.this, dOut, outs);
                DTensor y = outs.get(0);
                int b = q.dim(0), tq = q.dim(1), tv = v.dim(1), dv = v.dim(2);
                long n3 = (long) b * tq * tv;
                DTensor dq = own(owned, DTensor.zeros(be, q.shape())), dv0 = own(owned, DTensor.zeros(be, v.shape()));
                DTensor dk = keyGiven ? own(owned, DTensor.zeros(be, inputs.get(2).shape())) : dv0;
                List<DTensor> grads = keyGiven ? List.of(dq, dv0, dk) : List.of(dq, dv0);
                DTensor dy = dOut.get(0), dScores = outs.size() > 1 ? dOut.get(1) : null;
                if (dy == null && dScores == null) return grads;
                try (DTensor dw = DTensor.zeros(be, b, tq, tv)) {
                    if (dy != null) {
                        DTensor g = dy;
                        if (qMask != null) {
                            g = own(owned, DTensor.zeros(be, y.shape()));
                            be.maskedMulRows(b * tq, dv, dy.buf(), 0, qMask.buf(), 0, g.buf(), 0);
                        }
                        be.gemmBatched(b, false, true, tq, tv, dv, 1f, g.buf(), 0, dv, (long) tq * dv, v.buf(), 0, dv,
                                (long) tv * dv, 0f, dw.buf(), 0, tv, (long) tq * tv);
                        be.gemmBatched(b, true, false, tv, dv, tq, 1f, wd.buf(), 0, tv, (long) tq * tv, g.buf(), 0, dv,
                                (long) tq * dv, 0f, dv0.buf(), 0, dv, (long) tv * dv);
                    }
                    if (dScores != null) be.axpy(n3, 1f, dScores.buf(), 0, dw.buf(), 0);
                    if (keep != null) be.mul(n3, dw.buf(), 0, keep.buf(), 0, dw.buf(), 0);
                    be.activateBackward(Activation.SOFTMAX, n3, tv, w.buf(), 0, dw.buf(), 0, dw.buf(), 0);
                    sc.backward().apply(dw, dq, dk);
                }
                return grads;
            }

            @Override
            public void close() {
                Cleanup.each(owned, DTensor::close);
                owned.clear();
            }
        };
    }

    /** Keras' {@code where(mask, scores, scores - 1e9)}: the value mask and the causal triangle ({@link AttentionMasks}). */
    private void addMaskBias(Backend be, DTensor scores, DTensor vMask, int b, int tq, int tv) {
        try (DTensor keep = AttentionMasks.keep(be, b, tq, tv, null, vMask, null, opts.causal, null)) {
            AttentionMasks.addBias(be, keep, scores);
        }
    }

    private void checkMask(DTensor m, DTensor x, String what) {
        if (m != null && (m.rank() != 2 || m.dim(0) != x.dim(0) || m.dim(1) != x.dim(1))) {
            throw new IllegalArgumentException(name() + ": the " + what + " mask must be (batch, steps) = (" + x.dim(0) + ", "
                    + x.dim(1) + "), got " + Tensor.shapeString(m.shape()));
        }
    }

    private static String shapes(List<DTensor> xs) {
        List<String> s = new ArrayList<>();
        for (DTensor x : xs) s.add(Tensor.shapeString(x.shape()));
        return s.toString();
    }

    /** Adds {@code t} to owned and returns it. */
    static DTensor own(List<DTensor> owned, DTensor t) {
        owned.add(t);
        return t;
    }

    /** {@code y = x * w} over n floats for a scalar weight w (Attention's scale, concat_score_weight); y may be x. */
    static void timesScalar(Backend be, int n, DTensor x, Param w, DTensor y) {
        be.mulRows(1, n, x.buf(), 0, w.value(), w.offset(), y.buf(), 0);
    }

    /**
     * The backward of {@code y = x * w} for a scalar weight: w's gradient gets {@code <dy, x>} (a [1, n] x [n, 1]
     * product), then dy becomes x's gradient {@code dy * w} in place.
     */
    static void timesScalarBackward(Backend be, int n, DTensor dy, DTensor x, Param w) {
        be.gemm(false, true, 1, 1, n, 1f, dy.buf(), 0, n, x.buf(), 0, n, 1f, w.grad(), w.offset(), 1);
        timesScalar(be, n, dy, w, dy);
    }

    @Override
    public BaseDenseAttention name(String n) { super.name(n); return this; }

    @Override
    public BaseDenseAttention dtype(String policy) { super.dtype(policy); return this; }

    @Override
    public BaseDenseAttention seed(long s) { super.seed(s); return this; }

    @Override
    public BaseDenseAttention trainable(boolean t) { super.trainable(t); return this; }

    /** Keras 3's {@code supports_masking} is true here: a mask passes on where the steps stay. */
    @Override
    public boolean passesMask() { return true; }
}
