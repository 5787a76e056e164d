package dev.jrnn.layers;

import dev.jrnn.backend.Activation;
import dev.jrnn.backend.Backend;
import dev.jrnn.backend.DTensor;
import dev.jrnn.initializers.Initializer;
import dev.jrnn.regularizers.Constraint;
import dev.jrnn.regularizers.Regularizer;
import dev.jrnn.tensor.Float32;
import dev.jrnn.tensor.Tensor;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Common base of {@link SimpleRNN}, {@link LSTM} and {@link GRU}, as Keras' {@code RNN} around a cell: the
 * RNN options, the weights and the loop over time; what one step computes is the layer's cell
 * ({@link SimpleRNNCell}, {@link LSTMCell}, {@link GRUCell}).
 *
 * <pre>{@code
 * LSTM lstm = new LSTM(8).returnSequences(true).goBackwards(true).dropout(0.2).recurrentDropout(0.2);
 * }</pre>
 *
 * <p>Forward on x [B, T, I]: x goes time-major (and time-reversed for goBackwards) into xT [T, B, I];
 * the input projection of all steps is one GEMM {@code P[T*B, G] = xT · kernel (+ bias)}; each step
 * adds {@code h_{s-1} · recurrent_kernel} into its slice with a GEMM and runs one fused step kernel
 * that writes {@code h_s} (and {@code c_s}) into state buffers of [T+1, B, H] (slot 0 = initial state).
 * Backward runs the fused step-backward kernels from the last step to the first, adding
 * {@code dgates · U^T} into the state gradient, then gets the weight gradients and dX as single GEMMs
 * over all steps. A backend with a whole-sequence path (the CPU's {@code CpuSequence}, CUDA's persistent
 * kernels) runs the loop in one call, where it takes the case (not with recurrent dropout, nor tbptt with a
 * mask). On a backend that overlaps {@code Backend.fork} (CUDA's second stream; the CPU with forks on),
 * consecutive recurrent layers of a model run as one {@link RecurrentStack} wavefront: the bottom layer (in
 * backward the top one) goes chunk by chunk of steps, and each finished chunk runs through the other layers
 * on the second stream.
 *
 * <p>Masks as Keras' RNN loop: a masked step keeps the states and repeats the previous output, where
 * the output before a sample's first real step (in processing order) is zero, not the initial state.
 * So with an initial state, the outputs at leading masked steps are 0 (and a fully masked sample outputs
 * 0 with return_sequences false), while the returned states are the initial state; no gradient flows
 * from those zero outputs. With {@link #zeroOutputForMask(boolean)} (Keras' zero_output_for_mask, which
 * Bidirectional sets to returnSequences) every masked step outputs 0.
 */
public abstract class RecurrentLayer extends Layer implements RandomDraws {
    final int units;
    /** One timestep: its kind, activations, bias layout and step operations. */
    final Cell cell;
    boolean useBias = true;
    boolean returnSequences;
    boolean returnState;
    boolean goBackwards;
    boolean unroll;
    int tbptt;
    boolean zeroOutputForMask;
    /** Keras' generic RNN over this layer's cell stands here ({@link #asKerasRnn(boolean)}). */
    private boolean kerasRnn;
    /** Keras' dropout and recurrent_dropout (0 = off), as set and as the mask kernel uses them. */
    double dropout, recurrentDropout;
    float dropout32, recurrentDropout32;
    /** Where the dropout masks come from (seeded at build). */
    final MaskStream masks = new MaskStream();
    boolean stateful;
    /** The states a stateful layer carries across batches. */
    private final RecurrentStates carried = new RecurrentStates(this);

    Param kernel;
    Param recurrentKernel;
    Param bias;

    RecurrentLayer(int units, Cell cell) {
        if (units <= 0) throw new IllegalArgumentException(kerasClass() + ": units must be positive, got " + units);
        long g = (long) cell.gates() * units;   // recurrent_kernel is (units, gates * units): check before any int product
        if ((double) g * units > Tensor.MAX_SIZE) {
            throw new IllegalArgumentException(kerasClass() + ": units " + units + " is too large: recurrent_kernel (" + units + ", "
                    + g + ") would hold " + (long) ((double) g * units) + " values, at most " + Tensor.MAX_SIZE);
        }
        this.units = units;
        this.cell = cell;
        // GRU's bias is (2, G) with resetAfter, else (G): its rank is checked at the build
        this.inits = new WeightInitializers(this).with("kernel", "kernelInitializer", 2, Initializer.glorotUniform())
                .with("recurrent_kernel", "recurrentInitializer", 2, Initializer.orthogonal(1.0))
                .with("bias", "biasInitializer", cell instanceof GRUCell ? 0 : 1, Initializer.zeros());
    }

    /** Keras' kernel_initializer, recurrent_initializer and bias_initializer. */
    private final WeightInitializers inits;

    /** Recurrent states: 1 (h) or 2 (h, c for LSTM). */
    public int stateCount() { return cell.states(); }

    /** A fresh unbuilt layer of the same class and configuration (name, weights and shapes excluded). */
    protected abstract RecurrentLayer newInstance();

    // ------------------------------------------------------------------ configuration

    /** Keras' {@code units}: the size of the state h (and c), the output's last axis. */
    public int units() { return units; }

    /** Keras' {@code activation} name (default "tanh"). */
    public String activation() { return cell.activation.kerasName(); }

    /** Keras' activation name (default "tanh"; any elementwise name {@link Activation#of} takes). */
    public RecurrentLayer activation(String a) {
        requireUnwrapped("activation");
        cell.activation = elementwise(a, "activation");
        return this;
    }

    /** Keras' {@code use_bias}; default true. */
    public boolean useBias() { return useBias; }

    /** Keras' {@code use_bias}: whether the layer has a bias; default true. Set it before the build and before wrapping. */
    public RecurrentLayer useBias(boolean b) {
        requireUnwrapped("useBias");
        requireUnbuilt("useBias");
        this.useBias = b;
        return this;
    }

    /** Keras' {@code return_sequences}; default false. */
    public boolean returnSequences() { return returnSequences; }

    /** Yes: a chain of recurrent layers may run as one wavefront ({@link Layer#forwardChain}). */
    @Override
    public boolean recurrent() { return true; }

    /**
     * Keras' {@code return_sequences}: output every step's h, (batch, timesteps, units), instead of the last one, (batch, units);
     * default false. Set it before the layer is called and before wrapping.
     */
    public RecurrentLayer returnSequences(boolean b) {
        requireShapeOptionOpen("returnSequences");
        this.returnSequences = b;
        return this;
    }

    /** Keras' {@code return_state}; default false. */
    public boolean returnState() { return returnState; }

    /**
     * Keras' {@code return_state}: the layer's outputs are the output then the last states, [output, h] ([output, h, c]
     * for LSTM); default false. Set it before the layer is called and before wrapping.
     */
    public RecurrentLayer returnState(boolean b) {
        requireShapeOptionOpen("returnState");
        this.returnState = b;
        return this;
    }

    /** Keras' {@code go_backwards}; default false. */
    public boolean goBackwards() { return goBackwards; }

    /**
     * Keras' {@code go_backwards}: process the sequence from its last step to its first; with {@code returnSequences}
     * the outputs come in that processing order (reversed), as in Keras. Default false. Set it before the layer is
     * called and before wrapping.
     */
    public RecurrentLayer goBackwards(boolean b) {
        requireShapeOptionOpen("goBackwards");
        this.goBackwards = b;
        return this;
    }

    /** Keras' {@code unroll}; default false. */
    public boolean unroll() { return unroll; }

    /**
     * Keras' {@code unroll}: accepted and saved, with the same numbers either way (Keras unrolls its symbolic loop
     * for speed; jrnn's loop over time is its kernels' own). As in Keras, the number of timesteps must be known:
     * applying an unrolled layer to {@code Input.shape(-1, features)} is refused.
     * <pre>{@code
     * LSTM lstm = new LSTM(32).unroll(true).inputShape(10, 1);
     * }</pre>
     */
    public RecurrentLayer unroll(boolean b) {
        requireShapeOptionOpen("unroll");
        this.unroll = b;
        return this;
    }

    /** Keras' {@code zero_output_for_mask}; default false. */
    public boolean zeroOutputForMask() { return zeroOutputForMask; }

    /**
     * Makes this layer Keras' generic {@code RNN(LSTMCell(units))} (GRUCell, SimpleRNNCell for the others), which computes
     * what this layer computes: {@code summary()} lists it as {@code RNN} and {@code model.save} writes that RNN over its
     * cell, as Keras would. A Keras file's RNN over one built-in cell loads so.
     * <pre>{@code
     * Layer rnn = new LSTM(8).asKerasRnn(true);   // Keras: RNN(LSTMCell(8)), named rnn, rnn_1, ... as Keras names it
     * }</pre>
     */
    public RecurrentLayer asKerasRnn(boolean b) {
        requireUnwrapped("asKerasRnn");
        this.kerasRnn = b;
        drawDefaultName(Names.snake(kerasClass()), false);   // a default name follows the class, as Keras': rnn, rnn_1
        // Keras names the cell made for RNN(...) from its own counter: lstm_cell, lstm_cell_1, ... (a file's name is kept)
        if (b && cell.name == null) cell.name = dev.jrnn.backend.NameUids.draw(Names.snake(layerClass() + "Cell")).name();
        return this;
    }

    /** Whether this layer stands for Keras' generic RNN over its cell ({@link #asKerasRnn(boolean)}). */
    public boolean asKerasRnn() { return kerasRnn; }

    /** Keras' name of the cell of {@code RNN(cell)}: given, or drawn by {@link #asKerasRnn(boolean)}; null before either. */
    public String cellName() { return cell.name; }

    /** Names the cell, as Keras' {@code RNN(LSTMCell(8, name="enc_cell"))}; {@code model.save} writes it for an RNN. */
    public RecurrentLayer cellName(String n) { cell.name = Names.check(name() + ": the cell name", n); return this; }

    /** The layer class, LSTM, GRU or SimpleRNN, also when it stands for Keras' RNN over its cell (what to construct). */
    public abstract String layerClass();

    /** Its Keras class: {@link #layerClass()}, or RNN when it stands for Keras' RNN over the cell. */
    @Override
    public final String kerasClass() { return kerasRnn ? "RNN" : layerClass(); }

    /**
     * Keras' {@code zero_output_for_mask}: when true, the output at every masked step is 0 instead of the
     * previous output (with returnSequences false: the output is 0 when the last processed step is
     * masked). The states still carry over masked steps. Bidirectional sets it to returnSequences on both
     * of its layers, as Keras does.
     */
    public RecurrentLayer zeroOutputForMask(boolean b) {
        requireUnwrapped("zeroOutputForMask");
        this.zeroOutputForMask = b;
        return this;
    }

    /** Keras' {@code dropout}; default 0. */
    public double dropout() { return dropout; }

    /**
     * Keras' {@code dropout}: the fraction of the input features dropped in training, in [0, 1). One mask per
     * sample and feature is drawn per call and used at every step (with a recurrentDropout, one per gate, as
     * Keras' implementation 1), the kept values scaled by 1 / (1 - rate); inference (predict, evaluate) uses none.
     */
    public RecurrentLayer dropout(double rate) {
        requireUnwrapped("dropout");
        this.dropout32 = rate("dropout", rate);
        this.dropout = rate;
        return this;
    }

    /** Keras' {@code recurrent_dropout}; default 0. */
    public double recurrentDropout() { return recurrentDropout; }

    /**
     * Keras' {@code recurrent_dropout}: the fraction of the units of the previous state dropped from the
     * recurrent product in training, in [0, 1); one mask per sample and unit (and, for LSTM and GRU, per gate)
     * for the whole sequence. The CUDA persistent kernels are not used while it is on.
     */
    public RecurrentLayer recurrentDropout(double rate) {
        requireUnwrapped("recurrentDropout");
        this.recurrentDropout32 = rate("recurrentDropout", rate);
        this.recurrentDropout = rate;
        return this;
    }

    /** A dropout rate as the mask kernel takes it; name() only on failure (it would draw the default name now). */
    private float rate(String what, double rate) {
        try {
            return Float32.check(what, rate, r -> r >= 0 && r < 1, "in [0, 1)");
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(name() + ": " + e.getMessage(), e);
        }
    }

    /** The dropout masks' stream, for saving a training run: {seed, masks drawn so far}. */
    public long[] maskStream() { return masks.state(); }

    /** Puts back a {@link #maskStream()}; the layer must be built. */
    public RecurrentLayer maskStream(long seed, long drawn) {
        masks.restore(backend(), name(), seed, drawn);
        return this;
    }

    /** The truncated-BPTT length {@link #tbptt(int)}; default 0 (full BPTT). */
    public int tbptt() { return tbptt; }

    /**
     * Truncated BPTT: the gradient through the recurrent state is cut every {@code k} steps (counted in
     * processing order, between step k-1 and k, 2k-1 and 2k, ...); 0 = full BPTT.
     */
    public RecurrentLayer tbptt(int k) {
        if (Bidirectional.wraps(this)) {
            throw new IllegalStateException(name() + ": cannot set tbptt of a layer a Bidirectional wraps (its other direction"
                    + " would keep the old value); set it before wrapping, or with the Bidirectional's tbptt(k)");
        }
        if (k < 0) throw new IllegalArgumentException(name() + ": tbptt must be >= 0 (0 = full BPTT), got " + k);
        this.tbptt = k;
        return this;
    }

    @Override
    public boolean stateful() { return stateful; }

    /**
     * Keras' {@code stateful}: the last states of each batch become the initial states of the next (sample i of
     * one batch continues sample i of the previous), in fit, evaluate and predict, until {@link #resetStates()}.
     * The batch size must be fixed: by {@link #batchInputShape} on the first layer or {@code Input.batchShape};
     * the gradient stops at the batch boundary (Keras' truncated BPTT over batches). Fit with
     * {@code shuffle(false)} for the samples to line up (shuffling is allowed, as in Keras, but mixes the
     * sequences). Set it before the layer is built.
     * <pre>{@code
     * LSTM lstm = new LSTM(32).stateful(true).batchInputShape(8, 10, 1);
     * }</pre>
     */
    public RecurrentLayer stateful(boolean b) {
        requireUnwrapped("stateful");
        requireUnbuilt("stateful");
        this.stateful = b;
        return this;
    }

    /** Zeros the carried states (Keras' {@code reset_states()}); throws on a layer that is not stateful. */
    @Override
    public void resetStates() {
        requireStateful("resetStates");
        carried.reset();
    }

    /**
     * Sets the carried states to {@code states} ([batch, units] each: h, and c for LSTM), as Keras' {@code
     * reset_states(states)}.
     */
    public void resetStates(List<Tensor> states) {
        requireStateful("resetStates");
        carried.set(states);
    }

    /** The carried states as host tensors ([batch, units] each: h, and c for LSTM), as Keras' {@code layer.states}. */
    public List<Tensor> states() {
        requireStateful("states");
        return carried.get();
    }

    private void requireStateful(String what) {
        if (!stateful) throw new IllegalStateException(name() + "." + what + ": the layer is not stateful (stateful(true))");
    }

    /** Frees the carried states and the dropout mask counter. */
    @Override
    public void releaseBuffers() {
        carried.release();
        masks.release();
    }

    @Override
    public RecurrentLayer name(String n) { super.name(n); return this; }

    @Override
    public RecurrentLayer dtype(String policy) { super.dtype(policy); return this; }

    @Override
    public RecurrentLayer seed(long s) { super.seed(s); return this; }

    @Override
    public RecurrentLayer inputShape(int... shape) { super.inputShape(shape); return this; }

    @Override
    public RecurrentLayer batchInputShape(int batch, int... shape) { super.batchInputShape(batch, shape); return this; }

    @Override
    public RecurrentLayer inputLength(int n) { super.inputLength(n); return this; }

    @Override
    public RecurrentLayer inputDim(int d) { super.inputDim(d); return this; }

    @Override
    public RecurrentLayer trainable(boolean t) { super.trainable(t); return this; }

    /** The kernel param [I, G] (null before build). */
    public Param kernel() { return kernel; }

    /** The recurrent_kernel param [H, G] (null before build). */
    public Param recurrentKernel() { return recurrentKernel; }

    /** The bias param (null before build or without bias). */
    public Param bias() { return bias; }

    /**
     * Keras' {@code kernel_initializer} of the input kernel [I, G] (default glorot_uniform), drawn at the build: set it
     * before, and before wrapping (a Bidirectional's backward copy takes the initializers of then).
     * <pre>{@code
     * LSTM lstm = new LSTM(64).kernelInitializer("he_normal").recurrentInitializer(Initializer.orthogonal(1.0, 7));
     * }</pre>
     */
    public RecurrentLayer kernelInitializer(Initializer i) { initializers("kernelInitializer").set("kernel", i); return this; }

    /** Keras' {@code kernel_initializer} by Keras' name ({@link Initializer#of}). */
    public RecurrentLayer kernelInitializer(String name) { return kernelInitializer(inits.named("kernel", name)); }

    /** Keras' {@code kernel_initializer}; default glorot_uniform. */
    public Initializer kernelInitializer() { return inits.get("kernel"); }

    /** Keras' {@code recurrent_initializer} of the recurrent kernel [H, G] (default orthogonal). */
    public RecurrentLayer recurrentInitializer(Initializer i) { initializers("recurrentInitializer").set("recurrent_kernel", i); return this; }

    /** Keras' {@code recurrent_initializer} by Keras' name ({@link Initializer#of}). */
    public RecurrentLayer recurrentInitializer(String name) { return recurrentInitializer(inits.named("recurrent_kernel", name)); }

    /** Keras' {@code recurrent_initializer}; default orthogonal (gain 1). */
    public Initializer recurrentInitializer() { return inits.get("recurrent_kernel"); }

    /**
     * Keras' {@code bias_initializer} (default zeros). LSTM's unitForgetBias combines it as Keras does: the bias is
     * {@code [init(units), ones(units), init(2 * units)]}, each part drawn with its own shape.
     */
    public RecurrentLayer biasInitializer(Initializer i) { initializers("biasInitializer").set("bias", i); return this; }

    /** Keras' {@code bias_initializer} by Keras' name ({@link Initializer#of}). */
    public RecurrentLayer biasInitializer(String name) { return biasInitializer(inits.named("bias", name)); }

    /** Keras' {@code bias_initializer}; default zeros. */
    public Initializer biasInitializer() { return inits.get("bias"); }

    /** The initializers, refused once a Bidirectional wraps the unbuilt layer, as {@link #rule}. */
    private WeightInitializers initializers(String what) {
        if (!isBuilt()) requireUnwrapped(what);
        return inits;
    }

    /** Keras' {@code kernel_regularizer}: its penalty on the input kernel joins the loss (null: none). Set it before wrapping. */
    public RecurrentLayer kernelRegularizer(Regularizer r) { rule("kernel_regularizer").regularizer("kernel", r); return this; }

    /** Keras' {@code recurrent_regularizer}, on the recurrent kernel (null: none). */
    public RecurrentLayer recurrentRegularizer(Regularizer r) { rule("recurrent_regularizer").regularizer("recurrent_kernel", r); return this; }

    /** Keras' {@code bias_regularizer} (null: none; no penalty without a bias). */
    public RecurrentLayer biasRegularizer(Regularizer r) { rule("bias_regularizer").regularizer("bias", r); return this; }

    /** Keras' {@code kernel_constraint}: applied to the input kernel after each update (null: none). */
    public RecurrentLayer kernelConstraint(Constraint c) { rule("kernel_constraint").constraint("kernel", c); return this; }

    /** Keras' {@code recurrent_constraint}, on the recurrent kernel (null: none). */
    public RecurrentLayer recurrentConstraint(Constraint c) { rule("recurrent_constraint").constraint("recurrent_kernel", c); return this; }

    /** Keras' {@code bias_constraint} (null: none). */
    public RecurrentLayer biasConstraint(Constraint c) { rule("bias_constraint").constraint("bias", c); return this; }

    /**
     * Keras' {@code activity_regularizer}: a penalty on the outputs (states too, as Keras), divided by the batch size
     * (null: none).
     */
    public RecurrentLayer activityRegularizer(Regularizer r) { rule("activity_regularizer").activity(r); return this; }

    /** The rules, refused once a Bidirectional wraps the layer: its backward copy was made with the rules of then. */
    private WeightRules rule(String what) {
        requireUnwrapped(what);
        return weightRules();
    }

    Activation elementwise(String a, String what) {
        Activation act = Activation.of(a);
        if (act.rowwise()) {
            throw new IllegalArgumentException(name() + ": " + what + " must be elementwise (tanh, sigmoid, relu, linear, hard_sigmoid, ...: any"
                    + " but softmax and log_softmax), got "
                    + act.kerasName());
        }
        return act;
    }

    /**
     * returnSequences, returnState and goBackwards shape the outputs, not the weights: refused once a Bidirectional
     * wraps the layer (its backward copy was made from them) or the layer has been applied.
     */
    private void requireShapeOptionOpen(String what) {
        requireUnwrapped(what);
        requireUncalled(what);
    }

    /**
     * Options refused once a Bidirectional wraps the layer: its other direction (a copy, or the given one) keeps the
     * old value.
     */
    void requireUnwrapped(String what) {
        if (Bidirectional.wraps(this)) {
            throw new IllegalStateException(name() + ": cannot set " + what + " of a layer a Bidirectional wraps (its other direction"
                    + " would keep the old value); set it before wrapping");
        }
    }

    void requireUnbuilt(String what) {
        if (isBuilt()) throw new IllegalStateException(name() + ": cannot change " + what + " after the layer is built");
    }

    /** A layer like this one (RNN options and cell) with {@code c}'s units: {@link #newInstance} of the subclasses. */
    RecurrentLayer copyConfig(RecurrentLayer c) {
        c.useBias = useBias;
        c.returnSequences = returnSequences;
        c.returnState = returnState;
        c.goBackwards = goBackwards;
        c.unroll = unroll;
        c.tbptt = tbptt;
        c.zeroOutputForMask = zeroOutputForMask;
        c.kerasRnn = kerasRnn;
        c.dropout(dropout).recurrentDropout(recurrentDropout);
        c.stateful = stateful;
        c.trainable(trainable());
        c.dtype(dtype());   // Keras' copy keeps the dtype policy (bidirectional.py copies the whole config)
        weightRules().copyTo(c.weightRules());
        inits.copyTo(c.inits);
        if (seed() != null) c.seed(seed());   // Keras' copy keeps seed=: it seeds the masks only, the weights differ
        return c;
    }

    // ------------------------------------------------------------------ shapes and params

    @Override
    public List<int[]> computeOutputShapes(List<int[]> in) { return RecurrentShapes.outputs(this, in); }

    @Override
    protected boolean weightsFit(List<int[]> built, List<int[]> given) {
        return Layers.sameFeatures(built, given);
    }

    @Override
    protected void createParams(List<int[]> in) {
        int inputDim = in.get(0)[1];
        int g = cell.gates() * units;
        kernel = addParam("kernel", inputDim, g);
        recurrentKernel = addParam("recurrent_kernel", units, g);
        bias = useBias ? addParam("bias", cell.biasShape(units)) : null;
    }

    @Override
    protected void initParams(SplittableRandom rng) {
        if (!initialValuesNeeded()) {   // loading: the file's weights come next, but each layer still gets its own masks
            masks.seed(maskSeed(rng));
            return;
        }
        kernel.set(Tensor.wrap(inits.draw("kernel", kernel.shape(), rng), kernel.shape()));
        recurrentKernel.set(Tensor.wrap(inits.draw("recurrent_kernel", recurrentKernel.shape(), rng), recurrentKernel.shape()));
        if (bias != null) bias.set(Tensor.wrap(cell.initialBias(units, shape -> inits.draw("bias", shape, rng)), cell.biasShape(units)));
        masks.seed(maskSeed(rng));   // after the weights, which stay as without dropout
    }

    // ------------------------------------------------------------------ forward / backward

    @Override
    public List<Tensor> callAll(List<Tensor> inputs) {
        if (inputs != null && Layers.noNulls(inputs)) {
            List<int[]> full = new ArrayList<>();
            for (Tensor t : inputs) full.add(t.shape());
            RecurrentShapes.checkBatchFirst(this, full);
        }
        return super.callAll(inputs);
    }

    @Override
    public Trace forward(List<DTensor> inputs, DTensor mask, boolean training) {
        if (inputs == null || inputs.isEmpty() || !Layers.noNulls(inputs)) {
            throw new IllegalArgumentException(name() + ": no input given (or a null input)");
        }
        List<int[]> full = new ArrayList<>();
        for (DTensor d : inputs) full.add(d.shape());
        RecurrentShapes.checkBatchFirst(this, full);
        build(Layers.perSample(inputs));
        Backend be = backend();
        Layers.sameBackend(this, be, inputs);
        DTensor x = inputs.get(0);
        int batch = x.dim(0), steps = x.dim(1);
        if (mask != null && (mask.rank() != 2 || mask.dim(0) != batch || mask.dim(1) != steps)) {
            throw new IllegalArgumentException(name() + ": expected mask (" + batch + ", " + steps + "), got "
                    + Tensor.shapeString(mask.shape()));
        }
        // stateful: the carried states are the initial ones unless the call gives its own (as Keras)
        boolean carry = stateful && inputs.size() == 1;
        List<DTensor> in = carry ? RecurrentStates.withStates(inputs.get(0), carried.forBatch(be, batch)) : inputs;
        if (stateful && !carry) carried.forBatch(be, batch);   // checks the batch size
        RecurrentRun r = new RecurrentRun(this, be, in, mask, batch, steps, x.dim(2));
        try {
            if (training) r.drop = RecurrentDropout.draw(r);
            r.forward();
            if (stateful) carried.carry(be, r.hs, r.cs, r.bh(steps));
        } catch (RuntimeException | Error e) {
            r.close();
            throw e;
        }
        return carry ? RecurrentStates.cutAtBatchStart(r) : r;
    }

    /** Keras 3's {@code supports_masking} is true here: a mask passes on where the steps stay. */
    @Override
    public boolean passesMask() { return true; }
}
