package dev.jrnn.model;

import dev.jrnn.Jrnn;
import dev.jrnn.layers.Dense;
import dev.jrnn.tensor.Tensor;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class CallbackTest {
    @BeforeAll
    static void cpu() {
        Jrnn.setBackend("cpu");
    }

    /** Counts onBatchEnd calls; asks for them only when {@code wants}. */
    static final class Counter implements Callback {
        final boolean wants;
        final List<Double> losses = new ArrayList<>();

        Counter(boolean wants) { this.wants = wants; }

        @Override
        public boolean needsBatchEnd() { return wants; }

        @Override
        public void onBatchEnd(int batch, double loss, Model model) { losses.add(loss); }
    }

    @Test
    void onBatchEndRunsOnlyForCallbacksThatAskForIt() {
        Jrnn.setSeed(1);
        Sequential m = new Sequential(new Dense(1).inputShape(2));
        m.compile("sgd", "mse");
        Counter yes = new Counter(true), no = new Counter(false);
        Tensor x = Tensor.of(new float[] {1, 2, 3, 4, 5, 6, 7, 8}, 4, 2), y = Tensor.of(new float[] {1, 0, 1, 0}, 4, 1);
        History h = m.fit(x, y, new FitOptions().epochs(2).batchSize(2).verbose(0).shuffle(false).callbacks(yes, no));
        assertEquals(4, yes.losses.size(), "two batches in each of two epochs");
        assertTrue(no.losses.isEmpty());
        // the epoch's loss is the sample-weighted mean of its batches' losses (equal batches: the plain mean)
        assertEquals((yes.losses.get(0) + yes.losses.get(1)) / 2, h.get("loss").get(0), 1e-6);
        assertFalse(Callback.onEpochEnd((e, l) -> {}).needsBatchEnd());
    }
}
