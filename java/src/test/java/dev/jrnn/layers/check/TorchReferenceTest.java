package dev.jrnn.layers.check;

import dev.jrnn.Jrnn;
import dev.jrnn.backend.Backend;
import dev.jrnn.backend.DTensor;
import dev.jrnn.layers.Activation;
import dev.jrnn.layers.Add;
import dev.jrnn.layers.Average;
import dev.jrnn.layers.Bidirectional;
import dev.jrnn.layers.Concatenate;
import dev.jrnn.layers.Dense;
import dev.jrnn.layers.Embedding;
import dev.jrnn.layers.Flatten;
import dev.jrnn.layers.LayerNormalization;
import dev.jrnn.layers.Multiply;
import dev.jrnn.layers.RepeatVector;
import dev.jrnn.layers.TimeDistributed;
import dev.jrnn.layers.Layer;
import dev.jrnn.layers.Param;
import dev.jrnn.layers.RecurrentLayer;
import dev.jrnn.layers.Trace;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * SimpleRNN, LSTM, GRU (reset_after both ways), Bidirectional (every merge mode), stacked and stateful layers on the
 * CPU backend against PyTorch float64 golden values ({@code src/test/resources/torchref/make_golden.py}: Keras'
 * semantics written in torch, checked there against torch.nn.LSTM / GRU / RNN where the math is the same). Each case
 * compares every output and the gradients of L = sum_k &lt;R_k, out_k&gt; with respect to the inputs, the initial
 * states and every weight within {@link TorchGolden#TOL}. Masks, go_backwards, initial states, return_state,
 * zero_output_for_mask, relu, hard_sigmoid (Keras 3's x/6 + 1/2) and hard_sigmoid_keras2 (0.2x + 1/2) are among the cases.
 */
class TorchReferenceTest {

    @BeforeAll
    static void cpu() { Jrnn.setBackend("cpu"); }

    static List<TorchGolden.Case> cases() { return TorchGolden.load("layers"); }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void matchesPyTorch(TorchGolden.Case c) {
        switch (c.string("kind", "?")) {
            case "layer" -> single(c, TorchGolden.recurrent(c.meta()));
            case "bidirectional" -> single(c, bidirectional(c).mergeMode(c.string("merge_mode", null)));
            case "stacked" -> stacked(c);
            case "stateful" -> stateful(c);
            default -> fail(c + ": unknown kind " + c.meta().get("kind"));
        }
    }

    static List<TorchGolden.Case> otherCases() { return TorchGolden.load("other_layers"); }

    /**
     * The layers around the recurrent ones: Dense with every activation jrnn names ("hard_sigmoid" is Keras 3's
     * x/6 + 1/2, "hard_sigmoid_keras2" Keras 2's 0.2x + 1/2), Activation, LayerNormalization (Keras' epsilon 1e-3), Add, Multiply,
     * Average, Concatenate, TimeDistributed(Dense), Embedding, RepeatVector, Flatten, GlobalAveragePooling1D (masked too) and
     * GlobalMaxPooling1D.
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("otherCases")
    void otherLayersMatchPyTorch(TorchGolden.Case c) {
        Layer layer = switch (c.string("kind", "?")) {
            case "dense" -> new Dense(c.integer("units")).activation(c.string("activation", null)).useBias(c.flag("use_bias"));
            case "time_distributed_dense" -> new TimeDistributed(new Dense(c.integer("units")).activation(c.string("activation", null)));
            case "activation" -> new Activation(c.string("activation", null));
            case "layer_normalization" -> new LayerNormalization();
            case "add" -> new Add();
            case "multiply" -> new Multiply();
            case "average" -> new Average();
            case "concatenate" -> new Concatenate(c.integer("axis"));
            case "embedding" -> new Embedding(c.integer("input_dim"), c.integer("output_dim"));
            case "repeat_vector" -> new RepeatVector(c.integer("n"));
            case "flatten" -> new Flatten();
            case "global_average_pooling1d" -> new dev.jrnn.layers.GlobalAveragePooling1D().keepdims(c.flag("keepdims"));
            case "global_max_pooling1d" -> new dev.jrnn.layers.GlobalMaxPooling1D().keepdims(c.flag("keepdims"));
            default -> throw new IllegalArgumentException(c + ": kind " + c.meta().get("kind"));
        };
        single(c, layer);
    }

    /** Arrays prefix0..prefix(n-1); without a gradient under {@code grads + "d" + name} in the file: ids, not differentiated. */
    private static List<GradCheck.Var> vars(TorchGolden.Case c, String prefix, int n, String grads) {
        List<GradCheck.Var> l = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            TorchGolden.Array a = c.get(prefix + i);
            l.add(new GradCheck.Var(prefix + i, a.v(), c.has(grads + "d" + prefix + i), a.shape()));
        }
        return l;
    }

    private static List<int[]> sampleShapes(List<GradCheck.Var> vs) {
        List<int[]> l = new ArrayList<>();
        for (GradCheck.Var v : vs) l.add(v.sampleShape());
        return l;
    }

    /** One layer (or Bidirectional) called on [x, initial states...] with the case's mask. */
    private static void single(TorchGolden.Case c, Layer layer) {
        List<GradCheck.Var> ins = vars(c, "in", c.integer("inputs"), ""), ws = vars(c, "w", c.integer("weights"), "");
        layer.build(sampleShapes(ins));
        double[] mask = c.has("mask") ? c.get("mask").v() : null;
        compare(c, "", layer, ins, ws, mask);
        inference(c, layer, ins, mask);
    }

    /** The same outputs from an inference forward (training false: the backends may take other code). */
    private static void inference(TorchGolden.Case c, Layer layer, List<GradCheck.Var> ins, double[] mask) {
        Backend be = layer.backend();
        List<DTensor> owned = new ArrayList<>();
        try {
            List<DTensor> xs = new ArrayList<>();
            for (GradCheck.Var v : ins) xs.add(GradCheck.upload(be, v.v, v.shape));
            owned.addAll(xs);
            DTensor m = mask == null ? null : GradCheck.upload(be, mask, ins.get(0).shape[0], ins.get(0).shape[1]);
            if (m != null) owned.add(m);
            try (Trace tr = layer.forward(xs, m, false)) {
                for (int k = 0; c.has("out" + k); k++) {
                    TorchGolden.compare(c + ": inference output " + k, GradCheck.toDouble(tr.outputs().get(k).toTensor()),
                            c.get("out" + k).v(), TorchGolden.TOL);
                }
            }
        } finally {
            for (DTensor d : owned) d.close();
        }
    }

    /** Runs {@code layer} as GradCheck does and compares outputs out&lt;prefix&gt;k and gradients d&lt;var&gt;. */
    private static void compare(TorchGolden.Case c, String prefix, Layer layer, List<GradCheck.Var> ins,
                                List<GradCheck.Var> ws, double[] mask) {
        List<int[]> outShapes = new ArrayList<>();
        List<double[]> r = new ArrayList<>();
        for (int k = 0; c.has(prefix + "out" + k); k++) {
            outShapes.add(c.get(prefix + "out" + k).shape());
            r.add(c.get(prefix + "r" + k).v());
        }
        int[] bt = Arrays.copyOf(ins.get(0).shape, 2);
        GradCheck.JrnnOut o = GradCheck.runLayer(layer, ws, ins, mask, bt, outShapes, r);
        for (int k = 0; k < outShapes.size(); k++) {
            TorchGolden.compare(c + ": " + prefix + "output " + k, o.outputs().get(k), c.get(prefix + "out" + k).v(), TorchGolden.TOL);
        }
        List<GradCheck.Var> all = new ArrayList<>(ins);
        all.addAll(ws);
        for (GradCheck.Var v : all) {
            if (!v.diff) {
                assertNull(o.grads().get(v), c + ": jrnn gives a gradient for the ids " + v.name);
                continue;
            }
            TorchGolden.compare(c + ": " + prefix + "d/d" + v.name + " (" + (ws.contains(v)
                            ? layer.params().get(ws.indexOf(v)).name() : "input") + ")",
                    o.grads().get(v), c.get(prefix + "d" + v.name).v(), TorchGolden.TOL);
        }
    }

    /** Layers one after the other (the mask passed on as each layer gives it), L on the last output. */
    @SuppressWarnings("unchecked")
    private static void stacked(TorchGolden.Case c) {
        List<Map<String, Object>> specs = (List<Map<String, Object>>) c.meta().get("layers");
        GradCheck.Var x = c.get("in0").var("in0");
        List<GradCheck.Var> ws = vars(c, "w", c.integer("weights"), "");
        List<RecurrentLayer> layers = new ArrayList<>();
        List<List<GradCheck.Var>> own = new ArrayList<>();
        int[] sample = x.sampleShape();
        int w = 0;
        for (Map<String, Object> s : specs) {
            RecurrentLayer l = TorchGolden.recurrent(s);
            l.build(List.of(sample));
            int n = l.params().size();
            own.add(ws.subList(w, w + n));
            w += n;
            layers.add(l);
            sample = l.returnSequences() ? new int[] {sample[0], l.units()} : new int[] {l.units()};
        }
        assertEquals(ws.size(), w, c + ": weights in the golden file vs the layers' parameters");
        GradCheck.JrnnOut o = GradCheck.runChain(layers, own, x, c.has("mask") ? c.get("mask").v() : null,
                c.get("out0").shape(), c.get("r0").v());
        TorchGolden.compare(c + ": output", o.outputs().get(0), c.get("out0").v(), TorchGolden.TOL);
        TorchGolden.compare(c + ": d/dx", o.grads().get(x), c.get("din0").v(), TorchGolden.TOL);
        for (int k = 0; k < layers.size(); k++) {
            List<Param> ps = layers.get(k).params();
            for (int i = 0; i < ps.size(); i++) {
                GradCheck.Var v = own.get(k).get(i);
                TorchGolden.compare(c + ": d/d" + v.name + " (layer " + k + " " + ps.get(i).name() + ")",
                        o.grads().get(v), c.get("d" + v.name).v(), TorchGolden.TOL);
            }
        }
    }

    /** The case's layer in a Bidirectional; one going backwards gets its forwards twin as the backward layer (Keras 3 refuses the copy). */
    private static Bidirectional bidirectional(TorchGolden.Case c) {
        RecurrentLayer fw = TorchGolden.recurrent(c.meta());
        return fw.goBackwards() ? new Bidirectional(fw, TorchGolden.recurrent(c.meta()).goBackwards(false)) : new Bidirectional(fw);
    }

    /** Two batches through a stateful layer (or Bidirectional): the second starts from the first's last states (no gradient across). */
    private static void stateful(TorchGolden.Case c) {
        RecurrentLayer rnn = TorchGolden.recurrent(c.meta()).stateful(true);
        Layer layer = c.meta().containsKey("merge_mode") ? new Bidirectional(rnn).mergeMode(c.string("merge_mode", null)) : rnn;
        List<GradCheck.Var> ws = vars(c, "w", c.integer("weights"), "b0_");
        for (int b = 0; b < c.integer("batches"); b++) {
            String p = "b" + b + "_";
            List<GradCheck.Var> ins = List.of(c.get(p + "in0").var("in0"));
            if (b == 0) layer.build(sampleShapes(ins));
            compare(c, p, layer, ins, ws, c.has("mask") ? c.get("mask").v() : null);
        }
    }
}
