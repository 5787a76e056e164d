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
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
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

    /**
     * predictAll with a callback, the model closed by another thread while the callback runs: the call says the model was
     * closed on another thread. Before, Inference's check after the hook said "the model was closed by a callback".
     */
    @Test
    void aPredictWithACallbackClosedOnAnotherThreadSaysAnotherThread() throws Exception {
        Jrnn.setBackend("cpu");
        Jrnn.setSeed(3);
        Sequential m = new Sequential(new Dense(4).inputShape(3), new Dense(2));
        Tensor x = Tensor.full(0.5f, 4, 3);
        m.predict(x);
        CountDownLatch in = new CountDownLatch(1);
        CountDownLatch shut = new CountDownLatch(1);
        Thread t = new Thread(() -> {
            try {
                assertTrue(in.await(30, TimeUnit.SECONDS));
                m.close();
                shut.countDown();
            } catch (InterruptedException e) {
                throw new AssertionError(e);
            }
        });
        t.start();
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> m.predictAll(List.of(x), 1, null, new Callback() {
            @Override
            public void onPredictBatchEnd(int batch, List<Tensor> outputs, Model model) {
                in.countDown();
                try {
                    assertTrue(shut.await(30, TimeUnit.SECONDS));
                } catch (InterruptedException x) {
                    throw new AssertionError(x);
                }
            }
        }));
        t.join();
        assertEquals(m.name() + ".predict: the model was closed while this call ran (close() on another thread);"
                + " close a model only once the calls on it have returned", e.getMessage());
    }

    /**
     * A callback that closes the model on predict's own thread and then throws its own exception: the caller gets that
     * exception as it is. Before, it became an IllegalStateException blaming a close() on another thread.
     */
    @Test
    void aCallbackThatClosesTheModelAndThrowsGetsItsOwnException() {
        Jrnn.setBackend("cpu");
        Jrnn.setSeed(3);
        Sequential m = new Sequential(new Dense(4).inputShape(3), new Dense(2));
        Tensor x = Tensor.full(0.5f, 4, 3);
        m.predict(x);
        UnsupportedOperationException own = new UnsupportedOperationException("user's own failure");
        UnsupportedOperationException e = assertThrows(UnsupportedOperationException.class, () -> m.predictAll(List.of(x), 1, null, new Callback() {
            @Override
            public void onPredictBatchEnd(int batch, List<Tensor> outputs, Model model) {
                model.close();
                throw own;
            }
        }));
        assertSame(own, e);
    }
}
