package dev.jrnn.layers;

import dev.jrnn.backend.DTensor;
import dev.jrnn.regularizers.Constraint;
import dev.jrnn.regularizers.Regularizer;
import dev.jrnn.tensor.Tensor;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Keras 3's {@code MultiHeadAttention} ("Attention is all you need"): query, key and value are projected per head
 * ({@code query} and {@code key} to {@link #keyDim}, {@code value} to {@link #valueDim} for each of {@link #numHeads}
 * heads), each head's scores {@code Q K^T / sqrt(keyDim)} go through the masked softmax (and dropout in training), the
 * heads' weighted values are concatenated and projected to the output size (the query's last dimension unless
 * {@link #outputShape} says otherwise). Called on {@code [query, value]} or {@code [query, value, key]}, each
 * {@code (batch, steps, dim)}, with {@link #attentionMaskInput} one more input last: Keras' {@code attention_mask}
 * {@code (batch, Tq, Tv)} of 1 (attend) and 0 (or {@code (batch, 1, Tv)}, which Keras broadcasts). The Keras masks of query, value and key (an {@code Embedding} with
 * {@code maskZero}) join it as Keras' {@code _compute_attention_mask} does, the query mask goes on with the output.
 *
 * <p>Weights as Keras 3 keeps them, in its order: {@code query/kernel [dim, heads, keyDim]}, {@code query/bias [heads,
 * keyDim]}, then {@code key/...}, {@code value/...} ({@code [dim, heads, valueDim]}), {@code attention_output/kernel
 * [heads, valueDim, out]} and {@code attention_output/bias [out]} (no biases without {@link #useBias}). Attention is over
 * the steps axis only (Keras' default {@code attention_axes}). A query step whose every key is masked gets weights 1/Tv
 * on every key, as Keras 3's default fused path; zero weights where Keras takes its explicit path (dropout above 0, or
 * the scores returned). Keras' {@code activity_regularizer} acts on the four
 * projections' outputs, so it has no builder here (a Keras file with one is refused).
 *
 * <pre>{@code
 * Node seq = new LSTM(32).returnSequences(true).apply(embedded);
 * Node ctx = new MultiHeadAttention(4, 8).apply(seq, seq);          // self-attention, (None, T, 32)
 * Node out = new LSTM(16).apply(new Add().apply(seq, ctx));
 * }</pre>
 */
public class MultiHeadAttention extends Layer implements RandomDraws {
    /** The sub-layers' names in Keras' weight order (its EinsumDense layers). */
    static final String[] PARTS = {"query", "key", "value", "attention_output"};

    private final int numHeads, keyDim;
    private int valueDim, outputDim;
    private boolean useBias = true, maskInput;
    private String kernelInit = "glorot_uniform", biasInit = "zeros";
    private final AttentionOptions opts = new AttentionOptions();
    /** kernels[i], biases[i] of {@link #PARTS}[i]; biases null without useBias. */
    final Param[] kernels = new Param[4], biases = new Param[4];

    /** Keras' {@code num_heads} and {@code key_dim} (the query and key size per head), both positive. */
    public MultiHeadAttention(int numHeads, int keyDim) {
        if (numHeads <= 0) throw new IllegalArgumentException("MultiHeadAttention: numHeads must be a positive integer, got " + numHeads);
        if (keyDim <= 0) throw new IllegalArgumentException("MultiHeadAttention: keyDim must be a positive integer, got " + keyDim);
        this.numHeads = numHeads;
        this.keyDim = keyDim;
    }

    @Override
    public String kerasClass() { return "MultiHeadAttention"; }

    /** The number of heads (Keras' {@code num_heads}). */
    public int numHeads() { return numHeads; }

    /** Each head's size for query and key (Keras' {@code key_dim}). */
    public int keyDim() { return keyDim; }

    /** Keras' {@code value_dim}: the value size per head; default (0) the key dim. Before the build. */
    public MultiHeadAttention valueDim(int d) {
        if (d < 0) throw new IllegalArgumentException(name() + ": valueDim must be a positive integer (or 0: keyDim), got " + d);
        requireUnbuilt("valueDim");
        this.valueDim = d;
        return this;
    }

    /** The value size per head ({@link #keyDim} unless set). */
    public int valueDim() { return valueDim > 0 ? valueDim : keyDim; }

    /**
     * Keras' {@code output_shape} as the last-axis size of the output; 0 (default): the query's last dimension. Before
     * the build.
     */
    public MultiHeadAttention outputShape(int d) {
        if (d < 0) throw new IllegalArgumentException(name() + ": outputShape must be a positive integer (or 0: the query's dim), got " + d);
        requireUnbuilt("outputShape");
        this.outputDim = d;
        return this;
    }

    /** The output size set by {@link #outputShape(int)}, 0 when it follows the query. */
    public int outputShape() { return outputDim; }

    /** Keras' {@code dropout}: the fraction of attention weights dropped in training, in [0, 1); default 0. */
    public MultiHeadAttention dropout(double rate) {
        opts.dropout(this, rate);
        return this;
    }

    /** The dropout rate on the attention weights in training. */
    public double dropout() { return opts.dropout; }

    /** Keras' {@code use_bias} of its four projections; default true. Before the build. */
    public MultiHeadAttention useBias(boolean b) {
        requireUnbuilt("useBias");
        this.useBias = b;
        return this;
    }

    /** Whether the four projections have biases. */
    public boolean useBias() { return useBias; }

    /**
     * Keras' {@code attention_axes}: only the default, attention over the steps ({@code null}, no axes, {@code 1} or
     * {@code -2} for (batch, steps, dim) inputs); other axes are refused.
     */
    public MultiHeadAttention attentionAxes(int... axes) {
        if (axes != null && axes.length > 0 && !(axes.length == 1 && (axes[0] == 1 || axes[0] == -2))) {
            throw new IllegalArgumentException(name() + ": attentionAxes other than the steps axis are not supported, expected none, 1 or"
                    + " -2 (Keras' default for (batch, steps, dim) inputs), got " + java.util.Arrays.toString(axes));
        }
        return this;
    }

    /** Keras' {@code kernel_initializer} of the four projections: "glorot_uniform" (default) or "zeros". Before the build. */
    public MultiHeadAttention kernelInitializer(String name) {
        this.kernelInit = initializer("kernelInitializer", name, "glorot_uniform", "zeros");
        return this;
    }

    /** Keras' {@code kernel_initializer} name; default "glorot_uniform". */
    public String kernelInitializer() { return kernelInit; }

    /** Keras' {@code bias_initializer}: "zeros" (default) or "ones". Before the build. */
    public MultiHeadAttention biasInitializer(String name) {
        this.biasInit = initializer("biasInitializer", name, "zeros", "ones");
        return this;
    }

    /** Keras' {@code bias_initializer} name; default "zeros". */
    public String biasInitializer() { return biasInit; }

    private String initializer(String what, String name, String... known) {
        if (name == null || !List.of(known).contains(name)) {
            throw new IllegalArgumentException(name() + ": " + what + " must be one of " + String.join(", ", known) + ", got "
                    + (name == null ? "null" : "\"" + name + "\""));
        }
        requireUnbuilt(what);
        return name;
    }

    /** Keras' {@code kernel_regularizer}: on each of the four kernels (null: none). */
    public MultiHeadAttention kernelRegularizer(Regularizer r) { weightRules().regularizer("kernel", r); return this; }

    /** Keras' {@code bias_regularizer}: on each bias (null: none). */
    public MultiHeadAttention biasRegularizer(Regularizer r) { weightRules().regularizer("bias", r); return this; }

    /** Keras' {@code kernel_constraint}: on each kernel after each update (null: none). */
    public MultiHeadAttention kernelConstraint(Constraint c) { weightRules().constraint("kernel", c); return this; }

    /** Keras' {@code bias_constraint} (null: none). */
    public MultiHeadAttention biasConstraint(Constraint c) { weightRules().constraint("bias", c); return this; }

    /** Keras' call argument {@code use_causal_mask}: query step i attends only to key steps j &lt;= i; default false. */
    public MultiHeadAttention useCausalMask(boolean c) {
        opts.causal = c;
        return this;
    }

    /** Keras' {@code use_causal_mask}; default false. */
    public boolean useCausalMask() { return opts.causal; }

    /**
     * Keras' call argument {@code return_attention_scores}: a second output, the weights {@code (batch, heads, Tq, Tv)}
     * after the masked softmax and before dropout, as Keras returns them; default false. Before the layer is applied.
     */
    public MultiHeadAttention returnAttentionScores(boolean r) {
        opts.returnScores(this, r);
        return this;
    }

    /** Keras' {@code return_attention_scores}; default false. */
    public boolean returnAttentionScores() { return opts.returnScores; }

    /**
     * Keras' call argument {@code attention_mask}: with true the layer's last input is a {@code (batch, Tq, Tv)} mask of
     * 1 (attend) and 0 ({@code mha.apply(query, value, mask)} or {@code apply(query, value, key, mask)}), or one Keras
     * broadcasts to it: {@code (batch, 1, Tv)} (a padding mask of the value), {@code (batch, Tq, 1)}, {@code (batch, 1, 1)},
     * or one per head {@code (batch, heads, Tq, Tv)} (1 for any of the last three likewise); joined with the Keras masks
     * and the causal mask by logical and; default false. Before the layer is applied.
     */
    public MultiHeadAttention attentionMaskInput(boolean m) {
        if (m != maskInput) requireUncalled("attentionMaskInput");
        this.maskInput = m;
        return this;
    }

    /** Whether the last input is Keras' {@code attention_mask} ({@link #attentionMaskInput(boolean)}); default false. */
    public boolean attentionMaskInput() { return maskInput; }

    private void requireUnbuilt(String what) {
        if (isBuilt()) throw new IllegalStateException(name() + ": " + what + " must be set before the layer is built (it decides its weights)");
    }

    // ------------------------------------------------------------------ shapes and weights

    /** The count of query, value and key inputs (2 or 3), after the attention mask input is set apart. */
    int tensorInputs(int n) {
        int t = n - (maskInput ? 1 : 0);
        if (t < 2 || t > 3) {
            String want = maskInput ? "[query, value, attention_mask] or [query, value, key, attention_mask]" : "[query, value] or [query, value, key]";
            throw new IllegalArgumentException(name() + ": MultiHeadAttention takes " + (maskInput ? "3 or 4" : "2 or 3")
                    + " inputs, namely " + want + ", got " + n);
        }
        return t;
    }

    @Override
    public List<int[]> computeOutputShapes(List<int[]> in) {
        int t = tensorInputs(in == null ? 0 : in.size());
        String[] names = {"query", "value", "key"};
        for (int i = 0; i < t; i++) {
            int[] s = in.get(i);
            if (s == null || s.length != 2 || s[1] <= 0) {
                throw new IllegalArgumentException(name() + ": " + names[i] + " must be (batch, steps, dim) with a known dim, got "
                        + (s == null ? "null" : Layers.withBatch(s)));
            }
        }
        int[] q = in.get(0), v = in.get(1), k = t > 2 ? in.get(2) : v;
        if (v[0] > 0 && k[0] > 0 && v[0] != k[0]) {
            throw new IllegalArgumentException(name() + ": value and key must have the same steps, got value " + Layers.withBatch(v)
                    + " and key " + Layers.withBatch(k));
        }
        if (maskInput) {
            int[] m = in.get(t);
            int r = m == null ? 0 : m.length;   // (Tq, Tv) or (heads, Tq, Tv), a 1 for any (Keras broadcasts it)
            if (m == null || r != 2 && r != 3 || r == 3 && m[0] > 1 && m[0] != numHeads || q[0] > 0 && m[r - 2] > 1 && m[r - 2] != q[0]
                    || v[0] > 0 && m[r - 1] > 1 && m[r - 1] != v[0]) {
                throw new IllegalArgumentException(name() + ": attention_mask must be (batch, Tq, Tv) = " + Layers.withBatch(new int[] {q[0], v[0]})
                        + " or broadcast to it (1 for Tq or Tv), or (batch, heads = " + numHeads + " or 1, Tq, Tv) likewise, got "
                        + (m == null ? "null" : Layers.withBatch(m)));
            }
        }
        List<int[]> out = new ArrayList<>();
        out.add(new int[] {q[0], outputDim > 0 ? outputDim : q[1]});
        if (opts.returnScores) out.add(new int[] {numHeads, q[0], v[0] > 0 ? v[0] : k[0]});
        return out;
    }

    /** Later calls fit when query, value and key keep their last dimensions (the steps may change), as Keras' built layer. */
    @Override
    protected boolean weightsFit(List<int[]> built, List<int[]> given) {
        if (built.size() != given.size()) return false;
        for (int i = 0; i < tensorInputs(built.size()); i++) if (built.get(i)[1] != given.get(i)[1]) return false;
        return true;
    }

    @Override
    protected void createParams(List<int[]> in) {
        int t = tensorInputs(in.size());
        int dq = in.get(0)[1], dv = in.get(1)[1], dk = t > 2 ? in.get(2)[1] : dv, out = outputDim > 0 ? outputDim : dq;
        int[][] kernelShapes = {{dq, numHeads, keyDim}, {dk, numHeads, keyDim}, {dv, numHeads, valueDim()}, {numHeads, valueDim(), out}};
        int[][] biasShapes = {{numHeads, keyDim}, {numHeads, keyDim}, {numHeads, valueDim()}, {out}};
        for (int i = 0; i < 4; i++) {
            kernels[i] = addParam("kernel", kernelShapes[i]);
            biases[i] = useBias ? addParam("bias", biasShapes[i]) : null;
        }
    }

    /**
     * Keras 3's glorot_uniform of an EinsumDense kernel, its fans over the input and output axes: [dim, heads, size] has fan
     * in dim and fan out heads * size, the output kernel [heads, valueDim, out] fan in heads * valueDim and fan out out.
     */
    @Override
    protected void initParams(SplittableRandom rng) {
        opts.masks.seed(maskSeed(rng));
        if (!initialValuesNeeded()) return;
        for (int i = 0; i < 4; i++) {
            int[] s = kernels[i].shape();
            int n = (int) kernels[i].size(), fanIn = i == 3 ? s[0] * s[1] : s[0], fanOut = i == 3 ? s[2] : s[1] * s[2];
            float[] k = kernelInit.equals("zeros") ? Initializers.zeros(n) : Initializers.glorotUniform(rng, fanIn, fanOut, n);
            kernels[i].set(Tensor.wrap(k, s));
            if (biases[i] != null) {
                float[] b = new float[(int) biases[i].size()];
                if (biasInit.equals("ones")) java.util.Arrays.fill(b, 1f);
                biases[i].set(Tensor.wrap(b, biases[i].shape()));
            }
        }
    }

    /** "mha/query/", "mha/attention_output/", ...: Keras' EinsumDense scopes. */
    @Override
    public String variableScope(Param p) {
        for (int i = 0; i < 4; i++) if (p == kernels[i] || p == biases[i]) return name() + "/" + PARTS[i] + "/";
        return super.variableScope(p);
    }

    /** The dropout mask stream {seed, masks drawn so far}, saved with a model as the noise layers' streams. */
    @Override
    public long[] maskStream() { return opts.masks.state(); }

    /** Sets the stream {@link #maskStream()} gave; the layer must be built. */
    @Override
    public MultiHeadAttention maskStream(long seed, long drawn) {
        opts.masks.restore(backend(), name(), seed, drawn);
        return this;
    }

    /** Frees the dropout mask counter. */
    @Override
    public void releaseBuffers() { opts.masks.release(); }

    // ------------------------------------------------------------------ forward

    /** With one mask only, the query's; models pass every input's mask through {@link #forwardMasked}. */
    @Override
    public Trace forward(List<DTensor> inputs, DTensor mask, boolean training) {
        List<DTensor> ms = new ArrayList<>();
        for (int i = 0; inputs != null && i < inputs.size(); i++) ms.add(i == 0 ? mask : null);
        return forwardMasked(inputs, ms, training);
    }

    @Override
    public Trace forwardMasked(List<DTensor> inputs, List<DTensor> inputMasks, boolean training) {
        if (inputs == null || !Layers.noNulls(inputs)) throw new IllegalArgumentException(name() + ": an input is null");
        int t = tensorInputs(inputs.size());
        if (inputMasks != null && inputMasks.size() != inputs.size()) {
            throw new IllegalArgumentException(name() + ": expected one mask (or null) per input, " + inputs.size() + " in all, got "
                    + inputMasks.size());
        }
        MultiHeadRun.check(this, inputs, inputMasks, t);   // before the build: a refused call leaves the layer as it was
        build(Layers.perSample(inputs));
        Layers.sameBackend(this, backend(), inputs);
        return new MultiHeadRun(this, backend(), inputs, inputMasks, t).forward(opts.drops(training), opts.dropout32, opts.causal,
                opts.returnScores);
    }

    @Override
    public MultiHeadAttention name(String n) { super.name(n); return this; }

    @Override
    public MultiHeadAttention dtype(String policy) { super.dtype(policy); return this; }

    @Override
    public MultiHeadAttention seed(long s) { super.seed(s); return this; }

    @Override
    public MultiHeadAttention trainable(boolean t) { super.trainable(t); return this; }

    @Override
    public MultiHeadAttention inputShape(int... shape) { super.inputShape(shape); return this; }

    @Override
    public MultiHeadAttention batchInputShape(int batch, int... shape) { super.batchInputShape(batch, shape); return this; }

    @Override
    public MultiHeadAttention inputLength(int n) { super.inputLength(n); return this; }

    @Override
    public MultiHeadAttention inputDim(int d) { super.inputDim(d); return this; }

    /** Keras 3's {@code supports_masking} is true here: a mask passes on where the steps stay. */
    @Override
    public boolean passesMask() { return true; }
}
