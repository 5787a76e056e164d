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
                .activation("relu").recurrentActivation("hard_sigmoid").unitForgetBias(false).name("x");
        assertEquals("relu", l.activation());
        assertEquals("hard_sigmoid", l.recurrentActivation());
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
}
