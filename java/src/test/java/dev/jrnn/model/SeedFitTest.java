package dev.jrnn.model;

import dev.jrnn.Jrnn;
import dev.jrnn.layers.Dense;
import dev.jrnn.layers.LSTM;
import dev.jrnn.layers.SimpleRNN;
import dev.jrnn.optim.Adam;
import dev.jrnn.tensor.Tensor;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The seed notebooks' training runs: many-to-one on [1,2,3] -> 4 and a sine-wave forecaster. */
class SeedFitTest {
    @BeforeAll
    static void cpu() {
        Jrnn.setBackend("cpu");
    }

    @BeforeEach
    void fresh() {
        Jrnn.clearSession();
    }

    /** Windows [i, i+1, i+2] -> i+3 for i = 1..n. */
    static Tensor[] countingData(int n) {
        float[][][] x = new float[n][3][1];
        float[][] y = new float[n][1];
        for (int i = 0; i < n; i++) {
            for (int t = 0; t < 3; t++) x[i][t][0] = i + 1 + t;
            y[i][0] = i + 4;
        }
        return new Tensor[] {Tensor.of(x), Tensor.of(y)};
    }

    @Test
    void manyToOnePredictsFour() {
        Jrnn.setSeed(4);
        Tensor[] d = countingData(10);   // [1,2,3]->4 ... [10,11,12]->13
        Sequential model = new Sequential();
        model.add(new SimpleRNN(10).inputShape(3, 1));
        model.add(new Dense(1));
        model.compile("adam", "mse");
        History h = model.fit(d[0], d[1], new FitOptions().epochs(100).batchSize(1).verbose(0));
        assertEquals(100, h.get("loss").size());
        float p = model.predict(Tensor.of(new float[][][] {{{1}, {2}, {3}}})).get(0, 0);
        assertEquals(4.0, p, 0.3, "predict [1,2,3], final loss " + h.last("loss"));
    }

    @Test
    void sineForecasterLossDropsTenfold() {
        Jrnn.setSeed(7);
        int n = 64, T = 10;
        float[][][] x = new float[n][T][1];
        float[][] y = new float[n][1];
        for (int i = 0; i < n; i++) {
            for (int t = 0; t < T; t++) x[i][t][0] = (float) Math.sin(0.3 * (i + t));
            y[i][0] = (float) Math.sin(0.3 * (i + T));
        }
        Model model = new Sequential(new LSTM(16).inputShape(T, 1), new Dense(1));
        model.compile(new Adam(0.01), "mse");
        History h = model.fit(Tensor.of(x), Tensor.of(y), new FitOptions().epochs(40).batchSize(16).verbose(0).seed(3));
        double first = h.get("loss").get(0), last = h.last("loss");
        assertTrue(last * 10 < first, "loss " + first + " -> " + last);
    }
}
