package dev.jrnn.edges;

import dev.jrnn.Jrnn;
import dev.jrnn.backend.Backend;
import dev.jrnn.backend.BackendClosedException;
import dev.jrnn.backend.cpu.CpuBackend;
import dev.jrnn.layers.Dense;
import dev.jrnn.layers.LSTM;
import dev.jrnn.layers.Layer;
import dev.jrnn.model.BatchLogs;
import dev.jrnn.model.Callback;
import dev.jrnn.model.FitOptions;
import dev.jrnn.model.Model;
import dev.jrnn.model.Input;
import dev.jrnn.model.Model;
import dev.jrnn.model.Sequential;
import dev.jrnn.tensor.Tensor;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.util.Map;
import java.util.function.LongSupplier;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Closed models and their layers: every later use is an IllegalStateException naming the closed model. */
class ClosedModelTest {
    static final Tensor X = Tensor.full(0.3f, 4, 3, 2), Y = Tensor.full(0.1f, 4, 1);

    @AfterEach
    void reset() {
        Jrnn.setBackend("cpu");
    }

    static void namesTheModel(String model, Runnable r) {
        IllegalStateException e = assertThrows(IllegalStateException.class, r::run);
        assertTrue(e.getMessage().contains(model) && e.getMessage().contains("closed"), e.getMessage());
    }

    /** The model is named as it is called when it is closed, not as it was when its weights were gathered. */
    @Test
    void aRenamedModelIsNamedByItsNewName() {
        Input in = Input.shape(3, 2);
        Layer lstm = new LSTM(3);
        Model m = new Model(in, new Dense(1).apply(lstm.apply(in)));   // the weights are gathered here
        m.name("renamed");
        m.close();
        namesTheModel("renamed", () -> lstm.call(X));
    }

    @Test
    void aLayerSharedWithAClosedModelNamesThatModel() {
        Layer lstm = new LSTM(3).inputShape(3, 2);
        Sequential a = new Sequential(lstm, new Dense(1)).name("model_a");
        Sequential b = new Sequential(lstm, new Dense(2)).name("model_b");   // takes the LSTM's weights over
        a.predict(X);                                                        // and a takes them back
        a.close();
        namesTheModel("model_a", () -> b.predict(X));
        namesTheModel("model_a", () -> lstm.call(X));
        namesTheModel("model_a", () -> new Sequential(lstm, new Dense(1)));
        namesTheModel("model_a", () -> a.compile("adam", "mse"));
        b.close();
    }

    @Test
    void closingTheModelInACallbackEndsFitClearly() {
        CpuBackend be = CpuBackend.create();
        closingInACallbackEndsFit(be, be::liveBuffers);
    }

    /** For each callback hook, a fit whose callback closes the model ends clearly and leaves no buffer. */
    static void closingInACallbackEndsFit(Backend be, LongSupplier liveBuffers) {
        Jrnn.setBackend(be);
        long live = liveBuffers.getAsLong();
        for (String hook : new String[] {"onTrainBegin", "onEpochBegin", "onBatchEnd", "onEpochEnd"}) {
            Sequential m = new Sequential(new LSTM(2).inputShape(3, 2), new Dense(1)).name("closed_in_" + hook);
            m.compile("sgd", "mse");
            Callback closer = new Callback() {
                @Override
                public void onTrainBegin(Model model) { if (hook.equals("onTrainBegin")) model.close(); }

                @Override
                public void onEpochBegin(int epoch, Model model) { if (hook.equals("onEpochBegin")) model.close(); }

                @Override
                public void onBatchEnd(int batch, BatchLogs logs, Model model) { if (hook.equals("onBatchEnd")) model.close(); }

                @Override
                public void onEpochEnd(int epoch, Map<String, Double> logs, Model model) {
                    if (hook.equals("onEpochEnd")) model.close();
                }
            };
            IllegalStateException e = assertThrows(IllegalStateException.class,
                    () -> m.fit(X, Y, new FitOptions().epochs(2).batchSize(2).verbose(0).callbacks(closer)));
            assertEquals("closed_in_" + hook + ".fit: the model was closed by a callback (in " + hook
                    + "); close it after fit returns", e.getMessage());
            assertEquals(live, liveBuffers.getAsLong(), hook + ": buffers left");
        }
    }

    @Test
    void aClosedBackendGivenToSetBackendStaysAndItsUseSaysToCallSetBackend() {
        Backend given = CpuBackend.create();
        Jrnn.setBackend(given);
        given.close();
        assertDoesNotThrow(Jrnn::clearSession);   // nothing to give back, the names still reset
        assertSame(given, Jrnn.backend());
        BackendClosedException e = assertThrows(BackendClosedException.class,
                () -> new Sequential(new Dense(2).inputShape(3)).predict(Tensor.full(1f, 1, 3)));
        assertEquals("cpu backend is closed (close() freed its buffers and those of the models built on it): build the "
                + "model again on an open backend (Jrnn.backend() replaces a closed default one, Jrnn.setBackend(\"cpu\") any other)", e.getMessage());
    }
}
