package dev.jrnn.model;

import dev.jrnn.backend.Backend;
import dev.jrnn.backend.Loss;
import dev.jrnn.data.Dataset;
import dev.jrnn.layers.Layer;
import dev.jrnn.layers.Names;
import dev.jrnn.layers.Node;
import dev.jrnn.layers.ParamStore;
import dev.jrnn.losses.Losses;
import dev.jrnn.losses.Metric;
import dev.jrnn.optim.Optimizer;
import dev.jrnn.optim.Optimizers;
import dev.jrnn.tensor.Tensor;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * A Keras model: a graph of layers from {@link Input}s to outputs (functional API), trained with
 * {@link #compile} and {@link #fit}. {@link Sequential} is the stacked special case.
 *
 * <pre>{@code
 * Input in = Input.shape(3, 1).name("input");
 * Node y = new LSTM(50).apply(in);
 * Node out = new Dense(1).apply(y);
 * Model model = new Model(in, out);
 * model.compile("adam", "mse");
 * model.fit(x, target, 100, 1);
 * Tensor p = model.predict(x);
 * }</pre>
 *
 * <p>Training keeps all parameters in one flat {@link ParamStore} (trainable ones first) so the
 * optimizer runs one fused update per batch; per batch only the batch goes in, and the losses stay on
 * the device until the progress bar or the history needs them (the predictions come out too when
 * metrics are requested). On CUDA the train step is captured into a CUDA graph and replayed
 * ({@link FitOptions#cudaGraphs}).
 *
 * <p>Bad data is rejected before anything changes: every entry point checks shapes, sample counts,
 * NaN/Inf, class indices and embedding ids up front and throws an IllegalArgumentException naming the
 * model or layer, the expected and the actual shape or value. A NaN or infinity that appears during
 * training stops {@link #fit} with a {@link NonFiniteException} naming the epoch and batch; the
 * weights of the last finite step are kept.
 *
 * <p>Thread safety: {@link #predict}, {@link #predictAll} and {@link #evaluate} on a built model may run
 * from several threads at once on the CPU backend (each call has its own buffers; the weights are only
 * read; not a model with stateful layers, whose every batch advances their states). {@link #fit},
 * {@link #trainOnBatch}, {@link #compile}, {@link #setWeights}, {@link #loadWeights}, {@link #resetStates}
 * and {@link #close} change the model: run them on one thread, with no predict in flight. The CUDA
 * backend is used by one thread at a time (see its Javadoc). {@link #close()} frees the weights' and the
 * optimizer's buffers (native/device memory on CUDA); the model cannot be used afterwards.
 */
public class Model implements AutoCloseable {
    private String name;
    /** The topology, null until the graph is set ({@link Sequential} sets it lazily). */
    private Graph graph;
    private Parameters params;
    private final Setup setup = new Setup(this);

    private Loss loss;
    private Optimizer optimizer;
    private List<Metric> metrics = List.of();
    private volatile boolean stopTraining;
    /** Set when a step could not be captured into a CUDA graph: later fits run eagerly (logged once). */
    private boolean graphsBroken;
    private volatile boolean closed;
    /** The seed of the last seeded fit (saved with the model, used by a resumed fit without a seed). */
    private Long fitSeed;

    /** A functional model from one input to one output. */
    public Model(Node input, Node output) {
        this(List.of(requireNode(input, "input")), List.of(requireNode(output, "output")));
    }

    /** A functional model from one input to several outputs. */
    public Model(Node input, List<? extends Node> outputs) {
        this(List.of(requireNode(input, "input")), outputs);
    }

    /** A functional model; inputs must be {@link Input}s, outputs any nodes reachable from them. */
    public Model(List<? extends Node> inputs, List<? extends Node> outputs) {
        this.name = Names.unique("model");
        initGraph(inputs, outputs);
    }

    /** For subclasses that set their graph up later ({@link Sequential}). */
    protected Model(String defaultNameBase) {
        this.name = Names.unique(defaultNameBase);
    }

    private static Node requireNode(Node n, String what) {
        if (n == null) throw new IllegalArgumentException("Model: " + what + " node is null");
        return n;
    }

    // ================================================================== graph and parameters

    /** Sets the graph (topological order, Keras layer order, one parameter store). */
    final void initGraph(List<? extends Node> ins, List<? extends Node> outs) {
        this.graph = Graph.of(name, ins, outs);
        collectParams();
    }

    /** Gathers every layer's parameters (trainable first) into one flat store, replacing the old one. */
    private void collectParams() {
        Parameters old = params;
        this.params = Parameters.collect(name, graph.layers);
        if (old != null) old.close();
    }

    /**
     * Binds the parameters back into this model's store when another model built on the same layers
     * took them over (the other store then holds the current values, which are copied back).
     */
    private void ensureStore() {
        if (!params.bound()) collectParams();
    }

    /** Whether close() ran (a callback may close the model in the middle of fit). */
    boolean closed() { return closed; }

    private void requireOpen(String what) {
        if (closed) throw new IllegalStateException(name + "." + what + ": the model is closed");
    }

    /** Hook for models whose graph is set lazily; throws when it cannot be. */
    void ensureGraph() {
        if (graph == null) {
            throw new IllegalStateException("This model has not yet been built. Build the model first by calling build() "
                    + "or by calling fit/predict on a batch of data, or declare the first layer's inputShape.");
        }
    }

    /** Hook: builds the model from data shapes when it is not built yet (Sequential without an input shape). */
    void ensureBuilt(List<Tensor> xs) { ensureGraph(); }

    /** {@link #ensureBuilt} for the read-only calls that may run on several threads: the lazy build happens once. */
    private synchronized void ensureBuiltSafely(List<Tensor> xs) { ensureBuilt(xs); }

    final Graph graph() {
        ensureGraph();
        return graph;
    }

    final Parameters parameters() { return params; }

    final List<Metric> metrics() { return metrics; }

    /** Whether the graph (and so the weights) exist. */
    public boolean isBuilt() { return graph != null; }

    // ================================================================== naming and structure

    public String name() { return name; }

    public Model name(String n) {
        if (n == null || n.isBlank()) throw new IllegalArgumentException("model name must not be empty");
        this.name = n;
        return this;
    }

    /** The layers as Keras lists them (functional models include their InputLayers first). */
    public List<Layer> layers() { return graph().layers; }

    /** The layer called {@code layerName}; throws naming the model's layers when there is none. */
    public Layer getLayer(String layerName) { return Graph.layer(name, layers(), layerName); }

    public List<Node> inputs() { return graph().inputs; }

    public List<Node> outputs() { return graph().outputs; }

    /** Number of weights (trainable and not), as Keras' count_params(). */
    public long countParams() {
        ensureGraph();
        return params.trainableSize + params.nonTrainableSize;
    }

    /** The flat store that holds every parameter of the model (trainable ones first). */
    public ParamStore paramStore() {
        ensureGraph();
        return params.store;
    }

    /** The backend the model's weights live on. */
    public Backend backend() {
        ensureGraph();
        return params.backend;
    }

    /** Prints the Keras summary table to System.out and returns it. */
    public String summary() {
        String s = summaryString();
        System.out.print(s);
        System.out.flush();
        return s;
    }

    /** The Keras summary table (tf.keras 2.9-2.12 text), without printing it. */
    public String summaryString() {
        ensureGraph();
        return Summary.of(name, isSequentialLike(), layers(), graph.relevant, countParams());
    }

    boolean isSequentialLike() { return graph.sequentialLike; }

    // ================================================================== compile

    /**
     * Sets the optimizer, the loss and the metrics ("accuracy", "mae", "mse") for fit/evaluate, in Keras'
     * order: {@code model.compile(new Adam(1e-3), Losses.mse(), "mae")}.
     */
    public void compile(Optimizer optimizer, Loss loss, String... metrics) {
        Compiled c = Compiled.of(name, optimizer, loss, metrics);
        requireOpen("compile");
        if (this.optimizer != null && this.optimizer != optimizer) this.optimizer.close();
        this.loss = c.loss();
        this.optimizer = c.optimizer();
        this.metrics = c.metrics();
        if (graph != null && params.partitionChanged()) collectParams();
        this.graphsBroken = false;
    }

    /** {@code compile("adam", "mse")}: optimizer and loss by Keras name, in Keras' order. */
    public void compile(String optimizer, String loss, String... metrics) {
        compile(Compiled.optimizer(name, optimizer, loss), Losses.of(loss), metrics);
    }

    /** {@code compile(new Adam(0.01), "mse")}. */
    public void compile(Optimizer optimizer, String loss, String... metrics) {
        compile(optimizer, Losses.of(loss), metrics);
    }

    /** {@code compile("adam", Losses.sparseCategoricalCrossentropy(true))}. */
    public void compile(String optimizer, Loss loss, String... metrics) {
        compile(Optimizers.of(optimizer), loss, metrics);
    }

    public Loss loss() { return loss; }

    public Optimizer optimizer() { return optimizer; }

    /** The metrics compile set, by Keras name ("accuracy", "mae", ...). */
    public List<String> metricNames() { return metrics.stream().map(Metric::key).toList(); }

    private void requireCompiled(String what) {
        if (loss == null || optimizer == null) {
            throw new IllegalStateException(name + "." + what + ": the model must be compiled first, e.g. model.compile(\"adam\", \"mse\")");
        }
    }

    Long fitSeed() { return fitSeed; }

    void fitSeed(Long s) { this.fitSeed = s; }

    /** Asks {@link #fit} to stop after the current epoch (what EarlyStopping calls). */
    public void stopTraining(boolean stop) { this.stopTraining = stop; }

    public boolean stopTraining() { return stopTraining; }

    private InputCheck check() { return new InputCheck(name, graph, loss); }

    // ================================================================== fit, evaluate, predict

    /** Keras' {@code fit(x, y, epochs=..., batch_size=...)} with a progress bar (verbose 1). */
    public History fit(Tensor x, Tensor y, int epochs, int batchSize) {
        return fit(x, y, new FitOptions().epochs(epochs).batchSize(batchSize));
    }

    /** Trains on {@code x} (samples first) against {@code y} with the given options. */
    public History fit(Tensor x, Tensor y, FitOptions options) {
        return fit(Collections.singletonList(x), Collections.singletonList(y), options);
    }

    /**
     * Multi-input / multi-output training: one x per input, one y per output (null: no loss on that output).
     *
     * <p>Per batch only the batch goes to the device; the losses stay there and are read back once per
     * epoch (verbose 0 and 2), about every 100 ms for the live progress bar (verbose 1 on a terminal), or
     * after a batch whose loss a callback reads ({@link BatchLogs#loss()}). NaN checks run on the device
     * too: a step whose loss (or, with {@link FitOptions#checkFinite}, gradients or updated weights) is not
     * finite does not change the weights, nor do the steps after it, and the next read-back throws the
     * {@link NonFiniteException} of that batch. With
     * {@link FitOptions#cudaGraphs} (default on) and no metrics, the whole train step of each batch size is
     * captured once into a CUDA graph (after one eager warm-up step) and replayed for the next batches; on
     * the CPU backend, or when a step cannot be captured, the steps run eagerly.
     */
    public History fit(List<Tensor> xs, List<Tensor> ys, FitOptions options) {
        FitOptions o = options == null ? new FitOptions() : options;
        requireCompiled("fit");
        requireOpen("fit");
        ensureBuilt(xs);
        ensureStore();
        Data all = check().prepare(xs, ys, o.lengths, "fit", true, o.checkFinite);
        boolean given = o.validationX != null || o.validationDataset != null;
        Data[] split = all.split(given ? 0 : o.validationSplit, name);
        Data train = split[0], val = o.validationX == null ? split[1]
                : check().prepare(o.validationX, o.validationY, o.validationLengths, "fit (validation data)", true, o.checkFinite);
        int size = StatefulBatch.resolve(name, graph, "fit", o.globalBatchSize(), train.n(), val == null ? 0 : val.n());
        DataBatches batches = new DataBatches(train, size, graph.outputs.size());
        BatchSource v = val == null ? DatasetBatches.validation(setup, o) : new DataBatches(val, batches.batchSize(), graph.outputs.size());
        return new TrainingLoop(this, setup).fit(batches, v, o, capture(o), () -> graphsBroken = true);
    }

    /**
     * Trains on a {@link Dataset} (memory-mapped files, ragged sequences, generators), read ahead on a background
     * thread: {@code model.fit(Dataset.fromNpy(x, y).shuffle(1).batch(64), opts)}. The data set's batching and
     * shuffle apply, not FitOptions' batchSize, shuffle, lengths or validationSplit; ragged batches are masked by
     * their lengths. Each batch is checked before its step: a bad file, shape or (with {@link FitOptions#checkFinite})
     * NaN stops fit naming the file and sample, with the weights of the last good batch.
     */
    public History fit(Dataset data, FitOptions options) throws IOException {
        FitOptions o = DatasetBatches.forFit(name, options);
        requireCompiled("fit");
        requireOpen("fit");
        ensureGraph();
        ensureStore();
        BatchSource train = new DatasetBatches(data, setup, "fit", true, o.checkFinite);
        BatchSource val = DatasetBatches.validation(setup, o);
        return DatasetBatches.io(() -> new TrainingLoop(this, setup).fit(train, val, o, capture(o), () -> graphsBroken = true), train, val);
    }

    private boolean capture(FitOptions o) { return o.cudaGraphs && metrics.isEmpty() && !graphsBroken; }

    /**
     * One training step on a batch, as Keras' {@code train_on_batch}: returns the loss before the
     * update.
     */
    public double trainOnBatch(Tensor x, Tensor y) {
        requireCompiled("trainOnBatch");
        requireOpen("trainOnBatch");
        List<Tensor> xs = Collections.singletonList(x);
        ensureBuilt(xs);
        ensureStore();
        Data d = check().prepare(xs, Collections.singletonList(y), null, "trainOnBatch", true, true);
        return new TrainingLoop(this, setup).trainOnBatch(d);
    }

    /** The mean loss on {@code (x, y)} (batch size 32, or the one a stateful model fixes), as Keras' evaluate. */
    public double evaluate(Tensor x, Tensor y) {
        return evaluateAll(Collections.singletonList(x), Collections.singletonList(y), defaultBatch(), null).get("loss");
    }

    /** Loss and metrics ("loss", "accuracy", ...) on the given data. */
    public Map<String, Double> evaluateAll(List<Tensor> xs, List<Tensor> ys, int batchSize, int[] lengths) {
        requireCompiled("evaluate");
        requireOpen("evaluate");
        if (batchSize < 1) throw new IllegalArgumentException(name + ".evaluate: batchSize must be >= 1, got " + batchSize);
        ensureBuiltSafely(xs);
        return new Inference(setup).evaluate(check().prepare(xs, ys, lengths, "evaluate", true, true), batchSize);
    }

    /** The mean loss over one pass of {@code data} (one target per output), as Keras' evaluate on a dataset. */
    public double evaluate(Dataset data) throws IOException { return evaluateAll(data).get("loss"); }

    /** Loss and metrics over one pass of {@code data}, in its batches. */
    public Map<String, Double> evaluateAll(Dataset data) throws IOException {
        requireCompiled("evaluate");
        return DatasetBatches.io(() -> new Inference(setup).evaluate(datasetBatches(data, "evaluate")));
    }

    /** Streams the outputs for one pass of {@code data} to {@code sink} a batch at a time (one tensor per output, in its order); returns the rows. */
    public long predict(Dataset data, Consumer<List<Tensor>> sink) throws IOException {
        if (sink == null) throw new IllegalArgumentException(name + ".predict: sink is null");
        return DatasetBatches.io(() -> new Inference(setup).predict(datasetBatches(data, "predict"), sink));
    }

    /** Writes the outputs for one pass of {@code data} to {@code .npy} files, one per output, atomically; returns the rows. */
    public long predict(Dataset data, Path... npy) throws IOException {
        return new Inference(setup).predict(datasetBatches(data, "predict"), npy == null ? null : Arrays.asList(npy));
    }

    private DatasetBatches datasetBatches(Dataset data, String what) {
        requireOpen(what);
        ensureGraph();
        return new DatasetBatches(data, setup, what, what.equals("evaluate"), true);
    }

    /**
     * The model's output for {@code x}, computed in batches of 32 (or the batch size a stateful model fixes). A model with several outputs throws
     * (no output is dropped silently): use {@link #predictAll(Tensor)} there, which returns them all.
     */
    public Tensor predict(Tensor x) {
        return predict(x, null);
    }

    /** Predictions for post-padded sequences with per-sample valid {@code lengths} (one-output models). */
    public Tensor predict(Tensor x, int[] lengths) {
        List<Tensor> xs = Collections.singletonList(x);
        requireOpen("predict");
        ensureBuiltSafely(xs);
        int outputs = graph.outputs.size();
        if (outputs != 1) {
            throw new IllegalStateException(name + ".predict: the model has " + outputs + " outputs and predict(Tensor) "
                    + "returns one; use predictAll(x), which returns all " + outputs + " in output order (as Keras' predict)");
        }
        return predictAll(xs, defaultBatch(), lengths).get(0);
    }

    /** Every output of the model for the single input {@code x}, in output order, in batches of 32 (or the fixed size). */
    public List<Tensor> predictAll(Tensor x) {
        return predictAll(Collections.singletonList(x), defaultBatch(), null);
    }

    /** Every output of the model, for every input tensor, in batches of {@code batchSize} (each advances a stateful model's states). */
    public List<Tensor> predictAll(List<Tensor> xs, int batchSize, int[] lengths) {
        requireOpen("predict");
        if (batchSize < 1) throw new IllegalArgumentException(name + ".predict: batchSize must be >= 1, got " + batchSize);
        ensureBuiltSafely(xs);
        return new Inference(setup).predict(check().prepare(xs, null, lengths, "predict", false, true), batchSize);
    }

    /** 32, or the batch size a model with stateful layers fixes (Keras' default batch_size). */
    private int defaultBatch() { return isBuilt() ? StatefulBatch.defaultSize(graph()) : StatefulBatch.DEFAULT; }

    /** Zeros the carried states of every stateful layer (Keras' {@code model.reset_states()}); other layers are left alone. */
    public void resetStates() {
        requireOpen("resetStates");
        for (Layer l : layers()) if (l.stateful()) l.resetStates();
    }

    // ================================================================== weights

    private WeightsIo weights(String what) {
        ensureGraph();
        requireOpen(what);
        return new WeightsIo(name, params);
    }

    /** All weights: trainable ones in layer order, then non-trainable ones (Keras' get_weights order). */
    public List<Tensor> getWeights() { return weights("getWeights").get(); }

    /** Sets all weights, in {@link #getWeights()} order and shapes. */
    public void setWeights(List<Tensor> weights) { weights("setWeights").set(weights); }

    /**
     * Keras variable names of the weights, in {@link #getWeights()} order: {@code layer/param}
     * ("lstm/kernel", "lstm/recurrent_kernel", "dense/bias", ...).
     */
    public List<String> weightNames() {
        ensureGraph();
        return new WeightsIo(name, params).names();
    }

    /** Saves all weights as safetensors with Keras variable names (written atomically: temp file + rename). */
    public void saveWeights(Path file) throws IOException { weights("saveWeights").save(file); }

    /**
     * Loads weights saved by {@link #saveWeights} (safetensors) or a Keras HDF5 / .keras / .weights.h5 file by
     * structure, as Keras' load_weights: the i-th weight in the file goes to the i-th weight of this model, whatever
     * the layer names (a fresh {@code lstm_6} takes what {@code lstm_5} saved); a safetensors file whose names are
     * exactly this model's loads by name. Every weight must be there, with its shape, finite, and nothing else: the
     * file is compared with the model before any data is read, and one IllegalArgumentException lists every
     * difference and suggests the fix. On any error (IOException for a corrupt file) the model is unchanged.
     *
     * <pre>{@code
     * a.saveWeights(Path.of("w.safetensors"));
     * b.loadWeights(Path.of("w.safetensors"));   // b: the same layers, built anew (other auto names)
     * }</pre>
     */
    public void loadWeights(Path file) throws IOException {
        loadWeights(file, false);
    }

    /**
     * As {@link #loadWeights(Path)}, by Keras variable name when {@code byName} (Keras 2's {@code by_name=True}, but
     * strict: every weight of this model must be in the file and the file must hold no other): safetensors names
     * ({@code lstm/kernel}) or, in a Keras 1/2 HDF5 file, layer names. Keras 3 files name their groups by layer class,
     * not layer name, and load by structure only.
     */
    public void loadWeights(Path file, boolean byName) throws IOException {
        WeightsIo io = weights("loadWeights");
        if (file != null && dev.jrnn.io.keras.KerasImport.isKerasFile(file)) dev.jrnn.io.keras.KerasImport.loadWeights(this, file, byName);
        else io.load(file, byName);
    }

    /**
     * Saves the whole model in Keras 3's {@code .keras} layout, atomically (temp file + rename; a failure leaves the
     * previous file): architecture, weights, compile config and what resuming training needs (optimizer moments and
     * update count, dropout mask streams, the fit seed). {@link Models#load} reads it back, predicting bit for bit as
     * this model. The layout is Keras 3's (config.json, model.weights.h5 at Keras 3's variable paths).
     *
     * <pre>{@code
     * model.save(Path.of("model.keras"));
     * Model again = Models.load(Path.of("model.keras"));
     * }</pre>
     */
    public void save(Path file) throws IOException {
        ensureGraph();
        requireOpen("save");
        ensureStore();
        ModelFiles.save(this, params, file);
    }

    /**
     * Frees the weights' and the optimizer's buffers (device memory on CUDA). The model and its layers
     * cannot be used afterwards; closing twice is harmless.
     */
    @Override
    public void close() {
        if (closed) return;
        closed = true;
        if (optimizer != null) optimizer.close();
        if (params != null) params.close();
        if (graph != null) for (Layer l : graph.layers) l.releaseBuffers();
    }

    @Override
    public String toString() { return getClass().getSimpleName() + "(" + name + ")"; }
}
