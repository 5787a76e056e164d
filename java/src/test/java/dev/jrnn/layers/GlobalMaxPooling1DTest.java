package dev.jrnn.layers;

import dev.jrnn.Jrnn;
import dev.jrnn.model.Model;
import dev.jrnn.model.Models;
import dev.jrnn.model.Sequential;
import dev.jrnn.tensor.Tensor;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** GlobalMaxPooling1D: the max over every step as Keras 3, its gradient (ties share it), keepdims, summary, Keras files. */
class GlobalMaxPooling1DTest {
    @TempDir
    Path dir;

    @BeforeAll
    static void cpu() { Jrnn.setBackend("cpu"); }

    private static double[][] ref(double[] x, int b, int t, int f) {
        double[] y = new double[b * f];
        for (int i = 0; i < b; i++) {
            for (int c = 0; c < f; c++) {
                double m = Double.NEGATIVE_INFINITY;
                for (int s = 0; s < t; s++) m = Math.max(m, x[(i * t + s) * f + c]);
                y[i * f + c] = m;
            }
        }
        return new double[][] {y};
    }

    /** keepdims over one step gives (batch, 1, features), the input's time axis; no mask goes on all the same (Keras 3). */
    @Test
    void keepdimsOverOneStepPassesNoMask() {
        LayerCheck.assertMaskEndsAt(() -> new GlobalMaxPooling1D().keepdims(true), 1, 2);
    }

    @Test
    void maxAndGradient() {
        Tensor x = LayerCheck.rand(new SplittableRandom(5), 1, 3, 5, 4);
        LayerCheck.check(new GlobalMaxPooling1D(), List.of(x), null, new boolean[] {true}, v -> ref(v[0], 3, 5, 4), 9);
    }

    /** Keras 3's GlobalMaxPooling1D takes no mask: masked steps count as the others. */
    @Test
    void aMaskChangesNothing() {
        Tensor x = LayerCheck.rand(new SplittableRandom(6), 1, 2, 4, 3);
        Tensor mask = Tensor.of(new float[] {1, 0, 0, 1, 0, 0, 1, 1}, 2, 4);
        LayerCheck.check(new GlobalMaxPooling1D(), List.of(x), mask, new boolean[] {true}, v -> ref(v[0], 2, 4, 3), 10);
    }

    /** Tied maxima share the gradient equally (TensorFlow's and JAX's reduce_max); keepdims keeps a step axis of 1. */
    @Test
    void tiesShareTheGradientAndKeepdims() {
        dev.jrnn.backend.Backend be = Jrnn.backend();
        float[] x = {1, 5, 3, 5, 3, -1};   // one sample, 3 steps, 2 features: feature 0 max 3 at steps 1 and 2
        dev.jrnn.backend.DTensor xt = dev.jrnn.backend.DTensor.from(be, Tensor.of(x, 1, 3, 2));
        GlobalMaxPooling1D p = new GlobalMaxPooling1D().keepdims(true);
        Trace tr = p.forward(List.of(xt), null, true);
        assertArrayEquals(new int[] {1, 1, 2}, tr.outputs().get(0).shape());
        assertArrayEquals(new float[] {3, 5}, tr.outputs().get(0).toTensor().data());
        List<dev.jrnn.backend.DTensor> dx = tr.backward(List.of(dev.jrnn.backend.DTensor.from(be, Tensor.of(new float[] {1, 2}, 1, 1, 2))));
        assertArrayEquals(new float[] {0, 1, 0.5f, 1, 0.5f, 0}, dx.get(0).toTensor().data());
        tr.close();
    }

    @Test
    void summaryAndKerasFile() throws IOException {
        Jrnn.setSeed(12);
        Sequential m = new Sequential(new GRU(4).inputShape(5, 2).returnSequences(true), new GlobalMaxPooling1D().name("gmp"), new Dense(1));
        String summary = m.summaryString();
        assertTrue(summary.lines().anyMatch(l -> l.contains(" gmp (GlobalMaxPooling1D)") && l.contains("(None, 4)") && l.trim().endsWith(" 0")),
                summary);
        assertEquals("global_max_pooling1d", Names.snake("GlobalMaxPooling1D"));
        Tensor x = LayerCheck.rand(new SplittableRandom(1), 1, 3, 5, 2);
        Path f = dir.resolve("gmp.keras");
        m.save(f);
        try (Model back = Models.load(f)) {
            assertEquals(m.summaryString(), back.summaryString());
            assertArrayEquals(m.predict(x).data(), back.predict(x).data());
        }
    }
}
