package dev.jrnn.layers;

import dev.jrnn.Jrnn;
import dev.jrnn.backend.Backend;
import dev.jrnn.backend.DTensor;
import dev.jrnn.tensor.Tensor;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Base of every layer. A layer is built once for per-sample input shapes (batch excluded), creating
 * its {@link Param}s with Keras initializers on the current backend; it can then be applied to
 * batches any number of times through {@link #forward}, or called directly on host tensors.
 *
 * <pre>{@code
 * LSTM lstm = new LSTM(4).returnSequences(true);
 * Tensor y = lstm.call(Tensor.of(new float[][][] {{{1}, {2}, {3}}}));   // shape (1, 3, 4)
 * }</pre>
 *
 * Subclasses implement {@link #computeOutputShapes}, {@link #createParams}, {@link #initParams},
 * {@link #forward} and {@link #kerasClass}. Inputs of
 * {@code forward}: the layer's main input first, then extra inputs such as initial states. A layer of your own with
 * weights and a backward pass, worked through (how forward reaches a weight, that backward adds into
 * {@link Param#grad()}, who closes a trace's tensors, masks): docs/GUIDE.md, "Writing a custom layer".
 *
 * <p>Thread safety: once built, {@link #call}, {@link #callAll} and inference {@link #forward} keep all
 * per-call state in the returned {@link Trace}, so on the CPU backend several threads may run them at
 * once; building, the fluent setters, {@link #setWeights} and training change the layer and need one
 * thread. Bad input is an IllegalArgumentException naming the layer, the expected and the actual shape.
 */
public abstract class Layer {
    private final LayerName name;
    private Long seed;
    private final DeclaredInput declared = new DeclaredInput();
    private volatile boolean trainable = true;   // read by a fit on another thread (TrainableFlags)
    private String dtype = DtypePolicy.FLOAT32;   // Keras' dtype policy, kept for the config (jrnn computes in float32)

    /** The backend the layer was built on (null before the build). */
    protected Backend backend;
    /** The store of the weights {@link #createParams} declared (null before the build). */
    protected ParamStore store;
    /** The layer's weights, in Keras' order: {@link #createParams} adds them. */
    protected final List<Param> params = new ArrayList<>();
    private List<int[]> builtInputShapes;
    private List<int[]> outputShapes;
    private final List<Call> calls = new ArrayList<>();

    /**
     * Keras class name, as summary() prints it: "SimpleRNN", "LSTM", "Dense", ... (RNN: RecurrentLayer#asKerasRnn). Layer's
     * constructor reads it (for the default name) before the subclass's fields are set.
     */
    public abstract String kerasClass();

    /**
     * Per-sample output shapes (several when the layer returns states) for these per-sample input
     * shapes; throws IllegalArgumentException naming the layer, the expected and the actual shape
     * when an input does not fit. Pure: called at every build and by models to infer shapes.
     */
    public abstract List<int[]> computeOutputShapes(List<int[]> inputShapes);

    /** Declares the parameters ({@link #addParam}) for these input shapes. Called once. */
    protected abstract void createParams(List<int[]> inputShapes);

    /** Writes the initial values (Keras initializers) into the parameters after they are stored. */
    protected abstract void initParams(SplittableRandom rng);

    /** Applies the layer to a batch. {@code mask} ([batch, timesteps], 1/0) is nullable. */
    public abstract Trace forward(List<DTensor> inputs, DTensor mask, boolean training);

    /**
     * As {@link #forward} with one mask (or null) per input, which models call: a merge layer combines them as
     * Keras does; every other layer takes the first input's mask.
     */
    public Trace forwardMasked(List<DTensor> inputs, List<DTensor> masks, boolean training) {
        return forward(inputs, masks == null || masks.isEmpty() ? null : masks.get(0), training);
    }

    /**
     * Keras' {@code supports_masking}: whether a model passes the input mask on where this layer's {@link Trace} gives
     * none of its own ({@link Trace#outputMask()} null) but its output keeps the batch and time axes, as Dense and
     * Dropout do. False by default, as in Keras 3, where a layer supports masking only if it says so (or overrides
     * {@code compute_mask}: here, a trace that returns a mask of its own): a mask reaching a layer that neither passes it
     * on nor gives one of its own ends there, with one warning per layer in Keras' words ("... does not support masking
     * and will therefore destroy the mask information"), as Conv1D and the poolings end it. A layer of your own that
     * acts on each step alone (so a padded step stays one a later layer may skip) overrides this to return true. So does
     * one whose output has no time axis and that should end a mask quietly (Keras' {@code supports_masking} with a
     * {@code compute_mask} returning None, as GlobalAveragePooling1D): no mask goes on where the output lost the steps,
     * and nothing warns.
     */
    public boolean passesMask() { return false; }

    /**
     * Whether a mask ending at this layer warns, as Keras 3's {@code __call__} warns at a layer without
     * {@code supports_masking}; false where Keras' layer supports masking yet gives no mask (GlobalAveragePooling1D) and
     * for what Keras 3 runs as an op, not a layer (GetItem).
     */
    boolean warnsOnDroppedMask() { return !passesMask(); }

    /**
     * Whether a {@link TimeDistributed} wrapping this layer passes the (batch, steps, inner steps) mask on where the
     * layer's output keeps the inner steps, whatever {@link #passesMask()} says (Keras' TimeDistributed passes it on
     * whatever the wrapped layer's {@code supports_masking}); false for the layers that move or pool the inner steps
     * (Conv1D, the poolings, the rearrangements), where a step is kept where any of its inner steps is.
     */
    boolean keepsInnerMask() { return true; }

    /**
     * Whether a call with this {@code training} flag makes one sample's output depend on the other samples of the batch,
     * as BatchNormalization in training (the batch's moments). {@link TimeDistributed} folds the steps into the batch
     * only where this is false (exact, and one call: Dense, Conv1D, LSTM...); where true it calls the layer once per
     * step, as Keras 3's TimeDistributed always does, so each step sees its own batch (and the step's part of the mask).
     * False by default; a layer of your own whose training output mixes the batch overrides it. Run per step, its
     * {@code forward} gets {@code x[:, s]} (batch, ...) and {@code mask[:, s]} where the mask has one axis fewer than
     * the input (else null); every step's outputs must have the same shapes, batch first; all steps' forwards run, in
     * step order, before any backward, the backwards in reverse step order, and the weights' gradients of the steps add.
     * Training then costs one call per step.
     */
    protected boolean mixesBatch(boolean training) { return false; }

    /** Set by the first warning: threads predicting at once on one model still warn once for this layer. */
    private final AtomicBoolean maskDropWarned = new AtomicBoolean();

    /** Warns once for this layer that it dropped a mask, in Keras 3.15.1's words (layer.py's __call__). */
    final void warnMaskDropped() {
        if (!maskDropWarned.compareAndSet(false, true)) return;
        System.getLogger(Layer.class.getName()).log(System.Logger.Level.WARNING, "Layer '" + name() + "' (of type "
                + kerasClass() + ") was passed an input with a mask attached to it. However, this layer does not support"
                + " masking and will therefore destroy the mask information. Downstream layers will not see the mask.");
    }

    // ------------------------------------------------------------------ naming and input declaration

    /** Draws the Keras default name ("lstm", then "lstm_1", ...) when the layer is made, as Keras numbers layers. */
    protected Layer() {
        this.name = new LayerName(Names.snake(kerasClass()));
    }

    /** The layer name: the one given, else the Keras default drawn when the layer was made (e.g. "lstm_1"). */
    public String name() {
        return name.get();
    }

    /** Names the layer; right after it was made, its default name's number goes back (Keras' {@code name=...}). */
    public Layer name(String n) {
        name.set(n);
        return this;
    }

    /** While the name is the default, draws it from {@code base}, from 1 with {@code fromOne} (Keras' input_1, ...); a
     *  name given right after still gives the number back. */
    protected final void drawDefaultName(String base, boolean fromOne) { name.redrawDefault(base, fromOne); }

    /** Renames a layer whose default name counted (a wrapper's forward layer): its number stays taken, as in Keras. */
    void rename(String n) {
        name.keepNumber();
        name(n);
    }

    /**
     * Keras' {@code seed=}: seeds the dropout masks or noise of a layer that draws them (else they come from
     * {@link Jrnn#setSeed}). As in Keras it does not seed the initial weights: they follow {@link Jrnn#setSeed}, or an
     * initializer's own seed ({@code kernelInitializer(Initializer.glorotUniform(5))}). On a jrnn layer that draws no
     * masks or noise (Dense, Conv1D, Embedding, ...) it seeds nothing and warns once per layer class (before session 31
     * it fixed the weights; the key is still read from older configs and files).
     */
    public Layer seed(long s) {
        this.seed = s;
        if (!(this instanceof RandomDraws || this instanceof Bidirectional || this instanceof TimeDistributed)
                && getClass().getName().startsWith("dev.jrnn.") && SEED_IGNORED.add(getClass())) {
            System.getLogger(Layer.class.getName()).log(System.Logger.Level.WARNING, "Layer '" + name() + "' (of type "
                    + kerasClass() + "): seed(" + s + ") seeds nothing, as this layer draws no dropout masks or noise; a"
                    + " layer's seed no longer fixes its initial weights (jrnn session 31, as Keras' seed=). Seed the"
                    + " initializers instead (kernelInitializer(Initializer.glorotUniform(" + s + "))) or call"
                    + " Jrnn.setSeed before building");
        }
        return this;
    }

    /** The layer classes {@link #seed(long)} warned for: once each. */
    private static final java.util.Set<Class<?>> SEED_IGNORED = java.util.concurrent.ConcurrentHashMap.newKeySet();

    /** The seed given to {@link #seed(long)}, null when none was (Keras' None): {@code new Attention().seed(7).seed()} is 7. */
    public Long seed() { return seed; }

    /** Keras' {@code input_shape=(timesteps, features)} (or {@code (features,)} for Dense). */
    public Layer inputShape(int... shape) {
        declared.shape(this, shape);
        return this;
    }

    /** Keras' {@code batch_input_shape=(batch, timesteps, features)}: also fixes the batch size. */
    public Layer batchInputShape(int batch, int... shape) {
        DeclaredInput.checkBatch(this, batch);
        inputShape(shape);
        declared.batch(batch);
        return this;
    }

    /** Keras' {@code input_length}; with {@link #inputDim} makes the input shape (inputLength, inputDim). */
    public Layer inputLength(int n) {
        declared.length(this, n);
        return this;
    }

    /** Keras' {@code input_dim}. */
    public Layer inputDim(int d) {
        declared.dim(this, d);
        return this;
    }

    /** Shape implied by input_dim alone: (None, dim) for sequence layers, (dim,) for Dense. */
    protected int[] defaultShapeForInputDim(int dim) { return new int[] {-1, dim}; }

    /** The declared per-sample input shape, or null. -1 entries mean "any". */
    public int[] declaredInputShape() { return declared.shape(); }

    /** The batch size fixed by batchInputShape, or -1. */
    public int declaredBatchSize() { return declared.batch(); }

    /** Keras' {@code trainable}; default true. */
    public boolean trainable() { return trainable; }

    /**
     * Keras' {@code dtype=}, a dtype policy ("float32", the default, "float64", "mixed_float16", ...; an InputLayer's: a
     * dtype such as "int32"), kept in the config {@code toJson} and {@code save} write, so Keras rebuilds the layer as
     * given. jrnn computes every layer in float32 with float32 weights whatever it says; loading a Keras file keeps it
     * and warns once naming such layers. docs/GUIDE.md, "dtype policies".
     */
    public Layer dtype(String policy) {
        this.dtype = DtypePolicy.check(name() + ".dtype", policy, kerasClass().equals("InputLayer"));
        return this;
    }

    /** The dtype policy {@link #dtype(String)} set, "float32" until then. */
    public String dtype() { return dtype; }

    /** Keras' {@code trainable}: false freezes the layer's weights (fit leaves them as they are); default true. */
    public Layer trainable(boolean t) {
        boolean changed = t != trainable;
        this.trainable = t;
        if (changed) TrainableFlags.changed();   // after: who sees the new count reads the new flag
        return this;
    }

    private final WeightRules rules = new WeightRules();

    /**
     * The regularizers and constraints set on this layer: the builders of Dense, LSTM, Embedding, ... fill it, and
     * {@code weightRules().activity(r)} sets Keras' activity_regularizer on any layer.
     */
    public WeightRules weightRules() { return rules; }

    // ------------------------------------------------------------------ building

    /** Bound while a loader builds layers whose every weight it sets next (see {@link #buildForLoading}). */
    private static final ScopedValue<Boolean> WEIGHTS_FOLLOW = ScopedValue.newInstance();

    /**
     * Runs {@code task} with the layers it builds left at zeros instead of their initial values, for loaders that
     * set every weight right after ({@code Models.load}): Keras' initialisers (the orthogonal recurrent kernel
     * above all) would be computed only to be overwritten. Everything else of a build happens as usual (the
     * random stream advances, Dropout draws its seed, wrappers adopt their inner layers).
     *
     * <pre>{@code
     * Model m = Layer.buildForLoading(() -> Models.fromJson(json));   // the layers, as Models.load makes them
     * Layer.buildForLoading(m::paramStore);                             // their weights, at zeros
     * m.setWeights(weights);                                            // so set every weight next
     * }</pre>
     */
    public static <T> T buildForLoading(java.util.function.Supplier<T> task) {
        return ScopedValue.where(WEIGHTS_FOLLOW, Boolean.TRUE).call(task::get);
    }

    /** False inside {@link #buildForLoading}: {@link #initParams} then leaves the values to the loader. */
    protected static boolean initialValuesNeeded() {
        return !WEIGHTS_FOLLOW.isBound();
    }

    /**
     * Builds for these per-sample input shapes on the current {@link Jrnn#backend()} and returns the output shapes. Later
     * calls with other shapes are fine when the weights fit them (same features, other timesteps); otherwise they throw.
     */
    public final List<int[]> build(List<int[]> inputShapes) {
        List<int[]> out = computeOutputShapes(copy(inputShapes));
        if (builtInputShapes != null) {
            requireWeights();
            if (!weightsFit(builtInputShapes, inputShapes)) {
                throw new IllegalArgumentException(name() + ": expected input " + Layers.batchShapesString(builtInputShapes)
                        + " (the shape it was built for), got " + Layers.batchShapesString(inputShapes));
            }
            return out;
        }
        SplittableRandom rng = Jrnn.nextRandom();   // the weights: the layer's seed is its masks' alone (maskSeed), as Keras
        this.backend = Jrnn.backend();
        boolean done = false;
        try {   // built only when every step succeeded: a failed build (too big, out of memory) leaves it unbuilt
            createParams(copy(inputShapes));
            LayerWeights.checkFit(this, params);
            // loading: the model's store takes the parameters over next and the file fills it, so the layer's own
            // store allocates nothing unless something reads it first
            this.store = initialValuesNeeded() ? new ParamStore(backend, params) : ParamStore.deferred(backend, params);
            initParams(rng);
            done = true;
        } finally {
            if (!done) unbuild();
        }
        this.builtInputShapes = copy(inputShapes);
        this.outputShapes = copy(out);
        return out;
    }

    /** The seed of this layer's masks or noise: from {@link #seed(long)} where given, else drawn from {@code rng}. */
    protected final long maskSeed(SplittableRandom rng) {
        return seed != null ? new SplittableRandom(seed).nextLong() : rng.nextLong();
    }

    /** Refuses a layer whose weights were freed by closing a model that used it (they would read freed buffers). */
    public void requireWeights() {
        for (Param p : params) {
            String by = p.isBound() ? p.store().closedBy() : null;
            if (by != null) {
                throw new IllegalStateException(name() + ": its weights were freed when model " + by + " was closed;"
                        + " a closed model's layers cannot be used again (build new layers, or close the model later)");
            }
        }
    }

    /** Undoes a failed build: frees what was allocated (the wrapped layers' builds too), forgets the parameters. */
    private void unbuild() {
        try {
            for (Layer w : wrapped()) if (w.isBuilt()) w.discardBuild();
        } finally {
            if (store != null) store.close();
            store = null;
            params.clear();
            backend = null;
        }
    }

    /** The layers this one wraps and builds in its own build (Bidirectional's two, TimeDistributed's); none by default. */
    protected List<Layer> wrapped() { return List.of(); }

    /**
     * Forgets this layer's build: frees its weights and other buffers; a later call builds it afresh. For a
     * layer that no model uses: a model whose construction failed calls it on the layers that construction built.
     * Example: {@code layer.discardBuild()} after {@code layer.build(new int[] {5, 3})} when nothing will run it.
     */
    public void discardBuild() {
        releaseBuffers();
        unbuild();
        synchronized (calls) {   // the nodes of its calls belong to the build that is gone
            calls.clear();
        }
        builtInputShapes = null;
        outputShapes = null;
    }

    /** {@link #build(List)} with the shapes as arguments. */
    public final List<int[]> build(int[]... inputShapes) { return build(Arrays.asList(inputShapes)); }

    /** Whether weights built for {@code built} serve {@code given}: default, same count, ranks and last dims. */
    protected boolean weightsFit(List<int[]> built, List<int[]> given) {
        if (built.size() != given.size()) return false;
        for (int i = 0; i < built.size(); i++) {
            int[] a = built.get(i), b = given.get(i);
            if (a.length != b.length) return false;
            if (a.length > 0 && a[a.length - 1] != b[b.length - 1]) return false;
        }
        return true;
    }

    /** Whether the layer is built (its weights exist). */
    public boolean isBuilt() { return builtInputShapes != null; }

    /** Per-sample output shapes of the first build. */
    public List<int[]> outputShapes() {
        if (outputShapes == null) throw new IllegalStateException(name() + " is not built yet");
        return copy(outputShapes);
    }

    /** Per-sample input shapes of the first build. */
    public List<int[]> inputShapes() {
        if (builtInputShapes == null) throw new IllegalStateException(name() + " is not built yet");
        return copy(builtInputShapes);
    }

    /** Declares a parameter during {@link #createParams}; initial values are written by {@link #initParams}. */
    protected Param addParam(String pname, int... shape) { return addParam(pname, true, shape); }

    /** As {@link #addParam(String, int...)}; {@code trainable} false: a weight the layer updates itself (moving statistics). */
    protected Param addParam(String pname, boolean trainable, int... shape) {
        for (int d : shape) {
            if (d <= 0) {
                throw new IllegalArgumentException(name() + ": parameter " + pname + " would have shape " + Arrays.toString(shape)
                        + "; every dimension must be positive (a size overflowed int?)");
            }
        }
        Param p = new Param(pname, trainable, shape);
        params.add(p);
        return p;
    }

    /** The backend the layer was built on. */
    public Backend backend() {
        if (backend == null) throw new IllegalStateException(name() + " is not built yet");
        return backend;
    }

    // ------------------------------------------------------------------ weights

    /** All parameters in Keras order (for wrappers: the inner layers' in order). */
    public List<Param> params() { return List.copyOf(params); }

    /**
     * Whether {@code p}, one of {@link #params()}, trains: this layer, the wrapped layer that holds it (a frozen
     * layer inside a trainable Bidirectional or TimeDistributed stays frozen, as in Keras) and the param itself.
     * Example: {@code new Bidirectional(new LSTM(4).trainable(false))} trains none of its weights.
     */
    public boolean trains(Param p) {
        dev.jrnn.backend.Checks.notNull(name() + ".trains", "p", p);
        for (Layer w : wrapped()) {
            for (Param q : w.params) if (q == p) return trainable() && w.trains(p);
        }
        for (Param q : params) if (q == p) return trainable() && p.trainable();
        throw new IllegalArgumentException(name() + ".trains: " + p.name() + " is not a parameter of this layer");
    }

    /** Number of scalar weights, as Keras' count_params(). */
    public long countParams() {
        long n = 0;
        for (Param p : params()) n += p.size();
        return n;
    }

    /**
     * Frees the buffers the layer holds besides its weights (e.g. Dropout's mask counter); a later call
     * allocates them again. A model's close() calls it on every layer of the model.
     */
    public void releaseBuffers() {}

    /** Sets the gradients of all parameters to zero (backward accumulates into them). */
    public void zeroGrads() {
        for (Param p : params()) p.backend().fill(p.grad(), p.offset(), p.size(), 0f);
    }

    /** Weights in Keras order and shapes (see each layer's Javadoc). */
    public List<Tensor> getWeights() {
        List<Tensor> w = new ArrayList<>();
        for (Param p : params()) w.add(p.get());
        return w;
    }

    /** Sets weights in Keras order and shapes; the count and every shape must match. */
    public void setWeights(List<Tensor> weights) {
        List<Param> ps = params();
        LayerWeights.checkSettable(this, ps, weights);
        for (int i = 0; i < ps.size(); i++) ps.get(i).set(weights.get(i));
    }

    /**
     * jrnn's name of {@code p} within this layer: the layer's entry of {@code Model.weightNames()} less {@code name() + "/"}
     * ({@code kernel}; {@code query/kernel} ... {@code attention_output/kernel} of MultiHeadAttention,
     * {@code forward_lstm/kernel} of Bidirectional), i.e. {@link #variableScope} less that prefix where it begins with it
     * (a subclass's own scope that does not is kept whole). That is Keras 3's {@code w.path} within the layer without a
     * recurrent cell's segment and without a TimeDistributed's wrapped layer: Keras 3 names an LSTM's kernel
     * {@code lstm_cell/kernel} within it, a Bidirectional's {@code forward_lstm/lstm_cell/kernel}, and
     * {@code TimeDistributed(Dense(2, name="inner"))}'s {@code inner/kernel}, where this gives {@code kernel}.
     * {@code p} must be one of this layer's {@link #params()}.
     */
    public final String weightName(Param p) { return LayerWeights.weightName(this, params, p); }

    // ------------------------------------------------------------------ direct calls on host tensors

    /** Applies the layer to {@code x} (batch first) and returns its first output. */
    public Tensor call(Tensor x) { return callAll(java.util.Collections.singletonList(x)).get(0); }

    /**
     * Applies the layer and returns every output: for recurrent layers with returnState,
     * [output, h] (SimpleRNN, GRU) or [output, h, c] (LSTM), as Keras' return_state.
     */
    public List<Tensor> callWithStates(Tensor x) { return callAll(java.util.Collections.singletonList(x)); }   // null: DirectCall names it

    /** Applies the layer to {@code x} with extra inputs (e.g. initial states) and returns every output. */
    public List<Tensor> callAll(List<Tensor> inputs) { return DirectCall.run(this, inputs, null).outputs(); }

    /**
     * Keras' {@code layer(x, mask=mask)}: {@code mask} (batch, timesteps) holds 1 for a step to use, 0 for one to skip
     * (a recurrent layer carries its state over it); null is no mask. <pre>{@code
     * Tensor y = lstm.call(embedding.call(ids), embedding.computeMask(ids));   // the padding (id 0) skipped
     * }</pre>
     */
    public Tensor call(Tensor x, Tensor mask) { return callAll(List.of(x), mask).get(0); }

    /** As {@link #callAll(List)}, with the main input's {@code mask} (batch, timesteps) of 1 and 0, or null. */
    public List<Tensor> callAll(List<Tensor> inputs, Tensor mask) { return DirectCall.run(this, inputs, mask).outputs(); }

    /**
     * Keras' {@code layer.compute_mask(x, previous_mask)}: the (batch, timesteps) mask of 1 and 0 this layer passes on
     * for input {@code x} given its input's {@code mask} (null: none), or null where it passes none. Embedding with
     * maskZero and Masking make one from {@code x}; most layers pass {@code mask} on; a recurrent layer passes it only
     * when it returns sequences; one that does not support masking ({@link #passesMask()} false) passes none, as its
     * call does (Keras' own compute_mask there returns {@code previous_mask}, which its {@code __call__} then drops). A
     * query: it never logs the warning a call logs where a mask ends (Keras' compute_mask never warns), nor uses up the
     * layer's one warning. A stateful layer's states do not move. As Keras' {@code x._keras_mask}. <pre>{@code
     * Tensor mask = new Embedding(5000, 16).maskZero(true).computeMask(Sequences.pad(ids, -1, "post", "pre", 0));
     * }</pre>
     */
    public Tensor computeMask(Tensor x, Tensor mask) { return DirectCall.mask(this, x, mask); }

    /** {@link #computeMask(Tensor, Tensor)} without an input mask. */
    public Tensor computeMask(Tensor x) { return computeMask(x, null); }
    // ------------------------------------------------------------------ functional API

    /**
     * Functional API (Keras' {@code layer(x)}): applies this layer to symbolic inputs (main input
     * first, then e.g. initial states) and returns its first output; {@code .all()} on the result
     * lists every output; a model is built from the resulting nodes.
     */
    public Node apply(Node... inputs) {
        return apply(Arrays.asList(inputs));
    }

    /** As {@link #apply(Node...)} on a list, e.g. {@code [x, h0, c0]}. */
    public Node apply(List<? extends Node> inputs) { return Node.apply(this, inputs, true); }

    /**
     * As {@link #apply(List)} for a recurrent layer or Bidirectional given initial states, but the layer runs without its
     * input's mask, as Keras 3 runs {@code layer(x, initial_state=s)} when no {@code mask=} is passed (its
     * {@code __call__} fills a mask only for a call of one tensor argument); the outputs still carry the mask on.
     * Models read from Keras 3 files make these calls; {@code apply} masks, as tf.keras 2 and Keras 3 with {@code mask=}.
     * <pre>{@code Node y = new LSTM(8).returnSequences(true).applyUnmasked(List.of(embedded, h0, c0)); }</pre>
     */
    public Node applyUnmasked(List<? extends Node> inputs) { return Node.apply(this, inputs, false); }

    /**
     * For options that change a layer's output shapes but not its weights: refused once the layer has been applied
     * (in a model, or a functional call), whose graph holds the shapes it had then.
     */
    protected final void requireUncalled(String what) {
        if (!calls().isEmpty()) {
            throw new IllegalStateException(name() + ": cannot change " + what + " after the layer has been applied (a"
                    + " model or a functional call holds the shapes it had then); set it before");
        }
    }

    /** Every call made of this layer so far, in order (Keras' {@code layer._inbound_nodes}). */
    public List<Call> calls() {
        synchronized (calls) {
            return List.copyOf(calls);
        }
    }

    final Call addCall(List<? extends Node> inputs, boolean inputMask) {
        synchronized (calls) {
            Call c = new Call(this, inputs, calls.size(), inputMask);
            calls.add(c);
            return c;
        }
    }

    // ------------------------------------------------------------------ what models ask of layers

    /**
     * Whether this layer runs a recurrent time loop that {@link #forwardChain} can fuse with the next
     * recurrent layer (the stack wavefront). Recurrent layers say yes; wrappers and others no.
     */
    public boolean recurrent() { return false; }

    /**
     * Runs {@code chain} (layers whose {@link #recurrent()} is true, each feeding only the next) on
     * {@code x} as one wavefront trace ({@link RecurrentStack}), or returns null when this batch's shape or
     * the backend does not allow it and each layer must run alone.
     */
    public static Trace forwardChain(List<Layer> chain, DTensor x, DTensor mask, boolean training) {
        return RecurrentStack.chain(chain, x, mask, training);
    }

    /** Whether the layer carries states from one batch to the next (Keras' {@code stateful}); false but for recurrent layers. */
    public boolean stateful() { return false; }

    /**
     * Whether one call of this layer changes what a later call computes: a stateful layer's carried states,
     * BatchNormalization's moving statistics in training. A model runs the calls of such a layer in Keras' order (by
     * depth, as Keras 3's functional model runs its nodes), the others in its own (which keeps a recurrent stack's calls
     * together, one wavefront). {@link #stateful()} by default; a layer of your own that keeps state across calls
     * overrides it to say true.
     */
    public boolean callsShareState() { return stateful(); }

    /** Zeros the states a stateful layer carries (Keras' {@code reset_states()}); a layer without states throws. */
    public void resetStates() {
        throw new IllegalStateException(name() + ".resetStates: " + kerasClass() + " carries no states (only stateful recurrent layers do)");
    }

    /**
     * The exclusive upper bound of the integer ids this layer takes as its first input (the vocabulary
     * size of an Embedding), or -1 when its input is not ids. Models check data fed straight into it.
     */
    public int inputIdBound() { return -1; }

    /**
     * The Keras variable scope of one of this layer's parameters, ending in "/": "dense/", or inside a
     * wrapper "bidirectional/forward_lstm/". Weight names are the scope plus the parameter name.
     */
    public String variableScope(Param p) { return name() + "/"; }

    // ------------------------------------------------------------------ helpers

    /** A deep copy of a list of shapes. */
    protected static List<int[]> copy(List<int[]> s) {
        List<int[]> r = new ArrayList<>(s.size());
        for (int[] a : s) r.add(a.clone());
        return r;
    }

    /** Shapes as summary() prints them: one shape as {@code (2, 3)}, several in brackets. */
    public static String shapesString(List<int[]> s) {
        if (s.size() == 1) return Tensor.shapeString(s.get(0));
        StringBuilder b = new StringBuilder("[");
        for (int i = 0; i < s.size(); i++) {
            if (i > 0) b.append(", ");
            b.append(Tensor.shapeString(s.get(i)));
        }
        return b.append(']').toString();
    }

    @Override
    public String toString() { return name() + " (" + kerasClass() + ")"; }
}
