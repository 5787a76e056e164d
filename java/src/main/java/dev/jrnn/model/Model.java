package dev.jrnn.model;

import dev.jrnn.backend.Backend;
import dev.jrnn.backend.NameUids;
import dev.jrnn.io.FileFaults;
import dev.jrnn.io.keras.KerasImport;
import dev.jrnn.layers.CallGroup;
import dev.jrnn.layers.Layer;
import dev.jrnn.layers.Names;
import dev.jrnn.layers.Node;
import dev.jrnn.layers.ParamStore;
import dev.jrnn.tensor.Tensor;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * A Keras model: a graph of layers from {@link Input}s to outputs (functional API), its weights and its
 * files, trained through what it inherits from {@link Trainer} ({@link #compile}, {@link #fit},
 * {@link #predict}). {@link Sequential} is the stacked special case.
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
 * <p>All parameters live in one flat {@link ParamStore} (trainable ones first), so the optimizer runs one
 * fused update per batch.
 *
 * <p>Thread safety: {@link #predict}, {@link #predictAll} and {@link #evaluate} on a built model may run
 * from several threads at once on the CPU backend (each call has its own buffers; the weights are only
 * read; not a model with stateful layers, whose every batch advances their states). The stop flags
 * ({@link #stopEvaluating(boolean)}, {@link #stopPredicting(boolean)}) are per thread: a callback's stop ends the call
 * whose callback set it, never a call running on another thread, and a call clears only its own thread's. {@link #fit},
 * {@link #trainOnBatch}, {@link #compile}, {@link #setWeights}, {@link #loadWeights}, {@link #resetStates},
 * {@link #close}, {@link #trainable(boolean)}, a predict or evaluate given a SwapEMAWeights or of a stateful model, and
 * a call in training mode of a model with BatchNormalization change the model and run alone (a predict's own callback
 * may change it when no other thread reads it; a close beside other threads' predicts frees once they return): each model
 * refuses, with an IllegalStateException naming the call and thread in the way and changing nothing, such a call while
 * another thread's call runs on the model, and a
 * {@link #predict}, {@link #evaluate}, {@link #getWeights}, {@link #save} or {@link #saveWeights} on another thread while
 * such a call runs (Keras 3 would read weights of two steps without an error). It never waits. The thread of the call
 * that changes the model may call anything on it: save during fit from a callback, which runs on fit's thread between
 * steps. The CUDA
 * backend is used by one thread at a time (see its Javadoc). {@link #close()} frees the weights' and the
 * optimizer's buffers (native/device memory on CUDA); the model cannot be used afterwards.
 */
public class Model extends Evaluator implements AutoCloseable {
    private String name;
    /** Keras' {@code model.trainable}: what {@link #trainable(boolean)} last set. */
    private boolean trainable = true;
    /** The default name drawn at construction, until a given name returns its number (Keras' name=...). */
    private dev.jrnn.backend.NameUids.Drawn drawn;
    /** The topology, null until the graph is set ({@link Sequential} sets it lazily). */
    private Graph graph;
    private Parameters params;
    private volatile boolean closed;
    /** The SwapEMAWeights whose call has swapped (or may swap) this model's weights now: one such call at a time. */
    final java.util.concurrent.atomic.AtomicReference<SwapEMAWeights> emaSwap = new java.util.concurrent.atomic.AtomicReference<>();
    /**
     * Whether the model was made from one input / one output {@link Node} rather than a list (Keras'
     * {@code _inputs_struct}: {@code model.input} is then that tensor, not a list of one): what toJson and save write.
     */
    private boolean singleInput, singleOutput;
    /** The keys of the dict the model was made from, in input order (sorted); null where it was made from Input nodes. */
    private List<String> inputKeys;
    /** {@link #inputKeys} in the order the dict gave them (see {@link #inputDict()}); null where {@link #inputKeys} is. */
    private List<String> inputDictOrder;
    /** As {@link #inputKeys}, of a dict of outputs, in output order (sorted); null where the outputs were nodes. */
    private List<String> outputKeys;
    /**
     * {@link #outputKeys} in the order the dict gave them (see {@link #outputDict()}), which Keras' config keeps and save
     * writes; null where the outputs were nodes, as {@link #outputKeys} is.
     */
    private List<String> outputDictOrder;

    /** A functional model from one input to one output. */
    public Model(Node input, Node output) {
        this(List.of(requireNode(input, "input")), List.of(requireNode(output, "output")));
        singleInput = singleOutput = true;
    }

    /** A functional model from one input to several outputs. */
    public Model(Node input, List<? extends Node> outputs) {
        this(List.of(requireNode(input, "input")), outputs);
        singleInput = true;
    }

    /**
     * A functional model from several inputs to one output, as Keras' {@code Model(inputs=[a, b], outputs=out)}:
     * {@code new Model(List.of(a, b), new Dense(1).apply(new Concatenate().apply(List.of(a, b))))}.
     */
    public Model(List<? extends Node> inputs, Node output) {
        this(inputs, List.of(requireNode(output, "output")));
        singleOutput = true;
    }

    /**
     * A functional model; outputs any nodes reachable from the inputs. An input that is a layer's output rather than an
     * {@link Input} gets a new Input of its shape and the layers between are applied again there, sharing their weights,
     * as Keras 3's {@code Model(inputs=h, outputs=out)} from an intermediate tensor ({@code clone_graph_nodes}).
     */
    public Model(List<? extends Node> inputs, List<? extends Node> outputs) {
        this(new Keyed(inputs, null), new Keyed(outputs, null));
    }

    /**
     * A functional model whose inputs are a dict, as Keras' {@code keras.Model({"price": a, "kind": b}, out)}: the inputs
     * in sorted-key order (Keras' {@code keras.tree.flatten}, so {@link #inputs()} is {@code [b, a]}), and a Map x is read
     * by these keys, not by the Inputs' names ({@link #inputNames()}), as Keras' {@code predict({"price": p, "kind": k})}:
     * <pre>{@code
     * Input a = Input.shape(3).name("price_in"), b = Input.shape(3).name("kind_in");
     * Model m = new Model(Map.of("price", a, "kind", b), new Dense(1).apply(new Concatenate().apply(List.of(a, b))));
     * Tensor p = m.predictAll(Map.of("price", price, "kind", kind)).get(0);
     * }</pre>
     * {@link #save} writes the dict, which Keras loads with the same keys; {@code Models.load} keeps a Keras file's dict.
     */
    public Model(Map<String, ? extends Node> inputs, Node output) {
        this(inputs, List.of(requireNode(output, "output")));
        singleOutput = true;
    }

    /** As {@link #Model(Map, Node)}, to several outputs: {@code new Model(Map.of("price", a, "kind", b), List.of(y, z))}. */
    public Model(Map<String, ? extends Node> inputs, List<? extends Node> outputs) {
        this(Keyed.of(inputs, "inputs", "input", "Input"), new Keyed(outputs, null));
    }

    /**
     * A functional model whose outputs are a dict, as Keras' {@code keras.Model(i, {"price": p, "kind": k})}: the outputs
     * in sorted-key order (Keras' {@code keras.tree.flatten}: {@link #outputs()} and predict's list are {@code [k, p]}),
     * and every map by output (losses, loss weights, metrics, y, sample weights) is read by these keys, and the per-output
     * logs are named by them ({@code price_loss}), as Keras names them ({@link #outputNames()}), whatever the output
     * layers are called:
     * <pre>{@code
     * Input in = Input.shape(4);
     * Model m = new Model(in, Map.of("price", new Dense(2).apply(in), "kind", new Dense(1).activation("sigmoid").apply(in)));
     * m.compile("sgd", Map.of("price", "mse", "kind", "binary_crossentropy"));
     * Map<String, Double> logs = m.evaluateAll(List.of(x), Map.of("price", yPrice, "kind", yKind));   // kind_loss, price_loss, loss
     * }</pre>
     * {@link #save} writes the dict (Keras then predicts a dict by these keys); {@code Models.load} keeps a Keras file's.
     */
    public Model(Node input, Map<String, ? extends Node> outputs) {
        this(new Keyed(List.of(requireNode(input, "input")), null), Keyed.of(outputs, "outputs", "output", "output node"));
        singleInput = true;
    }

    /** As {@link #Model(Node, Map)}, from several inputs: {@code new Model(List.of(a, b), Map.of("price", p, "kind", k))}. */
    public Model(List<? extends Node> inputs, Map<String, ? extends Node> outputs) {
        this(new Keyed(inputs, null), Keyed.of(outputs, "outputs", "output", "output node"));
    }

    /**
     * A model of dict inputs ({@link #Model(Map, Node)}) to dict outputs ({@link #Model(Node, Map)}), as Keras'
     * {@code keras.Model({"q": q, "p": p}, {"price": y, "kind": z})}:
     * {@code new Model(Map.of("q", q, "p", p), Map.of("price", y, "kind", z))}.
     */
    public Model(Map<String, ? extends Node> inputs, Map<String, ? extends Node> outputs) {
        this(Keyed.of(inputs, "inputs", "input", "Input"), Keyed.of(outputs, "outputs", "output", "output node"));
    }

    private Model(Keyed inputs, Keyed outputs) {
        this.drawn = NameUids.draw("model");
        this.name = drawn.name();
        this.inputKeys = inputs.keys();
        this.inputDictOrder = inputs.given();
        this.outputKeys = outputs.keys();
        this.outputDictOrder = outputs.given();
        if (inputs.nodes() != null && outputs.nodes() != null) {
            GraphClone.Ends e = GraphClone.of(name, inputs.nodes(), outputs.nodes());
            initGraph(e.inputs(), e.outputs());
        } else {
            initGraph(inputs.nodes(), outputs.nodes());
        }
    }

    /** For subclasses that set their graph up later ({@link Sequential}). */
    protected Model(String defaultNameBase) {
        this.drawn = NameUids.draw(defaultNameBase);
        this.name = drawn.name();
        singleInput = singleOutput = true;   // Keras' Sequential builds its Functional of one input and one output tensor
    }

    /**
     * A model's inputs or outputs as given: the nodes, with the dict's keys one per node where a dict gave them (else
     * null), and those keys in the dict's own order ({@code given}).
     */
    private record Keyed(List<? extends Node> nodes, List<String> keys, List<String> given) {
        Keyed(List<? extends Node> nodes, List<String> keys) { this(nodes, keys, keys); }

        /**
         * A dict of nodes in Keras' flatten order (sorted keys), each key and node checked, its own order kept where it has
         * one (a {@link java.util.SequencedMap}: a LinkedHashMap, a Keras file's dict, {@link #outputDict()}), else sorted
         * (Map.of's and Map.copyOf's vary from run to run, which would make saves differ; Collections.unmodifiableMap
         * and Guava's ImmutableMap are no SequencedMap either, so they are sorted too); the messages name it {@code
         * what} ("inputs"), its nodes {@code one} ("input") and what a model needs at least one of {@code needed} ("Input").
         */
        static Keyed of(Map<String, ? extends Node> dict, String what, String one, String needed) {
            if (dict == null) throw new IllegalArgumentException("Model: the " + what + " map is null (expected " + one + " nodes by key)");
            if (dict.isEmpty()) throw new IllegalArgumentException("Model: the " + what + " map is empty; a model needs at least one " + needed);
            java.util.SortedMap<String, Node> r = new java.util.TreeMap<>();
            for (Map.Entry<String, ? extends Node> e : dict.entrySet()) {
                if (e.getKey() == null) throw new IllegalArgumentException("Model: the " + what + " map has a null key, expected a string");
                if (e.getValue() == null) throw new IllegalArgumentException("Model: the " + what + " map's node at '" + e.getKey() + "' is null");
                r.put(e.getKey(), e.getValue());
            }
            List<String> given = List.copyOf(dict instanceof java.util.SequencedMap<String, ? extends Node> s ? s.keySet() : r.keySet());
            return new Keyed(List.copyOf(r.values()), List.copyOf(r.keySet()), given);
        }
    }

    private static Node requireNode(Node n, String what) {
        if (n == null) throw new IllegalArgumentException("Model: " + what + " node is null");
        return n;
    }

    // ================================================================== graph and parameters

    /** Sets the graph (topological order, Keras layer order, one parameter store). */
    final void initGraph(List<? extends Node> ins, List<? extends Node> outs) {
        this.graph = Graph.of(name, ins, outs, inputKeys, outputKeys);
        collectParams();
    }

    /** Forgets the graph and frees the store (Sequential.pop of its only layer): the model is unbuilt again. */
    final void dropGraph() {
        graph = null;
        if (params != null) params.close();
        params = null;
    }

    /**
     * Gathers every layer's parameters (trainable first) into one flat store, replacing the old one; the optimizer's
     * state follows each weight that still trains.
     */
    private void collectParams() {
        Parameters old = params;
        this.params = Parameters.collect(name, graph.runLayers, graph.layers.size(), trainable);
        try {
            params.takeOptimizerState(optimizer(), old);
        } finally {
            if (old != null) old.close();
        }
    }

    /**
     * Regroups the store when another model took the parameters over (the other store then holds the current values,
     * which are copied back) or a layer was frozen or unfrozen since: training then follows the flags as they are now,
     * from the next step on, also when a callback changes them in the middle of fit.
     */
    @Override
    final void ensureStore() {
        if (storeStale()) collectParams();
    }

    /** Whether the parameter store must be rebuilt (unbound, or a layer's trainable flag moved it): ensureStore's and save's test. */
    private boolean storeStale() { return !params.bound() || params.partitionChanged(trainable); }

    @Override
    final void afterCompile() {
        if (graph != null) ensureStore();
    }

    /** Whether close() ran (a callback may close the model in the middle of fit). */
    @Override
    final boolean closed() { return closed; }

    @Override
    final void requireOpen(String what) {
        if (closed) throw new ModelClosedException(name + "." + what + ": the model is closed");
    }

    /** Hook for models whose graph is set lazily; throws when it cannot be. */
    @Override
    void ensureGraph() {
        if (graph == null) {
            throw new IllegalStateException("This model has not yet been built. Build the model first by calling build() "
                    + "or by calling fit/predict on a batch of data, or declare the first layer's inputShape.");
        }
    }

    @Override
    void ensureBuilt(List<Tensor> xs) { ensureGraph(); }

    @Override
    boolean buildsOn(List<Tensor> xs) { return false; }

    @Override
    final Graph graph() {
        ensureGraph();
        return graph;
    }

    @Override
    final Parameters parameters() { return params; }

    /** Whether the graph (and so the weights) exist. */
    @Override
    public boolean isBuilt() { return graph != null; }

    // ================================================================== naming and structure

    @Override
    public String name() { return name; }

    /** Names the model, as Keras' {@code name=}: not empty, no '/' (Keras refuses it too), valid Unicode (it goes into files). */
    public Model name(String n) {
        this.name = Names.check("Model.name: the name", n);
        if (drawn != null) NameUids.giveBack(drawn);   // as Keras' Sequential(name="x"): no number taken
        drawn = null;
        return this;
    }

    /**
     * Freezes ({@code false}) or unfreezes every layer, as Keras' {@code model.trainable = False} sets the flag of each of
     * its layers (a GAN's discriminator, the base of a transfer-learning model). Takes effect at the next training step,
     * as a layer's own flag. While the model is frozen none of its weights train, also those of a layer unfrozen or added
     * afterwards (Keras' {@code trainable_weights} is empty for a model whose own flag is off), until the model itself is
     * unfrozen; such a layer's BatchNormalization mode follows its own flag, as in Keras (its weights' regularizers are left
     * out of the loss meanwhile, as Keras 3's {@code losses} reads {@code trainable_weights}). {@code save}
     * writes this flag and each layer's, as Keras 3; loading a functional model's file sets this flag from it (its layers
     * keep their own), a Sequential's leaves it true (Keras 3's {@code Sequential.from_config} does not read it). The
     * layers of a model nested in another are the outer model's (jrnn flattens it): freeze them through either.
     * <pre>{@code
     * base.trainable(false);   // then build a head on base's outputs and compile
     * }</pre>
     */
    public Model trainable(boolean b) {
        return setup.guard.writing("trainable", () -> {
            for (Layer l : graph().runLayers) l.trainable(b);   // with those only a nested call's unused branch runs, as Keras'
                                                                // flag reaches every layer of the nested model
            this.trainable = b;
            return this;
        });
    }

    /** What {@link #trainable(boolean)} last set (true until then), as Keras' {@code model.trainable}. */
    public boolean trainable() { return trainable; }

    /**
     * The layers as Keras lists them: by depth from the inputs, then in the order the outputs reach them. A functional
     * model lists its InputLayers too, each at its depth: an input joined deeper in the graph comes after the layers
     * before the join ({@code [a, lstm, b, concatenate, dense]} for {@code Dense(Concatenate(LSTM(a), b))}).
     */
    public List<Layer> layers() { return graph().layers; }

    /** The layer called {@code layerName}; throws naming the model's layers when there is none. */
    public Layer getLayer(String layerName) {
        if (layerName == null) {
            throw new IllegalArgumentException(name + ".getLayer: the layer name is null; give a name or an index (getLayer(0))");
        }
        return Graph.layer(name, layers(), layerName);
    }

    /**
     * The layer at {@code index} of {@link #layers()}, as Keras' {@code get_layer(index=i)} (negative counts from the end,
     * as Python's): {@code model.getLayer(-1)} is the last layer.
     */
    public Layer getLayer(int index) {
        List<Layer> ls = layers();
        int i = index < 0 ? index + ls.size() : index;
        if (i < 0 || i >= ls.size()) {
            throw new IllegalArgumentException(name + ".getLayer: was asked for the layer at index " + index + " but the model has "
                    + ls.size() + " layers (index in [" + -ls.size() + ", " + ls.size() + "))");
        }
        return ls.get(i);
    }

    /** The model's input nodes, in order (Keras' {@code model.inputs}). */
    public List<Node> inputs() { return graph().inputs; }

    /** The model's output nodes, in order (Keras' {@code model.outputs}). */
    public List<Node> outputs() { return graph().outputs; }

    /**
     * Whether the model was made from one input {@link Node} ({@code new Model(in, out)}) rather than a list of inputs
     * ({@code new Model(List.of(in), out)}), as Keras tells {@code Model(i, o)} from {@code Model([i], o)}: its
     * {@code model.input} is then a tensor, not a list of one. {@link #toJson} and {@link #save} write it so (a bare
     * {@code ["in", 0, 0]} in {@code input_layers}, where a list is {@code [["in", 0, 0]]}), and a Keras file's model loads
     * with the structure the file gives. A {@link Sequential}'s is one input. {@link #inputs()} is a list either way.
     */
    public boolean singleInput() { return singleInput; }

    /** As {@link #singleInput()}, for the outputs: whether the model was made with one output {@link Node}, not a list. */
    public boolean singleOutput() { return singleOutput; }

    /**
     * Whether the model's inputs are a dict ({@link #Model(Map, List)}, or a Keras file's {@code keras.Model({...}, out)}):
     * a Map x is then read by its keys, {@link #inputNames()}, and {@link #save} writes the dict.
     */
    public boolean dictInputs() { return inputKeys != null; }

    /**
     * Whether the model's outputs are a dict ({@link #Model(Node, Map)}, or a Keras file's {@code keras.Model(i, {...})}):
     * maps by output are then read by its keys, {@link #outputNames()}, and {@link #save} writes the dict, which Keras
     * loads as a model that predicts a dict. {@code if (m.dictOutputs()) yByKey = Map.of("price", yPrice, "kind", yKind);}
     */
    public boolean dictOutputs() { return outputKeys != null; }

    /**
     * A dict-output model's ({@link #dictOutputs()}) output nodes by key in the dict's own order, as Keras'
     * {@code model.output} keeps it: the order a {@code LinkedHashMap} (any {@link java.util.SequencedMap}) gave them in,
     * or a Keras file's {@code output_layers}; a {@code Map.of}, which has none, in sorted order. {@link #save} and
     * {@link #toJson} write the dict in this order, as Keras does; {@link #outputs()}, {@link #outputNames()} and
     * predict's list go in sorted-key order (Keras' flatten) whatever it is:
     * <pre>{@code
     * Map<String, Node> outs = new LinkedHashMap<>();
     * outs.put("price", price);
     * outs.put("kind", kind);
     * Model m = new Model(in, outs);
     * m.outputDict().keySet();   // [price, kind]; m.outputNames() is [kind, price]
     * }</pre>
     * It is an unmodifiable {@link java.util.SequencedMap}, so {@code new Model(in, m.outputDict())} keeps the order. A
     * model keeps a dict's order only where the map is a SequencedMap: one copied into a {@code Map.copyOf}, wrapped in
     * {@code Collections.unmodifiableMap} or put in a Guava {@code ImmutableMap} has none that jrnn can see and is
     * sorted. A model whose outputs are not a dict has none: an {@link IllegalStateException}.
     */
    public java.util.SequencedMap<String, Node> outputDict() {
        if (outputKeys == null) {
            throw new IllegalStateException(name + ".outputDict: the model's outputs are not a dict; use outputs() and outputNames()");
        }
        java.util.SequencedMap<String, Node> r = new java.util.LinkedHashMap<>();
        for (String k : outputDictOrder) r.put(k, graph().outputs.get(outputKeys.indexOf(k)));
        return java.util.Collections.unmodifiableSequencedMap(r);
    }

    /**
     * A dict-input model's ({@link #dictInputs()}) Input nodes by key in the dict's own order, as Keras' {@code model.input}
     * keeps it (and its config, which {@link #save} and {@link #toJson} write in this order): a {@code LinkedHashMap}'s
     * (any {@link java.util.SequencedMap}'s) or a Keras file's {@code input_layers}; a {@code Map.of}'s sorted.
     * {@link #inputs()} and {@link #inputNames()} stay in sorted-key order (Keras' flatten), the order x is fed in:
     * <pre>{@code
     * Map<String, Node> ins = new LinkedHashMap<>();
     * ins.put("q", q);
     * ins.put("p", p);
     * Model m = new Model(ins, out);
     * m.inputDict().keySet();   // [q, p]; m.inputNames() is [p, q]
     * }</pre>
     * An unmodifiable SequencedMap, as {@link #outputDict()}; a model whose inputs are not a dict has none: an
     * {@link IllegalStateException}.
     */
    public java.util.SequencedMap<String, Node> inputDict() {
        if (inputKeys == null) {
            throw new IllegalStateException(name + ".inputDict: the model's inputs are not a dict; use inputs() and inputNames()");
        }
        java.util.SequencedMap<String, Node> r = new java.util.LinkedHashMap<>();
        for (String k : inputDictOrder) r.put(k, graph().inputs.get(inputKeys.indexOf(k)));
        return java.util.Collections.unmodifiableSequencedMap(r);
    }

    /**
     * The keys a Map x is read by, in input order ({@link #inputs()}): a dict-input model's keys ({@link #dictInputs()}),
     * else the Inputs' names, as Keras reads {@code x={...}}. {@code new Model(Map.of("price", a, "kind", b), out)} with
     * Inputs named "price_in" and "kind_in" gives {@code [kind, price]}; {@code new Model(List.of(a, b), out)} gives
     * {@code [price_in, kind_in]}:
     * <pre>{@code
     * Map<String, Tensor> x = new HashMap<>();
     * for (String k : model.inputNames()) x.put(k, columns.get(k));
     * }</pre>
     * A Sequential not yet built (no input shape) has no inputs yet: an {@link IllegalStateException}, as Keras' {@code
     * model.inputs} there.
     */
    public List<String> inputNames() { return graph().inputNames(); }

    /**
     * The keys Keras reads maps by output by and names logs by: Keras' {@code model.output_names}, or a dict-output
     * model's keys. One per output, in output order, under which every map by output (losses, loss weights, metrics,
     * sample weights, y) is read and every per-output log is written ({@code zz_loss}). Each is its output layer's name, made unique where two outputs share a layer as tf.keras' {@code _set_output_names}
     * (an LSTM's output and states: {@code [lstm, lstm_1, lstm_2]}; one node given twice: {@code [d, d_1]}). A dict-output
     * model's ({@link #dictOutputs()}) are its dict's keys in sorted order: Keras 3 reads those maps by them and names
     * the logs by them ({@code a_out_loss}), though its own {@code output_names} stay the layers' names (tf.keras 2 names
     * such a model's logs by those, so a tf.keras 2 .h5 logs differently in jrnn than in tf.keras 2):
     * <pre>{@code
     * Map<String, Object> losses = new HashMap<>();
     * for (String k : model.outputNames()) losses.put(k, "mse");
     * model.compile("adam", losses);
     * }</pre>
     * A Sequential not yet built has no outputs yet: an {@link IllegalStateException}, as {@link #inputNames()}.
     */
    public List<String> outputNames() { return graph().outputKeys(); }

    /** Number of weights (trainable and not), as Keras' count_params(). */
    public long countParams() {
        ensureGraph();
        return params.listedTrainableSize + params.nonTrainableSize;
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

    /** Prints the Keras summary table (tf.keras 2's text) to System.out and returns it. */
    public String summary() {
        return summary(SummaryFormat.TF_KERAS_2);
    }

    /**
     * Prints the summary table in {@code format} to System.out and returns it: {@link SummaryFormat#KERAS_3} for
     * the box-drawn table Keras 3 prints; where System.out's charset is not a UTF one (US-ASCII: a container without
     * LANG), the same table in ASCII ({@code +---+}, {@code |}), as Keras' rich prints there.
     *
     * <pre>{@code
     * model.summary(SummaryFormat.KERAS_3);
     * // Model: "sequential"
     * // ┏━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━━━━┓
     * // ┃ Layer (type)                    ┃ Output Shape           ┃       Param # ┃
     * // ┡━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━━━━┩
     * // │ lstm (LSTM)                     │ (None, 5, 4)           │           128 │
     * // ...
     * //  Total params: 217 (868.00 B)
     * }</pre>
     */
    public String summary(SummaryFormat format) {
        String s = summaryString(format);
        if (format == SummaryFormat.KERAS_3) s = Keras3Summary.forCharset(s, System.out.charset());
        System.out.print(s);
        System.out.flush();
        return s;
    }

    /** The Keras summary table (tf.keras 2.9-2.12 text), without printing it. */
    public String summaryString() {
        return summaryString(SummaryFormat.TF_KERAS_2);
    }

    /** The summary table in {@code format} (see {@link #summary(SummaryFormat)}), without printing it. */
    public String summaryString(SummaryFormat format) {
        if (format == null) throw new IllegalArgumentException("summary: format must be a SummaryFormat (TF_KERAS_2 or KERAS_3), got null");
        ensureGraph();
        return format == SummaryFormat.KERAS_3
                ? Keras3Summary.of(name, isSequentialLike(), layers(), graph.relevant, countParams(), trainable,
                        Keras3Summary.optimizerParams(optimizer(), params))
                : Summary.of(name, isSequentialLike(), layers(), graph.relevant, countParams(), trainable);
    }

    boolean isSequentialLike() { return graph.sequentialLike; }

    /** Zeros the carried states of every stateful layer (Keras' {@code model.reset_states()}); other layers are left alone. */
    public void resetStates() {
        setup.guard.writing("resetStates", () -> {
            requireOpen("resetStates");
            for (Layer l : graph().runLayers) if (l.stateful()) l.resetStates();   // a nested call's unused branch's too
            return null;
        });
    }

    // ================================================================== a model called on new nodes

    /**
     * Calls this model on new nodes, as Keras' {@code model(x)} in the functional API: its layers are applied to
     * {@code inputs} in its order and share their weights with this model (training one trains the other). One
     * difference from Keras: the outer model lists these layers one by one (summary, layers(), getLayer), not this
     * model as one layer. A model with several outputs throws: use {@link #applyAll}.
     *
     * <pre>{@code
     * Input in = Input.shape(5, 3);
     * Model encoder = new Model(in, new LSTM(8).apply(in));
     * Input a = Input.shape(5, 3), b = Input.shape(5, 3);
     * Node both = new Concatenate().apply(encoder.apply(a), encoder.apply(b));   // one encoder, two inputs
     * Model siamese = new Model(List.of(a, b), new Dense(1).activation("sigmoid").apply(both));
     * }</pre>
     */
    public Node apply(Node... inputs) {
        List<Node> outs = applyAll(inputs == null ? null : java.util.Arrays.asList(inputs));
        if (outs.size() != 1) {
            throw new IllegalStateException(name + ".apply: the model has " + outs.size() + " outputs and apply returns one;"
                    + " use applyAll, which returns all " + outs.size() + " in output order");
        }
        return outs.get(0);
    }

    /**
     * As {@link #applyAll(List)}, the nodes by name, as Keras' {@code model({"seq": x, "h": s})}: by a dict-input
     * model's keys, else by its Inputs' names ({@link #inputNames()}, the keys a Map x is read by). A name missing from
     * {@code inputs} is refused naming it, as Keras refuses it. Keys that name no input are left out for a model of listed
     * Inputs, as Keras leaves them; for a dict-input model they are refused, as jrnn refuses such a Keras 3 file: Keras 3
     * pairs that dict with the inputs by sorted-key position, so a key sorting before an input's would feed it another
     * value.
     * <pre>{@code
     * Input x = Input.shape(3).name("x"), h = Input.shape(2).name("h");
     * Model enc = new Model(Map.of("seq", x, "h", h), new Dense(2).apply(new Concatenate().apply(x, h)));
     * Input a = Input.shape(3), b = Input.shape(2);
     * Model outer = new Model(List.of(a, b), new Dense(1).apply(enc.applyAll(Map.of("seq", a, "h", b)).get(0)));
     * }</pre>
     */
    public List<Node> applyAll(java.util.Map<String, ? extends Node> inputs) {
        requireOpen("apply");
        if (inputs == null) throw new IllegalArgumentException(name + ".apply: inputs is null");
        // before the sorted key sets below, which cannot hold a null key (a HashMap's may be one)
        if (inputs.keySet().stream().anyMatch(java.util.Objects::isNull)) throw new IllegalArgumentException(name + ".apply: the inputs map has a null key");
        List<String> names = inputNames();
        List<Node> r = new java.util.ArrayList<>(names.size());
        for (String k : names) {
            if (!inputs.containsKey(k)) {
                throw new IllegalArgumentException(name + ".apply: no node for input '" + k + "'; the model's inputs are " + names
                        + ", the map has " + new java.util.TreeSet<>(inputs.keySet()));
            }
            if (inputs.get(k) == null) throw new IllegalArgumentException(name + ".apply: the inputs map's node at '" + k + "' is null");
            r.add(inputs.get(k));
        }
        if (dictInputs() && inputs.size() != names.size()) {
            java.util.Set<String> extra = new java.util.TreeSet<>(inputs.keySet());
            names.forEach(extra::remove);
            throw new IllegalArgumentException(name + ".apply: keys " + extra + " name no input of this dict-input model (its keys are "
                    + names + "); Keras 3 would pair the dict with the inputs by sorted-key position: give its keys alone");
        }
        return applyAll(r);
    }

    /**
     * As {@link #apply}, for a model of several inputs (one node each, in input order) or outputs: every output, in
     * output order.
     */
    public List<Node> applyAll(List<? extends Node> inputs) {
        requireOpen("apply");
        if (inputs != null && inputs.size() == 1 && inputs.get(0) != null) ensureBuilt(inputs.get(0).shape());
        Graph g = graph();
        if (inputs == null || inputs.size() != g.inputs.size()) {
            throw new IllegalArgumentException(name + ".apply: expected " + g.inputs.size() + " input node(s), got "
                    + (inputs == null ? "null" : inputs.size()));
        }
        java.util.Map<Node, Node> map = new java.util.IdentityHashMap<>();
        for (int i = 0; i < inputs.size(); i++) {
            Node given = inputs.get(i), want = g.inputs.get(i);
            if (given == null) throw new IllegalArgumentException(name + ".apply: input " + i + " is null");
            int[] a = given.shape(), b = want.shape();
            boolean fits = a.length == b.length;
            for (int d = 0; fits && d < a.length; d++) fits = a[d] == -1 || b[d] == -1 || a[d] == b[d];
            if (!fits) {
                throw new IllegalArgumentException(name + ".apply: " + (g.inputs.size() == 1 ? "the input" : "input " + i + " ("
                        + want.layer().name() + ")") + " has shape "
                        + given.shapeString() + ", the model expects " + want.shapeString());
            }
            map.put(want, given);
        }
        // Keras runs this call as one node of the caller's graph, and makes the calls inside it in this model's run order
        CallGroup own = CallGroup.open(this, "model '" + name + "'", inputs);
        List<Node> r = null;
        try {
            // a nested call of this graph's (its inputs are this graph's nodes) is made again as one; one from outside not
            CallReplay.replay(g.kerasOrder, map, x -> x.inputs().stream().allMatch(n -> g.relevant.contains(n.call())));
            r = new java.util.ArrayList<>();
            for (Node o : g.outputs) r.add(map.get(o));
            return r;
        } finally {
            own.close(r);   // a failed call: its group closes without outputs
        }
    }

    // ================================================================== weights

    private WeightsIo weights(String what) {
        ensureGraph();
        requireOpen(what);
        return new WeightsIo(name, params);
    }

    /**
     * All weights, layer by layer, each layer's in the order it made them, as Keras' get_weights: freezing a layer (or
     * one direction of a Bidirectional) moves none. A Sequential not yet built has none (Keras' {@code []}).
     * Refused beside {@link #fit} on another thread (see the class's thread notes).
     */
    public List<Tensor> getWeights() {
        if (!isBuilt()) {
            requireOpen("getWeights");
            return List.of();
        }
        return setup.guard.reading("getWeights", () -> weights("getWeights").get());
    }

    /**
     * Keras 3's {@code model.weights}: every weight by its {@link #weightNames()} name, in {@link #getWeights()} order,
     * each value a copy. {@link #trainableWeights()} and {@link #nonTrainableWeights()} split it as Keras does, in the
     * same order: a frozen layer's weights (a layer of a frozen nested model's too) and BatchNormalization's
     * {@code moving_mean} / {@code moving_variance} do not train, and none does while the model itself is frozen. Empty
     * for a Sequential not yet built.
     * <pre>{@code
     * base.trainable(false);                              // transfer learning: Keras' len(model.trainable_weights)
     * int n = model.trainableWeights().size();            // the head's kernel and bias: 2
     * Tensor k = model.weights().get("dense/kernel");
     * }</pre>
     */
    public Map<String, Tensor> weights() { return namedWeights("weights", null); }

    /**
     * Keras 3's {@code model.trainable_weights}, by name (see {@link #weights()}): the listed layers' weights the optimizer
     * updates. It also trains the layers only a nested call's unused branch runs, which Keras lists here and jrnn does not.
     */
    public Map<String, Tensor> trainableWeights() { return namedWeights("trainableWeights", true); }

    /** Keras 3's {@code model.non_trainable_weights}: the weights no optimizer updates, by name (see {@link #weights()}). */
    public Map<String, Tensor> nonTrainableWeights() { return namedWeights("nonTrainableWeights", false); }

    private Map<String, Tensor> namedWeights(String what, Boolean trainable) {
        requireOpen(what);
        return isBuilt() ? setup.guard.reading(what, () -> weights(what).named(trainable, this.trainable)) : Map.of();
    }

    /** Sets all weights, in {@link #getWeights()} order and shapes. */
    public void setWeights(List<Tensor> weights) {
        setup.guard.writing("setWeights", () -> {
            weights("setWeights").set(weights);
            return null;
        });
    }

    /**
     * jrnn's names of the weights, in {@link #getWeights()} order: {@code layer/param} ("lstm/kernel",
     * "lstm/recurrent_kernel", "dense/bias", "bidirectional/forward_lstm/kernel", ...), the keys of {@link #saveWeights}'
     * safetensors file. They are Keras' variable paths without the model's name and without the segment of a recurrent
     * layer's cell or a wrapper's inner layer: Keras 3's {@code w.path} is "sequential/lstm/lstm_cell/kernel" and
     * "sequential/time_distributed/dense/kernel" where this gives "lstm/kernel" and "time_distributed/kernel"
     * (tf.keras 2's "lstm/lstm_cell/kernel:0").
     */
    public List<String> weightNames() {
        if (!isBuilt()) return List.of();   // a Sequential not yet built, as getWeights
        ensureGraph();
        return new WeightsIo(name, params).names();
    }

    /**
     * Saves all weights, atomically (temp file + rename): as safetensors with Keras variable names; when the name
     * ends in {@code .weights.h5}, as Keras 3's weights file (with a compiled model's optimizer variables, as Keras 3's
     * {@code save_weights}: {@link #loadWeights} of it resumes training); under another {@code .h5} or {@code .hdf5} name, in
     * tf.keras 2's legacy layout ({@code save_weights("w.h5")}), which tf.keras 2 and Keras 3 both read as such.
     * Keras' {@code load_weights} reads each; {@link #loadWeights} reads all. A {@code .keras} name is refused: it is a
     * whole model's file ({@link #save}), as which loadWeights and Keras would read it. The directory must exist (a
     * {@link java.nio.file.NoSuchFileException} otherwise, nothing made), as for Keras' {@code save_weights}.
     * Refused beside {@link #fit} on another thread (see the class's thread notes).
     *
     * <pre>{@code
     * model.saveWeights(Path.of("w.safetensors"));
     * model.saveWeights(Path.of("model.weights.h5"));   // for Keras: model.load_weights("model.weights.h5")
     * model.saveWeights(Path.of("w.h5"));                // for tf.keras 2 (and Keras 3): model.load_weights("w.h5")
     * }</pre>
     */
    public void saveWeights(Path file) throws IOException {
        setup.guard.reading("saveWeights", () -> {
            saveWeightsAlone(file);
            return null;
        });
    }

    private void saveWeightsAlone(Path file) throws IOException {
        WeightsIo io = weights("saveWeights");
        if (file != null && file.getFileName() != null && file.getFileName().toString().toLowerCase(java.util.Locale.ROOT).endsWith(".keras")) {
            throw new IllegalArgumentException(name() + ".saveWeights: file must be a safetensors name, .weights.h5 (Keras 3's weights"
                    + " file) or another .h5 / .hdf5 (tf.keras 2's), got '" + file.getFileName() + "' (.keras is a whole model's"
                    + " file, which loadWeights and Keras read as one: use save)");
        }
        if (file == null) throw new IllegalArgumentException(name() + ".saveWeights: file is null");
        FileFaults.save(name() + ".saveWeights", file, () -> {
            if (ModelFiles.hdf5Name(file)) ModelFiles.saveWeightsHdf5(this, file);
            else io.save(file);
        });
    }

    /**
     * Loads weights saved by {@link #saveWeights} (safetensors) or a Keras HDF5 / .keras / .weights.h5 file by
     * structure, as Keras' load_weights: the i-th weight in the file goes to the i-th weight of this model, whatever
     * the layer names (a fresh {@code lstm_6} takes what {@code lstm_5} saved); a safetensors file whose names are
     * exactly this model's loads by name. A Keras 3 file of a model calling a nested functional model (Keras'
     * {@code layers/functional/layers/...}, as Keras and {@link #save} / {@link #saveWeights} write it) loads into a
     * model that calls it as one ({@link #apply}), its layers in Keras' order (those only its unused outputs need too).
     * Every weight must be there, with its shape, finite, and nothing else: the file is compared with the model before
     * any data is read, and one IllegalArgumentException lists every difference and suggests the fix. On any error
     * (IOException for a corrupt file) the model is unchanged. A {@code .weights.h5} or {@code .keras} (by structure) sets the optimizer's variables too
     * (update count, learning rate, moments) by Keras 3's rule: where the file holds as many as the compiled optimizer
     * has (one never stepped has Keras' two: the count and the rate); otherwise they are skipped with one warning.
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
     * not layer name, and load by structure only. To take part of a file (a new head), load the saved model and copy
     * layers: {@code getLayer(name).setWeights(saved.getLayer(name).getWeights())}.
     */
    public void loadWeights(Path file, boolean byName) throws IOException {
        setup.guard.writing("loadWeights", () -> {
            if (file == null) throw new IllegalArgumentException(name + ".loadWeights: file is null");
            WeightsIo io = weights("loadWeights");
            // the format check and the read through one open: a rename between them cannot hand one reader the other's file
            KerasImport.Loaded read = FileFaults.readThroughChannel(file, () -> {
                if (KerasImport.isKerasFile(file)) {   // a .weights.h5's or .keras's optimizer variables too, as Keras 3's load_weights
                    return !byName && keras3WeightsName(file) ? WeightsFileOptimizer.read(this, file) : KerasImport.readWeights(this, file, byName);
                }
                // jrnn before 845d6d0a wrote safetensors under any name, an .h5 one too: those still load (a missing file: io.read says so)
                if (ModelFiles.hdf5Name(file) && java.nio.file.Files.isRegularFile(file) && !ModelFiles.safetensorsHead(file)) throw ModelFiles.notHdf5(file);
                List<Tensor> w = io.read(file, byName);
                return () -> io.set(w);
            });
            read.set();
            return null;
        });
    }

    /**
     * Whether Keras 3's load_weights reads {@code file} by saving_lib's load_weights_only, the optimizer's variables too
     * ({@code .weights.h5} or {@code .keras}, as spelt: Keras compares the suffix so).
     */
    private static boolean keras3WeightsName(Path file) {
        String n = file.getFileName() == null ? "" : file.getFileName().toString();
        return n.endsWith(".weights.h5") || n.endsWith(".keras");
    }

    /**
     * The architecture as Keras 3's {@code model.to_json()} writes it: the layers and their settings, no weights and no
     * compile config. {@link Models#fromJson} (or Keras' {@code model_from_json}) builds the model again with fresh weights.
     * A layer using Keras 2's hard_sigmoid is written as jrnn's "hard_sigmoid_keras2", with the warning model.save gives:
     * Keras 3 cannot read it.
     *
     * <pre>{@code
     * Model twin = Models.fromJson(model.toJson());
     * }</pre>
     */
    public String toJson() { return toJson(true); }

    /** {@link #toJson()}; {@code warn} false for jrnn's own use (cloneModel), which Keras never reads. */
    String toJson(boolean warn) {
        requireOpen("toJson");
        ensureGraph();
        Models.refuseOwnLayers(this, name + ".toJson", "cannot be written as JSON (saveWeights keeps its weights)");
        return warn ? dev.jrnn.io.keras.KerasExport.toJsonWarning(this) : dev.jrnn.io.keras.KerasExport.toJson(this);
    }

    /**
     * Saves the whole model in Keras 3's {@code .keras} layout, atomically (temp file + rename; a failure leaves the
     * previous file): architecture, weights, compile config and what resuming training needs (optimizer moments and
     * update count, dropout mask streams, the fit seed). {@link Models#load} reads it back, predicting bit for bit as
     * this model, with one exception: the file keeps a nested functional model nested, as Keras 3 writes it, but writes a
     * nested Sequential or dict model (and any nested model in an {@code .h5}) flattened, so a layer whose calls share state
     * ({@link Layer#callsShareState()}: a BatchNormalization in training, a stateful RNN) inside such a nested model called
     * more than once runs its calls, once loaded, in the flat file's order (as Keras runs that file), which can differ
     * from this model's (Keras and jrnn run each call of the nested model as one step): its moving statistics after fit,
     * its carried states, can differ. The layout is Keras 3's (config.json, model.weights.h5 at Keras 3's variable paths). A name ending in
     * {@code .h5} or {@code .hdf5} gets tf.keras 2's legacy HDF5 layout instead ({@code model.save("m.h5")} of tf.keras
     * 2.13), which tf.keras 2 and Keras 3 load: architecture, weights and compile config, and the optimizer's variables
     * below {@code jrnn_state/} (jrnn resumes from them; Keras starts its optimizer afresh), except a recurrent call
     * given initial states (an encoder-decoder), whose tf.keras 2 node form Keras 3.15.1's legacy loader refuses: save
     * such a model as {@code .keras} for Keras 3; a layer or activation
     * tf.keras 2 lacks is refused, naming the layer (MultiHeadAttention is written: Keras 3 loads that file, tf.keras 2
     * does not). Other names ({@code .weights.h5} included, a weights file to Keras) are refused rather than given a
     * file Keras would misread. A missing directory is a {@link java.nio.file.NoSuchFileException}, nothing made, as
     * Keras' {@code model.save("m.keras")} raises; an {@code .h5} / {@code .hdf5} save makes it, as Keras 3's does.
     * Refused beside {@link #fit} on another thread (see the class's thread notes); save from a callback, as
     * ModelCheckpoint does.
     *
     * <pre>{@code
     * model.save(Path.of("model.keras"));
     * Model again = Models.load(Path.of("model.keras"));
     * model.save(Path.of("model.h5"));   // for TensorFlow 2.x: tf.keras.models.load_model("model.h5")
     * }</pre>
     */
    public void save(Path file) throws IOException {
        ensureGraph();
        requireOpen("save");
        Models.refuseOwnLayers(this, name + ".save", "cannot be saved whole: saveWeights(path) keeps its weights");
        Models.refuseOwnOptimizer(this);
        // a store to regroup (a layer frozen since, or another model took the layers over) is rebuilt: a writer then
        boolean regroup = isBuilt() && params != null && storeStale();
        setup.guard.running("save", regroup, () -> {
            ensureStore();
            ModelFiles.save(this, params, file);
            return null;
        });
    }

    /**
     * Frees the weights' and the optimizer's buffers (device memory on CUDA). The model and its layers
     * cannot be used afterwards (a call on it throws {@link ModelClosedException}); closing twice is harmless, also on
     * two threads at once. While other threads' predicts or evaluates are in flight it
     * returns at once: new calls are refused as closed, and the buffers are freed when the last of those returns (on
     * its thread). Refused (IllegalStateException, the model left open) only while another thread's fit or other call
     * that changes the model runs. A layer shared with another model (an inference
     * encoder built from a training model's layers) is freed too, so whether the other model still runs depends on
     * which of them last held its weights: close models that share layers only once none of them is used.
     */
    @Override
    public void close() {
        if (closed) return;
        setup.guard.close(() -> {   // now, or once other threads' calls in flight have returned (on the last one's thread)
            if (closed) return;   // another close ran first
            closed = true;
            closeOptimizer();
            if (params != null) params.closeAs(name);
            if (graph != null) for (Layer l : graph.runLayers) l.releaseBuffers();
        });
    }

    @Override
    public String toString() { return getClass().getSimpleName() + "(" + name + ")"; }
}
