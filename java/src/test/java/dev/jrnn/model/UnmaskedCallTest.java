package dev.jrnn.model;

import dev.jrnn.Jrnn;
import dev.jrnn.layers.Dense;
import dev.jrnn.layers.Embedding;
import dev.jrnn.layers.LSTM;
import dev.jrnn.layers.Node;
import dev.jrnn.tensor.Tensor;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A recurrent call made with {@code applyUnmasked} (Keras 3's {@code layer(x, initial_state=s)} without {@code mask=}):
 * it computes what the same layer computes on the same input without a mask, while its output still carries the mask
 * on to the loss, and models that copy a graph (a nested model's calls, {@code cloneModel}) keep the call unmasked.
 */
class UnmaskedCallTest {
    static final int B = 3, T = 6, V = 9;
    /** Token ids: 0 is padding (leading, inner and trailing) */
    static final float[] TOKENS = {1, 2, 3, 0, 0, 0, 0, 0, 4, 5, 6, 7, 8, 3, 0, 2, 1, 5};

    @BeforeAll
    static void cpu() { Jrnn.setBackend("cpu"); }

    /** tok, h, c -> Embedding (mask_zero as given) -> LSTM(3, sequences) with initial states (unmasked or not) -> Dense(2). */
    static Model model(boolean maskZero, boolean unmasked) {
        Input tok = Input.shape(T).name("tok"), h = Input.shape(3).name("h"), c = Input.shape(3).name("c");
        Node e = new Embedding(V, 4).maskZero(maskZero).name("emb").apply(tok);
        LSTM lstm = new LSTM(3).returnSequences(true).name("dec");
        List<Node> ins = List.of(e, h, c);
        Node y = unmasked ? lstm.applyUnmasked(ins) : lstm.apply(ins);
        return new Model(List.of(tok, h, c), List.of(new Dense(2).name("out").apply(y)));
    }

    static List<Tensor> inputs() {
        SplittableRandom r = new SplittableRandom(3);
        float[] h = new float[B * 3], c = new float[B * 3];
        for (int i = 0; i < h.length; i++) { h[i] = (float) r.nextDouble(-1, 1); c[i] = (float) r.nextDouble(-1, 1); }
        return List.of(Tensor.of(TOKENS.clone(), B, T), Tensor.of(h, B, 3), Tensor.of(c, B, 3));
    }

    static Tensor target() {
        SplittableRandom r = new SplittableRandom(4);
        float[] y = new float[B * T * 2];
        for (int i = 0; i < y.length; i++) y[i] = (float) r.nextDouble(-1, 1);
        return Tensor.of(y, B, T, 2);
    }

    @Test
    void computesTheUnmaskedLayerAndCarriesTheMaskToTheLoss() {
        try (Model m = model(true, true); Model plain = model(false, false); Model masked = model(true, false)) {
            plain.setWeights(m.getWeights());
            masked.setWeights(m.getWeights());
            List<Tensor> xs = inputs();
            float[] got = m.predictAll(xs).get(0).data(), want = plain.predictAll(xs).get(0).data();
            assertArrayEquals(want, got, "the same numbers as without a mask");
            assertFalse(java.util.Arrays.equals(want, masked.predictAll(xs).get(0).data()), "a masked call computes other numbers");
            // Keras' masked mse: the mean of the per-step losses over the steps the mask keeps
            Tensor y = target();
            double sum = 0;
            int kept = 0;
            for (int b = 0; b < B; b++) {
                for (int t = 0; t < T; t++) {
                    if (TOKENS[b * T + t] == 0) continue;
                    double se = 0;
                    for (int k = 0; k < 2; k++) {
                        double d = want[(b * T + t) * 2 + k] - y.data()[(b * T + t) * 2 + k];
                        se += d * d;
                    }
                    sum += se / 2;
                    kept++;
                }
            }
            m.compile("sgd", "mse");
            plain.compile("sgd", "mse");
            double loss = m.evaluateAll(xs, List.of(y)).get("loss");
            assertEquals(sum / kept, loss, 1e-6, "the loss of the kept steps");
            assertTrue(Math.abs(plain.evaluateAll(xs, List.of(y)).get("loss") - loss) > 1e-3, "an unmasked loss differs");
        }
    }

    @Test
    void nestedAndClonedModelsKeepTheCallUnmasked() {
        try (Model m = model(true, true)) {
            List<Tensor> xs = inputs();
            float[] want = m.predictAll(xs).get(0).data();
            try (Model copy = Models.cloneModel(m)) {
                copy.setWeights(m.getWeights());
                assertArrayEquals(want, copy.predictAll(xs).get(0).data(), "cloneModel");
                assertFalse(copy.getLayer("dec").calls().get(0).usesInputMask(), "the cloned call");
            }
            // the outer model shares m's layers (closing it would free them): m's close frees them
            Input tok = Input.shape(T), h = Input.shape(3), c = Input.shape(3);
            Model outer = new Model(List.of(tok, h, c), m.applyAll(List.of(tok, h, c)));
            assertArrayEquals(want, outer.predictAll(xs).get(0).data(), "as a nested model");
            assertFalse(outer.getLayer("dec").calls().get(1).usesInputMask(), "the nested call");
        }
    }
}
