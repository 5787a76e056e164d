package dev.jrnn.layers;

import dev.jrnn.Jrnn;
import dev.jrnn.backend.DTensor;
import dev.jrnn.backend.cpu.CpuBackend;
import dev.jrnn.tensor.Tensor;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link Embedding}: rows looked up and gradients scattered against a reference, mask_zero, bad ids as
 * clear errors that free what the failed call allocated.
 */
class EmbeddingTest {
    @BeforeAll
    static void cpu() {
        Jrnn.setBackend("cpu");
        Jrnn.setSeed(13);
    }

    @AfterEach
    void reset() {
        Jrnn.setBackend("cpu");
    }

    @Test
    void badIdFreesTheCallsBuffers() {
        CpuBackend be = CpuBackend.create();
        Jrnn.setBackend(be);
        Embedding emb = new Embedding(5, 3).maskZero(true);
        emb.call(Tensor.of(new float[][] {{1, 2, 0}}));   // builds: the weights stay allocated
        long live = be.liveBuffers();
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> emb.call(Tensor.of(new float[][] {{1, 7, 0}})));
        assertTrue(e.getMessage().contains("7"), e.getMessage());
        assertEquals(live, be.liveBuffers(), "buffers left by the failed call");
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
        LayerCheck.randomWeights(emb, rng);
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

    /**
     * Ids travel as float32, which holds every integer only up to 2^24: with a larger vocabulary id 16777217 arrived as
     * 16777216 and silently looked up that row. The vocabulary is refused instead, naming the bound.
     */
    @Test
    void aVocabularyPastExactFloatIdsIsRefused() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new Embedding((1 << 24) + 1, 1));
        assertEquals("Embedding: inputDim must be at most 16777216 (ids travel as float32, exact integers up to 2^24), got 16777217",
                e.getMessage());
        assertEquals(1 << 24, new Embedding(1 << 24, 1).vocabularySize());
    }

    /**
     * Optimizers on the gradient of a token that repeats in a batch: jrnn adds the occurrences into one dense gradient
     * before the update, as Keras 3.15.1 on JAX (and PyTorch's dense Embedding). Keras on TensorFlow transforms each
     * occurrence of its IndexedSlices apart, so Adam, AdamW, Nadam, RMSprop, Adagrad and Adadelta differ there (Adam's
     * row 1: 0.7214758396148682): the GUIDE's "Where Keras' own backends disagree". Goldens: Keras on JAX, ids
     * [[1, 1, 2]], learning rate 0.1, two steps; row 1 (repeated) and row 2 (once).
     */
    @Test
    void aRepeatedTokenTrainsAsKerasOnJax() {
        Map<dev.jrnn.optim.Optimizer, double[]> jax = new LinkedHashMap<>();
        jax.put(new dev.jrnn.optim.Adam(0.1), new double[] {0.8026791214942932, 0.8026793599128723});
        jax.put(new dev.jrnn.optim.RMSprop(0.1), new double[] {0.6149367094039917, 0.6149368286132812});
        jax.put(new dev.jrnn.optim.Adagrad(0.1), new double[] {0.8444104194641113, 0.8471969962120056});
        jax.put(new dev.jrnn.optim.Adadelta(0.1), new double[] {0.9997153878211975, 0.9997153878211975});
        jax.put(new dev.jrnn.optim.Nadam(0.1), new double[] {0.831047773361206, 0.831047773361206});
        jax.put(new dev.jrnn.optim.AdamW(0.1), new double[] {0.801934540271759, 0.8019348382949829});
        jax.put(new dev.jrnn.optim.SGD(0.1), new double[] {0.690666675567627, 0.8453333377838135});
        for (Map.Entry<dev.jrnn.optim.Optimizer, double[]> c : jax.entrySet()) {
            dev.jrnn.model.Sequential m = new dev.jrnn.model.Sequential(dev.jrnn.model.Input.shape(3), new Embedding(4, 2),
                    new GlobalAveragePooling1D(), new Dense(1));
            m.compile(c.getKey(), "mse");
            m.setWeights(List.of(Tensor.of(new float[] {1, 1, 1, 1, 1, 1, 1, 1}, 4, 2), Tensor.of(new float[] {1, 1}, 2, 1),
                    Tensor.of(new float[] {0}, 1)));
            for (int i = 0; i < 2; i++) m.trainOnBatch(Tensor.of(new float[] {1, 1, 2}, 1, 3), Tensor.of(new float[] {0}, 1, 1));
            float[] e = m.getWeights().get(0).data();
            String name = c.getKey().getClass().getSimpleName();
            for (int row = 1; row <= 2; row++) {
                assertEquals(c.getValue()[row - 1], e[2 * row], 5e-6, name + ": embeddings[" + row + "]");
                assertEquals(e[2 * row], e[2 * row + 1], name + ": both columns alike");
            }
        }
    }
}
