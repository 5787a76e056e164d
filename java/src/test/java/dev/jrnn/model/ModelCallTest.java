package dev.jrnn.model;

import dev.jrnn.Jrnn;
import dev.jrnn.layers.BatchNormalization;
import dev.jrnn.layers.Dense;
import dev.jrnn.layers.Dropout;
import dev.jrnn.tensor.Tensor;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@link Evaluator#call(Tensor, boolean)}: Keras' {@code model(x, training=...)}, Monte Carlo dropout and batch moments. */
class ModelCallTest {
    @BeforeAll
    static void cpu() { Jrnn.setBackend("cpu"); }

    private static Tensor random(long seed, int... shape) {
        SplittableRandom r = new SplittableRandom(seed);
        float[] d = new float[(int) Tensor.size(shape)];
        for (int i = 0; i < d.length; i++) d[i] = (float) r.nextDouble(-1, 1);
        return Tensor.wrap(d, shape);
    }

    /**
     * Inference mode is predict bit for bit; training mode drops hidden units (draws differ), and the mean of many draws
     * converges to predict (inverted dropout keeps the expectation of a linear head): within 5 standard errors, the error
     * computed from the weights (variance of one draw: sum_j (w_j h_j)^2 for rate 0.5).
     */
    @Test
    void trainingModeDrawsDropoutWhoseMeanIsThePrediction() {
        Jrnn.setSeed(11);
        Sequential m = new Sequential(new Dense(6).activation("tanh").inputShape(3), new Dropout(0.5), new Dense(1));
        Tensor x = random(1, 2, 3);
        float[] p = m.predict(x).data();
        assertArrayEquals(p, m.call(x, false).data());
        float[] a = m.call(x, true).data(), b = m.call(x, true).data();
        assertFalse(Arrays.equals(a, b), "two training-mode calls draw different masks");
        assertFalse(Arrays.equals(a, p), "a training-mode call drops units");
        int n = 4000;
        double[] mean = new double[p.length];
        for (int i = 0; i < n; i++) {
            float[] y = m.call(x, true).data();
            for (int k = 0; k < p.length; k++) mean[k] += y[k] / n;
        }
        float[] w1 = m.getWeights().get(0).data(), b1 = m.getWeights().get(1).data(), w2 = m.getWeights().get(2).data();
        for (int s = 0; s < 2; s++) {
            double var = 0;
            for (int j = 0; j < 6; j++) {
                double h = b1[j];
                for (int i = 0; i < 3; i++) h += x.data()[s * 3 + i] * w1[i * 6 + j];
                h = Math.tanh(h);
                var += (w2[j] * h) * (w2[j] * h);
            }
            assertEquals(p[s], mean[s], 5 * Math.sqrt(var / n), "sample " + s);
        }
        assertArrayEquals(p, m.predict(x).data(), "the weights did not change");
    }

    /**
     * BatchNormalization in training mode normalizes with the batch's moments and moves its moving statistics
     * (Keras 3's call with training=True); in inference mode it uses the moving statistics.
     */
    @Test
    void batchNormalizationUsesTheBatchMomentsAndMovesItsStatistics() {
        Sequential m = new Sequential(new BatchNormalization().momentum(0.5).inputShape(2));
        Tensor x = Tensor.wrap(new float[] {1, 10, 3, 20, 5, 60}, 3, 2);
        float[] y = m.call(x, true).data();
        double[] mean = {3, 30}, var = {8 / 3.0, 1400 / 3.0};
        for (int i = 0; i < 6; i++) assertEquals((x.data()[i] - mean[i % 2]) / Math.sqrt(var[i % 2] + 1e-3), y[i], 1e-5, "y[" + i + "]");
        float[] moving = m.getWeights().get(2).data(), movingVar = m.getWeights().get(3).data();
        assertArrayEquals(new float[] {1.5f, 15f}, moving, 1e-5f);
        assertArrayEquals(new float[] {(float) (0.5 + var[0] / 2), (float) (0.5 + var[1] / 2)}, movingVar, 1e-3f);
        float[] inf = m.call(x, false).data();
        for (int i = 0; i < 6; i++) {
            assertEquals((x.data()[i] - moving[i % 2]) / Math.sqrt(movingVar[i % 2] + 1e-3), inf[i], 1e-5, "inference y[" + i + "]");
        }
    }

    /** Several outputs: callAll; call refuses them, pointing there. */
    @Test
    void severalOutputsGoThroughCallAll() {
        Input in = Input.shape(3);
        Model m = new Model(in, List.of(new Dense(2).apply(in), new Dense(1).apply(in)));
        Tensor x = random(2, 4, 3);
        List<Tensor> all = m.callAll(List.of(x), false), pred = m.predictAll(List.of(x), 32, null);
        for (int k = 0; k < 2; k++) assertArrayEquals(pred.get(k).data(), all.get(k).data());
        IllegalStateException e = org.junit.jupiter.api.Assertions.assertThrows(IllegalStateException.class, () -> m.call(x, true));
        assertTrue(e.getMessage().contains("callAll(List.of(x), training)"), e.getMessage());
    }
}
