package dev.jrnn.model;

import dev.jrnn.backend.Loss;
import dev.jrnn.data.Dataset;
import dev.jrnn.losses.Losses;
import dev.jrnn.optim.Optimizer;
import dev.jrnn.optim.Optimizers;
import dev.jrnn.tensor.Tensor;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Collections;
import java.util.List;
import java.util.Map;

/**
 * The training half of a {@link Model}, as Keras splits its {@code Model} into the layer graph and a
 * {@code Trainer}: {@link #compile}, {@link #fit} and per batch {@link #trainOnBatch} (evaluating and predicting are
 * {@link Evaluator}'s). Only {@link Model} extends it (through Evaluator); use it through a model:
 *
 * <pre>{@code
 * model.compile("adam", "mse");
 * History h = model.fit(x, y, new FitOptions().epochs(10).batchSize(32).validationSplit(0.2));
 * Tensor p = model.predict(x);
 * }</pre>
 *
 * <p>Per batch only the batch goes to the device and the losses stay there until the progress bar, the
 * history or a callback reads them. Bad data is rejected before anything changes: shapes, sample counts,
 * NaN/Inf, class indices and embedding ids are checked up front and an IllegalArgumentException names the
 * model or layer, what was expected and what came. A NaN or infinity that appears during training stops
 * {@link #fit} with a {@link NonFiniteException} naming the epoch and batch; the weights of the last finite
 * step are kept.
 */
public abstract class Trainer {
    final Setup setup = new Setup(this);

    private Loss loss;
    /** One loss per output when compile gave a list or map of them, else null (the one {@link #loss} for every output). */
    private List<Loss> outputLosses;
    /** Keras' loss_weights, one per output; null: all 1. */
    private double[] lossWeights;
    private Optimizer optimizer;
    /** Keras' LossScaleOptimizer around {@link #optimizer} (null: none); set after compile, dropped by the next, advanced per step. */
    private LossScale lossScale;
    private CompileMetrics metrics = CompileMetrics.NONE;
    private volatile boolean stopTraining;
    /** Set when a step could not be captured into a CUDA graph: later fits run eagerly (logged once). */
    private boolean graphsBroken;
    /** The seed of the last seeded fit (saved with the model, used by a resumed fit without a seed). */
    private Long fitSeed;
    /**
     * The data epoch the next fit goes on from, one past the last epoch fit ran on this model (saved with it): a fit that
     * does not resume numbers its data's epochs on from here, so consecutive fit calls reshuffle as Keras' do.
     */
    private int fitEpochs;
    /**
     * The most data epochs a model's fit keys may reach ({@code fit_epochs} read from a file included): 2^24, past any
     * real run, so a seeded tensor fit's stream (that many draws in) is reached in under a second and
     * {@code fit_epochs + epoch} stays far inside an int.
     */
    static final int MAX_FIT_EPOCHS = 1 << 24;
    /**
     * Where callbacks print and warn during fit (FitOptions.out and System.err on rank 0, nowhere on other ranks); null
     * outside a fit (System.out and System.err).
     */
    private FitMessages fitMessages;

    /** Only {@link Model} extends this class. */
    Trainer() {}

    // what training needs of the model's structure (Model implements these)

    /** The model's name, as in Keras' summary and in every error message about it. */
    public abstract String name();

    /** Whether the graph (and so the weights) exist. */
    public abstract boolean isBuilt();

    abstract Graph graph();

    abstract Parameters parameters();

    abstract void ensureGraph();

    /** Builds the model from data shapes when it is not built yet (Sequential without an input shape). */
    abstract void ensureBuilt(List<Tensor> xs);

    /**
     * Whether {@link #ensureBuilt} would build this model from {@code xs} (an unbuilt Sequential with layers, given one
     * batched tensor): only then do a call's counts get checked before the build, so that a refusal leaves it unbuilt;
     * otherwise the build's own refusal (no layers, several inputs) comes first, as before.
     */
    abstract boolean buildsOn(List<Tensor> xs);

    /** Binds the parameters back into this model's store when another model on the same layers took them over. */
    abstract void ensureStore();

    abstract void requireOpen(String what);

    /** Whether the model's close() ran (on this thread or another). */
    abstract boolean closed();

    /** Compile changed which weights train: the model regroups its store (trainable ones first). */
    abstract void afterCompile();

    /** {@link #ensureBuilt} for the read-only calls that may run on several threads: the lazy build happens once. */
    synchronized void ensureBuiltSafely(List<Tensor> xs) { ensureBuilt(xs); }

    final CompileMetrics metrics() { return metrics; }

    /** This trainer as the model it is (callbacks and the training loop take the model). */
    private Model model() { return (Model) this; }

    /** Frees the optimizer's buffers (the model's close). */
    final void closeOptimizer() {
        if (optimizer != null) optimizer.close();
    }

    /**
     * Sets the optimizer, the loss and the metrics ("accuracy", "mae", "mse", "auc", "f1_score" and their Keras aliases;
     * each logged under the name given, as Keras; or metric objects with options such as {@code new Auc().curve("PR")},
     * logged under their name) for fit/evaluate, in Keras' order: {@code model.compile(new Adam(1e-3), Losses.mse(), "mae")}.
     * Several outputs: each metric on each ("kind_mae"), or one Map by output name / one List per output; {@link WeightedMetrics}.
     */
    public void compile(Optimizer optimizer, Loss loss, Object... metrics) {
        setCompiled(Compiled.of(this, optimizer, loss, null, metrics), null, null);
    }

    /** Sets what compile checked; {@code perOutput} is null for one loss on every output, {@code weights} null for all 1. */
    private void setCompiled(Compiled c, List<Loss> perOutput, double[] weights) {
        setup.guard.writing("compile", () -> setCompiledAlone(c, perOutput, weights));
    }

    private Void setCompiledAlone(Compiled c, List<Loss> perOutput, double[] weights) {
        requireOpen("compile");
        if (isBuilt()) Penalties.check(name(), graph());   // bad regularizer settings fail here, not in the first step
        if (this.optimizer != null && this.optimizer != c.optimizer()) this.optimizer.close();
        this.loss = c.loss();
        this.outputLosses = perOutput;
        this.lossWeights = weights;
        this.optimizer = c.optimizer();
        this.lossScale = null;   // a compile without the wrapper drops the last compile's
        this.metrics = c.metrics();
        afterCompile();
        this.graphsBroken = false;
        return null;
    }

    /**
     * Wraps the compiled optimizer in Keras' {@code LossScaleOptimizer} ({@code lossScale}; null: none), until the next
     * compile, which drops it. jrnn's steps are float32 and unchanged by it; each train step advances its counter and scale
     * as Keras' wrapper advances them, and a save writes the wrapper and its variables for Keras (see {@link LossScale}).
     * <pre>{@code
     * model.compile(new Adam(1e-3), "mse");
     * model.lossScale(LossScale.dynamic("loss_scale_optimizer", 32768, 2000));
     * }</pre>
     */
    public void lossScale(LossScale lossScale) {
        requireOpen("lossScale");
        if (optimizer == null) {
            throw new IllegalStateException(name() + ".lossScale: the model must be compiled first (the wrapper wraps the compiled"
                    + " optimizer), e.g. model.compile(\"adam\", \"mse\")");
        }
        this.lossScale = lossScale;
    }

    /** The LossScaleOptimizer around the compiled optimizer, with its counter and scale as trained; null: none. */
    public LossScale lossScale() { return lossScale; }

    /** Counts one train step in the wrapper; returns the wrapper as it was before (null: none). */
    final LossScale lossScaleStep() {
        LossScale before = lossScale;
        if (before != null) lossScale = before.advanced(1);
        return before;
    }

    /** Puts back the wrapper as it was before a step that {@link LossLog} found not to have counted (null: none then). */
    final void lossScaleUndo(LossScale before) {
        if (before != null && lossScale != null) lossScale = before;
    }

    /** {@code compile("adam", "mse")}: optimizer and loss by Keras name, in Keras' order. */
    public void compile(String optimizer, String loss, Object... metrics) {
        compile(Compiled.optimizer(name(), optimizer, loss), Losses.of(loss), metrics);
    }

    /** {@code compile(new Adam(0.01), "mse")}. */
    public void compile(Optimizer optimizer, String loss, Object... metrics) {
        compile(optimizer, Losses.of(loss), metrics);
    }

    /** {@code compile("adam", Losses.sparseCategoricalCrossentropy(true))}. */
    public void compile(String optimizer, Loss loss, Object... metrics) {
        compile(Optimizers.of(optimizer), loss, metrics);
    }

    /**
     * One loss per output, in output order, as Keras' {@code compile(loss=["mse", "sparse_categorical_crossentropy"])}:
     * each a {@link Loss} or a Keras loss name, {@code model.compile(new Adam(), List.of("mse", Losses.binaryCrossentropy(true)))}.
     * The total loss is their sum; each is logged as {@code <output>_loss} when two or more outputs have one. A null
     * entry is Keras' {@code loss=[None, "mse"]}: that output has no loss (it is not trained through, logs no loss, its
     * target may be null or feed its metrics, which read dense targets unless one of them takes class indices); at least
     * one output needs a loss. A null target in fit leaves an output untrained for that fit.
     */
    public void compile(Optimizer optimizer, List<?> losses, Object... metrics) {
        List<Loss> ls = Compiled.perOutput(this, losses);
        setCompiled(Compiled.of(this, optimizer, Compiled.firstLoss(ls), ls, metrics), ls, null);
    }

    /**
     * One loss per output with Keras' {@code loss_weights}: the total loss that is minimised (and logged as "loss") is
     * the sum of each output's loss times its weight; each {@code <output>_loss} is logged unweighted, as Keras 3 logs it.
     * {@code model.compile(new Adam(), List.of("mse", "binary_crossentropy"), List.of(1.0, 0.2))}.
     */
    public void compile(Optimizer optimizer, List<?> losses, List<? extends Number> lossWeights, Object... metrics) {
        double[] w = Compiled.lossWeights(this, lossWeights);
        compile(optimizer, losses, metrics);
        this.lossWeights = w;
    }

    /** {@code compile("adam", List.of("mse", "binary_crossentropy"), List.of(1.0, 0.2))}: loss weights by position. */
    public void compile(String optimizer, List<?> losses, List<? extends Number> lossWeights, Object... metrics) {
        compile(Optimizers.of(optimizer), losses, lossWeights, metrics);
    }

    /** {@code compile("adam", Map.of("price", "mse", "kind", "binary_crossentropy"), Map.of("price", 1.0, "kind", 0.2))}. */
    public void compile(String optimizer, Map<String, ?> losses, Map<String, ? extends Number> lossWeights, Object... metrics) {
        compile(Optimizers.of(optimizer), losses, lossWeights, metrics);
    }

    /** {@code compile(optimizer, Map.of("price", "mse", "kind", "binary_crossentropy"), Map.of("price", 1.0, "kind", 0.2))}. */
    public void compile(Optimizer optimizer, Map<String, ?> losses, Map<String, ? extends Number> lossWeights, Object... metrics) {
        if (lossWeights == null) throw new IllegalArgumentException(name() + ".compile: the loss weights map is null");
        if (losses == null) throw new IllegalArgumentException(name() + ".compile: losses is null");
        compile(optimizer, Compiled.inOutputOrder(this, losses, "loss map"),
                Compiled.inOutputOrder(this, lossWeights, "loss weights map"), metrics);
    }

    /**
     * Losses by output name with loss weights by position in output order ({@link Model#outputNames()}), as Keras'
     * {@code compile(loss={"aa": "binary_crossentropy", "zz": "mse"}, loss_weights=[0.3, 2.0])}, which on outputs
     * {@code [zz, aa]} weighs zz by 0.3 and aa by 2.0 (the output order, not the keys' sorted order):
     * <pre>{@code
     * model.compile(new SGD(0.1), Map.of("aa", "binary_crossentropy", "zz", "mse"), List.of(0.3, 2.0));
     * }</pre>
     */
    public void compile(Optimizer optimizer, Map<String, ?> losses, List<? extends Number> lossWeights, Object... metrics) {
        if (losses == null) throw new IllegalArgumentException(name() + ".compile: losses is null");
        compile(optimizer, Compiled.inOutputOrder(this, losses, "loss map"), lossWeights, metrics);
    }

    /** {@code compile("sgd", Map.of("aa", "binary_crossentropy", "zz", "mse"), List.of(0.3, 2.0))}: losses by name, weights by position. */
    public void compile(String optimizer, Map<String, ?> losses, List<? extends Number> lossWeights, Object... metrics) {
        compile(Optimizers.of(optimizer), losses, lossWeights, metrics);
    }

    /**
     * Losses by position with loss weights by output name, as Keras' {@code compile(loss=["mse", "mae"],
     * loss_weights={"zz": 0.3, "aa": 2.0})}. Keras 3 reads such a weights dict by position in its sorted-key order, its
     * keys unread: on outputs {@code [zz, aa]} it would weigh zz by aa's 2.0. So the keys must be the output names and
     * their sorted order the output order, where the keys and Keras agree; any other map is refused (give both by name or
     * both by position):
     * <pre>{@code
     * model.compile(new SGD(0.1), List.of("mse", "mae"), Map.of("a_out", 0.3, "b_out", 2.0));   // outputs [a_out, b_out]
     * }</pre>
     */
    public void compile(Optimizer optimizer, List<?> losses, Map<String, ? extends Number> lossWeights, Object... metrics) {
        compile(optimizer, losses, Compiled.weightsBesideLossList(this, lossWeights), metrics);
    }

    /** {@code compile("sgd", List.of("mse", "mae"), Map.of("a_out", 0.3, "b_out", 2.0))}: losses by position, weights by name. */
    public void compile(String optimizer, List<?> losses, Map<String, ? extends Number> lossWeights, Object... metrics) {
        compile(Optimizers.of(optimizer), losses, lossWeights, metrics);
    }

    /**
     * Whether {@code compile} ran, as Keras' {@code model.compiled}: a model that {@code Models.load} could not compile from
     * its file (it warns why) is not, and fit and evaluate then refuse it.
     * <pre>{@code
     * Model m = Models.load(path);
     * if (!m.isCompiled()) m.compile("adam", "mse");
     * }</pre>
     */
    public boolean isCompiled() { return loss != null && optimizer != null; }

    /** Output k's weight in the total loss (1 unless compile was given loss weights). */
    final double lossWeight(int k) { return lossWeights == null ? 1 : lossWeights[k]; }

    /** Keras' loss_weights as compile set them, one per output in output order; empty when none were given (all 1). */
    public List<Double> lossWeights() {
        if (lossWeights == null) return List.of();
        List<Double> r = new java.util.ArrayList<>();
        for (double w : lossWeights) r.add(w);
        return List.copyOf(r);
    }

    /** {@code compile("adam", List.of("mse", "binary_crossentropy"))}: one loss per output. */
    public void compile(String optimizer, List<?> losses, Object... metrics) {
        compile(Optimizers.of(optimizer), losses, metrics);
    }

    /**
     * Losses by output name, as Keras' {@code compile(loss={"price": "mse", "kind": "binary_crossentropy"})}: the keys are
     * the output layers' names (the names fit logs them under), every output once; the values as in {@link #compile(Optimizer, List, Object...)}.
     */
    public void compile(Optimizer optimizer, Map<String, ?> losses, Object... metrics) {
        if (losses == null) throw new IllegalArgumentException(name() + ".compile: losses is null");
        compile(optimizer, Compiled.inOutputOrder(this, losses, "loss map"), metrics);
    }

    /** {@code compile("adam", Map.of("price", "mse", "kind", "binary_crossentropy"))}: losses by output name. */
    public void compile(String optimizer, Map<String, ?> losses, Object... metrics) {
        compile(Optimizers.of(optimizer), losses, metrics);
    }

    /** The loss compile set; with one loss per output ({@link #losses()}), the first output's that has one. */
    public Loss loss() { return loss; }

    /**
     * The loss of each output, in output order (the one loss of every output, or one each; null for an output compiled
     * without a loss); empty before compile.
     */
    public List<Loss> losses() {
        if (loss == null) return List.of();
        return outputLosses != null ? outputLosses : Collections.nCopies(isBuilt() ? graph().outputs.size() : 1, loss);
    }

    /** The loss of output {@code k}; null when compile gave it none. */
    final Loss loss(int k) { return outputLosses != null ? outputLosses.get(k) : loss; }

    /**
     * The loss whose targets output {@code k} reads: its own, or for an output without one the form its metrics read
     * ({@link CompileMetrics#targetForm}); null when nothing reads its targets.
     */
    final Loss targetLoss(int k) { return loss(k) != null ? loss(k) : metrics.targetForm(k); }

    /**
     * {@link #targetLoss} for targets of batch shape {@code y} against output {@code k}'s per-sample shape {@code out}
     * (an output without a loss whose metrics resolve from the shapes reads class indices or dense targets by them).
     */
    final Loss targetLoss(int k, int[] y, int[] out) { return loss(k) != null ? loss(k) : metrics.targetForm(k, y, out); }

    /** Whether output {@code k}'s targets are read by their shape ({@link CompileMetrics#byShape}): it has no loss, only "accuracy". */
    final boolean targetsByShape(int k) { return loss(k) == null && metrics.byShape(k); }

    /** The optimizer compile was given (Keras' {@code model.optimizer}); null before compile. */
    public Optimizer optimizer() { return optimizer; }

    /** The (unweighted) metrics compile set, by the names given (Keras logs each under its name, see {@link #metricKeys()}). */
    public List<String> metricNames() { return metrics.names; }

    /** Each of {@link #metricNames()} as a Keras 3 compile config lists it: the name given, or the object serialized. */
    public List<Object> metricConfigs() { return metrics.configs; }

    /**
     * The keys fit and evaluate log the metrics and weighted metrics under, as Keras 3 ("kind_auc", "weighted_mae");
     * val_ left off.
     */
    public List<String> metricKeys() { return metrics.keys(); }

    /**
     * Keras' compile config {@code metrics} and {@code weighted_metrics} (index 0, 1; null: not given) in the form
     * compile got.
     */
    public List<Object> metricsConfig() { return java.util.Arrays.asList(metrics.metricsConfig, metrics.weightedConfig); }

    void requireCompiled(String what) {
        if (loss == null || optimizer == null) {
            throw new IllegalStateException(name() + "." + what + ": the model must be compiled first, e.g. model.compile(\"adam\", \"mse\")");
        }
    }

    Long fitSeed() { return fitSeed; }

    /** Whether output 0 reads class indices (class weights index by them). */
    final boolean sparseTargets0() { return targetLoss(0) != null && targetLoss(0).sparse(); }

    void fitSeed(Long s) { this.fitSeed = s; }

    int fitEpochs() { return fitEpochs; }

    void fitEpochs(int n) { this.fitEpochs = n; }

    /**
     * Where a callback prints its verbose lines (Keras' print_msg): the running fit's {@link FitOptions#out}, none on a
     * data-parallel rank other than 0 (one process speaks, as one progress bar), System.out outside a fit.
     */
    java.io.PrintStream fitMessages() { return fitMessages != null ? fitMessages.out() : System.out; }

    /** Where a callback warns (Keras' warnings.warn): System.err, none on a data-parallel rank other than 0. */
    java.io.PrintStream fitWarnings() { return fitMessages != null ? fitMessages.warnings() : System.err; }

    /** Sets where callbacks speak (null: outside a fit) and returns what was set before, for a nested fit to give back. */
    FitMessages fitMessages(FitMessages m) {
        FitMessages before = fitMessages;
        fitMessages = m;
        return before;
    }

    /** A fit's streams for its callbacks' verbose lines and warnings. */
    record FitMessages(java.io.PrintStream out, java.io.PrintStream warnings) {}

    /**
     * Asks {@link #fit} to stop (what EarlyStopping calls): set in {@link Callback#onBatchEnd}, after that batch (the
     * epoch's validation and onEpochEnd still run, as Keras); else after the current epoch. In data-parallel training a
     * stop asked for by any rank ends fit on every rank after the same epoch.
     */
    public void stopTraining(boolean stop) { this.stopTraining = stop; }

    /** Whether a stop was asked for ({@link #stopTraining(boolean)}, Keras' {@code model.stop_training}). */
    public boolean stopTraining() { return stopTraining; }

    /**
     * Keras 3's {@code model.stop_evaluating = True}: set by a callback, evaluate (and fit's validation) ends after the
     * batch in progress, or the next one where set before any, and returns the logs of the batches run; each evaluate
     * clears it when it starts, as Keras. The flag is the calling thread's: set in a callback, it ends the call whose
     * callback set it, not an evaluate running on another thread (see {@link Model}'s thread safety):
     * <pre>{@code
     * Callback firstTwo = new Callback() {
     *     public void onTestBatchEnd(int batch, BatchLogs logs, Model m) { if (batch == 1) m.stopEvaluating(true); }
     * };
     * double loss = model.evaluateAll(List.of(x), List.of(y), 4, null, null, firstTwo).get("loss");   // 8 samples
     * }</pre>
     */
    public void stopEvaluating(boolean stop) { setup.guard.mine().stops[0] = stop; }

    /** What {@link #stopEvaluating(boolean)} last set on this thread (the evaluate it ended leaves it set, as Keras). */
    public boolean stopEvaluating() { return setup.guard.mine().stops[0]; }

    /**
     * Keras 3's {@code model.stop_predicting = True}: as {@link #stopEvaluating(boolean)} for predict, which returns the
     * outputs of the batches run; the calling thread's flag, as that one.
     */
    public void stopPredicting(boolean stop) { setup.guard.mine().stops[1] = stop; }

    /** What {@link #stopPredicting(boolean)} last set on this thread. */
    public boolean stopPredicting() { return setup.guard.mine().stops[1]; }

    /**
     * The graph a map {@code arg} ("x") by {@code side} ("input") name of call {@code what} is read against: an unbuilt model
     * (a Sequential without an input shape) has no names yet, so it is refused naming the call, as the model's other refusals are.
     */
    Graph keyedGraph(String what, String arg, String side) {
        if (!isBuilt()) {
            throw new IllegalStateException(what + ": " + arg + " by " + side + " name needs the model's " + side
                    + " names; this model has not yet been built. Build the model first by calling build() or by calling fit/predict"
                    + " on a batch of data, or declare the first layer's inputShape.");
        }
        return graph();
    }

    /** {@code xs} by input name in the model's input order, for the call {@code what} (refused on an unbuilt model). */
    List<Tensor> inputsByName(String what, Map<String, ? extends Tensor> xs) {
        return InputCheck.byInputName(what, keyedGraph(what, "x", "input"), xs);
    }

    /** {@code ys} by output name in the model's output order, for the call {@code what} (refused on an unbuilt model). */
    List<Tensor> outputsByName(String what, Map<String, ? extends Tensor> ys) {
        return InputCheck.byOutputName(what, keyedGraph(what, "y", "output"), ys);
    }

    InputCheck check() { return InputCheck.forTensors(name(), graph(), losses(), this::targetLoss, this::targetsByShape); }

    /**
     * Inputs by name, as Keras' {@code fit(x={"words": w, "meta": m}, y)}: each key of {@link Model#inputNames()} (the
     * Inputs' names, or a dict-input model's keys) a key of x; other keys are left unread, as Keras leaves them (one that
     * Keras 3 would feed to another input of a dict-input model is warned of once); one y per output (null: no loss on
     * that output).
     * <pre>{@code
     * model.fit(Map.of("words", w, "meta", m), List.of(y), new FitOptions().epochs(5));
     * }</pre>
     */
    public History fit(Map<String, ? extends Tensor> xs, List<Tensor> ys, FitOptions options) {
        return fit(inputsByName(name() + ".fit", xs), ys, options);
    }

    /**
     * Targets by output name, as Keras' {@code fit(x, {"score": s, "kind": k})}: every output's name a key (a null value for
     * an output without a loss), no other key.
     * <pre>{@code
     * model.fit(List.of(x), Map.of("score", s, "kind", k), new FitOptions().epochs(5));
     * }</pre>
     */
    public History fit(List<Tensor> xs, Map<String, ? extends Tensor> ys, FitOptions options) {
        return fit(xs, outputsByName(name() + ".fit", ys), options);
    }

    /** Inputs by name and targets by output name, as Keras' {@code fit({"img": i, "ts": t}, {"score": s, "kind": k})}. */
    public History fit(Map<String, ? extends Tensor> xs, Map<String, ? extends Tensor> ys, FitOptions options) {
        return fit(inputsByName(name() + ".fit", xs), outputsByName(name() + ".fit", ys), options);
    }

    /** {@link #fit(Map, List, FitOptions)} for a model of one output. */
    public History fit(Map<String, ? extends Tensor> xs, Tensor y, FitOptions options) {
        return fit(xs, Collections.singletonList(y), options);
    }

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
        return setup.guard.writing("fit", () -> fitTensors(xs, ys, options));
    }

    private History fitTensors(List<Tensor> xs, List<Tensor> ys, FitOptions options) {
        FitOptions o = options == null ? new FitOptions() : options;
        requireCompiled("fit");
        requireOpen("fit");
        boolean given = o.hasValidationTensors() || o.validationDataset != null;
        o.checkValidationSteps(name(), given || o.validationSplit > 0);
        if (o.validationDataset != null && o.validationBatchSize > 0) {
            throw new IllegalArgumentException(name() + ".fit: FitOptions.validationBatchSize does not apply to a validation dataset,"
                    + " which gives its own batches (Dataset.batch(n)), got validationBatchSize " + o.validationBatchSize);
        }
        // before the build: a refusal leaves an unbuilt model unbuilt (a built one's checks come in prepare's order)
        boolean built = !buildsOn(xs);
        if (!built) InputCheck.requireTargetCounts(name() + ".fit: ", xs, ys);
        SampleWeights.Given w = SampleWeights.checkedFor(name() + ".fit", o.sampleWeight, o.classWeight, xs, built);
        if (!built && o.validationX != null) {
            InputCheck.requireTargetCounts(name() + ".fit (validation data): ", o.validationX, o.validationY);
            if (o.validationWeight != null) o.validationWeight.checkedFor(name() + ".fit (validation data)", "sampleWeight", o.validationX, false);
        }
        ensureBuilt(xs);
        ensureStore();
        Data all = check().prepare(xs, ys, o.lengths, "fit", true, o.checkFinite);
        all = all.withWeights(SampleWeights.of(name() + ".fit", w, o.classWeight, all, graph(), sparseTargets0()));
        Data[] split = all.split(given ? 0 : o.validationSplit, name());
        if (o.classWeight != null && split[1] != null) split[1] = split[1].withWeights(null);   // Keras weighs training only
        Data train = split[0], val = !o.hasValidationTensors() ? split[1] : validation(o);
        boolean free = StatefulBatch.firstStateful(graph()) == null;
        int size = StatefulBatch.resolve(name(), graph(), "fit", o.batchFor(train.n(), o.stepsPerEpoch, free), train.n(), val == null ? 0 : val.n());
        DataBatches batches = new DataBatches(train, size, graph().outputs.size());
        // Keras validates in batches of validation_batch_size or batch_size (not clipped to a smaller training set);
        // without either, ceil(samples / validation_steps) so that they cover the set, else 32 (not the training
        // batches steps_per_epoch made)
        int vSize = val == null ? size
                : o.validationBatchSize > 0 ? StatefulBatch.resolve(name(), graph(), "fit (validation data)", o.validationBatchSize, val.n())
                : o.batchSize > 0 || !free ? size
                : o.validationSteps > 0 ? o.batchFor(val.n(), o.validationSteps, true) : StatefulBatch.DEFAULT;
        BatchSource v = val == null ? DatasetBatches.validation(setup, o)
                : BoundedBatches.first(new DataBatches(val, vSize, graph().outputs.size()), o.validationSteps);
        return new TrainingLoop(model(), setup).fit(batches, v, o, capture(o), () -> graphsBroken = true);
    }

    /**
     * Trains on a {@link Dataset} (memory-mapped files, ragged sequences, generators), read ahead on a background
     * thread: {@code model.fit(Dataset.fromNpy(x, y).shuffle(1).batch(64), opts)}. The data set's batching and
     * shuffle apply, not FitOptions' batchSize, shuffle, lengths or validationSplit; ragged batches are masked by
     * their lengths. Each batch is checked before its step: a bad file, shape or (with {@link FitOptions#checkFinite})
     * NaN stops fit naming the file and sample, with the weights of the last good batch. An endless data set
     * ({@code repeat()}) needs {@link FitOptions#stepsPerEpoch}. A Sequential without an input shape is built from the
     * shapes of the data set's first batch, as Keras does (a generator's supplier is asked once more for it).
     */
    public History fit(Dataset data, FitOptions options) throws IOException {
        return setup.guard.writing("fit", () -> fitDataset(data, options));
    }

    private History fitDataset(Dataset data, FitOptions options) throws IOException {
        FitOptions o = DatasetBatches.forFit(name(), options);
        requireCompiled("fit");
        requireOpen("fit");
        o.checkValidationSteps(name(), o.validationDataset != null);
        if (o.validationDataset != null) DatasetBatches.checkSize(name(), o.validationDataset, DatasetBatches.Use.VALIDATION, o.validationSteps);
        ensureBuilt(data, DatasetBatches.Use.FIT, o.stepsPerEpoch);
        ensureStore();
        BatchSource train = new DatasetBatches(data, setup, DatasetBatches.Use.FIT, o.checkFinite, o.stepsPerEpoch).classWeight(o.classWeight);
        BatchSource val;
        try {
            val = DatasetBatches.validation(setup, o);
        } catch (RuntimeException e) {
            train.close();
            if (e instanceof UncheckedIOException io) throw io.getCause();
            throw e;
        }
        return DatasetBatches.io(() -> new TrainingLoop(model(), setup).fit(train, val, o, capture(o), () -> graphsBroken = true), train, val);
    }

    /** The tensor validation data of {@code o}, checked, with its sample weights (Keras' {@code validation_data=(x, y, w)}). */
    private Data validation(FitOptions o) {
        List<Tensor> xs = o.validationX != null ? o.validationX
                : inputsByName(name() + ".fit (validation data)", o.validationXByName);
        List<Tensor> ys = o.validationY != null ? o.validationY
                : outputsByName(name() + ".fit (validation data)", o.validationYByName);
        Data v = check().prepare(xs, ys, o.validationLengths, "fit (validation data)", true, o.checkFinite);
        String what = name() + ".fit (validation data)";
        return v.withWeights(SampleWeights.resolve(o.validationWeight, what, "sampleWeight", graph(), v.xs().get(0).dim(0),
                SampleWeights.targetSteps(v.ys())));
    }

    private boolean capture(FitOptions o) { return o.cudaGraphs && metrics.isEmpty() && !graphsBroken; }

    /** Whether a step failed to capture, so that fits run eagerly until the next compile (tests read it). */
    boolean graphsBroken() { return graphsBroken; }

    /**
     * One training step on a batch, as Keras' {@code train_on_batch}: returns the loss before the
     * update.
     */
    public double trainOnBatch(Tensor x, Tensor y) {
        return trainOnBatch(Collections.singletonList(x), Collections.singletonList(y));
    }

    /**
     * One training step on a batch of a model with several inputs or outputs (one x per input, one y per output, null to
     * train no loss on that output), as Keras' {@code train_on_batch([x1, x2], [y1, y2])}: returns the total loss before
     * the update. {@code model.trainOnBatch(List.of(a, b), List.of(ya, yb))}.
     */
    public double trainOnBatch(List<Tensor> xs, List<Tensor> ys) {
        return trainOnBatch(xs, ys, (Tensor) null, null);
    }

    /**
     * One weighted training step, as Keras' {@code train_on_batch(x, y, sample_weight=w)}: {@code sampleWeight} as
     * {@link FitOptions#sampleWeight(Tensor)} (shape (b), or (b, T) per timestep); returns the weighted loss before the update.
     */
    public double trainOnBatch(Tensor x, Tensor y, Tensor sampleWeight) {
        if (sampleWeight == null) throw new IllegalArgumentException(name() + ".trainOnBatch: sampleWeight is null (use trainOnBatch(x, y))");
        return trainOnBatch(Collections.singletonList(x), Collections.singletonList(y), sampleWeight, null);
    }

    /**
     * Keras' {@code train_on_batch(x, y, sample_weight=None, class_weight=None)}: {@code sampleWeight} (nullable) weighs every
     * output as {@link FitOptions#sampleWeight(Tensor)}, {@code classWeight} (nullable, not with sampleWeight) as
     * {@link FitOptions#classWeight}; returns the weighted total loss before the update.
     * {@code model.trainOnBatch(List.of(x), List.of(y), null, Map.of(1, 5.0))}.
     */
    public double trainOnBatch(List<Tensor> xs, List<Tensor> ys, Tensor sampleWeight, Map<Integer, Double> classWeight) {
        return trainOnBatchAll(xs, ys, sampleWeight, classWeight).get("loss");
    }

    /**
     * One training step with one sample-weight tensor per output (null: that output unweighted), as Keras'
     * {@code train_on_batch([x], [y1, y2], sample_weight=[w1, w2])}; returns the weighted total loss before the update.
     */
    public double trainOnBatch(List<Tensor> xs, List<Tensor> ys, List<Tensor> sampleWeights) {
        return trainOnBatchAll(xs, ys, sampleWeights).get("loss");
    }

    /**
     * One training step returning the batch's loss and metrics before the update, as Keras' {@code train_on_batch(...,
     * return_dict=True)} (what a GAN's {@code d_loss, d_acc = d.train_on_batch(x, y)} reads): "loss", each output's loss
     * when there are several, and every compiled metric of this batch alone.
     * {@code model.trainOnBatchAll(List.of(x), List.of(y)).get("accuracy")}.
     */
    public Map<String, Double> trainOnBatchAll(List<Tensor> xs, List<Tensor> ys) {
        return trainOnBatchAll(xs, ys, (Tensor) null, null);
    }

    /** {@link #trainOnBatch(List, List)} with the inputs by name, as Keras' {@code train_on_batch({"a": a, "b": b}, y)}. */
    public double trainOnBatch(Map<String, ? extends Tensor> xs, List<Tensor> ys) {
        return trainOnBatchAll(xs, ys).get("loss");
    }

    /**
     * {@link #trainOnBatchAll(List, List)} with the inputs by name, as Keras' {@code train_on_batch({"a": a, "b": b},
     * y, return_dict=True)}.
     */
    public Map<String, Double> trainOnBatchAll(Map<String, ? extends Tensor> xs, List<Tensor> ys) {
        return trainOnBatchAll(inputsByName(name() + ".trainOnBatch", xs), ys);
    }

    /**
     * {@link #trainOnBatch(List, List)} with the targets by output key, as Keras' {@code train_on_batch(x, {"price": p,
     * "kind": k})}: every output's key (a null value: no loss on that output), no other (see {@link #fit(List, Map, FitOptions)}):
     * {@code double loss = model.trainOnBatch(List.of(x), Map.of("price", p, "kind", k));}
     */
    public double trainOnBatch(List<Tensor> xs, Map<String, ? extends Tensor> ys) {
        return trainOnBatchAll(xs, ys).get("loss");
    }

    /**
     * Inputs and targets by key, as Keras' {@code train_on_batch({"q": q, "p": p}, {"price": y, "kind": z})}; returns the loss:
     * {@code double loss = model.trainOnBatch(Map.of("q", q, "p", p), Map.of("price", y, "kind", z));}
     */
    public double trainOnBatch(Map<String, ? extends Tensor> xs, Map<String, ? extends Tensor> ys) {
        return trainOnBatchAll(xs, ys).get("loss");
    }

    /**
     * {@link #trainOnBatchAll(List, List)} with the targets by output key, as Keras' {@code train_on_batch(x, y_dict, return_dict=True)}:
     * {@code double kindLoss = model.trainOnBatchAll(List.of(x), Map.of("price", p, "kind", k)).get("kind_loss");}
     */
    public Map<String, Double> trainOnBatchAll(List<Tensor> xs, Map<String, ? extends Tensor> ys) {
        return trainOnBatchAll(xs, outputsByName(name() + ".trainOnBatch", ys));
    }

    /**
     * One training step with the inputs and targets by key, as Keras' {@code train_on_batch({"q": q, "p": p}, {"price": y,
     * "kind": z}, return_dict=True)} on a model of dict inputs and outputs: the batch's loss ("loss", "price_loss", ...)
     * and metrics before its update:
     * <pre>{@code
     * double loss = model.trainOnBatchAll(Map.of("q", q, "p", p), Map.of("price", y, "kind", z)).get("loss");
     * }</pre>
     */
    public Map<String, Double> trainOnBatchAll(Map<String, ? extends Tensor> xs, Map<String, ? extends Tensor> ys) {
        return trainOnBatchAll(inputsByName(name() + ".trainOnBatch", xs), ys);
    }

    /**
     * {@link #trainOnBatchAll(Map, Map)} with the sample weights by output key, as Keras' {@code train_on_batch(x_dict, y_dict,
     * sample_weight={"price": w1, "kind": w2}, return_dict=True)}: every output's key, as Keras refuses a map that leaves one
     * out (a null value, in a {@code HashMap}, leaves that output unweighted), each as {@link FitOptions#sampleWeight(Map)}:
     * {@code model.trainOnBatchAll(Map.of("q", q, "p", p), Map.of("price", y, "kind", z), Map.of("price", w1, "kind", w2));}
     */
    public Map<String, Double> trainOnBatchAll(Map<String, ? extends Tensor> xs, Map<String, ? extends Tensor> ys, Map<String, Tensor> sampleWeights) {
        return trainOnBatchAll(inputsByName(name() + ".trainOnBatch", xs), ys, sampleWeights);
    }

    /**
     * {@link #trainOnBatchAll(List, Map)} with the sample weights by output key, as Keras' usual {@code train_on_batch(x,
     * y_dict, sample_weight={"price": w1, "kind": w2}, return_dict=True)} with x an array or list (every output's key; a
     * null value: that output unweighted), as {@link #trainOnBatchAll(Map, Map, Map)}:
     * {@code model.trainOnBatchAll(List.of(x), Map.of("price", y, "kind", z), Map.of("price", w1, "kind", w2));}
     */
    public Map<String, Double> trainOnBatchAll(List<Tensor> xs, Map<String, ? extends Tensor> ys, Map<String, Tensor> sampleWeights) {
        String what = name() + ".trainOnBatch";
        List<Tensor> y = outputsByName(what, ys);
        return trainOnBatchLogs(xs, y, SampleWeights.Given.byName(what, "sampleWeight", sampleWeights), null);
    }

    /**
     * {@link #trainOnBatchAll(List, List)} with Keras' {@code sample_weight} or {@code class_weight} (each nullable,
     * not both), as {@link #trainOnBatch(List, List, Tensor, Map)}.
     */
    public Map<String, Double> trainOnBatchAll(List<Tensor> xs, List<Tensor> ys, Tensor sampleWeight, Map<Integer, Double> classWeight) {
        String what = name() + ".trainOnBatch";
        Map<Integer, Double> cw = classWeight == null ? null : SampleWeights.checkClassWeight(what, classWeight);
        return trainOnBatchLogs(xs, ys, sampleWeight == null ? null : SampleWeights.Given.shared(what, "sampleWeight", sampleWeight), cw);
    }

    /** {@link #trainOnBatchAll(List, List)} with one sample-weight tensor per output (null: that output unweighted). */
    public Map<String, Double> trainOnBatchAll(List<Tensor> xs, List<Tensor> ys, List<Tensor> sampleWeights) {
        return trainOnBatchLogs(xs, ys, SampleWeights.Given.perOutput(name() + ".trainOnBatch", "sampleWeight", sampleWeights), null);
    }

    private Map<String, Double> trainOnBatchLogs(List<Tensor> xs, List<Tensor> ys, SampleWeights.Given sw, Map<Integer, Double> cw) {
        return setup.guard.writing("trainOnBatch", () -> trainOnBatchAlone(xs, ys, sw, cw));
    }

    private Map<String, Double> trainOnBatchAlone(List<Tensor> xs, List<Tensor> ys, SampleWeights.Given sw, Map<Integer, Double> cw) {
        String what = name() + ".trainOnBatch";
        requireCompiled("trainOnBatch");
        requireOpen("trainOnBatch");
        boolean built = !buildsOn(xs);   // checked before the build: a refusal leaves an unbuilt model unbuilt
        if (!built) InputCheck.requireTargetCounts(what + ": ", xs, ys);
        SampleWeights.Given w = SampleWeights.checkedFor(what, sw, cw, xs, built);
        ensureBuilt(xs);
        ensureStore();
        Data d = check().prepare(xs, ys, null, "trainOnBatch", true, true);
        d = d.withWeights(SampleWeights.of(what, w, cw, d, graph(), sparseTargets0()));
        return new TrainingLoop(model(), setup).trainOnBatch(d);
    }

    /**
     * Builds an unbuilt model (a Sequential without an input shape) for the samples of {@code data}'s first batch, once;
     * a data set refused whatever the model ({@link DatasetBatches#checkSize}) is refused first, leaving the model unbuilt, and so
     * is a named one: the model's input name would only be made by the build, so no key could match it.
     */
    synchronized void ensureBuilt(Dataset data, DatasetBatches.Use use, int steps) throws IOException {
        DatasetBatches.checkSize(name(), data, use, steps);
        DatasetKeys.requireNamesKept(name() + "." + use.op, name(), data);
        if (!isBuilt() && !data.inputNames().isEmpty()) {
            throw new IllegalArgumentException(name() + "." + use.op + ": the dataset's inputs are named " + data.inputNames() + ", but model '"
                    + name() + "' is not built yet, so it has no input names to match them; declare the input shape"
                    + " (Input.shape(...).name(...) as its first layer) so its input names exist, or give a positional data set");
        }
        if (!isBuilt()) ensureBuilt(DatasetBatches.firstSampleShape(data));
        ensureGraph();
    }

    /** Builds the model for per-sample input {@code shape} (null: unknown) when it is not built yet; only a Sequential can be. */
    void ensureBuilt(int[] shape) { ensureGraph(); }
}
