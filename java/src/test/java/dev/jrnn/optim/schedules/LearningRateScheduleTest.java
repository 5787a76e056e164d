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

    /** PyTorch's CosineAnnealingWarmRestarts(T_0=4, T_mult=2, eta_min=0.005) from lr 0.1 (make_schedule_golden.py). */
    @Test
    void cosineDecayRestartsAsPyTorchsWarmRestarts() {
        double[] torch = {0.1, 0.086087572106361, 0.0525, 0.018912427893638995, 0.1, 0.09638427779428613, 0.086087572106361,
                0.07067746303734178, 0.0525, 0.03432253696265824, 0.018912427893638995, 0.00861572220571388, 0.1, 0.09908730081915346,
                0.09638427779428613, 0.09199480658437091, 0.086087572106361, 0.0788895860684311, 0.07067746303734178, 0.0617667902957661};
        CosineDecayRestarts c = new CosineDecayRestarts(0.1, 4).tMul(2).alpha(0.05);
        for (int t = 0; t < torch.length; t++) assertEquals(torch[t], c.at(t), 1e-12, "step " + t);
        // at every restart's exact step the rate starts over (tMul 3: restarts at 4, 16, 52, 160; 1.5: 4, 10, 19, 32.5)
        for (double tMul : new double[] {3, 1.5}) {
            CosineDecayRestarts r = new CosineDecayRestarts(0.1, 4).tMul(tMul);
            double start = 0, len = 4;
            for (int k = 0; k < 6; k++, start += len, len *= tMul) {
                if (start == Math.rint(start)) assertEquals(0.1, r.at((long) start), 1e-12, "tMul " + tMul + ", restart " + k + " at " + start);
            }
        }
        // tMul 1: equal periods; mMul scales each restart (Keras' formula by hand: period 1 starts at 0.1 * 0.5)
        CosineDecayRestarts m = new CosineDecayRestarts(0.1, 4).tMul(1).mMul(0.5);
        assertEquals(0.05, m.at(4), 1e-15);
        assertEquals(0.025, m.at(6), 1e-15);
        assertEquals(0.025, m.at(8), 1e-15);
    }

    /** PyTorch's PolynomialLR(total_iters=6, power=2) from lr 0.1 is Keras' PolynomialDecay with end_learning_rate 0. */
    @Test
    void polynomialDecayAsPyTorchsPolynomialLR() {
        double[] torch = {0.1, 0.06944444444444446, 0.04444444444444447, 0.02500000000000001, 0.011111111111111117,
                0.0027777777777777775, 0.0, 0.0, 0.0};
        PolynomialDecay p = new PolynomialDecay(0.1, 6).endLearningRate(0).power(2);
        for (int t = 0; t < torch.length; t++) assertEquals(torch[t], p.at(t), 1e-12, "step " + t);
        // cycle: the decay restarts over 2 x decaySteps after decaySteps, by Keras' formula (end 1e-4, power 1)
        PolynomialDecay cyc = new PolynomialDecay(0.1, 10).cycle(true);
        assertEquals(0.1, cyc.at(0), 1e-15);
        assertEquals(1e-4, cyc.at(10), 1e-15);
        assertEquals((0.1 - 1e-4) * (1 - 15 / 20.0) + 1e-4, cyc.at(15), 1e-15);
    }

    /**
     * Keras takes any values (a phase at rate 0 holds the weights, as a frozen start); jrnn takes them >= 0 (a negative
     * rate would be refused at the step), so a Keras file's schedule ending or starting at 0.0 compiles.
     */
    @Test
    void piecewiseConstantDecayTakesARateOfZero() {
        PiecewiseConstantDecay p = new PiecewiseConstantDecay(new long[] {2, 4}, new double[] {0.0, 0.1, 0.0});
        assertEquals(0.0, p.at(0));
        assertEquals(0.0, p.at(2));
        assertEquals(0.1, p.at(3));
        assertEquals(0.0, p.at(5));
        assertEquals(List.of(0.0, 0.1, 0.0), ((Map<?, ?>) p.config().get("config")).get("values"));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new PiecewiseConstantDecay(new long[] {2}, new double[] {0.1, -0.1}));
        assertEquals("PiecewiseConstantDecay: values must be a finite number >= 0, got -0.1", e.getMessage());
    }

    /** Keras' docstring formula: initial / (1 + rate * step / steps), floored with staircase. */
    @Test
    void inverseTimeDecay() {
        InverseTimeDecay d = new InverseTimeDecay(0.1, 1, 0.5);
        assertEquals(0.1, d.at(0), 1e-15);
        assertEquals(0.1 / 1.5, d.at(1), 1e-15);
        assertEquals(0.1 / 6, d.at(10), 1e-15);
        InverseTimeDecay s = new InverseTimeDecay(0.1, 4, 1).staircase(true);
        assertEquals(0.1, s.at(3), 1e-15);
        assertEquals(0.05, s.at(4), 1e-15);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new InverseTimeDecay(0.1, 0, 1));
        assertTrue(e.getMessage().contains("InverseTimeDecay: decaySteps must be a positive finite number, got 0.0"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new PolynomialDecay(0.1, 10).endLearningRate(-1));
        assertThrows(IllegalArgumentException.class, () -> new CosineDecayRestarts(0.1, 10).tMul(0));
    }
}
