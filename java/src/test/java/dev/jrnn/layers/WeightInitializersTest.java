package dev.jrnn.layers;

import dev.jrnn.Jrnn;
import dev.jrnn.initializers.Initializer;
import dev.jrnn.initializers.Stats;
import dev.jrnn.tensor.Tensor;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The layers' initializer setters (Keras' kernel_initializer, recurrent_initializer, bias_initializer,
 * embeddings_initializer): a layer built with each gets weights with the initializer's statistics over Keras' fans of the
 * weight's shape; LSTM's unit_forget_bias combined as Keras' LSTMCell; the defaults draw what they drew before.
 */
class WeightInitializersTest {
    private static final double CUT = 0.87962566103423978, CUT_KURTOSIS = 2.3655;

    @BeforeAll
    static void cpu() { Jrnn.setBackend("cpu"); }

    private static float[] values(Param p) { return p.get().data(); }

    @Test
    void denseKernelAndBiasFromTheirInitializers() {
        Dense d = new Dense(200).kernelInitializer("he_normal").biasInitializer(Initializer.constant(0.1)).seed(1);
        d.build(List.of(new int[] {100}));
        // he_normal on (100, 200): fan_in 100, sd sqrt(2 / 100) after the cut at 2 sd / 0.8796
        double sd = Math.sqrt(2.0 / 100);
        Stats.of(values(d.kernel())).near(0, sd, CUT_KURTOSIS, "he_normal").within(-2 * sd / CUT, 2 * sd / CUT, "he_normal");
        float[] b = new float[200];
        Arrays.fill(b, 0.1f);
        assertArrayEquals(b, values(d.bias()));
        assertEquals(Initializer.heNormal(), d.kernelInitializer());
    }

    @Test
    void aSeededInitializerGivesItsValuesWhateverTheLayersSeed() {
        Initializer init = Initializer.randomNormal(0, 0.01, 3);
        Dense a = new Dense(4).kernelInitializer(init).seed(1), b = new Dense(4).kernelInitializer(init).seed(2);
        a.build(List.of(new int[] {5}));
        b.build(List.of(new int[] {5}));
        assertArrayEquals(values(a.kernel()), values(b.kernel()));
        assertArrayEquals(init.values(new int[] {5, 4}, null), values(a.kernel()), "RandomNormal(stddev=0.01, seed=3)'s own draw");
    }

    @Test
    void conv1dFansCountTheKernelWidth() {
        // kernel (5, 8, 64): fan_in 5·8 = 40, fan_out 5·64 = 320; he_uniform's limit sqrt(6 / 40), glorot_normal's sd sqrt(2 / 360)
        Conv1D c = new Conv1D(64, 5).kernelInitializer(Initializer.heUniform()).biasInitializer("ones").seed(2);
        c.build(List.of(new int[] {20, 8}));
        double limit = Math.sqrt(6.0 / 40);
        Stats.of(values(c.kernel())).within(-limit, limit, "he_uniform").near(0, limit / Math.sqrt(3), 1.8, "he_uniform");
        float[] ones = new float[64];
        Arrays.fill(ones, 1f);
        assertArrayEquals(ones, values(c.bias()));
        Conv1D g = new Conv1D(64, 5).kernelInitializer("glorot_normal").seed(2);
        g.build(List.of(new int[] {20, 8}));
        Stats.of(values(g.kernel())).near(0, Math.sqrt(2.0 / 360), CUT_KURTOSIS, "glorot_normal");
    }

    @Test
    void embeddingsFromTheirInitializer() {
        Embedding e = new Embedding(500, 32).embeddingsInitializer(Initializer.randomNormal(1, 0.5)).seed(3);
        e.build(List.of(new int[] {4}));
        Stats.of(e.params().get(0).get().data()).near(1, 0.5, 3, "random_normal");
        Embedding i = new Embedding(3, 4).embeddingsInitializer("identity");
        i.build(List.of(new int[] {2}));
        assertArrayEquals(new float[] {1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0}, i.params().get(0).get().data());
    }

    @Test
    void recurrentKernelsAndBias() {
        // LSTM(32) on 16 features: kernel (16, 128), recurrent kernel (32, 128)
        LSTM l = new LSTM(32).kernelInitializer("lecun_uniform").recurrentInitializer(Initializer.orthogonal(2)).biasInitializer("zeros")
                .unitForgetBias(false).seed(4);
        l.build(List.of(new int[] {10, 16}));
        double limit = Math.sqrt(3.0 / 16);
        Stats.of(values(l.kernel())).within(-limit, limit, "lecun_uniform").near(0, limit / Math.sqrt(3), 1.8, "lecun_uniform");
        dev.jrnn.initializers.Stats.assertOrthonormal(values(l.recurrentKernel()), 32, 128, 2);
        assertArrayEquals(new float[128], values(l.bias()));
        // GRU(40), reset_after: bias (2, 120); variance_scaling fan_out on the recurrent kernel (40, 120): sd sqrt(1 / 120)
        GRU g = new GRU(40).recurrentInitializer(Initializer.varianceScaling(1, "fan_out", "untruncated_normal")).biasInitializer("ones").seed(5);
        g.build(List.of(new int[] {3, 2}));
        Stats.of(values(g.recurrentKernel())).near(0, Math.sqrt(1.0 / 120), 3, "variance_scaling fan_out");
        assertArrayEquals(new int[] {2, 120}, g.bias().shape());
        float[] ones = new float[240];
        Arrays.fill(ones, 1f);
        assertArrayEquals(ones, values(g.bias()));
        SimpleRNN s = new SimpleRNN(6).recurrentInitializer("identity").seed(6);
        s.build(List.of(new int[] {3, 2}));
        float[] eye = new float[36];
        for (int i = 0; i < 6; i++) eye[i * 6 + i] = 1;
        assertArrayEquals(eye, values(s.recurrentKernel()), "Keras' IRNN: an identity recurrent kernel");
    }

    /** Keras' LSTMCell with unit_forget_bias: bias = [init((units,)), ones((units,)), init((2 units,))]. */
    @Test
    void unitForgetBiasCombinesWithTheBiasInitializer() {
        LSTM c = new LSTM(3).biasInitializer(Initializer.constant(0.5));
        c.build(List.of(new int[] {2, 1}));
        assertArrayEquals(new float[] {0.5f, 0.5f, 0.5f, 1, 1, 1, 0.5f, 0.5f, 0.5f, 0.5f, 0.5f, 0.5f}, values(c.bias()));
        Initializer seeded = Initializer.randomUniform(-1, 1, 11);
        LSTM r = new LSTM(3).biasInitializer(seeded);
        r.build(List.of(new int[] {2, 1}));
        float[] b = values(r.bias());
        assertArrayEquals(seeded.values(new int[] {3}, null), Arrays.copyOfRange(b, 0, 3), "the input gate: init((units,))");
        assertArrayEquals(new float[] {1, 1, 1}, Arrays.copyOfRange(b, 3, 6), "the forget gate: ones");
        assertArrayEquals(seeded.values(new int[] {6}, null), Arrays.copyOfRange(b, 6, 12), "cell and output gates: init((2 units,))");
        LSTM off = new LSTM(3).biasInitializer(Initializer.constant(0.5)).unitForgetBias(false);
        off.build(List.of(new int[] {2, 1}));
        float[] half = new float[12];
        Arrays.fill(half, 0.5f);
        assertArrayEquals(half, values(off.bias()), "without unit_forget_bias: the initializer over the whole bias");
    }

    /** The defaults are Keras' and draw from the layer's stream (Jrnn.setSeed's, split) what jrnn drew before the setters existed. */
    @Test
    void theDefaultsAreKerasAndUnchanged() {
        LSTM l = new LSTM(4);
        assertEquals(Initializer.glorotUniform(), l.kernelInitializer());
        assertEquals(Initializer.orthogonal(1), l.recurrentInitializer());
        assertEquals(Initializer.zeros(), l.biasInitializer());
        Jrnn.setSeed(9);
        l.build(List.of(new int[] {5, 3}));
        SplittableRandom r = new SplittableRandom(9).split();
        assertArrayEquals(Initializers.glorotUniform(r, 3, 16, 48), values(l.kernel()));
        assertArrayEquals(Initializers.orthogonal(r, 4, 16, 1.0), values(l.recurrentKernel()));
        assertArrayEquals(Initializers.unitForgetBias(4), values(l.bias()));
        Embedding e = new Embedding(10, 3);
        assertEquals(Initializer.randomUniform(-0.05, 0.05), e.embeddingsInitializer());
        Jrnn.setSeed(9);
        e.build(List.of(new int[] {2}));
        assertArrayEquals(Initializers.uniform(new SplittableRandom(9).split(), -0.05, 0.05, 30), e.params().get(0).get().data());
        Conv1D c = new Conv1D(4, 3);
        Jrnn.setSeed(9);
        c.build(List.of(new int[] {6, 2}));
        assertArrayEquals(Initializers.glorotUniform(new SplittableRandom(9).split(), 6, 12, 24), values(c.kernel()));
    }

    /**
     * A layer's seed is Keras' {@code seed=}: its dropout masks' alone. The initial weights follow Jrnn.setSeed, so two
     * LSTM(16, seed=5) layers start from different weights and a seed sweep moves them, as in Keras 3.15.1 (the outside
     * tester's keras_stack_seed.py: recurrent kernels equal False; kernel[0,0] -0.132 after set_random_seed(1), 0.156
     * after set_random_seed(2)). The masks still follow the layer's seed (RecurrentDropoutTest).
     */
    @Test
    void aLayersSeedSeedsItsMasksNotItsWeights() {
        Jrnn.setSeed(1);
        LSTM a = new LSTM(16).seed(5).dropout(0.2), b = new LSTM(16).seed(5).dropout(0.2);
        a.build(List.of(new int[] {10, 16}));
        b.build(List.of(new int[] {10, 16}));
        assertTrue(!Arrays.equals(values(a.kernel()), values(b.kernel())), "two layers of seed 5: their own kernels");
        assertTrue(!Arrays.equals(values(a.recurrentKernel()), values(b.recurrentKernel())), "and recurrent kernels");
        assertArrayEquals(a.maskStream(), b.maskStream(), "the same seed, the same masks");
        Jrnn.setSeed(2);
        LSTM c = new LSTM(16).seed(5);
        c.build(List.of(new int[] {10, 16}));
        assertTrue(!Arrays.equals(values(a.kernel()), values(c.kernel())), "another Jrnn.setSeed, other weights");
        Jrnn.setSeed(1);
        LSTM d = new LSTM(16).seed(7);
        d.build(List.of(new int[] {10, 16}));
        assertArrayEquals(values(a.kernel()), values(d.kernel()), "the same Jrnn.setSeed, the same weights whatever the layer's seed");
    }

    @Test
    void settingOneAfterTheBuildIsRefused() {
        Dense d = new Dense(2).name("late");
        d.build(List.of(new int[] {3}));
        Tensor before = d.kernel().get();
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> d.kernelInitializer("zeros"));
        assertTrue(e.getMessage().contains("late: cannot change kernelInitializer after the layer is built"), e.getMessage());
        assertEquals(before, d.kernel().get(), "the weights are as they were");
        assertEquals(Initializer.glorotUniform(), d.kernelInitializer());
        LSTM l = new LSTM(2).name("built");
        l.build(List.of(new int[] {2, 1}));
        assertThrows(IllegalStateException.class, () -> l.biasInitializer(Initializer.ones()));
    }

    @Test
    void bidirectionalsBackwardCopyTakesTheInitializers() {
        LSTM f = new LSTM(3).kernelInitializer("ones").recurrentInitializer(Initializer.identity(1)).name("f");
        Bidirectional bi = new Bidirectional(f);
        assertEquals(Initializer.ones(), bi.backwardLayer().kernelInitializer());
        assertEquals(Initializer.identity(1), bi.backwardLayer().recurrentInitializer());
        bi.build(List.of(new int[] {4, 2}));
        float[] ones = new float[24];
        Arrays.fill(ones, 1f);
        assertArrayEquals(ones, values(bi.backwardLayer().kernel()));
        assertArrayEquals(values(bi.forwardLayer().recurrentKernel()), values(bi.backwardLayer().recurrentKernel()));
        LSTM wrapped = new LSTM(3).name("w");
        new Bidirectional(wrapped);
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> wrapped.kernelInitializer("zeros"));
        assertTrue(e.getMessage().contains("w: cannot set kernelInitializer of a layer a Bidirectional wraps"), e.getMessage());
    }

    @Test
    void aRankTheInitializerCannotFillIsRefused() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new Dense(2).name("d").biasInitializer("orthogonal"));
        assertTrue(e.getMessage().contains("d: biasInitializer Orthogonal cannot fill its bias"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new Conv1D(2, 3).kernelInitializer(Initializer.identity(1)));
        // GRU's bias is (2, 3 units) with resetAfter: Orthogonal fills it, as in Keras; without, it is refused at the build
        GRU ok = new GRU(2).biasInitializer("orthogonal");
        ok.build(List.of(new int[] {3, 1}));
        GRU bad = new GRU(2).name("g").resetAfter(false).biasInitializer("orthogonal");
        e = assertThrows(IllegalArgumentException.class, () -> bad.build(List.of(new int[] {3, 1})));
        assertTrue(e.getMessage().contains("g: biasInitializer Orthogonal cannot fill its bias of shape (6,)"), e.getMessage());
        assertTrue(!bad.isBuilt() && bad.params().isEmpty(), "left unbuilt");
    }
}
