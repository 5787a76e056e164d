package dev.jrnn.layers;

import dev.jrnn.Jrnn;
import dev.jrnn.backend.DTensor;
import dev.jrnn.tensor.Tensor;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/** {@link Masking}: the mask of all-mask-value steps, its gradient, and a recurrent layer fed by it. */
class MaskingTest {
    @BeforeAll
    static void cpu() {
        Jrnn.setBackend("cpu");
        Jrnn.setSeed(13);
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
}
