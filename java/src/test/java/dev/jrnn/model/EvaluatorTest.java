package dev.jrnn.model;

import dev.jrnn.Jrnn;
import dev.jrnn.backend.DTensor;
import dev.jrnn.layers.Dense;
import dev.jrnn.layers.Trace;
import dev.jrnn.tensor.Tensor;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Evaluator's calls when the model is closed on another thread while they run. */
class EvaluatorTest {
    /** The GUIDE's Scale layer, whose next call, once armed, waits in the middle of a predict until the model is closed. */
    private static final class Pausing extends CustomLayerTest.Scale {
        final CountDownLatch entered = new CountDownLatch(1);
        final CountDownLatch closed = new CountDownLatch(1);
        volatile boolean armed;

        @Override
        public Trace forward(List<DTensor> inputs, DTensor mask, boolean training) {
            if (armed) {
                armed = false;
                entered.countDown();
                try {
                    assertTrue(closed.await(30, TimeUnit.SECONDS));
                } catch (InterruptedException e) {
                    throw new AssertionError(e);
                }
            }
            return super.forward(inputs, mask, training);
        }
    }

    /**
     * A model closed by another thread while a predict runs (which the thread rules forbid): the predict ends in an
     * IllegalStateException naming the model and the call and saying it was closed meanwhile, the freed buffer's failure
     * as its cause. Before, it ended in the freed buffer's "cpu buffer of 34 floats used after close()", naming neither.
     */
    @Test
    void aPredictDuringACloseOnAnotherThreadNamesTheModelAndTheCall() throws Exception {
        Jrnn.setBackend("cpu");
        Jrnn.setSeed(3);
        Pausing scale = new Pausing();
        Sequential m = new Sequential(new Dense(4).inputShape(3), scale, new Dense(2));
        Tensor x = Tensor.full(0.5f, 2, 3);
        m.predict(x);   // built
        scale.armed = true;
        AtomicReference<Throwable> failed = new AtomicReference<>();
        Thread t = new Thread(() -> {
            try {
                m.predict(x);
            } catch (Throwable e) {
                failed.set(e);
            }
        });
        t.start();
        assertTrue(scale.entered.await(30, TimeUnit.SECONDS));
        m.close();
        scale.closed.countDown();
        t.join();
        Throwable e = failed.get();
        assertTrue(e instanceof IllegalStateException, String.valueOf(e));
        assertEquals(m.name() + ".predict: the model was closed while this call ran (close() on another thread);"
                + " close a model only once the calls on it have returned", e.getMessage());
        assertTrue(e.getCause() != null && e.getCause().getMessage().contains("after close()"), String.valueOf(e.getCause()));
    }
}
