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
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** Keras' Normalization: its docstring examples, adapt against a float64 two-pass reference, the input gradient, a model. */
class NormalizationTest {
    @BeforeAll
    static void cpu() { Jrnn.setBackend("cpu"); }

    private static final Tensor ADAPT = Tensor.wrap(new float[] {0, 7, 4, 2, 9, 6, 0, 7, 4, 2, 9, 6}, 4, 3);

    private static float[] call(Layer l, Tensor x) {
        Backend be = Jrnn.backend();
        try (DTensor d = DTensor.from(be, x); Trace t = l.forward(List.of(d), null, false)) {
            return t.outputs().get(0).toTensor().data();
        }
    }

    /** Keras' docstring: adapted per feature, [[0, 7, 4]] normalizes to [-1, -1, -1]; inverted, [[1, 2, 3]] gives [2, 10, 8]. */
    @Test
    void kerasDocstringExamples() {
        Normalization n = new Normalization().adapt(ADAPT);
        assertArrayEquals(new float[] {1, 8, 5}, n.getWeights().get(0).data());
        assertArrayEquals(new float[] {1, 1, 1}, n.getWeights().get(1).data());
        assertArrayEquals(new float[] {-1, -1, -1}, call(n, Tensor.wrap(new float[] {0, 7, 4}, 1, 3)), 1e-6f);
        Normalization inv = new Normalization().invert(true).adapt(ADAPT);
        assertArrayEquals(new float[] {2, 10, 8}, call(inv, Tensor.wrap(new float[] {1, 2, 3}, 1, 3)), 1e-6f);
    }

    /** Random (n, T, f) data: mean and population variance over every axis but the last, as np.mean / np.var; a Dataset merges its batches to the same. */
    @Test
    void adaptMatchesATwoPassReferenceForTensorsAndDatasets() throws IOException {
        SplittableRandom r = new SplittableRandom(3);
        int n = 10, t = 4, f = 3;
        float[] d = new float[n * t * f];
        for (int i = 0; i < d.length; i++) d[i] = (float) (r.nextDouble(-2, 2) * (1 + i % f) + 5 * (i % f));
        Tensor x = Tensor.wrap(d, n, t, f);
        double[] mean = new double[f], var = new double[f];
        for (int i = 0; i < d.length; i++) mean[i % f] += d[i];
        for (int j = 0; j < f; j++) mean[j] /= n * t;
        for (int i = 0; i < d.length; i++) var[i % f] += (d[i] - mean[i % f]) * (d[i] - mean[i % f]);
        for (int j = 0; j < f; j++) var[j] /= n * t;
        Normalization a = new Normalization().adapt(x);
        Normalization b = new Normalization().adapt(Dataset.fromTensors(x, null).batch(3));
        for (Normalization l : List.of(a, b)) {
            for (int j = 0; j < f; j++) {
                assertEquals(mean[j], l.getWeights().get(0).data()[j], 1e-5 * Math.abs(mean[j]) + 1e-6);
                assertEquals(var[j], l.getWeights().get(1).data()[j], 1e-5 * var[j]);
            }
            assertEquals(0f, l.getWeights().get(2).data()[0], "count stays 0, as Keras' adapt leaves it");
            float[] y = call(l, x);
            for (int i = 0; i < d.length; i++) assertEquals((d[i] - mean[i % f]) / Math.sqrt(var[i % f]), y[i], 2e-5, "y[" + i + "]");
        }
    }

    /** A constant feature divides by Keras' epsilon 1e-7 (max(sqrt(0), 1e-7)); the input gradient is dy / std. */
    @Test
    void aConstantFeatureDividesByEpsilonAndTheGradientIsDyOverStd() {
        Normalization l = new Normalization().adapt(Tensor.wrap(new float[] {1, 0, 1, 4}, 2, 2));   // feature 0 constant 1; feature 1 mean 2, var 4
        assertArrayEquals(new float[] {5e6f, -1}, call(l, Tensor.wrap(new float[] {1.5f, 0}, 1, 2)), 1e-6f * 5e6f);
        Backend be = Jrnn.backend();
        try (DTensor x = DTensor.from(be, Tensor.wrap(new float[] {3, 4}, 1, 2)); Trace t = l.forward(List.of(x), null, true);
             DTensor dy = DTensor.from(be, Tensor.wrap(new float[] {1e-7f, 6}, 1, 2))) {
            assertArrayEquals(new float[] {1, 3}, t.backward(List.of(dy)).get(0).toTensor().data(), 1e-6f);
        }
    }

    /** In a model the statistics are weights that do not train, and a fit leaves them as adapted. */
    @Test
    void inAModelItsWeightsDoNotTrain() {
        SplittableRandom r = new SplittableRandom(4);
        float[] d = new float[8 * 5 * 2], y = new float[8];
        for (int i = 0; i < d.length; i++) d[i] = (float) r.nextDouble(10, 20);
        for (int i = 0; i < y.length; i++) y[i] = (float) r.nextDouble();
        Tensor x = Tensor.wrap(d, 8, 5, 2);
        Normalization norm = new Normalization().adapt(x);
        float[] before = norm.getWeights().get(0).data().clone();
        Sequential m = new Sequential(norm.inputShape(5, 2), new LSTM(3), new Dense(1));
        m.compile("adam", "mse");
        assertEquals(false, norm.params().stream().anyMatch(Param::trainable), "no weight of it trains");
        m.fit(x, Tensor.wrap(y, 8, 1), new FitOptions().epochs(2).batchSize(4).verbose(0));
        assertArrayEquals(before, norm.getWeights().get(0).data());
    }

    @Test
    void refusals() {
        Normalization l = new Normalization().adapt(ADAPT);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> l.adapt(Tensor.zeros(2, 4)));
        assertEquals(l.name() + ".adapt: data has 4 features, the layer was built for 3 ((2, 4))", e.getMessage());
        Normalization fresh = new Normalization();
        e = assertThrows(IllegalArgumentException.class, () -> fresh.adapt(Tensor.zeros(5)));
        assertEquals(fresh.name() + ".adapt: data should be (batch, ..., features), got (5,)", e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> fresh.adapt((Tensor) null));
        assertEquals(fresh.name() + ".adapt: data is null", e.getMessage());
        IllegalStateException s = assertThrows(IllegalStateException.class, () -> l.invert(true));
        assertEquals(l.name() + ": invert must be set before the layer is built", s.getMessage());
    }
}
