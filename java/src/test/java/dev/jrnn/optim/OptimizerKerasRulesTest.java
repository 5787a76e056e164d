package dev.jrnn.optim;

import dev.jrnn.layers.ParamStore;
import dev.jrnn.optim.schedules.CosineDecay;
import dev.jrnn.optim.schedules.CosineDecayRestarts;
import dev.jrnn.optim.schedules.ExponentialDecay;
import dev.jrnn.optim.schedules.InverseTimeDecay;
import dev.jrnn.optim.schedules.LearningRateSchedule;
import dev.jrnn.optim.schedules.PiecewiseConstantDecay;
import dev.jrnn.optim.schedules.PolynomialDecay;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

import static dev.jrnn.optim.OptimizerTest.P0;
import static dev.jrnn.optim.OptimizerTest.setGrads;
import static dev.jrnn.optim.OptimizerTest.store;
import static dev.jrnn.optim.OptimizerTest.values;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Every optimizer with its non-default options, Keras' weight decay and one clipping option together, five steps on two
 * variables (sizes 3 and 2) on the CPU, against Keras 3's rules in float64 numpy written independently of jrnn
 * (src/test/resources/optimref/keras_rules.py: clip, then {@code v -= v * wd * lr}, then update_step, as
 * BaseOptimizer._backend_apply_gradients).
 */
class OptimizerKerasRulesTest {
    @BeforeAll
    static void cpu() {
        OptimizerTest.cpu();
    }

    /** keras_rules.py's GRADS. */
    static final float[][] GRADS = {{0.1f, -0.2f, 0.3f, 4f, -5f}, {-0.3f, 0.2f, 0.1f, 1f, 0.5f}, {0.5f, 0.5f, -0.5f, -2f, 0.01f},
            {1f, -1f, 0.2f, 0.3f, -0.4f}, {-0.7f, 0.05f, 0.6f, -0.1f, 2.5f}};

    private static float[] run(Optimizer opt) {
        ParamStore s = store(P0);
        for (float[] g : GRADS) {
            setGrads(s, g);
            opt.step(s, s.params(), s.size());
        }
        assertEquals(GRADS.length, opt.iterations());
        return values(s);
    }

    private static void check(String what, double[] want, float[] got) {
        for (int i = 0; i < want.length; i++) {
            assertEquals(want[i], got[i], 3e-6 * Math.max(1, Math.abs(want[i])), what + ": weight " + i);
        }
    }

    @Test
    void everyOptimizerWithItsOptionsWeightDecayAndClippingMatchesNumpy() {
        Map<String, Supplier<Optimizer>> cases = new LinkedHashMap<>();
        Map<String, double[]> want = new LinkedHashMap<>();
        cases.put("adam betas eps", () -> new Adam(0.01).beta1(0.8).beta2(0.99).epsilon(1e-3));
        want.put("adam betas eps", new double[] {0.48366088104914234, -0.9923322228845484, 1.9799702131498502, 0.22638966966744886, -0.7275033375663873});
        cases.put("adam wd clipnorm", () -> new Adam(0.01).weightDecay(0.1).clipnorm(1.0));
        want.put("adam wd clipnorm", new double[] {0.48205014441173877, -0.9888583370083931, 1.9694988565451446, 0.22357093424294944, -0.7308162128039991});
        cases.put("adam amsgrad", () -> new Adam(0.01).beta1(0.8).beta2(0.9).amsgrad(true));
        want.put("adam amsgrad", new double[] {0.48324249707983696, -0.9921173504312333, 1.9793154056457014, 0.2262856485625841, -0.728042837839341});
        cases.put("adam amsgrad wd clipvalue", () -> new Adam(0.01).beta2(0.9).epsilon(1e-3).amsgrad(true).weightDecay(0.05).clipvalue(3.0));
        want.put("adam amsgrad wd clipvalue", new double[] {0.4828921952026407, -0.9893378338714982, 1.9737357865993346, 0.2241483029499906, -0.7257308073366374});
        cases.put("adamw amsgrad", () -> new AdamW(0.02).beta2(0.9).amsgrad(true));
        want.put("adamw amsgrad", new double[] {0.4674576486831986, -0.9829845479794491, 1.9561998289578428, 0.19694192561842896, -0.7000307453362068});
        cases.put("adamw global_clipnorm", () -> new AdamW(0.02).beta1(0.85).beta2(0.995).epsilon(1e-4).weightDecay(0.05).globalClipnorm(1.5));
        want.put("adamw global_clipnorm", new double[] {0.471914905198048, -0.9914360932038525, 1.9498347043631221, 0.20329081391752563, -0.7138176296163009});
        cases.put("sgd nesterov wd clipvalue", () -> new SGD(0.05).momentum(0.9).nesterov(true).weightDecay(0.02).clipvalue(0.5));
        want.put("sgd nesterov wd clipvalue", new double[] {0.4293812615990165, -1.0120532576286112, 1.910761581807823, 0.08447785153688768, -0.7266526164074594});
        cases.put("sgd momentum", () -> new SGD(0.05).momentum(0.5));
        want.put("sgd momentum", new double[] {0.4346874994039536, -0.9706249995902182, 1.9603124966984613, -0.07375000564381481, -0.4083749944427982});
        cases.put("rmsprop centered momentum wd", () -> new RMSprop(0.01).rho(0.8).momentum(0.5).centered(true).epsilon(1e-3).weightDecay(0.01));
        want.put("rmsprop centered momentum wd", new double[] {0.4463685096785513, -0.9937337761418381, 1.9398748146397697, 0.20660255629565075, -0.7160338657935452});
        cases.put("rmsprop rho global_clipnorm", () -> new RMSprop(0.01).rho(0.95).globalClipnorm(2.0));
        want.put("rmsprop rho global_clipnorm", new double[] {0.44187285206888327, -1.0003250637269863, 1.9174334060261977, 0.20693547443604954, -0.7427689420231663});
        cases.put("adagrad init eps wd clipnorm", () -> new Adagrad(0.1).initialAccumulatorValue(0.5).epsilon(1e-3).weightDecay(0.01).clipnorm(0.8));
        want.put("adagrad init eps wd clipnorm", new double[] {0.46797810785556865, -0.996762579027402, 1.9274337649815396, 0.16673353090093748, -0.7385609645148434});
        cases.put("adadelta rho eps wd", () -> new Adadelta(1.0).rho(0.8).epsilon(1e-4).weightDecay(0.03));
        want.put("adadelta rho eps wd", new double[] {0.3955769368129176, -0.8529990394718694, 1.6673399082762141, 0.20045650412936356, -0.6414428310653384});
        cases.put("adamax betas eps global_clipnorm", () -> new Adamax(0.02).beta1(0.7).beta2(0.9).epsilon(1e-3).globalClipnorm(1.0));
        want.put("adamax betas eps global_clipnorm", new double[] {0.47893766638290824, -0.9955038208620249, 1.9611913081486332, 0.20975096888011896, -0.7278583132955417});
        cases.put("nadam betas eps wd clipvalue", () -> new Nadam(0.01).beta1(0.8).beta2(0.95).epsilon(1e-3).weightDecay(0.02).clipvalue(1.0));
        want.put("nadam betas eps wd clipvalue", new double[] {0.4832956590891241, -0.9948941024131165, 1.9784464044313532, 0.23315172775442902, -0.7456235900483894});
        cases.put("lion betas wd clipnorm", () -> new Lion(0.003).beta1(0.5).beta2(0.9).weightDecay(0.1).clipnorm(0.5));
        want.put("lion betas wd clipnorm", new double[] {0.49625404874162843, -1.0015008991810124, 1.9880071971517335, 0.24063062268602126, -0.7458792736653016});
        cases.forEach((what, make) -> check(what, want.get(what), run(make.get())));
    }

    /**
     * amsgrad keeps Keras' velocity_hat (the largest v so far) as state, saved and restored with the others, and is in the
     * config as Keras' Adam and AdamW write it; switched off, the buffer goes (the saved state is what the settings use).
     */
    @Test
    void amsgradStateAndConfig() {
        Adam adam = new Adam(0.01).amsgrad(true);
        assertEquals(true, adam.config().get("amsgrad"));
        assertEquals(false, new Adam().config().get("amsgrad"));
        assertEquals(true, new AdamW().amsgrad(true).config().get("amsgrad"));
        assertEquals(false, new AdamW().config().get("amsgrad"), "Keras' AdamW writes amsgrad (Adam's get_config)");
        ParamStore s = store(P0);
        setGrads(s, GRADS[0]);
        adam.step(s, s.params(), s.size());
        setGrads(s, GRADS[1]);
        adam.step(s, s.params(), s.size());
        Map<String, float[]> st = adam.state();
        assertEquals(java.util.Set.of("m", "v", "velocity_hat"), st.keySet());
        for (int i = 0; i < 5; i++) {
            double v1 = 0.001 * GRADS[0][i] * GRADS[0][i], v2 = 0.999 * v1 + 0.001 * GRADS[1][i] * GRADS[1][i];
            assertEquals(v2, st.get("v")[i], 1e-6 * Math.max(1, v2), "v " + i);
            assertEquals(Math.max(v1, v2), st.get("velocity_hat")[i], 1e-6 * Math.max(1, v2), "velocity_hat " + i);
        }
        // restored into a fresh optimizer, the run continues as the uninterrupted one
        Adam again = new Adam(0.01).amsgrad(true);
        ParamStore s2 = store(values(s));
        again.restoreState(s2, 5, 2, st);
        for (ParamStore x : new ParamStore[] {s, s2}) setGrads(x, GRADS[2]);
        adam.step(s, s.params(), s.size());
        again.step(s2, s2.params(), s2.size());
        org.junit.jupiter.api.Assertions.assertArrayEquals(values(s), values(s2));
        adam.amsgrad(false);
        adam.step(s, s.params(), s.size());
        assertEquals(java.util.Set.of("m", "v"), adam.state().keySet());
    }

    /**
     * config() is Keras 3's get_config (base_optimizer.py and each class): every key in Keras' order, the unset options as
     * Keras writes them (None, use_ema False, ema_momentum 0.99), the name as Keras' auto_name (to_snake_case of the class:
     * "rm_sprop", "adam_w"), and the settings as the decimals they were given (0.9, not float32's 0.8999999761581421); the
     * learning rate as Keras writes its float32 variable.
     */
    @Test
    void configHasKerasGetConfigKeysAndValues() {
        List<String> base = List.of("name", "learning_rate", "weight_decay", "clipnorm", "global_clipnorm", "clipvalue", "use_ema",
                "ema_momentum", "ema_overwrite_frequency", "loss_scale_factor", "gradient_accumulation_steps");
        Map<String, List<String>> own = new LinkedHashMap<>();
        own.put("adam", List.of("beta_1", "beta_2", "epsilon", "amsgrad"));
        own.put("sgd", List.of("momentum", "nesterov"));
        own.put("rmsprop", List.of("rho", "momentum", "epsilon", "centered"));
        own.put("adagrad", List.of("initial_accumulator_value", "epsilon"));
        own.put("adamw", List.of("beta_1", "beta_2", "epsilon", "amsgrad"));
        own.put("nadam", List.of("beta_1", "beta_2", "epsilon"));
        own.put("adamax", List.of("beta_1", "beta_2", "epsilon"));
        own.put("adadelta", List.of("rho", "epsilon"));
        own.put("lion", List.of("beta_1", "beta_2"));
        Map<String, String> kerasName = Map.of("adam", "adam", "sgd", "sgd", "rmsprop", "rm_sprop", "adagrad", "adagrad", "adamw", "adam_w",
                "nadam", "nadam", "adamax", "adamax", "adadelta", "adadelta", "lion", "lion");
        own.forEach((name, keys) -> {
            Map<String, Object> c = Optimizers.of(name).config();
            List<String> want = new java.util.ArrayList<>(base);
            want.addAll(keys);
            assertEquals(want, List.copyOf(c.keySet()), name);
            assertEquals(kerasName.get(name), c.get("name"), name);
            assertEquals(name.equals("adamw") ? (Object) 0.004 : null, c.get("weight_decay"), name + ": weight_decay");
            for (String k : new String[] {"clipnorm", "global_clipnorm", "clipvalue", "ema_overwrite_frequency", "loss_scale_factor",
                    "gradient_accumulation_steps"}) {
                assertEquals(null, c.get(k), name + ": " + k);
            }
            assertEquals(false, c.get("use_ema"), name);
            assertEquals(0.99, c.get("ema_momentum"), name);
        });
        // Keras' defaults, as its __init__ writes them
        assertEquals(Map.of("beta_1", 0.9, "beta_2", 0.999, "epsilon", 1e-7, "amsgrad", false, "learning_rate", (double) 0.001f),
                pick(new Adam().config(), "beta_1", "beta_2", "epsilon", "amsgrad", "learning_rate"));
        assertEquals(Map.of("rho", 0.9, "momentum", 0.0, "epsilon", 1e-7, "centered", false), pick(new RMSprop().config(), "rho",
                "momentum", "epsilon", "centered"));
        assertEquals(Map.of("rho", 0.95, "epsilon", 1e-7), pick(new Adadelta().config(), "rho", "epsilon"));
        assertEquals(Map.of("initial_accumulator_value", 0.1, "epsilon", 1e-7), pick(new Adagrad().config(), "initial_accumulator_value", "epsilon"));
        assertEquals(Map.of("beta_1", 0.9, "beta_2", 0.99), pick(new Lion().config(), "beta_1", "beta_2"));
        assertEquals(Map.of("momentum", 0.0, "nesterov", false), pick(new SGD().config(), "momentum", "nesterov"));
        // set options, each as given
        Map<String, Object> c = new SGD(0.1).momentum(0.9).nesterov(true).weightDecay(0.01).clipnorm(1.5).config();
        assertEquals(Map.of("momentum", 0.9, "nesterov", true, "weight_decay", 0.01, "clipnorm", 1.5),
                pick(c, "momentum", "nesterov", "weight_decay", "clipnorm"));
        assertEquals(0.3, new Adam().globalClipnorm(0.3).config().get("global_clipnorm"));
        assertEquals(0.7, new Nadam().clipvalue(0.7).config().get("clipvalue"));
        assertEquals(0.0, new AdamW().weightDecay(0).config().get("weight_decay"), "AdamW's weight_decay is a float, never None");
    }

    private static Map<String, Object> pick(Map<String, Object> c, String... keys) {
        Map<String, Object> r = new LinkedHashMap<>();
        for (String k : keys) r.put(k, c.get(k));
        return r;
    }

    /**
     * Each schedule with its non-default options at iterations 0..15 against Keras 3's __call__ formulas in float64
     * (optimref/keras_schedules.py), and an optimizer's rate is the schedule at its iterations, 0 before the first update.
     */
    @Test
    void schedulesMatchKerasFormulas() {
        Map<String, LearningRateSchedule> s = new LinkedHashMap<>();
        Map<String, double[]> w = new LinkedHashMap<>();
        s.put("ExponentialDecay(0.1, 3, 0.7)", new ExponentialDecay(0.1, 3, 0.7));
        w.put("ExponentialDecay(0.1, 3, 0.7)", new double[] {0.1, 0.08879040017426007, 0.07883735163105243, 0.06999999999999999, 0.06215328012198205, 0.0551861461417367, 0.048999999999999995, 0.04350729608538743, 0.038630302299215685, 0.03429999999999999, 0.0304551072597712, 0.02704121160945098, 0.024009999999999997, 0.02131857508183984, 0.01892884812661568, 0.016806999999999996});
        s.put("ExponentialDecay(0.1, 3, 0.7).staircase(true)", new ExponentialDecay(0.1, 3, 0.7).staircase(true));
        w.put("ExponentialDecay(0.1, 3, 0.7).staircase(true)", new double[] {0.1, 0.1, 0.1, 0.06999999999999999, 0.06999999999999999, 0.06999999999999999, 0.048999999999999995, 0.048999999999999995, 0.048999999999999995, 0.03429999999999999, 0.03429999999999999, 0.03429999999999999, 0.024009999999999997, 0.024009999999999997, 0.024009999999999997, 0.016806999999999996});
        s.put("PiecewiseConstantDecay([3, 7], [0.1, 0.05, 0.01])", new PiecewiseConstantDecay(new long[] {3, 7}, new double[] {0.1, 0.05, 0.01}));
        w.put("PiecewiseConstantDecay([3, 7], [0.1, 0.05, 0.01])", new double[] {0.1, 0.1, 0.1, 0.1, 0.05, 0.05, 0.05, 0.05, 0.01, 0.01, 0.01, 0.01, 0.01, 0.01, 0.01, 0.01});
        s.put("PolynomialDecay(0.1, 4).endLearningRate(0.01).power(0.5).cycle(true)", new PolynomialDecay(0.1, 4).endLearningRate(0.01).power(0.5).cycle(true));
        w.put("PolynomialDecay(0.1, 4).endLearningRate(0.01).power(0.5).cycle(true)", new double[] {0.1, 0.08794228634059947, 0.07363961030678928, 0.05500000000000001, 0.01, 0.06511351921262151, 0.05500000000000001, 0.041819805153394646, 0.01, 0.05500000000000001, 0.04674234614174767, 0.03598076211353317, 0.01, 0.04897114317029974, 0.041819805153394646, 0.0325});
        s.put("PolynomialDecay(0.1, 4).endLearningRate(0.01).power(3)", new PolynomialDecay(0.1, 4).endLearningRate(0.01).power(3));
        w.put("PolynomialDecay(0.1, 4).endLearningRate(0.01).power(3)", new double[] {0.1, 0.047968750000000004, 0.02125, 0.01140625, 0.01, 0.01, 0.01, 0.01, 0.01, 0.01, 0.01, 0.01, 0.01, 0.01, 0.01, 0.01});
        s.put("InverseTimeDecay(0.1, 3, 0.5)", new InverseTimeDecay(0.1, 3, 0.5));
        w.put("InverseTimeDecay(0.1, 3, 0.5)", new double[] {0.1, 0.08571428571428572, 0.07500000000000001, 0.06666666666666667, 0.06000000000000001, 0.05454545454545454, 0.05, 0.04615384615384615, 0.042857142857142864, 0.04, 0.0375, 0.03529411764705883, 0.03333333333333333, 0.031578947368421054, 0.03, 0.028571428571428574});
        s.put("InverseTimeDecay(0.1, 3, 0.5).staircase(true)", new InverseTimeDecay(0.1, 3, 0.5).staircase(true));
        w.put("InverseTimeDecay(0.1, 3, 0.5).staircase(true)", new double[] {0.1, 0.1, 0.1, 0.06666666666666667, 0.06666666666666667, 0.06666666666666667, 0.05, 0.05, 0.05, 0.04, 0.04, 0.04, 0.03333333333333333, 0.03333333333333333, 0.03333333333333333, 0.028571428571428574});
        s.put("CosineDecay(0.02, 5).alpha(0.2).warmup(0.1, 3)", new CosineDecay(0.02, 5).alpha(0.2).warmup(0.1, 3));
        w.put("CosineDecay(0.02, 5).alpha(0.2).warmup(0.1, 3)", new double[] {0.02, 0.04666666666666666, 0.07333333333333333, 0.1, 0.09236067977499791, 0.0723606797749979, 0.04763932022500211, 0.02763932022500211, 0.020000000000000004, 0.020000000000000004, 0.020000000000000004, 0.020000000000000004, 0.020000000000000004, 0.020000000000000004, 0.020000000000000004, 0.020000000000000004});
        s.put("CosineDecay(0.1, 6).alpha(0.3)", new CosineDecay(0.1, 6).alpha(0.3));
        w.put("CosineDecay(0.1, 6).alpha(0.3)", new double[] {0.1, 0.09531088913245536, 0.0825, 0.06499999999999999, 0.047500000000000014, 0.03468911086754464, 0.03, 0.03, 0.03, 0.03, 0.03, 0.03, 0.03, 0.03, 0.03, 0.03});
        s.put("CosineDecayRestarts(0.1, 3).tMul(1.5).mMul(0.7).alpha(0.05)", new CosineDecayRestarts(0.1, 3).tMul(1.5).mMul(0.7).alpha(0.05));
        w.put("CosineDecayRestarts(0.1, 3).tMul(1.5).mMul(0.7).alpha(0.05)", new double[] {0.1, 0.07625, 0.02875000000000001, 0.0715, 0.06372097773370602, 0.04402380190742543, 0.021625000000000005, 0.007005220358868545, 0.050922619362745405, 0.04610468441359421, 0.03749375655456136, 0.026921679107108677, 0.016637500000000006, 0.008829021189363913, 0.005157377223556276, 0.03714583355392177});
        s.put("CosineDecayRestarts(0.1, 2).tMul(1).mMul(0.5)", new CosineDecayRestarts(0.1, 2).tMul(1).mMul(0.5));
        w.put("CosineDecayRestarts(0.1, 2).tMul(1).mMul(0.5)", new double[] {0.1, 0.05, 0.05, 0.025, 0.025, 0.0125, 0.0125, 0.00625, 0.00625, 0.003125, 0.003125, 0.0015625, 0.0015625, 0.00078125, 0.00078125, 0.000390625});
        s.forEach((what, sched) -> {
            double[] want = w.get(what);
            for (int k = 0; k < want.length; k++) assertEquals(want[k], sched.at(k), 1e-12 * want[k], what + " at " + k);
            SGD sgd = new SGD(sched);
            for (int k = 0; k < want.length; k++) {
                assertEquals((float) want[k], sgd.learningRate(), what + ": the optimizer's rate at iterations " + k);
                sgd.iterations(k + 1);
            }
        });
    }

    /**
     * Through a model: a Dense layer's kernel and bias are Keras' two variables, each clipped by clipnorm on its own and
     * together by global_clipnorm (both norms are above the clip), three mse steps against optimref/keras_model_steps.py.
     */
    @Test
    void aModelClipsPerKerasVariable() {
        Map<String, Supplier<Optimizer>> cases = new LinkedHashMap<>();
        Map<String, double[][]> want = new LinkedHashMap<>();
        cases.put("sgd clipnorm", () -> new SGD(0.5).clipnorm(0.3));
        want.put("sgd clipnorm", new double[][] {{0.29137826091875413, 0.11550519569011031, 0.2971283054368986, 0.4203105435581958,
                -0.330895201334557, 0.29359938003169633}, {0.4864836232227428, 0.08175226242206377}});
        cases.put("sgd global_clipnorm", () -> new SGD(0.5).globalClipnorm(0.3));
        want.put("sgd global_clipnorm", new double[][] {{0.2877006516302916, 0.10575800654198238, 0.3039968327867217, 0.4147021435188757,
                -0.32740565184935905, 0.30959967337009076}, {0.17334881667687957, 0.005583236732839066}});
        cases.put("adam wd clipnorm", () -> new Adam(0.05).weightDecay(0.1).clipnorm(0.3));
        want.put("adam wd clipnorm", new double[][] {{0.3453165030721458, 0.05074350558480512, 0.24511216327791863, 0.4448728295147895,
                -0.34348134469139724, 0.44170231917459585}, {0.19851319543231888, 0.12813578865186864}});
        dev.jrnn.tensor.Tensor x = dev.jrnn.tensor.Tensor.of(new float[] {0.5f, -1f, 2f, 1.5f, 0.25f, -0.5f, -2f, 1f, 0.75f, 0.1f, 0.2f, 0.3f}, 4, 3);
        dev.jrnn.tensor.Tensor y = dev.jrnn.tensor.Tensor.of(new float[] {1f, -2f, 0.5f, 3f, -1f, 0f, 2f, 1f}, 4, 2);
        cases.forEach((what, make) -> {
            try (dev.jrnn.model.Sequential m = new dev.jrnn.model.Sequential(new dev.jrnn.layers.Dense(2).inputShape(3))) {
                m.compile(make.get(), "mse");
                m.setWeights(List.of(dev.jrnn.tensor.Tensor.of(new float[] {0.2f, -0.1f, 0.4f, 0.3f, -0.5f, 0.6f}, 3, 2),
                        dev.jrnn.tensor.Tensor.of(new float[] {0.05f, -0.02f}, 2)));
                for (int k = 0; k < 3; k++) m.trainOnBatch(x, y);
                List<dev.jrnn.tensor.Tensor> w = m.getWeights();
                for (int v = 0; v < 2; v++) {
                    float[] got = w.get(v).data();
                    for (int i = 0; i < got.length; i++) {
                        assertEquals(want.get(what)[v][i], got[i], 2e-6, what + ": variable " + v + " element " + i);
                    }
                }
            }
        });
    }

    /**
     * Keras' exclude_from_weight_decay(var_names=...): a weight whose name holds a match of a pattern is not decayed, the
     * others are, before the update (AdamW, SGD with momentum, RMSprop with clipnorm: each kind of update), three mse steps
     * on a Dense layer against optimref/keras_model_steps.py; no names decays every weight again.
     */
    @Test
    void weightDecayExcludesTheNamedWeights() {
        Map<String, Supplier<Optimizer>> cases = new LinkedHashMap<>();
        Map<String, double[][]> want = new LinkedHashMap<>();
        cases.put("adamw exclude bias", () -> new AdamW(0.05).weightDecay(0.5).excludeFromWeightDecay("bias"));
        want.put("adamw exclude bias", new double[][] {{0.3302533725537222, 0.053209633749194296, 0.22534409899585364, 0.42417320354266663,
                -0.31790190845305083, 0.41006504288461565}, {0.19921271625137846, 0.12866401997993598}});
        cases.put("sgd momentum exclude ker", () -> new SGD(0.1).momentum(0.5).weightDecay(0.5).excludeFromWeightDecay("ker"));
        want.put("sgd momentum exclude ker", new double[][] {{0.41514648257897646, 0.40148364312037244, 0.16272751465497065, 0.596616713246386,
                -0.07731789333739192, -0.1162221031016396}, {0.33027351615774325, 0.06347121963825855}});
        cases.put("rmsprop exclude bias clipnorm", () -> new RMSprop(0.05).weightDecay(0.5).clipnorm(0.3).excludeFromWeightDecay("bias"));
        want.put("rmsprop exclude bias clipnorm", new double[][] {{0.4701058850843287, 0.2650326673933647, 0.04124203803850429,
                0.6473877428182878, -0.1261029675287998, 0.1897825291506281}, {0.419311002185462, 0.2914435186648305}});
        // no names: every weight decays (Keras' Adam with weight decay, as "adam wd" without the clip)
        cases.put("adamw excluded then cleared", () -> new AdamW(0.05).weightDecay(0.5).excludeFromWeightDecay("bias").excludeFromWeightDecay());
        want.put("adamw excluded then cleared", null);
        dev.jrnn.tensor.Tensor x = dev.jrnn.tensor.Tensor.of(new float[] {0.5f, -1f, 2f, 1.5f, 0.25f, -0.5f, -2f, 1f, 0.75f, 0.1f, 0.2f, 0.3f}, 4, 3);
        dev.jrnn.tensor.Tensor y = dev.jrnn.tensor.Tensor.of(new float[] {1f, -2f, 0.5f, 3f, -1f, 0f, 2f, 1f}, 4, 2);
        cases.forEach((what, make) -> {
            List<float[]> got = trainDense(make.get(), x, y);
            if (want.get(what) == null) {   // the same as AdamW decaying both
                List<float[]> all = trainDense(new AdamW(0.05).weightDecay(0.5), x, y);
                for (int v = 0; v < 2; v++) org.junit.jupiter.api.Assertions.assertArrayEquals(all.get(v), got.get(v), what);
                return;
            }
            for (int v = 0; v < 2; v++) {
                for (int i = 0; i < got.get(v).length; i++) {
                    assertEquals(want.get(what)[v][i], got.get(v)[i], 2e-6, what + ": variable " + v + " element " + i);
                }
            }
        });
        // a set guard skips the decay of the weights not excluded with the update
        ParamStore st = store(P0);
        Optimizer g = new Adam(0.1).weightDecay(0.5).excludeFromWeightDecay("b");
        setGrads(st, GRADS[0]);
        dev.jrnn.backend.Buf guard = OptimizerTest.be.alloc(1);
        OptimizerTest.be.upload(new float[] {1f}, 0, guard, 0, 1);
        g.step(st, st.params(), st.size(), guard, null);
        guard.close();
        org.junit.jupiter.api.Assertions.assertArrayEquals(P0, values(st), "moved under a set guard");
        Optimizer o = new Adam().excludeFromWeightDecay("bias", "gamma", "bias");
        assertEquals(List.of("bias", "gamma"), o.excludedFromWeightDecay());
        assertEquals(List.of(), o.excludeFromWeightDecay().excludedFromWeightDecay());
    }

    private static List<float[]> trainDense(Optimizer opt, dev.jrnn.tensor.Tensor x, dev.jrnn.tensor.Tensor y) {
        try (dev.jrnn.model.Sequential m = new dev.jrnn.model.Sequential(new dev.jrnn.layers.Dense(2).inputShape(3))) {
            m.compile(opt, "mse");
            m.setWeights(List.of(dev.jrnn.tensor.Tensor.of(new float[] {0.2f, -0.1f, 0.4f, 0.3f, -0.5f, 0.6f}, 3, 2),
                    dev.jrnn.tensor.Tensor.of(new float[] {0.05f, -0.02f}, 2)));
            for (int k = 0; k < 3; k++) m.trainOnBatch(x, y);
            return m.getWeights().stream().map(dev.jrnn.tensor.Tensor::data).toList();
        }
    }

    /** A schedule is read at iterations 0, 1, ... (Keras' first update sees 0), for the decay and the update alike. */
    @Test
    void aScheduleSeesIterationsFromZero() {
        Adam adam = new Adam(new ExponentialDecay(0.05, 2, 0.5)).weightDecay(0.1);
        assertEquals(0.05f, adam.learningRate(), "the first update's rate: the schedule at 0");
        check("adam with ExponentialDecay(0.05, 2, 0.5)", new double[] {0.43889094564641085, -0.9453894859988224, 1.8904662306566946,
                0.15250084732834857, -0.6494088763347529}, run(adam));
        assertEquals((float) (0.05 * Math.pow(0.5, 2.5)), adam.learningRate(), "after 5 updates: the schedule at 5");
    }
}
