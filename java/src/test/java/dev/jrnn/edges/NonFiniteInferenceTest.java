package dev.jrnn.edges;

import dev.jrnn.Jrnn;
import dev.jrnn.data.Dataset;
import dev.jrnn.layers.Dense;
import dev.jrnn.layers.LSTM;
import dev.jrnn.model.FitOptions;
import dev.jrnn.model.Sequential;
import dev.jrnn.tensor.Tensor;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * NaN or Inf in some rows of x at inference, as Keras 3 does: predict, predictOnBatch, predictAll, call and a layer's own
 * call give NaN (or Inf) for those rows and the others' outputs; evaluate and testOnBatch give a NaN loss and metrics
 * computed as Keras' (an all-NaN row's argmax is class 0). fit still refuses such x by default (FitOptions.checkFinite).
 * The goldens come from Keras 3.15.1 on JAX (KERAS_BACKEND=jax), with the same weights:
 * <pre>
 * def w(*shape, s=0.1):
 *     n = int(np.prod(shape)); return (np.sin(np.arange(n) * 0.7 + s) * 0.5).astype("float32").reshape(shape)
 * m = keras.Sequential([keras.Input((3,)), keras.layers.Dense(2), keras.layers.Dense(1)])
 * m.set_weights([w(3, 2), w(2, s=1), w(2, 1, s=2), w(1, s=3)]); m.compile("sgd", "mse", metrics=["mae"])
 * x = np.array([[1, 2, 3], [np.nan, 0, 0], [.5, .5, .5], [np.inf, 1, 1]], "float32"); y = np.array([[1], [2], [3], [4]], "float32")
 * m.predict(x)          # [1.1147373914718628, nan, 0.5775938630104065, inf], predict_on_batch the same
 * m.evaluate(x, y)      # {'loss': nan, 'mae': nan}, test_on_batch the same
 * m.evaluate(x[[0, 2]], y[[0, 2]])   # {'loss': 2.940608263015747, 'mae': 1.2685718536376953}
 * c = keras.Sequential([keras.Input((4, 2)), keras.layers.LSTM(3), keras.layers.Dense(3, activation="softmax")])
 * c.set_weights([w(2, 12), w(3, 12, s=1), w(12, s=2), w(3, 3, s=3), w(3, s=4)])
 * c.compile("sgd", "sparse_categorical_crossentropy", metrics=["accuracy"])
 * xs = np.sin(np.arange(24) * 0.3).astype("float32").reshape(3, 4, 2); xs[1, 2, 0] = np.nan
 * c.predict(xs)         # [0.3167056143283844, 0.31330251693725586, 0.36999186873435974, nan, nan, nan,
 *                       #  0.3280673623085022, 0.3099890649318695, 0.3619435429573059]; c(xs, training=False) the same
 * c.evaluate(xs, np.array([0, 1, 2]))   # {'accuracy': 0.3333333432674408, 'loss': nan}
 * c.evaluate(xs, np.array([0, 0, 2]))   # {'accuracy': 0.6666666865348816, 'loss': nan}
 * c.layers[0](xs)       # [-0.18852482736110687, 0.11648184061050415, 0.20119056105613708, nan, nan, nan,
 *                       #  -0.016940494999289513, 0.17908526957035065, 0.17437326908111572]
 * </pre>
 */
class NonFiniteInferenceTest {
    static final float NAN = Float.NaN, INF = Float.POSITIVE_INFINITY;
    static final Tensor X = Tensor.of(new float[][] {{1, 2, 3}, {NAN, 0, 0}, {.5f, .5f, .5f}, {INF, 1, 1}});
    static final Tensor Y = Tensor.of(new float[][] {{1}, {2}, {3}, {4}});
    static final float[] DENSE = {1.1147373914718628f, NAN, 0.5775938630104065f, INF};
    static final float[] LSTM_PREDICT = {0.3167056143283844f, 0.31330251693725586f, 0.36999186873435974f, NAN, NAN, NAN,
            0.3280673623085022f, 0.3099890649318695f, 0.3619435429573059f};
    static final float[] LSTM_LAYER = {-0.18852482736110687f, 0.11648184061050415f, 0.20119056105613708f, NAN, NAN, NAN,
            -0.016940494999289513f, 0.17908526957035065f, 0.17437326908111572f};

    /** Keras' test weights: sin(0.7 i + s) / 2. */
    static Tensor w(double s, int... shape) {
        int n = 1;
        for (int d : shape) n *= d;
        float[] f = new float[n];
        for (int i = 0; i < n; i++) f[i] = (float) (Math.sin(i * 0.7 + s) * 0.5);
        return Tensor.wrap(f, shape);
    }

    static Sequential dense() {
        Jrnn.setBackend("cpu");
        Sequential m = new Sequential(new Dense(2).inputShape(3), new Dense(1));
        m.setWeights(List.of(w(0.1, 3, 2), w(1, 2), w(2, 2, 1), w(3, 1)));
        m.compile("sgd", "mse", "mae");
        return m;
    }

    static Sequential lstm() {
        Jrnn.setBackend("cpu");
        Sequential c = new Sequential(new LSTM(3).inputShape(4, 2), new Dense(3).activation("softmax"));
        c.setWeights(List.of(w(0.1, 2, 12), w(1, 3, 12), w(2, 12), w(3, 3, 3), w(3 + 1, 3)));
        c.compile("sgd", "sparse_categorical_crossentropy", "accuracy");
        return c;
    }

    static Tensor lstmX() {
        float[] xs = new float[24];
        for (int i = 0; i < 24; i++) xs[i] = (float) Math.sin(i * 0.3);
        xs[8 + 2 * 2] = NAN;   // sample 1, step 2, feature 0
        return Tensor.wrap(xs, 3, 4, 2);
    }

    static void near(float[] want, float[] got, String what) {
        assertEquals(want.length, got.length, what);
        for (int i = 0; i < want.length; i++) {
            if (Float.isNaN(want[i]) || Float.isInfinite(want[i])) assertEquals(want[i], got[i], what + " [" + i + "]");
            else assertEquals(want[i], got[i], 1e-6 * Math.max(1, Math.abs(want[i])), what + " [" + i + "]");
        }
    }

    @Test
    void predictGivesNaNForTheBadRowsAndTheOthersAsKeras() throws IOException {
        try (Sequential m = dense()) {
            near(DENSE, m.predict(X).data(), "predict");
            near(DENSE, m.predict(X, 1).data(), "predict, batches of 1");
            near(DENSE, m.predictOnBatch(X).data(), "predictOnBatch");
            near(DENSE, m.predictAll(List.of(X)).get(0).data(), "predictAll");
            near(DENSE, m.call(X, false).data(), "call");
            near(DENSE, m.predictAll(Dataset.fromTensors(X, Y).batch(3), 2).get(0).data(), "predictAll(Dataset)");
        }
        try (Sequential c = lstm()) {
            near(LSTM_PREDICT, c.predict(lstmX()).data(), "LSTM predict");
            near(LSTM_PREDICT, c.call(lstmX(), false).data(), "LSTM model call");
            near(LSTM_LAYER, c.layers().get(0).call(lstmX()).data(), "LSTM layer call");
        }
    }

    /**
     * A NaN row through relu stays NaN at every width (Keras 3.15.1: nan): the CPU's scalar tail past the last full
     * vector made it 0, so the row came out a finite, wrong score (Dense(3, relu) -> Dense(1): 0.0 where Keras gives nan).
     */
    @Test
    void aNaNRowThroughReluStaysNaN() {
        for (int units : new int[] {1, 3, 17}) {
            try (Sequential m = new Sequential(new Dense(units).activation("relu").inputShape(2), new Dense(1))) {
                float[] y = m.predict(Tensor.of(new float[][] {{Float.NaN, 1}, {0.5f, -1}})).data();
                assertTrue(Float.isNaN(y[0]), units + " units: " + y[0]);
                assertTrue(Float.isFinite(y[1]), units + " units: the other row");
            }
        }
        try (Sequential m = new Sequential(new dev.jrnn.layers.SimpleRNN(3).activation("relu").inputShape(2, 2))) {
            float[] y = m.predict(Tensor.of(new float[] {Float.NaN, 1, 0.5f, 0.5f, 1, 1, 0.5f, 0.5f}, 2, 2, 2)).data();
            for (int j = 0; j < 3; j++) assertTrue(Float.isNaN(y[j]), "SimpleRNN(relu) row 0 unit " + j + ": " + y[j]);
        }
    }

    @Test
    void evaluateGivesANaNLossAsKeras() throws IOException {
        try (Sequential m = dense()) {
            Map<String, Double> e = m.evaluateAll(List.of(X), List.of(Y));
            assertTrue(Double.isNaN(e.get("loss")) && Double.isNaN(e.get("mae")), e.toString());
            assertTrue(Double.isNaN(m.evaluate(X, Y)));
            assertTrue(Double.isNaN(m.testOnBatch(X, Y)));
            Map<String, Double> d = m.evaluateAll(Dataset.fromTensors(X, Y).batch(2));
            assertTrue(Double.isNaN(d.get("loss")) && Double.isNaN(d.get("mae")), d.toString());
            // the weights are Keras': the finite rows alone
            Map<String, Double> fine = m.evaluateAll(List.of(Tensor.of(new float[][] {{1, 2, 3}, {.5f, .5f, .5f}})),
                    List.of(Tensor.of(new float[][] {{1}, {3}})));
            assertEquals(2.940608263015747, fine.get("loss"), 1e-6);
            assertEquals(1.2685718536376953, fine.get("mae"), 1e-6);
        }
        try (Sequential c = lstm()) {
            Map<String, Double> e = c.evaluateAll(List.of(lstmX()), List.of(Tensor.of(new float[] {0, 1, 2}, 3)));
            assertTrue(Double.isNaN(e.get("loss")), e.toString());
            assertEquals(0.3333333432674408, e.get("accuracy"), 1e-7);
            // an all-NaN row's argmax is class 0, as jax.numpy's
            assertEquals(0.6666666865348816, c.evaluateAll(List.of(lstmX()), List.of(Tensor.of(new float[] {0, 0, 2}, 3))).get("accuracy"), 1e-7);
        }
    }

    @Test
    void fitStillRefusesNonFiniteXByDefault() {
        try (Sequential m = dense()) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> m.fit(X, Y, new FitOptions().epochs(1).verbose(0)));
            assertEquals(m.name() + ".fit: x holds NaN at (1, 0)", e.getMessage());
        }
    }
}
