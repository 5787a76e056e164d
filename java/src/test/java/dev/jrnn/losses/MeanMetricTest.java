package dev.jrnn.losses;

import dev.jrnn.Jrnn;
import dev.jrnn.layers.Dense;
import dev.jrnn.layers.Masking;
import dev.jrnn.layers.SimpleRNN;
import dev.jrnn.model.EarlyStopping;
import dev.jrnn.model.FitOptions;
import dev.jrnn.model.History;
import dev.jrnn.model.Model;
import dev.jrnn.model.Models;
import dev.jrnn.model.Sequential;
import dev.jrnn.optim.SGD;
import dev.jrnn.tensor.Tensor;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link MeanMetric}, Keras' compile(metrics=[my_fn]): a user's function per sample, averaged over the epoch as Keras'
 * MeanMetricWrapper; checked against the built-in metrics it can restate (mae over masked sequence steps, sparse categorical
 * accuracy) in fit and evaluate, over several batches.
 */
class MeanMetricTest {
    private static final MeanMetric MAE = MeanMetric.of("my_mae", (y, p) -> {
        double s = 0;
        for (int i = 0; i < y.length; i++) s += Math.abs(y[i] - p[i]);
        return s / y.length;
    });

    @BeforeEach
    void cpu() {
        Jrnn.setBackend("cpu");
        Jrnn.setSeed(2);
    }

    private static float[] rand(SplittableRandom r, int n) {
        float[] a = new float[n];
        for (int i = 0; i < n; i++) a[i] = (float) r.nextDouble(-1, 1);
        return a;
    }

    @Test
    void restatesMaeOverTheValidStepsOfAMaskedSequence() {
        SplittableRandom r = new SplittableRandom(4);
        float[] x = rand(r, 6 * 4 * 2), y = rand(r, 6 * 4 * 3);
        for (int i = 0; i < 6; i += 2) java.util.Arrays.fill(x, i * 8 + 4, i * 8 + 8, 0f);   // two masked steps every other sample
        Sequential m = new Sequential(new Masking(0).inputShape(4, 2), new SimpleRNN(3).returnSequences(true), new Dense(3));
        m.compile(new SGD(0), "mse", "mae", MAE);
        History h = m.fit(Tensor.of(x, 6, 4, 2), Tensor.of(y, 6, 4, 3), new FitOptions().epochs(1).batchSize(4).verbose(0).shuffle(false));
        assertEquals(h.get("mae").get(0), h.get("my_mae").get(0), 1e-6);
        Map<String, Double> e = m.evaluateAll(List.of(Tensor.of(x, 6, 4, 2)), List.of(Tensor.of(y, 6, 4, 3)), 4, null);
        assertEquals(e.get("mae"), e.get("my_mae"), 1e-6);
        assertFalse(MAE.higherIsBetter());
        assertFalse(MAE.directionGiven(), "Keras' function metrics have no direction: monitor mode auto goes by the name");
    }

    @Test
    void sparseTargetsGiveTheFunctionTheClassIndex() {
        SplittableRandom r = new SplittableRandom(5);
        float[] x = rand(r, 10 * 3 * 2), y = new float[10];
        for (int i = 0; i < 10; i++) y[i] = r.nextInt(4);
        MeanMetric acc = MeanMetric.of("my_acc", (t, p) -> {
            int best = 0;
            for (int i = 1; i < p.length; i++) if (p[i] > p[best]) best = i;
            return best == (int) t[0] ? 1 : 0;
        }).sparseTargets(true).higherIsBetter(true);
        Sequential m = new Sequential(new SimpleRNN(4).inputShape(3, 2), new Dense(4).activation("softmax"));
        m.compile("adam", "sparse_categorical_crossentropy", "sparse_categorical_accuracy", acc);
        History h = m.fit(Tensor.of(x, 10, 3, 2), Tensor.of(y, 10, 1), new FitOptions().epochs(3).batchSize(3).verbose(0)
                .validationData(Tensor.of(x, 10, 3, 2), Tensor.of(y, 10, 1)).callbacks(new EarlyStopping().monitor("val_my_acc").patience(5)));
        assertEquals(h.get("sparse_categorical_accuracy"), h.get("my_acc"));
        assertEquals(h.get("val_sparse_categorical_accuracy"), h.get("val_my_acc"));
        assertTrue(acc.higherIsBetter() && acc.sparse());
    }

    /** Keras keeps a function metric's name only: the file loads compiled, without that metric (a warning names it), as Keras without custom_objects. */
    @Test
    void aSavedModelLoadsWithoutTheFunction(@TempDir Path dir) throws Exception {
        Sequential m = new Sequential(new Dense(2).inputShape(3));
        // named as a built-in: the file must not hand back Keras' mae in its place (Keras writes it as a function of __main__)
        m.compile("adam", "mse", MeanMetric.of("mae", (y, p) -> 0));
        assertEquals(Map.of("module", "__main__", "class_name", "function", "config", "mae"),
                Map.of("module", "__main__", "class_name", "function", "config", ((Map<?, ?>) m.metricConfigs().get(0)).get("config")));
        assertEquals(null, ((Map<?, ?>) m.metricConfigs().get(0)).get("registered_name"));
        Path f = dir.resolve("m.keras");
        m.save(f);
        try (Model back = Models.load(f)) {
            assertEquals(List.of(), back.metricNames());
            Tensor x = Tensor.of(new float[] {1, 2, 3}, 1, 3);
            assertEquals(m.evaluate(x, Tensor.of(new float[] {0, 1}, 1, 2)), back.evaluate(x, Tensor.of(new float[] {0, 1}, 1, 2)), "compiled: the loss");
        }
    }

    /**
     * A metric class of the user's own keyed as a built-in ("mae", a running max error here) is written as a function of
     * __main__ too: it was written as the bare name, and the file came back with Keras' mae in its place, silently
     * (outside tester cust2: evaluate gave mae 0.7935 where the model's own metric gave 2.3074).
     */
    @Test
    void aUserMetricClassIsNotSavedAsTheBuiltInOfItsName(@TempDir Path dir) throws Exception {
        EpochMetric maxErr = new EpochMetric() {
            public String key() { return "mae"; }
            public boolean higherIsBetter() { return false; }
            public boolean usesMask() { return false; }
            public boolean suits(dev.jrnn.backend.Loss loss) { return true; }
            public boolean sparse() { return false; }
            public int stateSize(int cols) { return 1; }
            public void update(dev.jrnn.backend.Loss loss, int rows, int cols, float[] pred, float[] target, float[] weights, double[] state) {
                for (int i = 0; i < rows * cols; i++) state[0] = Math.max(state[0], Math.abs(pred[i] - target[i]));
            }
            public double[] result(double[] state, int cols) { return new double[] {state[0]}; }
        };
        Sequential m = new Sequential(new Dense(2).inputShape(3));
        m.compile("adam", "mse", maxErr);
        assertEquals("function", ((Map<?, ?>) m.metricConfigs().get(0)).get("class_name"));
        assertEquals("mae", ((Map<?, ?>) m.metricConfigs().get(0)).get("config"));
        Path f = dir.resolve("m.keras");
        m.save(f);
        try (Model back = Models.load(f)) {
            assertEquals(List.of(), back.metricNames(), "no built-in mae in the user's metric's place");
        }
        assertEquals("mae", Metric.MAE.serialize(), "the built-in keeps its name");
    }

    /** Keras' RootMeanSquaredError(name="rmse"): Metric.RMSE.named("rmse") logs "rmse" and "val_rmse", and a saved model keeps it. */
    @Test
    void aBuiltInMetricUnderANameOfTheUsers(@TempDir Path dir) throws Exception {
        SplittableRandom r = new SplittableRandom(8);
        float[] x = rand(r, 8 * 3 * 2), y = rand(r, 8);
        Sequential m = new Sequential(new SimpleRNN(3).inputShape(3, 2), new Dense(1));
        m.compile("adam", "mse", "root_mean_squared_error", Metric.RMSE.named("rmse"));
        History h = m.fit(Tensor.of(x, 8, 3, 2), Tensor.of(y, 8, 1), new FitOptions().epochs(2).batchSize(3).verbose(0)
                .validationData(Tensor.of(x, 8, 3, 2), Tensor.of(y, 8, 1)));
        assertEquals(h.get("root_mean_squared_error"), h.get("rmse"));
        assertEquals(h.get("val_root_mean_squared_error"), h.get("val_rmse"));
        Path f = dir.resolve("m.keras");
        m.save(f);
        try (Model back = Models.load(f)) {
            assertEquals(List.of("root_mean_squared_error", "rmse"), back.metricNames());
        }
    }
}
