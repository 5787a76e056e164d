package dev.jrnn.optim.schedules;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** ExponentialDecay, PiecewiseConstantDecay and CosineDecay against values worked out by hand (python, float64). */
class LearningRateScheduleTest {
    @Test
    void exponentialDecay() {
        ExponentialDecay d = new ExponentialDecay(0.1, 100, 0.96);
        assertEquals(0.1, d.at(0), 1e-15);
        assertEquals(0.09029798987795908, d.at(250), 1e-15);
        assertEquals(0.09216, d.staircase(true).at(250), 1e-15);   // floor(2.5) = 2
        assertThrows(IllegalArgumentException.class, () -> new ExponentialDecay(0.1, 0, 0.5));
    }

    @Test
    void piecewiseConstantDecay() {
        PiecewiseConstantDecay p = new PiecewiseConstantDecay(new long[] {100, 200}, new double[] {1.0, 0.5, 0.1});
        assertEquals(1.0, p.at(0));
        assertEquals(1.0, p.at(100));   // step <= boundary: still the first value
        assertEquals(0.5, p.at(101));
        assertEquals(0.5, p.at(200));
        assertEquals(0.1, p.at(201));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new PiecewiseConstantDecay(new long[] {100}, new double[] {1.0}));
        assertEquals("PiecewiseConstantDecay: the length of boundaries should be 1 less than the length of values, got 1 boundaries"
                + " and 1 values", e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new PiecewiseConstantDecay(new long[] {5, 5}, new double[] {1, 2, 3}));
    }

    @Test
    void cosineDecayWithAlphaAndWarmup() {
        CosineDecay c = new CosineDecay(0.1, 1000).alpha(0.1);
        assertEquals(0.1, c.at(0), 1e-15);
        assertEquals(0.08681980515339464, c.at(250), 1e-15);
        assertEquals(0.01, c.at(1000), 1e-15);
        assertEquals(0.01, c.at(5000), 1e-15);   // held after decaySteps
        CosineDecay w = new CosineDecay(0.0, 1000).warmup(1e-2, 100);
        assertEquals(0.0, w.at(0), 1e-15);
        assertEquals(0.003, w.at(30), 1e-15);
        assertEquals(1e-2, w.at(100), 1e-15);
        assertEquals(0.009938441702975689, w.at(150), 1e-15);
        assertEquals(0.0, w.at(1100), 1e-15);
        assertThrows(IllegalArgumentException.class, () -> new CosineDecay(0.1, 10).alpha(2));
    }
}
