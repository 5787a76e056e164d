package dev.jrnn.model;

import dev.jrnn.Jrnn;
import dev.jrnn.layers.Dense;
import dev.jrnn.losses.MeanMetric;
import dev.jrnn.tensor.Tensor;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Monitor mode "auto" as Keras 3.15.1's MonitorCallback._set_monitor_op, checked with real Keras 3.15.1 (jax): a Dense
 * model compiled with metrics ["accuracy"] and fit with validation_split refuses EarlyStopping, ReduceLROnPlateau and
 * ModelCheckpoint (save_best_only or not) monitoring "val_acc" with a ValueError ("Keras isn't able to automatically
 * determine whether that metric should be maximized or minimized. Pass mode='max' ... or mode='min'"), likewise
 * ReduceLROnPlateau on "learning_rate" and a custom function metric; it accepts "val_accuracy", "val_mae", "val_mse",
 * "val_mean_absolute_error", "val_loss", "val_acc" with mode max or min, and any monitor with epochs=0. Keras refuses at
 * the first epoch's end (after its updates); jrnn refuses when fit starts, the model as it was.
 */
class MonitorDirectionTest {
    private final Tensor x = Tensor.of(new float[] {0.1f, -0.4f, 0.3f, 0.9f, -0.2f, 0.5f, -0.7f, 0.2f, 0.6f, -0.3f, 0.8f, -0.1f,
            0.4f, 0.7f, -0.6f, 0.2f, -0.9f, 0.3f, 0.5f, -0.5f, 0.1f, 0.6f, 0.0f, -0.8f}, 8, 3);
    private final Tensor y = Tensor.of(new float[] {1, 0, 1, 1, 0, 0, 1, 0}, 8, 1);

    @TempDir
    Path dir;

    @BeforeEach
    void seed() {
        Jrnn.setBackend("cpu");
        Jrnn.clearSession();
        Jrnn.setSeed(3);
    }

    private Sequential model(Object... metrics) {
        Sequential m = new Sequential(new Dense(1).activation("sigmoid").inputShape(3));
        m.compile("sgd", "mse", metrics);
        return m;
    }

    private History fit(Sequential m, int epochs, Callback cb) {
        return m.fit(x, y, new FitOptions().epochs(epochs).batchSize(4).verbose(0).validationSplit(0.25).callbacks(cb));
    }

    @Test
    void anUnplacedMonitorIsRefusedBeforeTrainingAsKeras3() {
        List<Supplier<Callback>> refused = List.of(
                () -> new EarlyStopping().monitor("val_acc"),
                () -> new ReduceLROnPlateau().monitor("val_acc"),
                () -> new ModelCheckpoint(dir.resolve("m.keras").toString()).monitor("val_acc"),
                () -> new ModelCheckpoint(dir.resolve("b.keras").toString()).monitor("val_acc").saveBestOnly(true));
        for (Supplier<Callback> s : refused) {
            Callback cb = s.get();
            String who = cb.getClass().getSimpleName();
            Sequential m = model("accuracy");
            float[] before = m.getWeights().get(0).toArray();
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> fit(m, 2, cb), who);
            assertEquals(who + ": mode \"auto\" cannot tell whether monitor 'val_acc' should go up or down: it is not the loss and no"
                    + " compiled metric logs 'acc' (the epochs log [accuracy, " + (cb instanceof ReduceLROnPlateau ? "learning_rate, " : "")
                    + "loss, val_accuracy, val_loss]); Keras 3 refuses it too. Pass mode(\"max\") to keep the highest value or"
                    + " mode(\"min\") to keep the lowest, or monitor a name the epochs log", e.getMessage());
            assertEquals(0, m.optimizer().iterations(), who + ": no step ran");
            assertArrayEquals(before, m.getWeights().get(0).toArray(), who);
            assertFalse(java.nio.file.Files.exists(dir.resolve("m.keras")) || java.nio.file.Files.exists(dir.resolve("b.keras")), who);
        }
        // the rate it adds to the logs, and a function metric without a direction: refused by Keras 3.15.1 too
        Sequential m = model("accuracy");
        assertTrue(assertThrows(IllegalArgumentException.class, () -> fit(m, 1, new ReduceLROnPlateau().monitor("learning_rate")))
                .getMessage().contains("monitor 'learning_rate'"));
        Sequential f = model(MeanMetric.of("myf", (t, p) -> p[0]));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> fit(f, 1, new EarlyStopping().monitor("val_myf")))
                .getMessage().contains("the metric logged as 'myf' has no direction"));
        // "acc" in its name tells nothing (MeanMetric's Javadoc said mode "auto" then maximised it): Keras 3.15.1 refuses it
        Sequential acc = model(MeanMetric.of("my_acc", (t, p) -> p[0]));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> fit(acc, 1, new EarlyStopping().monitor("val_my_acc")))
                .getMessage().contains("the metric logged as 'my_acc' has no direction"));
        Sequential tp = model("true_positives");   // Keras' TruePositives has no _direction
        assertTrue(assertThrows(IllegalArgumentException.class, () -> fit(tp, 1, new EarlyStopping().monitor("true_positives")))
                .getMessage().contains("the metric logged as 'true_positives' has no direction"));
    }

    @Test
    void modeMinOrMaxOrAPlacedMonitorTrainsAsKeras3() {
        for (String mode : List.of("min", "max")) {
            java.io.PrintStream err = System.err;
            java.io.ByteArrayOutputStream warned = new java.io.ByteArrayOutputStream();
            History h;
            try {
                System.setErr(new java.io.PrintStream(warned, true, java.nio.charset.StandardCharsets.UTF_8));
                h = fit(model("accuracy"), 2, new EarlyStopping().monitor("val_acc").mode(mode));
            } finally {
                System.setErr(err);
            }
            assertEquals(2, h.get("loss").size(), mode + ": trains, never stopped");
            assertEquals("EarlyStopping: monitored value 'val_acc' is not logged (logged: [accuracy, loss, val_accuracy, val_loss]);"
                    + " not stopping\n", warned.toString(java.nio.charset.StandardCharsets.UTF_8).replace("\r\n", "\n"), "warned once, as Keras warns");
        }
        assertTrue(EarlyStopping.maximizes("auto", "val_accuracy", model("accuracy")));
        assertFalse(EarlyStopping.maximizes("auto", "val_mae", model("mae")));
        assertFalse(EarlyStopping.maximizes("auto", "val_mse", model("mse")));
        assertFalse(EarlyStopping.maximizes("auto", "val_mean_absolute_error", model("mean_absolute_error")));
        assertFalse(EarlyStopping.maximizes("auto", "val_loss", model()));
        assertTrue(EarlyStopping.maximizes("auto", "val_myf", model(MeanMetric.of("myf", (t, p) -> p[0]).higherIsBetter(true))));
        // no epoch, no epoch end: Keras 3.15.1 never asks the direction (fit(epochs=0) with monitor "foo" returns {})
        assertTrue(fit(model(), 0, new EarlyStopping().monitor("foo")).history().isEmpty());
    }

    /**
     * Keras 3.15.1 looks the metric up by its own name: on a two-output model with metrics {"a": ["accuracy"]} monitor
     * "val_accuracy" (never logged) is maximised; jrnn places that and also the logged "val_a_accuracy" and "val_a_loss",
     * which Keras 3.15.1 refuses (a difference the GUIDE names).
     */
    @Test
    void aMultiOutputModelsKeysAndTheMetricsOwnNames() {
        Input in = Input.shape(3);
        Model m = new Model(in, List.of(new Dense(1).name("a").apply(in), new Dense(1).name("b").apply(in)));
        m.compile("sgd", List.of("mse", "mse"), Map.of("a", List.of("accuracy")));
        assertTrue(EarlyStopping.maximizes("auto", "val_accuracy", m));
        assertTrue(EarlyStopping.maximizes("auto", "val_a_accuracy", m));
        assertFalse(EarlyStopping.maximizes("auto", "val_a_loss", m));
        assertThrows(IllegalArgumentException.class, () -> EarlyStopping.maximizes("auto", "val_c_loss", m));
    }
}
