package dev.jrnn.layers;

import dev.jrnn.Jrnn;
import dev.jrnn.backend.Activation;
import dev.jrnn.tensor.Tensor;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class BidirectionalTest {

    @BeforeAll
    static void cpu() {
        Jrnn.setBackend("cpu");
        Jrnn.setSeed(5);
    }

    record Cfg(String cell, String merge, boolean seq, boolean state, boolean init, boolean mask) {
        @Override
        public String toString() {
            return cell + " " + merge + (seq ? " seq" : "") + (state ? " state" : "") + (init ? " init" : "") + (mask ? " mask" : "");
        }
    }

    static Stream<Cfg> configs() {
        List<Cfg> l = new ArrayList<>();
        for (String m : new String[] {"concat", "sum", "mul", "ave", "none"}) {
            l.add(new Cfg("lstm", m, true, false, false, false));
            l.add(new Cfg("gru", m, false, false, false, true));
        }
        l.add(new Cfg("rnn", "concat", true, true, true, true));
        l.add(new Cfg("lstm", "mul", true, true, true, true));
        l.add(new Cfg("gru", "none", true, true, false, false));
        l.add(new Cfg("lstm", "concat", false, true, true, false));
        return l.stream();
    }

    /** Merges per the mode: a, b flattened [rows, H]. */
    static double[][] merge(String mode, double[] a, double[] b, int H) {
        int rows = a.length / H;
        return switch (mode) {
            case "none" -> new double[][] {a, b};
            case "concat" -> {
                double[] y = new double[2 * a.length];
                for (int r = 0; r < rows; r++) {
                    System.arraycopy(a, r * H, y, r * 2 * H, H);
                    System.arraycopy(b, r * H, y, r * 2 * H + H, H);
                }
                yield new double[][] {y};
            }
            default -> {
                double[] y = new double[a.length];
                for (int i = 0; i < y.length; i++) {
                    y[i] = switch (mode) {
                        case "sum" -> a[i] + b[i];
                        case "ave" -> (a[i] + b[i]) / 2;
                        default -> a[i] * b[i];
                    };
                }
                yield new double[][] {y};
            }
        };
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("configs")
    void forwardAndGradientsMatchReference(Cfg c) {
        int B = 3, T = 5, I = 2, H = 3;
        Bidirectional bi = new Bidirectional(RecurrentLayerTest.make(c.cell, H).returnSequences(c.seq).returnState(c.state))
                .mergeMode(c.merge);
        SplittableRandom rng = new SplittableRandom(21);
        int ns = RecurrentLayerTest.states(c.cell);
        List<Tensor> inputs = new ArrayList<>();
        inputs.add(LayerCheck.rand(rng, 1, B, T, I));
        if (c.init) for (int i = 0; i < 2 * ns; i++) inputs.add(LayerCheck.rand(rng, 0.8, B, H));
        List<int[]> shapes = new ArrayList<>();
        for (Tensor t : inputs) shapes.add(Arrays.copyOfRange(t.shape(), 1, t.rank()));
        bi.build(shapes);
        List<Tensor> w = new ArrayList<>();
        for (Param p : bi.params()) w.add(LayerCheck.rand(rng, 0.6, p.shape()));
        bi.setWeights(w);
        Tensor m = c.mask ? RecurrentLayerTest.mask() : null;
        boolean[] diff = new boolean[inputs.size()];
        Arrays.fill(diff, true);
        int nw = bi.params().size() / 2;
        LayerCheck.RefFn ref = v -> {
            double[] md = m == null ? null : Ref.d(m.data());
            double[] x = v[2 * nw];
            double[] fh0 = c.init ? v[2 * nw + 1] : null, fc0 = c.init && ns > 1 ? v[2 * nw + 2] : null;
            double[] bh0 = c.init ? v[2 * nw + 1 + ns] : null, bc0 = c.init && ns > 1 ? v[2 * nw + 2 + ns] : null;
            Ref.Out f = Ref.recurrent(c.cell, Activation.TANH, Activation.SIGMOID, B, T, I, H, v[0], v[1], v[2], x, md,
                    fh0, fc0, false, 0, null);
            Ref.Out b = Ref.recurrent(c.cell, Activation.TANH, Activation.SIGMOID, B, T, I, H, v[nw], v[nw + 1], v[nw + 2], x, md,
                    bh0, bc0, true, 0, null);
            if (c.seq && md != null) {   // Keras' Bidirectional: zero_output_for_mask = return_sequences
                for (int bb = 0; bb < B; bb++) {
                    for (int t = 0; t < T; t++) {
                        if (md[bb * T + t] != 0) continue;
                        java.util.Arrays.fill(f.seq, (bb * T + t) * H, (bb * T + t + 1) * H, 0.0);
                        int s = T - 1 - t;   // the backward layer's processing step of time t
                        java.util.Arrays.fill(b.seq, (bb * T + s) * H, (bb * T + s + 1) * H, 0.0);
                    }
                }
            }
            double[] yb = b.h;
            if (c.seq) {   // re-reverse the backward sequence
                yb = new double[b.seq.length];
                for (int bb = 0; bb < B; bb++)
                    for (int t = 0; t < T; t++)
                        System.arraycopy(b.seq, (bb * T + t) * H, yb, (bb * T + T - 1 - t) * H, H);
            }
            List<double[]> out = new ArrayList<>(Arrays.asList(merge(c.merge, c.seq ? f.seq : f.h, yb, H)));
            if (c.state) {
                out.add(f.h);
                if (ns > 1) out.add(f.c);
                out.add(b.h);
                if (ns > 1) out.add(b.c);
            }
            return out.toArray(new double[0][]);
        };
        LayerCheck.check(bi, inputs, m, diff, ref, 4);
    }

    @Test
    void namesParamsAndShapes() {
        Jrnn.clearSession();
        Bidirectional bi = new Bidirectional(new LSTM(4).returnSequences(true));
        assertEquals("bidirectional", bi.name());
        assertEquals("Bidirectional", bi.kerasClass());
        assertEquals("forward_lstm", bi.forwardLayer().name());
        assertEquals("backward_lstm", bi.backwardLayer().name());
        assertTrue(bi.backwardLayer().goBackwards() && !bi.forwardLayer().goBackwards());
        assertEquals(4 * 4 * (3 + 4 + 1) * 2, bi.build(List.of(new int[] {6, 3})).size() * 0 + bi.countParams());
        assertArrayEquals(new int[] {6, 8}, bi.outputShapes().get(0));
        assertEquals(List.of("kernel", "recurrent_kernel", "bias", "kernel", "recurrent_kernel", "bias"),
                bi.params().stream().map(Param::name).toList());
        assertArrayEquals(new int[] {2, 6, 8}, bi.call(Tensor.zeros(2, 6, 3)).shape());
        Bidirectional st = new Bidirectional(new GRU(2).returnState(true)).mergeMode("sum");
        List<int[]> o = st.computeOutputShapes(List.of(new int[] {5, 3}));
        assertEquals(3, o.size());
        assertArrayEquals(new int[] {2}, o.get(0));
        Bidirectional none = new Bidirectional(new SimpleRNN(2).returnSequences(true)).mergeMode("none");
        List<Tensor> outs = none.callWithStates(Tensor.zeros(1, 4, 3));
        assertEquals(2, outs.size());
        assertArrayEquals(new int[] {1, 4, 2}, outs.get(1).shape());
    }

    /**
     * Keras 3.15.1 (jax and tensorflow, checked): Bidirectional(GRU(3, go_backwards=True)) raises "Forward layer and backward
     * layer should have different `go_backwards` value" (its copy is made with go_backwards=True); with a backward_layer
     * GRU(3) (go_backwards False) it is accepted; GRU(3) alone gets a backward copy going backwards. jrnn flipped the copy
     * forwards, as tf.keras 2, and a tf.keras 2 config without backward_layer still loads so.
     */
    @Test
    void aLayerGoingBackwardsNeedsAGivenBackwardLayerAsKeras3() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new Bidirectional(new GRU(3).goBackwards(true).name("rev")));
        assertTrue(e.getMessage().startsWith("Bidirectional: layer rev has goBackwards = true"), e.getMessage());
        assertTrue(e.getMessage().contains("has goBackwards = true") && e.getMessage().contains("expected a layer with goBackwards = false"),
                e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new Bidirectional(new LSTM(3).goBackwards(true)));
        Bidirectional given = new Bidirectional(new GRU(3).goBackwards(true), new GRU(3));
        assertTrue(given.forwardLayer().goBackwards() && !given.backwardLayer().goBackwards());
        assertTrue(new Bidirectional(new GRU(3)).backwardLayer().goBackwards());
        String keras2 = "{\"class_name\": \"Sequential\", \"config\": {\"name\": \"s\", \"layers\": [{\"class_name\": \"Bidirectional\","
                + " \"config\": {\"name\": \"bi\", \"merge_mode\": \"concat\", \"batch_input_shape\": [null, 4, 2], \"layer\":"
                + " {\"class_name\": \"GRU\", \"config\": {\"name\": \"gru\", \"units\": 3, \"go_backwards\": true}}}}]}}";
        try (dev.jrnn.model.Model m = dev.jrnn.model.Models.fromJson(keras2)) {
            Bidirectional bi = (Bidirectional) m.getLayer("bi");
            assertTrue(bi.forwardLayer().goBackwards() && !bi.backwardLayer().goBackwards(), "tf.keras 2 flipped the copy");
            assertEquals("backward_gru", bi.backwardLayer().name());
        }
        // an inner config without a name: the copy takes the forward layer's, drawing no spare default name
        dev.jrnn.Jrnn.clearSession();
        try (dev.jrnn.model.Model m = dev.jrnn.model.Models.fromJson(keras2.replace("\"name\": \"gru\", ", ""))) {
            Bidirectional bi = (Bidirectional) m.getLayer("bi");
            assertEquals("forward_gru", bi.forwardLayer().name());
            assertEquals("backward_gru", bi.backwardLayer().name());
            assertEquals("gru_1", new GRU(2).name());
        }
    }

    @Test
    void backwardLayerMayBeGivenAndIsChecked() {
        LSTM f = new LSTM(3).returnSequences(true);
        LSTM b = new LSTM(2).returnSequences(true).goBackwards(true).name("rev");
        Bidirectional bi = new Bidirectional(f, b);
        assertEquals("rev", bi.backwardLayer().name());   // Keras 3 keeps a given backward layer's name (tf.keras 2 prefixed it)
        assertArrayEquals(new int[] {2, 4, 5}, bi.call(Tensor.zeros(2, 4, 1)).shape());
        assertThrows(IllegalArgumentException.class, () -> new Bidirectional(new LSTM(3), new LSTM(3)));
        assertThrows(IllegalArgumentException.class,
                () -> new Bidirectional(new LSTM(3).returnState(true), new GRU(3).returnState(true).goBackwards(true)));
        assertThrows(IllegalArgumentException.class, () -> new Bidirectional(new LSTM(3)).mergeMode("max"));
        Bidirectional bad = new Bidirectional(new LSTM(3), new LSTM(2).goBackwards(true)).mergeMode("sum");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> bad.call(Tensor.zeros(1, 2, 2)));
        assertTrue(e.getMessage().contains("sum"), e.getMessage());
        Bidirectional bi2 = new Bidirectional(new GRU(2)).name("bi_x");
        e = assertThrows(IllegalArgumentException.class, () -> bi2.call(Tensor.zeros(3, 2)));
        assertEquals("bi_x: expected input (batch, timesteps, features), got (3, 2)", e.getMessage());
    }

    /**
     * Keras' Bidirectional takes a backward layer of another class (it checks go_backwards, stateful, return_sequences and
     * return_state only): an LSTM forward and a GRU backward were refused for their state counts, which matter only for
     * returned or initial states. Masked and concatenated, one SGD(1) step against torch float64
     * ({@code make_rnn_corners_golden.py}).
     */
    @Test
    void aBackwardLayerOfAnotherClassRunsAsKerasRunsIt() {
        Jrnn.clearSession();
        dev.jrnn.model.Input in = dev.jrnn.model.Input.shape(5, 2);
        Bidirectional bi = new Bidirectional(new LSTM(3).returnSequences(true), new GRU(3).returnSequences(true).goBackwards(true));
        dev.jrnn.model.Model m = new dev.jrnn.model.Model(in, bi.apply(new Masking(0.0).apply(in)));
        RecurrentKerasSemanticsTest.setDet(bi.forwardLayer(), 1000);
        RecurrentKerasSemanticsTest.setDet(bi.backwardLayer(), 1010);
        RecurrentKerasSemanticsTest.assertSgdStep(m, List.of(RecurrentKerasSemanticsTest.padded()),
                List.of(Tensor.of(RecurrentKerasSemanticsTest.det(90, 1020), 3, 5, 6)), LSTM_GRU_LOSS[0],
                LSTM_GRU_GRAD_0, LSTM_GRU_GRAD_1, LSTM_GRU_GRAD_2, LSTM_GRU_GRAD_3, LSTM_GRU_GRAD_4, LSTM_GRU_GRAD_5);
        // initial states would be split in halves of the forward's count (Keras' initial_state[:n // 2]): refused, named
        Bidirectional mixed = new Bidirectional(new LSTM(3), new GRU(3).goBackwards(true)).name("mixed");
        dev.jrnn.model.Input h = dev.jrnn.model.Input.shape(3);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> mixed.apply(dev.jrnn.model.Input.shape(5, 2), h, h, h));
        assertEquals("mixed: initial states need forward and backward layers with the same number of states, got LSTM (2) and GRU (1)",
                e.getMessage());
    }

    // ---- pasted from make_rnn_corners_golden.py's output
    static final float[] LSTM_GRU_LOSS = {0.193520601f};
    static final float[] LSTM_GRU_GRAD_0 = {-0.00138033825f, -0.00047746411f, -0.000217725496f, 0.000451375754f, -8.04379169e-05f, 0.000275245049f, 0.00361473168f, 0.00272458775f, -2.72907238e-07f, 9.50548773e-05f, -0.000586933251f, 0.000426231665f, 0.000647932501f, -6.92202674e-05f, 0.000620572868f, 0.000578636987f, 3.35280863e-05f, 0.000235425046f, -0.00145334327f, 0.00132682887f, 0.00166196624f, 0.00160735993f, 7.0117223e-05f, 0.00107880409f};
    static final float[] LSTM_GRU_GRAD_1 = {-0.00031268053f, 0.00024581453f, -0.000106055348f, -0.000154438352f, 5.43645083e-05f, -7.27534129e-05f, 0.0010009943f, -0.00134920867f, -0.000534049576f, -0.000451178332f, 0.000254297883f, -0.000219561702f, -5.65423776e-05f, 3.60987595e-05f, -8.50318448e-06f, -2.47772147e-05f, 7.37433733e-06f, -6.05609017e-06f, 0.000180766706f, -0.00018617483f, -4.58842724e-05f, -6.79622735e-05f, 3.13890944e-05f, -8.56487951e-06f, 0.000139696532f, -0.000113420182f, 5.00040569e-05f, 6.71579094e-05f, -2.41170959e-05f, 3.20405328e-05f, -0.000433370815f, 0.000626304878f, 0.000238665103f, 0.000205860822f, -0.000118206017f, 0.000106671499f};
    static final float[] LSTM_GRU_GRAD_2 = {0.0071090303f, -0.00107085832f, 0.00252446455f, 0.00106791504f, -0.000274421658f, 0.000470685599f, -0.0201894475f, 0.00653878486f, 0.00816343315f, 0.00596514595f, -0.000877507594f, 0.0029444964f};
    static final float[] LSTM_GRU_GRAD_3 = {0.0018273849f, 0.0010219363f, 0.00540608729f, 0.000335262975f, -0.000162851915f, 0.00025432308f, 0.00020043915f, -0.00248343715f, -0.00108318069f, 0.00286261801f, 0.000290675115f, 0.00743910912f, 0.00150289924f, 1.6526137e-06f, 0.000613066729f, 0.00660257218f, 0.000281886753f, -0.00178191595f};
    static final float[] LSTM_GRU_GRAD_4 = {-0.00312347711f, 0.000616626986f, -0.00416936666f, 0.00309724289f, -0.000154094524f, 0.00160068288f, 0.00689262314f, -0.000572869785f, -0.00769262095f, -0.000242079781f, -6.6702427e-05f, -0.000538570892f, 0.000111028258f, 2.81550529e-05f, 3.47180333e-05f, 0.000142743771f, 9.68249189e-05f, -0.000290899593f, 0.00267710238f, -0.000674664594f, 0.00342154796f, -0.00274952142f, 0.000184457083f, -0.00145632176f, -0.00619647845f, 0.000674914679f, 0.00689300989f};
    static final float[] LSTM_GRU_GRAD_5 = {-0.0163219343f, 0.00182149894f, -0.0251427913f, 0.0101328714f, -0.000968169295f, 0.00566710807f, 0.0721742857f, -0.0134673953f, -0.0580805652f, -0.0163219343f, 0.00182149894f, -0.0251427913f, 0.0101328714f, -0.000968169295f, 0.00566710807f, 0.0240431655f, -0.0037496164f, -0.0318698119f};

    @Test
    void concatHalvesEqualTheInnerLayersRunAlone() {
        LSTM f = new LSTM(2).returnSequences(true);
        Bidirectional bi = new Bidirectional(f);
        Tensor x = LayerCheck.rand(new SplittableRandom(2), 1, 2, 4, 3);
        float[] y = bi.call(x).data();
        LSTM solo = new LSTM(2).returnSequences(true);
        solo.build(List.of(new int[] {4, 3}));
        solo.setWeights(bi.forwardLayer().getWeights());
        float[] yf = solo.call(x).data();
        for (int r = 0; r < 8; r++)
            for (int j = 0; j < 2; j++) assertEquals(yf[r * 2 + j], y[r * 4 + j], 1e-6);
    }

    /** Keras 3 saves the wrapped layers as forward_lstm and backward_lstm; building from them does not prefix again. */
    @Test
    void namesAlreadyPrefixedAreKeptAsKerasDoes() {
        Bidirectional bi = new Bidirectional(new LSTM(2).name("forward_lstm_3"), new LSTM(2).goBackwards(true).name("backward_lstm_3"));
        assertEquals("forward_lstm_3", bi.forwardLayer().name());
        assertEquals("backward_lstm_3", bi.backwardLayer().name());
        Bidirectional copy = new Bidirectional(new GRU(2).name("forward_gru_3"));
        assertEquals("forward_gru_3", copy.forwardLayer().name());
        assertEquals("backward_forward_gru_3", copy.backwardLayer().name(), "Keras strips only backward_ from the copy's name");
    }

    /** Wrapping renames a layer and changes its masked outputs: never done to a layer someone else holds. */
    @Test
    void aLayerAlreadyWrappedOrBuiltIsRefusedAndLeftAsItWas() {
        LSTM shared = new LSTM(4).returnSequences(true).name("shared");
        Bidirectional first = new Bidirectional(shared);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new Bidirectional(shared));
        assertTrue(e.getMessage().contains("already wrapped by another Bidirectional"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new Bidirectional(new LSTM(4), first.backwardLayer()));
        assertEquals("forward_shared", first.forwardLayer().name());
        first.call(Tensor.zeros(1, 3, 2));   // the first wrapper still works: nothing of it was closed

        LSTM used = new LSTM(3).returnSequences(true).name("used");
        Tensor x = LayerCheck.rand(new SplittableRandom(5), 1, 2, 4, 3);
        Tensor before = used.call(x);
        e = assertThrows(IllegalArgumentException.class, () -> new Bidirectional(used));
        assertTrue(e.getMessage().contains("used is already built"), e.getMessage());
        assertEquals("used", used.name());
        assertArrayEquals(before.toArray(), used.call(x).toArray());
        LSTM usedBackwards = new LSTM(3).returnSequences(true).goBackwards(true).name("used_bw");
        usedBackwards.call(x);
        e = assertThrows(IllegalArgumentException.class, () -> new Bidirectional(new LSTM(3).returnSequences(true), usedBackwards));
        assertTrue(e.getMessage().contains("backwardLayer used_bw is already built"), e.getMessage());
    }

    /**
     * An option set on the wrapped layer after wrapping reached the forward direction only: activation("relu") gave a
     * relu forward and a tanh backward half, silently (Keras' Bidirectional works on copies, so a later change reaches
     * neither). Every such option is refused, as returnSequences and the rules are, and both directions keep their values.
     */
    @Test
    void anOptionOfAWrappedLayerIsRefusedAndBothDirectionsStayAlike() {
        LSTM lstm = new LSTM(3).name("l");
        GRU gru = new GRU(3).name("g");
        SimpleRNN given = new SimpleRNN(3).goBackwards(true).name("s_bw");
        Bidirectional bl = new Bidirectional(lstm), bg = new Bidirectional(gru), bs = new Bidirectional(new SimpleRNN(3), given);
        List<Object[]> cases = List.of(
                new Object[] {"activation", (Runnable) () -> lstm.activation("relu")},
                new Object[] {"recurrentActivation", (Runnable) () -> lstm.recurrentActivation("hard_sigmoid")},
                new Object[] {"useBias", (Runnable) () -> lstm.useBias(false)},
                new Object[] {"unitForgetBias", (Runnable) () -> lstm.unitForgetBias(false)},
                new Object[] {"dropout", (Runnable) () -> lstm.dropout(0.3)},
                new Object[] {"recurrentDropout", (Runnable) () -> lstm.recurrentDropout(0.3)},
                new Object[] {"stateful", (Runnable) () -> lstm.stateful(true)},
                new Object[] {"tbptt", (Runnable) () -> lstm.tbptt(2)},
                new Object[] {"zeroOutputForMask", (Runnable) () -> lstm.zeroOutputForMask(true)},
                new Object[] {"asKerasRnn", (Runnable) () -> lstm.asKerasRnn(true)},
                new Object[] {"resetAfter", (Runnable) () -> gru.resetAfter(false)},
                new Object[] {"recurrentActivation", (Runnable) () -> gru.recurrentActivation("relu")},
                new Object[] {"activation", (Runnable) () -> given.activation("relu")});
        for (Object[] c : cases) {
            IllegalStateException e = assertThrows(IllegalStateException.class, ((Runnable) c[1])::run, (String) c[0]);
            assertTrue(e.getMessage().contains("cannot set " + c[0] + " of a layer a Bidirectional wraps")
                    && e.getMessage().contains("set it before wrapping"), e.getMessage());
        }
        for (Bidirectional b : List.of(bl, bg, bs)) {
            RecurrentLayer f = b.forwardLayer(), w = b.backwardLayer();
            assertEquals(List.of("tanh", true, 0.0, 0.0, false, 0, false, false),
                    List.of(f.activation(), f.useBias(), f.dropout(), f.recurrentDropout(), f.stateful(), f.tbptt(), f.zeroOutputForMask(),
                            f.asKerasRnn()), f.name());
            assertEquals(List.of(f.activation(), f.useBias(), f.dropout(), f.recurrentDropout(), f.stateful(), f.tbptt(), f.zeroOutputForMask(),
                    f.asKerasRnn()), List.of(w.activation(), w.useBias(), w.dropout(), w.recurrentDropout(), w.stateful(), w.tbptt(),
                    w.zeroOutputForMask(), w.asKerasRnn()), w.name());
        }
        assertEquals(List.of("sigmoid", true, "sigmoid", true), List.of(((LSTM) bl.forwardLayer()).recurrentActivation(),
                ((LSTM) bl.forwardLayer()).unitForgetBias(), ((LSTM) bl.backwardLayer()).recurrentActivation(),
                ((LSTM) bl.backwardLayer()).unitForgetBias()));
        assertEquals(List.of("sigmoid", true, "sigmoid", true), List.of(((GRU) bg.forwardLayer()).recurrentActivation(),
                ((GRU) bg.forwardLayer()).resetAfter(), ((GRU) bg.backwardLayer()).recurrentActivation(),
                ((GRU) bg.backwardLayer()).resetAfter()));
        // set before wrapping, an option reaches both directions
        Bidirectional relu = new Bidirectional(new LSTM(3).activation("relu").dropout(0.25));
        assertEquals(List.of("relu", 0.25, "relu", 0.25), List.of(relu.forwardLayer().activation(), relu.forwardLayer().dropout(),
                relu.backwardLayer().activation(), relu.backwardLayer().dropout()));
    }

    @Test
    void mergeModeNoneMasksBothSequences() {
        // Keras' compute_mask gives [mask, mask] for merge_mode=None: the backward sequence is masked too
        Jrnn.setSeed(5);
        dev.jrnn.model.Input in = dev.jrnn.model.Input.shape(-1, 1);
        Node b = new Bidirectional(new SimpleRNN(2).returnSequences(true)).mergeMode(null).apply(new Masking(0).apply(in));
        Node fromBackward = new SimpleRNN(2).apply(b.get(1));
        dev.jrnn.model.Model m = new dev.jrnn.model.Model(in, List.of(fromBackward, b.get(1)));
        Tensor padded = Tensor.of(new float[] {1, 2, 0}, 1, 3, 1), cut = Tensor.of(new float[] {1, 2}, 1, 2, 1);
        List<Tensor> p = m.predictAll(padded), c = m.predictAll(cut);
        assertArrayEquals(c.get(0).toArray(), p.get(0).toArray(), 1e-6f);
        // the loss skips the padded step of that output too
        m.compile("sgd", "mse");
        float[] y = p.get(1).toArray();
        Tensor y2 = Tensor.of(new float[] {0, 0}, 1, 2);
        double atPadding = m.evaluateAll(List.of(padded), List.of(y2, Tensor.of(new float[] {y[0], y[1], y[2], y[3], 7, 7}, 1, 3, 2)), 1, null).get("loss");
        double zeroThere = m.evaluateAll(List.of(padded), List.of(y2, Tensor.of(new float[] {y[0], y[1], y[2], y[3], 0, 0}, 1, 3, 2)), 1, null).get("loss");
        assertEquals(zeroThere, atPadding, 1e-6);
    }
}
