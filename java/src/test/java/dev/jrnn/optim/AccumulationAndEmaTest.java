package dev.jrnn.optim;

import dev.jrnn.Jrnn;
import dev.jrnn.layers.Dense;
import dev.jrnn.layers.ParamStore;
import dev.jrnn.model.BackupAndRestore;
import dev.jrnn.model.Callback;
import dev.jrnn.model.FitOptions;
import dev.jrnn.model.Model;
import dev.jrnn.model.Models;
import dev.jrnn.model.Sequential;
import dev.jrnn.optim.schedules.ExponentialDecay;
import dev.jrnn.tensor.Tensor;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

import static dev.jrnn.optim.OptimizerTest.P0;
import static dev.jrnn.optim.OptimizerTest.be;
import static dev.jrnn.optim.OptimizerTest.setGrads;
import static dev.jrnn.optim.OptimizerTest.store;
import static dev.jrnn.optim.OptimizerTest.values;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Keras 3's gradient_accumulation_steps and use_ema on jrnn's optimizers ({@link AccumulationAndEma}): fits against
 * src/test/resources/optimref/keras_accumulation_ema.py (Keras' base_optimizer, adam and sgd transcribed to float64 numpy,
 * independently of jrnn), a killed fit resumed mid-accumulation, the file round trip, the NaN guard, the capture phases.
 */
class AccumulationAndEmaTest {
    @BeforeAll
    static void cpu() {
        OptimizerTest.cpu();
        Jrnn.setBackend("cpu");
    }

    @TempDir
    Path tmp;

    private static final int N = 14;
    private static final Tensor X, Y;

    static {
        float[] x = new float[N * 3], y = new float[N * 2];
        for (int i = 0; i < N; i++) {
            for (int j = 0; j < 3; j++) x[i * 3 + j] = (float) (((i * 7 + j * 3) % 11 - 5) / 5.0);
            for (int k = 0; k < 2; k++) y[i * 2 + k] = (float) (((i * 5 + k * 2) % 7 - 3) / 3.0);
        }
        X = Tensor.of(x, N, 3);
        Y = Tensor.of(y, N, 2);
    }

    /** The script's model: Dense(2) on 3 inputs, kernel 0.1 * (j - k) + 0.05, bias [0.1, -0.2]. */
    private static Sequential model(Optimizer opt) {
        Sequential m = new Sequential(new Dense(2).inputShape(3));
        m.compile(opt, "mse");
        float[] w = new float[6];
        for (int j = 0; j < 3; j++) for (int k = 0; k < 2; k++) w[j * 2 + k] = (float) (0.1 * (j - k) + 0.05);
        m.setWeights(List.of(Tensor.of(w, 3, 2), Tensor.of(new float[] {0.1f, -0.2f}, 2)));
        return m;
    }

    private static ExponentialDecay schedule() { return new ExponentialDecay(0.05, 4, 0.5); }

    private static FitOptions options() { return new FitOptions().epochs(4).batchSize(4).shuffle(false).verbose(0); }

    private static float[] flat(Model m) {
        List<Tensor> ws = m.getWeights();
        float[] a = ws.get(0).toArray(), b = ws.get(1).toArray();
        float[] r = new float[a.length + b.length];
        System.arraycopy(a, 0, r, 0, a.length);
        System.arraycopy(b, 0, r, a.length, b.length);
        return r;
    }

    private static void near(String what, double[] want, float[] got) {
        assertEquals(want.length, got.length, what);
        for (int i = 0; i < want.length; i++) assertEquals(want[i], got[i], 2e-6 + 1e-5 * Math.abs(want[i]), what + ": " + i);
    }

    /** keras_accumulation_ema.py's output. */
    private static final double[] ACC_ADAM = {-0.14143389210827442, -0.18477632005736114, -0.03742795067613276, -0.641069347727103,
            0.26484363588059034, 0.24730972974526427, 0.1733432308990477, -0.7604883832970883};
    private static final double[] ACC_SGD = {-0.15803437407102316, -0.1765497663619047, -0.04389758826121958, -0.6418218231245609,
            0.2955829535311834, 0.2314167558946188, 0.19022797097120375, -0.775453431492727};
    private static final double[] ACC_SGD_EMA = {-0.16483626264251766, -0.17619496235272344, -0.0433368972264754, -0.6567506913189988,
            0.3087133551617296, 0.22824857033059698, 0.20249893673996788, -0.8009262184244819};

    /**
     * Four epochs of 4 batches (16 calls: with 3 steps updates at calls 3, 6, ..., 15 and the 16th left in the accumulator),
     * clipnorm 0.5 and an ExponentialDecay over the calls: the weights after fit (with EMA the average fit's end puts in),
     * the accumulator left and the call count are Keras'.
     */
    @Test
    void fitMatchesKerasAccumulationAndEmaOverEpochsWhoseBatchesTheStepsDoNotDivide() {
        record Case(String name, Supplier<Optimizer> opt, double[] weights, double[] acc) {}
        List<Case> cases = List.of(
                new Case("adam steps 3 ema 0.9", () -> new Adam(schedule()).clipnorm(0.5).gradientAccumulationSteps(3).useEma(true)
                        .emaMomentum(0.9), new double[] {0.022961442993005645, 0.006890425896146861, 0.20634622237916722,
                        0.014853213884148871, 0.18956205495817732, 0.20034318799331066, 0.041182047507903205, -0.14213053838006157}, ACC_ADAM),
                new Case("sgd steps 3 ema 0.8 freq 2", () -> new SGD(schedule()).momentum(0.9).clipnorm(0.5).gradientAccumulationSteps(3)
                        .useEma(true).emaMomentum(0.8).emaOverwriteFrequency(2), new double[] {0.048881059558234435, -0.03802373386136031,
                        0.1577012073542967, 0.04174630655919221, 0.23745905711385576, 0.1559349746282326, 0.08779259925029854,
                        -0.18278186051218415}, ACC_SGD_EMA),
                new Case("adam steps 1 ema 0.9", () -> new Adam(schedule()).clipnorm(0.5).useEma(true).emaMomentum(0.9),
                        new double[] {0.10106409947594872, -0.06283550875383202, 0.26616765423647976, -0.06068103923070518,
                        0.13262888095245737, 0.25074042494671445, 0.003750986663801781, -0.08722070780182392}, null),
                new Case("adam steps 3", () -> new Adam(schedule()).clipnorm(0.5).gradientAccumulationSteps(3),
                        new double[] {0.02685174764283344, 0.024307962054254575, 0.22031093650087089, 0.016701474021243633,
                        0.17016636025836057, 0.207158908199397, 0.024140033658670804, -0.12455848568617763}, ACC_ADAM),
                new Case("sgd steps 3", () -> new SGD(schedule()).momentum(0.9).clipnorm(0.5).gradientAccumulationSteps(3),
                        new double[] {0.05015436755152549, -0.019268893937670145, 0.17176493066066406, 0.03628860392218263,
                        0.2150290021510418, 0.16406994550367268, 0.06566611338542418, -0.14696691583882457}, ACC_SGD));
        for (Case c : cases) {
            try (Sequential m = model(c.opt().get())) {
                m.fit(X, Y, options());
                near(c.name() + ": weights", c.weights(), flat(m));
                assertEquals(16, m.optimizer().iterations(), c.name());
                Map<String, float[]> state = m.optimizer().state();
                if (c.acc() == null) assertEquals(false, state.containsKey("gradient_accumulator"), c.name());
                else near(c.name() + ": accumulator", c.acc(), state.get("gradient_accumulator"));
            }
        }
    }

    private static Callback killAt(int at) {
        return new Callback() {
            @Override
            public void onEpochEnd(int epoch, Map<String, Double> logs, Model model) {
                if (epoch == at) throw new IllegalStateException("killed");
            }
        };
    }

    /**
     * A fit killed after epoch 2 (8 calls: two gradients in the accumulator, the EMA under way) and run again from its
     * BackupAndRestore file ends bit for bit as the uninterrupted one, for Adam (device-side t) and SGD with momentum.
     */
    @Test
    void aFitKilledMidAccumulationResumesBitForBit() {
        List<Supplier<Optimizer>> opts = List.of(
                () -> new Adam(schedule()).clipnorm(0.5).gradientAccumulationSteps(3).useEma(true).emaMomentum(0.9),
                () -> new SGD(0.05).momentum(0.9).gradientAccumulationSteps(3).useEma(true).emaMomentum(0.8).emaOverwriteFrequency(2));
        int i = 0;
        for (Supplier<Optimizer> opt : opts) {
            Path dir = tmp.resolve("backup" + i++);
            float[] straight;
            try (Sequential m = model(opt.get())) {
                m.fit(X, Y, options());
                straight = flat(m);
            }
            try (Sequential m = model(opt.get())) {
                assertThrows(IllegalStateException.class, () -> m.fit(X, Y, options().callbacks(new BackupAndRestore(dir), killAt(1))));
                assertEquals(8, m.optimizer().iterations());
            }
            try (Sequential m = model(opt.get())) {
                m.fit(X, Y, options().callbacks(new BackupAndRestore(dir)));
                assertArrayEquals(straight, flat(m), "resumed " + i);
            }
        }
    }

    /**
     * model.save writes the options under Keras' get_config keys and the accumulator and average with the optimizer state;
     * the loaded model compiles with them and holds the same state.
     */
    @Test
    void savedModelComesBackWithTheOptionsAndTheirState() throws Exception {
        Path file = tmp.resolve("m.keras");
        try (Sequential m = model(new Adam(0.01).gradientAccumulationSteps(3).useEma(true).emaMomentum(0.95).emaOverwriteFrequency(4))) {
            m.fit(X, Y, options().epochs(1));   // 4 calls: one gradient accumulated
            Map<String, Object> c = m.optimizer().config();
            assertEquals(List.of(true, 0.95, 4L, 3L), List.of(c.get("use_ema"), c.get("ema_momentum"), c.get("ema_overwrite_frequency"),
                    c.get("gradient_accumulation_steps")));
            m.save(file);
            Map<String, float[]> state = m.optimizer().state();
            assertEquals(java.util.Set.of("m", "v", "gradient_accumulator", "average"), state.keySet());
            try (Model back = Models.load(file)) {
                Optimizer o = back.optimizer();
                assertEquals(List.of(3, true, 0.95f, 4), List.of(o.gradientAccumulationSteps(), o.useEma(), o.emaMomentum(), o.emaOverwriteFrequency()));
                assertEquals(4, o.iterations());
                Map<String, float[]> got = o.state();
                assertEquals(state.keySet(), got.keySet());
                for (String k : state.keySet()) assertArrayEquals(state.get(k), got.get(k), k);
            }
        }
        // the defaults as Keras writes them: None for off
        Map<String, Object> d = new SGD().config();
        assertEquals(java.util.Arrays.asList(false, 0.99, null, null), java.util.Arrays.asList(d.get("use_ema"), d.get("ema_momentum"),
                d.get("ema_overwrite_frequency"), d.get("gradient_accumulation_steps")));
    }

    /**
     * Keras' first accumulated iteration takes the weights themselves as the average (momentum 0 while iterations // steps is
     * 0, three calls with 3 steps); a step the NaN guard skips leaves weights, accumulator and average as they were.
     */
    @Test
    void emaStartsAtTheWeightsAndAGuardedStepChangesNothing() {
        ParamStore s = store(P0);
        Optimizer opt = new SGD(0.1).gradientAccumulationSteps(2).useEma(true).emaMomentum(0.5);
        float[] g1 = {1, 2, 3, 4, 5}, g2 = {3, 2, 1, 0, -1};
        setGrads(s, g1);
        opt.step(s, s.params(), s.size());   // call 0 accumulates: weights and average P0
        assertArrayEquals(P0, values(s));
        assertArrayEquals(P0, opt.state().get("average"));
        assertArrayEquals(g1, opt.state().get("gradient_accumulator"));
        var guard = be.alloc(1);
        be.fill(guard, 0, 1, 1f);
        setGrads(s, g2);
        opt.step(s, s.params(), s.size(), guard, null);
        assertArrayEquals(P0, values(s));
        assertArrayEquals(g1, opt.state().get("gradient_accumulator"));
        assertArrayEquals(P0, opt.state().get("average"));
        opt.iterations(1);   // the caller undoes the skipped call's count, as fit does
        setGrads(s, g2);   // the gradients are the step's scratch: a train step computes them afresh
        opt.step(s, s.params(), s.size());   // call 1 updates from (g2 + g1) / 2 = 2 each; iterations // 2 is still 0
        float[] want = new float[5];
        for (int i = 0; i < 5; i++) want[i] = P0[i] - 0.1f * 2f;
        assertArrayEquals(want, values(s), 1e-7f);
        assertArrayEquals(values(s), opt.state().get("average"));
        assertArrayEquals(new float[5], opt.state().get("gradient_accumulator"));
        guard.close();
    }

    /**
     * State restored without an average (a file saved before useEma was on, or a weight unfrozen into an EMA optimizer):
     * the average starts at the weights, not at 0, so a finalize after later steps does not shrink them (review finding).
     */
    @Test
    void aRestoredStateWithoutAnAverageStartsItAtTheWeights() {
        ParamStore s = store(P0);
        Optimizer opt = new SGD(0.1).useEma(true).emaMomentum(0.5);
        opt.restoreState(s, s.size(), 4, Map.of());
        assertArrayEquals(P0, opt.state().get("average"));
        setGrads(s, new float[] {0, 0, 0, 0, 0});
        opt.step(s, s.params(), s.size());   // a zero update: the weights stay, their average with them
        opt.finalizeVariableValues(s, s.size());
        assertArrayEquals(P0, values(s), 1e-7f);
    }

    /**
     * An update that makes the weights non-finite: the train step's check between the update and the average restores the
     * weights and sets the guard, so the average keeps its finite value (it took the Inf weights before: review finding).
     */
    @Test
    void weightsTheGuardRestoresDoNotReachTheAverage() {
        ParamStore s = store(P0);
        Optimizer opt = new SGD(1).useEma(true).emaMomentum(0.5);
        var guard = be.alloc(1);
        be.fill(guard, 0, 1, 0f);
        var backup = be.alloc(P0.length);
        be.copy(s.values(), 0, backup, 0, P0.length);
        setGrads(s, new float[] {Float.POSITIVE_INFINITY, 0, 0, 0, 0});
        opt.step(s, s.params(), s.size(), guard, () -> {   // as TrainStep's weights check
            be.finiteGuard(P0.length, s.values(), 0, 3f, guard, 0);
            be.copyIfGuard(P0.length, guard, 0, backup, 0, s.values(), 0);
        });
        assertArrayEquals(P0, values(s));
        float[] avg = opt.state().get("average");
        for (int i = 0; i < avg.length; i++) assertTrue(Float.isFinite(avg[i]), "average[" + i + "] " + avg[i]);
        guard.close();
        backup.close();
    }

    /**
     * finalizeVariableValues: nothing without useEma or before a step on the store; the average switched on between steps
     * starts at the weights (not at 0, which Keras' build would give but no Keras optimizer can switch to later).
     */
    @Test
    void finalizeTakesTheAverageOnlyWithEmaAndALateEmaStartsAtTheWeights() {
        ParamStore s = store(P0);
        Optimizer opt = new SGD(0.1);
        opt.finalizeVariableValues(s, s.size());
        assertArrayEquals(P0, values(s));
        setGrads(s, new float[] {1, 1, 1, 1, 1});
        opt.step(s, s.params(), s.size());
        float[] after = values(s);
        opt.finalizeVariableValues(s, s.size());
        assertArrayEquals(after, values(s));
        opt.useEma(true).emaMomentum(0.5);
        setGrads(s, new float[] {1, 1, 1, 1, 1});
        opt.step(s, s.params(), s.size());   // the average starts at `after`, then 0.5 * after + 0.5 * (after - 0.1)
        float[] now = values(s);
        opt.finalizeVariableValues(s, s.size());
        for (int i = 0; i < 5; i++) assertEquals(after[i] - 0.05f, values(s)[i], 1e-6f, "weight " + i);
        assertEquals(after[0] - 0.1f, now[0], 1e-6f);
    }

    /** The phase a captured step is keyed by: update or not, an overwrite (Keras' counts); the EMA's first iteration eager (-1). */
    @Test
    void capturePhaseFollowsKerasCounts() {
        Optimizer opt = new Adam().gradientAccumulationSteps(3).useEma(true).emaOverwriteFrequency(2);
        List<Integer> phases = new ArrayList<>();
        for (int c = 0; c < 9; c++) {
            opt.iterations(c);
            phases.add(opt.capturePhase());
        }
        // calls 0-2: iterations 0 (the EMA's first: eager); 3-5: 1 (overwrite); 6-8: 2; the update at 2, 5, 8
        assertEquals(List.of(-1, -1, -1, 4, 4, 5, 0, 0, 1), phases);
        opt.gradientAccumulationSteps(1).useEma(false);
        opt.iterations(5);
        assertEquals(1, opt.capturePhase());
    }
}
