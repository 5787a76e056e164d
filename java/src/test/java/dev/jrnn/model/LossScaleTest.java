package dev.jrnn.model;

import dev.jrnn.Jrnn;
import dev.jrnn.layers.Dense;
import dev.jrnn.layers.SimpleRNN;
import dev.jrnn.optim.Adam;
import dev.jrnn.optim.SGD;
import dev.jrnn.tensor.Tensor;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * The LossScaleOptimizer state of a model's compile: counted per train step as Keras' wrapper counts (the Keras-pinned
 * numbers are KerasLossScaleTest's), dropped by the next compile, put back with the update count when a step turns out
 * non-finite.
 */
class LossScaleTest {
    @BeforeEach
    void cpu() {
        Jrnn.setBackend("cpu");
        Jrnn.setSeed(3);
    }

    /** Keras' rule: counter (c + n) mod growth, the scale doubled at each wrap; a counter past growth only counts. */
    @Test
    void advancesAsKerasWrapper() {
        LossScale fresh = LossScale.dynamic("lso", 1024, 50);
        assertEquals(0, fresh.stepCounter());
        assertEquals(1024f, fresh.dynamicScale());
        LossScale a = fresh.withVariables(3, 0, 3, 1024).advanced(48);
        assertEquals(1, a.stepCounter());   // lso_state.json: 3 + 48 = 51 -> 1, one doubling
        assertEquals(2048f, a.dynamicScale());
        LossScale past = fresh.withVariables(0, 0, 70, 8).advanced(5);
        assertEquals(75, past.stepCounter());
        assertEquals(8f, past.dynamicScale());
        LossScale fixed = LossScale.fixed(128);
        assertSame(fixed, fixed.advanced(10));
        assertEquals(0x1p127f, LossScale.doubled(1024f, Long.MAX_VALUE));
        assertEquals(Float.MAX_VALUE, LossScale.doubled(Float.MAX_VALUE, 5));
        assertEquals(3f * 0x1p126f, LossScale.doubled(3f, 1000));
        assertEquals(6f, LossScale.doubled(3f, 1));
        assertEquals(Float.POSITIVE_INFINITY, LossScale.doubled(Float.POSITIVE_INFINITY, 1));
    }

    /** Each train step counts once (trainOnBatch and fit), whatever the optimizer's count says; a compile drops the wrapper. */
    @Test
    void countsTrainStepsAndEndsWithTheCompile() {
        try (Sequential m = new Sequential(new Dense(1).inputShape(2))) {
            m.compile(new Adam(0.01), "mse");
            m.lossScale(LossScale.dynamic("loss_scale_optimizer", 4, 3));
            Tensor x = Tensor.full(0.5f, 8, 2), y = Tensor.full(1f, 8, 1);
            m.trainOnBatch(x, y);
            m.optimizer().iterations(0);   // not the wrapper's count
            m.fit(x, y, new FitOptions().epochs(2).batchSize(4).verbose(0));
            assertEquals(5 % 3, m.lossScale().stepCounter());
            assertEquals(8f, m.lossScale().dynamicScale());
            m.evaluate(x, y);
            m.predict(x);
            assertEquals(5 % 3, m.lossScale().stepCounter(), "evaluate and predict count no step");
            m.compile(m.optimizer(), "mse");
            assertNull(m.lossScale());
        }
    }

    /**
     * A step found non-finite when the epoch's losses are read (after later steps ran) is not counted, nor are those after
     * it: the counter is put back with the update count (fit starts both at 0 here).
     */
    @Test
    void aNonFiniteStepIsNotCounted() {
        try (Sequential m = new Sequential(new SimpleRNN(5).inputShape(4, 2), new Dense(1))) {
            m.compile(new SGD(1e12), "mse");
            m.lossScale(LossScale.dynamic("loss_scale_optimizer", 1, 1000));
            Tensor x = Tensor.full(0.5f, 16, 4, 2), y = Tensor.full(1e18f, 16, 1);
            assertThrows(NonFiniteException.class, () -> m.fit(x, y, new FitOptions().epochs(50).batchSize(4).verbose(0).shuffle(false)));
            assertEquals(m.optimizer().iterations(), m.lossScale().stepCounter());
        }
    }

    /** 16 rows: x 0 and y 0 (loss and gradients 0: a finite step that changes nothing) but rows 8-11, which are {@code bad}. */
    private static Tensor[] zeroRowsAround(float badX, float badY) {
        float[] x = new float[16 * 2], y = new float[16];
        for (int r = 8; r < 12; r++) {
            x[2 * r] = badX;
            x[2 * r + 1] = badX;
            y[r] = badY;
        }
        return new Tensor[] {Tensor.wrap(x, 16, 2, 1), Tensor.wrap(y, 16, 1)};
    }

    /**
     * Non-finite gradients at the third of four steps of an epoch (all four pending in the loss log when it is read): the
     * wrapper is as after the two finite steps before it (growth 3: counter 2, scale 4, not a wrap), not counting the bad
     * step nor the one after it, which the device skipped.
     */
    @Test
    void nonFiniteGradientsLeaveTheWrapperAsAfterTheLastFiniteStep() {
        try (Sequential m = new Sequential(new SimpleRNN(1).inputShape(2, 1), new Dense(1))) {
            m.compile(new SGD(1e-3), "mse");
            // the infinite-gradients setup of NonFiniteTrainingTest: x 1e4 gives a finite loss and an overflowing gradient
            m.setWeights(java.util.List.of(Tensor.full(1e-4f, 1, 1), Tensor.zeros(1, 1), Tensor.zeros(1),
                    Tensor.full(1e18f, 1, 1), Tensor.zeros(1)));
            m.lossScale(LossScale.dynamic("loss_scale_optimizer", 4, 3));
            Tensor[] xy = zeroRowsAround(1e4f, 0f);
            NonFiniteException e = assertThrows(NonFiniteException.class,
                    () -> m.fit(xy[0], xy[1], new FitOptions().epochs(1).batchSize(4).verbose(0).shuffle(false)));
            assertEquals("gradients", e.quantity(), e.getMessage());
            assertEquals(2, e.batch());
            assertEquals(2, m.optimizer().iterations());
            assertEquals(2, m.lossScale().stepCounter());
            assertEquals(4f, m.lossScale().dynamicScale());
        }
    }

    /**
     * Finite gradients whose update overflows the weights at the third of four steps: Keras' wrapper counted that step (its
     * gradients were finite), so the wrapper is as after three steps (growth 3: counter 0, the scale doubled to 8), the
     * fourth, skipped, not counted.
     */
    @Test
    void anOverflowingUpdateCountsItsStep() {
        try (Sequential m = new Sequential(new SimpleRNN(1).inputShape(2, 1), new Dense(1))) {
            m.compile(new SGD(1e38), "mse");
            m.lossScale(LossScale.dynamic("loss_scale_optimizer", 4, 3));
            Tensor[] xy = zeroRowsAround(0.5f, 100f);
            NonFiniteException e = assertThrows(NonFiniteException.class,
                    () -> m.fit(xy[0], xy[1], new FitOptions().epochs(1).batchSize(4).verbose(0).shuffle(false)));
            assertEquals("weights", e.quantity(), e.getMessage());
            assertEquals(2, e.batch());
            assertEquals(3, m.optimizer().iterations());
            assertEquals(0, m.lossScale().stepCounter());
            assertEquals(8f, m.lossScale().dynamicScale());
        }
    }

    /**
     * A wrapper set by a callback after the bad step (the third of four) but before the loss log is read at the epoch's end
     * is the user's and stays: set at the last batch's end (after every step), as set; set at the bad batch's end, as set
     * too, the last step's count on it undone (the device skipped that step). Before, the old wrapper was put back over it.
     */
    @ParameterizedTest
    @ValueSource(ints = {2, 3})
    void aWrapperSetAfterTheBadStepIsKept(int setAt) {
        try (Sequential m = new Sequential(new SimpleRNN(1).inputShape(2, 1), new Dense(1))) {
            m.compile(new SGD(1e-3), "mse");
            m.setWeights(java.util.List.of(Tensor.full(1e-4f, 1, 1), Tensor.zeros(1, 1), Tensor.zeros(1),
                    Tensor.full(1e18f, 1, 1), Tensor.zeros(1)));
            m.lossScale(LossScale.dynamic("loss_scale_optimizer", 4, 3));
            LossScale mine = LossScale.dynamic("mine", 64, 10);
            Callback sets = new Callback() {
                @Override
                public void onBatchEnd(int batch, BatchLogs logs, Model model) {
                    if (batch == setAt) model.lossScale(mine);
                }
            };
            Tensor[] xy = zeroRowsAround(1e4f, 0f);
            NonFiniteException e = assertThrows(NonFiniteException.class, () -> m.fit(xy[0], xy[1],
                    new FitOptions().epochs(1).batchSize(4).verbose(0).shuffle(false).callbacks(sets)));
            assertEquals(2, e.batch(), e.getMessage());
            assertEquals("mine", m.lossScale().name());
            assertEquals(0, m.lossScale().stepCounter());
            assertEquals(64f, m.lossScale().dynamicScale());
        }
    }

    /** Equal settings and variables are equal; a fixed wrapper's meaningless name and growth steps are not compared. */
    @Test
    void equalWrappersAreEqual() {
        LossScale a = LossScale.dynamic("lso", 1024, 50).withVariables(3, 0, 3, 1024);
        LossScale b = LossScale.dynamic("lso", 1024, 50).withVariables(3, 0, 3, 1024);
        assertEquals(a, b);
        assertEquals(a.hashCode(), b.hashCode());
        assertEquals(a.advanced(48), b.advanced(48));
        org.junit.jupiter.api.Assertions.assertNotEquals(a, a.advanced(1));
        org.junit.jupiter.api.Assertions.assertNotEquals(a, LossScale.dynamic("other", 1024, 50).withVariables(3, 0, 3, 1024));
        org.junit.jupiter.api.Assertions.assertNotEquals(a, LossScale.dynamic("lso", 1024, 49).withVariables(3, 0, 3, 1024));
        assertEquals(LossScale.fixed(128), LossScale.saved(false, "named", 128, 7));
        assertEquals(LossScale.fixed(128).hashCode(), LossScale.saved(false, "named", 128, 7).hashCode());
        org.junit.jupiter.api.Assertions.assertNotEquals(LossScale.fixed(128), LossScale.fixed(256));
        assertEquals(LossScale.saved(true, "n", 1, 2).withVariables(0, 0, 0, Float.NaN), LossScale.saved(true, "n", 1, 2).withVariables(0, 0, 0, Float.NaN));
    }
}
