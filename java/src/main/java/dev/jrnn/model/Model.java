package dev.jrnn.model;

import dev.jrnn.Jrnn;
import dev.jrnn.backend.Backend;
import dev.jrnn.backend.Buf;
import dev.jrnn.backend.DTensor;
import dev.jrnn.backend.GraphCapture;
import dev.jrnn.backend.Loss;
import dev.jrnn.io.SafeTensors;
import dev.jrnn.layers.Bidirectional;
import dev.jrnn.layers.Embedding;
import dev.jrnn.layers.Layer;
import dev.jrnn.layers.RecurrentLayer;
import dev.jrnn.layers.RecurrentStack;
import dev.jrnn.layers.Names;
import dev.jrnn.layers.Param;
import dev.jrnn.layers.ParamStore;
import dev.jrnn.layers.Trace;
import dev.jrnn.losses.Losses;
import dev.jrnn.losses.Metric;
import dev.jrnn.optim.Optimizer;
import dev.jrnn.optim.Optimizers;
import dev.jrnn.tensor.Tensor;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.TreeMap;

/**
 * A Keras model: a graph of layers from {@link Input}s to outputs (functional API), trained with
 * {@link #compile} and {@link #fit}. {@link Sequential} is the stacked special case.
 *
 * <pre>{@code
 * Input in = Input.shape(3, 1).name("input");
 * Node y = new LSTM(50).apply(in);
 * Node out = new Dense(1).apply(y);
 * Model model = new Model(in, out);
 * model.compile("mse", "adam");
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
 * read). {@link #fit}, {@link #trainOnBatch}, {@link #compile}, {@link #setWeights}, {@link #loadWeights}
 * and {@link #close} change the model: run them on one thread, with no predict in flight. The CUDA
 * backend is used by one thread at a time (see its Javadoc). {@link #close()} frees the weights' and the
 * optimizer's buffers (native/device memory on CUDA); the model cannot be used afterwards.
 */
public class Model implements AutoCloseable {
    private String name;
    private List<Node> inputs = List.of();
    private List<Node> outputs = List.of();
    private List<Call> calls = List.of();
    /** chainEnd[i] = j > i when calls i..j are recurrent layers each feeding only the next (see recurrentChains). */
    private int[] chainEnd = new int[0];
    private List<Layer> layers = List.of();
    private Set<Call> relevant = Set.of();
    private boolean sequentialLike = true;
    private boolean graphReady;

    private Backend backend;
    private ParamStore store;
    private List<Param> params = List.of();
    private List<Param> trainableParams = List.of();
    private Map<Param, Layer> owners = new IdentityHashMap<>();
    private long trainableSize;
    private long nonTrainableSize;

    private Loss loss;
    private Optimizer optimizer;
    private List<Metric> metrics = List.of();
    private volatile boolean stopTraining;
    /** Copy of the trainable weights before the current update (fit with checkFinite), to undo a non-finite step. */
    private Buf backup;
    private volatile boolean closed;

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

    // ================================================================== graph

    /** Sets the graph (topological order, Keras layer order, one parameter store). */
    final void initGraph(List<? extends Node> ins, List<? extends Node> outs) {
        if (ins == null || ins.isEmpty()) throw new IllegalArgumentException(name + ": a model needs at least one Input");
        if (outs == null || outs.isEmpty()) throw new IllegalArgumentException(name + ": a model needs at least one output node");
        Set<Call> inputCalls = Collections.newSetFromMap(new IdentityHashMap<>());
        for (int i = 0; i < ins.size(); i++) {
            Node n = ins.get(i);
            if (n == null) throw new IllegalArgumentException(name + ": input " + i + " is null");
            if (!n.call.isInput()) {
                throw new IllegalArgumentException(name + ": inputs must be Input nodes, input " + i + " comes from "
                        + n.call.layer.name() + " (" + n.call.layer.kerasClass() + ")");
            }
            if (!inputCalls.add(n.call)) throw new IllegalArgumentException(name + ": input " + n.call.layer.name() + " is listed twice");
        }
        for (int i = 0; i < outs.size(); i++) {
            if (outs.get(i) == null) throw new IllegalArgumentException(name + ": output " + i + " is null");
        }
        // Depth-first from the outputs, as Keras' _build_map: topological order + first-visit layer order.
        List<Call> order = new ArrayList<>();
        Map<Layer, Integer> layerIndex = new IdentityHashMap<>();
        Set<Call> done = Collections.newSetFromMap(new IdentityHashMap<>());
        Set<Call> inProgress = Collections.newSetFromMap(new IdentityHashMap<>());
        for (Node o : outs) visit(o.call, order, layerIndex, done, inProgress, inputCalls);
        // Depths as Keras: outputs 0, a call's inputs one deeper, a layer's calls share its max depth.
        Map<Call, Integer> nodeDepth = new IdentityHashMap<>();
        Map<Layer, Integer> layerDepth = new IdentityHashMap<>();
        for (int i = order.size() - 1; i >= 0; i--) {
            Call c = order.get(i);
            int d = nodeDepth.getOrDefault(c, 0);
            d = Math.max(d, layerDepth.getOrDefault(c.layer, 0));
            layerDepth.put(c.layer, d);
            nodeDepth.put(c, d);
            for (Node in : c.inputs) nodeDepth.put(in.call, Math.max(d + 1, nodeDepth.getOrDefault(in.call, 0)));
        }
        for (Node n : ins) {
            if (!layerDepth.containsKey(n.call.layer)) {   // an input no output depends on
                layerDepth.put(n.call.layer, 0);
                layerIndex.put(n.call.layer, -1);
                nodeDepth.put(n.call, 0);
            }
        }
        TreeMap<Integer, List<Layer>> byDepth = new TreeMap<>(Collections.reverseOrder());
        for (Map.Entry<Layer, Integer> e : layerDepth.entrySet()) byDepth.computeIfAbsent(e.getValue(), k -> new ArrayList<>()).add(e.getKey());
        List<Layer> ordered = new ArrayList<>();
        for (List<Layer> ls : byDepth.values()) {
            ls.sort((a, b) -> Integer.compare(layerIndex.get(a), layerIndex.get(b)));
            ordered.addAll(ls);
        }
        // sequential-like (Keras' summary test): one node per depth, one input per node, no shared layer
        TreeMap<Integer, List<Call>> nodesByDepth = new TreeMap<>();
        for (Map.Entry<Call, Integer> e : nodeDepth.entrySet()) nodesByDepth.computeIfAbsent(e.getValue(), k -> new ArrayList<>()).add(e.getKey());
        boolean seq = true;
        for (List<Call> cs : nodesByDepth.values()) {
            if (cs.size() > 1 || (cs.size() == 1 && cs.get(0).inputs.size() > 1)) {
                seq = false;
                break;
            }
        }
        Set<Call> rel = Collections.newSetFromMap(new IdentityHashMap<>());
        rel.addAll(nodeDepth.keySet());
        if (seq) {
            for (Layer l : ordered) {
                int n = 0;
                for (Call c : Node.callsOf(l)) if (rel.contains(c)) n++;
                if (n > 1) {
                    seq = false;
                    break;
                }
            }
        }
        List<Call> exec = new ArrayList<>();
        for (Call c : order) if (!c.isInput()) exec.add(c);

        this.inputs = List.copyOf(ins);
        this.outputs = List.copyOf(outs);
        this.calls = List.copyOf(exec);
        this.chainEnd = recurrentChains(this.calls, this.outputs);
        this.layers = List.copyOf(ordered);
        this.relevant = rel;
        this.sequentialLike = seq;
        this.graphReady = true;
        collectParams();
    }

    private void visit(Call c, List<Call> order, Map<Layer, Integer> layerIndex, Set<Call> done, Set<Call> inProgress,
                       Set<Call> inputCalls) {
        if (done.contains(c)) return;
        if (inProgress.contains(c)) throw new IllegalArgumentException(name + ": layer " + c.layer.name() + " is part of a cycle");
        layerIndex.putIfAbsent(c.layer, layerIndex.size());
        if (c.isInput() && !inputCalls.contains(c)) {
            throw new IllegalArgumentException(name + ": graph disconnected: the outputs need input " + c.layer.name()
                    + " which is not among the model inputs");
        }
        inProgress.add(c);
        for (Node in : c.inputs) visit(in.call, order, layerIndex, done, inProgress, inputCalls);
        inProgress.remove(c);
        done.add(c);
        order.add(c);
    }

    /** Gathers every layer's parameters (trainable first) into one flat store. */
    private void collectParams() {
        List<Param> tr = new ArrayList<>(), nt = new ArrayList<>();
        Set<Param> seen = Collections.newSetFromMap(new IdentityHashMap<>());
        Map<Param, Layer> own = new IdentityHashMap<>();
        Backend be = null;
        for (Layer l : layers) {
            for (Param p : l.params()) {
                if (!seen.add(p)) continue;
                own.put(p, l);
                (l.trainable() && p.trainable() ? tr : nt).add(p);
                Backend pb = p.backend();
                if (be == null) be = pb;
                else if (pb != be) {
                    throw new IllegalStateException(name + ": layer " + l.name() + " was built on backend " + pb.name()
                            + ", other layers on " + be.name() + ": build all layers of a model on one backend");
                }
            }
        }
        if (be == null) be = layers.isEmpty() ? Jrnn.backend() : firstBackend();
        List<Param> all = new ArrayList<>(tr);
        all.addAll(nt);
        ParamStore old = store;
        this.store = new ParamStore(be, all);
        if (old != null) old.close();
        if (backup != null) {
            backup.close();
            backup = null;
        }
        this.backend = be;
        this.params = List.copyOf(all);
        this.trainableParams = List.copyOf(tr);
        this.owners = own;
        long ts = 0, ns = 0;
        for (Param p : tr) ts += p.size();
        for (Param p : nt) ns += p.size();
        this.trainableSize = ts;
        this.nonTrainableSize = ns;
    }

    private Backend firstBackend() {
        for (Layer l : layers) {
            try {
                return l.backend();
            } catch (IllegalStateException e) {
                // InputLayers are never built
            }
        }
        return Jrnn.backend();
    }

    /**
     * Binds the parameters back into this model's store when another model built on the same layers
     * took them over (the other store then holds the current values, which are copied back).
     */
    private void ensureStore() {
        for (Param p : params) {
            if (!p.isBound() || p.store() != store) {
                collectParams();
                return;
            }
        }
    }

    private void requireOpen(String what) {
        if (closed) throw new IllegalStateException(name + "." + what + ": the model is closed");
    }

    /** Hook for models whose graph is set lazily; throws when it cannot be. */
    void ensureGraph() {
        if (!graphReady) {
            throw new IllegalStateException("This model has not yet been built. Build the model first by calling build() "
                    + "or by calling fit/predict on a batch of data, or declare the first layer's inputShape.");
        }
    }

    /** Hook: builds the model from data shapes when it is not built yet (Sequential without an input shape). */
    void ensureBuilt(List<Tensor> xs) {
        ensureGraph();
    }

    /** {@link #ensureBuilt} for the read-only calls that may run on several threads: the lazy build happens once. */
    private synchronized void ensureBuiltSafely(List<Tensor> xs) {
        ensureBuilt(xs);
    }

    /** Whether the graph (and so the weights) exist. */
    public boolean isBuilt() { return graphReady; }

    // ================================================================== naming and structure

    public String name() { return name; }

    public Model name(String n) {
        if (n == null || n.isBlank()) throw new IllegalArgumentException("model name must not be empty");
        this.name = n;
        return this;
    }

    /** The layers as Keras lists them (functional models include their InputLayers first). */
    public List<Layer> layers() {
        ensureGraph();
        return layers;
    }

    /** The layer called {@code layerName}; throws naming the model's layers when there is none. */
    public Layer getLayer(String layerName) {
        List<String> names = new ArrayList<>();
        for (Layer l : layers()) {
            if (l.name().equals(layerName)) return l;
            names.add(l.name());
        }
        throw new IllegalArgumentException(name + ": no layer named '" + layerName + "', layers are " + names);
    }

    public List<Node> inputs() {
        ensureGraph();
        return inputs;
    }

    public List<Node> outputs() {
        ensureGraph();
        return outputs;
    }

    /** Number of weights (trainable and not), as Keras' count_params(). */
    public long countParams() {
        ensureGraph();
        return trainableSize + nonTrainableSize;
    }

    /** The flat store that holds every parameter of the model (trainable ones first). */
    public ParamStore paramStore() {
        ensureGraph();
        return store;
    }

    /** The backend the model's weights live on. */
    public Backend backend() {
        ensureGraph();
        return backend;
    }

    // ================================================================== summary

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
        List<Summary.Row> rows = new ArrayList<>();
        boolean seq = isSequentialLike();
        for (Layer l : layers()) {
            List<String> cells = new ArrayList<>();
            cells.add(l.name() + " (" + l.kerasClass() + ")");
            cells.add(outputShapeString(l));
            cells.add(Long.toString(l.countParams()));
            if (!seq) {
                List<String> con = new ArrayList<>();
                for (Call c : Node.callsOf(l)) {
                    if (!relevant.isEmpty() && !relevant.contains(c)) continue;
                    for (Node in : c.inputs) con.add(in.call.layer.name() + "[" + in.call.nodeIndex + "][" + in.index + "]");
                }
                cells.add(Summary.pyList(con));
            }
            rows.add(new Summary.Row(cells));
        }
        long nonTrainableCount = 0;
        for (Layer l : layers()) {
            for (Param p : l.params()) if (!(l.trainable() && p.trainable())) nonTrainableCount += p.size();
        }
        long total = countParams();
        return Summary.format(name, seq, rows, total - nonTrainableCount, nonTrainableCount);
    }

    boolean isSequentialLike() { return sequentialLike; }

    /** Keras' layer.output_shape text: "(None, 3)", "[(None, 5), (None, 5)]", or "multiple" for shared layers. */
    static String outputShapeString(Layer l) {
        List<Call> cs = Node.callsOf(l);
        if (cs.isEmpty()) return "multiple";
        Set<String> distinct = new LinkedHashSet<>();
        for (Call c : cs) {
            List<String> parts = new ArrayList<>();
            for (Node n : c.outputs) parts.add(n.shapeString());
            distinct.add(parts.size() == 1 && !c.isInput() ? parts.get(0) : "[" + String.join(", ", parts) + "]");
        }
        return distinct.size() == 1 ? distinct.iterator().next() : "multiple";
    }

    // ================================================================== compile

    /** Sets the loss and optimizer (and metrics: "accuracy", "mae", "mse") for fit/evaluate. */
    public void compile(Loss loss, Optimizer optimizer, String... metrics) {
        if (loss == null) throw new IllegalArgumentException(name + ".compile: loss is null");
        if (optimizer == null) throw new IllegalArgumentException(name + ".compile: optimizer is null");
        List<Metric> ms = new ArrayList<>();
        for (String m : metrics) {
            Metric mm = Metric.of(m);
            if (loss.sparse() && mm != Metric.ACCURACY) {
                throw new IllegalArgumentException(name + ".compile: metric " + m + " needs dense targets but the loss "
                        + Losses.kerasName(loss) + " takes class indices");
            }
            if (!ms.contains(mm)) ms.add(mm);
        }
        if (this.optimizer != null && this.optimizer != optimizer) this.optimizer.close();
        this.loss = loss;
        this.optimizer = optimizer;
        this.metrics = List.copyOf(ms);
        if (graphReady && trainablePartitionChanged()) collectParams();
        this.graphsBroken = false;
    }

    /** {@code compile("mse", "adam")}: loss and optimizer by Keras name. */
    public void compile(String loss, String optimizer, String... metrics) {
        compile(Losses.of(loss), Optimizers.of(optimizer), metrics);
    }

    public void compile(String loss, Optimizer optimizer, String... metrics) {
        compile(Losses.of(loss), optimizer, metrics);
    }

    public Loss loss() { return loss; }

    public Optimizer optimizer() { return optimizer; }

    private boolean trainablePartitionChanged() {
        for (Param p : params) {
            Layer l = owners.get(p);
            boolean nowTrainable = l.trainable() && p.trainable();
            if (nowTrainable != trainableParams.contains(p)) return true;
        }
        return false;
    }

    private void requireCompiled(String what) {
        if (loss == null || optimizer == null) {
            throw new IllegalStateException(name + "." + what + ": the model must be compiled first, e.g. model.compile(\"mse\", \"adam\")");
        }
    }

    /** Asks {@link #fit} to stop after the current epoch (what EarlyStopping calls). */
    public void stopTraining(boolean stop) { this.stopTraining = stop; }

    public boolean stopTraining() { return stopTraining; }

    // ================================================================== forward / backward on batches

    /** One forward pass: every node's value and mask, the traces, what to free. */
    final class Pass implements AutoCloseable {
        final Map<Node, DTensor> values = new IdentityHashMap<>();
        final Map<Node, DTensor> masks = new IdentityHashMap<>();
        final List<Trace> traces = new ArrayList<>();
        final List<DTensor> owned = new ArrayList<>();
        /** Calls start..end run as one RecurrentStack this pass: end -> start (its trace is at start). */
        final Map<Integer, Integer> stacks = new java.util.HashMap<>();

        DTensor value(Node n) { return values.get(n); }

        DTensor own(DTensor d) {
            owned.add(d);
            return d;
        }

        @Override
        public void close() {
            RuntimeException first = null;
            for (int i = traces.size() - 1; i >= 0; i--) {
                try {
                    traces.get(i).close();
                } catch (RuntimeException e) {
                    if (first == null) first = e;
                }
            }
            for (DTensor d : owned) d.close();
            traces.clear();
            owned.clear();
            if (first != null) throw first;
        }
    }

    /** Runs the graph on device inputs (owned by the returned pass); {@code mask} [B, T] goes to the first input. */
    final Pass forward(List<DTensor> xs, DTensor mask, boolean training) {
        return forward(xs, mask, training, true);
    }

    /** As {@link #forward(List, DTensor, boolean)}; the pass frees the inputs only when {@code ownInputs}. */
    final Pass forward(List<DTensor> xs, DTensor mask, boolean training, boolean ownInputs) {
        Pass p = new Pass();
        if (ownInputs) {
            for (DTensor x : xs) p.own(x);
            if (mask != null) p.own(mask);
        }
        try {
            for (int i = 0; i < inputs.size(); i++) p.values.put(inputs.get(i), xs.get(i));
            if (mask != null) p.masks.put(inputs.get(0), mask);
            for (int ci = 0; ci < calls.size(); ci++) {
                Call c = calls.get(ci);
                List<DTensor> in = new ArrayList<>(c.inputs.size());
                for (Node n : c.inputs) in.add(p.values.get(n));
                DTensor m = p.masks.get(c.inputs.get(0));
                Trace t = null;
                int end = ci < chainEnd.length ? chainEnd[ci] : -1;
                if (end > ci) {
                    // On two streams, a chain of recurrent layers runs as a wavefront (one trace for all of them)
                    List<RecurrentLayer> chain = new ArrayList<>();
                    for (int k = ci; k <= end; k++) chain.add((RecurrentLayer) calls.get(k).layer);
                    DTensor x0 = in.get(0);
                    if (x0 != null && x0.rank() == 3 && RecurrentStack.eligible(chain, backend, x0.dim(0), x0.dim(1))) {
                        t = RecurrentStack.forward(chain, x0, m, training);
                        p.traces.add(t);
                        for (int k = ci + 1; k <= end; k++) p.traces.add(NO_TRACE);
                        p.stacks.put(end, ci);
                        ci = end;
                        c = calls.get(end);
                    }
                }
                if (t == null) {
                    t = c.layer.forward(in, m, training);
                    p.traces.add(t);
                }
                List<DTensor> outs = t.outputs();
                if (outs.size() != c.outputs.size()) {
                    throw new IllegalStateException(c.layer.name() + " returned " + outs.size() + " outputs, its build declared "
                            + c.outputs.size());
                }
                for (int k = 0; k < outs.size(); k++) p.values.put(c.outputs.get(k), outs.get(k));
                DTensor om = t.outputMask();
                if (om == null && m != null) {
                    // Keras passes a mask through layers that keep the time axis (Dense, TimeDistributed, Dropout)
                    DTensor o0 = outs.get(0);
                    if (o0.rank() >= 3 && o0.dim(0) == m.dim(0) && o0.dim(1) == m.dim(1)) om = m;
                }
                if (om != null) p.masks.put(c.outputs.get(0), om);
            }
            return p;
        } catch (RuntimeException e) {
            p.close();
            throw e;
        }
    }

    /** The calls in execution order (inputs excluded). */
    final List<Call> calls() {
        ensureGraph();
        return calls;
    }

    /** The trace of a call that ran inside a RecurrentStack (the stack's trace sits at its first call). */
    private static final Trace NO_TRACE = new Trace() {
        @Override
        public List<DTensor> outputs() { return List.of(); }

        @Override
        public List<DTensor> backward(List<DTensor> dOutputs) {
            throw new IllegalStateException("backward of a call that ran inside a RecurrentStack");
        }

        @Override
        public void close() {}
    };

    /**
     * For each call i, the last call j > i of a chain starting there (else -1): calls i..j are recurrent
     * layers with one input each (no initial states: a stack's bottom layer starts from zero states), each
     * (but the last) with one output that is the one input of the next call only and not a model output.
     * Whether a chain really runs as a wavefront is decided per batch (RecurrentStack.eligible).
     */
    static int[] recurrentChains(List<Call> calls, List<Node> modelOutputs) {
        int n = calls.size();
        Map<Node, Integer> uses = new IdentityHashMap<>();
        for (Call c : calls) for (Node in : c.inputs) uses.merge(in, 1, Integer::sum);
        for (Node o : modelOutputs) uses.merge(o, 1, Integer::sum);
        boolean[] link = new boolean[n];   // call k feeds only call k + 1, both recurrent
        for (int k = 0; k + 1 < n; k++) {
            Call a = calls.get(k), b = calls.get(k + 1);
            link[k] = a.layer instanceof RecurrentLayer && b.layer instanceof RecurrentLayer
                    && a.inputs.size() == 1 && a.outputs.size() == 1 && b.inputs.size() == 1
                    && b.inputs.get(0) == a.outputs.get(0)
                    && uses.getOrDefault(a.outputs.get(0), 0) == 1;
        }
        int[] end = new int[n];
        java.util.Arrays.fill(end, -1);
        for (int k = 0; k < n; k++) {
            if (k > 0 && link[k - 1]) continue;   // inside a chain that starts earlier
            int j = k;
            while (j < n - 1 && link[j]) j++;
            if (j > k) end[k] = j;
        }
        return end;
    }

    /** Back-propagates output gradients through the pass, accumulating into the parameters' gradients. */
    final void backward(Pass p, Map<Node, DTensor> dOutputs) {
        Map<Node, DTensor> grads = new IdentityHashMap<>(dOutputs);
        for (int i = calls.size() - 1; i >= 0; i--) {
            Call c = calls.get(i);
            Integer start = p.stacks.get(i);   // the last call of a wavefront: its trace sits at the first
            List<DTensor> d = new ArrayList<>(c.outputs.size());
            boolean any = false;
            for (Node o : c.outputs) {
                DTensor g = grads.get(o);
                d.add(g);
                any |= g != null;
            }
            if (!any) {
                if (start != null) i = start;
                continue;
            }
            List<DTensor> dIn;
            if (start != null) {
                dIn = p.traces.get(start).backward(d);
                i = start;
                c = calls.get(start);
            } else {
                dIn = p.traces.get(i).backward(d);
            }
            for (int k = 0; k < c.inputs.size() && dIn != null && k < dIn.size(); k++) {
                Node in = c.inputs.get(k);
                DTensor g = dIn.get(k);
                if (g == null || in.call.isInput()) continue;
                DTensor prev = grads.get(in);
                if (prev == null) {
                    grads.put(in, g);
                } else {
                    DTensor sum = p.own(DTensor.zeros(backend, prev.shape()));
                    backend.copy(prev.buf(), 0, sum.buf(), 0, prev.size());
                    backend.axpy(g.size(), 1f, g.buf(), 0, sum.buf(), 0);
                    grads.put(in, sum);
                }
            }
        }
    }

    // ================================================================== data

    /** Tensors plus the sample rows of them in use (validation splits share the tensors). */
    private record Data(List<Tensor> xs, List<Tensor> ys, int[] lengths, int[] rows) {
        int n() { return rows.length; }

        Data subset(int from, int to) { return new Data(xs, ys, lengths, Arrays.copyOfRange(rows, from, to)); }
    }

    /**
     * Checks the data of a fit/evaluate/predict call before anything runs: tensor counts, shapes
     * against the inputs, sample counts, NaN/Inf (when {@code checkFinite}), every layer's output shape
     * for the actual input shapes, target sizes, sparse class indices and embedding ids. Whatever is
     * wrong is reported here, so a call that fails leaves the model as it was.
     */
    private Data prepare(List<Tensor> xs, List<Tensor> ys, int[] lengths, String what, boolean needY, boolean checkFinite) {
        String where = name + "." + what + ": ";
        if (xs == null || xs.size() != inputs.size()) {
            throw new IllegalArgumentException(where + "expected " + inputs.size() + " input tensor(s), got "
                    + (xs == null ? "null" : xs.size()));
        }
        int n = -1;
        for (int i = 0; i < xs.size(); i++) {
            Tensor x = xs.get(i);
            Node in = inputs.get(i);
            String label = inputLabel(i);
            if (x == null) throw new IllegalArgumentException(where + label + " is null");
            int[] want = in.shape();
            int[] got = x.shape();
            boolean ok = got.length == want.length + 1;
            for (int d = 0; ok && d < want.length; d++) ok = want[d] == -1 || want[d] == got[d + 1];
            if (!ok) {
                throw new IllegalArgumentException(where + label + " has shape " + Tensor.shapeString(got)
                        + ", the model expects " + in.shapeString());
            }
            if (n >= 0 && x.dim(0) != n) {
                throw new IllegalArgumentException(where + "inputs have different sample counts " + n + " and " + x.dim(0));
            }
            n = x.dim(0);
            if (checkFinite) {
                String bad = nonFiniteAt(x);
                if (bad != null) throw new IllegalArgumentException(where + label + " " + bad);
            }
        }
        Map<Node, int[]> shapes = outputShapesFor(xs, where);
        checkEmbeddingIds(xs, where);
        List<Tensor> yl = null;
        if (ys != null) {
            if (ys.size() != outputs.size()) {
                throw new IllegalArgumentException(where + "expected " + outputs.size() + " target tensor(s) (one per output, "
                        + "null to skip one), got " + ys.size());
            }
            boolean any = false;
            for (int k = 0; k < ys.size(); k++) {
                Tensor y = ys.get(k);
                if (y == null) continue;
                any = true;
                String label = ys.size() > 1 ? "y[" + k + "]" : "y";
                if (y.dim(0) != n) {
                    throw new IllegalArgumentException(where + label + " has " + y.dim(0) + " samples, x has " + n);
                }
                if (checkFinite) {
                    String bad = nonFiniteAt(y);
                    if (bad != null) throw new IllegalArgumentException(where + label + " " + bad);
                }
                checkTarget(k, y, shapes.get(outputs.get(k)), where, label);
            }
            if (!any && needY) throw new IllegalArgumentException(where + "every target is null, nothing to train on");
            yl = new ArrayList<>(ys);
        } else if (needY) {
            throw new IllegalArgumentException(where + "targets are null");
        }
        if (lengths != null) {
            Tensor x0 = xs.get(0);
            if (x0.rank() < 2) throw new IllegalArgumentException(where + "lengths need sequence inputs (rank >= 2), x has shape " + Tensor.shapeString(x0.shape()));
            if (lengths.length != n) {
                throw new IllegalArgumentException(where + "lengths has " + lengths.length + " entries, x has " + n + " samples");
            }
            int t = x0.dim(1);
            for (int i = 0; i < n; i++) {
                if (lengths[i] < 0 || lengths[i] > t) {
                    throw new IllegalArgumentException(where + "lengths[" + i + "] = " + lengths[i] + " is outside [0, " + t + "]");
                }
            }
        }
        int[] rows = new int[n];
        for (int i = 0; i < n; i++) rows[i] = i;
        return new Data(List.copyOf(xs), yl, lengths == null ? null : lengths.clone(), rows);
    }

    private String inputLabel(int i) {
        return inputs.size() == 1 ? "x" : "x[" + i + "] (" + inputs.get(i).call.layer.name() + ")";
    }

    /**
     * Per-sample shapes of every node for these inputs, from each layer's (pure) computeOutputShapes:
     * a layer that cannot take the data's shapes (e.g. timesteps it was not declared for) fails here,
     * naming itself, before any batch runs.
     */
    private Map<Node, int[]> outputShapesFor(List<Tensor> xs, String where) {
        Map<Node, int[]> shapes = new IdentityHashMap<>();
        for (int i = 0; i < xs.size(); i++) {
            int[] s = xs.get(i).shape();
            shapes.put(inputs.get(i), Arrays.copyOfRange(s, 1, s.length));
        }
        for (Call c : calls) {
            List<int[]> in = new ArrayList<>(c.inputs.size());
            for (Node nd : c.inputs) in.add(shapes.get(nd));
            List<int[]> out;
            try {
                out = c.layer.computeOutputShapes(in);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(where + e.getMessage(), e);
            }
            for (int k = 0; k < c.outputs.size() && k < out.size(); k++) shapes.put(c.outputs.get(k), out.get(k));
        }
        return shapes;
    }

    /** Ids fed straight from a model input into an Embedding must be integers in [0, vocabulary). */
    private void checkEmbeddingIds(List<Tensor> xs, String where) {
        for (Call c : calls) {
            if (!(c.layer instanceof Embedding e) || c.inputs.isEmpty()) continue;
            int i = inputs.indexOf(c.inputs.get(0));
            if (i < 0) continue;
            Tensor x = xs.get(i);
            float[] a = x.data();
            int vocab = e.vocabularySize();
            for (int j = 0; j < a.length; j++) {
                float v = a[j];
                if (!(v >= 0 && v < vocab && v == (int) v)) {
                    throw new IllegalArgumentException(where + e.name() + ": id " + v + " at " + indexString(x.shape(), j) + " of "
                            + inputLabel(i) + " is not an integer in [0, " + vocab + ") (the vocabulary size)");
                }
            }
        }
    }

    /** A target must hold as many values per sample as its output (one class index per row for sparse losses). */
    private void checkTarget(int k, Tensor y, int[] out, String where, String label) {
        if (out == null) return;
        for (int d : out) if (d <= 0) return;   // unknown until the batch runs: batchLoss checks it then
        Node on = outputs.get(k);
        int cols = out.length == 0 ? 1 : out[out.length - 1];
        long perSample = Tensor.size(out);
        long need = loss.sparse() ? perSample / cols : perSample;
        long ySample = y.size() / y.dim(0);
        if (ySample != need) {
            throw new IllegalArgumentException(where + label + " has shape " + Tensor.shapeString(y.shape()) + " (" + ySample
                    + " values per sample), output " + on.call.layer.name() + " " + Tensor.shapeString(Node.withBatch(out, -1))
                    + " needs " + need + " per sample for loss " + Losses.kerasName(loss)
                    + (loss.sparse() ? " (one class index per row)" : ""));
        }
        if (loss.sparse()) {
            float[] a = y.data();
            for (int j = 0; j < a.length; j++) {
                float v = a[j];
                if (!(v >= 0 && v < cols && v == (int) v)) {
                    throw new IllegalArgumentException(where + label + " holds class index " + v + " at " + indexString(y.shape(), j)
                            + "; loss " + Losses.kerasName(loss) + " needs integers in [0, " + cols + ") for output "
                            + on.call.layer.name() + " of " + cols + " classes");
                }
            }
        }
    }

    /** "holds NaN at (3, 1, 0)" for the first non-finite element of {@code t}, or null when all are finite. */
    static String nonFiniteAt(Tensor t) {
        float[] a = t.data();
        for (int i = 0; i < a.length; i++) {
            if (!Float.isFinite(a[i])) return "holds " + a[i] + " at " + indexString(t.shape(), i);
        }
        return null;
    }

    /** The index tuple of flat position {@code flat} in a row-major tensor of {@code shape}, e.g. "(3, 1, 0)". */
    static String indexString(int[] shape, long flat) {
        long[] idx = new long[shape.length];
        for (int d = shape.length - 1; d >= 0; d--) {
            idx[d] = flat % shape[d];
            flat /= shape[d];
        }
        StringBuilder b = new StringBuilder("(");
        for (int d = 0; d < idx.length; d++) b.append(d > 0 ? ", " : "").append(idx[d]);
        return b.append(idx.length == 1 ? ",)" : ")").toString();
    }

    /** Rows {@code order[from, to)} of {@code t} (samples first), one after another. */
    private static float[] gatherRows(Tensor t, int[] order, int from, int to) {
        int row = t.size() / t.dim(0);
        int b = to - from;
        float[] buf = new float[b * row];
        float[] src = t.data();
        for (int i = 0; i < b; i++) System.arraycopy(src, order[from + i] * row, buf, i * row, row);
        return buf;
    }

    private DTensor upload(Tensor t, int[] order, int from, int to) {
        float[] buf = gatherRows(t, order, from, to);
        int[] shape = t.shape();
        shape[0] = to - from;
        Buf d = backend.alloc(buf.length);
        try {
            backend.upload(buf, 0, d, 0, buf.length);
        } catch (RuntimeException e) {
            d.close();
            throw e;
        }
        return new DTensor(backend, d, shape);
    }

    /** The [b, T] 1/0 mask of post-padded sequences with per-sample lengths, or null without lengths. */
    private static float[] lengthMaskHost(Data d, int[] order, int from, int to) {
        if (d.lengths() == null) return null;
        int t = d.xs().get(0).dim(1);
        int b = to - from;
        float[] m = new float[b * t];
        for (int i = 0; i < b; i++) {
            int len = d.lengths()[order[from + i]];
            for (int s = 0; s < len; s++) m[i * t + s] = 1f;
        }
        return m;
    }

    /**
     * One batch on the device: the inputs, the length mask (or null) and the targets (null for an output
     * without one, or when not asked for). Owned: closing it frees them.
     */
    private final class Batch implements AutoCloseable {
        final List<DTensor> xs = new ArrayList<>();
        DTensor mask;
        final List<DTensor> ys = new ArrayList<>();

        /** Uploads rows order[from, to) of {@code d}. */
        Batch(Data d, int[] order, int from, int to, boolean targets) {
            try {
                for (Tensor x : d.xs()) xs.add(upload(x, order, from, to));
                float[] m = lengthMaskHost(d, order, from, to);
                if (m != null) mask = upload(Tensor.wrap(m, to - from, m.length / (to - from)), identity(to - from), 0, to - from);
                for (int k = 0; k < outputs.size(); k++) {
                    Tensor y = targets && d.ys() != null ? d.ys().get(k) : null;
                    ys.add(y == null ? null : upload(y, order, from, to));
                }
            } catch (RuntimeException e) {
                close();
                throw e;
            }
        }

        /** Copies rows order[from, to) of {@code d} into this batch's buffers (same batch size). */
        void refill(Data d, int[] order, int from, int to) {
            for (int i = 0; i < xs.size(); i++) put(xs.get(i), gatherRows(d.xs().get(i), order, from, to));
            float[] m = lengthMaskHost(d, order, from, to);
            if (m != null) put(mask, m);
            for (int k = 0; k < ys.size(); k++) if (ys.get(k) != null) put(ys.get(k), gatherRows(d.ys().get(k), order, from, to));
        }

        private void put(DTensor t, float[] data) {
            backend.upload(data, 0, t.buf(), 0, data.length);
        }

        @Override
        public void close() {
            for (DTensor x : xs) if (x != null) x.close();
            if (mask != null) mask.close();
            for (DTensor y : ys) if (y != null) y.close();
        }
    }

    private static int[] identity(int n) {
        int[] r = new int[n];
        for (int i = 0; i < n; i++) r[i] = i;
        return r;
    }

    private Pass forwardBatch(Data d, int[] order, int from, int to, boolean training) {
        Batch b = new Batch(d, order, from, to, false);
        return forward(b.xs, b.mask, training);
    }

    // ================================================================== losses and metrics per batch

    /** Running sums over an epoch (or an evaluation). */
    private final class Acc {
        double lossSum;
        long samples;
        final double[] outLoss = new double[outputs.size()];
        final double[][] metricSum = new double[outputs.size()][metrics.size()];
        final double[][] metricCount = new double[outputs.size()][metrics.size()];
        final boolean[] trained;

        Acc(List<Tensor> ys) {
            trained = new boolean[outputs.size()];
            for (int k = 0; k < trained.length; k++) trained[k] = ys.get(k) != null;
        }

        Map<String, Double> logs() {
            Map<String, Double> m = new LinkedHashMap<>();
            double n = Math.max(1, samples);
            m.put("loss", lossSum / n);
            int nTrained = 0;
            for (boolean b : trained) if (b) nTrained++;
            List<String> keys = outputKeys();
            if (nTrained > 1) {
                for (int k = 0; k < trained.length; k++) if (trained[k]) m.put(keys.get(k) + "_loss", outLoss[k] / n);
            }
            for (int k = 0; k < trained.length; k++) {
                if (!trained[k]) continue;
                for (int j = 0; j < metrics.size(); j++) {
                    String key = nTrained > 1 ? keys.get(k) + "_" + metrics.get(j).key() : metrics.get(j).key();
                    m.put(key, metricCount[k][j] > 0 ? metricSum[k][j] / metricCount[k][j] : 0.0);
                }
            }
            return m;
        }
    }

    /** Keras' per-output log names: the output layer's name (with the output index when a layer gives several). */
    private List<String> outputKeys() {
        Map<Layer, Integer> count = new IdentityHashMap<>();
        for (Node o : outputs) count.merge(o.call.layer, 1, Integer::sum);
        List<String> keys = new ArrayList<>();
        for (Node o : outputs) keys.add(count.get(o.call.layer) > 1 ? o.call.layer.name() + "_" + o.index : o.call.layer.name());
        return keys;
    }

    /** Guard codes (see {@link Backend#finiteGuard}): what became non-finite first in a train step. */
    private static final float GUARD_LOSS = 1f, GUARD_GRADIENTS = 2f, GUARD_WEIGHTS = 3f;

    /**
     * The per-batch losses of an epoch (or an evaluation), left on the device by {@link Backend#lossAsync}
     * as rows of [one loss per output, the step's NaN guard], read back in blocks (one synchronizing
     * download each) and added to an {@link Acc} in batch order, exactly as if each had been read at once.
     * A row whose guard is set (a non-finite loss, gradient or update, whose update the device skipped or
     * undid) becomes the {@link NonFiniteException} of its batch.
     */
    private final class LossLog implements AutoCloseable {
        private final int k = outputs.size();
        private final int width = k + 1;
        private final int capacity;
        private final Buf buf;
        /** The NaN guard of the train steps logged here (one float, 0 = fine). */
        final Buf guard;
        private final int[] rows;
        private final At[] at;
        private final long[] iterationsBefore;
        private final List<Tensor> ys;
        private int first, next;

        LossLog(int batches, List<Tensor> ys) {
            this.capacity = Math.max(1, batches);
            this.rows = new int[capacity];
            this.at = new At[capacity];
            this.iterationsBefore = new long[capacity];
            this.ys = ys;
            Buf b = backend.alloc((long) capacity * width);
            try {
                this.guard = backend.alloc(1);
            } catch (RuntimeException e) {
                b.close();
                throw e;
            }
            this.buf = b;
        }

        /** Where the next batch's row goes in {@code buf}: its losses, then its guard. */
        long nextOffset() {
            if (next >= capacity) throw new IllegalStateException(name + ": more batches than the loss log holds (" + capacity + ")");
            return (long) next * width;
        }

        /** Records that the batch at {@link #nextOffset()} ran on {@code b} samples ({@code where}: null when evaluating). */
        void commit(int b, At where, long iterations) {
            rows[next] = b;
            at[next] = where;
            iterationsBefore[next] = iterations;
            next++;
        }

        boolean pending() { return next > first; }

        /**
         * Reads the pending rows, checks them and adds them to {@code acc}; returns the summed loss of the
         * last batch (NaN when nothing was pending). Throws the NonFiniteException of the first failed batch.
         */
        double fold(Acc acc) {
            if (next == first) return Double.NaN;
            float[] v = new float[(next - first) * width];
            backend.download(buf, (long) first * width, v, 0, v.length);
            double last = Double.NaN;
            for (int s = first; s < next; s++) {
                int b = rows[s], base = (s - first) * width;
                float status = v[base + k];
                double total = 0;
                for (int kk = 0; kk < k; kk++) {
                    if (ys.get(kk) == null) continue;
                    float l = v[base + kk];
                    if (!Float.isFinite(l)) {
                        first = next;
                        throw lossFailure(s, l, kk);
                    }
                    total += l;
                }
                if (status != 0f) {
                    first = next;
                    throw stepFailure(s, status, total);
                }
                for (int kk = 0; kk < k; kk++) if (ys.get(kk) != null) acc.outLoss[kk] += (double) v[base + kk] * b;
                acc.lossSum += total * b;
                acc.samples += b;
                last = total;
            }
            first = next;
            return last;
        }

        private NonFiniteException lossFailure(int s, float l, int output) {
            String out = outputs.get(output).call.layer.name();
            if (at[s] == null) {
                return new NonFiniteException(name + ": the loss became " + l + " (output " + out
                        + ") while evaluating: the weights or the data hold values too large for float32", "loss", -1, -1, null);
            }
            optimizer.iterations(iterationsBefore[s]);   // the device skipped this update and every later one
            return at[s].failure("the loss became " + l + " " + at[s].text() + " (output " + out + ")", "loss");
        }

        private NonFiniteException stepFailure(int s, float status, double loss) {
            At where = at[s];
            if (status == GUARD_WEIGHTS) {
                optimizer.iterations(iterationsBefore[s] + 1);   // it ran; the device undid its result
                return where.failure("the weights became NaN or infinite in the update " + where.text(), "weights");
            }
            optimizer.iterations(iterationsBefore[s]);
            if (status == GUARD_GRADIENTS) {
                return where.failure("the gradients became NaN or infinite " + where.text() + " (loss " + loss + ")", "gradients");
            }
            return where.failure("the loss became non-finite " + where.text(), "loss");
        }

        /** Starts over (next epoch); unread rows are dropped. */
        void reset() {
            first = next = 0;
        }

        @Override
        public void close() {
            buf.close();
            guard.close();
        }
    }

    /**
     * Loss of one batch over every output with a target, written (without a sync) to
     * {@code lossOut[lossOff + k]} for output k; a non-finite one sets {@code guard} (nullable) to GUARD_LOSS.
     * Fills {@code dOut} with the loss gradients (when not null).
     * With metrics and an {@code acc}, the predictions are read back and the metrics added to it.
     */
    private void batchLoss(Pass p, Data d, List<DTensor> targets, int[] order, int from, int to,
                           Map<Node, DTensor> dOut, Buf lossOut, long lossOff, Acc acc, Buf guard) {
        int b = to - from;
        for (int k = 0; k < outputs.size(); k++) {
            Tensor y = d.ys().get(k);
            DTensor tgt = targets.get(k);
            if (y == null || tgt == null) continue;
            Node on = outputs.get(k);
            DTensor pred = p.value(on);
            int cols = pred.dim(-1);
            long size = pred.size();
            int rows = (int) (size / cols);
            int ySample = y.size() / y.dim(0);
            long need = loss.sparse() ? rows / b : size / b;
            if (ySample != need) {
                throw new IllegalArgumentException(name + ": target" + (outputs.size() > 1 ? " " + k : "") + " has shape "
                        + Tensor.shapeString(y.shape()) + " (" + ySample + " values per sample), output " + on.call.layer.name()
                        + " " + Tensor.shapeString(Node.withBatch(Arrays.copyOfRange(pred.shape(), 1, pred.rank()), -1))
                        + " needs " + need + " per sample for loss " + Losses.kerasName(loss)
                        + (loss.sparse() ? " (one class index per row)" : ""));
            }
            DTensor w = rowWeights(p, p.masks.get(on), pred, rows);
            DTensor g = p.own(DTensor.zeros(backend, pred.shape()));
            backend.lossAsync(loss, rows, cols, pred.buf(), 0, tgt.buf(), 0, w == null ? null : w.buf(), 0, g.buf(), 0,
                    lossOut, lossOff + k);
            if (guard != null) backend.finiteGuard(1, lossOut, lossOff + k, GUARD_LOSS, guard, 0);
            if (dOut != null) dOut.merge(on, g, (a, bb) -> {
                backend.axpy(bb.size(), 1f, bb.buf(), 0, a.buf(), 0);
                return a;
            });
            if (acc != null && !metrics.isEmpty()) {
                float[] pr = new float[(int) size];
                backend.download(pred.buf(), 0, pr, 0, pr.length);
                float[] yt = gatherRows(y, order, from, to);
                float[] wh = null;
                if (w != null) {
                    wh = new float[rows];
                    backend.download(w.buf(), 0, wh, 0, rows);
                }
                for (int j = 0; j < metrics.size(); j++) {
                    Metric m = metrics.get(j);
                    acc.metricSum[k][j] += m.sum(loss, rows, cols, pr, yt, wh);
                    acc.metricCount[k][j] += m.count(loss, rows, cols, wh);
                }
            }
        }
    }

    /**
     * Row weights that drop masked timesteps from a sequence loss: the [B, T] mask scaled so the
     * mean runs over the valid rows only (on the device). Null when the output has no mask or is not a sequence.
     */
    private DTensor rowWeights(Pass p, DTensor mask, DTensor pred, int rows) {
        if (mask == null || pred.rank() != 3 || mask.rank() != 2) return null;
        if (mask.dim(0) != pred.dim(0) || mask.dim(1) != pred.dim(1) || (long) mask.dim(0) * mask.dim(1) != rows) return null;
        DTensor w = p.own(DTensor.zeros(backend, rows));
        backend.copy(mask.buf(), 0, w.buf(), 0, rows);
        backend.scaleToSum(rows, rows, w.buf(), 0);   // mask * rows / valid rows; all-masked stays 0
        return w;
    }

    // ================================================================== fit

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
     * after every batch when a callback overrides {@link Callback#onBatchEnd}. NaN checks run on the device
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
        Data all = prepare(xs, ys, o.lengths, "fit", true, o.checkFinite);
        Data train = all;
        Data val = null;
        if (o.validationX != null) {
            val = prepare(o.validationX, o.validationY, o.validationLengths, "fit (validation data)", true, o.checkFinite);
        } else if (o.validationSplit > 0) {
            int split = (int) Math.floor(all.n() * (1.0 - o.validationSplit));
            if (split <= 0 || split >= all.n()) {
                throw new IllegalArgumentException(name + ".fit: validationSplit " + o.validationSplit + " of " + all.n()
                        + " samples leaves " + split + " for training and " + (all.n() - split) + " for validation; both need at least one");
            }
            train = all.subset(0, split);
            val = all.subset(split, all.n());
        }
        SplittableRandom rng = o.seed != null ? new SplittableRandom(o.seed) : Jrnn.nextRandom();
        PrintStream out = o.out != null ? o.out : System.out;
        java.io.Console console = System.console();
        boolean dynamic = o.out == null && console != null && console.isTerminal();   // redraw in place only on a terminal
        int n = train.n();
        int bs = Math.min(o.batchSize, n);
        int steps = (n + bs - 1) / bs;
        boolean perBatch = false;
        for (Callback cb : o.callbacks) perBatch |= wantsBatchLoss(cb);
        History h = new History();
        stopTraining = false;
        try (LossLog log = new LossLog(steps, train.ys());
             TrainGraphs graphs = o.cudaGraphs && metrics.isEmpty() && !graphsBroken ? new TrainGraphs() : null) {
            for (Callback cb : o.callbacks) cb.onTrainBegin(this);
            for (int epoch = 0; epoch < o.epochs; epoch++) {
                if (o.verbose > 0) out.println("Epoch " + (epoch + 1) + "/" + o.epochs);
                for (Callback cb : o.callbacks) cb.onEpochBegin(epoch, this);
                int[] order = train.rows().clone();
                if (o.shuffle) {
                    for (int i = order.length - 1; i > 0; i--) {
                        int j = rng.nextInt(i + 1);
                        int t = order[i];
                        order[i] = order[j];
                        order[j] = t;
                    }
                }
                ProgressBar bar = new ProgressBar(out, steps, o.verbose, dynamic);
                Acc acc = new Acc(train.ys());
                log.reset();
                long lastRead = System.nanoTime();
                for (int s = 0; s < steps; s++) {
                    int from = s * bs, to = Math.min(n, from + bs);
                    long off = log.nextOffset();
                    long before = optimizer.iterations();
                    if (graphs != null) graphs.step(train, order, from, to, log.buf, off, log.guard, o.checkFinite);
                    else trainStep(train, order, from, to, log.buf, off, acc, log.guard, o.checkFinite);
                    log.commit(to - from, new At(this, epoch, o.epochs, s, steps, h), before);
                    if (perBatch) {
                        double l = log.fold(acc);
                        for (Callback cb : o.callbacks) cb.onBatchEnd(s, l, this);
                    }
                    if (o.verbose == 1 && dynamic) {
                        long now = System.nanoTime();
                        if (log.pending() && now - lastRead >= READ_INTERVAL_NS) {
                            log.fold(acc);
                            lastRead = now;
                        }
                        bar.update(s + 1, acc.logs());
                    }
                }
                log.fold(acc);
                Map<String, Double> logs = acc.logs();
                if (val != null) {
                    for (Map.Entry<String, Double> e : evaluateData(val, bs).entrySet()) logs.put("val_" + e.getKey(), e.getValue());
                }
                bar.finish(logs);
                h.add(epoch, logs);
                for (Callback cb : o.callbacks) cb.onEpochEnd(epoch, Collections.unmodifiableMap(logs), this);
                if (stopTraining) break;
            }
            for (Callback cb : o.callbacks) cb.onTrainEnd(this);
        }
        return h;
    }

    /** How often the live progress bar reads the losses back (a synchronizing download) at most. */
    private static final long READ_INTERVAL_NS = 100_000_000L;

    /** Whether {@code cb} overrides {@link Callback#onBatchEnd} (and so needs every batch's loss at once). */
    private static boolean wantsBatchLoss(Callback cb) {
        try {
            return cb.getClass().getMethod("onBatchEnd", int.class, double.class, Model.class).getDeclaringClass() != Callback.class;
        } catch (NoSuchMethodException e) {
            return true;
        }
    }

    /** Where a training step runs (epoch and batch from 0, -1 in trainOnBatch), for NonFiniteException. */
    private record At(Model m, int epoch, int epochs, int batch, int batches, History history) {
        String text() {
            return epoch < 0 ? "in trainOnBatch" : "at epoch " + (epoch + 1) + "/" + epochs + ", batch " + (batch + 1) + "/" + batches;
        }

        NonFiniteException failure(String what, String quantity) {
            return new NonFiniteException(m.name + ": " + what + "; the update was not applied, weights kept from the last finite step."
                    + " Lower the learning rate, clip gradients (Optimizer.clipnorm) or check the data", quantity, epoch, batch, history);
        }
    }

    /**
     * Forward, loss, backward and one optimizer step on a batch already on the device, queuing only
     * asynchronous work (unless metrics go to {@code acc}): the losses go to {@code lossOut[lossOff + k]},
     * the NaN guard's state after the step to {@code lossOut[lossOff + outputs]}. A non-finite loss (and,
     * with {@code check}, non-finite gradients) sets the guard and the device skips the update; with
     * {@code check}, weights that the update made non-finite are restored from a copy on the device. A set
     * guard skips every later update too, so whenever the host reads it the weights are those of the last
     * finite step.
     */
    private void step(Batch b, Data d, int[] order, int from, int to, Buf lossOut, long lossOff, Acc acc, Buf guard,
                      boolean check) {
        try (Pass p = forward(b.xs, b.mask, true, false)) {
            Map<Node, DTensor> dOut = new IdentityHashMap<>();
            batchLoss(p, d, b.ys, order, from, to, dOut, lossOut, lossOff, acc, guard);
            store.zeroGrads();
            backward(p, dOut);
            boolean guardWeights = check && trainableSize > 0;
            if (guardWeights) {
                backend.finiteGuard(trainableSize, store.grads(), 0, GUARD_GRADIENTS, guard, 0);
                if (backup == null) backup = backend.alloc(trainableSize);
                backend.copy(store.values(), 0, backup, 0, trainableSize);
            }
            optimizer.step(store, trainableParams, trainableSize, guard);
            if (guardWeights) {
                backend.finiteGuard(trainableSize, store.values(), 0, GUARD_WEIGHTS, guard, 0);
                backend.copyIfGuard(trainableSize, guard, 0, backup, 0, store.values(), 0);
            }
            backend.copy(guard, 0, lossOut, lossOff + outputs.size(), 1);
        }
    }

    /** One eager train step on rows {@code order[from, to)}: uploads the batch, then {@link #step}. */
    private void trainStep(Data d, int[] order, int from, int to, Buf lossOut, long lossOff, Acc acc, Buf guard,
                           boolean check) {
        try (Batch b = new Batch(d, order, from, to, true)) {
            step(b, d, order, from, to, lossOut, lossOff, acc, guard, check);
        }
    }

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
        Data d = prepare(xs, Collections.singletonList(y), null, "trainOnBatch", true, true);
        try (LossLog log = new LossLog(1, d.ys())) {
            long off = log.nextOffset();
            long before = optimizer.iterations();
            trainStep(d, d.rows(), 0, d.n(), log.buf, off, null, log.guard, true);
            log.commit(d.n(), new At(this, -1, 0, -1, 0, null), before);
            return log.fold(new Acc(d.ys()));
        }
    }

    // ================================================================== CUDA graphs of train steps

    /** Set when a step could not be captured: later fits of this model run eagerly (logged once). */
    private boolean graphsBroken;

    /**
     * The captured train steps of one fit, one per batch size. Each has fixed device buffers for the
     * batch (inputs, length mask, targets) and for its losses: the first step of a size runs eagerly on
     * them (warm-up: cuBLAS and the pool's caches, the optimizer's state), the second is captured and
     * replayed, and every later batch of that size is copied into the same buffers and replayed, which
     * also advances the device-side counters (Adam's t, Dropout's draws). A changed optimizer setting or
     * optimizer/store re-captures; a step that cannot be captured (a synchronizing call inside a layer)
     * runs eagerly from then on; the CPU backend cannot capture and runs every step eagerly.
     */
    private final class TrainGraphs implements AutoCloseable {
        private final Map<Integer, Entry> entries = new HashMap<>();
        private boolean off;

        private final class Entry implements AutoCloseable {
            Batch fixed;
            Buf loss;
            boolean warmedUp;
            GraphCapture graph;
            Optimizer forOptimizer;
            ParamStore forStore;
            long forVersion;
            Buf forGuard;
            boolean forCheck;

            void dropGraph() {
                if (graph != null) graph.close();
                graph = null;
            }

            @Override
            public void close() {
                try {
                    dropGraph();
                } finally {
                    if (fixed != null) fixed.close();
                    if (loss != null) loss.close();
                }
            }
        }

        void step(Data d, int[] order, int from, int to, Buf lossOut, long lossOff, Buf guard, boolean check) {
            int b = to - from;
            Entry e = entries.get(b);
            if (e == null) {
                e = new Entry();
                entries.put(b, e);
                e.fixed = new Batch(d, order, from, to, true);
                e.loss = backend.alloc(outputs.size() + 1);
            } else {
                e.fixed.refill(d, order, from, to);
            }
            if (e.graph != null && (e.forOptimizer != optimizer || e.forStore != store || e.forVersion != optimizer.version()
                    || e.forGuard != guard || e.forCheck != check)) {
                e.dropGraph();
            }
            if (e.graph != null) {
                e.graph.replay();
                optimizer.countReplayedStep();
            } else if (off || !e.warmedUp) {
                Model.this.step(e.fixed, d, order, from, to, e.loss, 0, null, guard, check);
                e.warmedUp = true;
            } else {
                capture(e, d, order, from, to, guard, check);
            }
            backend.copy(e.loss, 0, lossOut, lossOff, outputs.size() + 1);
        }

        private void capture(Entry e, Data d, int[] order, int from, int to, Buf guard, boolean check) {
            long iterations = optimizer.iterations();
            GraphCapture g;
            try {
                g = backend.capture(() -> Model.this.step(e.fixed, d, order, from, to, e.loss, 0, null, guard, check));
            } catch (RuntimeException ex) {
                optimizer.iterations(iterations);   // the captured step never ran
                off = true;
                graphsBroken = true;
                logCaptureFailure(ex);
                g = null;
            }
            if (g == null) {   // the backend cannot capture (CPU), or it failed: eager from now on
                off = true;
                Model.this.step(e.fixed, d, order, from, to, e.loss, 0, null, guard, check);
                return;
            }
            e.graph = g;
            e.forOptimizer = optimizer;
            e.forStore = store;
            e.forVersion = optimizer.version();
            e.forGuard = guard;
            e.forCheck = check;
            g.replay();   // capturing ran nothing: this replay is the step
        }

        @Override
        public void close() {
            RuntimeException first = null;
            for (Entry e : entries.values()) {
                try {
                    e.close();
                } catch (RuntimeException ex) {
                    if (first == null) first = ex;
                }
            }
            entries.clear();
            if (first != null) throw first;
        }
    }

    private void logCaptureFailure(RuntimeException ex) {
        System.getLogger(Model.class.getName()).log(System.Logger.Level.WARNING, name + ": the train step could not be"
                + " captured into a CUDA graph, running it eagerly (" + ex + ")");
    }

    // ================================================================== evaluate

    private Map<String, Double> evaluateData(Data d, int batchSize) {
        Acc acc = new Acc(d.ys());
        int n = d.n();
        int bs = Math.max(1, Math.min(batchSize, n));
        try (LossLog log = new LossLog((n + bs - 1) / bs, d.ys())) {
            for (int from = 0; from < n; from += bs) {
                int to = Math.min(n, from + bs);
                long off = log.nextOffset();
                try (Batch b = new Batch(d, d.rows(), from, to, true); Pass p = forward(b.xs, b.mask, false, false)) {
                    batchLoss(p, d, b.ys, d.rows(), from, to, null, log.buf, off, acc, null);
                }
                log.commit(to - from, null, 0);
            }
            log.fold(acc);
        }
        return acc.logs();
    }

    /** The mean loss on {@code (x, y)} (batch size 32), as Keras' evaluate. */
    public double evaluate(Tensor x, Tensor y) {
        return evaluateAll(Collections.singletonList(x), Collections.singletonList(y), 32, null).get("loss");
    }

    /** Loss and metrics ("loss", "accuracy", ...) on the given data. */
    public Map<String, Double> evaluateAll(List<Tensor> xs, List<Tensor> ys, int batchSize, int[] lengths) {
        requireCompiled("evaluate");
        requireOpen("evaluate");
        if (batchSize < 1) throw new IllegalArgumentException(name + ".evaluate: batchSize must be >= 1, got " + batchSize);
        ensureBuiltSafely(xs);
        return evaluateData(prepare(xs, ys, lengths, "evaluate", true, true), batchSize);
    }

    // ================================================================== predict

    /** The model's (first) output for {@code x}, computed in batches of 32. */
    public Tensor predict(Tensor x) {
        return predictAll(Collections.singletonList(x), 32, null).get(0);
    }

    /** Predictions for post-padded sequences with per-sample valid {@code lengths}. */
    public Tensor predict(Tensor x, int[] lengths) {
        return predictAll(Collections.singletonList(x), 32, lengths).get(0);
    }

    /** Every output of the model, for every input tensor, in batches of {@code batchSize}. */
    public List<Tensor> predictAll(List<Tensor> xs, int batchSize, int[] lengths) {
        requireOpen("predict");
        if (batchSize < 1) throw new IllegalArgumentException(name + ".predict: batchSize must be >= 1, got " + batchSize);
        ensureBuiltSafely(xs);
        Data d = prepare(xs, null, lengths, "predict", false, true);
        int n = d.n();
        float[][] out = new float[outputs.size()][];
        int[][] shapes = new int[outputs.size()][];
        for (int from = 0; from < n; from += batchSize) {
            int to = Math.min(n, from + batchSize);
            try (Pass p = forwardBatch(d, d.rows(), from, to, false)) {
                for (int k = 0; k < outputs.size(); k++) {
                    DTensor v = p.value(outputs.get(k));
                    int row = (int) (v.size() / v.dim(0));
                    if (out[k] == null) {
                        shapes[k] = v.shape();
                        shapes[k][0] = n;
                        out[k] = new float[Math.multiplyExact(n, row)];
                    }
                    backend.download(v.buf(), 0, out[k], from * row, (to - from) * row);
                }
            }
        }
        List<Tensor> r = new ArrayList<>();
        for (int k = 0; k < outputs.size(); k++) r.add(Tensor.wrap(out[k], shapes[k]));
        return r;
    }

    // ================================================================== weights

    /** All weights: trainable ones in layer order, then non-trainable ones (Keras' get_weights order). */
    public List<Tensor> getWeights() {
        ensureGraph();
        requireOpen("getWeights");
        List<Tensor> w = new ArrayList<>();
        for (Param p : params) w.add(p.get());
        return w;
    }

    /** Sets all weights, in {@link #getWeights()} order and shapes. */
    public void setWeights(List<Tensor> weights) {
        ensureGraph();
        requireOpen("setWeights");
        if (weights == null || weights.size() != params.size()) {
            throw new IllegalArgumentException(name + ".setWeights: expected " + params.size() + " arrays, got "
                    + (weights == null ? "null" : weights.size()));
        }
        List<String> names = weightNames();
        for (int i = 0; i < params.size(); i++) {
            Tensor t = weights.get(i);
            Param p = params.get(i);
            if (t == null || !Arrays.equals(t.shape(), p.shape())) {
                throw new IllegalArgumentException(name + ".setWeights: " + names.get(i) + " expected shape "
                        + Tensor.shapeString(p.shape()) + ", got " + (t == null ? "null" : Tensor.shapeString(t.shape())));
            }
            String bad = nonFiniteAt(t);
            if (bad != null) throw new IllegalArgumentException(name + ".setWeights: " + names.get(i) + " " + bad);
        }
        for (int i = 0; i < params.size(); i++) params.get(i).set(weights.get(i));
    }

    /**
     * Keras variable names of the weights, in {@link #getWeights()} order: {@code layer/param}
     * ("lstm/kernel", "lstm/recurrent_kernel", "dense/bias", ...).
     */
    public List<String> weightNames() {
        ensureGraph();
        List<String> names = new ArrayList<>();
        Map<String, Integer> seen = new HashMap<>();
        for (Param p : params) {
            String n = variablePath(owners.get(p), p) + p.name();
            int c = seen.merge(n, 1, Integer::sum);
            names.add(c == 1 ? n : n + "_" + (c - 1));
        }
        return names;
    }

    /** "layer/" or, inside a Bidirectional wrapper, "bidirectional/forward_lstm/" (Keras' variable scopes). */
    private static String variablePath(Layer owner, Param p) {
        if (owner instanceof Bidirectional bi) {
            for (Layer inner : List.of(bi.forwardLayer(), bi.backwardLayer())) {
                for (Param q : inner.params()) if (q == p) return owner.name() + "/" + inner.name() + "/";
            }
        }
        return owner.name() + "/";
    }

    /** Saves all weights as safetensors with Keras variable names (written atomically: temp file + rename). */
    public void saveWeights(Path file) throws IOException {
        ensureGraph();
        requireOpen("saveWeights");
        if (file == null) throw new IllegalArgumentException(name + ".saveWeights: file is null");
        Map<String, Tensor> m = new LinkedHashMap<>();
        List<String> names = weightNames();
        for (int i = 0; i < params.size(); i++) m.put(names.get(i), params.get(i).get());
        Map<String, String> meta = new LinkedHashMap<>();
        meta.put("format", "jrnn");
        meta.put("model", name);
        SafeTensors.write(file, m, meta);
    }

    /**
     * Loads weights saved by {@link #saveWeights} (or any safetensors file with the same Keras
     * names and shapes), or a Keras HDF5 / .keras file (by structure, as Keras' load_weights; see
     * {@link dev.jrnn.io.keras.KerasImport#loadWeights}). Every weight must be present, with its shape, finite, and nothing else: the
     * header is compared with the model before any data is read, and one IllegalArgumentException lists
     * every difference. On any error (IOException for a corrupt file) the model is unchanged.
     */
    public void loadWeights(Path file) throws IOException {
        ensureGraph();
        requireOpen("loadWeights");
        if (file == null) throw new IllegalArgumentException(name + ".loadWeights: file is null");
        if (dev.jrnn.io.keras.KerasImport.isKerasFile(file)) { dev.jrnn.io.keras.KerasImport.loadWeights(this, file); return; }
        List<String> names = weightNames();
        Map<String, int[]> header = SafeTensors.shapes(file);
        List<String> problems = new ArrayList<>();
        List<String> missing = new ArrayList<>();
        for (String n : names) if (!header.containsKey(n)) missing.add(n);
        List<String> extra = new ArrayList<>();
        for (String n : header.keySet()) if (!names.contains(n)) extra.add(n);
        if (!missing.isEmpty()) problems.add("missing " + missing);
        if (!extra.isEmpty()) problems.add("unexpected " + extra);
        for (int i = 0; i < names.size(); i++) {
            int[] got = header.get(names.get(i));
            int[] want = params.get(i).shape();
            if (got != null && !Arrays.equals(got, want)) {
                problems.add(names.get(i) + " expected shape " + Tensor.shapeString(want) + ", got "
                        + (got.length == 0 ? "() (a scalar)" : Tensor.shapeString(got)));
            }
        }
        if (!problems.isEmpty()) {
            throw new IllegalArgumentException(name + ".loadWeights(" + file + "): the file does not match the model: "
                    + String.join("; ", problems));
        }
        Map<String, Tensor> m = SafeTensors.read(file);
        List<Tensor> ws = new ArrayList<>();
        for (String n : names) {
            Tensor t = m.get(n);
            if (t == null) throw new IOException(file + ": tensor '" + n + "' disappeared while reading (the file changed)");
            String bad = nonFiniteAt(t);
            if (bad != null) problems.add(n + " " + bad);
            ws.add(t);
        }
        if (!problems.isEmpty()) {
            throw new IllegalArgumentException(name + ".loadWeights(" + file + "): the file holds non-finite weights: "
                    + String.join("; ", problems));
        }
        setWeights(ws);
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
        if (backup != null) {
            backup.close();
            backup = null;
        }
        if (store != null) store.close();
        for (Layer l : layers) l.releaseBuffers();
    }

    @Override
    public String toString() {
        return getClass().getSimpleName() + "(" + name + ")";
    }
}
