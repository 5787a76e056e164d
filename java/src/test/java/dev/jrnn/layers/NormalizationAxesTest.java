package dev.jrnn.layers;

import dev.jrnn.Jrnn;
import dev.jrnn.backend.Backend;
import dev.jrnn.backend.DTensor;
import dev.jrnn.data.Dataset;
import dev.jrnn.model.FitOptions;
import dev.jrnn.model.Sequential;
import dev.jrnn.tensor.Tensor;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Keras' Normalization with other axes (a tuple of kept axes, None) and constant mean / variance: Keras' docstring
 * examples, and numpy's mean / var over the reduced axes (np.mean(x, axis=reduced), the outputs (x - m) / sqrt(v) and
 * m + x * sqrt(v)) as golden values.
 */
class NormalizationAxesTest {
    @BeforeAll
    static void cpu() { Jrnn.setBackend("cpu"); }

    /** x[i] = (7i mod 11) + i / 2 as (2, 3, 4); XIN = x[:1] / 2 + 1. */
    private static final Tensor X = Tensor.wrap(new float[] {0f, 7.5f, 4f, 11.5f, 8f, 4.5f, 12f, 8.5f, 5f, 12.5f, 9f, 5.5f, 13f, 9.5f, 17f,
            13.5f, 10f, 17.5f, 14f, 10.5f, 18f, 14.5f, 11f, 18.5f}, 2, 3, 4);
    private static final Tensor XIN = Tensor.wrap(new float[] {1f, 4.75f, 3f, 6.75f, 5f, 3.25f, 7f, 5.25f, 3.5f, 7.25f, 5.5f, 3.75f}, 1, 3, 4);

    private static float[] call(Layer l, Tensor x) {
        Backend be = Jrnn.backend();
        try (DTensor d = DTensor.from(be, x); Trace t = l.forward(List.of(d), null, false)) {
            return t.outputs().get(0).toTensor().data();
        }
    }

    private static void close(float[] want, float[] got) {
        for (int i = 0; i < want.length; i++) assertEquals(want[i], got[i], 2e-6 * (1 + Math.abs(want[i])), "element " + i);
    }

    /** Each axis setting: numpy's statistics (the weights' shape as Keras') and its normalized and inverted outputs. */
    @Test
    void keptAxesMatchNumpy() throws IOException {
        Object[][] cases = {
                {new int[] {1, 2}, new int[] {3, 4},
                        new float[] {6.5f, 8.5f, 10.5f, 12.5f, 9f, 11f, 13f, 9.5f, 11.5f, 13.5f, 10f, 12f},
                        new float[] {42.25f, 1f, 42.25f, 1f, 1f, 42.25f, 1f, 1f, 42.25f, 1f, 1f, 42.25f},
                        new float[] {-0.8461539f, -3.75f, -1.153846f, -5.75f, -4f, -1.192308f, -6f, -4.25f, -1.230769f, -6.25f, -4.5f, -1.269231f},
                        new float[] {13f, 13.25f, 30f, 19.25f, 14f, 32.125f, 20f, 14.75f, 34.25f, 20.75f, 15.5f, 36.375f}},
                {new int[] {1}, new int[] {3}, new float[] {9.5f, 10.625f, 11.75f}, new float[] {26.625f, 13.73438f, 23.1875f},
                        new float[] {-1.647305f, -0.920553f, -1.259704f, -0.5329517f, -1.517812f, -1.990021f, -0.9781457f, -1.450354f,
                                -1.713275f, -0.9345134f, -1.297935f, -1.661357f},
                        new float[] {14.65994f, 34.00972f, 24.97983f, 44.32961f, 29.15496f, 22.66947f, 36.56694f, 30.08146f, 28.60369f,
                                46.66122f, 38.23437f, 29.80753f}},
                {new int[] {}, new int[] {1}, new float[] {10.625f}, new float[] {22.02604f},
                        new float[] {-2.050843f, -1.251814f, -1.624694f, -0.8256642f, -1.198545f, -1.571426f, -0.7723956f, -1.145276f,
                                -1.518157f, -0.7191269f, -1.092008f, -1.464888f},
                        new float[] {15.31819f, 32.91766f, 24.70457f, 42.30404f, 34.09095f, 25.87787f, 43.47734f, 35.26425f, 27.05117f,
                                44.65063f, 36.43755f, 28.22447f}},
                {new int[] {2}, new int[] {4}, new float[] {9f, 11f, 11.16667f, 11.33333f}, new float[] {32.66667f, 18.91667f, 16.47222f, 16.47222f},
                        new float[] {-1.399708f, -1.437003f, -2.012189f, -1.12929f, -0.6998542f, -1.781884f, -1.026627f, -1.498875f,
                                -0.9622995f, -0.8622019f, -1.396213f, -1.868461f},
                        new float[] {14.71548f, 31.65932f, 23.34246f, 38.72887f, 37.57738f, 25.13532f, 39.57685f, 32.64098f, 29.00417f,
                                42.53264f, 33.48896f, 26.55308f}},
        };
        for (Object[] c : cases) {
            int[] axis = (int[]) c[0];
            String what = "axis " + java.util.Arrays.toString(axis);
            for (boolean inv : new boolean[] {false, true}) {
                for (boolean dataset : new boolean[] {false, true}) {
                    Normalization n = axis.length == 0 ? new Normalization().axisNone() : new Normalization().axis(axis);
                    n.invert(inv);
                    if (dataset) n.adapt(Dataset.fromTensors(X, null).batch(1));   // two batches merged
                    else n.adapt(X);
                    assertArrayEquals((int[]) c[1], n.getWeights().get(0).shape(), what);
                    close((float[]) c[2], n.getWeights().get(0).data());
                    close((float[]) c[3], n.getWeights().get(1).data());
                    close((float[]) c[inv ? 5 : 4], call(n, XIN));
                }
            }
        }
    }

    /** A rank-4 input kept on axes (1, 3): statistics (2, 2) over axes 0 and 2, as numpy; the input gradient is dy / std. */
    @Test
    void mixedKeptAxesOfARank4Input() {
        Tensor x = Tensor.wrap(new float[] {0f, 7.25f, 4f, 0.75f, 8f, 4.75f, 1.5f, -1.75f, 5.5f, 2.25f, -1f, 6.25f, 3f, -0.25f, -3.5f, 3.75f,
                0.5f, -2.75f, 4.5f, 1.25f, -2f, -5.25f, 2f, -1.25f}, 2, 2, 3, 2);
        Normalization n = new Normalization().axis(3, 1).adapt(x);
        assertArrayEquals(new int[] {2, 2}, n.getWeights().get(0).shape());
        close(new float[] {2f, 2.25f, 1.75f, 0.25f}, n.getWeights().get(0).data());
        close(new float[] {12.91667f, 11.16667f, 7.229167f, 12.91667f}, n.getWeights().get(1).data());
        close(new float[] {-0.5564867f, 1.496264f, 0.5564867f, -0.4488792f, 1.66946f, 0.748132f, -0.09298136f, -0.5564867f, 1.39472f,
                0.5564867f, -1.022795f, 1.66946f, 0.2782433f, -0.748132f, -1.530338f, 0.4488792f, -0.417365f, -1.496264f, 1.022795f,
                0.2782433f, -1.39472f, -1.530338f, 0.09298136f, -0.417365f}, call(n, x));
        Backend be = Jrnn.backend();
        float[] ones = new float[24];
        java.util.Arrays.fill(ones, 1f);
        try (DTensor d = DTensor.from(be, x); Trace t = n.forward(List.of(d), null, true); DTensor dy = DTensor.from(be, Tensor.wrap(ones, 2, 2, 3, 2))) {
            float[] dx = t.backward(List.of(dy)).get(0).toTensor().data();
            float[] v = n.getWeights().get(1).data();
            for (int i = 0; i < 24; i++) {
                int k = ((i / 6) % 2) * 2 + i % 2;   // (axis 1, axis 3) of element i
                assertEquals(1 / Math.sqrt(v[k]), dx[i], 1e-6, "dx[" + i + "]");
            }
        }
    }

    /** Keras' docstring: axis=None adapted to [1..5] maps [1, 2, 3] to [-1.4142135, -0.70710677, 0]; weights are scalars (1). */
    @Test
    void docstringAxisNone() {
        Normalization n = new Normalization().axisNone().adapt(Tensor.wrap(new float[] {1, 2, 3, 4, 5}, 5, 1));
        assertArrayEquals(new int[] {1}, n.getWeights().get(0).shape());
        assertArrayEquals(new float[] {-1.4142135f, -0.70710677f, 0f}, call(n, Tensor.wrap(new float[] {1, 2, 3}, 3, 1)), 1e-6f);
    }

    /** Keras' docstring: mean=3., variance=2. gives [[-1.4142135], [-0.70710677], [0]]; no weights, adapt refused, as Keras. */
    @Test
    void docstringConstants() {
        Normalization n = new Normalization().meanAndVariance(3, 2);
        assertArrayEquals(new float[] {-1.4142135f, -0.70710677f, 0f}, call(n, Tensor.wrap(new float[] {1, 2, 3}, 3, 1)), 1e-6f);
        assertTrue(n.params().isEmpty() && n.getWeights().isEmpty(), "constants are no weights");
        assertTrue(n.constantsAreScalars());
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> n.adapt(Tensor.zeros(2, 1)));
        assertTrue(e.getMessage().contains("constant mean and variance"), e.getMessage());
        assertNull(new Normalization().constantMean());
    }

    /** Constants broadcast as Keras: lined up with the kept axes from the right (numpy with the mean reshaped to them). */
    @Test
    void constantsBroadcastToTheKeptAxes() {
        Normalization steps = new Normalization().axis(1).meanAndVariance(Tensor.wrap(new float[] {1, 2, 3}, 3), Tensor.wrap(new float[] {4, 1, 0.25f}, 3));
        close(new float[] {0f, 1.875f, 1f, 2.875f, 3f, 1.25f, 5f, 3.25f, 1f, 8.5f, 5f, 1.5f}, call(steps, XIN));
        Normalization features = new Normalization().axis(1, 2).meanAndVariance(Tensor.wrap(new float[] {1, 2, 3, 4}, 4),
                Tensor.wrap(new float[] {1, 4, 9, 16}, 4));
        close(new float[] {0f, 1.375f, 0f, 0.6875f, 4f, 0.625f, 1.333333f, 0.3125f, 2.5f, 2.625f, 0.8333333f, -0.0625f}, call(features, XIN));
        // a (3, 1) mean over kept (3, 4): one value per step, spread over the features
        Normalization rows = new Normalization().axis(1, 2).meanAndVariance(Tensor.wrap(new float[] {1, 2, 3}, 3, 1),
                Tensor.wrap(new float[] {4, 1, 0.25f}, 3, 1));
        close(new float[] {0f, 1.875f, 1f, 2.875f, 3f, 1.25f, 5f, 3.25f, 1f, 8.5f, 5f, 1.5f}, call(rows, XIN));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new Normalization().name("n").axis(1, 2)
                .meanAndVariance(Tensor.zeros(5), Tensor.zeros(5)).build(new int[] {3, 4}));
        assertEquals("n: mean of shape (5,) cannot be broadcast to the kept axes' shape (3, 4)", e.getMessage());
    }

    /** In a model: kept axes (1, 2) with (steps, features) weights that do not train; constants train nothing either. */
    @Test
    void inAModel() {
        Normalization norm = new Normalization().axis(1, 2).adapt(X);
        Sequential m = new Sequential(norm.inputShape(3, 4), new LSTM(2), new Dense(1));
        m.compile("adam", "mse");
        float[] before = norm.getWeights().get(0).data().clone();
        m.fit(X, Tensor.wrap(new float[] {0.5f, -0.5f}, 2, 1), new FitOptions().epochs(2).batchSize(1).verbose(0));
        assertArrayEquals(before, norm.getWeights().get(0).data());
        close(new float[] {-0.8461539f, -3.75f, -1.153846f, -5.75f}, java.util.Arrays.copyOf(call(norm, XIN), 4));
        Sequential c = new Sequential(new Normalization().meanAndVariance(3, 2).inputShape(3, 4), new Dense(1));
        c.compile("sgd", "mse");
        assertEquals(5, c.countParams());
    }
}
