package dev.jrnn.edges;

import dev.jrnn.backend.Loss;
import dev.jrnn.layers.Bidirectional;
import dev.jrnn.layers.Dense;
import dev.jrnn.layers.Dropout;
import dev.jrnn.layers.Embedding;
import dev.jrnn.layers.GRU;
import dev.jrnn.layers.LSTM;
import dev.jrnn.layers.Masking;
import dev.jrnn.layers.SimpleRNN;
import dev.jrnn.layers.TimeDistributed;
import dev.jrnn.model.FitOptions;
import dev.jrnn.losses.Losses;
import dev.jrnn.model.Input;
import dev.jrnn.model.Model;
import dev.jrnn.layers.Node;
import dev.jrnn.model.Sequential;
import dev.jrnn.optim.Adam;
import dev.jrnn.optim.SGD;
import dev.jrnn.tensor.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static dev.jrnn.edges.Fixture.entry;
import static dev.jrnn.edges.Fixture.header;
import static dev.jrnn.edges.Fixture.with;
import static dev.jrnn.edges.Fixture.x;
import static dev.jrnn.edges.Fixture.y;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static dev.jrnn.backend.BufAt.at;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Over a hundred distinct bad inputs at every public entry (Tensor factories, layer construction and
 * calls, setWeights, model construction, compile, fit, predict, evaluate, weights files). Each must be
 * rejected with the expected exception type and a message naming the problem (the listed words), and
 * leave every model, layer and file of its {@link Fixture} exactly as it was.
 */
class BadInputTest {
    interface Action {
        void run(Fixture f) throws Exception;
    }

    record Case(String name, Class<? extends Throwable> type, Action action, List<String> words) {
        @Override
        public String toString() { return name; }
    }

    private static final List<Case> CASES = new ArrayList<>();

    private static void bad(String name, Class<? extends Throwable> type, Action action, String... words) {
        CASES.add(new Case(name, type, action, List.of(words)));
    }

    private static final Class<IllegalArgumentException> IAE = IllegalArgumentException.class;
    private static final Class<IllegalStateException> ISE = IllegalStateException.class;
    private static final Class<IOException> IOE = IOException.class;
    private static final Class<IndexOutOfBoundsException> IOOBE = IndexOutOfBoundsException.class;

    static List<Case> cases() {
        if (CASES.isEmpty()) {
            tensors();
            layerConfig();
            layerCalls();
            weights();
            models();
            fit();
            predictEvaluate();
            files();
            moreLayers();
            optimizersSchedulesCallbacks();
            data();
            modelFiles();
        }
        return CASES;
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void rejectedClearlyAndNothingChanges(Case c, @TempDir Path dir) {
        Fixture f = new Fixture(dir);
        Throwable t = null;
        try {
            c.action.run(f);
        } catch (Throwable e) {
            t = e;
        }
        if (t == null) fail(c.name + ": accepted, expected " + c.type.getSimpleName());
        if (!c.type.isInstance(t)) {
            throw new AssertionError(c.name + ": expected " + c.type.getSimpleName() + ", got " + t, t);
        }
        String msg = String.valueOf(t.getMessage());
        for (String w : c.words) assertTrue(msg.contains(w), c.name + ": message lacks '" + w + "': " + msg);
        f.assertUntouched();
    }

    @Test
    void atLeastAHundredDistinctCases() {
        Set<String> names = new HashSet<>();
        for (Case c : cases()) assertTrue(names.add(c.name), "duplicate case name " + c.name);
        assertTrue(names.size() >= 100, "only " + names.size() + " cases");
    }

    // ================================================================== Tensor factories

    private static void tensors() {
        bad("tensor: data null", IAE, f -> Tensor.of((float[]) null, 2), "Tensor.of", "data is null");
        bad("tensor: size mismatch", IAE, f -> Tensor.of(new float[6], 2, 4), "(2, 4)", "holds 8", "got 6");
        bad("tensor: empty shape", IAE, f -> Tensor.of(new float[1], new int[0]), "at least one dimension");
        bad("tensor: null shape", IAE, f -> Tensor.full(1f, (int[]) null), "at least one dimension", "null");
        bad("tensor: zero dimension", IAE, f -> Tensor.zeros(0, 3), "dimensions must be positive", "[0, 3]");
        bad("tensor: negative dimension", IAE, f -> Tensor.zeros(2, -3), "dimensions must be positive", "[2, -3]");
        bad("tensor: too many elements", IAE, f -> Tensor.zeros(50_000, 50_000), "(50000, 50000)", "exceeds");
        bad("tensor: element count overflows long", IAE, f -> Tensor.zeros(65536, 65536, 65536, 65536), "exceeds");
        bad("tensor: ragged rows", IAE, f -> Tensor.of(new float[][] {{1, 2}, {1, 2, 3}}), "ragged", "row [1] has 3 values, expected 2");
        bad("tensor: no rows", IAE, f -> Tensor.of(new float[0][]), "empty array");
        bad("tensor: empty row", IAE, f -> Tensor.of(new float[][] {{}}), "row [0] is empty");
        bad("tensor: null row", IAE, f -> Tensor.of(new float[][] {{1}, null}), "row [1] is null");
        bad("tensor: ragged timesteps", IAE, f -> Tensor.of(new float[][][] {{{1}, {2}, {3}}, {{1}, {2}}}),
                "ragged", "sample [1] has 2 timesteps, expected 3");
        bad("tensor: ragged features", IAE, f -> Tensor.of(new float[][][] {{{1, 2}, {3}}}), "ragged", "[0][1] has 1 features, expected 2");
        bad("tensor: no samples", IAE, f -> Tensor.of(new float[0][][]), "empty array");
        bad("tensor: null sample", IAE, f -> Tensor.of(new float[][][] {{{1}}, null}), "sample [1] is null");
        bad("tensor: sample without timesteps", IAE, f -> Tensor.of(new float[][][] {{}}), "sample [0] has no timesteps");
        bad("tensor: reshape to another size", IAE, f -> Tensor.zeros(2, 3).reshape(4, 2), "cannot view (2, 3) as (4, 2)");
        bad("tensor: wrap null", IAE, f -> Tensor.wrap(null, 3), "Tensor.wrap", "data is null");
        bad("tensor: get with wrong index count", IAE, f -> Tensor.zeros(2, 3).get(1), "expected 2 indices", "got 1");
        bad("tensor: get out of range", IOOBE, f -> Tensor.zeros(2, 3).get(1, 5), "index 5 of dimension 1", "[0, 3)");
        bad("tensor: empty slice", IOOBE, f -> Tensor.zeros(4, 2).slice(2, 1), "[2, 1)", "[0, 4)");
        bad("tensor: reshape with two -1", IAE, f -> Tensor.zeros(2, 3).reshape(-1, -1), "only one dimension can be -1", "[-1, -1]");
        bad("tensor: reshape -1 that does not divide", IAE, f -> Tensor.zeros(2, 3).reshape(-1, 4), "cannot view (2, 3) as (-1, 4)");
        bad("tensor: negative slice past the start", IOOBE, f -> Tensor.zeros(4, 2).slice(-5, 2), "[-5, 2)", "[0, 4)");
        bad("tensor: axis out of range", IOOBE, f -> Tensor.zeros(2, 3).dim(3), "axis 3", "rank 2");
    }

    // ================================================================== layer construction and options

    private static void layerConfig() {
        bad("layer: LSTM zero units", IAE, f -> new LSTM(0), "LSTM", "units must be positive, got 0");
        bad("layer: GRU negative units", IAE, f -> new GRU(-3), "GRU", "got -3");
        bad("layer: SimpleRNN zero units", IAE, f -> new SimpleRNN(0), "SimpleRNN", "got 0");
        bad("layer: Dense zero units", IAE, f -> new Dense(0), "Dense", "got 0");
        bad("layer: AveragePooling1D zero pool", IAE, f -> new dev.jrnn.layers.AveragePooling1D(0), "AveragePooling1D", "poolSize must be positive, got 0");
        bad("layer: AveragePooling1D causal padding", IAE, f -> new dev.jrnn.layers.AveragePooling1D(2).name("p").padding("causal"), "p: padding", "got \"causal\"");
        bad("layer: MaxPooling1D on fewer steps than its pool", IAE, f -> new dev.jrnn.layers.MaxPooling1D(3).name("p").call(Tensor.zeros(1, 2, 4)),
                "p: 2 timesteps are fewer than poolSize 3");
        bad("layer: Conv1D zero filters", IAE, f -> new dev.jrnn.layers.Conv1D(0, 3), "Conv1D", "filters must be positive, got 0");
        bad("layer: Conv1D unknown padding", IAE, f -> new dev.jrnn.layers.Conv1D(2, 3).name("c").padding("full"), "c: padding", "got \"full\"");
        bad("layer: Conv1D strides with dilation", IAE, f -> new dev.jrnn.layers.Conv1D(2, 3).strides(2).dilationRate(2), "strides > 1", "dilationRate 2");
        bad("layer: Conv1D input shorter than its kernel", IAE, f -> new dev.jrnn.layers.Conv1D(2, 5).name("c").call(Tensor.zeros(1, 3, 2)),
                "c: 3 timesteps are fewer than the kernel covers (5");
        bad("layer: Embedding zero vocabulary", IAE, f -> new Embedding(0, 4), "Embedding", "got 0 and 4");
        bad("layer: Embedding paddingIdx past the vocabulary", IAE, f -> new Embedding(5, 2).name("e").paddingIdx(5),
                "e: paddingIdx must be in [-5, 5)", "got 5");
        bad("layer: Embedding paddingIdx below -inputDim", IAE, f -> new Embedding(5, 2).name("e").paddingIdx(-6),
                "e: paddingIdx must be in [-5, 5)", "got -6");
        bad("layer: Dropout rate above 1", IAE, f -> new Dropout(1.5), "Dropout", "[0, 1], got 1.5");
        bad("layer: Dropout rate NaN", IAE, f -> new Dropout(Double.NaN), "Dropout", "got NaN");
        bad("layer: Masking value NaN", IAE, f -> new Masking(Double.NaN), "Masking", "got NaN");
        bad("layer: softmax as recurrent activation", IAE, f -> new LSTM(2).activation("softmax"), "lstm", "softmax");
        bad("layer: unknown activation", IAE, f -> new GRU(2).activation("swishy"), "unknown activation 'swishy'");
        // Keras 3.15.1: LSTM(2, activation="Tanh") -> "Could not interpret activation function identifier: Tanh"
        bad("layer: activation in upper case", IAE, f -> new LSTM(2).activation("Tanh"), "unknown activation 'Tanh'", "did you mean tanh?");
        bad("layer: unknown hard_sigmoid spelling", IAE, f -> new LSTM(2).recurrentActivation("hard_sigmoid_v2"),
                "unknown activation 'hard_sigmoid_v2'", "hard_sigmoid (Keras 3's), hard_sigmoid_keras2 (Keras 2's)");
        bad("layer: unknown Keras 3-like activation", IAE, f -> new Dense(2).activation("relu7"), "unknown activation 'relu7'",
                "relu6", "hard_silu", "sparse_sigmoid");
        bad("layer: log_softmax as recurrent activation", IAE, f -> new GRU(2).name("gru").recurrentActivation("log_softmax"),
                "gru: recurrentActivation must be elementwise", "got log_softmax");
        for (String keras : new String[] {"glu", "sparsemax", "threshold"}) {
            bad("layer: Keras' " + keras + " (not elementwise or without defaults)", IAE, f -> new Dense(2).activation(keras),
                    "unknown activation '" + keras + "'", "glu, sparsemax and threshold are not supported");
        }
        bad("layer: negative tbptt", IAE, f -> new LSTM(2).tbptt(-1), "tbptt must be >= 0", "got -1");
        bad("Bidirectional: negative tbptt", IAE, f -> new Bidirectional(new LSTM(2)).tbptt(-1), "tbptt must be >= 0", "forward -1");
        bad("Bidirectional: negative backward tbptt", IAE, f -> new Bidirectional(new GRU(2)).tbptt(3, -2), "tbptt must be >= 0",
                "backward -2");
        bad("layer: zero in inputShape", IAE, f -> new LSTM(2).inputShape(0, 3), "inputShape", "[0, 3]");
        bad("layer: negative in inputShape", IAE, f -> new LSTM(2).inputShape(3, -5), "inputShape", "[3, -5]");
        bad("layer: zero batch in batchInputShape", IAE, f -> new LSTM(2).batchInputShape(0, 3, 2), "batch size must be positive, got 0");
        bad("layer: zero inputLength", IAE, f -> new SimpleRNN(2).inputLength(0), "inputLength must be positive, got 0");
        bad("layer: Bidirectional of null", IAE, f -> new Bidirectional(null), "Bidirectional", "null");
        bad("layer: Bidirectional of a layer going backwards", IAE, f -> new Bidirectional(new GRU(3).goBackwards(true)),
                "Bidirectional: layer gru", "has goBackwards = true", "got the same direction twice",
                "expected a layer with goBackwards = false, or give a backwardLayer with goBackwards = false");
        bad("layer: unknown mergeMode", IAE, f -> new Bidirectional(new LSTM(2)).mergeMode("concatenate"), "unknown mergeMode 'concatenate'");
        bad("layer: TimeDistributed of null", IAE, f -> new TimeDistributed(null), "TimeDistributed", "null");
        bad("layer: empty name", IAE, f -> new Dense(2).name(""), "name must not be empty");
        bad("layer: useBias after build", ISE, f -> ((Dense) f.model.getLayer("dense")).useBias(false), "dense", "useBias", "after the layer is built");
    }

    // ================================================================== direct layer calls

    private static LSTM lstm(Fixture f) {
        return (LSTM) f.model.getLayer("lstm");
    }

    private static void layerCalls() {
        bad("call: LSTM with the wrong feature count", IAE, f -> lstm(f).call(Tensor.zeros(4, 3, 1)),
                "lstm: expected input (batch, timesteps, 2), got (4, 3, 1)");
        bad("call: LSTM on rank 2", IAE, f -> lstm(f).call(Tensor.zeros(4, 3)), "lstm", "expected input (batch, timesteps, features), got (4, 3)");
        bad("call: LSTM on rank 4", IAE, f -> lstm(f).call(Tensor.zeros(4, 3, 2, 1)), "lstm", "got (4, 3, 2, 1)");
        // NaN / Inf input is no bad input at inference: the rows holding it come out NaN, as Keras' (NonFiniteInferenceTest)
        bad("call: null", IAE, f -> lstm(f).call((Tensor) null), "lstm: an input is null");   // was a bare NPE from List.of
        bad("call: callWithStates null", IAE, f -> lstm(f).callWithStates(null), "lstm: an input is null");
        bad("call: callAll null", IAE, f -> lstm(f).callAll(null), "lstm", "no input given");
        bad("call: callAll empty", IAE, f -> lstm(f).callAll(List.of()), "lstm", "no input given");
        bad("call: callAll null element", IAE, f -> lstm(f).callAll(Arrays.asList(x(2), null, null)), "lstm", "null");
        bad("call: initial state of the wrong width", IAE,
                f -> lstm(f).callAll(List.of(x(4), Tensor.zeros(4, 5), Tensor.zeros(4, 4))), "lstm", "initial state 0 of shape (4, 4), got (4, 5)");
        bad("call: initial state of the wrong batch", IAE,
                f -> lstm(f).callAll(List.of(x(4), Tensor.zeros(4, 4), Tensor.zeros(3, 4))), "lstm", "initial state 1 of shape (4, 4), got (3, 4)");
        bad("call: LSTM given one state of two", IAE, f -> lstm(f).callAll(List.of(x(4), Tensor.zeros(4, 4))), "lstm", "1 + 2", "got 2");
        // Keras' layer(x, mask=...) and compute_mask, and a mask attached to the input (Tensor.withKerasMask)
        bad("call: mask of the wrong shape", IAE, f -> lstm(f).call(x(2), Tensor.full(1, 2, 4)),
                "lstm: mask: expected shape (2, 3) (batch, timesteps of the input (2, 3, 2)), got (2, 4)");
        bad("call: mask of rank 3", IAE, f -> lstm(f).callAll(List.of(x(2)), Tensor.full(1, 2, 3, 1)), "lstm: mask", "got (2, 3, 1)");
        bad("call: mask value other than 1 or 0", IAE, f -> lstm(f).call(x(2), Tensor.of(new float[] {1, 1, 1, 1, 0.5f, 0}, 2, 3)),
                "lstm: mask: expected 1 (keep the step) or 0 (skip it), got 0.5 at flat index 4 of (2, 3)");
        bad("call: mask holding NaN", IAE, f -> lstm(f).call(x(2), with(Tensor.full(1, 2, 3), 2, Float.NaN)), "lstm: mask", "got NaN at flat index 2");
        bad("call: attached mask of the wrong shape", IAE, f -> lstm(f).call(x(2).withKerasMask(Tensor.full(1, 3, 3))),
                "lstm: mask: expected shape (2, 3)", "got (3, 3)");
        bad("call: mask on an input without steps", IAE, f -> f.track(built(new Dense(2), 3)).call(Tensor.zeros(4), Tensor.full(1, 4, 1)),
                "dense", ": mask: the input (4,) has no time axis");
        bad("computeMask: null input", IAE, f -> lstm(f).computeMask(null), "lstm: no input given");
        bad("computeMask: mask of the wrong shape", IAE, f -> lstm(f).computeMask(x(2), Tensor.full(1, 2, 2)),
                "lstm: mask: expected shape (2, 3)", "got (2, 2)");
        bad("trains: null param", IAE, f -> lstm(f).trains(null), "lstm.trains: p is null");
        bad("trains: another layer's param", IAE, f -> lstm(f).trains(((Dense) f.model.getLayer("dense")).kernel()),
                "lstm.trains: kernel is not a parameter of this layer");
        bad("call: Dense on the wrong feature count", IAE, f -> f.model.getLayer("dense").call(Tensor.zeros(2, 5)),
                "dense: expected input (None, 4)", "got (None, 5)");
        bad("call: Dense on a vector", IAE, f -> f.track(built(new Dense(2), 3)).call(Tensor.zeros(4)), "dense", "(batch,)");
        bad("call: Embedding id past the vocabulary", IAE,
                f -> f.track(built(new Embedding(5, 2), 3)).call(Tensor.of(new float[] {1, 2, 10}, 1, 3)), "embedding", "id 10.0", "[0, 5)");
        bad("call: Embedding negative id", IAE,
                f -> f.track(built(new Embedding(5, 2), 3)).call(Tensor.of(new float[] {-1, 2, 3}, 1, 3)), "embedding", "id -1.0");
        bad("call: Embedding fractional id", IAE,
                f -> f.track(built(new Embedding(5, 2), 3)).call(Tensor.of(new float[] {1, 2.5f, 3}, 1, 3)), "embedding", "id 2.5");
        bad("call: TimeDistributed on rank 2", IAE, f -> new TimeDistributed(new Dense(2)).call(Tensor.zeros(4, 3)),
                "time_distributed", "rank >= 3", "(4, 3)");
        bad("call: Bidirectional on rank 2", IAE, f -> new Bidirectional(new GRU(2)).call(Tensor.zeros(4, 3)),
                "bidirectional", "expected input (batch, timesteps, features)");
        bad("call: Bidirectional with the wrong feature count", IAE,
                f -> f.track(built(new Bidirectional(new SimpleRNN(2)), 3, 2)).call(Tensor.zeros(1, 3, 3)), "bidirectional", "2", "3");
        bad("call: GRU with the wrong feature count", IAE,
                f -> f.track(built(new GRU(3), 5, 2)).call(Tensor.zeros(2, 5, 3)), "gru: expected input (batch, timesteps, 2), got (2, 5, 3)");
        bad("call: Masking on a vector", IAE, f -> new Masking(0).call(Tensor.zeros(4)), "masking", "(batch,)");
        bad("backward: inputGradient null", IAE, f -> {
            LSTM l = lstm(f);
            var be = l.backend();
            try (var x = dev.jrnn.backend.DTensor.from(be, x(2)); dev.jrnn.layers.Trace t = l.forward(List.of(x), null, true)) {
                List<dev.jrnn.backend.DTensor> d = new ArrayList<>();
                for (var o : t.outputs()) d.add(null);
                t.backward(d, null);
            }
        }, "lstm: backward", "inputGradient is null");
        bad("weightGradients: a second input without its gradient", IAE, f -> {
            var be = lstm(f).backend();
            List<dev.jrnn.backend.Buf> bufs = new ArrayList<>();
            for (int n : new int[] {12, 8, 6, 8}) bufs.add(be.alloc(n));
            try {
                be.weightGradients(4, 3, at(bufs.get(0), 0), 2, at(bufs.get(1), 0), at(bufs.get(2), 0), 2,
                        at(bufs.get(3), 0), null, null);
            } finally {
                bufs.forEach(dev.jrnn.backend.Buf::close);
            }
        }, "weightGradients", "w2 is null");
        bad("empty: negative size", IAE, f -> lstm(f).backend().empty(-3).close(), "cpu empty", "size must be >= 0", "-3");
        bad("empty: more floats than a CPU buffer holds", IAE,
                f -> lstm(f).backend().empty(dev.jrnn.backend.cpu.CpuBuf.MAX_FLOATS + 1).close(), "cpu empty", "exceed");
        bad("call: Multiply mask of another (batch, timesteps)", IAE, f -> {
            var be = lstm(f).backend();
            try (var a = dev.jrnn.backend.DTensor.from(be, Tensor.zeros(2, 3, 4)); var b = dev.jrnn.backend.DTensor.from(be, Tensor.zeros(2, 3, 4));
                 var m = dev.jrnn.backend.DTensor.from(be, Tensor.full(1f, 3, 2))) {
                new dev.jrnn.layers.Multiply().name("mul").forwardMasked(List.of(a, b), Arrays.asList(m, null), false).close();
            }
        }, "mul: expected a mask of shape (2, 3)", "(2, 3, 4)", "got (3, 2)");
    }

    /** A layer built for the given per-sample input shape. */
    private static <L extends dev.jrnn.layers.Layer> L built(L layer, int... shape) {
        layer.build(List.<int[]>of(shape));
        return layer;
    }

    // ================================================================== setWeights

    private static void weights() {
        bad("layer setWeights: null", IAE, f -> lstm(f).setWeights(null), "lstm", "null");
        // it said "expected 0 weight arrays [], got 3"
        bad("layer setWeights: not built", IAE, f -> new LSTM(4).name("unbuilt").setWeights(List.of(Tensor.zeros(2, 16),
                        Tensor.zeros(4, 16), Tensor.zeros(16))), "unbuilt: setWeights got 3 weight arrays, but the layer is not built yet: it"
                        + " has no weights until it is built (called on an input, or in a model with an input shape), and some layers"
                        + " (Dropout, Flatten) have none then either");
        // it said "build it first", which cannot give a Dropout weights
        bad("layer setWeights: unbuilt Dropout", IAE, f -> new Dropout(.5).name("drop").setWeights(List.of(Tensor.zeros(2))),
                "drop: setWeights got 1 weight arrays, but the layer is not built yet: it has no weights until it is built",
                "and some layers (Dropout, Flatten) have none then either");
        bad("layer weightName: null", IAE, f -> lstm(f).weightName(null),
                "lstm.weightName: p is null, expected one of this layer's weights [kernel, recurrent_kernel, bias]");
        // it named the other layer's weight as if this layer held it ("kernel")
        bad("layer weightName: another layer's param", IAE, f -> lstm(f).weightName(((Dense) f.model.getLayer("dense")).kernel()),
                "lstm.weightName: kernel (", "is not a weight of this layer, expected one of [kernel, recurrent_kernel, bias]");
        bad("layer dtype: null", IAE, f -> new Dense(2).name("d").dtype(null),
                "d.dtype: expected a dtype policy of [float16, bfloat16, float32, float64, mixed_float16, mixed_bfloat16], got null");
        bad("layer dtype: an integer policy", IAE, f -> new LSTM(2).name("l").dtype("int8_from_float32"),
                "l.dtype: expected a dtype policy of [", "got 'int8_from_float32'");
        bad("Input dtype: a policy, not a dtype", IAE, f -> dev.jrnn.model.Input.shape(3).name("ids").dtype("mixed_float16"),
                "ids.dtype: expected an input dtype of [float16, bfloat16, float32, float64, int8,", "got 'mixed_float16'");
        bad("layer cellName: empty", IAE, f -> new LSTM(2).name("l").cellName(" "), "l: the cell name must not be empty, got ' '");
        bad("fromJson without the dtype warning: null", IAE, f -> dev.jrnn.io.keras.KerasImport.fromJson(null, false),
                "fromJson: json is null");
        bad("fromJson without the dtype warning: not JSON", IAE, f -> dev.jrnn.io.keras.KerasImport.fromJson("{", false),
                "fromJson: not JSON");
        bad("KerasImport.loadWeights with state: null reader", IAE, f -> dev.jrnn.io.keras.KerasImport.loadWeights(f.model,
                java.nio.file.Path.of("m.keras"), (dev.jrnn.io.keras.KerasImport.StateReader) null), "loadWeights: state is null");
        bad("KerasImport.StoredState: null arrays", IAE, f -> new dev.jrnn.io.keras.KerasImport.StoredState(null, null, null, null, false),
                "StoredState: arrays is null (expected a function of a path below jrnn_state/, which may return null)");
        bad("KerasImport.StoredState: not the wrapper's four variables", IAE, f -> new dev.jrnn.io.keras.KerasImport.StoredState(null,
                null, p -> null, null, false, java.util.List.of()), "StoredState: lossScaleVars must hold the wrapper's 4 variables"
                + " (iteration, learning_rate, step_counter, dynamic_scale), got 0");
        bad("layer weightName: an unbuilt layer", IAE, f -> new Dense(2).name("unbuilt").weightName(((Dense) f.model.getLayer("dense")).kernel()),
                "unbuilt.weightName: kernel (", "is not a weight of this layer, expected one of [] (it is not built yet)");
        // a subclass's own variable scope, not "<name>/": its weight is named by it (it threw StringIndexOutOfBoundsException)
        bad("layer setWeights: own variable scope", IAE, f -> {
            Dense d = new Dense(2) {
                @Override public String variableScope(dev.jrnn.layers.Param p) { return "s/"; }
            };
            new Sequential(d.name("scoped").inputShape(3));
            d.setWeights(List.of(Tensor.zeros(2, 3), Tensor.zeros(2)));
        }, "scoped: weight 0 (s/kernel) expected shape (3, 2), got (2, 3)");
        bad("layer setWeights: two of three", IAE, f -> lstm(f).setWeights(lstm(f).getWeights().subList(0, 2)),
                "lstm", "expected 3 weight arrays", "got 2");
        bad("layer setWeights: transposed kernel", IAE,
                f -> lstm(f).setWeights(List.of(Tensor.zeros(16, 2), Tensor.zeros(4, 16), Tensor.zeros(16))),
                "lstm", "weight 0 (kernel) expected shape (2, 16), got (16, 2)");
        bad("layer setWeights: null element", IAE, f -> lstm(f).setWeights(Arrays.asList(Tensor.zeros(2, 16), null, Tensor.zeros(16))),
                "lstm", "weight 1 (recurrent_kernel) is null");
        bad("layer setWeights: NaN", IAE,
                f -> lstm(f).setWeights(List.of(Tensor.zeros(2, 16), Tensor.zeros(4, 16), Tensor.full(Float.NaN, 16))), "lstm", "bias", "NaN");
        bad("model setWeights: four of five", IAE, f -> f.model.setWeights(f.model.getWeights().subList(0, 4)),
                "sequential", "expected 5 arrays, got 4");
        bad("model setWeights: wrong kernel shape", IAE, f -> {
            List<Tensor> w = new ArrayList<>(f.model.getWeights());
            w.set(0, Tensor.zeros(3, 16));
            f.model.setWeights(w);
        }, "lstm/kernel expected shape (2, 16), got (3, 16)");
        bad("model setWeights: null", IAE, f -> f.model.setWeights(null), "expected 5 arrays, got null");
        bad("model setWeights: -Inf bias", IAE, f -> {
            List<Tensor> w = new ArrayList<>(f.model.getWeights());
            w.set(4, Tensor.full(Float.NEGATIVE_INFINITY, 1));
            f.model.setWeights(w);
        }, "dense/bias holds -Infinity at (0,)");
        bad("model setWeights: NaN inside a matrix", IAE, f -> {
            List<Tensor> w = new ArrayList<>(f.model.getWeights());
            w.set(1, with(w.get(1), 16 + 3, Float.NaN));
            f.model.setWeights(w);
        }, "lstm/recurrent_kernel holds NaN at (1, 3)");
        bad("model setWeights: null element", IAE, f -> {
            List<Tensor> w = new ArrayList<>(f.model.getWeights());
            w.set(2, null);
            f.model.setWeights(w);
        }, "lstm/bias", "got null");
    }

    // ================================================================== model construction and compile

    private static void models() {
        bad("model: null input node", IAE, f -> new Model((Node) null, Input.shape(3, 1)), "input node is null");
        bad("model: null output node of several inputs", IAE, f -> new Model(List.of(Input.shape(3, 1)), (Node) null), "output node is null");
        bad("model: an intermediate input whose outputs need another Input too", IAE, f -> {
            Input in = Input.shape(3, 2).name("seq");
            Node h = new LSTM(2).apply(in), other = new LSTM(2).apply(in);
            new Model(h, new dev.jrnn.layers.Concatenate().apply(h, other));
        }, "graph disconnected: the outputs need input seq which is not among the model inputs");
        bad("model: disconnected graph", IAE, f -> {
            Input a = Input.shape(3, 2).name("a");
            Input b = Input.shape(3, 2).name("b");
            new Model(a, new LSTM(2).apply(b));
        }, "graph disconnected", "b");
        bad("model: Input with a zero dimension", IAE, f -> Input.shape(0, 3), "Input", "[0, 3]");
        bad("model: add null", IAE, f -> new Sequential().add((dev.jrnn.layers.Layer) null), "add", "layer is null");
        bad("model: pop of an empty model", ISE, f -> new Sequential().pop(), "sequential", ".pop: there are no layers in the model");
        bad("model: add a null Input", IAE, f -> new Sequential().add((Input) null), "add", "input is null");
        bad("model: a second Input", IAE, f -> f.model.add(Input.shape(3, 2)), "sequential.add", "already has its input (None, 3, 2)");
        bad("model: an Input after a layer", IAE, f -> new Sequential(new Dense(2)).add(Input.shape(3)), "an Input comes before the layers", "dense");
        bad("model: Input and inputShape disagree", IAE, f -> new Sequential(Input.shape(3, 2), new LSTM(2).inputShape(4, 2)),
                "declares input (None, 4, 2), the model's Input is (None, 3, 2)");
        bad("model: add a layer twice", IAE, f -> {
            Dense d = new Dense(2);
            new Sequential(d).add(d);
        }, "dense", "already in the model");
        bad("model: add a layer named as one of the model's", IAE, f -> new Sequential(Input.shape(5, 3), new LSTM(2).name("l"))
                .add(new Dense(1).name("l")), ".add: layer names must be unique", "got 'l' (Dense)", "already the name of l (LSTM)");
        bad("model: two layers of one name in the constructor", IAE, f -> new Sequential(new LSTM(2).name("x").inputShape(5, 3),
                new Dense(1).name("x")), ".add: layer names must be unique", "got 'x' (Dense)", "already the name of x (LSTM)");
        bad("model: a layer named as the model's Input", IAE, f -> new Sequential(Input.shape(5, 3).name("x"), new LSTM(2).name("x")),
                "got 'x' (LSTM)", "already the name of x (InputLayer)");
        // Keras 3.15.1: "A merge layer should be called on a list of inputs"; jrnn passed the one input through (outside tester edge7)
        bad("model: a merge layer in a Sequential", IAE, f -> new Sequential(Input.shape(4, 2), new dev.jrnn.layers.Add().name("add")),
                ".add: layer add (Add) merges a list of inputs", "use the functional API");
        bad("model: a merge layer as a Sequential's first layer", IAE, f -> new Sequential().add(new dev.jrnn.layers.Concatenate().name("cat")),
                "layer cat (Concatenate) merges a list of inputs");
        bad("model: multi-output layer in a Sequential", IAE,
                f -> new Sequential(new LSTM(2).returnState(true).inputShape(3, 2)), "lstm", "3 outputs", "functional API");
        bad("model: LSTM after a rank-2 output", IAE, f -> new Sequential(new Dense(4).inputShape(3), new LSTM(2)),
                "lstm", "expected input (batch, timesteps, features), got (None, 4)");
        bad("model: build again for another shape", ISE, f -> f.model.build(4, 2), "already built for input (None, 3, 2)",
                "cannot build it for (None, 4, 2)");
        // Keras 3's model.build() returns quietly there, the model unbuilt; here the missing shape is named
        bad("model: build() without a declared input", ISE, f -> new Sequential(new LSTM(2), new Dense(1)).build(),
                "sequential", ".build(): no input shape given and the model declares none", "build(16, 6)", "LSTM(...).inputShape(16, 6)");
        bad("model: build(null)", IAE, f -> new Sequential(new LSTM(2), new Dense(1)).build((int[]) null), ".build: shape is null");
        bad("model: summary before build", ISE, f -> new Sequential(new Dense(2)).summaryString(), "not yet been built");
        bad("model: summary format null", IAE, f -> f.model.summaryString(null), "summary: format", "TF_KERAS_2 or KERAS_3", "got null");
        bad("model: unknown layer name", IAE, f -> f.model.getLayer("nope"), "no layer named 'nope'", "lstm", "dense");
        bad("model: null layer name", IAE, f -> f.model.getLayer((String) null), "getLayer: the layer name is null");
        bad("model apply: wrong input shape", IAE, f -> f.model.apply(Input.shape(3, 5)), "sequential.apply: the input has shape (None, 3, 5)",
                "expects (None, 3, 2)");
        bad("model apply: one node for two inputs", IAE, f -> twoInputs(f).applyAll(List.of(Input.shape(3, 2))), "apply: expected 2 input node(s), got 1");
        bad("model apply: null node", IAE, f -> f.model.apply((Node) null), "apply: input 0 is null");
        bad("layer applyUnmasked: not a recurrent layer", IAE, f -> new Dense(2).name("d").applyUnmasked(List.of(Input.shape(3, 2), Input.shape(2))),
                "d.applyUnmasked", "expected a recurrent layer or Bidirectional given its input and initial states", "got Dense on 2 inputs");
        bad("layer applyUnmasked: no initial states", IAE, f -> new LSTM(2).name("l").applyUnmasked(List.of(Input.shape(3, 2))),
                "l.applyUnmasked", "given its input and initial states", "got LSTM on 1 input");
        bad("layer applyUnmasked: null input", IAE, f -> new LSTM(2).name("l").applyUnmasked(java.util.Arrays.asList(Input.shape(3, 2), null)),
                "l.applyUnmasked: input 1 is null");
        bad("model apply: two outputs", ISE, f -> twoInputs(f).apply(Input.shape(3, 2), Input.shape(3, 2)), "2 outputs", "applyAll");
        bad("model apply: closed", ISE, f -> {
            Sequential m = new Sequential(new LSTM(2).inputShape(3, 2));
            m.close();
            m.apply(Input.shape(3, 2));
        }, "closed");
        bad("model: layer index past the end", IAE, f -> f.model.getLayer(2), "getLayer", "index 2", "has 2 layers");
        bad("compile: null loss", IAE, f -> f.model.compile(new Adam(), (Loss) null), "loss is null");
        bad("compile: a loss per output, too many", IAE, f -> twoInputs(f).compile("adam", List.of("mse", "mse", "mae")),
                "expected one loss per output (2: [", "]), got 3");
        bad("trainable flags: one too many", IAE, f -> dev.jrnn.layers.TrainableFlags.restore(List.of(new Dense(1)), "10"),
                "TrainableFlags.restore: expected 1 flags of '0' and '1' (one per layer and wrapped layer, as of() gives them), got '10'");
        bad("trainable flags: not 0 or 1", IAE, f -> dev.jrnn.layers.TrainableFlags.restore(List.of(new Dense(1)), "t"),
                "expected 1 flags", "got 't'");
        bad("fit: inputs by name, one missing", IAE, f -> twoInputs(f).fit(Map.of("in_a", Tensor.zeros(4, 3, 2)),
                List.of(Tensor.zeros(4, 1), Tensor.zeros(4, 2)), new FitOptions().epochs(1).verbose(0)),
                ".fit: x by input name needs the keys [in_a, in_b] (the Inputs' names), got [in_a], without [in_b]");
        bad("testOnBatch: inputs by name, one missing", IAE, f -> twoInputs(f).testOnBatch(Map.of("in_b", Tensor.zeros(4, 3, 2)),
                List.of(Tensor.zeros(4, 1), Tensor.zeros(4, 2))), ".testOnBatch: x by input name needs the keys [in_a, in_b] (the Inputs' names), got [in_b], without [in_a]");
        bad("trainOnBatch: inputs by name, null", IAE, f -> twoInputs(f).trainOnBatchAll((Map<String, Tensor>) null,
                List.of(Tensor.zeros(4, 1), Tensor.zeros(4, 2))), ".trainOnBatch: x is null (expected a Map by input name [in_a, in_b])");
        bad("predictOnBatch: inputs by name, one missing", IAE, f -> twoInputs(f).predictOnBatch(Map.of("in_a", Tensor.zeros(4, 3, 2))),
                ".predictOnBatch: x by input name needs the keys [in_a, in_b] (the Inputs' names), got [in_a], without [in_b]");
        bad("validationData: inputs by name, a null tensor", IAE, f -> new FitOptions().validationData(java.util.Collections.singletonMap("in_a", (Tensor) null),
                List.of(Tensor.zeros(4, 1))), "FitOptions: validationData x by input name has a null tensor at 'in_a'");
        bad("fit: validation inputs by name, one missing", IAE, f -> twoInputs(f).fit(List.of(Tensor.zeros(4, 3, 2), Tensor.zeros(4, 3, 2)),
                List.of(Tensor.zeros(4, 1), Tensor.zeros(4, 2)), new FitOptions().epochs(1).verbose(0).validationData(Map.of("in_b", Tensor.zeros(2, 3, 2)),
                List.of(Tensor.zeros(2, 1), Tensor.zeros(2, 2)))), ".fit (validation data): x by input name needs the keys [in_a, in_b] (the Inputs' names), got [in_b], without [in_a]");
        bad("fit: targets by output name, a key naming no output", IAE, f -> twoInputs(f).fit(List.of(Tensor.zeros(4, 3, 2), Tensor.zeros(4, 3, 2)),
                Map.of("out_z", Tensor.zeros(4, 1)), new FitOptions().epochs(1).verbose(0)),
                ".fit: y by output name needs the keys [", "(the outputs' names), got [out_z], without [", "with [out_z] that name no output");
        bad("fit: inputs and targets by name, y null", IAE, f -> twoInputs(f).fit(Map.of("in_a", Tensor.zeros(4, 3, 2), "in_b", Tensor.zeros(4, 3, 2)),
                (Map<String, Tensor>) null, new FitOptions().epochs(1).verbose(0)), ".fit: y is null (expected a Map by output name [");
        bad("evaluate: targets by output name, null", IAE, f -> twoInputs(f).evaluateAll(List.of(Tensor.zeros(4, 3, 2), Tensor.zeros(4, 3, 2)),
                (Map<String, Tensor>) null), ".evaluate: y is null (expected a Map by output name [");
        bad("evaluate: inputs and targets by name, a key naming no output", IAE, f -> twoInputs(f).evaluateAll(
                Map.of("in_a", Tensor.zeros(4, 3, 2), "in_b", Tensor.zeros(4, 3, 2)), Map.of("in_a", Tensor.zeros(4, 1))),
                ".evaluate: y by output name needs the keys [", "with [in_a] that name no output");
        bad("validationData: targets by output name, a null key", IAE, f -> new FitOptions().validationData(List.of(Tensor.zeros(4, 3, 2)),
                java.util.Collections.singletonMap((String) null, Tensor.zeros(4, 1))), "FitOptions: validationData y by output name has a null key");
        bad("validationData: inputs and targets by name, y null", IAE, f -> new FitOptions().validationData(Map.of("in_a", Tensor.zeros(4, 3, 2)),
                (Map<String, Tensor>) null), "FitOptions: validationData needs both x and y, got a null map of y");
        bad("fit: validation targets by output name, a key naming no output", IAE, f -> twoInputs(f).fit(List.of(Tensor.zeros(4, 3, 2), Tensor.zeros(4, 3, 2)),
                List.of(Tensor.zeros(4, 1), Tensor.zeros(4, 2)), new FitOptions().epochs(1).verbose(0).validationData(
                List.of(Tensor.zeros(2, 3, 2), Tensor.zeros(2, 3, 2)), Map.of("z", Tensor.zeros(2, 1)))),
                ".fit (validation data): y by output name needs the keys [", "with [z] that name no output");
        bad("call: inputs by name, null", IAE, f -> twoInputs(f).callAll((Map<String, Tensor>) null, true),
                ".call: x is null (expected a Map by input name [in_a, in_b])");
        bad("predict: inputs by name, null", IAE, f -> twoInputs(f).predictAll((Map<String, Tensor>) null),
                ".predict: x is null (expected a Map by input name [in_a, in_b])");
        bad("compile: a loss per output, every one null", IAE, f -> twoInputs(f).compile(new Adam(), Arrays.asList(null, null)),
                "compile: every loss is null ([", "]): at least one output needs a loss");
        bad("compile: an output without a loss, metrics reading other targets", IAE, f -> twoInputs(f).compile(new Adam(),
                        Arrays.asList(Losses.mse(), null), List.of(List.of(), List.of("mae", "sparse_categorical_accuracy"))),
                "metric sparse_categorical_accuracy needs class-index targets but metric mae of output ", ", which has no loss, reads dense targets");
        bad("fit: targets only for the outputs without a loss", IAE, f -> {
            Model m = twoInputs(f);
            m.compile(new Adam(), Arrays.asList(Losses.mse(), null));
            Tensor x = Tensor.zeros(4, 3, 2);
            m.fit(List.of(x, x), Arrays.asList(null, Tensor.zeros(4, 2)), new FitOptions().epochs(1).verbose(0));
        }, "fit: every output with a loss has a null target, nothing to train on");
        bad("compile: a loss per output, not a loss", IAE, f -> twoInputs(f).compile("adam", List.of("mse", 3)),
                "the loss of output 1 (", ") is a Integer: expected a Loss or a Keras loss name");
        bad("compile: a loss per output, unknown name", IAE, f -> twoInputs(f).compile("adam", List.of("mse", "msee")), "unknown loss 'msee'");
        bad("compile: losses by name, a key missing", IAE, f -> twoInputs(f).compile(new Adam(), Map.of("nope", "mse")),
                "the loss map's keys must be the output names [", "got [nope]");
        bad("compile: losses list null", IAE, f -> f.model.compile("adam", (List<?>) null), "losses is null");
        bad("compile: losses map null", IAE, f -> f.model.compile(new Adam(), (Map<String, ?>) null), "losses is null");
        bad("compile: loss weights, one too many", IAE, f -> f.model.compile(new Adam(), List.of("mse"), List.of(1.0, 2.0)),
                "expected one loss weight per output (1: [", "got 2 [1.0, 2.0]");
        bad("compile: loss weight infinite", IAE, f -> f.model.compile(new Adam(), List.of("mse"), List.of(Double.POSITIVE_INFINITY)),
                "the loss weight of output 0", "must be a finite number, got Infinity");
        bad("compile: loss weights list null", IAE, f -> f.model.compile(new Adam(), List.of("mse"), (List<Number>) null),
                "expected one loss weight per output", "got null");
        bad("compile: loss weight null", IAE, f -> f.model.compile(new Adam(), List.of("mse"), java.util.Arrays.asList((Number) null)),
                "the loss weight of output 0", "got null");
        bad("compile: loss weight over float32", IAE, f -> f.model.compile(new Adam(), List.of("mse"), List.of(1e300)),
                "the loss weight of output 0", "got 1.0E300");
        bad("compile: loss weights map, a key missing", IAE, f -> twoInputs(f).compile(new Adam(), Map.of("nope", "mse"), Map.of("nope", 1.0)),
                "keys must be the output names [", "got [nope]");
        bad("optimizer: negative learning rate set", IAE, f -> new Adam().learningRate(-1), "learning rate must be a finite number >= 0, got -1.0");
        bad("compile: loss weights map null", IAE, f -> f.model.compile(new Adam(), Map.of("x", "mse"), (Map<String, Number>) null),
                "the loss weights map is null");
        bad("compile: unknown loss", IAE, f -> f.model.compile("adam", "msee"), "unknown loss 'msee'");
        bad("compile: unknown optimizer", IAE, f -> f.model.compile("ftrl", "mse"), "unknown optimizer 'ftrl'");
        bad("compile: unknown metric", IAE, f -> f.model.compile("adam", "mse", "f1"), "unknown metric 'f1'");
        bad("compile: dense metric with a sparse loss", IAE,
                f -> f.model.compile("adam", "sparse_categorical_crossentropy", "mae"), "mae", "class indices");
        bad("optimizer: negative learning rate", IAE, f -> new Adam(-0.1), "learning rate", "got -0.1");
        bad("optimizer: NaN learning rate", IAE, f -> new SGD(Double.NaN), "learning rate", "got NaN");
        bad("optimizer: beta1 of 1", IAE, f -> new Adam().beta1(1.0), "beta1", "[0, 1), got 1.0");
        bad("optimizer: Adamax negative rate", IAE, f -> new dev.jrnn.optim.Adamax(-1), "learning rate", "got -1.0");
        bad("optimizer: Adadelta rho of 1", IAE, f -> new dev.jrnn.optim.Adadelta().rho(1), "Adadelta: rho", "[0, 1), got 1.0");
        bad("optimizer: Adadelta epsilon 0", IAE, f -> new dev.jrnn.optim.Adadelta().epsilon(0), "epsilon", "got 0.0");
        bad("optimizer: Lion beta1 0", IAE, f -> new dev.jrnn.optim.Lion().beta1(0), "Lion: beta1", "(0, 1]", "SignSGD", "got 0.0");
        bad("optimizer: negative clipnorm", IAE, f -> new Adam().clipnorm(-1f), "clipnorm", "got -1.0");
    }

    // ================================================================== fit

    private static FitOptions quiet() {
        return new FitOptions().epochs(2).batchSize(4).verbose(0).seed(1);
    }

    /** A classifier Dense(3, softmax) over an LSTM, compiled with the given loss. */
    private static Sequential classifier(Fixture f, String loss) {
        return f.model(() -> {
            Sequential m = new Sequential(new LSTM(3).inputShape(3, 2), new Dense(3).activation("softmax"));
            m.compile("adam", loss);
            return m;
        });
    }

    private static void fit() {
        bad("fit: not compiled", ISE, f -> f.model(() -> new Sequential(new LSTM(2).inputShape(3, 2))).fit(x(8), y(8), quiet()),
                "must be compiled first");
        bad("fit: x null", IAE, f -> f.model.fit((Tensor) null, y(8), quiet()), "sequential.fit", "x is null");
        bad("fit: y null", IAE, f -> f.model.fit(x(8), null, quiet()), "sequential.fit", "every target is null");
        bad("fit: x of rank 2", IAE, f -> f.model.fit(Tensor.zeros(8, 3), y(8), quiet()),
                "sequential.fit: x has shape (8, 3), the model expects (None, 3, 2)");
        bad("fit: x with other timesteps", IAE, f -> f.model.fit(Tensor.zeros(8, 4, 2), y(8), quiet()), "(8, 4, 2)", "(None, 3, 2)");
        bad("fit: x with other features", IAE, f -> f.model.fit(Tensor.zeros(8, 3, 1), y(8), quiet()), "(8, 3, 1)", "(None, 3, 2)");
        bad("fit: y sample count", IAE, f -> f.model.fit(x(8), y(7), quiet()), "y has 7 samples, x has 8");
        bad("fit: y values per sample", IAE, f -> f.model.fit(x(8), Tensor.zeros(8, 2), quiet()),
                "y has shape (8, 2) (2 values per sample)", "dense (None, 1) needs 1 per sample", "mean_squared_error");
        bad("fit: x NaN", IAE, f -> f.model.fit(with(x(8), 5 * 6 + 2 * 2 + 1, Float.NaN), y(8), quiet()), "x holds NaN at (5, 2, 1)");
        bad("fit: x +Inf", IAE, f -> f.model.fit(with(x(8), 0, Float.POSITIVE_INFINITY), y(8), quiet()), "x holds Infinity at (0, 0, 0)");
        bad("fit: y NaN", IAE, f -> f.model.fit(x(8), with(y(8), 7, Float.NaN), quiet()), "y holds NaN at (7, 0)");
        bad("fit: y -Inf", IAE, f -> f.model.fit(x(8), with(y(8), 3, Float.NEGATIVE_INFINITY), quiet()), "y holds -Infinity at (3, 0)");
        bad("fit: negative epochs", IAE, f -> new FitOptions().epochs(-1), "epochs must be >= 0, got -1");
        bad("fit: zero batch size", IAE, f -> new FitOptions().batchSize(0), "batchSize must be >= 1, got 0");
        bad("fit: negative batch size", IAE, f -> f.model.fit(x(8), y(8), 1, -4), "batchSize must be >= 1, got -4");
        bad("fit: verbose 3", IAE, f -> new FitOptions().verbose(3), "verbose must be 0, 1 or 2, got 3");
        bad("fit: progressFormat null", IAE, f -> new FitOptions().progressFormat(null), "progressFormat must be TF_KERAS_2 or KERAS_3, got null");
        bad("fit: stepsPerEpoch 0", IAE, f -> new FitOptions().stepsPerEpoch(0), "stepsPerEpoch must be >= 1, got 0");
        bad("callbacks: TensorBoard updateFreq", IAE, f -> new dev.jrnn.model.TensorBoard(f.dir).updateFreq("step"),
                "TensorBoard: updateFreq must be \"epoch\", \"batch\" or a number of batches, got \"step\"");
        bad("callbacks: TensorBoard into a file", java.io.UncheckedIOException.class,
                f -> f.model.fit(x(8), y(8), quiet().callbacks(new dev.jrnn.model.TensorBoard(f.good))),
                "TensorBoard: cannot write under", "good.safetensors");
        bad("callbacks: EarlyStopping monitor auto cannot place", IAE,
                f -> f.model.fit(x(8), y(8), quiet().validationSplit(0.25).callbacks(new dev.jrnn.model.EarlyStopping().monitor("val_acc"))),
                "EarlyStopping: mode \"auto\" cannot tell whether monitor 'val_acc'", "(the epochs log [loss, val_loss])",
                "mode(\"max\")", "mode(\"min\")");
        bad("callbacks: ReduceLROnPlateau monitor auto cannot place", IAE,
                f -> f.model.fit(x(8), y(8), quiet().callbacks(new dev.jrnn.model.ReduceLROnPlateau().monitor("learning_rate"))),
                "ReduceLROnPlateau: mode \"auto\" cannot tell whether monitor 'learning_rate'", "(the epochs log [learning_rate, loss])",
                "mode(\"max\")");
        bad("callbacks: ModelCheckpoint monitor auto cannot place", IAE,
                f -> f.model.fit(x(8), y(8), quiet().callbacks(new dev.jrnn.model.ModelCheckpoint(f.dir.resolve("m.keras").toString()).monitor("mae"))),
                "ModelCheckpoint: mode \"auto\" cannot tell whether monitor 'mae'", "no compiled metric logs 'mae'", "mode(\"min\")");
        bad("models: layerConfig null", IAE, f -> dev.jrnn.model.Models.layerConfig(null), "Models.layerConfig", "layer");
        bad("callbacks: SwapEMAWeights without useEma", IAE, f -> f.model.fit(x(8), y(8), quiet().callbacks(new dev.jrnn.model.SwapEMAWeights())),
                "SwapEMAWeights needs an optimizer with useEma(true)", "with useEma false");
        bad("models: fromJson not JSON", IAE, f -> dev.jrnn.model.Models.fromJson("[1, "), "fromJson: not JSON");
        bad("models: fromJson unknown layer", IAE,
                f -> dev.jrnn.model.Models.fromJson("{\"class_name\": \"Sequential\", \"config\": {\"layers\": [{\"class_name\": "
                        + "\"Conv3D\", \"config\": {\"name\": \"c\"}}]}}"), "fromJson", "Conv3D");
        bad("fit: validationSteps 0", IAE, f -> new FitOptions().validationSteps(0), "validationSteps must be >= 1, got 0");
        bad("fit: validationSteps without validation data", IAE, f -> f.model.fit(x(8), y(8), quiet().validationSteps(2)),
                "sequential.fit: FitOptions.validationSteps applies to validation data", "there is none");
        bad("fit(Dataset): validationSteps without validation data", IAE,
                f -> f.model.fit(dev.jrnn.data.Dataset.fromTensors(x(8), y(8)).batch(4), new FitOptions().verbose(0).validationSteps(2)),
                "sequential.fit: FitOptions.validationSteps applies to validation data", "there is none");
        bad("fit: validationBatchSize 0", IAE, f -> new FitOptions().validationBatchSize(0), "validationBatchSize must be >= 1, got 0");
        bad("fit: validationBatchSize without validation data", IAE, f -> f.model.fit(x(8), y(8), quiet().validationBatchSize(2)),
                "sequential.fit: FitOptions.validationBatchSize applies to validation data", "there is none");
        bad("fit(Dataset): validationBatchSize", IAE,
                f -> f.model.fit(dev.jrnn.data.Dataset.fromTensors(x(8), y(8)).batch(4), new FitOptions().verbose(0)
                        .validationData(dev.jrnn.data.Dataset.fromTensors(x(4), y(4)).batch(2)).validationBatchSize(2)),
                "sequential.fit(Dataset): FitOptions.validationBatchSize", "does not apply to a dataset");
        bad("fit: validationBatchSize with a validation dataset", IAE, f -> f.model.fit(x(8), y(8),
                        quiet().validationData(dev.jrnn.data.Dataset.fromTensors(x(4), y(4)).batch(2)).validationBatchSize(2)),
                "sequential.fit: FitOptions.validationBatchSize does not apply to a validation dataset", "got validationBatchSize 2");
        bad("fit: endless validation dataset without validationSteps", IAE, f -> f.model.fit(x(8), y(8),
                        quiet().validationData(dev.jrnn.data.Dataset.fromTensors(x(4), y(4)).repeat().batch(2))),
                "fit (validation data): the dataset is endless", "FitOptions.validationSteps(n)");
        bad("fit: batch then repeat() without stepsPerEpoch", IAE,
                f -> f.model.fit(dev.jrnn.data.Dataset.fromTensors(x(4), y(4)).batch(2).repeat(), new FitOptions().verbose(0)),
                "sequential.fit: the dataset is endless", "FitOptions.stepsPerEpoch(n)");
        bad("fit: batch then skip past every batch", IAE,
                f -> f.model.fit(dev.jrnn.data.Dataset.fromTensors(x(4), y(4)).batch(2).skip(2), new FitOptions().verbose(0)),
                "sequential.fit: the dataset gives no batch", "nothing to compute on");
        bad("evaluate: steps 0", IAE, f -> f.model.evaluateAll(dev.jrnn.data.Dataset.fromTensors(x(4), y(4)).batch(2), 0),
                "sequential.evaluate: steps must be >= 1, got 0");
        bad("evaluate: endless dataset without steps", IAE,
                f -> f.model.evaluateAll(dev.jrnn.data.Dataset.fromTensors(x(4), y(4)).repeat().batch(2)),
                "sequential.evaluate: the dataset is endless", "evaluateAll(data, steps)");
        bad("fit: validationSplit 1", IAE, f -> new FitOptions().validationSplit(1.0), "validationSplit", "[0, 1), got 1.0");
        bad("fit: validationSplit NaN", IAE, f -> new FitOptions().validationSplit(Double.NaN), "validationSplit", "got NaN");
        bad("fit: validationSplit negative", IAE, f -> new FitOptions().validationSplit(-0.1), "validationSplit", "got -0.1");
        bad("fit: validationSplit leaves no training data", IAE, f -> f.model.fit(x(8), y(8), quiet().validationSplit(0.95)),
                "validationSplit 0.95 of 8 samples leaves 0 for training");
        bad("fit: validation x NaN", IAE, f -> f.model.fit(x(8), y(8), quiet().validationData(with(x(4), 1, Float.NaN), y(4))),
                "fit (validation data): x holds NaN at (0, 0, 1)");
        bad("fit: validation y values per sample", IAE, f -> f.model.fit(x(8), y(8), quiet().validationData(x(4), Tensor.zeros(4, 3))),
                "fit (validation data): y has shape (4, 3)", "needs 1 per sample");
        bad("fit: validationData without y", IAE, f -> new FitOptions().validationData(x(4), null), "needs both x and y");
        bad("fit: lengths count", IAE, f -> f.model.fit(x(8), y(8), quiet().lengths(3, 3, 3)), "lengths has 3 entries, x has 8 samples");
        bad("fit: negative length", IAE, f -> f.model.fit(x(8), y(8), quiet().lengths(3, 3, -1, 3, 3, 3, 3, 3)), "lengths[2] = -1", "[0, 3]");
        bad("fit: length past the timesteps", IAE, f -> f.model.fit(x(8), y(8), quiet().lengths(4, 3, 3, 3, 3, 3, 3, 3)), "lengths[0] = 4");
        bad("fit: two inputs for a one-input model", IAE, f -> f.model.fit(List.of(x(8), x(8)), List.of(y(8)), quiet()),
                "expected 1 input tensor(s), got 2");
        bad("fit: two targets for a one-output model", IAE, f -> f.model.fit(List.of(x(8)), List.of(y(8), y(8)), quiet()),
                "expected 1 target tensor(s)", "got 2");
        bad("fit: every target null", IAE, f -> f.model.fit(List.of(x(8)), Arrays.asList((Tensor) null), quiet()), "every target is null");
        bad("fit: sparse class index past the classes", IAE,
                f -> classifier(f, "sparse_categorical_crossentropy").fit(x(8), Tensor.of(new float[] {0, 1, 2, 0, 1, 2, 0, 3}, 8, 1), quiet()),
                "class index 3.0 at (7, 0)", "[0, 3)", "dense");
        bad("fit: negative sparse class index", IAE,
                f -> classifier(f, "sparse_categorical_crossentropy").fit(x(8), Tensor.of(new float[] {0, 1, 2, 0, -1, 2, 0, 1}, 8), quiet()),
                "class index -1.0 at (4,)");
        bad("fit: fractional sparse class index", IAE,
                f -> classifier(f, "sparse_categorical_crossentropy").fit(x(8), Tensor.of(new float[] {0, 1, 2, 0, 1, 1.5f, 0, 1}, 8), quiet()),
                "class index 1.5 at (5,)");
        bad("fit: one-hot targets of the wrong width", IAE,
                f -> classifier(f, "categorical_crossentropy").fit(x(8), Tensor.zeros(8, 2), quiet()),
                "y has shape (8, 2)", "dense_1 (None, 3) needs 3 per sample", "categorical_crossentropy");
        bad("fit: embedding id past the vocabulary", IAE, f -> {
            Sequential m = f.model(() -> {
                Sequential s = new Sequential(new Embedding(10, 3).inputShape(4), new SimpleRNN(2), new Dense(1));
                s.compile("sgd", "mse");
                return s;
            });
            float[] ids = new float[32];
            for (int i = 0; i < 32; i++) ids[i] = i % 10;
            ids[30] = 10;
            m.fit(Tensor.of(ids, 8, 4), y(8), quiet());
        }, "embedding: id 10.0 at (7, 2) of x is not an integer in [0, 10)");
        bad("fit: closed model", ISE, f -> {
            Sequential m = new Sequential(new LSTM(2).inputShape(3, 2));
            m.compile("adam", "mse");
            m.close();
            m.fit(x(8), Tensor.zeros(8, 2), quiet());
        }, "closed");
        bad("fit: null callback", IAE, f -> new FitOptions().callbacks((dev.jrnn.model.Callback) null), "callback is null");
        bad("fit: inputs with different sample counts", IAE, f -> twoInputs(f).fit(List.of(x(8), x(6)), Arrays.asList(y(8), null), quiet()),
                "inputs have different sample counts 8 and 6");
        bad("fit: second input NaN", IAE, f -> twoInputs(f).fit(List.of(x(8), with(x(8), 47, Float.NaN)), Arrays.asList(y(8), null), quiet()),
                "x[1] (in_b) holds NaN at (7, 2, 1)");
        bad("trainOnBatch: x NaN", IAE, f -> f.model.trainOnBatch(with(x(4), 2, Float.NaN), y(4)), "trainOnBatch: x holds NaN");
        bad("trainOnBatch: y values per sample", IAE, f -> f.model.trainOnBatch(x(4), Tensor.zeros(4, 3)), "trainOnBatch: y has shape (4, 3)");
        bad("trainOnBatch: one y for two outputs", IAE, f -> twoInputs(f).trainOnBatch(List.of(x(4), x(4)), List.of(y(4))),
                "trainOnBatch: expected 2 target tensor(s)");
        bad("trainOnBatch: null lists", IAE, f -> twoInputs(f).trainOnBatch((List<Tensor>) null, (List<Tensor>) null), "expected 2 input tensor(s), got null");
        bad("testOnBatch: y sample count", IAE, f -> f.model.testOnBatch(x(4), y(3)), "y has 3 samples, x has 4");
        bad("predictOnBatch: two outputs", ISE, f -> twoInputs(f).predictOnBatch(x(4)), "2 outputs", "predictOnBatch(List.of(x))");
        bad("predictOnBatch: x null", IAE, f -> f.model.predictOnBatch((Tensor) null), "x is null");
        bad("predictOnBatch: one x for two inputs", IAE, f -> twoInputs(f).predictOnBatch(List.of(x(4))), "expected 2 input tensor(s), got 1");
        bad("call: two outputs", ISE, f -> twoInputs(f).call(x(4), true), "2 outputs", "callAll(List.of(x), training)");
        bad("call: x null", IAE, f -> f.model.call(null, true), "x is null");
        bad("callAll: one x for two inputs", IAE, f -> twoInputs(f).callAll(List.of(x(4)), true), "expected 2 input tensor(s), got 1");
    }

    /** Two (3, 2) inputs "in_a", "in_b", added through their own LSTMs into Dense(1). */
    private static Model twoInputs(Fixture f) {
        return f.model(() -> {
            Input a = Input.shape(3, 2).name("in_a");
            Input b = Input.shape(3, 2).name("in_b");
            Node ha = new LSTM(2).apply(a), hb = new LSTM(2).apply(b);
            Model m = new Model(List.of(a, b), List.of(new Dense(1).apply(ha), hb));
            m.compile("adam", "mse");
            return m;
        });
    }

    // ================================================================== predict / evaluate

    private static void predictEvaluate() {
        bad("predict: wrong feature count", IAE, f -> f.model.predict(Tensor.zeros(2, 3, 5)), "sequential.predict", "(2, 3, 5)", "(None, 3, 2)");
        bad("predict: zero batch size", IAE, f -> f.model.predictAll(List.of(x(2)), 0, null), "batchSize must be >= 1, got 0");
        bad("predict: zero batch size, one tensor", IAE, f -> f.model.predict(x(2), 0), "sequential.predict: batchSize must be >= 1, got 0");
        bad("predict: x null, with a batch size", IAE, f -> f.model.predict(null, 4), "x is null");
        bad("predict: lengths count", IAE, f -> f.model.predict(x(2), new int[] {3}), "lengths has 1 entries, x has 2 samples");
        bad("predict: x null", IAE, f -> f.model.predict(null), "x is null");
        bad("predict: list null", IAE, f -> f.model.predictAll(null, 8, null), "expected 1 input tensor(s), got null");
        bad("predict: list null, default batch", IAE, f -> f.model.predictAll((List<Tensor>) null), "expected 1 input tensor(s), got null");
        bad("predict: two inputs for one, default batch", IAE, f -> f.model.predictAll(List.of(x(2), x(2))), "expected 1 input tensor(s)");
        bad("evaluate: list y sample count, default batch", IAE, f -> f.model.evaluateAll(List.of(x(8)), List.of(y(7))),
                "sequential.evaluate", "y has 7 samples, x has 8");
        bad("predict: unbuilt model on a vector", ISE, f -> new Sequential(new Dense(2)).predict(Tensor.zeros(4)), "not yet been built");
        bad("evaluate: not compiled", ISE, f -> f.model(() -> new Sequential(new LSTM(2).inputShape(3, 2))).evaluate(x(4), Tensor.zeros(4, 2)),
                "must be compiled first");
        bad("evaluate: y sample count", IAE, f -> f.model.evaluate(x(8), y(7)), "sequential.evaluate", "y has 7 samples, x has 8");
        bad("evaluate: zero batch size", IAE, f -> f.model.evaluateAll(List.of(x(8)), List.of(y(8)), 0, null), "batchSize must be >= 1, got 0");
        bad("evaluate: y values per sample", IAE, f -> f.model.evaluate(x(8), Tensor.zeros(8, 4)), "y has shape (8, 4)", "needs 1 per sample");
    }

    // ================================================================== weights files

    private static byte[] le64(long v) {
        return ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(v).array();
    }

    private static byte[] concat(byte[]... parts) {
        int n = 0;
        for (byte[] p : parts) n += p.length;
        byte[] r = new byte[n];
        int o = 0;
        for (byte[] p : parts) {
            System.arraycopy(p, 0, r, o, p.length);
            o += p.length;
        }
        return r;
    }

    /** Loads {@code p} into the fixture's model. */
    private static void load(Fixture f, Path p) throws IOException {
        f.model.loadWeights(p);
    }

    /** A file with the model's layout whose entry {@code i} is replaced by {@code json}. */
    private static Path edited(Fixture f, int i, String json) {
        return f.st(header((k, e) -> k == i ? json : e), Fixture.DATA_BYTES);
    }

    private static void files() {
        bad("file: missing", IOE, f -> load(f, f.dir.resolve("nope.safetensors")), "nope.safetensors");
        bad("file: a directory", IOE, f -> load(f, f.dir), "is a directory, not a safetensors file");
        bad("file: null path", IAE, f -> f.model.loadWeights(null), "file is null");
        bad("file: empty", IOE, f -> load(f, f.file("e.safetensors", new byte[0])), "e.safetensors", "0 bytes", "8-byte header length");
        bad("file: 7 bytes", IOE, f -> load(f, f.file("s.safetensors", new byte[7])), "7 bytes");
        bad("file: header length past the end", IOE, f -> load(f, f.file("h.safetensors", concat(le64(1000), new byte[8]))),
                "invalid safetensors header length 1000", "16 bytes");
        bad("file: header length 0", IOE, f -> load(f, f.file("h.safetensors", concat(le64(0), new byte[8]))), "header length 0");
        bad("file: header length with the top bit set", IOE, f -> load(f, f.file("h.safetensors", concat(le64(-1), new byte[8]))),
                "header length 18446744073709551615");
        bad("file: header length above the limit", IOE,
                f -> load(f, f.file("h.safetensors", concat(le64(200_000_000L), new byte[16]))), "header length 200000000");
        bad("file: header not JSON", IOE, f -> load(f, f.st("hello, world!!!!", 0)), "malformed safetensors header", "unexpected character 'h'");
        bad("file: truncated JSON", IOE, f -> load(f, f.st(header().substring(0, 60), 0)), "malformed safetensors header");
        bad("file: trailing garbage after the JSON", IOE, f -> load(f, f.st(header() + " x", Fixture.DATA_BYTES)), "trailing characters");
        bad("file: top level is an array", IOE, f -> load(f, f.st("[]", 0)), "not a JSON object");
        bad("file: header not UTF-8", IOE, f -> {
            byte[] h = header().getBytes(StandardCharsets.UTF_8);
            h[3] = (byte) 0xC3;   // a lead byte followed by ASCII
            h[4] = (byte) 0x28;
            load(f, f.file("u.safetensors", concat(le64(h.length), h, new byte[Fixture.DATA_BYTES])));
        }, "not valid UTF-8");
        bad("file: duplicate tensor name", IOE, f -> load(f, f.st(header((k, e) -> k == 4 ? entry("dense/kernel", "F32", "[1]", 464, 468) : e),
                Fixture.DATA_BYTES)), "duplicate key 'dense/kernel'");
        bad("file: nesting 100000 deep", IOE, f -> load(f, f.st("[".repeat(100_000), 0)), "nesting deeper than 64");
        bad("file: entry is a number", IOE, f -> load(f, edited(f, 0, "\"lstm/kernel\":3")), "entry 'lstm/kernel' is not an object");
        bad("file: dtype missing", IOE, f -> load(f, edited(f, 2, "\"lstm/bias\":{\"shape\":[16],\"data_offsets\":[384,448]}")),
                "tensor 'lstm/bias' has no dtype");
        bad("file: dtype I8", IOE, f -> load(f, edited(f, 2, entry("lstm/bias", "I8", "[16]", 384, 448))), "lstm/bias", "dtype I8");
        bad("file: dtype a number", IOE, f -> load(f, edited(f, 2, "\"lstm/bias\":{\"dtype\":32,\"shape\":[16],\"data_offsets\":[384,448]}")),
                "lstm/bias", "dtype");
        bad("file: shape missing", IOE, f -> load(f, edited(f, 2, "\"lstm/bias\":{\"dtype\":\"F32\",\"data_offsets\":[384,448]}")),
                "tensor 'lstm/bias' has no shape");
        bad("file: negative dimension", IOE, f -> load(f, edited(f, 2, entry("lstm/bias", "F32", "[-16]", 384, 448))), "invalid dimension -16");
        bad("file: fractional dimension", IOE, f -> load(f, edited(f, 2, entry("lstm/bias", "F32", "[2.5]", 384, 448))), "non-integer", "2.5");
        bad("file: string dimension", IOE, f -> load(f, edited(f, 2, entry("lstm/bias", "F32", "[\"16\"]", 384, 448))), "non-integer", "16");
        bad("file: rank 40", IOE, f -> load(f, edited(f, 2, entry("lstm/bias", "F32", "[" + "1,".repeat(39) + "16]", 384, 448))), "rank 40");
        bad("file: element count overflows", IOE,
                f -> load(f, edited(f, 2, entry("lstm/bias", "F32", "[2147483647,2147483647,2147483647]", 384, 448))), "lstm/bias", "too large");
        bad("file: zero-element tensor", IOE, f -> load(f, edited(f, 2, entry("lstm/bias", "F32", "[0,16]", 384, 384))), "lstm/bias", "zero elements");
        bad("file: data_offsets missing", IOE, f -> load(f, edited(f, 2, "\"lstm/bias\":{\"dtype\":\"F32\",\"shape\":[16]}")),
                "lstm/bias", "data_offsets [begin, end]");
        bad("file: three data_offsets", IOE,
                f -> load(f, edited(f, 2, "\"lstm/bias\":{\"dtype\":\"F32\",\"shape\":[16],\"data_offsets\":[384,448,512]}")),
                "lstm/bias", "data_offsets [begin, end]");
        bad("file: begin after end", IOE, f -> load(f, edited(f, 2, entry("lstm/bias", "F32", "[16]", 448, 384))), "lstm/bias", "[448, 384]");
        bad("file: negative begin", IOE, f -> load(f, edited(f, 0, entry("lstm/kernel", "F32", "[2,16]", -128, 0))), "lstm/kernel", "[-128, 0]");
        bad("file: offsets past the data (lying header)", IOE, f -> load(f, f.st(header(), 400)),
                "tensor 'lstm/bias' data_offsets [384, 448] outside the 400 data bytes");
        bad("file: span does not fit the shape", IOE, f -> load(f, edited(f, 2, entry("lstm/bias", "F32", "[16]", 384, 444))),
                "lstm/bias", "needs 64 bytes, data_offsets span 60");
        bad("file: dtype does not fit the span", IOE, f -> load(f, edited(f, 2, entry("lstm/bias", "F64", "[16]", 384, 448))),
                "lstm/bias", "F64 needs 128 bytes");
        bad("file: gap between tensors", IOE, f -> load(f, f.st(header((k, e) -> k == 2 ? entry("lstm/bias", "F32", "[15]", 388, 448) : e),
                Fixture.DATA_BYTES)), "lstm/bias", "starts at byte 388, expected 384");
        bad("file: overlapping tensors", IOE, f -> load(f, f.st(header((k, e) -> k == 1 ? entry("lstm/recurrent_kernel", "F32", "[4,16]", 124, 380)
                : k == 2 ? entry("lstm/bias", "F32", "[17]", 380, 448) : e), Fixture.DATA_BYTES)), "gap or overlap");
        bad("file: extra bytes after the data (oversized)", IOE, f -> load(f, f.file("o.safetensors", concat(f.goodBytes(), new byte[32]))),
                "tensors cover 468 data bytes, the file holds 500");
        bad("file: truncated data", IOE, f -> {
            byte[] g = f.goodBytes();
            load(f, f.file("t.safetensors", Arrays.copyOf(g, g.length - 10)));
        }, "dense/kernel", "outside the 458 data bytes");
        bad("file: truncated in the header", IOE, f -> load(f, f.file("t.safetensors", Arrays.copyOf(f.goodBytes(), 40))),
                "invalid safetensors header length");
        bad("file: __metadata__ not an object", IOE, f -> load(f, f.st("{\"__metadata__\":[1]," + header().substring(1), Fixture.DATA_BYTES)),
                "__metadata__ is not an object");
        bad("file: metadata value not a string", IOE,
                f -> load(f, f.st("{\"__metadata__\":{\"format\":3}," + header().substring(1), Fixture.DATA_BYTES)), "'format' is not a string");
        bad("file: empty tensor name", IOE, f -> load(f, f.st("{" + entry("", "F32", "[1]", 0, 4) + "}", 4)), "empty name");
        bad("file: broken unicode escape", IOE, f -> load(f, f.st("{\"a\\u12\":1}", 0)), "malformed safetensors header", "escape");
        bad("file: model mismatch lists every difference", IAE, f -> load(f, f.st(header((k, e) ->
                k == 0 ? entry("lstm/kernel", "F32", "[3,16]", 0, 192) : k == 1 ? entry("lstm/recurrent_kernel", "F32", "[4,16]", 192, 448)
                        : k == 2 ? entry("foo", "F32", "[16]", 448, 512) : k == 3 ? entry("dense/kernel", "F32", "[4,1]", 512, 528)
                        : null), 528)),
                "does not match the model", "missing [lstm/bias, dense/bias]", "unexpected [foo]", "lstm/kernel expected shape (2, 16), got (3, 16)");
        bad("file: weights of another model", IAE, f -> {
            Sequential other = f.model(() -> new Sequential(new GRU(4).inputShape(3, 2), new Dense(1)));
            Path p = f.dir.resolve("gru.safetensors");
            other.saveWeights(p);
            f.file("gru.safetensors", Fixture.read(p));
            load(f, p);
        }, "missing [lstm/kernel, lstm/recurrent_kernel, lstm/bias", "unexpected [gru/kernel");
        bad("file: NaN in the data", IAE, f -> {
            byte[] g = f.goodBytes();
            int dataStart = g.length - Fixture.DATA_BYTES;
            ByteBuffer.wrap(g).order(ByteOrder.LITTLE_ENDIAN).putFloat(dataStart + 384 + 5 * 4, Float.NaN);
            load(f, f.file("n.safetensors", g));
        }, "non-finite", "lstm/bias holds NaN at (5,)");
        bad("file: F16 infinity", IAE, f -> {
            String h = header((k, e) -> k == 4 ? entry("dense/bias", "F16", "[1]", 464, 466) : e);
            byte[] data = new byte[466];
            ByteBuffer.wrap(data).order(ByteOrder.LITTLE_ENDIAN).putShort(464, Float.floatToFloat16(Float.POSITIVE_INFINITY));
            load(f, f.st(h, data));
        }, "dense/bias holds Infinity at (0,)");
        bad("file: scalar where a vector belongs", IAE, f -> load(f, f.st(header((k, e) -> k == 4 ? entry("dense/bias", "F32", "[]", 464, 468) : e),
                Fixture.DATA_BYTES)), "dense/bias expected shape (1,), got () (a scalar)");
        bad("save: parent is a file", IOE, f -> f.model.saveWeights(f.good.resolve("w.safetensors")), "good.safetensors");
        bad("save: target is a directory", IOE, f -> {
            Path d = f.dir.resolve("sub");
            Files.createDirectory(d);
            f.trackDir(d);
            f.model.saveWeights(d);
        }, "is a directory");
        bad("save: null path", IAE, f -> f.model.saveWeights(null), "file is null");
    }

    // ================================================================== more layers (audit, session 8)

    private static void moreLayers() {
        bad("layer: empty inputShape", IAE, f -> new LSTM(2).inputShape(), "inputShape needs at least one dimension, got ()");
        bad("layer: returnSequences once in a model", ISE, f -> lstm(f).returnSequences(true), "lstm", "returnSequences",
                "after the layer has been applied");
        bad("layer: returnState once in a model", ISE, f -> lstm(f).returnState(true), "lstm", "returnState", "has been applied");
        bad("layer: goBackwards once in a model", ISE, f -> lstm(f).goBackwards(true), "lstm", "goBackwards", "has been applied");
        bad("layer: unroll once in a model", ISE, f -> lstm(f).unroll(true), "lstm", "unroll", "has been applied");
        bad("layer: unroll on steps of unknown length", IAE, f -> new GRU(2).name("g").unroll(true).apply(Input.shape(-1, 3)),
                "g: unroll needs a fixed number of timesteps", "(None, None, 3)");
        bad("layer: mergeMode once in a model", ISE, f -> {
            Bidirectional b = new Bidirectional(new LSTM(2));
            try (Sequential m = new Sequential(b.inputShape(3, 2), new Dense(1))) {
                b.mergeMode("sum");
            }
        }, "mergeMode", "has been applied");
        bad("layer: returnSequences of a wrapped layer", ISE, f -> {
            LSTM inner = new LSTM(2).returnSequences(true);
            new Bidirectional(inner);
            inner.returnSequences(false);
        }, "returnSequences", "a Bidirectional wraps", "set it before wrapping");
        bad("layer: activation of a wrapped layer", ISE, f -> {
            LSTM inner = new LSTM(2).name("inner");
            new Bidirectional(inner);
            inner.activation("relu");
        }, "forward_inner: cannot set activation of a layer a Bidirectional wraps", "set it before wrapping");
        bad("layer: RepeatVector 0", IAE, f -> new dev.jrnn.layers.RepeatVector(0), "RepeatVector", "n must be positive, got 0");
        bad("layer: Concatenate on the batch axis", IAE, f -> new dev.jrnn.layers.Concatenate(0), "axis 0 is the batch axis");
        bad("layer: LayerNormalization epsilon 0", IAE, f -> new dev.jrnn.layers.LayerNormalization().epsilon(0),
                "epsilon must be positive and finite, got 0");
        bad("layer: LayerNormalization axis 0", IAE, f -> new dev.jrnn.layers.LayerNormalization().axis(0), "axis", "got 0");
        bad("layer: unknown Activation layer", IAE, f -> new dev.jrnn.layers.Activation("swishy"), "swishy");
        bad("layer: recurrent dropout 1", IAE, f -> new LSTM(2).recurrentDropout(1.0), "recurrentDropout", "1.0");
        bad("layer: input dropout NaN", IAE, f -> new GRU(2).dropout(Double.NaN), "dropout", "NaN");
        bad("model: empty name", IAE, f -> f.model.name(""), "Model.name", "got ''");
        bad("model: name with a slash", IAE, f -> f.model.name("a/b"), "Model.name: the name must not contain '/', got 'a/b'");
        bad("model: name with a lone surrogate", IAE, f -> f.model.name("a\uD800"), "Model.name: the name is not valid Unicode", "U+D800");
    }

    // ================================================================== optimizers, schedules, callbacks

    private static void optimizersSchedulesCallbacks() {
        bad("optimizer: RMSprop negative learning rate", IAE, f -> new dev.jrnn.optim.RMSprop(-0.1), "RMSprop", "learning rate", "-0.1");
        bad("optimizer: Adagrad negative learning rate", IAE, f -> new dev.jrnn.optim.Adagrad(-0.5), "Adagrad", "learning rate", "got -0.5");
        bad("optimizer: Nadam NaN learning rate", IAE, f -> new dev.jrnn.optim.Nadam(Double.NaN), "Nadam", "NaN");
        bad("optimizer: AdamW infinite learning rate", IAE, f -> new dev.jrnn.optim.AdamW(Double.POSITIVE_INFINITY), "AdamW", "Infinity");
        bad("optimizer: RMSprop rho 1", IAE, f -> new dev.jrnn.optim.RMSprop().rho(1.0), "rho", "1.0");
        bad("optimizer: AdamW negative weight decay", IAE, f -> new dev.jrnn.optim.AdamW().weightDecay(-1), "weightDecay", "-1");
        bad("optimizer: unknown name", IAE, f -> f.model.compile("adamax-ish", "mse"), "adamax-ish");
        bad("schedule: CosineDecay alpha 2", IAE, f -> new dev.jrnn.optim.schedules.CosineDecay(0.1, 100).alpha(2),
                "CosineDecay", "alpha must be in [0, 1], got 2.0");
        bad("schedule: PiecewiseConstantDecay lengths", IAE, f -> new dev.jrnn.optim.schedules.PiecewiseConstantDecay(
                new long[] {10, 20}, new double[] {0.1, 0.01}), "PiecewiseConstantDecay", "1 less than the length of values");
        bad("schedule: PiecewiseConstantDecay decreasing boundaries", IAE, f -> new dev.jrnn.optim.schedules.PiecewiseConstantDecay(
                new long[] {20, 10}, new double[] {0.1, 0.01, 0.001}), "boundaries must increase");
        bad("schedule: PiecewiseConstantDecay negative value", IAE, f -> new dev.jrnn.optim.schedules.PiecewiseConstantDecay(
                new long[] {10}, new double[] {0.1, -0.01}), "PiecewiseConstantDecay", "values", ">= 0", "got -0.01");
        bad("optimizer: excludeFromWeightDecay null", IAE, f -> new dev.jrnn.optim.AdamW().excludeFromWeightDecay((String[]) null),
                "AdamW.excludeFromWeightDecay", "varNames is null");
        bad("optimizer: excludeFromWeightDecay empty name", IAE, f -> new dev.jrnn.optim.SGD().excludeFromWeightDecay("bias", ""),
                "SGD.excludeFromWeightDecay", "non-empty", "[bias, ]");
        bad("optimizer: excludeFromWeightDecay bad pattern, the previous names kept", IAE, f -> {
            dev.jrnn.optim.Optimizer o = new dev.jrnn.optim.Adam().excludeFromWeightDecay("bias");
            try {
                o.excludeFromWeightDecay("gamma(");
            } finally {
                if (!o.excludedFromWeightDecay().equals(java.util.List.of("bias"))) throw new AssertionError("changed: " + o.excludedFromWeightDecay());
            }
        }, "Adam.excludeFromWeightDecay", "gamma(", "not a valid pattern");
        bad("optimizer: Adam amsgrad switched on keeps the other settings checked", IAE,
                f -> new dev.jrnn.optim.Adam().amsgrad(true).beta2(1.0), "Adam: beta2", "1.0");
        bad("loss: deserialize a Huber delta that is not positive", IAE, f -> dev.jrnn.losses.Losses.deserialize(java.util.Map.of(
                "class_name", "Huber", "config", java.util.Map.of("delta", -3.0))), "Huber", "Loss.delta: expected a positive finite number, got -3.0",
                "not supported");
        bad("loss: a Huber delta of 0", IAE, f -> dev.jrnn.backend.Loss.HUBER.delta(0), "Loss.delta", "a positive finite number", "got 0.0");
        bad("loss: gamma of a loss that is not focal", IAE, f -> dev.jrnn.backend.Loss.MSE.gamma(1), "Loss.gamma",
                "only the focal cross-entropies take it", "got MSE");
        bad("loss: negative focal gamma", IAE, f -> dev.jrnn.backend.Loss.BINARY_FOCAL_CROSSENTROPY.gamma(-0.5), "Loss.gamma",
                "a finite number >= 0", "got -0.5");
        bad("loss: NaN focal alpha", IAE, f -> dev.jrnn.backend.Loss.CATEGORICAL_FOCAL_CROSSENTROPY.alpha(Double.NaN), "Loss.alpha",
                "a finite number", "got NaN");
        bad("loss: class balancing of the categorical focal loss", IAE, f -> dev.jrnn.backend.Loss.CATEGORICAL_FOCAL_CROSSENTROPY
                .classBalancing(true), "Loss.classBalancing", "only the binary focal cross-entropy takes it");
        bad("loss: label smoothing of 2", IAE, f -> dev.jrnn.backend.Loss.BINARY_CROSSENTROPY.labelSmoothing(2), "Loss.labelSmoothing",
                "a number in [0, 1]", "got 2.0");
        bad("loss: label smoothing of the sparse form (Keras has none)", IAE, f -> dev.jrnn.backend.Loss.SPARSE_CATEGORICAL_CROSSENTROPY
                .labelSmoothing(0.1), "Loss.labelSmoothing", "got SPARSE_CATEGORICAL_CROSSENTROPY");
        bad("loss: ignoreClass of a dense loss", IAE, f -> dev.jrnn.backend.Loss.CATEGORICAL_CROSSENTROPY.ignoreClass(0), "Loss.ignoreClass",
                "only sparse categorical cross-entropy takes it");
        bad("loss: reduction none", IAE, f -> dev.jrnn.backend.Loss.HUBER.reduction("none"), "Loss.reduction",
                "sum_over_batch_size, mean, sum, mean_with_sample_weight", "got none");
        bad("loss: a custom loss without a function", IAE, f -> dev.jrnn.backend.Loss.custom("mine", null), "Loss.custom: fn",
                "a function of (target, prediction, grad)", "got null");
        bad("loss: a custom loss named as a built-in one", IAE, f -> dev.jrnn.backend.Loss.custom("Huber", (y, p, g) -> 0),
                "Loss.custom: name", "not be a built-in loss's", "got 'Huber'");
        bad("loss: a LossMetric with a reduction", IAE, f -> new dev.jrnn.losses.LossMetric(dev.jrnn.backend.Loss.HINGE.reduction("sum")),
                "LossMetric: loss must have the default reduction", "got sum");
        bad("callback: ReduceLROnPlateau factor 1.5", IAE, f -> new dev.jrnn.model.ReduceLROnPlateau().factor(1.5),
                "ReduceLROnPlateau", "factor must be in (0, 1), got 1.5");
        bad("callback: ReduceLROnPlateau negative patience", IAE, f -> new dev.jrnn.model.ReduceLROnPlateau().patience(-1),
                "patience must be >= 0, got -1");
        bad("callback: EarlyStopping unknown mode", IAE, f -> new dev.jrnn.model.EarlyStopping().mode("best"), "mode", "best");
        bad("callback: EarlyStopping blank monitor", IAE, f -> new dev.jrnn.model.EarlyStopping().monitor(" "), "monitor");
        bad("callback: ModelCheckpoint bad format spec", IAE, f -> new dev.jrnn.model.ModelCheckpoint("m-{epoch:.2d}"), "epoch");
        bad("callback: ModelCheckpoint unknown mode", IAE, f -> new dev.jrnn.model.ModelCheckpoint("m").mode("best"), "mode", "best");
        bad("callback: ModelCheckpoint saveFreq 0 batches", IAE, f -> new dev.jrnn.model.ModelCheckpoint("m.keras").saveFreq(0),
                "ModelCheckpoint: saveFreq must be >= 1 batch", "got 0");
        bad("callback: ModelCheckpoint saveFreq -3 batches", IAE, f -> new dev.jrnn.model.ModelCheckpoint("m.keras").saveFreq(-3),
                "saveFreq must be >= 1 batch", "got -3");
        bad("callback: ModelCheckpoint saveFreq \"batch\"", IAE, f -> new dev.jrnn.model.ModelCheckpoint("m.keras").saveFreq("batch"),
                "saveFreq must be \"epoch\" or a number of batches", "got \"batch\"");
        bad("callback: ModelCheckpoint verbose -1", IAE, f -> new dev.jrnn.model.ModelCheckpoint("m.keras").verbose(-1),
                "ModelCheckpoint: verbose must be >= 0, got -1");
        bad("callback: ModelCheckpoint initialValueThreshold NaN", IAE,
                f -> new dev.jrnn.model.ModelCheckpoint("m.keras").initialValueThreshold(Double.NaN), "initialValueThreshold", "got NaN");
        bad("fit: ModelCheckpoint every 2 batches naming {val_loss}", IAE, f -> f.model.fit(x(8), y(8), quiet().validationSplit(0.25)
                .callbacks(new dev.jrnn.model.ModelCheckpoint(f.dir.resolve("m-{val_loss}.keras").toString()).saveFreq(2))),
                "filepath names {val_loss}", "epoch, batch and [loss]", "without val_ values");
        bad("fit: ModelCheckpoint per epoch naming {batch}", IAE, f -> f.model.fit(x(8), y(8), quiet()
                .callbacks(new dev.jrnn.model.ModelCheckpoint(f.dir.resolve("m-{batch}.keras").toString()))),
                "filepath names {batch}", "needs saveFreq(int)");
        bad("fit: ModelCheckpoint best every 2 batches on val_loss", IAE, f -> f.model.fit(x(8), y(8), quiet().validationSplit(0.25)
                .callbacks(new dev.jrnn.model.ModelCheckpoint(f.dir.resolve("m.keras").toString()).saveFreq(2).saveBestOnly(true))),
                "saveBestOnly with saveFreq 2", "batch logs", "not val_loss");
        bad("callback: LearningRateScheduler without a schedule", IAE, f -> new dev.jrnn.model.LearningRateScheduler(null),
                "LearningRateScheduler", "schedule", "got null");
        bad("callback: LearningRateScheduler negative verbose", IAE,
                f -> new dev.jrnn.model.LearningRateScheduler((e, lr) -> lr).verbose(-1), "verbose must be >= 0, got -1");
        bad("evaluate: sampleWeight negative", IAE, f -> f.model.evaluateAll(List.of(x(8)), List.of(y(8)), 4, null,
                Tensor.full(-1, 8)), "sampleWeight must be finite and >= 0, got -1.0 at sample 0");
        bad("fit: classWeight negative", IAE, f -> new dev.jrnn.model.FitOptions().classWeight(java.util.Map.of(0, -1.0)),
                "classWeight of class 0 must be finite and >= 0, got -1.0");
        bad("fit: classWeight key negative", IAE, f -> new dev.jrnn.model.FitOptions().classWeight(java.util.Map.of(-2, 1.0)),
                "classWeight keys are class indices >= 0, got -2");
        bad("fit: validationFreq 0", IAE, f -> new dev.jrnn.model.FitOptions().validationFreq(0), "validationFreq must be >= 1, got 0");
        bad("fit: validationFreq epoch 0", IAE, f -> new dev.jrnn.model.FitOptions().validationFreq(java.util.List.of(0)),
                "validationFreq epochs are counted from 1, got 0 in [0]");
        bad("fit: validationFreq epochs null", IAE, f -> new dev.jrnn.model.FitOptions().validationFreq((java.util.List<Integer>) null),
                "validationFreq epochs is null");
        bad("callback: BackupAndRestore without a directory", IAE, f -> new dev.jrnn.model.BackupAndRestore(null),
                "BackupAndRestore", "backupDir", "got null");
        bad("callback: CSVLogger without a file", IAE, f -> new dev.jrnn.model.CSVLogger(null), "CSVLogger", "file", "got null");
        bad("history: epochs of a key not logged", IAE, f -> {
            dev.jrnn.model.History h = new dev.jrnn.model.History();
            h.add(0, java.util.Map.of("loss", 1.0));
            h.epochs("val_loss");
        }, "History has no 'val_loss'", "recorded [loss]");
        bad("callback: CSVLogger two-character separator", IAE,
                f -> new dev.jrnn.model.CSVLogger(java.nio.file.Path.of("log.csv")).separator("::"), "separator", "one character", "\"::\"");
    }

    // ================================================================== datasets and .npy files

    private static void data() {
        bad("data: fromTensors null x", IAE, f -> dev.jrnn.data.Dataset.fromTensors((Tensor) null, y(2)), "Dataset.fromTensors: x is null");
        bad("data: fromTensors null list", IAE, f -> dev.jrnn.data.Dataset.fromTensors(null, List.of()), "Dataset.fromTensors: inputs is null");
        bad("data: fromNpy null x", IAE, f -> dev.jrnn.data.Dataset.fromNpy((Path) null, null), "Dataset.fromNpy: x is null");
        bad("data: fromNpy a null element", IAE, f -> dev.jrnn.data.Dataset.fromNpy(Arrays.asList(f.good, null), List.of()),
                "Dataset.fromNpy: inputs[1] is null");
        bad("data: fromNpy of a directory", IOE, f -> dev.jrnn.data.Dataset.fromNpy(f.dir, null), "is a directory, not a .npy file");
        bad("data: fromNpz null names", IAE, f -> dev.jrnn.data.Dataset.fromNpz(f.good, null, List.of()), "Dataset.fromNpz: inputs is null");
        bad("data: fromNpz of a directory", IOE, f -> dev.jrnn.data.Dataset.fromNpz(f.dir, List.of("x"), List.of()),
                "is a directory, not an .npz file");
        bad("data: fromRagged null values", IAE, f -> dev.jrnn.data.Dataset.fromRagged(null, new long[] {0, 1}, null),
                "Dataset.fromRagged: values is null");
        bad("data: fromRaggedNpy null offsets", IAE, f -> dev.jrnn.data.Dataset.fromRaggedNpy(f.good, null, null),
                "Dataset.fromRaggedNpy: offsets is null");
        bad("data: Timeseries no window fits", IAE, f -> dev.jrnn.data.Timeseries.of(x(4), null, 5).dataset(),
                "Timeseries: a window of sequenceLength 5", "no window fits");
        bad("data: Timeseries endIndex past the series", IAE, f -> dev.jrnn.data.Timeseries.of(x(4), null, 2).endIndex(9).dataset(),
                "endIndex must be at most the series' 4 steps, got 9");
        bad("data: Timeseries of a missing file", IOE, f -> dev.jrnn.data.Timeseries.of(f.dir.resolve("none.npy"), null, 2), "none.npy");
        bad("data: pad_sequences padding", IAE, f -> dev.jrnn.data.Sequences.pad(List.of(new int[] {1}), -1, "middle", "pre", 0),
                "padding must be \"pre\" or \"post\", got \"middle\"");
        bad("data: pad_sequences maxlen 0", IAE, f -> dev.jrnn.data.Sequences.pad(List.of(new int[] {1}), 0, "pre", "pre", 0),
                "maxlen must be >= 1 (or -1 for the longest), got 0");
        bad("data: pad_sequences value NaN", IAE, f -> dev.jrnn.data.Sequences.pad(List.of(new int[] {1}), 3, "pre", "pre", Float.NaN),
                "Sequences.pad: value", "int32", "got NaN");
        // Keras' int32 output keeps 16777217; a float32 tensor would round it to 16777216, another token (was silent)
        bad("data: pad_sequences id beyond 2^24", IAE, f -> dev.jrnn.data.Sequences.pad(List.of(new int[] {3, 16777217})),
                "Sequences.pad: sequences[0][1] is 16777217, beyond +-2^24 = 16777216", "it would become 16777216");
        bad("data: pad_sequences of no sequences", IAE, f -> dev.jrnn.data.Sequences.pad(List.of(), 4, "pre", "pre", 0),
                "Sequences.pad: sequences is empty", "at least one sequence");
        bad("data: pad_sequences of empty sequences only", IAE, f -> dev.jrnn.data.Sequences.pad(List.of(new int[0], new int[0])),
                "Sequences.pad: every sequence is empty", "give maxlen");
        bad("data: padTensors maxlen 0 names padTensors", IAE, f -> dev.jrnn.data.Sequences.padTensors(List.of(x(2)), 0, "pre", "pre", 0),
                "Sequences.padTensors: maxlen must be >= 1");
        bad("data: to_categorical label out of range", IAE, f -> dev.jrnn.data.Sequences.toCategorical(new int[] {0, 3}, 3),
                "labels[1] is 3.0", "whole numbers in [0, 3)");
        bad("data: to_categorical negative label", IAE, f -> dev.jrnn.data.Sequences.toCategorical(new int[] {-1}, 0), "labels[0] is -1.0");
        bad("data: to_categorical of no labels", IAE, f -> dev.jrnn.data.Sequences.toCategorical(new int[0], 3),
                "Sequences.toCategorical: labels is empty");
        bad("data: batch 0", IAE, f -> dev.jrnn.data.Dataset.fromTensors(x(4), y(4)).batch(0), "Dataset.batch", "got 0");
        bad("data: shuffle buffer 0", IAE, f -> dev.jrnn.data.Dataset.fromTensors(x(4), y(4)).shuffle(1, 0), "bufferSize", "got 0");
        // -1 and repeat(0) are tf.data's sentinels (all, endless, empty): below them is refused
        bad("data: take -2", IAE, f -> dev.jrnn.data.Dataset.fromTensors(x(4), y(4)).take(-2), "Dataset.take", "n must be >= 0, or -1 for all, got -2");
        bad("data: repeat -2", IAE, f -> dev.jrnn.data.Dataset.fromTensors(x(4), y(4)).repeat(-2), "Dataset.repeat",
                "times must be >= 0, or -1 for endless, got -2");
        bad("data: take -2 after batch", IAE, f -> dev.jrnn.data.Dataset.fromTensors(x(4), y(4)).batch(2).take(-2), "Dataset.take", "got -2");
        bad("data: skip -2 after batch", IAE, f -> dev.jrnn.data.Dataset.fromTensors(x(4), y(4)).batch(2).skip(-2), "Dataset.skip",
                "n must be >= 0, or -1 for all, got -2");
        bad("data: repeat -2 after batch", IAE, f -> dev.jrnn.data.Dataset.fromTensors(x(4), y(4)).batch(2).repeat(-2), "Dataset.repeat", "got -2");
        bad("data: shuffle buffer 0 after batch", IAE, f -> dev.jrnn.data.Dataset.fromTensors(x(4), y(4)).batch(2).shuffle(1, 0), "bufferSize", "got 0");
        bad("data: batch twice", ISE, f -> dev.jrnn.data.Dataset.fromTensors(x(4), y(4)).batch(2).repeat().batch(3), "Dataset.batch",
                "already batched (batch(2))", "batch once");
        bad("data: bucketByLength after batch", ISE, f -> dev.jrnn.data.Dataset.fromTensors(x(4), y(4)).batch(2).bucketByLength(2, false, 3),
                "Dataset.bucketByLength", "already batched");
        bad("data: map after batch of null", IAE, f -> dev.jrnn.data.Dataset.fromTensors(x(4), y(4)).batch(2).take(1).map(null), "Dataset.map",
                "function is null");
        bad("data: split after batch", ISE, f -> dev.jrnn.data.Dataset.fromTensors(x(4), y(4)).batch(2).split(0.5), "Dataset.split",
                "call it before batch", "then batch each part");
        bad("data: Npy.read of a directory", IOE, f -> dev.jrnn.data.Npy.read(f.dir), "is a directory, not a .npy file");
        bad("data: Npy.write null tensor", IAE, f -> dev.jrnn.data.Npy.write(f.dir.resolve("t.npy"), null), "Npy.write: tensor is null");
        bad("data: NpyWriter negative count", IAE, f -> {
            dev.jrnn.data.NpyWriter w = dev.jrnn.data.NpyWriter.open(f.dir.resolve("w.npy"), 3);
            try {
                w.append(new float[6], 0, -3);
            } finally {
                w.abort();
            }
        }, "NpyWriter.append", "n -3");
        bad("data: NpyWriter past the end", IAE, f -> {
            dev.jrnn.data.NpyWriter w = dev.jrnn.data.NpyWriter.open(f.dir.resolve("w.npy"), 3);
            try {
                w.append(new float[6], 3, 6);
            } finally {
                w.abort();
            }
        }, "NpyWriter.append", "off 3", "6 values");
        bad("data: NpyWriter null row shape", IAE, f -> dev.jrnn.data.NpyWriter.open(f.dir.resolve("w.npy"), (int[]) null),
                "NpyWriter.open: rowShape is null");
        bad("data: NpyWriter into a directory", IOE, f -> dev.jrnn.data.NpyWriter.open(f.dir, 3), "is a directory");
        bad("data: Npy.writeInt64 null values", IAE, f -> dev.jrnn.data.Npy.writeInt64(f.dir.resolve("o.npy"), null), "Npy.writeInt64: values is null");
        bad("io: AtomicFiles.open null", IAE, f -> dev.jrnn.io.AtomicFiles.open(null), "AtomicFiles.open: file is null");
        bad("io: AtomicFiles.requireDirectory null", IAE, f -> dev.jrnn.io.AtomicFiles.requireDirectory(null), "AtomicFiles.requireDirectory: file is null");
        bad("io: FileFaults.why null", IAE, f -> dev.jrnn.io.FileFaults.why(null), "FileFaults.why: e is null");
        bad("io: FileFaults.warn without a logger", IAE, f -> dev.jrnn.io.FileFaults.warn(null, "m"), "FileFaults.warn: logger is null");
        bad("io: FileFaults.warn without a message", IAE, f -> dev.jrnn.io.FileFaults.warn("x", null), "FileFaults.warn: message is null");
        bad("io: AtomicFiles.Pending committed after close", ISE, f -> {
            dev.jrnn.io.AtomicFiles.Pending p = dev.jrnn.io.AtomicFiles.open(f.dir.resolve("p.bin"));
            p.close();
            p.commit();
        }, "AtomicFiles.Pending", "already committed or closed");
    }

    // ================================================================== whole-model files

    private static void modelFiles() {
        bad("model file: null", IAE, f -> dev.jrnn.model.Models.load(null), "Models.load: file is null");
        bad("model file: missing", IOE, f -> dev.jrnn.model.Models.load(f.dir.resolve("nope.keras")), "nope.keras");
        bad("model file: a directory", IOE, f -> dev.jrnn.model.Models.load(f.dir), "is a directory, not a Keras model file");
        bad("model file: not a model", IOE, f -> dev.jrnn.model.Models.load(f.good), "good.safetensors");
        bad("model save: null path", IAE, f -> f.model.save(null), "null");
        bad("model save: not a .keras or .h5 name", IAE, f -> f.model.save(f.dir.resolve("m.bin")), "must end in .keras", "or .h5", "got 'm.bin'");
        bad("model save: a weights-file name", IAE, f -> f.model.save(f.dir.resolve("m.weights.h5")), "must end in .keras",
                "got 'm.weights.h5'", "a weights file only");
        bad("distributed: null environment", IAE, f -> dev.jrnn.distributed.ProcessGroup.fromEnvironment(null, f.model.backend(),
                java.time.Duration.ofSeconds(1)), "env is null");
        bad("distributed: null timeout", IAE, f -> dev.jrnn.distributed.ProcessGroup.init(f.model.backend(), "localhost", 29500, 0, 1, 0,
                null), "timeout must be positive, got null");
        bad("distributed: null host", IAE, f -> dev.jrnn.distributed.ProcessGroup.init(f.model.backend(), null, 29500, 0, 1, 0,
                java.time.Duration.ofSeconds(1)), "ProcessGroup: host must name rank 0's machine", "got null");
        bad("distributed: blank host", IAE, f -> dev.jrnn.distributed.ProcessGroup.init(f.model.backend(), " ", 29500, 0, 1, 0,
                java.time.Duration.ofSeconds(1)), "host must name rank 0's machine", "got ' '");
    }
}
