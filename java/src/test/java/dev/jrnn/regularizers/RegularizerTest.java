package dev.jrnn.regularizers;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.jrnn.backend.Backend;
import dev.jrnn.backend.Backends;
import dev.jrnn.backend.Buf;

import java.util.Map;

import org.junit.jupiter.api.Test;

/** The penalty and gradient {@link Regularizer#apply} queues, against Keras' docstring values and hand sums. */
class RegularizerTest {
    private final Backend be = Backends.cpu();

    /** {penalty, gradient...} of {@code r} on {@code x} with {@code scale}, added to {@code start} and {@code grad0}. */
    private float[] run(Regularizer r, float[] x, float scale, float start, float grad0) {
        try (Buf xb = be.alloc(x.length); Buf out = be.alloc(1); Buf g = be.alloc(x.length)) {
            be.upload(x, 0, xb, 0, x.length);
            be.fill(out, 0, 1, start);
            be.fill(g, 0, x.length, grad0);
            r.apply(be, x.length, xb, 0, scale, out, 0, g, 0);
            float[] res = new float[1 + x.length];
            be.download(out, 0, res, 0, 1);
            be.download(g, 0, res, 1, x.length);
            return res;
        }
    }

    @Test
    void kerasDocstringL2OfOnesIsFifty() {
        float[] ones = new float[25];
        java.util.Arrays.fill(ones, 1f);
        assertEquals(50f, run(Regularizers.l2(2), ones, 1, 0, 0)[0], 1e-5);   // L2(2.)(ones((5, 5))) = 50.0
    }

    @Test
    void l1l2AddsPenaltyAndGradientScaled() {
        float[] x = {-2, 0, 0.5f, 3, 1e-37f};
        float[] got = run(Regularizers.l1l2(0.1, 0.2), x, 0.5f, 1f, 1f);
        double pen = 0;
        for (float v : x) pen += 0.1 * Math.abs(v) + 0.2 * v * v;
        assertEquals(1 + 0.5 * pen, got[0], 1e-5, "penalty added to what was there");
        for (int i = 0; i < x.length; i++) {
            double g = 1 + 0.5 * (0.1 * Math.signum(x[i]) + 0.4 * x[i]);   // sign(0) = 0; a tiny normal weight has sign 1
            assertEquals(g, got[1 + i], 1e-6, "gradient " + i);
        }
    }

    @Test
    void namesAndConfigsAreKeras3s() {
        assertEquals(Regularizers.l2(0.01), Regularizers.of("l2"));
        assertEquals(Regularizers.l1(0.01), Regularizers.of("L1"));
        assertEquals(Regularizers.l1l2(0, 0), Regularizers.of("L1L2"));
        assertEquals(Map.of("l2", 1e-4), Regularizers.l2(1e-4).kerasConfig());
        assertEquals(Map.of("l1", 0.0, "l2", 0.5), Regularizers.l1l2(0, 0.5).kerasConfig());
        assertArrayEquals(new Object[] {"l1"}, Regularizers.l1(3).kerasConfig().keySet().toArray());
    }
}
