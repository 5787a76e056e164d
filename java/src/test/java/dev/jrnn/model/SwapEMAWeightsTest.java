package dev.jrnn.model;

import dev.jrnn.Jrnn;
import dev.jrnn.layers.Dense;
import dev.jrnn.optim.SGD;
import dev.jrnn.tensor.Tensor;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** SwapEMAWeights against Keras 3.15.1: resources/dev/jrnn/model/apigap/swap_ema.py (JAX; TensorFlow agrees to 1e-8). */
class SwapEMAWeightsTest {
    @BeforeAll
    static void cpu() {
        Jrnn.setBackend("cpu");
    }

    // Keras 3.15.1 on JAX: fit(epochs=3, batch_size=4, shuffle=False, validation_data) with SGD(0.1, use_ema=True, ema_momentum=0.8)
    private static final double[] VAL_NONE = {0.011905512772500515, 0.011137585155665874, 0.010913903824985027};
    private static final double[] VAL_SWAP = {0.01204171497374773, 0.012278471142053604, 0.011945690959692001};
    private static final double[] LOSS = {0.2624763548374176, 0.19853748381137848, 0.1587103307247162};
    // the final weights, the same with and without the callback (and with swap_on_epoch): fit ends on the average
    private static final float[][] FINAL = {{0.1085803434252739f, -0.15977124869823456f, 0.21329742670059204f, 0.5299897193908691f,
            -0.39456331729888916f, 0.4281511902809143f}, {0.06871126592159271f, 0.005555403418838978f},
            {0.5619146823883057f, -0.7590973377227783f}, {0.07541864365339279f}};

    // swap_stop.py: swapOnEpoch with fit stopped at epoch 0 of 3 ends on the raw weights of the last step (the average lost)
    private static final float[][] FINAL_STOPPED = {{0.09870880097150803f, -0.17202363908290863f, 0.25475242733955383f,
            0.46639490127563477f, -0.43708449602127075f, 0.5049091577529907f}, {0.052349887788295746f, -0.018074823543429375f},
            {0.6178955435752869f, -0.7596743702888489f}, {0.07597319781780243f}};

    private static final Tensor X, Y, XV, YV;

    static {   // x = (arange(48).reshape(16, 3) % 7 - 3) / 4; y = x @ [0.5, -1, 0.25] + 0.1; validation: every third row, halved, + 0.05
        float[] x = new float[48], y = new float[16], xv = new float[18], yv = new float[6];
        for (int i = 0; i < 48; i++) x[i] = (i % 7 - 3) / 4f;
        for (int r = 0; r < 16; r++) y[r] = x[3 * r] * 0.5f + x[3 * r + 1] * -1f + x[3 * r + 2] * 0.25f + 0.1f;
        for (int k = 0; k < 6; k++) {
            for (int j = 0; j < 3; j++) xv[3 * k + j] = x[9 * k + j] * 0.5f;
            yv[k] = y[3 * k] * 0.5f + 0.05f;
        }
        X = Tensor.of(x, 16, 3);
        Y = Tensor.of(y, 16, 1);
        XV = Tensor.of(xv, 6, 3);
        YV = Tensor.of(yv, 6, 1);
    }

    private static Sequential model(boolean ema) {
        Sequential m = new Sequential(Input.shape(3), new Dense(2).activation("tanh"), new Dense(1));
        m.setWeights(List.of(Tensor.of(new float[] {0.1f, -0.2f, 0.3f, 0.4f, -0.5f, 0.6f}, 3, 2), Tensor.of(new float[] {0.01f, -0.02f}, 2),
                Tensor.of(new float[] {0.7f, -0.8f}, 2, 1), Tensor.of(new float[] {0.05f}, 1)));
        m.compile(new SGD(0.1).useEma(ema).emaMomentum(0.8), "mse");
        return m;
    }

    private static History fit(Model m, Callback... cbs) {
        return m.fit(X, Y, new FitOptions().epochs(3).batchSize(4).shuffle(false).verbose(0).validationData(XV, YV).callbacks(cbs));
    }

    private static void assertClose(double[] want, List<Double> got, String what) {
        for (int i = 0; i < want.length; i++) assertEquals(want[i], got.get(i), 2e-6, what + " epoch " + i);
    }

    private static void assertFinal(Model m) {
        List<Tensor> w = m.getWeights();
        for (int i = 0; i < FINAL.length; i++) {
            for (int j = 0; j < FINAL[i].length; j++) assertEquals(FINAL[i][j], w.get(i).data()[j], 2e-6, "weight " + i + "[" + j + "]");
        }
    }

    @Test
    void validationRunsOnTheAveragedWeightsAsKeras() {
        Sequential plain = model(true);
        History h = fit(plain);
        assertClose(VAL_NONE, h.history().get("val_loss"), "val_loss without the callback");
        assertFinal(plain);
        Sequential m = model(true);
        SwapEMAWeights swap = new SwapEMAWeights();
        h = fit(m, swap);
        assertClose(VAL_SWAP, h.history().get("val_loss"), "val_loss");
        assertClose(LOSS, h.history().get("loss"), "loss");
        assertFinal(m);
        assertFalse(swap.emaWeightsInModel());
    }

    @Test
    void swapOnEpochEndsOnTheAverageAsKeras() {
        Sequential m = model(true);
        SwapEMAWeights swap = new SwapEMAWeights().swapOnEpoch(true);
        History h = fit(m, swap);
        assertClose(VAL_SWAP, h.history().get("val_loss"), "val_loss");
        assertFinal(m);
        assertTrue(swap.emaWeightsInModel());
    }

    /** As Keras (the class's Javadoc, the GUIDE): a swapOnEpoch fit stopped early ends on the raw weights. */
    @Test
    void swapOnEpochStoppedEarlyEndsOnTheRawWeightsAsKeras() {
        Sequential m = model(true);
        Callback stop = new Callback() {
            @Override
            public void onEpochEnd(int epoch, Map<String, Double> logs, Model model) { model.stopTraining(true); }
        };
        m.fit(X, Y, new FitOptions().epochs(3).batchSize(4).shuffle(false).verbose(0).callbacks(new SwapEMAWeights().swapOnEpoch(true), stop));
        List<Tensor> w = m.getWeights();
        for (int i = 0; i < FINAL_STOPPED.length; i++) {
            for (int j = 0; j < FINAL_STOPPED[i].length; j++) assertEquals(FINAL_STOPPED[i][j], w.get(i).data()[j], 2e-6, "weight " + i + "[" + j + "]");
        }
    }

    /** A predict or evaluate given it swaps the average in and back (Keras' on_predict_end does not swap back: see the class). */
    @Test
    void evaluateAndPredictSwapBack() {
        Sequential m = model(true);
        fit(m);
        m.trainOnBatch(X, Y);   // the weights now differ from their average
        List<Tensor> before = m.getWeights();
        SwapEMAWeights swap = new SwapEMAWeights();
        Tensor withEma = m.predictAll(List.of(X), 16, null, swap).get(0);
        assertEquals(before, m.getWeights());
        assertFalse(swap.emaWeightsInModel());
        assertFalse(withEma.equals(m.predict(X)), "predict ran on the average");
        m.evaluateAll(List.of(X), List.of(Y), 16, null, null, swap);
        assertEquals(before, m.getWeights());
    }

    @Test
    void anOptimizerWithoutEmaIsRefusedBeforeAnyUpdate() {
        Sequential m = model(false);
        List<Tensor> before = m.getWeights();
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> fit(m, new SwapEMAWeights()));
        assertTrue(e.getMessage().contains("SwapEMAWeights needs an optimizer with useEma(true) (Keras' use_ema=True), got SGD with useEma false"),
                e.getMessage());
        assertEquals(before, m.getWeights());
        Sequential fresh = model(true);
        IllegalStateException s = assertThrows(IllegalStateException.class,
                () -> fresh.evaluateAll(List.of(X), List.of(Y), 16, null, null, new SwapEMAWeights()));
        assertTrue(s.getMessage().contains("no moving average of these weights yet"), s.getMessage());
    }

    /** The weights and the optimizer's moving average, as copies. */
    private record State(List<Tensor> weights, List<Float> average) {
        static State of(Model m) {
            List<Float> avg = new ArrayList<>();
            for (float v : m.optimizer().state().get("average")) avg.add(v);
            return new State(m.getWeights(), avg);
        }
    }

    /** A callback listed after SwapEMAWeights that throws in onTestBatchEnd, remembering the state after each training batch. */
    private static final class Bomb implements Callback {
        State lastStep;

        @Override
        public void onBatchEnd(int batch, BatchLogs logs, Model model) { lastStep = State.of(model); }

        @Override
        public void onTestBatchEnd(int batch, BatchLogs logs, Model model) { throw new IllegalStateException("boom"); }
    }

    /**
     * A failure in a swapped validation (here a later callback's onTestBatchEnd) left the averaged weights in the model and
     * the raw ones as the optimizer's average: now both go back before the exception leaves fit.
     */
    @Test
    void aFailureInFitsValidationLeavesTheRawWeightsAndTheAverage() {
        Sequential m = model(true);
        Bomb bomb = new Bomb();
        SwapEMAWeights swap = new SwapEMAWeights();
        assertEquals("boom", assertThrows(IllegalStateException.class, () -> fit(m, swap, bomb)).getMessage());
        State after = State.of(m);
        assertEquals(bomb.lastStep.weights(), after.weights());
        assertEquals(bomb.lastStep.average(), after.average());
        assertFalse(after.weights().equals(model(true).getWeights()), "one epoch trained");
        assertFalse(swap.emaWeightsInModel());
        // the callback is free again: a fit with it runs as Keras' from here (its val_loss on the average)
        assertEquals(3, fit(m, swap).history().get("val_loss").size());
    }

    /** The same for a standalone evaluate and predict given the callback, and a swapOnEpoch fit failing after its swap. */
    @Test
    void aFailureInEvaluatePredictOrAfterAnEpochSwapLeavesTheModelAsItWas() {
        Sequential m = model(true);
        fit(m);
        m.trainOnBatch(X, Y);   // the weights now differ from their average
        State before = State.of(m);
        SwapEMAWeights swap = new SwapEMAWeights();
        assertThrows(IllegalStateException.class, () -> m.evaluateAll(List.of(X), List.of(Y), 4, null, null, swap, new Bomb()));
        assertEquals(before, State.of(m));
        Callback predictBomb = new Callback() {
            @Override
            public void onPredictBatchEnd(int batch, List<Tensor> outputs, Model model) { throw new IllegalStateException("boom"); }
        };
        assertThrows(IllegalStateException.class, () -> m.predictAll(List.of(X), 4, null, swap, predictBomb));
        assertEquals(before, State.of(m));
        assertFalse(swap.emaWeightsInModel());

        Sequential e = model(true);
        State[] lastStep = new State[1];
        Callback crash = new Callback() {
            @Override
            public void onBatchEnd(int batch, BatchLogs logs, Model model) { lastStep[0] = State.of(model); }

            @Override
            public void onEpochEnd(int epoch, Map<String, Double> logs, Model model) { throw new IllegalStateException("crash"); }
        };
        SwapEMAWeights onEpoch = new SwapEMAWeights().swapOnEpoch(true);
        assertThrows(IllegalStateException.class, () -> fit(e, onEpoch, crash));
        assertEquals(lastStep[0], State.of(e));
        assertFalse(onEpoch.emaWeightsInModel());
    }

    /**
     * The swaps write the weights in place, so a second swapped call while one runs (another thread's predict, with the
     * same SwapEMAWeights or another one) is refused naming it, and changes nothing; the first ends as it would alone.
     */
    @Test
    void aSecondSwappedCallAtTheSameTimeIsRefused() throws Exception {
        Sequential m = model(true);
        fit(m);
        m.trainOnBatch(X, Y);
        State before = State.of(m);
        SwapEMAWeights swap = new SwapEMAWeights();
        CountDownLatch inside = new CountDownLatch(1), goOn = new CountDownLatch(1);
        State[] swapped = new State[2];   // read on the swapping thread (the guard refuses other threads' reads meanwhile)
        Callback hold = new Callback() {
            @Override
            public void onPredictBatchBegin(int batch, Model model) {
                if (batch != 0) return;
                swapped[0] = State.of(model);   // the average is in the model while the first call runs
                inside.countDown();
                try {
                    goOn.await(60, TimeUnit.SECONDS);
                } catch (InterruptedException ex) {
                    Thread.currentThread().interrupt();
                }
                swapped[1] = State.of(model);   // after the refused calls: nothing changed mid-swap
            }
        };
        Tensor alone = m.predictAll(List.of(X), 4, null, swap).get(0);
        Tensor[] first = new Tensor[1];
        Thread t = new Thread(() -> first[0] = m.predictAll(List.of(X), 4, null, swap, hold).get(0));
        t.start();
        try {
            assertTrue(inside.await(60, TimeUnit.SECONDS));
            // the model's own guard refuses them first (a swapped call changes the model: it runs alone); the weights
            // are not read here, which the guard refuses too: the first call's end shows that nothing changed
            for (SwapEMAWeights second : List.of(swap, new SwapEMAWeights())) {
                IllegalStateException ex = assertThrows(IllegalStateException.class, () -> m.predictAll(List.of(X), 4, null, second));
                assertTrue(ex.getMessage().contains("SwapEMAWeights"), ex.getMessage());
                ex = assertThrows(IllegalStateException.class, () -> m.evaluateAll(List.of(X), List.of(Y), 4, null, null, second));
                assertTrue(ex.getMessage().contains("SwapEMAWeights"), ex.getMessage());
            }
        } finally {
            goOn.countDown();
            t.join(60_000);
        }
        assertEquals(alone, first[0]);
        assertEquals(swapped[0], swapped[1]);
        assertNotEquals(before, swapped[0]);
        assertEquals(before, State.of(m));
    }

    /**
     * Without useEma fit is refused before anything changes: it was refused in onTrainBegin, after a BackupAndRestore had
     * restored its backup into the model and earlier callbacks' onTrainBegin had run.
     */
    /**
     * A nested call refused (the same SwapEMAWeights given to another model's evaluate inside fit's validation) or failing
     * (a nested evaluate of the same model that throws, caught by the callback) leaves the outer fit's swap alone: its
     * validation goes on on the averaged weights (Keras' val_loss) and the guard holds to its end. It swapped the raw
     * weights back in the middle of the validation and let go of the claim.
     */
    @Test
    void aNestedCallRefusedOrFailingLeavesTheOuterSwapAlone() {
        Sequential m = model(true), other = model(true);
        fit(other);
        SwapEMAWeights swap = new SwapEMAWeights();
        int[] refused = {0}, failed = {0};
        Callback nested = new Callback() {
            @Override
            public void onTestBatchEnd(int batch, BatchLogs logs, Model model) {
                try {
                    other.evaluateAll(List.of(XV), List.of(YV), 4, null, null, swap);
                } catch (IllegalStateException e) {
                    if (e.getMessage().contains("SwapEMAWeights")) refused[0]++;
                }
                assertTrue(swap.emaWeightsInModel(), "the outer validation's swap stays after a refused nested call");
                try {
                    model.evaluateAll(List.of(XV), List.of(YV), 4, null, null, swap, new Callback() {
                        @Override
                        public void onTestBatchEnd(int b, BatchLogs l, Model mm) { throw new IllegalStateException("inner boom"); }
                    });
                } catch (IllegalStateException e) {
                    if (e.getMessage().equals("inner boom")) failed[0]++;
                }
                assertTrue(swap.emaWeightsInModel(), "the outer validation's swap stays after a failed nested call");
            }
        };
        History h = fit(m, swap, nested);
        assertTrue(refused[0] > 0 && failed[0] == refused[0], refused[0] + " refused, " + failed[0] + " failed");
        assertClose(VAL_SWAP, h.history().get("val_loss"), "val_loss");
        assertFinal(m);
        assertFalse(swap.emaWeightsInModel());
        m.predictAll(List.of(X), 4, null, swap);   // the claim was let go at the end of fit: usable again
    }

    @Test
    void aRefusedFitLeavesTheModelAndTheBackupAsTheyWere(@org.junit.jupiter.api.io.TempDir Path dir) throws IOException {
        Sequential crashed = model(false);
        Callback crash = new Callback() {
            @Override
            public void onEpochEnd(int epoch, Map<String, Double> logs, Model model) { throw new IllegalStateException("crash"); }
        };
        assertThrows(IllegalStateException.class, () -> fit(crashed, new BackupAndRestore(dir), crash));
        Map<String, byte[]> files = files(dir);
        assertFalse(files.isEmpty(), "the crashed fit left a backup");
        Sequential m = model(false);
        List<Tensor> before = m.getWeights();
        boolean[] began = new boolean[1];
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> fit(m, Callback.onTrainBegin(() -> began[0] = true), new BackupAndRestore(dir), new SwapEMAWeights()));
        assertTrue(e.getMessage().contains("SwapEMAWeights needs an optimizer with useEma(true)"), e.getMessage());
        assertEquals(before, m.getWeights());
        assertFalse(began[0], "a callback's onTrainBegin ran");
        Map<String, byte[]> now = files(dir);
        assertEquals(files.keySet(), now.keySet());
        for (String f : files.keySet()) assertTrue(java.util.Arrays.equals(files.get(f), now.get(f)), f);
    }

    private static Map<String, byte[]> files(Path dir) throws IOException {
        Map<String, byte[]> r = new TreeMap<>();
        try (var walk = Files.walk(dir)) {
            for (Path p : walk.filter(Files::isRegularFile).toList()) r.put(dir.relativize(p).toString(), Files.readAllBytes(p));
        }
        return r;
    }
}
