package dev.jrnn.layers;

import dev.jrnn.Jrnn;
import dev.jrnn.tensor.Tensor;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

/**
 * Direct calls' masks against Keras 3.15.1's eager calls (jax; values printed by Keras in session 20's review): ids
 * [[1, 2, 0, 0], [3, 0, 0, 0]] through an Embedding(mask_zero=True).
 */
class DirectCallTest {
    @BeforeAll
    static void cpu() { Jrnn.setBackend("cpu"); }

    /** Keras' Embedding(5, 3, mask_zero=True, embeddings_initializer="uniform") output under set_random_seed(1), its mask attached. */
    static Tensor embedded() {
        float[] e = {0.03449803590774536f, -0.021122073754668236f, 0.04735788330435753f, 0.029517710208892822f, 0.03678165748715401f,
                -0.0056191920302808285f, -0.001262927078641951f, -0.027603304013609886f, 0.014689433388411999f, -0.001262927078641951f,
                -0.027603304013609886f, 0.014689433388411999f, -0.048801030963659286f, 0.020046640187501907f, -0.049753107130527496f,
                -0.001262927078641951f, -0.027603304013609886f, 0.014689433388411999f, -0.001262927078641951f, -0.027603304013609886f,
                0.014689433388411999f, -0.001262927078641951f, -0.027603304013609886f, 0.014689433388411999f};
        return Tensor.of(e, 2, 4, 3).withKerasMask(Tensor.of(new float[] {1, 1, 0, 0, 1, 0, 0, 0}, 2, 4));
    }

    /** LSTM(2) with kernel and recurrent kernel "ones" (biases as Keras' unit_forget_bias). */
    static LSTM ones(boolean sequences) {
        LSTM l = new LSTM(2).returnSequences(sequences);
        l.kernelInitializer("ones");
        l.recurrentInitializer("ones");
        return l;
    }

    /**
     * Keras' {@code l1(e, initial_state=[h0, c0])} runs unmasked but its output carries e's mask, so {@code l2} on it is
     * masked: 0.031357 and -0.008707 for the two samples (jrnn gave 0.12541863 and -0.060544115, unmasked).
     */
    @Test
    void aCallWithInitialStatesPassesItsInputsMaskOn() {
        Tensor e = embedded(), zeros = Tensor.zeros(2, 2);
        Tensor y = ones(true).callAll(List.of(e, zeros, zeros)).get(0);
        assertNotNull(y.kerasMask(), "the output carries the mask");
        assertArrayEquals(new float[] {1, 1, 0, 0, 1, 0, 0, 0}, y.kerasMask().data());
        float[] got = ones(false).call(y).data();   // (2, 2); the two units alike (weights all ones)
        assertArrayEquals(new float[] {0.031357f, 0.031357f, -0.008707f, -0.008707f}, got, 1e-6f);
    }

    /** Keras' {@code layer.compute_mask(e, None)} is None whatever mask e carries (jrnn gave e's). */
    @Test
    void computeMaskWithNoPreviousMaskIgnoresTheAttachedOne() {
        Tensor e = embedded();
        assertNotNull(e.kerasMask());
        assertNull(new Dense(2).computeMask(e, null));
        assertNull(new LSTM(2).returnSequences(true).computeMask(e, null));
        assertArrayEquals(e.kerasMask().data(), new Dense(2).computeMask(e, e.kerasMask()).data(), "given, it passes");
    }
}
