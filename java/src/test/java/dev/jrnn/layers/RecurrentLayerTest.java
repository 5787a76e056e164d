package dev.jrnn.layers;

import dev.jrnn.Jrnn;
import dev.jrnn.backend.Activation;
import dev.jrnn.tensor.Tensor;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class RecurrentLayerTest {

    @BeforeAll
    static void cpu() {
        Jrnn.setBackend("cpu");
        Jrnn.setSeed(7);
    }

    record Cfg(String cell, boolean seq, boolean state, boolean back, boolean bias, boolean init, boolean mask,
               int tbptt, String act) {
        @Override
        public String toString() {
            return cell + (seq ? " seq" : "") + (state ? " state" : "") + (back ? " back" : "") + (bias ? "" : " nobias")
                    + (init ? " init" : "") + (mask ? " mask" : "") + (tbptt > 0 ? " tbptt" + tbptt : "") + " " + act;
        }
    }

    static Stream<Cfg> configs() {
        List<Cfg> l = new ArrayList<>();
        for (String c : new String[] {"rnn", "lstm", "gru"}) {
            l.add(new Cfg(c, false, false, false, true, false, false, 0, "tanh"));
            l.add(new Cfg(c, true, false, false, true, false, false, 0, "tanh"));
            l.add(new Cfg(c, true, true, false, true, true, false, 0, "tanh"));
            l.add(new Cfg(c, false, true, true, true, true, false, 0, "tanh"));
            l.add(new Cfg(c, true, false, true, true, false, true, 0, "tanh"));
            l.add(new Cfg(c, true, true, false, false, true, true, 0, "relu"));
            l.add(new Cfg(c, false, true, false, true, false, true, 0, "tanh"));
            l.add(new Cfg(c, true, true, false, true, true, false, 2, "tanh"));
            l.add(new Cfg(c, true, false, true, true, false, true, 3, "tanh"));
        }
        return l.stream();
    }

    static RecurrentLayer make(String cell, int units) {
        return switch (cell) {
            case "rnn" -> new SimpleRNN(units);
            case "lstm" -> new LSTM(units);
            default -> new GRU(units);
        };
    }

    static int states(String cell) { return cell.equals("lstm") ? 2 : 1; }

    /** Mask [3, 5]: sample 0 all real, sample 1 first and 4th step padded, sample 2 post-padded. */
    static Tensor mask() {
        return Tensor.of(new float[][] {{1, 1, 1, 1, 1}, {0, 1, 1, 0, 1}, {1, 1, 1, 0, 0}});
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("configs")
    void forwardAndGradientsMatchReference(Cfg c) {
        int B = 3, T = 5, I = 2, H = 3;
        RecurrentLayer layer = make(c.cell, H).activation(c.act).useBias(c.bias).returnSequences(c.seq)
                .returnState(c.state).goBackwards(c.back).tbptt(c.tbptt);
        SplittableRandom rng = new SplittableRandom(11);
        List<Tensor> inputs = new ArrayList<>();
        inputs.add(LayerCheck.rand(rng, 1, B, T, I));
        int ns = c.init ? states(c.cell) : 0;
        for (int i = 0; i < ns; i++) inputs.add(LayerCheck.rand(rng, 0.8, B, H));
        List<int[]> shapes = new ArrayList<>();
        for (Tensor t : inputs) shapes.add(java.util.Arrays.copyOfRange(t.shape(), 1, t.rank()));
        layer.build(shapes);
        List<Tensor> w = new ArrayList<>();
        for (Param p : layer.params()) w.add(LayerCheck.rand(rng, 0.6, p.shape()));
        layer.setWeights(w);
        Tensor m = c.mask ? mask() : null;
        boolean[] diff = new boolean[inputs.size()];
        java.util.Arrays.fill(diff, true);
        int nw = layer.params().size();
        Activation act = Activation.of(c.act);
        Ref.Out[] frozen = {null};
        LayerCheck.RefFn ref = v -> {
            double[] W = v[0], U = v[1], b = c.bias ? v[2] : null;
            double[] x = v[nw], h0 = ns > 0 ? v[nw + 1] : null, c0 = ns > 1 ? v[nw + 2] : null;
            Ref.Out o = Ref.recurrent(c.cell, act, Activation.SIGMOID, B, T, I, H, W, U, b, x,
                    m == null ? null : Ref.d(m.data()), h0, c0, c.back, c.tbptt, frozen[0]);
            if (frozen[0] == null) frozen[0] = o;
            List<double[]> out = new ArrayList<>();
            out.add(c.seq ? o.seq : o.y);
            if (c.state) {
                out.add(o.h);
                if (c.cell.equals("lstm")) out.add(o.c);
            }
            return out.toArray(new double[0][]);
        };
        LayerCheck.check(layer, inputs, m, diff, ref, 3);
    }

    @Test
    void kerasParamCounts() {
        assertEquals(42, count(new SimpleRNN(3), 2, 10));
        assertEquals(10400, count(new LSTM(50), 3, 1));
        assertEquals(40800, count(new LSTM(100), 5, 1));
        assertEquals(63, count(new GRU(3), 4, 2));
        assertEquals(3 * 3 * (2 + 3), count(new GRU(3).useBias(false), 4, 2));
        assertEquals(4 * 5 * (2 + 5), count(new LSTM(5).useBias(false), 4, 2));
    }

    private static long count(RecurrentLayer l, int t, int i) {
        l.build(List.of(new int[] {t, i}));
        return l.countParams();
    }

    @Test
    void weightShapesAndNamesInKerasOrder() {
        LSTM l = new LSTM(4);
        l.build(List.of(new int[] {6, 3}));
        assertEquals(List.of("kernel", "recurrent_kernel", "bias"), l.params().stream().map(Param::name).toList());
        assertArrayEquals(new int[] {3, 16}, l.getWeights().get(0).shape());
        assertArrayEquals(new int[] {4, 16}, l.getWeights().get(1).shape());
        assertArrayEquals(new int[] {16}, l.getWeights().get(2).shape());
        GRU g = new GRU(2);
        g.build(List.of(new int[] {6, 3}));
        assertArrayEquals(new int[] {2, 6}, g.getWeights().get(2).shape());
        SimpleRNN r = new SimpleRNN(2).useBias(false);
        r.build(List.of(new int[] {6, 3}));
        assertEquals(List.of("kernel", "recurrent_kernel"), r.params().stream().map(Param::name).toList());
    }

    @Test
    void defaultInitialisation() {
        LSTM l = new LSTM(3);
        l.build(List.of(new int[] {2, 5}));
        float[] b = l.getWeights().get(2).data();
        for (int i = 0; i < 12; i++) assertEquals(i >= 3 && i < 6 ? 1f : 0f, b[i], "lstm bias[" + i + "]");
        float[] k = l.getWeights().get(0).data();
        double limit = Math.sqrt(6.0 / (5 + 12));
        for (float v : k) assertTrue(Math.abs(v) <= limit, "kernel value " + v + " within glorot limit " + limit);
        LSTM nf = new LSTM(3).unitForgetBias(false);
        nf.build(List.of(new int[] {2, 5}));
        for (float v : nf.getWeights().get(2).data()) assertEquals(0f, v);
        // recurrent kernel [H, 4H]: orthonormal rows
        float[] u = l.getWeights().get(1).data();
        for (int i = 0; i < 3; i++) {
            for (int j = 0; j < 3; j++) {
                double s = 0;
                for (int k2 = 0; k2 < 12; k2++) s += (double) u[i * 12 + k2] * u[j * 12 + k2];
                assertEquals(i == j ? 1 : 0, s, 1e-5);
            }
        }
    }

    @Test
    void outputShapes() {
        assertShapes(new LSTM(4), List.of(new int[] {4}));
        assertShapes(new LSTM(4).returnSequences(true), List.of(new int[] {7, 4}));
        assertShapes(new LSTM(4).returnState(true), List.of(new int[] {4}, new int[] {4}, new int[] {4}));
        assertShapes(new GRU(4).returnSequences(true).returnState(true), List.of(new int[] {7, 4}, new int[] {4}));
        assertShapes(new SimpleRNN(4).returnState(true), List.of(new int[] {4}, new int[] {4}));
        // unknown timesteps stay unknown
        List<int[]> o = new SimpleRNN(2).returnSequences(true).computeOutputShapes(List.of(new int[] {-1, 3}));
        assertArrayEquals(new int[] {-1, 2}, o.get(0));
    }

    private static void assertShapes(RecurrentLayer l, List<int[]> want) {
        List<int[]> got = l.computeOutputShapes(List.of(new int[] {7, 3}));
        assertEquals(want.size(), got.size());
        for (int i = 0; i < want.size(); i++) assertArrayEquals(want.get(i), got.get(i));
        Tensor x = Tensor.zeros(2, 7, 3);
        List<Tensor> outs = l.callWithStates(x);
        assertEquals(want.size(), outs.size());
        for (int i = 0; i < want.size(); i++) {
            int[] full = new int[want.get(i).length + 1];
            full[0] = 2;
            System.arraycopy(want.get(i), 0, full, 1, want.get(i).length);
            assertArrayEquals(full, outs.get(i).shape());
        }
    }

    @Test
    void defaultNamesAsKeras() {
        Jrnn.clearSession();
        assertEquals("simple_rnn", new SimpleRNN(1).name());
        assertEquals("simple_rnn_1", new SimpleRNN(1).name());
        assertEquals("lstm", new LSTM(1).name());
        assertEquals("lstm_1", new LSTM(1).name());
        assertEquals("gru", new GRU(1).name());
        assertEquals("SimpleRNN", new SimpleRNN(1).kerasClass());
        assertEquals("LSTM", new LSTM(1).kerasClass());
        assertEquals("GRU", new GRU(1).kerasClass());
        assertEquals("my_lstm", new LSTM(1).name("my_lstm").name());
    }

    /**
     * Keras' {@code unroll=True} builds its loop differently, with the same numbers: accepted with the outputs of
     * unroll(false); refused as Keras refuses it ("Cannot unroll a RNN if the time dimension is undefined") on an input
     * of unknown length; saved and read back, on a Bidirectional's backward copy too.
     */
    @Test
    void unrollIsAcceptedWithTheSameNumbersAndSaved(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir)
            throws java.io.IOException {
        Tensor x = LayerCheck.rand(new SplittableRandom(3), 1, 2, 4, 3);
        for (String cell : new String[] {"rnn", "lstm", "gru"}) {
            RecurrentLayer plain = make(cell, 3).returnSequences(true).returnState(true);
            RecurrentLayer unrolled = make(cell, 3).returnSequences(true).returnState(true).unroll(true);
            assertTrue(unrolled.unroll());
            plain.build(List.of(new int[] {4, 3}));
            unrolled.build(List.of(new int[] {4, 3}));
            unrolled.setWeights(plain.getWeights());
            List<Tensor> want = plain.callAll(List.of(x)), got = unrolled.callAll(List.of(x));
            for (int i = 0; i < want.size(); i++) assertArrayEquals(want.get(i).data(), got.get(i).data(), cell + " output " + i);
        }
        dev.jrnn.model.Input free = dev.jrnn.model.Input.shape(-1, 2);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new LSTM(3).name("lstm_u").unroll(true).apply(free));
        assertEquals("lstm_u: unroll needs a fixed number of timesteps, got input (None, None, 2); give the steps in the"
                + " input shape, or unroll(false)", e.getMessage());
        dev.jrnn.model.Input in = dev.jrnn.model.Input.shape(4, 3);
        dev.jrnn.model.Model m = new dev.jrnn.model.Model(in, new Bidirectional(new GRU(2).unroll(true)).apply(in));
        java.nio.file.Path file = dir.resolve("unrolled.keras");
        m.save(file);
        try (dev.jrnn.model.Model loaded = dev.jrnn.model.Models.load(file)) {
            Bidirectional back = (Bidirectional) loaded.getLayer(1);
            assertTrue(back.forwardLayer().unroll() && back.backwardLayer().unroll());
            assertArrayEquals(m.predict(x).data(), loaded.predict(x).data());
        } finally {
            m.close();
        }
    }

    @Test
    void fluentSettersKeepTheConcreteType() {
        LSTM l = new LSTM(4).returnSequences(true).returnState(true).goBackwards(true).useBias(false).tbptt(2)
                .activation("relu").recurrentActivation("hard_sigmoid_keras2").unitForgetBias(false).name("x");
        assertEquals("relu", l.activation());
        assertEquals("hard_sigmoid_keras2", l.recurrentActivation());
        assertTrue(l.returnSequences() && l.returnState() && l.goBackwards() && !l.useBias() && !l.unitForgetBias());
        assertEquals(2, l.tbptt());
        GRU g = new GRU(2).recurrentActivation("sigmoid").returnSequences(true);
        assertEquals("sigmoid", g.recurrentActivation());
        SimpleRNN r = new SimpleRNN(2).activation("relu").inputShape(3, 4);
        assertArrayEquals(new int[] {3, 4}, r.declaredInputShape());
    }

    @Test
    void maskedStepsCarryTheState() {
        for (String cell : new String[] {"rnn", "lstm", "gru"}) {
            RecurrentLayer l = make(cell, 2).returnSequences(true).returnState(true);
            Tensor x = LayerCheck.rand(new SplittableRandom(5), 1, 1, 4, 3);
            Tensor m = Tensor.of(new float[][] {{0, 1, 0, 1}});
            l.build(List.of(new int[] {4, 3}));
            try (var dx = dev.jrnn.backend.DTensor.from(l.backend(), x);
                 var dm = dev.jrnn.backend.DTensor.from(l.backend(), m);
                 Trace t = l.forward(List.of(dx), dm, false)) {
                float[] y = t.outputs().get(0).toTensor().data();
                assertEquals(0f, y[0], cell + ": first step masked gives the (zero) initial state");
                assertEquals(0f, y[1]);
                assertEquals(y[2], y[4], cell + ": masked step repeats the previous output");
                assertEquals(y[3], y[5]);
                float[] h = t.outputs().get(1).toTensor().data();
                assertEquals(y[6], h[0]);
                assertEquals(dm, t.outputMask(), cell + ": returnSequences passes the mask on");
            }
            RecurrentLayer last = make(cell, 2);
            last.build(List.of(new int[] {4, 3}));
            try (var dx = dev.jrnn.backend.DTensor.from(last.backend(), x);
                 var dm = dev.jrnn.backend.DTensor.from(last.backend(), m);
                 Trace t = last.forward(List.of(dx), dm, false)) {
                assertNull(t.outputMask(), cell + ": no mask after the sequence is reduced");
            }
        }
    }

    @Test
    void goBackwardsEqualsForwardOnReversedInput() {
        SplittableRandom rng = new SplittableRandom(9);
        Tensor x = LayerCheck.rand(rng, 1, 2, 5, 3);
        float[] xr = new float[x.size()];
        for (int b = 0; b < 2; b++)
            for (int t = 0; t < 5; t++)
                for (int i = 0; i < 3; i++) xr[(b * 5 + t) * 3 + i] = x.get(b, 4 - t, i);
        LSTM fw = new LSTM(3).returnSequences(true);
        LSTM bw = new LSTM(3).returnSequences(true).goBackwards(true);
        fw.build(List.of(new int[] {5, 3}));
        bw.build(List.of(new int[] {5, 3}));
        bw.setWeights(fw.getWeights());
        LayerCheck.assertClose(fw.call(Tensor.wrap(xr, 2, 5, 3)).data(), bw.call(x).data(), 1e-6, "goBackwards");
    }

    @Test
    void badInputsNameLayerAndShapes() {
        LSTM l = new LSTM(3).name("lstm_x");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> l.call(Tensor.zeros(4, 3)));
        assertEquals("lstm_x: expected input (batch, timesteps, features), got (4, 3)", e.getMessage());
        l.call(Tensor.zeros(2, 5, 2));
        e = assertThrows(IllegalArgumentException.class, () -> l.call(Tensor.zeros(2, 5, 4)));
        assertTrue(e.getMessage().contains("lstm_x") && e.getMessage().contains("(2, 5, 4)"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> l.callAll(List.of(Tensor.zeros(2, 5, 2), Tensor.zeros(2, 4), Tensor.zeros(2, 3))));
        assertTrue(e.getMessage().contains("lstm_x") && e.getMessage().contains("(2, 3)") && e.getMessage().contains("(2, 4)"),
                e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> l.callAll(List.of(Tensor.zeros(2, 5, 2), Tensor.zeros(2, 3))));
        assertTrue(e.getMessage().contains("lstm_x"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> l.callAll(List.of(Tensor.zeros(2, 5, 2), Tensor.zeros(3, 3), Tensor.zeros(3, 3))));
        assertTrue(e.getMessage().contains("(2, 3)") && e.getMessage().contains("(3, 3)"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new LSTM(0));
        assertThrows(IllegalArgumentException.class, () -> new GRU(2).activation("softmax"));
        assertThrows(IllegalArgumentException.class, () -> new GRU(2).tbptt(-1));
        assertThrows(IllegalArgumentException.class, () -> new SimpleRNN(2).activation("swishy"));
    }

    /**
     * Keras' activity_regularizer penalizes every output of the layer's call, the returned states too (each / batch), also
     * when the model uses only the sequence output, and on a Bidirectional its merged output and all four states; one
     * SGD(1) step against torch float64 ({@code make_rnn_corners_golden.py}).
     */
    @Test
    void anActivityRegularizerPenalizesTheReturnedStatesAsKeras() {
        Jrnn.clearSession();
        dev.jrnn.model.Input x = dev.jrnn.model.Input.shape(5, 2);
        LSTM lstm = new LSTM(3).returnState(true);
        lstm.activityRegularizer(dev.jrnn.regularizers.Regularizers.l1(0.3));
        dev.jrnn.model.Model m = new dev.jrnn.model.Model(x, lstm.apply(new Masking(0.0).apply(x)).get(0));
        RecurrentKerasSemanticsTest.setDet(lstm, 380);
        RecurrentKerasSemanticsTest.assertSgdStep(m, List.of(RecurrentKerasSemanticsTest.padded()),
                List.of(Tensor.of(RecurrentKerasSemanticsTest.det(9, 215), 3, 3)), ACTIVITY_LSTM_LOSS[0],
                ACTIVITY_LSTM_GRAD_0, ACTIVITY_LSTM_GRAD_1, ACTIVITY_LSTM_GRAD_2);

        dev.jrnn.model.Input xb = dev.jrnn.model.Input.shape(5, 2);
        Bidirectional bi = new Bidirectional(new LSTM(2).returnState(true)).activityRegularizer(dev.jrnn.regularizers.Regularizers.l2(0.1));
        dev.jrnn.model.Model mb = new dev.jrnn.model.Model(xb, bi.apply(new Masking(0.0).apply(xb)).get(0));
        RecurrentKerasSemanticsTest.setDet(bi.forwardLayer(), 600);
        RecurrentKerasSemanticsTest.setDet(bi.backwardLayer(), 610);
        RecurrentKerasSemanticsTest.assertSgdStep(mb, List.of(RecurrentKerasSemanticsTest.padded()),
                List.of(Tensor.of(RecurrentKerasSemanticsTest.det(12, 620), 3, 4)), ACTIVITY_BI_LOSS[0],
                ACTIVITY_BI_GRAD_0, ACTIVITY_BI_GRAD_1, ACTIVITY_BI_GRAD_2, ACTIVITY_BI_GRAD_3, ACTIVITY_BI_GRAD_4, ACTIVITY_BI_GRAD_5);
    }

    // ---- pasted from make_rnn_corners_golden.py's output
    static final float[] ACTIVITY_LSTM_LOSS = {0.331718624f};
    static final float[] ACTIVITY_LSTM_GRAD_0 = {-0.00278345172f, -0.00395176653f, -0.000351480337f, 0.000906017379f, -0.0024725602f, -0.00265251528f, -0.0143759066f, -0.0166216242f, -0.0388643337f, -0.000654531299f, -0.00740315497f, -0.00292529267f, 0.00264331561f, -0.0105460717f, -0.00667431442f, -0.00264124671f, -0.0104849262f, -0.0041085554f, -0.0445353777f, -0.0488920076f, -0.0753787821f, -0.00200031985f, -0.0154575615f, -0.0061848598f};
    static final float[] ACTIVITY_LSTM_GRAD_1 = {0.000203198292f, 0.00185115753f, 0.00107547f, 0.000649789945f, 0.00150136469f, 0.000359058281f, 0.00951897727f, 0.00748241702f, 0.0141108447f, 0.000295027522f, 0.00101853198f, 0.000634765318f, 0.000731603864f, 0.00606808682f, 0.00342342921f, 0.00205956329f, 0.00489098311f, 0.00124222381f, 0.0305236108f, 0.0244273191f, 0.0457424417f, 0.000941896552f, 0.00346590556f, 0.0021124926f, 0.000199813259f, 0.00179910654f, 0.000857398141f, 0.000484240894f, 0.00147297549f, 0.000524465387f, 0.00771768315f, 0.00726603813f, 0.0123286581f, 0.000249889342f, 0.00150484326f, 0.000733538658f};
    static final float[] ACTIVITY_LSTM_GRAD_2 = {0.0167658011f, 0.0521096552f, 0.025771696f, 0.0158739182f, 0.0371686339f, 0.00938268256f, 0.289704376f, 0.203499834f, 0.414673582f, 0.00807084496f, 0.0225545169f, 0.0156729466f};
    static final float[] ACTIVITY_BI_LOSS = {0.139391451f};
    static final float[] ACTIVITY_BI_GRAD_0 = {-0.000544556728f, -0.00248181935f, 0.000128538927f, 2.01134028e-05f, -0.000679609446f, 0.00480769637f, 0.000403237531f, -0.000766708921f, -0.00184135277f, -0.00388703031f, -0.000784495188f, -0.00115656442f, 0.00292462601f, 0.00552275036f, -0.000955611013f, -0.000804906934f};
    static final float[] ACTIVITY_BI_GRAD_1 = {-0.000901281364f, -0.001635464f, -0.000516482987f, -0.000897723679f, 0.00306598775f, 0.00593567341f, -0.000203623926f, -0.000399561173f, -0.00114219944f, -0.00205927852f, -0.000644647707f, -0.00115000226f, 0.00395746443f, 0.00756719992f, -0.000168244014f, -0.00054802805f};
    static final float[] ACTIVITY_BI_GRAD_2 = {0.00878696229f, 0.0174644941f, 0.00418717322f, 0.00763912081f, -0.0286207615f, -0.0683497055f, 0.000643051528f, 0.00437795717f};
    static final float[] ACTIVITY_BI_GRAD_3 = {-0.00495660723f, -1.90896521e-05f, -0.00188916071f, 0.000194326735f, -0.00992177788f, 0.00128774403f, -0.00381672094f, 0.00153054035f, -0.00226077032f, 0.000173340771f, -5.62024871e-05f, -0.0001543918f, -0.00262723522f, -0.000241473762f, -0.00233603681f, 0.000358793201f};
    static final float[] ACTIVITY_BI_GRAD_4 = {0.00198144031f, -0.00019241581f, 0.00124270846f, -0.000196077841f, 0.00677139047f, -0.00201078753f, 0.00125129816f, -0.000569262938f, 0.000923680784f, -7.65177683e-05f, 0.00056765263f, -9.01109645e-05f, 0.00307100809f, -0.000880074389f, 0.000572231257f, -0.000273991668f};
    static final float[] ACTIVITY_BI_GRAD_5 = {0.0165252086f, -0.00228702113f, 0.00918822706f, -0.00142357497f, 0.0564352507f, -0.0186353267f, 0.00944420339f, -0.00434213414f};
}
