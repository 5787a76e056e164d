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

/** Evaluator's calls and a close() on another thread or in their own callbacks. */
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
     * close() on another thread while a predict runs returns at once and frees the buffers when that predict returns:
     * the predict ends as it would alone, a new call meanwhile is refused as closed, and the model is closed once the
     * predict is out (its buffers freed on the predict's thread). Before (the first guard), the close was refused, and
     * a try-with-resources or shutdown hook that closed the model threw and left its memory held; before the guard,
     * close freed the weights under the predict, which ended in "the model was closed while this call ran".
     */
    @Test
    void aCloseDuringAPredictOnAnotherThreadWaitsForIt() throws Exception {
        closeDuring("predict", (m, x) -> m.predict(x));
    }

    /**
     * The same for each call on tensors (evaluate, call, predictOnBatch, a predict given callbacks): the guard holds the
     * close until the call returns, so the call gives its result as alone and the closed model says "the model is
     * closed"; no call can fail on a buffer freed under it (the relabelling "closed while this call ran" is gone).
     */
    @Test
    void aCloseDuringAnyCallOnTensorsWaitsForIt() throws Exception {
        closeDuring("evaluate", (m, x) -> m.evaluate(x, Tensor.full(0.25f, 2, 2)));
        closeDuring("call", (m, x) -> m.call(x, false));
        closeDuring("predict", (m, x) -> m.predictOnBatch(x));
        closeDuring("predict", (m, x) -> m.predictAll(List.of(x), 1, null, new Callback() {}).get(0));
    }

    /** Closes a model on this thread while {@code call} (named {@code what} in messages) runs on another. */
    private static void closeDuring(String what, java.util.function.BiFunction<Sequential, Tensor, Object> call) throws Exception {
        Jrnn.setBackend("cpu");
        Jrnn.setSeed(3);
        Pausing scale = new Pausing();
        Sequential m = new Sequential(new Dense(4).inputShape(3), scale, new Dense(2));
        m.compile("sgd", "mse");
        Tensor x = Tensor.full(0.5f, 2, 3);
        Object alone = call.apply(m, x);   // built
        scale.armed = true;
        AtomicReference<Object> got = new AtomicReference<>();
        Thread t = new Thread(() -> {
            try {
                got.set(call.apply(m, x));
            } catch (Throwable e) {
                got.set(e);
            }
        }, "predicting");
        t.start();
        assertTrue(scale.entered.await(30, TimeUnit.SECONDS));
        IllegalStateException meanwhile;
        try {
            m.close();
            m.close();   // a second close while it drains: nothing
            meanwhile = assertThrows(IllegalStateException.class, () -> call.apply(m, x));
            assertTrue(!m.closed(), "the buffers are held while the predict runs");
        } finally {
            scale.closed.countDown();
            t.join();
        }
        assertEquals(m.name() + "." + what + ": the model is closed", meanwhile.getMessage());
        assertEquals(alone, got.get());
        assertTrue(m.closed());
        assertEquals(m.name() + "." + what + ": the model is closed", assertThrows(IllegalStateException.class, () -> call.apply(m, x)).getMessage());
        assertEquals(m.name() + ".setWeights: the model is closed",
                assertThrows(IllegalStateException.class, () -> m.setWeights(List.of())).getMessage());
    }

    /**
     * A callback that closes the model on predict's own thread and then throws its own exception: the caller gets that
     * exception as it is (one thread: the guard lets a predict's own callback change the model). Before the guard's
     * per-thread count, the close was refused as "in use by this thread's own predict".
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
        assertTrue(m.closed());
    }

    /**
     * A callback that closes the model on predict's own thread (and does not throw): the predict ends in "closed by a
     * callback" before its next batch would use the freed weights.
     */
    @Test
    void aPredictsCallbackThatClosesTheModelEndsThePredict() {
        Jrnn.setBackend("cpu");
        Jrnn.setSeed(3);
        Sequential m = new Sequential(new Dense(4).inputShape(3), new Dense(2));
        Tensor x = Tensor.full(0.5f, 4, 3);
        m.predict(x);
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> m.predictAll(List.of(x), 1, null, new Callback() {
            @Override
            public void onPredictBatchEnd(int batch, List<Tensor> outputs, Model model) {
                model.close();
            }
        }));
        assertTrue(e.getMessage().startsWith(m.name() + ".predict: the model was closed by a callback (in onPredictBatchEnd)"), e.getMessage());
    }
}
