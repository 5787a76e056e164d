package dev.jrnn.optim;

import dev.jrnn.backend.Backend;
import dev.jrnn.backend.Backends;
import dev.jrnn.layers.Param;
import dev.jrnn.layers.ParamStore;
import dev.jrnn.optim.schedules.CosineDecay;
import dev.jrnn.optim.schedules.ExponentialDecay;
import dev.jrnn.optim.schedules.LearningRateSchedule;
import dev.jrnn.optim.schedules.PiecewiseConstantDecay;
import dev.jrnn.tensor.Tensor;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Optimizer steps over a flat store against Keras' update formulas written out in double. */
class OptimizerTest {
    static Backend be;

    @BeforeAll
    static void cpu() {
        be = Backends.cpu();
    }

    /** Two params (sizes 3 and 2) in one store, with values p0. */
    static ParamStore store(float[] p0) {
        Param a = new Param("a", true, 3);
        Param b = new Param("b", true, 2);
        ParamStore s = new ParamStore(be, List.of(a, b));
        a.set(Tensor.of(new float[] {p0[0], p0[1], p0[2]}, 3));
        b.set(Tensor.of(new float[] {p0[3], p0[4]}, 2));
        return s;
    }

    static void setGrads(ParamStore s, float[] g) {
        be.upload(g, 0, s.grads(), 0, g.length);
    }

    static float[] values(ParamStore s) {
        float[] v = new float[(int) s.size()];
        be.download(s.values(), 0, v, 0, v.length);
        return v;
    }

    static final float[] P0 = {0.5f, -1f, 2f, 0.25f, -0.75f};
    static final float[][] G = {{0.1f, -0.2f, 0.3f, 4f, -5f}, {-0.3f, 0.2f, 0.1f, 1f, 0.5f}};

    @Test
    void adamMatchesKerasFormulaOverTwoSteps() {
        ParamStore s = store(P0);
        Adam adam = new Adam(0.01);
        double[] p = new double[5], m = new double[5], v = new double[5];
        for (int i = 0; i < 5; i++) p[i] = P0[i];
        for (int t = 1; t <= 2; t++) {
            setGrads(s, G[t - 1]);
            adam.step(s, s.params(), s.size());
            double lrT = 0.01 * Math.sqrt(1 - Math.pow(0.999, t)) / (1 - Math.pow(0.9, t));
            for (int i = 0; i < 5; i++) {
                double g = G[t - 1][i];
                m[i] += (g - m[i]) * (1 - 0.9);
                v[i] += (g * g - v[i]) * (1 - 0.999);
                p[i] -= lrT * m[i] / (Math.sqrt(v[i]) + 1e-7);
            }
        }
        float[] got = values(s);
        for (int i = 0; i < 5; i++) assertEquals(p[i], got[i], 1e-6, "param " + i);
        assertEquals(2, adam.iterations());
    }

    /** Keras 3's Adam takes weight_decay like every optimizer: p -= p * wd * lr before the Adam update (decoupled). */
    @Test
    void adamWeightDecayIsKerasDecoupledDecay() {
        ParamStore s = store(P0);
        Adam adam = new Adam(0.01).weightDecay(0.1);
        double[] p = new double[5], m = new double[5], v = new double[5];
        for (int i = 0; i < 5; i++) p[i] = P0[i];
        for (int t = 1; t <= 3; t++) {
            float[] g = G[(t - 1) % 2];
            setGrads(s, g);
            adam.step(s, s.params(), s.size());
            double lrT = 0.01 * Math.sqrt(1 - Math.pow(0.999, t)) / (1 - Math.pow(0.9, t));
            for (int i = 0; i < 5; i++) {
                p[i] -= p[i] * 0.1 * 0.01;
                m[i] += (g[i] - m[i]) * (1 - 0.9);
                v[i] += (g[i] * g[i] - v[i]) * (1 - 0.999);
                p[i] -= lrT * m[i] / (Math.sqrt(v[i]) + 1e-7);
            }
        }
        float[] got = values(s);
        for (int i = 0; i < 5; i++) assertEquals(p[i], got[i], 1e-6, "param " + i);
        assertEquals(0.1f, adam.weightDecay());
        assertEquals(0.1, (double) adam.config().get("weight_decay"), 1e-7);
        assertEquals(0f, new Adam().weightDecay(), "Keras' Adam default: no decay");
        // a set guard skips the decay with the update
        dev.jrnn.backend.Buf guard = be.alloc(1);
        be.upload(new float[] {1f}, 0, guard, 0, 1);
        adam.step(s, s.params(), s.size(), guard, null);
        float[] after = values(s);
        for (int i = 0; i < 5; i++) assertEquals(got[i], after[i], "param " + i + " moved under a set guard");
        guard.close();
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new Adam().weightDecay(-0.1));
        assertTrue(e.getMessage().startsWith("Adam: weightDecay"), e.getMessage());
    }

    @Test
    void sgdPlainMomentumAndNesterov() {
        for (int mode = 0; mode < 3; mode++) {
            ParamStore s = store(P0);
            SGD sgd = new SGD(0.1);
            if (mode > 0) sgd.momentum(0.9);
            if (mode == 2) sgd.nesterov(true);
            double[] p = new double[5], vel = new double[5];
            for (int i = 0; i < 5; i++) p[i] = P0[i];
            for (int t = 0; t < 2; t++) {
                setGrads(s, G[t]);
                sgd.step(s, s.params(), s.size());
                for (int i = 0; i < 5; i++) {
                    double g = G[t][i];
                    if (mode == 0) {
                        p[i] -= 0.1 * g;
                    } else {
                        vel[i] = 0.9 * vel[i] - 0.1 * g;
                        p[i] += mode == 2 ? 0.9 * vel[i] - 0.1 * g : vel[i];
                    }
                }
            }
            float[] got = values(s);
            for (int i = 0; i < 5; i++) assertEquals(p[i], got[i], 1e-6, "mode " + mode + " param " + i);
        }
    }

    /** Keras 3's SGD takes weight_decay too: p -= p * wd * lr before the update, outside the momentum. */
    @Test
    void sgdWeightDecayIsKerasDecoupledDecay() {
        for (int mode = 0; mode < 3; mode++) {
            ParamStore s = store(P0);
            SGD sgd = new SGD(0.1).weightDecay(0.05);
            if (mode > 0) sgd.momentum(0.9);
            if (mode == 2) sgd.nesterov(true);
            double[] p = new double[5], vel = new double[5];
            for (int i = 0; i < 5; i++) p[i] = P0[i];
            for (int t = 0; t < 3; t++) {
                float[] g = G[t % 2];
                setGrads(s, g);
                sgd.step(s, s.params(), s.size());
                for (int i = 0; i < 5; i++) {
                    p[i] -= p[i] * 0.05 * 0.1;
                    if (mode == 0) {
                        p[i] -= 0.1 * g[i];
                    } else {
                        vel[i] = 0.9 * vel[i] - 0.1 * g[i];
                        p[i] += mode == 2 ? 0.9 * vel[i] - 0.1 * g[i] : vel[i];
                    }
                }
            }
            float[] got = values(s);
            for (int i = 0; i < 5; i++) assertEquals(p[i], got[i], 1e-6, "mode " + mode + " param " + i);
            dev.jrnn.backend.Buf guard = be.alloc(1);
            be.upload(new float[] {1f}, 0, guard, 0, 1);
            sgd.step(s, s.params(), s.size(), guard, null);
            float[] after = values(s);
            for (int i = 0; i < 5; i++) assertEquals(got[i], after[i], "mode " + mode + ": param " + i + " moved under a set guard");
            guard.close();
            assertEquals(0.05, (double) sgd.config().get("weight_decay"), 1e-7);
        }
        assertEquals(0f, new SGD().weightDecay(), "Keras' SGD default: no decay");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new SGD().weightDecay(Double.NaN));
        assertTrue(e.getMessage().startsWith("SGD: weightDecay"), e.getMessage());
    }

    @Test
    void clipnormIsPerVariableGlobalClipnormIsGlobal() {
        // per variable: a's grad norm sqrt(0.14) < 1 stays, b's norm sqrt(41) is scaled to 1
        ParamStore s = store(P0);
        new SGD(1).clipnorm(1).step(s, s.params(), s.size());   // grads are zero: nothing moves
        setGrads(s, G[0]);
        new SGD(1).clipnorm(1).step(s, s.params(), s.size());
        float[] got = values(s);
        double nb = Math.sqrt(16 + 25);
        double[] want = {0.5 - 0.1, -1 + 0.2, 2 - 0.3, 0.25 - 4 / nb, -0.75 + 5 / nb};
        for (int i = 0; i < 5; i++) assertEquals(want[i], got[i], 1e-6, "clipnorm param " + i);

        ParamStore g = store(P0);
        setGrads(g, G[0]);
        new SGD(1).globalClipnorm(1).step(g, g.params(), g.size());
        double norm = Math.sqrt(0.01 + 0.04 + 0.09 + 16 + 25);
        float[] gv = values(g);
        for (int i = 0; i < 5; i++) assertEquals(P0[i] - G[0][i] / norm, gv[i], 1e-6, "global param " + i);
    }

    @Test
    void clipvalueClipsElements() {
        ParamStore s = store(P0);
        setGrads(s, G[0]);
        new SGD(1).clipvalue(0.25f).step(s, s.params(), s.size());
        float[] got = values(s);
        double[] want = {0.5 - 0.1, -1 + 0.2, 2 - 0.25, 0.25 - 0.25, -0.75 + 0.25};
        for (int i = 0; i < 5; i++) assertEquals(want[i], got[i], 1e-6);
    }

    /** Keras' clipping of one option in double: per-variable norm (sizes 3, 2), global norm or value. */
    static double[] clipRef(String option, double c, float[] g) {
        double[] r = new double[g.length];
        for (int i = 0; i < g.length; i++) r[i] = g[i];
        switch (option) {
            case "clipvalue" -> {
                for (int i = 0; i < r.length; i++) r[i] = Math.max(-c, Math.min(c, r[i]));
            }
            case "clipnorm" -> {
                for (int[] span : new int[][] {{0, 3}, {3, 5}}) {
                    double ss = 0;
                    for (int i = span[0]; i < span[1]; i++) ss += r[i] * r[i];
                    double norm = Math.sqrt(ss);
                    for (int i = span[0]; i < span[1]; i++) r[i] = r[i] * c / Math.max(norm, c);
                }
            }
            case "globalClipnorm" -> {
                double ss = 0;
                for (double v : r) ss += v * v;
                double norm = Math.sqrt(ss);
                for (int i = 0; i < r.length; i++) r[i] = r[i] * c / Math.max(norm, c);
            }
            default -> throw new IllegalArgumentException(option);
        }
        return r;
    }

    static Optimizer setClip(Optimizer o, String option, float c) {
        return switch (option) {
            case "clipvalue" -> o.clipvalue(c);
            case "clipnorm" -> o.clipnorm(c);
            case "globalClipnorm" -> o.globalClipnorm(c);
            default -> throw new IllegalArgumentException(option);
        };
    }

    static final String[] CLIPS = {"clipnorm", "clipvalue", "globalClipnorm"};

    @Test
    void secondClipOptionIsRejectedNamingBoth() {
        for (String first : CLIPS) {
            for (String second : CLIPS) {
                if (first.equals(second)) continue;
                Adam adam = new Adam(0.01);
                setClip(adam, first, 1.5f);
                long version = adam.version();
                IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> setClip(adam, second, 0.5f));
                assertEquals("Adam: only one of clipnorm, clipvalue and globalClipnorm can be set (as in Keras); got "
                        + second + "=0.5 while " + first + "=1.5 is set (set " + first + "(0) first)", e.getMessage());
                // the failed call changed nothing
                assertEquals(version, adam.version(), first + " then " + second + ": version");
                for (String o : CLIPS) {
                    float want = o.equals(first) ? 1.5f : 0f;
                    float got = switch (o) {
                        case "clipnorm" -> adam.clipnorm();
                        case "clipvalue" -> adam.clipvalue();
                        default -> adam.globalClipnorm();
                    };
                    assertEquals(want, got, first + " then " + second + ": " + o);
                }
                // 0 (disabled) is always accepted, a new value for the same option too, and after
                // disabling the first the second can be set
                setClip(adam, second, 0f);
                setClip(adam, first, 2f);
                setClip(adam, first, 0f);
                setClip(adam, second, 0.5f);
            }
        }
    }

    /**
     * Each option alone clips as Keras (double reference); after switching from one option to another
     * (the first set back to 0) only the new one applies.
     */
    @Test
    void onlyTheSetClipOptionApplies() {
        float[] g = {0.3f, -1.2f, 0.9f, 4f, -5f};
        float c = 0.8f;
        for (String first : CLIPS) {
            for (String second : CLIPS) {
                SGD sgd = new SGD(1);
                setClip(sgd, first, 0.1f);
                if (!first.equals(second)) setClip(sgd, first, 0f);
                setClip(sgd, second, c);
                ParamStore s = store(P0);
                setGrads(s, g);
                sgd.step(s, s.params(), s.size());
                double[] clipped = clipRef(second, c, g);
                float[] got = values(s);
                for (int i = 0; i < 5; i++) {
                    assertEquals(P0[i] - clipped[i], got[i], 1e-6, first + " -> " + second + ": param " + i);
                }
            }
        }
    }

    @Test
    void onlyTheTrainablePrefixMoves() {
        ParamStore s = store(P0);
        setGrads(s, G[0]);
        new SGD(1).step(s, s.params().subList(0, 1), 3);
        float[] got = values(s);
        assertEquals(0.25f, got[3]);
        assertEquals(-0.75f, got[4]);
        assertEquals(0.4f, got[0], 1e-6);
    }

    @Test
    void namesAndBadSettings() {
        assertInstanceOf(Adam.class, Optimizers.of("Adam"));
        assertInstanceOf(SGD.class, Optimizers.of("sgd"));
        assertEquals(0.001f, Optimizers.of("adam").learningRate());
        assertEquals(0.01f, Optimizers.of("sgd").learningRate());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Optimizers.of("ftrl"));
        assertEquals("unknown optimizer 'ftrl': expected adam, sgd, rmsprop, adagrad, adamw, nadam, adamax, adadelta or lion", e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new Adam(-1));
        assertThrows(IllegalArgumentException.class, () -> new Adam().beta1(1));
        assertThrows(IllegalArgumentException.class, () -> new SGD().momentum(-0.1));
        assertThrows(IllegalArgumentException.class, () -> new SGD().momentum(1.01));
        assertEquals(1f, new SGD().momentum(1.0).momentum(), "Keras takes momentum in [0, 1]");
        assertThrows(IllegalArgumentException.class, () -> new SGD().clipnorm(Float.NaN));
    }

    /** Each setter checks the float32 it stores: a double in range that rounds out of it is refused. */
    @Test
    void settersCheckTheFloatTheyStore() {
        String[][] cases = {
            {"beta2", msg(() -> new Adam().beta2(0.999999999))},
            {"beta1", msg(() -> new Adam().beta1(0.99999999))},
            {"epsilon", msg(() -> new Adam().epsilon(1e-50))},
            {"learning rate", msg(() -> new Adam(1e-50))},
            {"learning rate", msg(() -> new SGD(1e39))},
        };
        for (String[] c : cases) assertTrue(c[1].contains(c[0]), c[0] + ": " + c[1]);
        assertTrue(cases[0][1].contains("rounds it to 1.0"), cases[0][1]);
        assertEquals(0.999f, new Adam().beta2(0.999).beta2());
    }

    @Test
    void iterationsBeyondTheDeviceCounterAreRefusedUpFront() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new Adam().iterations(Long.MAX_VALUE));
        assertTrue(e.getMessage().startsWith("Adam: iterations must be in [0, " + Optimizer.MAX_ITERATIONS + "]"), e.getMessage());
        // the largest accepted count still runs a finite step with t = MAX_ITERATIONS + 1
        ParamStore s = store(P0);
        Adam adam = new Adam(0.01);
        adam.iterations(Optimizer.MAX_ITERATIONS);
        setGrads(s, G[0]);
        adam.step(s, s.params(), s.size());
        for (float v : values(s)) assertTrue(Float.isFinite(v));
        assertEquals(Optimizer.MAX_ITERATIONS + 1, adam.iterations());
    }

    /**
     * Keras' optimizer get_config writes a schedule as the serialized schedule (learning_rate_schedule.serialize), never
     * a number: a saved model must not come back with the fixed rate the schedule hides (it wrote 1.0).
     */
    @Test
    void configWritesTheLearningRateScheduleAsKerasSerializesIt() {
        Map<String, Object> c = new Adam(new ExponentialDecay(0.01, 100, 0.96).staircase(true)).config();
        assertEquals(Map.of("module", "keras.optimizers.schedules", "class_name", "ExponentialDecay", "registered_name", "",
                "config", Map.of("initial_learning_rate", 0.01, "decay_steps", 100.0, "decay_rate", 0.96, "staircase", true,
                        "name", "ExponentialDecay")), withoutNulls(c.get("learning_rate")));
        Map<?, ?> pw = (Map<?, ?>) new SGD(new PiecewiseConstantDecay(new long[] {10, 20}, new double[] {0.1, 0.05, 0.01}))
                .config().get("learning_rate");
        assertEquals("PiecewiseConstantDecay", pw.get("class_name"));
        assertEquals(Map.of("boundaries", List.of(10L, 20L), "values", List.of(0.1, 0.05, 0.01), "name", "PiecewiseConstant"), pw.get("config"));
        Map<?, ?> cos = (Map<?, ?>) new AdamW(new CosineDecay(0, 1000).alpha(0.1).warmup(1e-3, 50)).config().get("learning_rate");
        assertEquals(Map.of("initial_learning_rate", 0.0, "decay_steps", 1000.0, "alpha", 0.1, "name", "CosineDecay",
                "warmup_target", 1e-3, "warmup_steps", 50.0), cos.get("config"));
        Map<?, ?> plain = (Map<?, ?>) new CosineDecay(0.1, 10).config().get("config");
        assertTrue(plain.containsKey("warmup_target") && plain.get("warmup_target") == null, "no warmup: null as in Keras");
        // a schedule of the user's own has no Keras config: Keras could not rebuild it, so the config is refused (as Keras' save)
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new Adam((LearningRateSchedule) step -> 0.01).config());
        assertTrue(e.getMessage().contains("schedule Keras cannot rebuild"), e.getMessage());
        assertEquals(0.01, (double) new Adam(0.01).clipnorm(2f).config().get("learning_rate"), 1e-9, "a fixed rate stays a number");
        Optimizer cleared = new SGD(new ExponentialDecay(0.5, 1, 0.5)).iterations(1).clearSchedule();
        assertEquals(0.25, (double) cleared.config().get("learning_rate"), 1e-9, "a cleared schedule leaves its rate");
    }

    /** A schedule that reached 0 leaves the smallest positive rate when cleared, not the placeholder 1.0 it was built with. */
    @Test
    void clearingAScheduleAtZeroKeepsTheRateNearZero() {
        Adam adam = new Adam(new dev.jrnn.optim.schedules.CosineDecay(0.1, 10));
        adam.iterations(10);
        assertEquals(0f, adam.learningRate());
        adam.clearSchedule();
        assertEquals(Float.MIN_VALUE, adam.learningRate());
        assertEquals(null, adam.schedule());
    }

    /** {@code m} with null values replaced by "" (Map.of refuses nulls). */
    private static Map<String, Object> withoutNulls(Object m) {
        Map<String, Object> r = new java.util.LinkedHashMap<>();
        for (var e : ((Map<?, ?>) m).entrySet()) {
            Object v = e.getValue();
            r.put((String) e.getKey(), v == null ? "" : v instanceof Map<?, ?> inner ? withoutNulls(inner) : v);
        }
        return r;
    }

    /** Keras users write {@code clipnorm=1.0} and {@code learning_rate=1e-4}: the setters take doubles, as the constructors do. */
    @Test
    void settersTakeDoublesAsTheConstructorsDo() {
        Adam adam = new Adam(0.01);
        adam.globalClipnorm(1.0);                       // Optimizer's own Javadoc example
        assertEquals(1f, adam.globalClipnorm());
        adam.learningRate(1e-4);
        assertEquals(1e-4f, adam.learningRate());
        SGD sgd = new SGD(0.1);
        sgd.clipnorm(0.5);
        assertEquals(0.5f, sgd.clipnorm());
        sgd.clipnorm(0).clipvalue(0.25);
        assertEquals(0.25f, sgd.clipvalue());
        assertEquals("Adam: learning rate must be a finite number >= 0, got 1.0E300 (float32, which jrnn computes with, "
                + "rounds it to Infinity)", msg(() -> adam.learningRate(1e300)));
        assertEquals("SGD: clipnorm must be >= 0 and finite (0 disables), got 1.0E300 (float32, which jrnn computes with, "
                + "rounds it to Infinity)", msg(() -> sgd.clipnorm(1e300)));
        assertEquals("SGD: clipvalue must be >= 0 and finite (0 disables), got -1.0", msg(() -> sgd.clipvalue(-1.0)));
        assertEquals(0.25f, sgd.clipvalue(), "a refused value leaves the setting as it was");
    }

    private static String msg(org.junit.jupiter.api.function.Executable x) {
        return assertThrows(IllegalArgumentException.class, x).getMessage();
    }

    /**
     * Each of Keras' schedules with each optimizer (weight decay on, which the rate scales too): the update at step k uses
     * the schedule's value at k, as the same optimizer with a fixed rate set to it before each update does.
     */
    @Test
    void everyOptimizerFollowsEveryScheduleAsAFixedRateSetBeforeEachUpdate() {
        List<java.util.function.Supplier<LearningRateSchedule>> schedules = List.of(
                () -> new dev.jrnn.optim.schedules.PolynomialDecay(0.1, 3).endLearningRate(0.01).power(2).cycle(true),
                () -> new dev.jrnn.optim.schedules.InverseTimeDecay(0.1, 2, 0.5).staircase(true),
                () -> new dev.jrnn.optim.schedules.CosineDecayRestarts(0.1, 2).tMul(2).mMul(0.5).alpha(0.1),
                () -> new CosineDecay(0.01, 4).warmup(0.1, 2),
                () -> new ExponentialDecay(0.1, 2, 0.5),
                () -> new PiecewiseConstantDecay(new long[] {1, 3}, new double[] {0.1, 0.05, 0.01}));
        List<java.util.function.Function<LearningRateSchedule, Optimizer>> scheduled = List.of(
                sc -> new SGD(sc).momentum(0.9).nesterov(true), Adam::new, AdamW::new, Nadam::new, Adamax::new, Adagrad::new,
                Adadelta::new, RMSprop::new, Lion::new);
        List<java.util.function.DoubleFunction<Optimizer>> fixed = List.of(
                lr -> new SGD(lr).momentum(0.9).nesterov(true), Adam::new, AdamW::new, Nadam::new, Adamax::new, Adagrad::new,
                Adadelta::new, RMSprop::new, Lion::new);
        java.util.SplittableRandom r = new java.util.SplittableRandom(6);
        float[] xv = new float[18], yv = new float[12];
        for (int i = 0; i < xv.length; i++) xv[i] = (float) r.nextDouble(-1, 1);
        for (int i = 0; i < yv.length; i++) yv[i] = (float) r.nextDouble(-1, 1);
        Tensor x = Tensor.of(xv, 6, 3), y = Tensor.of(yv, 6, 2);
        for (var make : schedules) {
            for (int o = 0; o < scheduled.size(); o++) {
                LearningRateSchedule schedule = make.get();
                dev.jrnn.Jrnn.setSeed(4);
                dev.jrnn.model.Sequential a = new dev.jrnn.model.Sequential(new dev.jrnn.layers.Dense(2).inputShape(3));
                a.compile(scheduled.get(o).apply(schedule).weightDecay(0.01), "mse");
                dev.jrnn.Jrnn.setSeed(4);
                dev.jrnn.model.Sequential b = new dev.jrnn.model.Sequential(new dev.jrnn.layers.Dense(2).inputShape(3));
                Optimizer twin = fixed.get(o).apply(1.0).weightDecay(0.01);
                b.compile(twin, "mse");
                String what = twin.getClass().getSimpleName() + " with " + schedule.getClass().getSimpleName();
                for (int k = 0; k < 7; k++) {
                    assertEquals((float) schedule.at(k), a.optimizer().learningRate(), what + " step " + k);
                    twin.learningRate(schedule.at(k));
                    a.trainOnBatch(x, y);
                    b.trainOnBatch(x, y);
                    assertEquals(b.getWeights(), a.getWeights(), what + " step " + k);
                }
            }
        }
    }

    /**
     * What a captured train step keys on: a new update count (Keras' iterations.assign; a replay would run on from the
     * device's old count) changes the version, setting the rate it already has does not (LearningRateScheduler sets it
     * every epoch, which dropped every captured step).
     */
    @Test
    void theVersionMovesWithTheCountAndARealRateChangeOnly() {
        Adam a = new Adam(0.01);
        long v = a.version();
        a.learningRate(0.01);
        assertEquals(v, a.version(), "the same rate");
        a.iterations(0);
        assertEquals(v, a.version(), "the same count");
        a.iterations(5);
        assertTrue(a.version() != v, "a new count");
        long w = a.version();
        a.learningRate(0.02);
        assertTrue(a.version() != w, "a new rate");
    }

    /**
     * One optimizer object compiled into two models: the second model's step is refused (Keras on TensorFlow raises
     * "Unknown variable"), where it silently restarted the first model's moments at step 6; both models stay as they
     * were and the first one goes on as if the refusal never happened.
     */
    @Test
    void anotherModelsWeightsAreRefused() {
        Tensor x = Tensor.of(new float[] {1, 2, 3, 4}, 4, 1), y = Tensor.of(new float[] {2, 4, 6, 8}, 4, 1);
        List<Tensor> start = List.of(Tensor.of(new float[] {0.5f}, 1, 1), Tensor.of(new float[] {0f}, 1));
        Adam shared = new Adam(0.1), alone = new Adam(0.1);
        dev.jrnn.model.Sequential m1 = new dev.jrnn.model.Sequential(new dev.jrnn.layers.Dense(1).inputShape(1));
        dev.jrnn.model.Sequential m2 = new dev.jrnn.model.Sequential(new dev.jrnn.layers.Dense(1).inputShape(1));
        dev.jrnn.model.Sequential ref = new dev.jrnn.model.Sequential(new dev.jrnn.layers.Dense(1).inputShape(1));
        m1.compile(shared, "mse");
        m2.compile(shared, "mse");
        ref.compile(alone, "mse");
        for (dev.jrnn.model.Sequential m : List.of(m1, m2, ref)) m.setWeights(start);
        for (int i = 0; i < 5; i++) {
            m1.trainOnBatch(x, y);
            ref.trainOnBatch(x, y);
        }
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> m2.trainOnBatch(x, y));
        assertTrue(e.getMessage().startsWith("Adam: this optimizer has updated the weights of another model 5 times"), e.getMessage());
        assertTrue(e.getMessage().contains("give each model its own optimizer (as Keras on TensorFlow requires)"),
                e.getMessage());
        assertEquals(0.5f, m2.getWeights().get(0).data()[0], "the refused model's weights are untouched");
        m1.trainOnBatch(x, y);
        ref.trainOnBatch(x, y);
        assertEquals(ref.getWeights().get(0).data()[0], m1.getWeights().get(0).data()[0], "m1 goes on with its own moments");
        assertEquals(6, shared.iterations());
    }

    /**
     * The refusal comes before the refused model's forward pass (its BatchNormalization statistics stay), and it holds
     * after the first model is closed: the state's step count would otherwise restart zero moments at step 6.
     */
    @Test
    void theRefusalLeavesTheModelAsItWasAndOutlivesClose() {
        Tensor x = Tensor.of(new float[] {1, 2, 3, 4}, 4, 1), y = Tensor.of(new float[] {2, 4, 6, 8}, 4, 1);
        Adam shared = new Adam(0.1);
        dev.jrnn.model.Sequential m1 = new dev.jrnn.model.Sequential(new dev.jrnn.layers.Dense(1).inputShape(1));
        dev.jrnn.model.Sequential m2 = new dev.jrnn.model.Sequential(new dev.jrnn.layers.BatchNormalization().inputShape(1),
                new dev.jrnn.layers.Dense(1));
        m1.compile(shared, "mse");
        m2.compile(shared, "mse");
        m1.trainOnBatch(x, y);
        List<float[]> before = m2.getWeights().stream().map(Tensor::data).toList();
        assertThrows(IllegalStateException.class, () -> m2.trainOnBatch(x, y));
        List<float[]> after = m2.getWeights().stream().map(Tensor::data).toList();
        for (int i = 0; i < before.size(); i++) {
            org.junit.jupiter.api.Assertions.assertArrayEquals(before.get(i), after.get(i), "weight " + i + " (moving mean/variance too)");
        }
        m1.close();
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> m2.trainOnBatch(x, y));
        assertTrue(e.getMessage().endsWith("or start this one over with iterations(0)"), e.getMessage());
        shared.iterations(0);   // the way out the message names: a fresh start
        m2.trainOnBatch(x, y);
        assertEquals(1, shared.iterations());
    }
}
