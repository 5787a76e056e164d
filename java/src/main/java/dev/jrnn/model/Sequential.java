package dev.jrnn.model;

import dev.jrnn.layers.Bidirectional;
import dev.jrnn.layers.Layer;
import dev.jrnn.layers.Node;
import dev.jrnn.layers.RecurrentLayer;
import dev.jrnn.tensor.Tensor;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * A linear stack of single-output layers, as Keras' {@code Sequential}. The input shape comes from an
 * {@link Input} added first (Keras 3's way), from the first layer, declared the three Keras 2 ways, or from
 * the first batch given to fit/predict.
 *
 * <pre>{@code
 * Sequential model = new Sequential();
 * model.add(new SimpleRNN(3).inputShape(2, 10));          // input_shape=(2, 10)
 * // or .batchInputShape(8, 2, 10)                         // batch_input_shape=(8, 2, 10)
 * // or .inputLength(2).inputDim(10)                       // input_length=2, input_dim=10
 * model.summary();                                          // simple_rnn (SimpleRNN)  (None, 3)  42
 * new Sequential(Input.shape(2, 10), new SimpleRNN(3));    // Keras 3: Sequential([Input(shape=(2, 10)), SimpleRNN(3)])
 * }</pre>
 */
public class Sequential extends Model {
    private final List<Layer> stack = new ArrayList<>();
    /** The Input added before any layer (Keras 3's {@code Sequential([Input(shape), ...])}), or null. */
    private Input declared;
    private Input input;
    private Node last;
    private boolean stale;

    /** A model of {@code layers} in order (none: add them later); their names must differ, as in Keras. */
    public Sequential(Layer... layers) {
        super("sequential");
        addAll(layers);
    }

    /**
     * A model of {@code layers} on {@code input}, as Keras 3's {@code Sequential([Input(shape=(3, 1)), LSTM(4)])}:
     * {@code new Sequential(Input.shape(3, 1), new LSTM(4), new Dense(1))}.
     */
    public Sequential(Input input, Layer... layers) {
        super("sequential");
        add(input);
        addAll(layers);
    }

    private void addAll(Layer[] layers) {
        if (layers == null) return;
        List<Layer> unbuilt = unbuilt(Arrays.asList(layers));
        try {
            for (Layer l : layers) add(l);
        } catch (RuntimeException | Error e) {
            // nothing can use a model that was never made: free what its construction built
            discardBuilds(unbuilt);
            throw e;
        }
    }

    /** The distinct layers of {@code layers} that are not built yet. */
    private static List<Layer> unbuilt(List<Layer> layers) {
        List<Layer> r = new ArrayList<>();
        for (Layer l : layers) if (l != null && !l.isBuilt() && !r.contains(l)) r.add(l);
        return r;
    }

    /** Undoes the builds a failed build or add made of {@code wereUnbuilt}, so that a corrected call builds them afresh. */
    private static void discardBuilds(List<Layer> wereUnbuilt) {
        for (Layer l : wereUnbuilt) if (l.isBuilt()) l.discardBuild();
    }

    @Override
    public Sequential name(String n) {
        super.name(n);
        return this;
    }

    @Override
    public Sequential trainable(boolean b) {
        super.trainable(b);
        return this;
    }

    /**
     * Declares the model's input before any layer, as Keras 3's {@code model.add(Input(shape=(3, 1)))}: the layers are
     * built for it as they are added. {@code model.add(Input.shape(3, 1)).add(new LSTM(4))}.
     */
    public Sequential add(Input in) {
        return setup.guard.writing("add", () -> addAlone(in));
    }

    private Sequential addAlone(Input in) {
        if (in == null) throw new IllegalArgumentException(name() + ".add: input is null");
        if (input != null || declared != null) {
            throw new IllegalArgumentException(name() + ".add: the model already has its input "
                    + (input != null ? input : declared).shapeString() + "; it cannot take another Input");
        }
        if (!stack.isEmpty()) {
            throw new IllegalArgumentException(name() + ".add: an Input comes before the layers, the model already has "
                    + stack.size() + " (first " + stack.get(0).name() + "); declare it first, or on the first layer (inputShape)");
        }
        declared = in;
        return this;
    }

    /**
     * Appends a layer; builds it right away when the model's input shape is known. A layer named as one of the model's
     * layers (or its Input) is refused, as Keras' add refuses it, and the model is left as it was.
     */
    public Sequential add(Layer layer) {
        return setup.guard.writing("add", () -> addAlone(layer));
    }

    private Sequential addAlone(Layer layer) {
        if (layer == null) throw new IllegalArgumentException(name() + ".add: layer is null");
        if (layer instanceof InputLayer il) return add((Input) il.calls().get(0).outputs().get(0));   // as Keras: the Input's layer
        for (Layer l : stack) {
            if (l == layer) throw new IllegalArgumentException(name() + ".add: layer " + layer.name() + " is already in the model");
        }
        requireUniqueName(layer);
        if (layer instanceof dev.jrnn.layers.Merge) {   // Keras: "A merge layer should be called on a list of inputs"
            throw new IllegalArgumentException(name() + ".add: layer " + layer.name() + " (" + layer.kerasClass() + ") merges a list of"
                    + " inputs, and a Sequential gives each layer one input; use the functional API (new Model(inputs, outputs))");
        }
        if (stack.isEmpty()) {
            Input first = firstInput(layer);
            stack.add(layer);
            if (first != null) {
                try {
                    buildFrom(first);
                } catch (RuntimeException e) {
                    stack.clear();
                    input = null;
                    last = null;
                    throw e;
                }
            }
            return this;
        }
        if (input != null) {
            List<Layer> fresh = unbuilt(List.of(layer));
            Node out = layer.apply(last);
            if (out.all().size() != 1) {
                discardBuilds(fresh);
                throw new IllegalArgumentException(name() + ".add: layer " + layer.name() + " (" + layer.kerasClass() + ") has "
                        + out.all().size() + " outputs; all layers in a Sequential model should have a single output "
                        + multiOutputHint(layer));
            }
            last = out;
            stale = true;
        }
        stack.add(layer);
        return this;
    }

    /**
     * What makes a layer give several outputs, for the refusal: a Bidirectional's {@code mergeMode(null)} (the forward and
     * backward outputs apart) and {@code returnState(true)} are the usual causes; the message names the one(s) set.
     */
    static String multiOutputHint(Layer layer) {
        boolean unmerged = layer instanceof Bidirectional b && "none".equals(b.mergeMode());
        boolean states = layer instanceof Bidirectional b ? b.returnState()
                : layer instanceof RecurrentLayer r && r.returnState();
        if (unmerged && states) {
            return "(mergeMode(null) returns the forward and backward outputs apart and returnState(true) adds the states: "
                    + "set a merge mode such as \"concat\" and no returnState, or use the functional API)";
        }
        if (unmerged) {
            return "(mergeMode(null) returns the forward and backward outputs apart: set a merge mode such as \"concat\", "
                    + "or use the functional API)";
        }
        if (states) return "(returnState(true) adds the states as outputs: use the functional API for returnState)";
        return "(use the functional API for a layer of several outputs)";
    }

    /** Keras' add refuses a layer named as another of the model (its InputLayer included): names find layers and weights. */
    private void requireUniqueName(Layer layer) {
        Input in = input != null ? input : declared;
        String other = null;
        for (Layer l : stack) if (l.name().equals(layer.name())) other = l.name() + " (" + l.kerasClass() + ")";
        if (other == null && in != null && in.name().equals(layer.name())) other = in.name() + " (InputLayer)";
        if (other != null) {
            throw new IllegalArgumentException(name() + ".add: layer names must be unique in a Sequential model; expected a name no "
                    + "layer of the model has, got '" + layer.name() + "' (" + layer.kerasClass() + "), already the name of " + other
                    + ": give the layer another name with .name(...)");
        }
    }

    /**
     * Removes the last layer and returns it, as Keras' {@code model.pop()}: the model's output is then the layer
     * before's, and a layer added next is built on it (the popped layer keeps its weights). Popping the only layer
     * keeps the model's input, as Keras keeps its InputLayer. The compiled loss, optimizer and metrics stay, as in Keras.
     * <pre>{@code
     * Sequential m = new Sequential(new LSTM(8).inputShape(10, 1), new Dense(1));
     * m.pop();                                   // drop the head
     * m.add(new Dense(3).activation("softmax")); // a new one on the LSTM
     * m.compile("adam", "sparse_categorical_crossentropy");
     * }</pre>
     */
    public Layer pop() {
        return setup.guard.writing("pop", this::popAlone);
    }

    private Layer popAlone() {
        requireOpen("pop");
        if (stack.isEmpty()) throw new IllegalStateException(name() + ".pop: there are no layers in the model");
        Layer popped = stack.remove(stack.size() - 1);
        if (input != null) {
            keepOwnWeights(popped);
            if (stack.isEmpty()) {
                declared = input;   // Keras keeps the InputLayer
                input = null;
                last = null;
                dropGraph();
            } else {
                last = popped.calls().stream().filter(c -> c.outputs().contains(last)).findFirst().orElseThrow().inputs().get(0);
                stale = true;
            }
        }
        return popped;
    }

    /**
     * Moves the weights of {@code popped} that no remaining layer shares out of the model's store into one of their own,
     * so that the layer keeps them (readable, reusable in another model) when the model's store is rebuilt or closed.
     */
    private void keepOwnWeights(Layer popped) {
        java.util.Set<dev.jrnn.layers.Param> kept = java.util.Collections.newSetFromMap(new java.util.IdentityHashMap<>());
        for (Layer l : stack) kept.addAll(l.params());
        dev.jrnn.layers.ParamStore.detach(popped, kept);
    }

    /** The input the first layer is built for: the Input added before it, or the one it declares (or null). */
    private Input firstInput(Layer layer) {
        int[] shape = layer.declaredInputShape();
        int batch = layer.declaredBatchSize();
        if (declared == null) {
            if (shape == null) return null;
            return ownInput(layer, batch > 0 ? Input.batchShape(batch, shape) : Input.shape(shape));
        }
        if (shape != null && (!Arrays.equals(shape, declared.shape()) || batch > 0 && batch != declared.batchSize())) {
            throw new IllegalArgumentException(name() + ".add: layer " + layer.name() + " declares input "
                    + Tensor.shapeString(Node.withBatch(shape, batch)) + ", the model's Input is " + declared.shapeString()
                    + "; declare it once");
        }
        return declared;
    }

    /**
     * Builds for per-sample input {@code shape} (batch excluded), as Keras' {@code model.build((None,) + shape)}; on a built
     * model the same shape does nothing and another is refused (as Keras 3). {@code build()} with no shape builds for the
     * input the model declares (nothing to do once built, as Keras 3's {@code model.build()}); a model that declares none is
     * refused, naming what is missing:
     * <pre>{@code
     * Sequential m = new Sequential(new LSTM(4).inputShape(16, 6), new Dense(1));
     * m.build();   // already built for (None, 16, 6): returns m
     * new Sequential(new LSTM(4), new Dense(1)).build(16, 6);   // builds for (None, 16, 6)
     * }</pre>
     */
    public Sequential build(int... shape) {
        if (input != null) return buildAlone(shape);   // built: returns or refuses, changes nothing
        return setup.guard.writing("build", () -> buildAlone(shape));
    }

    private Sequential buildAlone(int... shape) {
        if (shape == null) throw new IllegalArgumentException(name() + ".build: shape is null, expected the per-sample input shape (build(16, 6))");
        if (shape.length == 0 && input != null) return this;   // Keras 3's model.build(): nothing to do on a built model
        if (shape.length == 0 && !stack.isEmpty()) {
            throw new IllegalStateException(name() + ".build(): no input shape given and the model declares none; give the per-sample"
                    + " shape (build(16, 6) for input (None, 16, 6)), declare it on the first layer (" + stack.get(0).kerasClass()
                    + "(...).inputShape(16, 6)) or add an Input first (Input.shape() for one value per sample)");
        }
        if (input != null) {
            if (Arrays.equals(shape, input.shape()) || summaryBuilt && fits(input.shape(), shape)) return this;
            throw new IllegalStateException(name() + " is already built for input " + input.shapeString() + ", cannot build it for "
                    + Tensor.shapeString(Node.withBatch(shape, -1)));
        }
        if (stack.isEmpty()) throw new IllegalStateException(name() + ": add layers before building");
        buildFrom(ownInput(stack.get(0), Input.shape(shape)));
        return this;
    }

    /**
     * The Input a Sequential makes itself (from a declared shape, {@code build} or the first batch), named as tf.keras 2
     * names it, {@code <first layer>_input}: it takes no number from the functional {@code input_1, input_2, ...}, so a
     * functional model made after Sequential ones numbers its inputs as in Keras.
     */
    private static Input ownInput(Layer first, Input in) {
        return in.name(first.name() + "_input");
    }

    /** Builds every layer for input {@code in}; a failure leaves the layers it built unbuilt again (as they were). */
    private void buildFrom(Input in) {
        Node x = in;
        List<Layer> fresh = unbuilt(stack);
        try {
            for (Layer l : stack) {
                x = l.apply(x);
                if (x.all().size() != 1) {
                    throw new IllegalArgumentException(name() + ": layer " + l.name() + " (" + l.kerasClass() + ") has "
                            + x.all().size() + " outputs; all layers in a Sequential model should have a single output "
                            + multiOutputHint(l));
                }
            }
        } catch (RuntimeException | Error e) {
            discardBuilds(fresh);
            throw e;
        }
        input = in;
        last = x;
        stale = true;
    }

    @Override
    void ensureGraph() {
        if (input == null) super.ensureGraph();   // throws: not built
        if (stale) {
            initGraph(List.of(input), List.of(last));
            stale = false;   // after: a refused graph (duplicate names) stays unbuilt and is re-checked
        }
    }

    @Override
    void ensureBuilt(List<Tensor> xs) {
        ensureBuilt(oneBatch(xs) ? Arrays.copyOfRange(xs.get(0).shape(), 1, xs.get(0).rank()) : null);
    }

    @Override
    boolean buildsOn(List<Tensor> xs) { return input == null && !stack.isEmpty() && oneBatch(xs); }

    private static boolean oneBatch(List<Tensor> xs) {
        return xs != null && xs.size() == 1 && xs.get(0) != null && xs.get(0).rank() >= 2;
    }

    @Override
    void ensureBuilt(int[] shape) {
        if (input == null && shape != null && shape.length >= 1) build(shape);
        ensureGraph();
    }

    @Override
    public boolean isBuilt() { return input != null; }

    /**
     * As {@link Model#toJson()}; a model without an input shape yet is written as Keras writes an unbuilt Sequential,
     * its layers without an InputLayer ({@link Models#fromJson} and {@link Models#cloneModel} give it back unbuilt).
     */
    @Override
    public String toJson() { return toJson(true); }

    @Override
    String toJson(boolean warn) {
        if (isBuilt() || stack.isEmpty()) return super.toJson(warn);
        requireOpen("toJson");
        Models.refuseOwnLayers(this, name() + ".toJson", "cannot be written as JSON (saveWeights keeps its weights)");
        return warn ? dev.jrnn.io.keras.KerasExport.toJsonWarning(this) : dev.jrnn.io.keras.KerasExport.toJson(this);
    }

    /** The stacked layers (no InputLayer, as Keras lists them). */
    @Override
    public List<Layer> layers() {
        return List.copyOf(stack);
    }

    @Override
    boolean isSequentialLike() { return true; }

    /**
     * The summary table; a model not built yet whose first layer is an {@link dev.jrnn.layers.Embedding} without an input
     * shape is built first for ids of any length, as tf.keras 2's Embedding declares {@code input_shape=(None,)}: Keras'
     * RNN guide's {@code Sequential([Embedding(1000, 64), LSTM(128), Dense(10)])} shows {@code (None, None, 64)}. Where the
     * layers need a fixed length (an Embedding, Flatten, Dense stack) it stays unbuilt and is refused, to be built by fit.
     */
    /** Built by {@link #summaryString} for ids of any length: a later build for a fixed length is that build (tf.keras 2). */
    private boolean summaryBuilt;

    /**
     * Whether the layers take ids of any length, asked of their shapes alone (no weights drawn: a refused trial would
     * have moved the seeded stream).
     */
    private boolean anyLengthFits() {
        List<int[]> shapes = List.of(new int[] {-1});
        try {
            for (Layer l : stack) {
                shapes = l.computeOutputShapes(shapes);
                if (shapes.size() != 1) return false;
            }
            return true;
        } catch (RuntimeException e) {
            return false;
        }
    }

    /** Whether per-sample shape {@code want} is one the built {@code built} (-1: any length) takes. */
    private static boolean fits(int[] built, int[] want) {
        if (built.length != want.length) return false;
        for (int i = 0; i < built.length; i++) if (built[i] != -1 && built[i] != want[i]) return false;
        return true;
    }

    /**
     * The summary table; Keras 3's format of a model not built yet lists its layers with "?" and "0 (unbuilt)", as
     * Keras 3 does (no build for ids of any length: Keras 3's Embedding declares no input shape).
     */
    @Override
    public String summaryString(SummaryFormat format) {
        if (format == SummaryFormat.KERAS_3 && input == null) return Keras3Summary.unbuilt(name(), stack);
        if (format == null || format == SummaryFormat.KERAS_3) return super.summaryString(format);
        if (input == null && !stack.isEmpty() && stack.get(0) instanceof dev.jrnn.layers.Embedding && anyLengthFits()) {
            buildFrom(ownInput(stack.get(0), Input.shape(-1)));
            summaryBuilt = true;
        }
        if (input == null) {
            throw new IllegalStateException("This model has not yet been built. Build the model first by calling build() "
                    + "or by calling fit/predict on a batch of data, or declare the first layer's inputShape.");
        }
        return super.summaryString(format);
    }
}
