package dev.jrnn.model;

import dev.jrnn.Jrnn;
import dev.jrnn.layers.Dense;
import dev.jrnn.optim.Adam;
import dev.jrnn.optim.SGD;
import dev.jrnn.optim.schedules.ExponentialDecay;
import dev.jrnn.tensor.Tensor;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Keras' LearningRateScheduler, and the "learning_rate" it and ReduceLROnPlateau add to the epoch logs. */
class LearningRateSchedulerTest {
    @BeforeAll
    static void cpu() {
        Jrnn.setBackend("cpu");
    }

    private static final Tensor X = Tensor.of(new float[] {1, 2, -1, 0.5f, 0, 1, 2, -2}, 4, 2);
    private static final Tensor Y = Tensor.of(new float[] {1, 0, 0.5f, -1}, 4, 1);

    private static Sequential model(dev.jrnn.optim.Optimizer opt) {
        Jrnn.setSeed(3);
        Sequential m = new Sequential(new Dense(1).inputShape(2));
        m.compile(opt, "mse");
        return m;
    }

    private static FitOptions options(int epochs, Callback... cbs) {
        return new FitOptions().epochs(epochs).batchSize(4).verbose(0).shuffle(false).callbacks(cbs);
    }

    @Test
    void kerasDocstringExample() {
        // Keras' own example: SGD(0.01), the rate kept for ten epochs, then times exp(-0.1) per epoch;
        // after 15 epochs round(lr, 5) == 0.00607
        Sequential m = model(new SGD(0.01));
        History h = m.fit(X, Y, options(15, new LearningRateScheduler((epoch, lr) -> epoch < 10 ? lr : lr * Math.exp(-0.1))));
        assertEquals(0.00607, Math.round(m.optimizer().learningRate() * 1e5) / 1e5, 1e-12);
        // History records the rate each epoch trained with, as the optimizer held it (a float32, as Keras' variable)
        List<Double> logged = h.get("learning_rate");
        float lr = 0.01f;
        for (int e = 0; e < 15; e++) {
            if (e >= 10) lr = (float) (lr * Math.exp(-0.1));
            assertEquals((double) lr, logged.get(e), "epoch " + e);
        }
    }

    @Test
    void theRateSetAtAnEpochsStartIsTheOneItsStepsUse() {
        // two equal runs, one with a scheduler that changes the rate at epoch 2: equal until then, different after
        Sequential a = model(new SGD(0.1)), b = model(new SGD(0.1));
        List<float[]> ka = new ArrayList<>(), kb = new ArrayList<>();
        a.fit(X, Y, options(4, Callback.onEpochEnd((e, l) -> ka.add(a.getWeights().get(0).toArray()))));
        b.fit(X, Y, options(4, new LearningRateScheduler((epoch, lr) -> epoch == 2 ? 0.5 : lr),
                Callback.onEpochEnd((e, l) -> kb.add(b.getWeights().get(0).toArray()))));
        org.junit.jupiter.api.Assertions.assertArrayEquals(ka.get(1), kb.get(1));
        assertFalse(java.util.Arrays.equals(ka.get(2), kb.get(2)));
        assertEquals(0.5f, b.optimizer().learningRate());
    }

    @Test
    void verbosePrintsKerasLine() {
        Sequential m = model(new SGD(0.01));
        PrintStream out = System.out;
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try {
            System.setOut(new PrintStream(bytes, true, StandardCharsets.UTF_8));
            m.fit(X, Y, options(2, new LearningRateScheduler((epoch, lr) -> epoch == 0 ? lr : 0.25).verbose(1)));
        } finally {
            System.setOut(out);
        }
        // Keras prints the schedule's value as a Python float: the float32 0.01 read back as a double, then 0.25
        assertEquals("\nEpoch 1: LearningRateScheduler setting learning rate to 0.009999999776482582.\n"
                        + "\nEpoch 2: LearningRateScheduler setting learning rate to 0.25.\n",
                bytes.toString(StandardCharsets.UTF_8).replace("\r\n", "\n"));
    }

    @Test
    void aRateThatIsNotPositiveAndFiniteIsRefusedAndLeavesTheRate() {
        for (double bad : new double[] {-0.1, Double.NaN, Double.POSITIVE_INFINITY, 1e300}) {
            Sequential m = model(new SGD(0.1));
            IllegalStateException e = assertThrows(IllegalStateException.class,
                    () -> m.fit(X, Y, options(3, new LearningRateScheduler((epoch, lr) -> epoch == 1 ? bad : lr))));
            assertEquals("LearningRateScheduler: the schedule gave " + bad + " at epoch 1; a learning rate must be a finite number"
                    + " >= 0 (as a float)", e.getMessage());
            assertEquals(0.1f, m.optimizer().learningRate());
        }
        assertEquals("LearningRateScheduler: schedule must be a function (epoch, lr) -> lr, got null",
                assertThrows(IllegalArgumentException.class, () -> new LearningRateScheduler(null)).getMessage());
        assertThrows(IllegalArgumentException.class, () -> new LearningRateScheduler((e, lr) -> lr).verbose(-1));
    }

    @Test
    void aWarmUpMayStartAtARateOfZero() {
        // Keras takes lr 0: the common warm-up base * epoch / warmup starts there, and its first epoch moves nothing
        Sequential m = model(new SGD(0.1));
        float[] w0 = m.getWeights().get(0).toArray();
        List<float[]> kernels = new ArrayList<>();
        History h = m.fit(X, Y, options(3, new LearningRateScheduler((epoch, lr) -> 0.1 * epoch / 2),
                Callback.onEpochEnd((e, l) -> kernels.add(m.getWeights().get(0).toArray()))));
        org.junit.jupiter.api.Assertions.assertArrayEquals(w0, kernels.get(0));
        assertFalse(java.util.Arrays.equals(w0, kernels.get(1)));
        assertEquals(List.of(0.0, (double) 0.05f, (double) 0.1f), h.get("learning_rate"));
    }

    @Test
    void aModelSavedAtARateOfZeroLoadsBack(@org.junit.jupiter.api.io.TempDir Path dir) throws java.io.IOException {
        Sequential m = model(new SGD(0.1));
        m.optimizer().learningRate(0);
        m.save(dir.resolve("m.keras"));
        try (Model back = Models.load(dir.resolve("m.keras"))) {
            assertEquals(0f, back.optimizer().learningRate());
        }
        // a positive rate float32 cannot hold is refused rather than turned into 0
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> m.optimizer().learningRate(1e-50));
        assertEquals("SGD: learning rate must be a finite number >= 0, got 1.0E-50 (float32, which jrnn computes with, rounds it to 0.0)",
                e.getMessage());
    }

    @Test
    void anOptimizerOnAScheduleIsNotSettable() {
        // as Keras: a rate that follows a LearningRateSchedule cannot be set by a callback
        Sequential m = model(new Adam(new ExponentialDecay(0.1, 10, 0.5)));
        assertThrows(IllegalStateException.class, () -> m.fit(X, Y, options(1, new LearningRateScheduler((e, lr) -> lr))));
    }

    @Test
    void reduceLROnPlateauLogsTheEpochsRateBeforeItsReduction() {
        Sequential m = model(new SGD(0.1));
        // minDelta so large that only the first epoch improves: patience 0 halves the rate from epoch 1 on
        ReduceLROnPlateau plateau = new ReduceLROnPlateau().monitor("loss").patience(0).factor(0.5).minDelta(1e9);
        History h = m.fit(X, Y, options(4, plateau));
        assertEquals(List.of((double) 0.1f, (double) 0.1f, (double) 0.05f, (double) 0.025f), h.get("learning_rate"));
        assertEquals(0.0125f, m.optimizer().learningRate());
    }

    @Test
    void callbacksShareTheLogsInOrderAndHistoryRecordsThemLast() {
        Sequential m = model(new SGD(0.1));
        List<Boolean> before = new ArrayList<>(), after = new ArrayList<>();
        Callback adds = new Callback() {
            @Override
            public void onEpochEnd(int epoch, Map<String, Double> logs, Model model) {
                logs.put("my_value", epoch * 2.0);   // as a Keras callback may add to logs
            }
        };
        History h = m.fit(X, Y, options(2,
                Callback.onEpochEnd((e, l) -> before.add(l.containsKey("learning_rate"))),
                new LearningRateScheduler((e, lr) -> lr), adds,
                Callback.onEpochEnd((e, l) -> after.add(l.containsKey("learning_rate") && l.containsKey("my_value")))));
        assertEquals(List.of(false, false), before);
        assertEquals(List.of(true, true), after);
        assertEquals(List.of(0.0, 2.0), h.get("my_value"));
        assertTrue(h.history().containsKey("learning_rate"));
    }

    @Test
    void aCheckpointMayNameTheRateWhenACallbackBeforeItLogsIt(@org.junit.jupiter.api.io.TempDir Path dir) {
        Sequential m = model(new SGD(0.1));
        String pattern = dir.resolve("w-{epoch}-{learning_rate:.3f}.weights.safetensors").toString();
        m.fit(X, Y, options(1, new LearningRateScheduler((e, lr) -> lr), new ModelCheckpoint(pattern).saveWeightsOnly(true)));
        assertTrue(java.nio.file.Files.exists(dir.resolve("w-1-0.100.weights.safetensors")));
        // after it, or without it: refused before any update
        float[] w0 = m.getWeights().get(0).toArray();
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> m.fit(X, Y,
                options(1, new ModelCheckpoint(pattern).saveWeightsOnly(true), new LearningRateScheduler((ep, lr) -> lr))));
        assertTrue(e.getMessage().startsWith("ModelCheckpoint: the filepath names {learning_rate}"), e.getMessage());
        org.junit.jupiter.api.Assertions.assertArrayEquals(w0, m.getWeights().get(0).toArray());
        // a user's callback before it may add the key it names (Keras formats the name at the epoch's end)
        Callback adds = new Callback() {
            @Override
            public void onEpochEnd(int epoch, Map<String, Double> logs, Model model) { logs.put("score", 7.0); }
        };
        m.fit(X, Y, options(1, adds, new ModelCheckpoint(dir.resolve("s-{score:.1f}.weights.safetensors").toString()).saveWeightsOnly(true)));
        assertTrue(java.nio.file.Files.exists(dir.resolve("s-7.0.weights.safetensors")));
    }
}
