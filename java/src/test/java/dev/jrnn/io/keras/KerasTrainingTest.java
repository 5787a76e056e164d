package dev.jrnn.io.keras;

import dev.jrnn.io.Json;
import dev.jrnn.layers.Dense;
import dev.jrnn.model.Sequential;
import dev.jrnn.optim.schedules.ExponentialDecay;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.assertNull;

/** {@link KerasTraining}: which Keras training configs compile an imported model, and with what. */
class KerasTrainingTest {
    private static Sequential compiled(String optimizer) {
        return compiled("\"mse\"", optimizer);
    }

    private static Sequential compiled(String loss, String optimizer) {
        Sequential m = new Sequential(new Dense(1).inputShape(2));
        KerasTraining.compile(m, Json.parse("{\"loss\": " + loss + ", \"metrics\": [], \"optimizer\": " + optimizer + "}"), "f.keras");
        return m;
    }

    /** A tf.keras 2 .h5's training_config (optimizer_config; keys Keras 3 does not take allowed). */
    private static Sequential compiledTf2(String optimizer) {
        Sequential m = new Sequential(new Dense(1).inputShape(2));
        KerasTraining.compile(m, Json.parse("{\"loss\": \"mse\", \"metrics\": [], \"optimizer_config\": " + optimizer + "}"), "f.h5", false);
        return m;
    }

    /**
     * tf.keras 2.11-2.15 save the optimizer under its registered name, "Custom>Adam" (register_keras_serializable's
     * default package), with is_legacy_optimizer and jit_compile in its config: it compiles as that optimizer (it loaded
     * uncompiled with a warning). Those two keys are tf.keras 2's: a Keras 3 file with them does not compile (KerasCompileKeysTest).
     */
    @Test
    void tfKeras211OptimizersByTheirRegisteredNameCompile() {
        String common = "\"weight_decay\": null, \"clipnorm\": null, \"global_clipnorm\": null, \"clipvalue\": null, \"use_ema\": false,"
                + " \"ema_momentum\": 0.99, \"ema_overwrite_frequency\": null, \"jit_compile\": true, \"is_legacy_optimizer\": false";
        try (Sequential adam = compiledTf2("{\"class_name\": \"Custom>Adam\", \"config\": {\"name\": \"Adam\", " + common
                + ", \"learning_rate\": 0.002, \"beta_1\": 0.8, \"beta_2\": 0.999, \"epsilon\": 1e-07, \"amsgrad\": false}}");
             Sequential rms = compiledTf2("{\"class_name\": \"Custom>RMSprop\", \"config\": {\"name\": \"RMSprop\", " + common
                + ", \"learning_rate\": 0.01, \"rho\": 0.8, \"momentum\": 0.0, \"epsilon\": 1e-07, \"centered\": false}}")) {
            assertEquals("Adam", adam.optimizer().getClass().getSimpleName());
            assertEquals(0.002, adam.optimizer().learningRate(), 1e-9);
            assertEquals("RMSprop", rms.optimizer().getClass().getSimpleName());
            assertEquals(0.01, rms.optimizer().learningRate(), 1e-9);
        }
    }

    /** Keras 3.10 and later save "compile_config": {} for a model never compiled: uncompiled, without the warning (it warned "loss null"). */
    @Test
    void anEmptyCompileConfigLoadsUncompiledWithoutAWarning() throws Exception {
        List<String> warnings = dev.jrnn.LogCapture.warnings(KerasImport.class.getName(), () -> {
            try (Sequential m = new Sequential(new Dense(1).inputShape(2))) {
                KerasTraining.compile(m, Json.parse("{}"), "f.keras");
                assertNull(m.optimizer());
                assertNull(m.loss());
            }
        });
        assertEquals(List.of(), warnings);
    }

    /** Options of an optimizer jrnn lacks leave the model uncompiled, whatever the optimizer; amsgrad is taken. */
    @Test
    void keras2NadamsMomentumScheduleIsNotTakenAmsgradIs() {
        String[][] cases = {
                {"{\"class_name\": \"AdamW\", \"config\": {\"amsgrad\": true}}", "AdamW"},
                {"{\"class_name\": \"AdamW\", \"config\": {\"amsgrad\": false}}", "AdamW"},
                {"{\"class_name\": \"Adam\", \"config\": {\"amsgrad\": true}}", "Adam"},
                {"{\"class_name\": \"Adam\", \"config\": {\"use_ema\": true}}", "Adam"},
                // Keras 2's Nadam decays its momentum as 0.96^(t * schedule_decay), Keras 3's (and jrnn's) as 0.96^t
                {"{\"class_name\": \"Nadam\", \"config\": {\"lr\": 0.002, \"schedule_decay\": 0.004}}", null},
                {"{\"class_name\": \"Nadam\", \"config\": {\"learning_rate\": 0.002}}", "Nadam"},
                {"{\"class_name\": \"Adamax\", \"config\": {\"learning_rate\": 0.002, \"beta_1\": 0.8}}", "Adamax"},
                {"{\"class_name\": \"Adadelta\", \"config\": {\"learning_rate\": 1.0, \"rho\": 0.9}}", "Adadelta"},
                {"{\"class_name\": \"Lion\", \"config\": {\"learning_rate\": 0.0001, \"beta_2\": 0.98}}", "Lion"}};
        for (String[] c : cases) {
            try (Sequential m = compiled(c[0])) {
                assertEquals(c[1], m.optimizer() == null ? null : m.optimizer().name(), c[0]);
                if (c[0].contains("amsgrad")) {
                    boolean want = c[0].contains("true");
                    assertEquals(want, m.optimizer() instanceof dev.jrnn.optim.Adam a ? a.amsgrad() : ((dev.jrnn.optim.AdamW) m.optimizer()).amsgrad(), c[0]);
                }
            }
        }
    }

    /**
     * Keras 3's gradient_accumulation_steps, use_ema, ema_momentum and ema_overwrite_frequency compile with the model (null or
     * 0: off, as Keras' falsy checks; the EMA options read only with use_ema, as Keras checks them only then); a step count that
     * is not an integer leaves it uncompiled with a warning naming the option and the file.
     */
    @Test
    void gradientAccumulationAndEmaCompileWithTheModel() throws Exception {
        Object[][] cases = {
                {"{\"class_name\": \"Adam\", \"config\": {\"learning_rate\": 0.01, \"gradient_accumulation_steps\": 4}}", 4, false, 0.99f, 0},
                {"{\"class_name\": \"SGD\", \"config\": {\"gradient_accumulation_steps\": 2, \"use_ema\": true, \"ema_momentum\": 0.9,"
                        + " \"ema_overwrite_frequency\": 5}}", 2, true, 0.9f, 5},
                {"{\"class_name\": \"RMSprop\", \"config\": {\"use_ema\": true, \"ema_momentum\": 0.5, \"ema_overwrite_frequency\": null}}",
                        1, true, 0.5f, 0},
                {"{\"class_name\": \"Adam\", \"config\": {\"gradient_accumulation_steps\": null, \"use_ema\": false, \"ema_momentum\": 7}}",
                        1, false, 0.99f, 0},
                {"{\"class_name\": \"Lion\", \"config\": {\"gradient_accumulation_steps\": 0}}", 1, false, 0.99f, 0}};
        for (Object[] c : cases) {
            try (Sequential m = compiled((String) c[0])) {
                dev.jrnn.optim.Optimizer o = m.optimizer();
                assertEquals(List.of(c[1], c[2], c[3], c[4]), List.of(o.gradientAccumulationSteps(), o.useEma(), o.emaMomentum(),
                        o.emaOverwriteFrequency()), (String) c[0]);
            }
        }
        List<String> warnings = dev.jrnn.LogCapture.warnings(KerasImport.class.getName(), () -> {
            try (Sequential m = compiled("{\"class_name\": \"Adam\", \"config\": {\"gradient_accumulation_steps\": 2.5}}");
                 Sequential m2 = compiled("{\"class_name\": \"Adam\", \"config\": {\"use_ema\": true, \"ema_momentum\": 1.5}}")) {
                assertNull(m.optimizer());
                assertNull(m2.optimizer());
            }
        });
        assertEquals(2, warnings.size(), warnings.toString());
        assertTrue(warnings.get(0).startsWith("f.keras: the model is not compiled (") && warnings.get(0).contains("gradient_accumulation_steps should be"
                + " an integer or null, got 2.5"), warnings.get(0));
        assertTrue(warnings.get(1).contains("emaMomentum") && warnings.get(1).contains("[0, 1]") && warnings.get(1).contains("1.5"), warnings.get(1));
    }

    /** Keras' loss_weights compile with them (a list by position, a map by output name); ones that fit no output do not. */
    @Test
    void lossWeightsCompileWithTheModelOrLeaveItUncompiledWhenTheyFitNoOutput() {
        String adam = ", \"optimizer\": {\"class_name\": \"Adam\", \"config\": {}}}";
        // one output: a weight per output that is not one of them, or a name that is none, leaves it uncompiled
        String[][] one = {{"[1.0, 0.5]", null}, {"{\"a\": 2.0}", null}, {"[1.0]", "Adam"}, {"null", "Adam"}, {"0.5", "Adam"}};
        for (String[] c : one) {
            Sequential m = new Sequential(new Dense(1).inputShape(2).name("d"));
            KerasTraining.compile(m, Json.parse("{\"loss\": \"mse\", \"loss_weights\": " + c[0] + adam), "f.keras");
            assertEquals(c[1], m.optimizer() == null ? null : m.optimizer().name(), c[0]);
            m.close();
        }
        Sequential single = new Sequential(new Dense(1).inputShape(2));
        KerasTraining.compile(single, Json.parse("{\"loss\": \"mse\", \"loss_weights\": 0.5" + adam), "f.keras");
        assertEquals(List.of(0.5), single.lossWeights());
        // two outputs, by position and by name
        for (String lw : new String[] {"[1.0, 0.5]", "{\"b\": 0.5, \"a\": 1.0}"}) {
            dev.jrnn.model.Input in = dev.jrnn.model.Input.shape(2);
            dev.jrnn.model.Model two = new dev.jrnn.model.Model(in, List.of(new Dense(1).name("a").apply(in), new Dense(1).name("b").apply(in)));
            KerasTraining.compile(two, Json.parse("{\"loss\": \"mse\", \"loss_weights\": " + lw + adam), "f.keras");
            assertEquals(List.of(1.0, 0.5), two.lossWeights(), lw);
            two.close();
        }
    }

    /**
     * Keras 3 writes {@code compile(loss=[None, "mse"])} as {@code "loss": [null, "mse"]} (and a dict with a null): the
     * output without a loss compiles without one, with the loss weights beside it (before, the null made it uncompiled).
     */
    @Test
    void aNullLossPerOutputCompilesThatOutputWithoutALoss() {
        String adam = ", \"optimizer\": {\"class_name\": \"Adam\", \"config\": {}}}";
        String[] configs = {"{\"loss\": [null, \"mse\"]" + adam, "{\"loss\": {\"b\": \"mse\", \"a\": null}" + adam,
                "{\"loss\": [null, \"mse\"], \"loss_weights\": [1.0, 0.5]" + adam,
                "{\"loss\": {\"a\": null, \"b\": \"mse\"}, \"loss_weights\": {\"a\": 1.0, \"b\": 0.5}" + adam};
        for (String c : configs) {
            dev.jrnn.model.Input in = dev.jrnn.model.Input.shape(2);
            try (dev.jrnn.model.Model two = new dev.jrnn.model.Model(in, List.of(new Dense(1).name("a").apply(in), new Dense(1).name("b").apply(in)))) {
                KerasTraining.compile(two, Json.parse(c), "f.keras");
                assertEquals(java.util.Arrays.asList(null, dev.jrnn.losses.Losses.mse()), two.losses(), c);
                assertEquals(c.contains("loss_weights") ? List.of(1.0, 0.5) : List.of(), two.lossWeights(), c);
            }
        }
    }

    private static String loss(String cls, String config) {
        return "{\"module\": \"keras.losses\", \"class_name\": \"" + cls + "\", \"config\": {" + config + "}, \"registered_name\": null}";
    }

    /** A Keras loss object's options are honoured (from_logits, label_smoothing, delta, reduction); those jrnn lacks leave the model uncompiled. */
    @Test
    void aLossObjectsOptionsAreHonouredOrRefused() {
        String adam = "{\"class_name\": \"Adam\", \"config\": {\"learning_rate\": 0.01}}";
        String[][] cases = {
                {loss("CategoricalCrossentropy", "\"from_logits\": true, \"label_smoothing\": 0.0, \"axis\": -1, \"reduction\": \"sum_over_batch_size\""),
                        "CATEGORICAL_CROSSENTROPY_LOGITS"},
                {loss("SparseCategoricalCrossentropy", "\"from_logits\": false, \"reduction\": \"auto\""), "SPARSE_CATEGORICAL_CROSSENTROPY"},
                {loss("BinaryCrossentropy", "\"from_logits\": true"), "BINARY_CROSSENTROPY_LOGITS"},
                {loss("Huber", "\"delta\": 1.0"), "HUBER"},
                {loss("CategoricalCrossentropy", "\"label_smoothing\": 0.1"), "CATEGORICAL_CROSSENTROPY(labelSmoothing=0.1)"},
                {loss("Huber", "\"delta\": 2.0"), "HUBER(delta=2.0)"},
                {loss("MeanSquaredError", "\"reduction\": \"sum\""), "MSE(reduction=sum)"},
                {loss("SparseCategoricalCrossentropy", "\"ignore_class\": 0, \"from_logits\": true"),
                        "SPARSE_CATEGORICAL_CROSSENTROPY_LOGITS(ignoreClass=0)"},
                {loss("MeanSquaredError", "\"reduction\": \"none\""), null},
                {loss("CategoricalCrossentropy", "\"axis\": 1"), null}};
        for (String[] c : cases) {
            try (Sequential m = compiled(c[0], adam)) {
                assertEquals(c[1], m.loss() == null ? null : m.loss().toString(), c[0]);
            }
        }
    }

    @Test
    void kerasWeightDecayOnAdamAndSgdIsTaken() {
        for (String cls : new String[] {"Adam", "SGD", "RMSprop"}) {
            try (Sequential m = compiled("{\"class_name\": \"" + cls + "\", \"config\": {\"learning_rate\": 0.01, \"weight_decay\": 0.004}}")) {
                assertEquals(cls, m.optimizer().name());
                assertEquals(0.004f, m.optimizer().weightDecay(), cls);
            }
            try (Sequential m = compiled("{\"class_name\": \"" + cls + "\", \"config\": {\"learning_rate\": 0.01, \"weight_decay\": null}}")) {
                assertEquals(cls, m.optimizer().name(), "Keras 3's default weight_decay None compiles");
            }
        }
    }

    /**
     * Mixed precision's LossScaleOptimizer (Keras 3 and tf.keras 2 configs, inner_optimizer serialized) compiles as its inner
     * optimizer with its settings: jrnn trains in float32. Before, the model loaded uncompiled.
     */
    @Test
    void aLossScaleOptimizerCompilesAsItsInnerOptimizer() {
        String inner = "{\"module\": \"keras.optimizers\", \"class_name\": \"Adam\", \"config\": {\"name\": \"adam\", \"learning_rate\": 0.002,"
                + " \"beta_1\": 0.8, \"amsgrad\": true}, \"registered_name\": null}";
        for (String extra : new String[] {"\"initial_scale\": 32768.0, \"dynamic_growth_steps\": 2000", "\"dynamic\": true, \"initial_scale\": 32768.0"}) {
            String cls = extra.contains("dynamic\"") ? "LossScaleOptimizerV3" : "LossScaleOptimizer";   // tf.keras 2.11-2.15's name
            try (Sequential m = compiled("{\"class_name\": \"" + cls + "\", \"config\": {\"name\": \"loss_scale_optimizer\","
                    + " \"inner_optimizer\": " + inner + ", " + extra + "}}")) {
                dev.jrnn.optim.Adam a = (dev.jrnn.optim.Adam) m.optimizer();
                assertEquals(0.002f, a.learningRate());
                assertEquals(0.8f, a.beta1());
                assertTrue(a.amsgrad());
            }
        }
    }

    /**
     * tf.keras 2.4-2.15's legacy LossScaleOptimizer writes "dynamic" beside initial_scale and dynamic_growth_steps, and
     * Keras 3.15.1's takes it too (kwargs.pop("dynamic", True)): both compile as the inner optimizer (the cfgkeys3
     * review found them loading uncompiled with "unrecognized option dynamic").
     */
    @Test
    void aLossScaleOptimizerWithDynamicCompiles() {
        String cfg = "{\"class_name\": \"LossScaleOptimizer\", \"config\": {\"inner_optimizer\": {\"class_name\": \"Adam\", \"config\":"
                + " {\"name\": \"Adam\", \"learning_rate\": 0.003}}, \"dynamic\": true, \"initial_scale\": 32768.0, \"dynamic_growth_steps\": 2000}}";
        try (Sequential tf2 = compiledTf2(cfg); Sequential k3 = compiled(cfg)) {
            assertEquals(0.003f, ((dev.jrnn.optim.Adam) tf2.optimizer()).learningRate());
            assertEquals(0.003f, ((dev.jrnn.optim.Adam) k3.optimizer()).learningRate());
        }
    }

    @Test
    void aKeras2ScheduleCompilesWithTheSchedule() {
        String tfKeras = "{\"class_name\": \"Adam\", \"config\": {\"learning_rate\": {\"class_name\": \"ExponentialDecay\", \"config\": "
                + "{\"initial_learning_rate\": 0.1, \"decay_steps\": 10, \"decay_rate\": 0.5, \"staircase\": true, \"name\": null}}}}";
        try (Sequential m = compiledTf2(tfKeras)) {   // tf.keras 2's training_config: its schedules' default name is None
            assertEquals(new ExponentialDecay(0.1, 10, 0.5).staircase(true).config(), m.optimizer().schedule().config());
            assertEquals(0.05, m.optimizer().schedule().at(10), 1e-15);
        }
        // tf.keras 2 trains with a name holding '/' (tf.name_scope("sched/a") is taken, TF 2.21 eagerly and in tf.function):
        // it compiled before the schedule keys were checked, and compiles; Keras 3.15.1's schedule refuses it at its first
        // call ("cannot contain character `/`"), so a Keras 3 file with it stays uncompiled
        String slash = tfKeras.replace("\"name\": null", "\"name\": \"sched/a\"");
        try (Sequential m = compiledTf2(slash)) {
            assertEquals(0.05, m.optimizer().schedule().at(10), 1e-15);
        }
        try (Sequential m = compiled(slash)) {
            assertNull(m.optimizer(), "a Keras 3 schedule named with '/' fails at its first call in Keras 3.15.1");
        }
        // tf.name_scope(3) raises ("name for name_scope must be a string"): not a name in either
        try (Sequential m = compiledTf2(tfKeras.replace("\"name\": null", "\"name\": 3"))) {
            assertNull(m.optimizer());
        }
        String unknown = "{\"class_name\": \"Adam\", \"config\": {\"learning_rate\": {\"class_name\": \"InverseTimeDecay\", \"config\": {}}}}";
        try (Sequential m = compiled(unknown)) {
            assertNull(m.optimizer(), "a schedule jrnn lacks leaves the model uncompiled");
        }
    }

    /**
     * Keras 3 takes FBetaScore by its registry name "f_beta_score" (to_snake_case of the class) and keeps the name given;
     * two AUC objects of the same name log as "auc" and "auc_1"; the class name "FBetaScore" is taken too.
     */
    @Test
    void kerasMetricNamesAndRepeatedObjectsCompile() {
        dev.jrnn.Jrnn.setBackend("cpu");
        Sequential m = new Sequential(new dev.jrnn.layers.SimpleRNN(3).inputShape(4, 2), new Dense(1).activation("sigmoid"));
        KerasTraining.compile(m, Json.parse("{\"loss\": \"binary_crossentropy\", \"optimizer\": {\"class_name\": \"Adam\", \"config\": {}},"
                + " \"metrics\": [\"f_beta_score\", {\"class_name\": \"AUC\", \"config\": {\"name\": \"auc\", \"num_thresholds\": 50}},"
                + " {\"class_name\": \"AUC\", \"config\": {\"name\": \"auc\", \"curve\": \"PR\"}}, \"FBetaScore\"]}"), "f.keras");
        assertEquals(List.of("f_beta_score", "auc", "auc_1", "FBetaScore"), m.metricNames());   // a name is logged as given
        assertEquals(50L, ((Number) ((Map<?, ?>) ((Map<?, ?>) m.metricConfigs().get(1)).get("config")).get("num_thresholds")).longValue());
        assertEquals("PR", ((Map<?, ?>) ((Map<?, ?>) m.metricConfigs().get(2)).get("config")).get("curve"));
        m.close();
    }

    /**
     * Keras 3 reads a flat metrics list as long as the outputs as one metric per output (tf.keras 2's training_config: each
     * on every output); a dict by output name, a list per output and weighted_metrics compile as such.
     */
    @Test
    void metricsPerOutputAndWeightedMetricsCompile() {
        dev.jrnn.Jrnn.setBackend("cpu");
        java.util.function.Supplier<dev.jrnn.model.Model> two = () -> {
            dev.jrnn.model.Input in = dev.jrnn.model.Input.shape(2);
            return new dev.jrnn.model.Model(in, List.of(new Dense(1).name("a").apply(in), new Dense(1).name("b").apply(in)));
        };
        String head = "{\"loss\": \"mse\", \"optimizer\": {\"class_name\": \"Adam\", \"config\": {}}, ";
        try (dev.jrnn.model.Model m = two.get()) {
            KerasTraining.compile(m, Json.parse(head + "\"metrics\": [\"mae\", \"mse\"]}"), "f.keras");
            assertEquals(List.of("a_mae", "b_mse"), m.metricKeys());
        }
        try (dev.jrnn.model.Model m = two.get()) {
            KerasTraining.compile(m, Json.parse(head + "\"metrics\": [\"mae\", \"mse\"]}"), "f.h5", false);
            assertEquals(List.of("a_mae", "a_mse", "b_mae", "b_mse"), m.metricKeys());
        }
        try (dev.jrnn.model.Model m = two.get()) {
            KerasTraining.compile(m, Json.parse(head + "\"metrics\": {\"b\": [\"mae\", {\"class_name\": \"AUC\", \"config\":"
                    + " {\"name\": \"auc\", \"num_thresholds\": 20}}]}, \"weighted_metrics\": [[\"mse\", \"mae\"], null]}"), "f.keras");
            assertEquals(List.of("b_mae", "b_auc", "a_mse", "a_mae"), m.metricKeys());
            assertEquals(Map.of("b", List.of("mae", new dev.jrnn.losses.Auc().name("auc").numThresholds(20).serialize())), m.metricsConfig().get(0));
            assertEquals(List.of(List.of("mse", "mae"), List.of()), m.metricsConfig().get(1));
        }
    }

    /** A compile config of {@code loss} and {@code lossWeights} (JSON) on a model of outputs [zz, aa]; its warnings into {@code warnings}. */
    private static dev.jrnn.model.Model zzAa(String loss, String lossWeights, List<String> warnings) throws Exception {
        return zzAa(loss, lossWeights, warnings, true);
    }

    /** As above, of a Keras 3 file ({@code keras3}) or a tf.keras 2 file's training_config. */
    private static dev.jrnn.model.Model zzAa(String loss, String lossWeights, List<String> warnings, boolean keras3) throws Exception {
        dev.jrnn.model.Input in = dev.jrnn.model.Input.shape(3).name("x");
        dev.jrnn.model.Model m = new dev.jrnn.model.Model(in, List.of(new Dense(1).name("zz").apply(in), new Dense(1).name("aa").apply(in)));
        warnings.addAll(dev.jrnn.LogCapture.warnings(KerasImport.class.getName(), () -> KerasTraining.compile(m, Json.parse(
                "{\"loss\": " + loss + ", \"loss_weights\": " + lossWeights + ", \"metrics\": null, \"optimizer\": {\"class_name\": \"SGD\","
                        + " \"config\": {\"learning_rate\": 0.1}}}"), keras3 ? "f.keras" : "f.h5", keras3)));
        return m;
    }

    /**
     * Keras 3.15.1 compiles a loss dict with a loss_weights list (the positions in output order: [zz, aa] weighs zz by 0.3)
     * and a loss list with a loss_weights dict (the dict's values by position in sorted-key order, its keys unread: zz
     * gets aa's 2.0), as make_dict_inputs.py's files show; such files loaded uncompiled. The second weighs other outputs
     * than its keys name: one warning says so.
     */
    @Test
    void lossWeightsAndLossesOfDifferentFormsCompileAsKerasPairsThem() throws Exception {
        List<String> warnings = new java.util.ArrayList<>();
        try (dev.jrnn.model.Model m = zzAa("{\"aa\": \"binary_crossentropy\", \"zz\": \"mse\"}", "[0.3, 2.0]", warnings)) {
            assertEquals(List.of(0.30000001192092896, 2.0), m.lossWeights());
            assertEquals("binary_crossentropy", dev.jrnn.losses.Losses.kerasName(m.losses().get(1)));
        }
        assertEquals(List.of(), warnings);
        try (dev.jrnn.model.Model m = zzAa("[\"mse\", \"binary_crossentropy\"]", "{\"zz\": 0.25, \"aa\": 4.0}", warnings)) {
            assertEquals(List.of(4.0, 0.25), m.lossWeights());
        }
        assertEquals(List.of("f.keras: loss_weights {aa=4.0, zz=0.25} are given by name beside a list of losses; Keras 3 pairs them"
                + " with the outputs [zz, aa] by position in sorted-key order [aa, zz], and so does jrnn, as the model was trained"
                + " (weights [4.0, 0.25])"), warnings);
    }

    /**
     * tf.keras 2 reads a loss_weights dict beside a loss list by output name (LossesContainer._conform_to_outputs ->
     * map_to_output_names: [struct.pop(name, None) for name in output_names], an output left out weighed by 1, a key that
     * names no output refused), not by position in sorted-key order as Keras 3: a tf.keras 2 file's dict compiles by name,
     * silently.
     */
    @Test
    void tfKeras2ReadsLossWeightsDictBesideLossListByOutputName() throws Exception {
        List<String> warnings = new java.util.ArrayList<>();
        try (dev.jrnn.model.Model m = zzAa("[\"mse\", \"binary_crossentropy\"]", "{\"zz\": 0.25, \"aa\": 4.0}", warnings, false)) {
            assertTrue(m.isCompiled());
            assertEquals(List.of(0.25, 4.0), m.lossWeights());
            assertEquals("binary_crossentropy", dev.jrnn.losses.Losses.kerasName(m.losses().get(1)));
        }
        try (dev.jrnn.model.Model m = zzAa("[\"mse\", \"mse\"]", "{\"aa\": 4.0}", warnings, false)) {
            assertEquals(List.of(1.0, 4.0), m.lossWeights());
        }
        assertEquals(List.of(), warnings);
        try (dev.jrnn.model.Model m = zzAa("[\"mse\", \"mse\"]", "{\"aa\": 4.0, \"yy\": 2.0}", warnings, false)) {
            assertFalse(m.isCompiled());
        }
        assertEquals(1, warnings.size());
        assertTrue(warnings.get(0).contains("[yy]"), warnings.get(0));
    }

    /**
     * The metric names Keras 3.15.1 logs after loading its own .h5 and .keras (h5_metric_names/make_h5_metric_names.py):
     * the .h5's strings renamed as Keras' legacy loader makes them (mse -> mean_squared_error, AUC and auc -> auc, auc_1,
     * the weighted AUC auc_2, bce -> binary_crossentropy_1, LogCoshError's logcosh), the .keras's kept as given; the
     * values equal Keras'. jrnn kept the .h5's strings as given before. The .h5's numbers are drawn at the load, as
     * Keras': an Auc made right after it is auc_3, and evaluate still logs auc, auc_1, auc_2.
     */
    @Test
    void anH5sMetricNamesAreThoseKerasLoadsItWith() throws Exception {
        Map<?, ?> g;
        try (java.io.InputStream s = KerasTrainingTest.class.getResourceAsStream("h5_metric_names/h5_metric_names.json")) {
            g = (Map<?, ?>) Json.parse(new String(s.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8));
        }
        dev.jrnn.Jrnn.setBackend("cpu");
        dev.jrnn.tensor.Tensor x = vector(g.get("x"), 20, 3), y = vector(g.get("y"), 20, 1), w = vector(g.get("w"), 20);
        for (String file : List.of("names.h5", "names.keras")) {
            dev.jrnn.Jrnn.clearSession();
            java.nio.file.Path path = java.nio.file.Path.of(KerasTrainingTest.class.getResource("h5_metric_names/" + file).toURI());
            try (dev.jrnn.model.Model m = dev.jrnn.model.Models.load(path)) {
                if (file.equals("names.h5")) {   // the load drew auc, auc_1, auc_2, as Keras' does
                    assertEquals(g.get("auc_made_after_h5_load"), new dev.jrnn.losses.Auc().key());
                }
                Map<String, Double> got = m.evaluateAll(List.of(x), List.of(y), 8, null, w);
                Map<?, ?> keras = (Map<?, ?>) g.get(file);
                assertEquals(new java.util.TreeSet<>(keras.keySet()), new java.util.TreeSet<>(got.keySet()), file);
                for (Map.Entry<?, ?> e : keras.entrySet()) {
                    double want = ((Number) e.getValue()).doubleValue();
                    assertEquals(want, got.get(e.getKey()), 2e-6 * Math.max(1, Math.abs(want)), file + " " + e.getKey());
                }
            }
        }
    }

    /**
     * A Keras-saved .h5 of two outputs with metrics by output name (h5_metric_names/make_h5_multi_metric_names.py): the
     * numbered names draw across the outputs in the file's order as Keras 3.15.1's loader draws them (b_auc, a_auc_1, the
     * weighted a_auc_2), bce logs as b_binary_crossentropy; the values equal Keras'.
     */
    @Test
    void anH5sMetricsByOutputAreNamedAsKerasLoadsThem() throws Exception {
        Map<?, ?> g;
        try (java.io.InputStream s = KerasTrainingTest.class.getResourceAsStream("h5_metric_names/h5_multi_metric_names.json")) {
            g = (Map<?, ?>) Json.parse(new String(s.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8));
        }
        dev.jrnn.Jrnn.setBackend("cpu");
        dev.jrnn.Jrnn.clearSession();
        java.nio.file.Path path = java.nio.file.Path.of(KerasTrainingTest.class.getResource("h5_metric_names/multi.h5").toURI());
        try (dev.jrnn.model.Model m = dev.jrnn.model.Models.load(path)) {
            Map<String, Double> got = m.evaluateAll(List.of(vector(g.get("x"), 10, 3)), List.of(vector(g.get("y_a"), 10, 1), vector(g.get("y_b"), 10, 1)), 5, null);
            Map<?, ?> keras = (Map<?, ?>) g.get("multi.h5");
            assertEquals(new java.util.TreeSet<>(keras.keySet()), new java.util.TreeSet<>(got.keySet()));
            for (Map.Entry<?, ?> e : keras.entrySet()) {
                double want = ((Number) e.getValue()).doubleValue();
                assertEquals(want, got.get(e.getKey()), 2e-6 * Math.max(1, Math.abs(want)), String.valueOf(e.getKey()));
            }
        }
    }

    private static dev.jrnn.tensor.Tensor vector(Object values, int... shape) {
        List<?> l = (List<?>) values;
        float[] v = new float[l.size()];
        for (int i = 0; i < v.length; i++) v[i] = ((Number) l.get(i)).floatValue();
        return dev.jrnn.tensor.Tensor.of(v, shape);
    }
}
