package dev.jrnn.layers;

import dev.jrnn.Jrnn;
import dev.jrnn.backend.Activation;
import dev.jrnn.backend.DTensor;
import dev.jrnn.tensor.Tensor;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** TimeDistributed, Embedding, Masking and Dropout. */
class WrapperAndSimpleLayersTest {

    @BeforeAll
    static void cpu() {
        Jrnn.setBackend("cpu");
        Jrnn.setSeed(13);
    }

    private static void randomWeights(Layer l, SplittableRandom rng) {
        List<Tensor> w = new ArrayList<>();
        for (Param p : l.params()) w.add(LayerCheck.rand(rng, 0.7, p.shape()));
        l.setWeights(w);
    }

    @Test
    void timeDistributedDenseMatchesReference() {
        TimeDistributed td = new TimeDistributed(new Dense(3).activation("tanh"));
        td.build(List.of(new int[] {4, 2}));
        assertEquals(2 * 3 + 3, td.countParams());
        SplittableRandom rng = new SplittableRandom(1);
        randomWeights(td, rng);
        Tensor x = LayerCheck.rand(rng, 1, 2, 4, 2);
        LayerCheck.check(td, List.of(x), null, new boolean[] {true},
                v -> new double[][] {Ref.dense(Activation.TANH, 8, 2, 3, v[0], v[1], v[2])}, 2);
    }

    @Test
    void timeDistributedRecurrentMatchesReference() {
        // (B=2, T=3, T2=4, I=2): SimpleRNN over the inner axis for each of the 3 outer steps
        TimeDistributed td = new TimeDistributed(new SimpleRNN(2));
        assertArrayEquals(new int[] {3, 2}, td.computeOutputShapes(List.of(new int[] {3, 4, 2})).get(0));
        td.build(List.of(new int[] {3, 4, 2}));
        SplittableRandom rng = new SplittableRandom(2);
        randomWeights(td, rng);
        Tensor x = LayerCheck.rand(rng, 1, 2, 3, 4, 2);
        LayerCheck.check(td, List.of(x), null, new boolean[] {true},
                v -> new double[][] {Ref.recurrent("rnn", Activation.TANH, Activation.SIGMOID, 6, 4, 2, 2, v[0], v[1], v[2], v[3],
                        null, null, null, false, 0, null).h}, 3);
    }

    @Test
    void timeDistributedNamesShapesAndMask() {
        Jrnn.clearSession();
        Dense inner = new Dense(5);
        TimeDistributed td = new TimeDistributed(inner);
        assertEquals("time_distributed", td.name());
        assertEquals("TimeDistributed", td.kerasClass());
        assertArrayEquals(new int[] {2, 7, 5}, td.call(Tensor.zeros(2, 7, 3)).shape());
        assertEquals(inner.params(), td.params());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> td.call(Tensor.zeros(2, 3)));
        assertEquals("time_distributed: expected input (batch, timesteps, ...) of rank >= 3, got (2, 3)", e.getMessage());
        try (DTensor x = DTensor.from(td.backend(), Tensor.zeros(1, 2, 3));
             DTensor m = DTensor.from(td.backend(), Tensor.of(new float[][] {{1, 0}}));
             Trace t = td.forward(List.of(x), m, false)) {
            assertSame(m, t.outputMask());
        }
    }

    @Test
    void embeddingLooksUpRowsAndScattersGradients() {
        Jrnn.clearSession();
        Embedding emb = new Embedding(5, 3).maskZero(true);
        assertEquals("embedding", emb.name());
        emb.build(List.of(new int[] {4}));
        assertEquals(15, emb.countParams());
        assertEquals(List.of("embeddings"), emb.params().stream().map(Param::name).toList());
        for (float v : emb.getWeights().get(0).data()) assertTrue(v >= -0.05f && v <= 0.05f);
        SplittableRandom rng = new SplittableRandom(3);
        randomWeights(emb, rng);
        Tensor ids = Tensor.of(new float[][] {{1, 4, 0, 4}, {2, 2, 3, 0}});
        float[] table = emb.getWeights().get(0).data();
        LayerCheck.check(emb, List.of(ids), null, new boolean[] {false}, v -> {
            double[] y = new double[8 * 3];
            for (int i = 0; i < 8; i++) System.arraycopy(v[0], (int) ids.data()[i] * 3, y, i * 3, 3);
            return new double[][] {y};
        }, 5);
        try (DTensor d = DTensor.from(emb.backend(), ids); Trace t = emb.forward(List.of(d), null, true)) {
            assertArrayEquals(new float[] {1, 1, 0, 1, 1, 1, 1, 0}, t.outputMask().toTensor().data());
            assertArrayEquals(new int[] {2, 4, 3}, t.outputs().get(0).shape());
            assertEquals(table[4 * 3 + 2], t.outputs().get(0).toTensor().get(0, 1, 2));
            try (DTensor dy = DTensor.from(emb.backend(), Tensor.zeros(2, 4, 3))) {
                List<DTensor> g = t.backward(List.of(dy));
                assertEquals(1, g.size());
                assertNull(g.get(0));
            }
        }
        Embedding plain = new Embedding(5, 2);
        try (DTensor d = DTensor.from(emb.backend(), ids); Trace t = plain.forward(List.of(d), null, false)) {
            assertNull(t.outputMask());
        }
    }

    @Test
    void embeddingRejectsBadIds() {
        Embedding emb = new Embedding(5, 2).name("emb_x");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> emb.call(Tensor.of(new float[][] {{1, 5}})));
        assertTrue(e.getMessage().startsWith("emb_x: id 5.0") && e.getMessage().contains("[0, 5)"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> emb.call(Tensor.of(new float[][] {{-1, 2}})));
        assertThrows(IllegalArgumentException.class, () -> emb.call(Tensor.of(new float[][] {{1.5f, 2}})));
        assertThrows(IllegalArgumentException.class, () -> new Embedding(0, 2));
        assertThrows(IllegalArgumentException.class, () -> emb.inputDim(3));
        assertArrayEquals(new int[] {7}, new Embedding(5, 2).inputLength(7).declaredInputShape());
        // another sequence length reuses the weights
        assertArrayEquals(new int[] {1, 3, 2}, emb.call(Tensor.of(new float[][] {{1, 2, 3}})).shape());
    }

    @Test
    void maskingMasksAllMaskValueStepsAndFeedsRecurrentLayers() {
        Jrnn.clearSession();
        Masking mk = new Masking(0.0);
        assertEquals("masking", mk.name());
        float[][][] xs = {{{1, 2}, {0, 0}, {3, 0}}, {{0, 0}, {5, 6}, {0, 0}}};
        Tensor x = Tensor.of(xs);
        mk.build(List.of(new int[] {3, 2}));
        try (DTensor d = DTensor.from(mk.backend(), x); Trace t = mk.forward(List.of(d), null, true)) {
            assertArrayEquals(new float[] {1, 0, 1, 0, 1, 0}, t.outputMask().toTensor().data());
            assertArrayEquals(x.data(), t.outputs().get(0).toTensor().data());
            try (DTensor dy = DTensor.from(mk.backend(), Tensor.full(2f, 2, 3, 2))) {
                float[] dx = t.backward(List.of(dy)).get(0).toTensor().data();
                assertArrayEquals(new float[] {2, 2, 0, 0, 2, 2, 0, 0, 2, 2, 0, 0}, dx);
            }
            // an LSTM fed by Masking equals the LSTM with the explicit mask
            LSTM a = new LSTM(2).returnSequences(true);
            a.build(List.of(new int[] {3, 2}));
            try (Trace ta = a.forward(t.outputs(), t.outputMask(), false);
                 DTensor m = DTensor.from(mk.backend(), Tensor.of(new float[][] {{1, 0, 1}, {0, 1, 0}}));
                 Trace tb = a.forward(List.of(d), m, false)) {
                assertArrayEquals(tb.outputs().get(0).toTensor().data(), ta.outputs().get(0).toTensor().data());
            }
        }
        Masking mv = new Masking(-1);
        try (DTensor d = DTensor.from(mk.backend(), Tensor.of(new float[][][] {{{-1, -1}, {-1, 0}}}));
             Trace t = mv.forward(List.of(d), null, false)) {
            assertArrayEquals(new float[] {0, 1}, t.outputMask().toTensor().data());
            LayerCheck.assertClose(new float[] {0, 0, -1, 0}, t.outputs().get(0).toTensor().data(), 0, "masked output");
        }
    }

    @Test
    void dropoutIsIdentityAtInferenceAndScalesAtTraining() {
        Jrnn.clearSession();
        Dropout dr = new Dropout(0.25);
        assertEquals("dropout", dr.name());
        Tensor x = Tensor.full(1f, 4, 50, 10);
        assertArrayEquals(x.data(), dr.call(x).data());
        dr.build(List.of(new int[] {50, 10}));
        try (DTensor d = DTensor.from(dr.backend(), x);
             DTensor m = DTensor.from(dr.backend(), Tensor.full(1f, 4, 50));
             Trace t = dr.forward(List.of(d), m, true)) {
            assertSame(m, t.outputMask());
            float[] y = t.outputs().get(0).toTensor().data();
            int dropped = 0;
            for (float v : y) {
                if (v == 0) dropped++;
                else assertEquals(1 / 0.75f, v, 1e-6);
            }
            assertEquals(0.25, dropped / 2000.0, 0.04);
            try (DTensor dy = DTensor.from(dr.backend(), Tensor.full(3f, 4, 50, 10))) {
                float[] dx = t.backward(List.of(dy)).get(0).toTensor().data();
                for (int i = 0; i < y.length; i++) assertEquals(3 * y[i], dx[i], 1e-6);
            }
        }
        // seeded layers draw the same masks; successive batches draw new ones
        float[] a1 = trainOnce(new Dropout(0.5).seed(9), x), b1 = trainOnce(new Dropout(0.5).seed(9), x);
        assertArrayEquals(a1, b1);
        Dropout d2 = new Dropout(0.5).seed(9);
        trainOnce(d2, x);
        assertNotEquals(java.util.Arrays.toString(a1), java.util.Arrays.toString(trainOnce(d2, x)));
        assertThrows(IllegalArgumentException.class, () -> new Dropout(1.0));
        assertThrows(IllegalArgumentException.class, () -> new Dropout(-0.1));
    }

    private static float[] trainOnce(Dropout d, Tensor x) {
        d.build(List.of(new int[] {50, 10}));
        try (DTensor dx = DTensor.from(d.backend(), x); Trace t = d.forward(List.of(dx), null, true)) {
            return t.outputs().get(0).toTensor().data();
        }
    }
}
