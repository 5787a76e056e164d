package dev.jrnn.optim;

import dev.jrnn.backend.OptimizerArgs;
import dev.jrnn.backend.OptimizerReference;
import dev.jrnn.layers.ParamStore;
import dev.jrnn.optim.schedules.ExponentialDecay;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.function.Supplier;

import static dev.jrnn.optim.OptimizerTest.G;
import static dev.jrnn.optim.OptimizerTest.P0;
import static dev.jrnn.optim.OptimizerTest.setGrads;
import static dev.jrnn.optim.OptimizerTest.store;
import static dev.jrnn.optim.OptimizerTest.values;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** RMSprop, Adagrad, AdamW and Nadam through the Optimizer API on the CPU, against Keras' rules in double. */
class FusedOptimizerTest {
    @BeforeAll
    static void cpu() {
        OptimizerTest.cpu();
    }

    private static final float[][] GRADS = {G[0], G[1], {0.5f, 0.5f, -0.5f, -2f, 0.01f}, {1f, -1f, 0.2f, 0.3f, -0.4f}};

    private static double[] p0() {
        double[] p = new double[P0.length];
        for (int i = 0; i < p.length; i++) p[i] = P0[i];
        return p;
    }

    /** Runs four updates of {@code opt} and of {@code ref} side by side, comparing the weights after each. */
    private static void trajectory(String what, Optimizer opt, OptimizerReference ref) {
        ParamStore s = store(P0);
        for (int t = 0; t < GRADS.length; t++) {
            setGrads(s, GRADS[t]);
            double lr = opt.learningRate();
            opt.step(s, s.params(), s.size());
            ref.step(GRADS[t], lr);
            float[] got = values(s);
            for (int i = 0; i < got.length; i++) {
                assertEquals(ref.p[i], got[i], 2e-6 * Math.max(1, Math.abs(ref.p[i])), what + ": param " + i + " after step " + (t + 1));
            }
        }
        assertEquals(GRADS.length, opt.iterations(), what);
    }

    @Test
    void trajectoriesMatchKerasRules() {
        trajectory("rmsprop", new RMSprop(0.01), new OptimizerReference(OptimizerArgs.Kind.RMSPROP, p0(), 0, 0.01, 0.9, 0, 1e-7, 0, false));
        trajectory("rmsprop momentum centered", new RMSprop(0.01).rho(0.8).momentum(0.5).centered(true).epsilon(1e-6),
                new OptimizerReference(OptimizerArgs.Kind.RMSPROP, p0(), 0, 0.01, 0.8f, 0.5, 1e-6f, 0, true));
        trajectory("adagrad", new Adagrad(0.1), new OptimizerReference(OptimizerArgs.Kind.ADAGRAD, p0(), 0.1f, 0.1, 0, 0, 1e-7f, 0, false));
        trajectory("adamw", new AdamW(0.01), new OptimizerReference(OptimizerArgs.Kind.ADAMW, p0(), 0, 0.01, 0.9f, 0.999f, 1e-7f, 0.004f, false));
        trajectory("nadam", new Nadam(0.01), new OptimizerReference(OptimizerArgs.Kind.NADAM, p0(), 0, 0.01, 0.9f, 0.999f, 1e-7f, 0, false));
        trajectory("adamax", new Adamax(0.01), new OptimizerReference(OptimizerArgs.Kind.ADAMAX, p0(), 0, 0.01, 0.9f, 0.999f, 1e-7f, 0, false));
        trajectory("adamax betas, epsilon, weight decay", new Adamax(0.02).beta1(0.7).beta2(0.9).epsilon(1e-3).weightDecay(0.05),
                new OptimizerReference(OptimizerArgs.Kind.ADAMAX, p0(), 0, 0.02, 0.7f, 0.9f, 1e-3f, 0.05f, false));
        trajectory("adadelta", new Adadelta(1.0), new OptimizerReference(OptimizerArgs.Kind.ADADELTA, p0(), 0, 1.0, 0.95f, 0, 1e-7f, 0, false));
        trajectory("adadelta rho, epsilon", new Adadelta(0.5).rho(0.9).epsilon(1e-4),
                new OptimizerReference(OptimizerArgs.Kind.ADADELTA, p0(), 0, 0.5, 0.9f, 0, 1e-4f, 0, false));
        trajectory("lion", new Lion(0.01), new OptimizerReference(OptimizerArgs.Kind.LION, p0(), 0, 0.01, 0.9f, 0.99f, 0, 0, false));
        trajectory("lion betas, weight decay", new Lion(0.003).beta1(0.5).beta2(0.9).weightDecay(0.1),
                new OptimizerReference(OptimizerArgs.Kind.LION, p0(), 0, 0.003, 0.5f, 0.9f, 0, 0.1f, false));
        trajectory("nadam weight decay", new Nadam(0.01).weightDecay(0.05),
                new OptimizerReference(OptimizerArgs.Kind.NADAM, p0(), 0, 0.01, 0.9f, 0.999f, 1e-7f, 0.05f, false));
    }

    /** One step from p = 1 with g = 0.5 at Keras' defaults, worked out by hand (python, float64). */
    @Test
    void firstStepGoldenValues() {
        String[] names = {"rmsprop", "adagrad", "adamw", "nadam", "adamax", "adadelta", "lion"};
        // adamax: 1 - (0.001 / (1 - 0.9)) * 0.05 / (0.5 + 1e-7), Keras 3's adamax.py
        double[] want = {0.9968377286643679, 0.9991548458660078, 0.9989960063245154, 0.9989372124092487, 0.9990000001999999,
                1 - 0.001 * Math.sqrt(1e-7) * 0.5 / Math.sqrt(0.05 * 0.25 + 1e-7),   // adadelta, Keras 3's adadelta.py from zero state
                1 - 0.001};   // lion: p -= lr sign(0.9 * 0 + 0.1 * 0.5)
        for (int k = 0; k < names.length; k++) {
            Optimizer opt = Optimizers.of(names[k]);
            ParamStore s = store(new float[] {1f, 1f, 1f, 1f, 1f});
            setGrads(s, new float[] {0.5f, 0.5f, 0.5f, 0.5f, 0.5f});
            opt.step(s, s.params(), s.size());
            assertEquals(want[k], values(s)[0], 1e-7, names[k]);
        }
    }

    @Test
    void kerasDefaultsAndNames() {
        RMSprop r = assertInstanceOf(RMSprop.class, Optimizers.of("RMSprop"));
        assertEquals(0.001f, r.learningRate());
        assertEquals(0.9f, r.rho());
        assertEquals(0f, r.momentum());
        assertEquals(1e-7f, r.epsilon());
        assertEquals(false, r.centered());
        Adagrad a = assertInstanceOf(Adagrad.class, Optimizers.of("adagrad"));
        assertEquals(0.001f, a.learningRate());
        assertEquals(0.1f, a.initialAccumulatorValue());
        AdamW w = assertInstanceOf(AdamW.class, Optimizers.of("adamw"));
        assertEquals(0.004f, w.weightDecay());
        assertEquals(0.9f, w.beta1());
        assertEquals(0.999f, w.beta2());
        Nadam n = assertInstanceOf(Nadam.class, Optimizers.of("nadam"));
        assertEquals(0f, n.weightDecay());
        assertEquals(0.001f, n.learningRate());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new RMSprop().rho(1));
        assertTrue(e.getMessage().startsWith("RMSprop: rho"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new AdamW().weightDecay(-1));
        assertThrows(IllegalArgumentException.class, () -> new Adagrad().initialAccumulatorValue(Double.NaN));
        assertThrows(IllegalArgumentException.class, () -> new Nadam(-0.1));   // 0 is taken, as Keras takes it
    }

    /** A set update count reloads the device counter: the next update runs with t = n + 1 (bias corrections, Nadam's product). */
    @Test
    void setIterationsContinuesTheCountedRules() {
        for (Supplier<FusedOptimizer> make : java.util.List.<Supplier<FusedOptimizer>>of(() -> new AdamW(0.01), () -> new Nadam(0.01))) {
            FusedOptimizer opt = make.get();
            boolean nadam = opt instanceof Nadam;
            OptimizerReference ref = new OptimizerReference(nadam ? OptimizerArgs.Kind.NADAM : OptimizerArgs.Kind.ADAMW, p0(), 0, 0.01,
                    0.9f, 0.999f, 1e-7f, opt.weightDecay(), false);
            ParamStore s = store(P0);
            setGrads(s, GRADS[0]);
            opt.step(s, s.params(), s.size());
            ref.step(GRADS[0], 0.01);
            opt.iterations(40);
            ref.startAt(40);
            for (int t = 1; t < 3; t++) {
                setGrads(s, GRADS[t]);
                opt.step(s, s.params(), s.size());
                ref.step(GRADS[t], 0.01);
            }
            float[] got = values(s);
            for (int i = 0; i < got.length; i++) assertEquals(ref.p[i], got[i], 2e-6, opt.name() + " param " + i);
            assertEquals(42, opt.iterations());
        }
    }

    /** A schedule is read at the count before each update, for the update and Keras' weight decay alike. */
    @Test
    void scheduleDrivesEveryUpdate() {
        ExponentialDecay sched = new ExponentialDecay(0.05, 1, 0.5);
        AdamW opt = new AdamW(sched);
        OptimizerReference ref = new OptimizerReference(OptimizerArgs.Kind.ADAMW, p0(), 0, 0, 0.9f, 0.999f, 1e-7f, 0.004f, false);
        ParamStore s = store(P0);
        long v0 = opt.version();
        for (int t = 0; t < GRADS.length; t++) {
            assertEquals((float) (0.05 * Math.pow(0.5, t)), opt.learningRate(), "lr before update " + (t + 1));
            setGrads(s, GRADS[t]);
            opt.step(s, s.params(), s.size());
            ref.step(GRADS[t], 0.05 * Math.pow(0.5, t));
        }
        float[] got = values(s);
        for (int i = 0; i < got.length; i++) assertEquals(ref.p[i], got[i], 2e-6, "param " + i);
        assertTrue(opt.version() != v0, "a new scheduled rate changes the version (captured steps re-capture)");
        long v = opt.version();
        assertEquals(v, opt.version(), "the version holds while the rate holds");
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> opt.learningRate(0.1f));
        assertTrue(e.getMessage().contains("LearningRateSchedule"), e.getMessage());
        opt.clearSchedule();
        assertEquals((float) (0.05 * Math.pow(0.5, 4)), opt.learningRate());
        opt.learningRate(0.1f);
        assertEquals(0.1f, opt.learningRate());
    }
}
