package dev.jrnn.layers;

import dev.jrnn.Jrnn;
import dev.jrnn.model.Model;
import dev.jrnn.model.Models;
import dev.jrnn.model.Sequential;
import dev.jrnn.tensor.Tensor;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.nio.file.Path;
import java.util.List;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class MaxPooling1DTest {
    @BeforeEach
    void seed() {
        Jrnn.setBackend("cpu");
        Jrnn.setSeed(5);
    }

    @ParameterizedTest(name = "{0} p={1} s={2} T={3}")
    @CsvSource({"valid,2,2,7", "valid,3,1,6", "valid,3,2,8", "valid,2,3,8", "valid,1,1,3", "same,2,2,7", "same,3,1,6",
            "same,4,1,6", "same,3,2,8", "same,4,3,7", "same,5,2,4"})
    void forwardAndGradientsMatchKerasDefinition(String padding, int p, int s, int T) {
        int B = 2, C = 3;
        MaxPooling1D pool = new MaxPooling1D(p).strides(s).padding(padding);
        Tensor x = LayerCheck.rand(new SplittableRandom(7), 1, B, T, C);
        LayerCheck.check(pool, List.of(x), null, new boolean[] {true}, v -> new double[][] {Ref.pool1d(B, T, C, p, s, padding, v[0], w -> java.util.Arrays.stream(w).max().orElseThrow())}, 2);
    }

    /** With strides 1 and "same" padding the time axis stays, yet the mask dies here (Keras 3's pooling does not support masking). */
    @org.junit.jupiter.api.Test
    void aMaskDoesNotPassEvenWhereTheTimeAxisStays() {
        LayerCheck.assertMaskEndsAt(() -> new MaxPooling1D(2).strides(1).padding("same"), 5, 2);
    }

    /** PyTorch's max_pool1d (float64; its padding is -inf, so symmetric TensorFlow SAME cases match it). */
    @ParameterizedTest(name = "{0} p={1} s={2}")
    @CsvSource(delimiter = ';', value = {
            "valid;3;1;5;0.4941133511, 0.9916648105, 0.4941133511, 0.7984871126, 0.8591618149, 0.7984871126, 0.8591618149, 0.3967405731, 0.9997929001, 0.3967405731, 0.8792730617, 0.7733278896, 0.8792730617, 0.7733278896, 0.5290826861, 0.9856002988, 0.5290826861, 0.9856002988, 0.2159872662, 0.9856002988",
            "valid;2;2;3;0, 0.9916648105, 0.4941133511, 0.7984871126, 0.8591618149, 0.3967405731, 0.8792730617, 0.359058354, 0.5290826861, 0.7733278896, 0.04069325735, 0.9856002988",
            "same;3;1;7;0, 0.9916648105, 0.4941133511, 0.9916648105, 0.4941133511, 0.7984871126, 0.8591618149, 0.7984871126, 0.8591618149, 0.3967405731, 0.9997929001, 0.3967405731, 0.9997929001, -0.1086365954, 0.8792730617, 0.359058354, 0.8792730617, 0.7733278896, 0.8792730617, 0.7733278896, 0.5290826861, 0.9856002988, 0.5290826861, 0.9856002988, 0.2159872662, 0.9856002988, 0.2159872662, 0.9404289629",
            "same;3;2;4;0, 0.9916648105, 0.4941133511, 0.7984871126, 0.8591618149, 0.3967405731, 0.9997929001, -0.1086365954, 0.8792730617, 0.359058354, 0.8792730617, 0.7733278896, 0.5290826861, 0.9856002988, 0.2159872662, 0.9404289629",
    })
    void matchesPyTorchMaxPool1d(String padding, int p, int s, int out, String golden) {
        Ref.assertPoolsGolden(new MaxPooling1D(p).strides(s).padding(padding), out, golden);
    }

    /**
     * The gradient of sum(MaxPooling1D(x)) where steps tie, from Keras 3.15.1 on jax (jax.grad) and on tensorflow
     * (GradientTape), which agree: each window gives its gradient to its earliest maximum (jrnn split it among them before
     * session 21). x (1, 7, 2) with channels [1, 1, 1, 0, 3, 3, 3] and [5, 5, 2, 5, 5, 5, 1]; the gradient per channel.
     */
    @ParameterizedTest(name = "{0} p={1} s={2}")
    @CsvSource(delimiter = ';', value = {
            "valid;2;2;1, 0, 1, 0, 1, 0, 0;1, 0, 0, 1, 1, 0, 0",
            "same;3;1;2, 1, 0, 0, 3, 1, 0;2, 1, 0, 2, 1, 1, 0",
            "valid;3;2;1, 0, 0, 0, 2, 0, 0;1, 0, 0, 1, 1, 0, 0",
            "valid;2;1;1, 1, 1, 0, 2, 1, 0;1, 1, 0, 2, 1, 1, 0",
            "same;4;1;2, 0, 0, 0, 4, 1, 0;2, 1, 0, 2, 1, 1, 0"})
    void tiedStepsGiveTheGradientToTheFirstAsKeras(String padding, int p, int s, String c0, String c1) {
        MaxPooling1D pool = new MaxPooling1D(p).strides(s).padding(padding);
        Tensor x = Tensor.of(new float[] {1, 5, 1, 5, 1, 2, 0, 5, 3, 5, 3, 5, 3, 1}, 1, 7, 2);
        pool.build(List.of(new int[] {7, 2}));
        try (var in = dev.jrnn.backend.DTensor.from(pool.backend(), x); Trace t = pool.forward(List.of(in), null, true)) {
            int[] shape = t.outputs().get(0).shape();
            float[] ones = new float[shape[1] * shape[2]];
            java.util.Arrays.fill(ones, 1f);
            try (var dy = dev.jrnn.backend.DTensor.from(pool.backend(), Tensor.of(ones, shape))) {
                String[] a = c0.split(", "), b = c1.split(", ");
                float[] want = new float[14];
                for (int i = 0; i < 7; i++) {
                    want[2 * i] = Float.parseFloat(a[i]);
                    want[2 * i + 1] = Float.parseFloat(b[i]);
                }
                assertArrayEquals(want, t.backward(List.of(dy)).get(0).toTensor().data());
            }
        }
    }

    @Test
    void kerasShapesSavesAndLoads(@TempDir Path dir) throws Exception {
        Jrnn.clearSession();
        MaxPooling1D pool = new MaxPooling1D(2).padding("same");
        assertEquals("max_pooling1d", pool.name());
        Sequential m = new Sequential(new Conv1D(4, 3).activation("relu").inputShape(9, 2), pool, new LSTM(3));
        assertArrayEquals(new int[] {4, 4}, pool.outputShapes().get(0));
        Path f = dir.resolve("m.keras");
        m.save(f);
        Tensor x = LayerCheck.rand(new SplittableRandom(3), 1, 2, 9, 2);
        try (Model back = Models.load(f)) {
            assertArrayEquals(m.predict(x).data(), back.predict(x).data(), 0f);
            MaxPooling1D b = (MaxPooling1D) back.getLayer(1);
            assertEquals(2, b.strides());
            assertEquals("same", b.padding());
        }
        assertEquals("MaxPooling1D: poolSize must be positive, got -2",
                assertThrows(IllegalArgumentException.class, () -> new MaxPooling1D(-2)).getMessage());
    }

    /**
     * A "same" window past the int range (the padded length overflowed) is refused naming the layer and the padding
     * (was: "cpu alloc: size must be >= 0, got -2147483645" from the backend); the pooling layers share Windows1D.
     */
    @Test
    void paddingPastTheIntRangeIsRefusedNamingTheLayer() {
        Tensor x = Tensor.full(1f, 1, 5, 1);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new MaxPooling1D(Integer.MAX_VALUE).name("p").strides(1).padding("same").call(x));
        assertEquals("p: input (1, 5, 1) padded to 2147483651 steps (windows of 2147483647 steps, strides 1, padding \"same\")"
                + " is too large for one call", e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> new AveragePooling1D(Integer.MAX_VALUE).name("a").padding("same").call(x));
        assertEquals("a: input (1, 5, 1) padded to 2147483647 steps (windows of 2147483647 steps, strides 2147483647, padding"
                + " \"same\") is too large for one call", e.getMessage());
    }
}
