package dev.jrnn.edges;

import dev.jrnn.Jrnn;
import dev.jrnn.data.Dataset;
import dev.jrnn.layers.Dense;
import dev.jrnn.model.Callback;
import dev.jrnn.model.FitOptions;
import dev.jrnn.model.Model;
import dev.jrnn.model.Models;
import dev.jrnn.model.Sequential;
import dev.jrnn.tensor.Tensor;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Calls that overlap on one model against the thread rules (a call that changes the model beside another thread's
 * call): an IllegalStateException naming the model, the call refused, the call in the way and its thread; the model
 * unchanged. Latches hold the first call; nothing depends on timing.
 */
class ModelInUseBadInputTest {
    @BeforeAll
    static void cpu() { Jrnn.setBackend("cpu"); }

    private static final Tensor X = Tensor.full(0.5f, 8, 3), Y = Tensor.full(1, 8, 1);

    private static Sequential model(String name) {
        Jrnn.setSeed(11);
        Sequential m = new Sequential(new Dense(2).inputShape(3), new Dense(1)).name(name);
        m.compile("sgd", "mse");
        return m;
    }

    @Test
    void setWeightsWhileAnotherThreadPredicts() throws Exception {
        Sequential m = model("in_use");
        List<Tensor> before = m.getWeights();
        Tensor alone = m.predict(X, 4);
        CountDownLatch in = new CountDownLatch(1), out = new CountDownLatch(1);
        AtomicReference<Object> got = new AtomicReference<>();
        Thread t = new Thread(() -> got.set(m.predictAll(List.of(X), 4, null, new Callback() {
            @Override
            public void onPredictBatchEnd(int batch, List<Tensor> outputs, Model model) {
                if (batch != 0) return;
                in.countDown();
                try {
                    assertTrue(out.await(60, TimeUnit.SECONDS));
                } catch (InterruptedException e) {
                    throw new AssertionError(e);
                }
            }
        }).get(0)), "requests-1");
        t.start();
        IllegalStateException e;
        try {
            assertTrue(in.await(60, TimeUnit.SECONDS));
            e = assertThrows(IllegalStateException.class, () -> m.setWeights(before));
        } finally {
            out.countDown();
            t.join(60_000);
        }
        assertEquals("in_use.setWeights: refused, the model is in use by 1 call reading it on another thread (predict / evaluate /"
                + " getWeights / save); a call that changes a model (fit, trainOnBatch, compile, setWeights, loadWeights,"
                + " resetStates, close, trainable, build, Sequential add / pop, a predict given SwapEMAWeights, of a stateful"
                + " model or in training mode with BatchNormalization) runs alone, predict / evaluate / getWeights / save may run"
                + " together. Nothing was changed: call again once it returns, or serve from a second model (see the GUIDE's"
                + " Threads)", e.getMessage());
        assertEquals(alone, got.get());
        assertEquals(before, m.getWeights());
    }

    /**
     * A data set's map runs on its prefetch thread, not on fit's: a map that predicts with the model being fitted is
     * refused (it would read weights mid-step), and fit ends in that refusal, the weights as after the steps before it.
     */
    @Test
    void aDatasetMapPredictingWithTheModelBeingFitted() {
        Sequential m = model("mapped");
        Dataset ds = Dataset.fromTensors(X, Y).map(s -> {
            m.predict(Tensor.full(0.5f, 1, 3));
            return s;
        }).batch(4);
        RuntimeException e = assertThrows(RuntimeException.class, () -> m.fit(ds, new FitOptions().epochs(1).verbose(0)));
        Throwable c = e;
        while (c != null && !(c instanceof IllegalStateException && c.getMessage().startsWith("mapped.predict: refused"))) c = c.getCause();
        assertTrue(c != null, () -> "refused predict in the chain of " + e);
        assertTrue(c.getMessage().contains("the model is in use by fit on thread '" + Thread.currentThread().getName() + "'"),
                c.getMessage());
    }

    /** Models.changing's own arguments: each null (or a blank call name) refused naming it, nothing run. */
    @Test
    void modelsChangingBadArguments() {
        Sequential m = model("changing");
        boolean[] ran = {false};
        Models.Change change = () -> ran[0] = true;
        assertEquals("Models.changing: model is null",
                assertThrows(IllegalArgumentException.class, () -> Models.changing(null, "load", change)).getMessage());
        assertEquals("changing: Models.changing: call must name the change (\"loadMyFormat\"), got null",
                assertThrows(IllegalArgumentException.class, () -> Models.changing(m, null, change)).getMessage());
        assertEquals("changing: Models.changing: call must name the change (\"loadMyFormat\"), got \" \"",
                assertThrows(IllegalArgumentException.class, () -> Models.changing(m, " ", change)).getMessage());
        assertEquals("changing.load: Models.changing: change is null",
                assertThrows(IllegalArgumentException.class, () -> Models.changing(m, "load", null)).getMessage());
        assertTrue(!ran[0]);
    }

    /**
     * Calls on a closed model: a ModelClosedException (an IllegalStateException) naming the model and the call, so a
     * service that swaps models can retry without reading the message; closing again is harmless.
     */
    @Test
    void callsOnAClosedModel() {
        Sequential m = model("retired");
        m.predict(X, 4);
        m.close();
        m.close();
        dev.jrnn.model.ModelClosedException p = assertThrows(dev.jrnn.model.ModelClosedException.class, () -> m.predict(X, 4));
        assertEquals("retired.predict: the model is closed", p.getMessage());
        IllegalStateException f = assertThrows(dev.jrnn.model.ModelClosedException.class, () -> m.setWeights(m.getWeights()));
        assertTrue(f.getMessage().startsWith("retired."), f.getMessage());
        assertTrue(f.getMessage().endsWith(": the model is closed"), f.getMessage());
    }
}
