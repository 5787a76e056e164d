package dev.jrnn.model;

import dev.jrnn.data.Dataset;
import dev.jrnn.tensor.Tensor;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * The evaluating and predicting half of a {@link Model}'s Keras API, beside the training half in {@link Trainer}:
 * {@link #evaluate}, {@link #predict}, and per batch {@link #testOnBatch} and {@link #predictOnBatch}. Only {@link Model}
 * extends it; use it through a model:
 *
 * <pre>{@code
 * double loss = model.evaluate(xTest, yTest);
 * Tensor p = model.predict(xTest);
 * }</pre>
 */
public abstract class Evaluator extends Trainer {
    Evaluator() {}

    /** The loss on one batch, without training, as Keras' {@code test_on_batch(x, y)}. */
    public double testOnBatch(Tensor x, Tensor y) {
        return testOnBatch(Collections.singletonList(x), Collections.singletonList(y)).get("loss");
    }

    /** The weighted loss on one batch, as Keras' {@code test_on_batch(x, y, sample_weight=w)} (w as in {@link #trainOnBatch(Tensor, Tensor, Tensor)}). */
    public double testOnBatch(Tensor x, Tensor y, Tensor sampleWeight) {
        if (sampleWeight == null) throw new IllegalArgumentException(name() + ".testOnBatch: sampleWeight is null (use testOnBatch(x, y))");
        return testOnBatch(Collections.singletonList(x), Collections.singletonList(y), sampleWeight).get("loss");
    }

    /**
     * Loss and metrics on one batch (one x per input, one y per output), as Keras' {@code test_on_batch(...,
     * return_dict=True)}: {@code model.testOnBatch(List.of(x), List.of(y)).get("accuracy")}. Weights and states of
     * non-stateful layers are unchanged; a stateful model's batch must be its fixed batch size.
     */
    public Map<String, Double> testOnBatch(List<Tensor> xs, List<Tensor> ys) {
        return evaluateAll(Inference.Call.TEST_ON_BATCH, xs, ys, batchRows(xs), null, null, List.of());
    }

    /** {@link #testOnBatch(List, List)} with Keras' {@code sample_weight} (nullable): the loss and {@link WeightedMetrics} weighted. */
    public Map<String, Double> testOnBatch(List<Tensor> xs, List<Tensor> ys, Tensor sampleWeight) {
        SampleWeights.Given w = sampleWeight == null ? null : SampleWeights.Given.shared(name() + ".testOnBatch", "sampleWeight", sampleWeight);
        return evaluateAll(Inference.Call.TEST_ON_BATCH, xs, ys, batchRows(xs), null, w, List.of());
    }

    /** {@link #testOnBatch(List, List)} with one sample-weight tensor per output (null: that output unweighted). */
    public Map<String, Double> testOnBatch(List<Tensor> xs, List<Tensor> ys, List<Tensor> sampleWeights) {
        SampleWeights.Given w = SampleWeights.Given.perOutput(name() + ".testOnBatch", "sampleWeight", sampleWeights);
        return evaluateAll(Inference.Call.TEST_ON_BATCH, xs, ys, batchRows(xs), null, w, List.of());
    }

    /** {@link #testOnBatch(List, List)} with the inputs by name, as Keras' {@code test_on_batch({"a": a, "b": b}, y)} (see {@link #fit(Map, List, FitOptions)}). */
    public Map<String, Double> testOnBatch(Map<String, ? extends Tensor> xs, List<Tensor> ys) {
        return testOnBatch(inputsByName(name() + ".testOnBatch", xs), ys);
    }

    /**
     * {@link #testOnBatch(List, List)} with the targets by output key, as Keras' {@code test_on_batch(x, {"price": p, "kind": k})}:
     * {@code double loss = model.testOnBatch(List.of(x), Map.of("price", p, "kind", k)).get("loss");}
     */
    public Map<String, Double> testOnBatch(List<Tensor> xs, Map<String, ? extends Tensor> ys) {
        return testOnBatch(xs, outputsByName(name() + ".testOnBatch", ys));
    }

    /**
     * Loss and metrics on one batch with the inputs and targets by key, as Keras' {@code test_on_batch({"q": q, "p": p},
     * {"price": y, "kind": z}, return_dict=True)}:
     * <pre>{@code
     * double loss = model.testOnBatch(Map.of("q", q, "p", p), Map.of("price", y, "kind", z)).get("loss");
     * }</pre>
     */
    public Map<String, Double> testOnBatch(Map<String, ? extends Tensor> xs, Map<String, ? extends Tensor> ys) {
        return testOnBatch(inputsByName(name() + ".testOnBatch", xs), ys);
    }

    /**
     * {@link #testOnBatch(Map, Map)} with the sample weights by output key, as Keras' {@code test_on_batch(x_dict, y_dict,
     * sample_weight={"price": w1, "kind": w2}, return_dict=True)} (every output's key; null: that output unweighted):
     * {@code model.testOnBatch(Map.of("q", q, "p", p), Map.of("price", y, "kind", z), Map.of("price", w1, "kind", w2));}
     */
    public Map<String, Double> testOnBatch(Map<String, ? extends Tensor> xs, Map<String, ? extends Tensor> ys, Map<String, Tensor> sampleWeights) {
        return testOnBatch(inputsByName(name() + ".testOnBatch", xs), ys, sampleWeights);
    }

    /**
     * {@link #testOnBatch(List, Map)} with the sample weights by output key, as Keras' usual {@code test_on_batch(x, y_dict,
     * sample_weight={"price": w1, "kind": w2}, return_dict=True)} with x an array or list (every output's key; null: that
     * output unweighted): {@code model.testOnBatch(List.of(x), Map.of("price", y, "kind", z), Map.of("price", w1, "kind", w2));}
     */
    public Map<String, Double> testOnBatch(List<Tensor> xs, Map<String, ? extends Tensor> ys, Map<String, Tensor> sampleWeights) {
        String what = name() + ".testOnBatch";
        List<Tensor> y = outputsByName(what, ys);
        SampleWeights.Given w = SampleWeights.Given.byName(what, "sampleWeight", sampleWeights);
        return evaluateAll(Inference.Call.TEST_ON_BATCH, xs, y, batchRows(xs), null, w, List.of());
    }

    /** The output for one batch, as Keras' {@code predict_on_batch(x)}; a model with several outputs throws, as {@link #predict(Tensor)}. */
    public Tensor predictOnBatch(Tensor x) {
        requireOpen("predict");
        List<Tensor> xs = Collections.singletonList(x);
        ensureBuiltSafely(xs);
        requireOneOutput("predictOnBatch", "predictOnBatch(List.of(x))");
        return predictOnBatch(xs).get(0);
    }

    /** Every output for one batch (one x per input), in output order, as Keras' {@code predict_on_batch([x1, x2])}. */
    public List<Tensor> predictOnBatch(List<Tensor> xs) {
        return predictAll(Inference.Call.PREDICT_ON_BATCH, xs, batchRows(xs), null);
    }

    /** {@link #predictOnBatch(List)} with the inputs by name, as Keras' {@code predict_on_batch({"a": a, "b": b})}. */
    public List<Tensor> predictOnBatch(Map<String, ? extends Tensor> xs) {
        return predictOnBatch(inputsByName(name() + ".predictOnBatch", xs));
    }

    /**
     * Every output for one batch by its key, as Keras' {@code predict_on_batch(x)} returns a dict for a model whose outputs
     * are a dict ({@link Model#dictOutputs()}; any other is refused, as by {@link #predictDict(List)}): the keys in
     * the dict's own order ({@link Model#outputDict()}), as {@link #predictDict(List)}; the batch runs whole, as {@link #predictOnBatch(List)}:
     * <pre>{@code
     * Tensor price = model.predictOnBatchDict(List.of(x)).get("price");
     * }</pre>
     */
    public Map<String, Tensor> predictOnBatchDict(List<Tensor> xs) {
        requireDictOutputs("predictOnBatchDict");
        return byOutputKey(predictAll(Inference.Call.PREDICT_ON_BATCH_DICT, xs, batchRows(xs), null));
    }

    /** {@link #predictOnBatchDict(List)} of the single input {@code x}, as Keras' {@code predict_on_batch(x)}: {@code model.predictOnBatchDict(x).get("price")}. */
    public Map<String, Tensor> predictOnBatchDict(Tensor x) {
        requireDictOutputs("predictOnBatchDict");
        return predictOnBatchDict(Collections.singletonList(x));
    }

    /**
     * {@link #predictOnBatchDict(List)} with the inputs by key, as Keras' {@code predict_on_batch({"q": q, "p": p})}:
     * {@code Tensor price = model.predictOnBatchDict(Map.of("q", q, "p", p)).get("price");}
     */
    public Map<String, Tensor> predictOnBatchDict(Map<String, ? extends Tensor> xs) {
        requireDictOutputs("predictOnBatchDict");
        return predictOnBatchDict(inputsByName(name() + ".predictOnBatchDict", xs));
    }

    /** The sample count of a batch, for the *OnBatch calls (1 when there is none to read: the checks then name what is wrong). */
    private static int batchRows(List<Tensor> xs) {
        return xs != null && !xs.isEmpty() && xs.get(0) != null && xs.get(0).rank() > 0 ? xs.get(0).dim(0) : 1;
    }

    /** The mean loss on {@code (x, y)} (batch size 32, or the one a stateful model fixes), as Keras' evaluate. */
    public double evaluate(Tensor x, Tensor y) {
        return evaluateAll(Collections.singletonList(x), Collections.singletonList(y), defaultBatch(), null).get("loss");
    }

    /** Loss and metrics on inputs {@code xs} and targets {@code ys} in batches of 32 (or the fixed size), as Keras' {@code model.evaluate([x1, x2], y)}. */
    public Map<String, Double> evaluateAll(List<Tensor> xs, List<Tensor> ys) {
        return evaluateAll(xs, ys, defaultBatch(), null);
    }

    /** {@link #evaluateAll(List, List)} with the inputs by name, as Keras' {@code evaluate(x={"a": a, "b": b}, y)} (see {@link #fit(Map, List, FitOptions)}). */
    public Map<String, Double> evaluateAll(Map<String, ? extends Tensor> xs, List<Tensor> ys) {
        return evaluateAll(inputsByName(name() + ".evaluate", xs), ys);
    }

    /** {@link #evaluateAll(List, List)} with the targets by output name, as Keras' {@code evaluate(x, {"score": s, "kind": k})}. */
    public Map<String, Double> evaluateAll(List<Tensor> xs, Map<String, ? extends Tensor> ys) {
        return evaluateAll(xs, outputsByName(name() + ".evaluate", ys));
    }

    /** Inputs by name and targets by output name, as Keras' {@code evaluate({"a": a, "b": b}, {"score": s, "kind": k})}. */
    public Map<String, Double> evaluateAll(Map<String, ? extends Tensor> xs, Map<String, ? extends Tensor> ys) {
        return evaluateAll(xs, outputsByName(name() + ".evaluate", ys));
    }

    /**
     * {@link #evaluateAll(Map, List)} in batches of {@code batchSize} with Keras' {@code sample_weight} (one weight per
     * sample for every output), as {@code evaluate({"a": a, "b": b}, [s, k], batch_size=32, sample_weight=w)}; weighted
     * as {@link #evaluateAll(List, List, int, int[], Tensor)}:
     * <pre>{@code
     * double loss = model.evaluateAll(Map.of("a", a, "b", b), List.of(s, k), 32, null, w).get("loss");
     * }</pre>
     */
    public Map<String, Double> evaluateAll(Map<String, ? extends Tensor> xs, List<Tensor> ys, int batchSize, int[] lengths, Tensor sampleWeight) {
        return evaluateAll(inputsByName(name() + ".evaluate", xs), ys, batchSize, lengths, sampleWeight);
    }

    /** As {@link #evaluateAll(Map, List, int, int[], Tensor)} with one sample-weight tensor per output, in output order (null: that output unweighted). */
    public Map<String, Double> evaluateAll(Map<String, ? extends Tensor> xs, List<Tensor> ys, int batchSize, int[] lengths, List<Tensor> sampleWeights) {
        return evaluateAll(inputsByName(name() + ".evaluate", xs), ys, batchSize, lengths, sampleWeights);
    }

    /**
     * {@link #evaluateAll(Map, Map)} in batches of {@code batchSize} with Keras' {@code sample_weight} (one weight per
     * sample for every output), as {@code evaluate({"a": a, "b": b}, {"score": s, "kind": k}, batch_size=32,
     * sample_weight=w)}; weighted as {@link #evaluateAll(List, List, int, int[], Tensor)}. jrnn weighs a y by output name
     * too, where Keras 3.15.1 raises {@code KeyError: 0} for a model whose outputs are a list (give y as a list there,
     * {@link #evaluateAll(Map, List, int, int[], Tensor)}, to run the same in both):
     * <pre>{@code
     * double loss = model.evaluateAll(Map.of("a", a, "b", b), Map.of("score", s, "kind", k), 32, null, w).get("loss");
     * }</pre>
     */
    public Map<String, Double> evaluateAll(Map<String, ? extends Tensor> xs, Map<String, ? extends Tensor> ys, int batchSize, int[] lengths,
                                           Tensor sampleWeight) {
        return evaluateAll(inputsByName(name() + ".evaluate", xs), outputsByName(name() + ".evaluate", ys), batchSize, lengths,
                sampleWeight);
    }

    /** As {@link #evaluateAll(Map, Map, int, int[], Tensor)} with one sample-weight tensor per output, in output order (null: that output unweighted). */
    public Map<String, Double> evaluateAll(Map<String, ? extends Tensor> xs, Map<String, ? extends Tensor> ys, int batchSize, int[] lengths,
                                           List<Tensor> sampleWeights) {
        return evaluateAll(inputsByName(name() + ".evaluate", xs), outputsByName(name() + ".evaluate", ys), batchSize, lengths,
                sampleWeights);
    }

    /**
     * {@link #evaluateAll(List, Map)} in batches of {@code batchSize} with the sample weights by output key (a key that
     * names no output is refused), as Keras' {@code evaluate(x, {"price": p, "kind": k}, batch_size=32,
     * sample_weight={"price": w1, "kind": w2})} on a model whose outputs are a dict ({@link Model#dictOutputs()}), read by
     * {@link Model#outputNames()}. A map that leaves an output out is refused, as Keras 3.15.1 refuses it (one {@code
     * sample_weight} array per output); a null value (in a {@code HashMap}) leaves that output unweighted, as Keras' {@code None}:
     * <pre>{@code
     * Map<String, Double> logs = model.evaluateAll(List.of(x), Map.of("price", p, "kind", k), 32, null,
     *         Map.of("price", w1, "kind", w2));
     * }</pre>
     */
    public Map<String, Double> evaluateAll(List<Tensor> xs, Map<String, ? extends Tensor> ys, int batchSize, int[] lengths,
                                           Map<String, Tensor> sampleWeights) {
        return evaluateAll(xs, outputsByName(name() + ".evaluate", ys), batchSize, lengths,
                SampleWeights.Given.byName(name() + ".evaluate", "sampleWeight", sampleWeights));
    }

    /** As {@link #evaluateAll(List, Map, int, int[], Map)} with the inputs by key, as Keras' {@code evaluate({"q": q}, y, sample_weight={...})}. */
    public Map<String, Double> evaluateAll(Map<String, ? extends Tensor> xs, Map<String, ? extends Tensor> ys, int batchSize, int[] lengths,
                                           Map<String, Tensor> sampleWeights) {
        return evaluateAll(inputsByName(name() + ".evaluate", xs), ys, batchSize, lengths, sampleWeights);
    }

    /** Loss and metrics ("loss", "accuracy", ...) on the given data. */
    public Map<String, Double> evaluateAll(List<Tensor> xs, List<Tensor> ys, int batchSize, int[] lengths) {
        return evaluateAll(xs, ys, batchSize, lengths, (Tensor) null);
    }

    /**
     * As {@link #evaluateAll(List, List, int, int[])} with Keras' {@code sample_weight} (one weight per sample, nullable):
     * the loss as fit weighs it ({@link FitOptions#sampleWeight}), and {@link WeightedMetrics}; the other metrics unweighted, as Keras'.
     */
    public Map<String, Double> evaluateAll(List<Tensor> xs, List<Tensor> ys, int batchSize, int[] lengths, Tensor sampleWeight) {
        String what = name() + ".evaluate";
        return evaluateAll(xs, ys, batchSize, lengths, sampleWeight == null ? null : SampleWeights.Given.shared(what, "sampleWeight", sampleWeight));
    }

    /** As {@link #evaluateAll(List, List, int, int[], Tensor)} with one sample-weight tensor per output (null: that output unweighted). */
    public Map<String, Double> evaluateAll(List<Tensor> xs, List<Tensor> ys, int batchSize, int[] lengths, List<Tensor> sampleWeights) {
        return evaluateAll(xs, ys, batchSize, lengths, SampleWeights.Given.perOutput(name() + ".evaluate", "sampleWeight", sampleWeights));
    }

    /**
     * As {@link #evaluateAll(List, List, int, int[], List)} ({@code sampleWeights} null: unweighted) with Keras' {@code callbacks}: each gets {@code setParams}
     * (verbose 0, epochs 1, the batches), then its test hooks in Keras 3.15.1's order ({@link Callback#onTestBegin},
     * per batch {@link Callback#onTestBatchBegin} and {@link Callback#onTestBatchEnd} with the running logs, then
     * {@link Callback#onTestEnd} with the returned logs), as Keras' {@code evaluate(x, y, batch_size=4, callbacks=[...])}:
     * <pre>{@code
     * Map<String, Double> logs = model.evaluateAll(List.of(x), List.of(y), 4, null, null, new Callback() {
     *     public void onTestBatchEnd(int batch, BatchLogs logs, Model m) { System.out.println(batch + " " + logs.logs()); }
     * });
     * }</pre>
     */
    public Map<String, Double> evaluateAll(List<Tensor> xs, List<Tensor> ys, int batchSize, int[] lengths, List<Tensor> sampleWeights,
                                           Callback... callbacks) {
        List<Callback> cbs = callbacks(name() + ".evaluate", callbacks);
        return evaluateAll(Inference.Call.EVALUATE, xs, ys, batchSize, lengths, sampleWeights == null ? null
                : SampleWeights.Given.perOutput(name() + ".evaluate", "sampleWeight", sampleWeights), cbs);
    }

    /** The callbacks given to a standalone evaluate or predict, each checked (a null array or entry is refused, naming it). */
    private static List<Callback> callbacks(String what, Callback[] callbacks) {
        if (callbacks == null) throw new IllegalArgumentException(what + ": callbacks is null (pass none for no callbacks)");
        for (int i = 0; i < callbacks.length; i++) {
            if (callbacks[i] == null) throw new IllegalArgumentException(what + ": callbacks[" + i + "] is null, expected a Callback");
        }
        return List.of(callbacks);
    }

    private Map<String, Double> evaluateAll(List<Tensor> xs, List<Tensor> ys, int batchSize, int[] lengths, SampleWeights.Given w) {
        return evaluateAll(Inference.Call.EVALUATE, xs, ys, batchSize, lengths, w, List.of());
    }

    /** Evaluate on tensors for {@code call} (evaluate, testOnBatch), whose name the messages give. */
    private Map<String, Double> evaluateAll(Inference.Call call, List<Tensor> xs, List<Tensor> ys, int batchSize, int[] lengths,
                                            SampleWeights.Given w, List<Callback> callbacks) {
        String op = call.op;
        requireCompiled(op);
        requireOpen(op);
        if (batchSize < 1) throw new IllegalArgumentException(name() + "." + op + ": batchSize must be >= 1, got " + batchSize);
        boolean built = !buildsOn(xs);   // checked before the build, as trainOnBatch
        if (!built) InputCheck.requireTargetCounts(name() + "." + op + ": ", xs, ys);
        SampleWeights.Given g = w == null ? null : w.checkedFor(name() + "." + op, "sampleWeight", xs, built);
        ensureBuiltSafely(xs);
        Data d = check().prepare(xs, ys, lengths, op, true, false);
        d = d.withWeights(SampleWeights.resolve(g, name() + "." + op, "sampleWeight", graph(), d.xs().get(0).dim(0),
                SampleWeights.targetSteps(d.ys())));
        return callbacks.isEmpty() ? new Inference(setup, (Model) this).evaluate(d, batchSize, call)
                : new Inference(setup, (Model) this).evaluate(d, batchSize, callbacks, (Model) this);
    }

    /**
     * Loss and metrics on {@code xs} and {@code ys} (batches of 32, or the fixed size) as Keras' default {@code
     * evaluate(x, y)} returns them ({@code return_dict=False}): a list in Keras 3.15.1's order ({@link #kerasList}).
     * Keras returns a bare float where there is only the loss; here the list then holds one value:
     * <pre>{@code
     * model.compile("adam", "sparse_categorical_crossentropy", "accuracy");
     * List<Double> r = model.evaluateList(List.of(x), List.of(y));   // Keras: loss, acc = model.evaluate(x, y)
     * double loss = r.get(0), acc = r.get(1);
     * }</pre>
     */
    public List<Double> evaluateList(List<Tensor> xs, List<Tensor> ys) {
        return kerasList(evaluateAll(xs, ys));
    }

    /** {@link #evaluateList(List, List)} over one pass of {@code data}, as Keras' {@code evaluate(ds)}. */
    public List<Double> evaluateList(Dataset data) throws IOException {
        return kerasList(evaluateAll(data));
    }

    /**
     * The values of {@code logs} (what an {@code evaluateAll} or {@code testOnBatch} of this model returned) in the order
     * of Keras 3.15.1's {@code return_dict=False} list: "loss", the compiled metrics whose log key is their own name (a
     * model of one output: in compile order, {@code metrics} then {@code weightedMetrics}), each output's "out_loss" where
     * several outputs have a loss, then every other key sorted (a model of several outputs: "a_mae", "b_accuracy", ...).
     * Keras' own quirk is kept: a metric name given twice reads its first value twice ("accuracy", "accuracy", then
     * "accuracy_1" among the sorted rest). A metric that logs an array (F1 per class) is one run of values in index order
     * where Keras' list holds one array. {@link #kerasListKeys} names each position:
     * <pre>{@code
     * List<Double> r = model.kerasList(model.evaluateAll(ds, 100));   // Keras: model.evaluate(ds, steps=100)
     * }</pre>
     */
    public List<Double> kerasList(Map<String, Double> logs) {
        return EvaluateOrder.values(EvaluateOrder.names(setup), checkedLogs("kerasList", logs));
    }

    /** The log key of each value of {@link #kerasList(Map)}, position for position. */
    public List<String> kerasListKeys(Map<String, Double> logs) {
        return List.copyOf(EvaluateOrder.keys(EvaluateOrder.names(setup), checkedLogs("kerasListKeys", logs)));
    }

    private Map<String, Double> checkedLogs(String what, Map<String, Double> logs) {
        requireCompiled(what);
        if (logs == null) throw new IllegalArgumentException(name() + "." + what + ": logs is null, expected the map an evaluateAll of this model returned");
        if (!logs.containsKey("loss")) {
            throw new IllegalArgumentException(name() + "." + what + ": logs has no \"loss\", expected the map an evaluateAll of this model returned, got keys "
                    + logs.keySet());
        }
        for (Map.Entry<String, Double> e : logs.entrySet()) {
            if (e.getValue() == null) throw new IllegalArgumentException(name() + "." + what + ": logs[\"" + e.getKey() + "\"] is null, expected a number");
        }
        return logs;
    }

    /** The mean loss over one pass of {@code data} (one target per output), as Keras' evaluate on a dataset. */
    public double evaluate(Dataset data) throws IOException { return evaluateAll(data).get("loss"); }

    /** Loss and metrics over one pass of {@code data}, in its batches. */
    public Map<String, Double> evaluateAll(Dataset data) throws IOException {
        requireCompiled("evaluate");
        DatasetBatches batches = datasetBatches(data, DatasetBatches.Use.EVALUATE);
        return DatasetBatches.io(() -> new Inference(setup, (Model) this).evaluate(batches), batches);
    }

    /**
     * {@link #evaluateAll(Dataset)} with Keras' {@code callbacks}, their test hooks called as in
     * {@link #evaluateAll(List, List, int, int[], List, Callback...)}: {@code model.evaluateAll(ds.batch(64), new CSVLogger(...))}.
     */
    public Map<String, Double> evaluateAll(Dataset data, Callback... callbacks) throws IOException {
        List<Callback> cbs = callbacks(name() + ".evaluate", callbacks);
        requireCompiled("evaluate");
        DatasetBatches batches = datasetBatches(data, DatasetBatches.Use.EVALUATE);
        return DatasetBatches.io(() -> new Inference(setup, (Model) this).evaluate(batches, cbs, (Model) this), batches);
    }

    /**
     * Loss and metrics over the first {@code steps} batches of {@code data} (all of them when it has fewer), as Keras'
     * {@code evaluate(ds, steps=n)}; an endless data set ({@code repeat()}) is taken:
     * {@code model.evaluateAll(Dataset.fromNpy(x, y).repeat().batch(64), 100).get("loss")}.
     */
    public Map<String, Double> evaluateAll(Dataset data, int steps) throws IOException {
        requireCompiled("evaluate");
        checkSteps("evaluate", steps);
        BatchSource batches = BoundedBatches.first(datasetBatches(data, DatasetBatches.Use.EVALUATE, steps), steps);
        return DatasetBatches.io(() -> new Inference(setup, (Model) this).evaluate(batches), batches);
    }

    /**
     * {@link #evaluateAll(Dataset, int)} with Keras' {@code callbacks}, as {@code evaluate(ds, steps=n, callbacks=[...])}:
     * their {@code setParams} get {@code steps} as Keras' do (also where the data set ends before them), then the test hooks
     * as in {@link #evaluateAll(Dataset, Callback...)}:
     * <pre>{@code
     * Map<String, Double> logs = model.evaluateAll(ds.repeat(), 50, new TensorBoard(Path.of("logs")));
     * }</pre>
     */
    public Map<String, Double> evaluateAll(Dataset data, int steps, Callback... callbacks) throws IOException {
        List<Callback> cbs = callbacks(name() + ".evaluate", callbacks);
        requireCompiled("evaluate");
        checkSteps("evaluate", steps);
        BatchSource batches = BoundedBatches.first(datasetBatches(data, DatasetBatches.Use.EVALUATE, steps), steps);
        return DatasetBatches.io(() -> new Inference(setup, (Model) this).evaluate(batches, cbs, (Model) this), batches);
    }

    /**
     * The outputs for the first {@code steps} batches of {@code data} (all of them when it has fewer) to {@code sink}, with
     * Keras' {@code callbacks} (none: pass none), as Keras' {@code predict(ds, steps=n)}; an endless data set
     * ({@code repeat()}) is taken. Returns the rows:
     * <pre>{@code
     * long rows = model.predict(Dataset.fromNpy(x, null).repeat().batch(64), 10, outs -> save(outs.get(0)));
     * }</pre>
     */
    public long predict(Dataset data, int steps, Consumer<List<Tensor>> sink, Callback... callbacks) throws IOException {
        List<Callback> cbs = callbacks(name() + ".predict", callbacks);
        if (sink == null) throw new IllegalArgumentException(name() + ".predict: sink is null, expected a Consumer of each batch's outputs");
        return predict(data, steps, DatasetBatches.Use.PREDICT, Inference.Call.PREDICT_TO_SINK, sink, cbs);
    }

    /**
     * The first {@code steps} batches of {@code data} to {@code sink} for {@code call} (the user's sink, or a call's
     * collector); {@code use}: the call the data set's checks name.
     */
    private long predict(Dataset data, int steps, DatasetBatches.Use use, Inference.Call call, Consumer<List<Tensor>> sink, List<Callback> cbs)
            throws IOException {
        checkSteps(call.op, steps);
        BatchSource batches = BoundedBatches.first(datasetBatches(data, use, steps), steps);
        return DatasetBatches.io(() -> new Inference(setup, (Model) this).predict(batches, call, cbs, (Model) this, sink), batches);
    }

    /**
     * Every output for the first {@code steps} batches of {@code data}, each joined along the batch axis in output order,
     * as Keras' {@code predict(ds, steps=n)} returns them (callbacks: {@link #predict(Dataset, int, Consumer, Callback...)}):
     * <pre>{@code
     * Tensor p = model.predictAll(ds.repeat(), 4).get(0);   // 4 batches, across the repeat
     * }</pre>
     */
    public List<Tensor> predictAll(Dataset data, int steps) throws IOException {
        List<List<Tensor>> parts = new java.util.ArrayList<>();
        predict(data, steps, DatasetBatches.Use.PREDICT, Inference.Call.PREDICT, parts::add, List.of());
        return BatchJoin.join(name() + ".predict", parts, setup.outputs());
    }

    private void checkSteps(String what, int steps) {
        if (steps < 1) throw new IllegalArgumentException(name() + "." + what + ": steps must be >= 1, got " + steps + " (the batches to " + what + ", Keras' steps)");
    }

    /**
     * Every output for one pass of {@code data} by its key, as Keras' {@code predict(ds)} returns a dict for a model whose
     * outputs are a dict ({@link Model#dictOutputs()}; any other is refused, as by {@link #predictDict(List)}): each output's
     * batches joined along the batch axis, the keys in the dict's own order ({@link Model#outputDict()}) (a data set's inputs are
     * positional, in {@link Model#inputNames()}' order):
     * <pre>{@code
     * Tensor price = model.predictDict(Dataset.fromTensors(List.of(x), List.of()).batch(64)).get("price");
     * }</pre>
     */
    public Map<String, Tensor> predictDict(Dataset data) throws IOException {
        requireDictOutputs("predictDict");
        List<List<Tensor>> parts = new java.util.ArrayList<>();
        DatasetBatches batches = datasetBatches(data, DatasetBatches.Use.PREDICT_DICT);
        DatasetBatches.io(() -> new Inference(setup, (Model) this).predict(batches, Inference.Call.PREDICT_DICT, parts::add), batches);
        return byOutputKey(BatchJoin.join(name() + ".predictDict", parts, setup.outputs()));
    }

    /**
     * {@link #predictDict(Dataset)} over the first {@code steps} batches of {@code data} (an endless one is taken), as Keras'
     * {@code predict(ds, steps=n)}: {@code Tensor price = model.predictDict(ds.repeat(), 4).get("price");}
     */
    public Map<String, Tensor> predictDict(Dataset data, int steps) throws IOException {
        requireDictOutputs("predictDict");
        List<List<Tensor>> parts = new java.util.ArrayList<>();
        predict(data, steps, DatasetBatches.Use.PREDICT_DICT, Inference.Call.PREDICT_DICT, parts::add, List.of());
        return byOutputKey(BatchJoin.join(name() + ".predictDict", parts, setup.outputs()));
    }

    /** Streams the outputs for one pass of {@code data} to {@code sink} a batch at a time (one tensor per output, in its order); returns the rows. */
    public long predict(Dataset data, Consumer<List<Tensor>> sink) throws IOException {
        if (sink == null) throw new IllegalArgumentException(name() + ".predict: sink is null");
        DatasetBatches batches = datasetBatches(data, DatasetBatches.Use.PREDICT);
        return DatasetBatches.io(() -> new Inference(setup, (Model) this).predict(batches, Inference.Call.PREDICT_TO_SINK, sink), batches);
    }

    /**
     * {@link #predict(Dataset, Consumer)} with Keras' {@code callbacks}: each gets {@code setParams} (verbose 0, epochs 1, the
     * batches), {@link Callback#onPredictBegin}, per batch {@link Callback#onPredictBatchBegin} and, after {@code sink} has the
     * batch, {@link Callback#onPredictBatchEnd} with its outputs, then {@link Callback#onPredictEnd}, as Keras' {@code predict(ds,
     * callbacks=[...])}.
     */
    public long predict(Dataset data, Consumer<List<Tensor>> sink, Callback... callbacks) throws IOException {
        List<Callback> cbs = callbacks(name() + ".predict", callbacks);
        if (sink == null) throw new IllegalArgumentException(name() + ".predict: sink is null");
        DatasetBatches batches = datasetBatches(data, DatasetBatches.Use.PREDICT);
        return DatasetBatches.io(() -> new Inference(setup, (Model) this).predict(batches, Inference.Call.PREDICT_TO_SINK, cbs, (Model) this, sink), batches);
    }

    /** Writes the outputs for one pass of {@code data} to {@code .npy} files, one per output, atomically; returns the rows. */
    public long predict(Dataset data, Path... npy) throws IOException {
        return new Inference(setup, (Model) this).predict(datasetBatches(data, DatasetBatches.Use.PREDICT), npy == null ? null : Arrays.asList(npy));
    }

    private DatasetBatches datasetBatches(Dataset data, DatasetBatches.Use use) throws IOException {
        return datasetBatches(data, use, 0);
    }

    /** The batches of {@code data} for call {@code use}; {@code steps} > 0: the caller takes at most that many (an endless set is taken). */
    private DatasetBatches datasetBatches(Dataset data, DatasetBatches.Use use, int steps) throws IOException {
        requireOpen(use.op);
        ensureBuilt(data, use, steps);
        return new DatasetBatches(data, setup, use, false, steps);
    }

    /**
     * The model's output for {@code x}, computed in batches of 32 (or the batch size a stateful model fixes). A model with several outputs throws
     * (no output is dropped silently): use {@link #predictAll(Tensor)} there, which returns them all.
     */
    public Tensor predict(Tensor x) {
        return predict(x, null);
    }

    /** Predictions for post-padded sequences with per-sample valid {@code lengths} (one-output models). */
    public Tensor predict(Tensor x, int[] lengths) { return predictOne(x, -1, lengths); }

    /**
     * {@link #predict(Tensor)} in batches of {@code batchSize} (each advances a stateful model's states), as Keras'
     * {@code model.predict(x, batch_size=256)}:
     * <pre>{@code
     * Tensor y = model.predict(x, 256);
     * }</pre>
     */
    public Tensor predict(Tensor x, int batchSize) {
        if (batchSize < 1) throw new IllegalArgumentException(name() + ".predict: batchSize must be >= 1, got " + batchSize);
        return predictOne(x, batchSize, null);
    }

    /** The one output of a one-output model, in batches of {@code batchSize} (-1: the default). */
    private Tensor predictOne(Tensor x, int batchSize, int[] lengths) {
        List<Tensor> xs = Collections.singletonList(x);
        requireOpen("predict");
        ensureBuiltSafely(xs);
        requireOneOutput("predict", "predictAll(x)");
        return predictAll(xs, batchSize < 0 ? defaultBatch() : batchSize, lengths).get(0);
    }

    /** Refuses to drop outputs: a call that returns one tensor needs a model of one output. */
    private void requireOneOutput(String what, String instead) {
        int outputs = graph().outputs.size();
        if (outputs != 1) {
            throw new IllegalStateException(name() + "." + what + ": the model has " + outputs + " outputs and " + what + "(Tensor) "
                    + "returns one; use " + instead + ", which returns all " + outputs + " in output order (as Keras' " + what
                    .replace("OnBatch", "_on_batch") + ")");
        }
    }

    /** Every output of the model for the single input {@code x}, in output order, in batches of 32 (or the fixed size). */
    public List<Tensor> predictAll(Tensor x) {
        return predictAll(Collections.singletonList(x), defaultBatch(), null);
    }

    /**
     * Every output of the model for every input tensor, in output order, in batches of 32 (or the fixed size), as Keras'
     * {@code model.predict([x1, x2])}:
     * <pre>{@code
     * List<Tensor> out = decoderModel.predictAll(List.of(targetSeq, h, c));   // [probabilities, h, c]
     * }</pre>
     */
    public List<Tensor> predictAll(List<Tensor> xs) {
        return predictAll(xs, defaultBatch(), null);
    }

    /** {@link #predictAll(List)} with the inputs by name, as Keras' {@code predict({"a": a, "b": b})} (see {@link #fit(Map, List, FitOptions)}). */
    public List<Tensor> predictAll(Map<String, ? extends Tensor> xs) {
        return predictAll(inputsByName(name() + ".predict", xs));
    }

    /**
     * Every output of a model whose outputs are a dict ({@link Model#dictOutputs()}) by its key, as Keras'
     * {@code model.predict(x)} returns a dict for it: the keys of {@link Model#outputDict()}, in the dict's own order (as
     * Keras on TensorFlow; jax sorts them), each holding what {@link #predictAll(List)} gives at its key's position in
     * {@link Model#outputNames()}, in batches of 32 (or the fixed size):
     * <pre>{@code
     * Model m = new Model(in, Map.of("price", price, "kind", kind));
     * Tensor p = m.predictDict(List.of(x)).get("price");
     * }</pre>
     * A model whose outputs are not a dict is refused (its Keras predict returns a list: use {@link #predictAll(List)}).
     */
    public Map<String, Tensor> predictDict(List<Tensor> xs) {
        requireDictOutputs("predictDict");
        return byOutputKey(predictAll(Inference.Call.PREDICT_DICT, xs, defaultBatch(), null));
    }

    /** {@link #predictDict(List)} of the single input {@code x}, as Keras' {@code model.predict(x)}. */
    public Map<String, Tensor> predictDict(Tensor x) {
        requireDictOutputs("predictDict");
        return byOutputKey(predictAll(Inference.Call.PREDICT_DICT, Collections.singletonList(x), defaultBatch(), null));
    }

    /** {@link #predictDict(List)} with the inputs by key, as Keras' {@code model.predict({"q": q, "p": p})}. */
    public Map<String, Tensor> predictDict(Map<String, ? extends Tensor> xs) {
        requireDictOutputs("predictDict");
        List<Tensor> x = inputsByName(name() + ".predictDict", xs);
        return byOutputKey(predictAll(Inference.Call.PREDICT_DICT, x, defaultBatch(), null));
    }

    /** {@link #predictDict(List)} in batches of {@code batchSize}, as Keras' {@code predict(x, batch_size=...)}; see {@link #predictAll(List, int, int[])}. */
    public Map<String, Tensor> predictDict(List<Tensor> xs, int batchSize, int[] lengths) {
        requireDictOutputs("predictDict");
        return byOutputKey(predictAll(Inference.Call.PREDICT_DICT, xs, batchSize, lengths));
    }

    /**
     * Refuses a model whose outputs are not a dict before anything runs: Keras' predict gives it a list, and so does
     * predictAll. {@code what}: the call the message names.
     */
    private void requireDictOutputs(String what) {
        requireOpen(what);
        if (!((Model) this).dictOutputs()) {
            throw new IllegalStateException(name() + "." + what + ": the model's outputs are not a dict"
                    + (isBuilt() ? " (outputs " + graph().outputKeys() + ")" : "") + ", so there are no keys to return them by, and"
                    + " Keras' predict returns a list for it; use predictAll, which returns them in output order, or build the model"
                    + " from a Map of outputs: new Model(in, Map.of(\"a\", a, ...))");
        }
    }

    /**
     * {@code outs} (in output order, sorted by key) by the model's output dict keys, in the dict's own order
     * ({@link Model#outputDict()}): Keras' predict on TensorFlow returns the model's order (jax returns sorted keys).
     */
    private Map<String, Tensor> byOutputKey(List<Tensor> outs) {
        List<String> keys = graph().outputDictKeys;
        java.util.SequencedMap<String, Tensor> r = new java.util.LinkedHashMap<>();
        for (String k : ((Model) this).outputDict().keySet()) r.put(k, outs.get(keys.indexOf(k)));
        return Collections.unmodifiableSequencedMap(r);
    }

    /** Every output of the model, for every input tensor, in batches of {@code batchSize} (each advances a stateful model's states). */
    public List<Tensor> predictAll(List<Tensor> xs, int batchSize, int[] lengths) {
        return predictAll(Inference.Call.PREDICT, xs, batchSize, lengths);
    }

    /**
     * Predict on tensors for {@code call}, whose name the messages give (predict, predictDict, predictOnBatch's "predict");
     * predictOnBatch runs whole whatever the interrupt flag says (as a train step), the others stop on it.
     */
    private List<Tensor> predictAll(Inference.Call call, List<Tensor> xs, int batchSize, int[] lengths) {
        String what = call.op;
        requireOpen(what);
        if (batchSize < 1) throw new IllegalArgumentException(name() + "." + what + ": batchSize must be >= 1, got " + batchSize);
        ensureBuiltSafely(xs);
        Data d = check().prepare(xs, null, lengths, what, false, false);
        return new Inference(setup, (Model) this).predict(d, batchSize, false, call);
    }

    /**
     * {@link #predictAll(List, int, int[])} with Keras' {@code callbacks}, their predict hooks called in Keras 3.15.1's order
     * (see {@link #predict(Dataset, Consumer, Callback...)}), as Keras' {@code predict(x, batch_size=4, callbacks=[...])}:
     * <pre>{@code
     * List<Tensor> out = model.predictAll(List.of(x), 4, null, new Callback() {
     *     public void onPredictBatchEnd(int batch, List<Tensor> outputs, Model m) { System.out.println(batch); }
     * });
     * }</pre>
     */
    public List<Tensor> predictAll(List<Tensor> xs, int batchSize, int[] lengths, Callback... callbacks) {
        List<Callback> cbs = callbacks(name() + ".predict", callbacks);
        requireOpen("predict");
        if (batchSize < 1) throw new IllegalArgumentException(name() + ".predict: batchSize must be >= 1, got " + batchSize);
        ensureBuiltSafely(xs);
        Data d = check().prepare(xs, null, lengths, "predict", false, false);
        return new Inference(setup, (Model) this).predict(d, batchSize, false, Inference.Call.PREDICT, cbs, (Model) this);
    }

    /**
     * The output of one call on {@code x} (one batch), as Keras' {@code model(x, training=...)}: with {@code training}
     * false it is {@link #predictOnBatch(Tensor)}; true runs the layers as {@code fit} does, the weights unchanged: dropout
     * (also recurrent dropout) drawn from each layer's stream, so calls differ (Monte Carlo dropout); BatchNormalization
     * normalizes with the batch's moments and moves its moving statistics, as Keras 3's call in training mode does.
     *
     * <pre>{@code
     * float[][] draws = new float[100][];
     * for (int i = 0; i < 100; i++) draws[i] = model.call(x, true).data();   // the spread estimates the uncertainty
     * }</pre>
     */
    public Tensor call(Tensor x, boolean training) {
        requireOpen("call");
        List<Tensor> xs = Collections.singletonList(x);
        ensureBuiltSafely(xs);
        requireOneOutput("call", "callAll(List.of(x), training)");
        return callAll(xs, training).get(0);
    }

    /** Every output of one call on {@code xs} (one tensor per input, one batch), in output order; see {@link #call(Tensor, boolean)}. */
    public List<Tensor> callAll(List<Tensor> xs, boolean training) {
        requireOpen("call");
        ensureBuiltSafely(xs);
        Data d = check().prepare(xs, null, null, "call", false, false);
        return new Inference(setup).predict(d, d.n(), training, Inference.Call.CALL);
    }

    /** {@link #callAll(List, boolean)} with the inputs by name, as Keras' {@code model({"a": a, "b": b}, training=...)}. */
    public List<Tensor> callAll(Map<String, ? extends Tensor> xs, boolean training) {
        return callAll(inputsByName(name() + ".call", xs), training);
    }

    /** 32, or the batch size a model with stateful layers fixes (Keras' default batch_size). */
    private int defaultBatch() { return isBuilt() ? StatefulBatch.defaultSize(graph()) : StatefulBatch.DEFAULT; }
}
