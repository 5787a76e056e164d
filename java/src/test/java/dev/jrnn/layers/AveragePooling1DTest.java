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

class AveragePooling1DTest {
    @BeforeEach
    void seed() {
        Jrnn.setBackend("cpu");
        Jrnn.setSeed(5);
    }

    /** With strides 1 and "same" padding the time axis stays, yet the mask dies here (Keras 3's pooling does not support masking). */
    @Test
    void aMaskDoesNotPassEvenWhereTheTimeAxisStays() {
        LayerCheck.assertMaskEndsAt(() -> new AveragePooling1D(3).strides(1).padding("same"), 5, 2);
    }

    @ParameterizedTest(name = "{0} p={1} s={2} T={3}")
    @CsvSource({"valid,2,2,7", "valid,3,1,6", "valid,3,2,8", "valid,2,3,8", "valid,1,1,3", "same,2,2,7", "same,3,1,6",
            "same,4,1,6", "same,3,2,8", "same,4,3,7", "same,5,2,4"})
    void forwardAndGradientsMatchKerasDefinition(String padding, int p, int s, int T) {
        int B = 2, C = 3;
        AveragePooling1D pool = new AveragePooling1D(p).strides(s).padding(padding);
        Tensor x = LayerCheck.rand(new SplittableRandom(7), 1, B, T, C);
        LayerCheck.check(pool, List.of(x), null, new boolean[] {true}, v -> new double[][] {Ref.pool1d(B, T, C, p, s, padding, v[0], w -> java.util.Arrays.stream(w).average().orElseThrow())}, 2);
    }

    /** PyTorch's avg_pool1d (float64, count_include_pad=False, symmetric padding where TensorFlow's SAME is symmetric). */
    @ParameterizedTest(name = "{0} p={1} s={2}")
    @CsvSource(delimiter = ';', value = {
            "valid;3;1;5;0.07952408304, 0.2881124136, -0.1537674795, -0.2484882273, 0.2178001595, 0.1923635245, -0.2673701215, -0.1234651883, 0.299185741, 0.0463683173, -0.2736287173, 0.1822496345, 0.2266649933, -0.2406587074, -0.1646498944, 0.2830871722, 0.09170144732, -0.3067176254, -0.01266369265, 0.3099809195",
            "valid;2;2;3;-0.127770551, 0.03292506406, -0.1028806682, 0.09017500019, -0.05111783851, 0.1238707737, -0.04626269205, -0.113289493, -0.09963904086, -0.06816939113, -0.1269891721, -0.005243102164",
            "same;3;1;7;-0.127770551, 0.03292506406, 0.07952408304, 0.2881124136, -0.1537674795, -0.2484882273, 0.2178001595, 0.1923635245, -0.2673701215, -0.1234651883, 0.299185741, 0.0463683173, 0.01919770413, -0.1288178106, -0.04626269205, -0.113289493, -0.2736287173, 0.1822496345, 0.2266649933, -0.2406587074, -0.1646498944, 0.2830871722, 0.09170144732, -0.3067176254, -0.01266369265, 0.3099809195, 0.1283402618, -0.02782877009",
            "same;3;2;4;-0.127770551, 0.03292506406, -0.1537674795, -0.2484882273, -0.2673701215, -0.1234651883, 0.01919770413, -0.1288178106, -0.04626269205, -0.113289493, 0.2266649933, -0.2406587074, 0.09170144732, -0.3067176254, 0.1283402618, -0.02782877009",
    })
    void matchesPyTorchAvgPool1d(String padding, int p, int s, int out, String golden) {
        Ref.assertPoolsGolden(new AveragePooling1D(p).strides(s).padding(padding), out, golden);
    }

    @Test
    void kerasShapesSavesAndLoads(@TempDir Path dir) throws Exception {
        Jrnn.clearSession();
        AveragePooling1D pool = new AveragePooling1D(3);
        assertEquals("average_pooling1d", pool.name());
        assertEquals(3, pool.strides(), "strides default to poolSize, as Keras");
        Sequential m = new Sequential(new Conv1D(4, 2).inputShape(10, 2), pool, new LSTM(3));
        assertEquals(0, pool.countParams());
        assertArrayEquals(new int[] {3, 4}, pool.outputShapes().get(0));
        Path f = dir.resolve("m.keras");
        m.save(f);
        Tensor x = LayerCheck.rand(new SplittableRandom(3), 1, 2, 10, 2);
        try (Model back = Models.load(f)) {
            assertArrayEquals(m.predict(x).data(), back.predict(x).data(), 0f);
            AveragePooling1D b = (AveragePooling1D) back.getLayer(1);
            assertEquals(3, b.poolSize());
            assertEquals("valid", b.padding());
        }
    }

    @Test
    void badOptionsNameWhatCame() {
        assertEquals("AveragePooling1D: poolSize must be positive, got 0",
                assertThrows(IllegalArgumentException.class, () -> new AveragePooling1D(0)).getMessage());
        assertEquals("a: padding must be \"valid\" or \"same\", got \"causal\"",
                assertThrows(IllegalArgumentException.class, () -> new AveragePooling1D(2).name("a").padding("causal")).getMessage());
        assertEquals("a: 2 timesteps are fewer than poolSize 3 with padding \"valid\"",
                assertThrows(IllegalArgumentException.class, () -> new AveragePooling1D(3).name("a").call(Tensor.zeros(1, 2, 4))).getMessage());
    }
}
