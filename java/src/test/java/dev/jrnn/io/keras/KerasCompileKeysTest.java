package dev.jrnn.io.keras;

import dev.jrnn.Jrnn;
import dev.jrnn.LogCapture;
import dev.jrnn.data.Npy;
import dev.jrnn.io.Json;
import dev.jrnn.model.Model;
import dev.jrnn.model.Models;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static dev.jrnn.io.keras.GeneratedKerasFilesTest.keras3Real;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A Keras 3 file's compile_config edited one key at a time, against what Keras 3.15.1 does with each: the edits and
 * Keras' outcomes are {@code keras3_real/compile_keys.json}, written by {@code keras3_real/make_compile_keys.py}, applied
 * here to the same cfgkeys.keras. Keras calls {@code compile(**compile_config)} and {@code cls(**optimizer_config)}: an
 * unknown or misspelt key, and a learning rate that is not a number, fail there (and its load_model with them); jrnn
 * loads such a file uncompiled with one warning naming the key (GUIDE, "Compiled or not"), where it compiled with the
 * default (a misspelt learning_rate trained at Adam's 0.001). What Keras compiles compiles here, with Keras' learning rate.
 */
class KerasCompileKeysTest {
    /** Keras compiles these; jrnn does not (GUIDE): a value it cannot hold or an option it would drop. */
    private static final Map<String, String> UNCOMPILED_HERE = Map.of(
            "beta_str", "'beta_1' should be a number, got \"abc\"",
            "amsgrad_int", "'amsgrad' should be true or false, got 1",
            "decay", "decay",
            "lr_negative", "learning rate must be a finite number >= 0, got -0.5");
    /** What jrnn's warning names where it is not the edited key. */
    private static final Map<String, String> NAMED = Map.of("lower_class", "optimizer \"adam\"", "two_clips", "clipvalue");
    /** Keras refuses this; jrnn compiles it (GUIDE): an integer learning rate is that number. */
    private static final Map<String, Double> COMPILED_HERE = Map.of("lr_int", 1.0);

    @BeforeAll
    static void cpu() {
        Jrnn.setBackend("cpu");
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> edited(Map<String, Object> base, List<?> sets) {
        Map<String, Object> cc = (Map<String, Object>) Json.parse(Json.write(base));
        for (Object s : sets) {
            Map<String, Object> set = (Map<String, Object>) s;
            Map<String, Object> at = cc;
            for (Object p : (List<?>) set.get("path")) at = (Map<String, Object>) at.get((String) p);
            if ("pop".equals(set.get("value"))) at.remove((String) set.get("key"));
            else at.put((String) set.get("key"), set.get("value"));
        }
        return cc;
    }

    @Test
    @SuppressWarnings("unchecked")
    void eachEditLoadsAsKeras3151CompilesIt(@TempDir Path dir) throws Exception {
        Map<String, Object> golden = (Map<String, Object>) Json.parse(Files.readString(keras3Real("compile_keys.json")));
        Map<String, Object> base = (Map<String, Object>) golden.get("compile_config");
        float[] x = null, want = Npy.read(keras3Real("cfgkeys_y.npy")).data();
        List<String> failures = new ArrayList<>();
        for (Object o : (List<?>) golden.get("edits")) {
            Map<String, Object> e = (Map<String, Object>) o;
            String name = (String) e.get("name"), key = (String) ((Map<String, Object>) ((List<?>) e.get("set")).get(0)).get("key");
            Map<String, Object> cc = edited(base, (List<?>) e.get("set"));
            Path f = KerasFixtures.withConfig(keras3Real("cfgkeys.keras"), dir.resolve(name + ".keras"), text -> {
                Map<String, Object> c = new LinkedHashMap<>((Map<String, Object>) Json.parse(text));
                c.put("compile_config", cc);
                return Json.write(c);
            });
            Object[] got = new Object[3];
            List<String> warnings = LogCapture.warnings(KerasImport.class.getName(), () -> {
                try (Model m = Models.load(f)) {
                    got[0] = m.optimizer() == null ? null : m.optimizer().getClass().getSimpleName();
                    got[1] = m.optimizer() == null ? null : (double) m.optimizer().learningRate();
                    got[2] = m.predict(Npy.read(keras3Real("cfgkeys_x.npy"))).data();
                }
            });
            KerasFixtures.assertClose(want, (float[]) got[2], name);   // compiled or not, it predicts as Keras
            boolean compiles = "compiled".equals(e.get("keras")) ? !UNCOMPILED_HERE.containsKey(name) : COMPILED_HERE.containsKey(name);
            String why = name + " (Keras 3.15.1: " + e.get("keras") + " " + e.getOrDefault("error", "") + "): jrnn " + got[0] + " " + warnings;
            if (compiles) {
                double lr = COMPILED_HERE.getOrDefault(name, e.get("learning_rate") instanceof Number n ? n.doubleValue() : Double.NaN);
                if (!e.getOrDefault("optimizer", "Adam").equals(got[0]) || got[1] == null || Math.abs((double) got[1] - lr) > 1e-9 || !warnings.isEmpty()) {
                    failures.add(why);
                }
            } else {
                String says = UNCOMPILED_HERE.getOrDefault(name, NAMED.getOrDefault(name, key));
                if (got[0] != null || warnings.size() != 1 || !warnings.get(0).startsWith(f + ": the model is not compiled (")
                        || !warnings.get(0).contains(says)) {
                    failures.add(why + "; expected one warning naming " + says);
                }
            }
        }
        assertEquals(List.of(), failures);
    }

    /**
     * A learning-rate schedule inside the compile_config, edited one key at a time ({@code keras3_real/schedule_keys.json},
     * by {@code make_schedule_keys.py}): Keras 3.15.1 builds it by {@code cls(**config)}, so an unknown or misspelt key, a
     * missing one and a wrong-typed step count fail the load; a wrong-typed rate or name compiles there but fails at the
     * schedule's first call (fit cannot run). jrnn ignored unknown keys (a misspelt "warmup_step" trained without warmup):
     * each of those now loads uncompiled with one warning naming the key; what Keras compiles compiles here, with Keras'
     * learning rate at steps 0 and 57.
     */
    @Test
    @SuppressWarnings("unchecked")
    void eachScheduleEditLoadsAsKeras3151CompilesIt(@TempDir Path dir) throws Exception {
        Map<String, Object> base = (Map<String, Object>) ((Map<String, Object>) Json.parse(Files.readString(keras3Real("compile_keys.json"))))
                .get("compile_config");
        List<String> failures = new ArrayList<>();
        for (Object o : (List<?>) Json.parse(Files.readString(keras3Real("schedule_keys.json")))) {
            Map<String, Object> e = (Map<String, Object>) o;
            String name = (String) e.get("name");
            Map<String, Object> cc = (Map<String, Object>) Json.parse(Json.write(base));
            ((Map<String, Object>) ((Map<String, Object>) cc.get("optimizer")).get("config")).put("learning_rate", e.get("schedule"));
            Path f = KerasFixtures.withConfig(keras3Real("cfgkeys.keras"), dir.resolve("s" + failures.size() + ".keras"), text -> {
                Map<String, Object> c = new LinkedHashMap<>((Map<String, Object>) Json.parse(text));
                c.put("compile_config", cc);
                return Json.write(c);
            });
            double[] lr = new double[2];
            boolean[] compiled = new boolean[1];
            List<String> warnings = LogCapture.warnings(KerasImport.class.getName(), () -> {
                try (Model m = Models.load(f)) {
                    compiled[0] = m.optimizer() != null;
                    if (compiled[0]) {
                        lr[0] = m.optimizer().learningRate();
                        lr[1] = m.optimizer().schedule().at(57);
                    }
                }
            });
            String why = name + " (Keras 3.15.1: " + e.get("keras") + " " + e.getOrDefault("error", "") + "): jrnn "
                    + (compiled[0] ? "compiled " + lr[0] + ", " + lr[1] : "uncompiled") + " " + warnings;
            if ("compiled".equals(e.get("keras"))) {
                if (!compiled[0] || !warnings.isEmpty() || Math.abs(lr[0] - ((Number) e.get("lr0")).doubleValue()) > 1e-8
                        || Math.abs(lr[1] - ((Number) e.get("lr57")).doubleValue()) > 1e-8) {
                    failures.add(why);
                }
            } else if (compiled[0] || warnings.size() != 1 || !warnings.get(0).startsWith(f + ": the model is not compiled (")
                    || !warnings.get(0).contains("'" + e.get("key") + "'") && !warnings.get(0).contains("\"" + e.get("key") + "\"")) {
                failures.add(why + "; expected one warning naming " + e.get("key"));
            }
        }
        assertEquals(List.of(), failures);
    }

    /**
     * A null required argument of a schedule: Keras 3.15.1 refuses a null step count, boundaries or values when building
     * the schedule, and builds one with a null rate, whose first call raises ({@code keras3_real/make_schedule_nulls.py},
     * its output in its docstring, read here). The warning said "Keras 3.15.1 refuses it" for both; it says which now.
     */
    @Test
    void aNullScheduleKeyIsNamedWhereKerasFailsOnIt() throws Exception {
        Map<String, String> bases = Map.of(
                "ExponentialDecay", "\"initial_learning_rate\": 0.01, \"decay_steps\": 100, \"decay_rate\": 0.9",
                "PiecewiseConstantDecay", "\"boundaries\": [10, 20], \"values\": [0.1, 0.01, 0.001]",
                "PolynomialDecay", "\"initial_learning_rate\": 0.01, \"decay_steps\": 100",
                "InverseTimeDecay", "\"initial_learning_rate\": 0.01, \"decay_steps\": 100, \"decay_rate\": 0.5",
                "CosineDecay", "\"initial_learning_rate\": 0.01, \"decay_steps\": 100",
                "CosineDecayRestarts", "\"initial_learning_rate\": 0.01, \"first_decay_steps\": 30");
        java.util.regex.Pattern line = java.util.regex.Pattern.compile("(?m)^(\\w+) (\\w+) (init|call): ");
        java.util.regex.Matcher said = line.matcher(Files.readString(keras3Real("make_schedule_nulls.py")));
        int n = 0;
        for (; said.find(); n++) {
            String cls = said.group(1), key = said.group(2);
            @SuppressWarnings("unchecked")
            Map<String, Object> cfg = new LinkedHashMap<>((Map<String, Object>) Json.parse("{" + bases.get(cls) + "}"));
            assertTrue(cfg.containsKey(key), key);
            cfg.put(key, null);
            String json = "{\"loss\": \"mse\", \"optimizer\": {\"class_name\": \"Adam\", \"config\": {\"learning_rate\": {\"class_name\": \""
                    + cls + "\", \"config\": " + Json.write(cfg) + "}}}}";
            List<String> w = LogCapture.warnings(KerasImport.class.getName(), () -> {
                try (dev.jrnn.model.Sequential m = new dev.jrnn.model.Sequential(new dev.jrnn.layers.Dense(1).inputShape(2))) {
                    KerasTraining.compile(m, Json.parse(json), "f.keras");
                    assertNull(m.optimizer(), json);
                }
            });
            String where = said.group(3).equals("init") ? "Keras 3.15.1 refuses it when building the schedule"
                    : "Keras 3.15.1 builds the schedule, and its first call raises";
            assertEquals(List.of("f.keras: the model is not compiled (training_config.optimizer.config.learning_rate.config: '" + key
                    + "' is null, which " + cls + " needs (" + where + ")); call compile before fit"), w, json);
        }
        assertEquals(14, n, "the lines of make_schedule_nulls.py's docstring");
    }

    /**
     * A tf.keras 2 training_config: the keys older writers wrote (lr, decay 0, is_legacy_optimizer, jit_compile) compile; a
     * misspelt one does not. tf.keras 2 refuses it as Keras 3 does (the engine of TensorFlow 2.21:
     * {@code optimizers.deserialize({"class_name": "Adam", "config": {"learing_rate": 0.5}})} raises "TypeError: Unexpected
     * keyword argument passed to optimizer: learing_rate"; {@code {"lr": 0.5, "decay": 0.0}} gives Adam at 0.5).
     */
    @Test
    void aTfKeras2TrainingConfigIsHeldToTheKeysItsWritersWrote() throws Exception {
        String[] ok = {"{\"lr\": 0.5, \"decay\": 0.0}", "{\"learning_rate\": 0.5, \"is_legacy_optimizer\": false, \"jit_compile\": true}"};
        for (String c : ok) {
            try (dev.jrnn.model.Sequential m = new dev.jrnn.model.Sequential(new dev.jrnn.layers.Dense(1).inputShape(2))) {
                KerasTraining.compile(m, Json.parse("{\"loss\": \"mse\", \"optimizer_config\": {\"class_name\": \"Adam\", \"config\": " + c + "}}"),
                        "f.h5", false);
                assertNotNull(m.optimizer(), c);
                assertEquals(0.5, m.optimizer().learningRate(), 1e-9, c);
            }
        }
        List<String> w = LogCapture.warnings(KerasImport.class.getName(), () -> {
            try (dev.jrnn.model.Sequential m = new dev.jrnn.model.Sequential(new dev.jrnn.layers.Dense(1).inputShape(2))) {
                KerasTraining.compile(m, Json.parse("{\"loss\": \"mse\", \"optimizer_config\": {\"class_name\": \"Adam\", \"config\":"
                        + " {\"learing_rate\": 0.5}}}"), "f.h5", false);
                assertNull(m.optimizer());
            }
        });
        assertEquals(List.of("f.h5: the model is not compiled (training_config.optimizer_config.config: unrecognized option"
                + " {\"learing_rate\": 0.5}: not an argument of Adam in any Keras jrnn reads; did you mean learning_rate (not learing_rate)?;"
                + " it takes [amsgrad, beta_1, beta_2, clipnorm, clipvalue, decay, ema_momentum, ema_overwrite_frequency, epsilon,"
                + " global_clipnorm, gradient_accumulation_steps, is_legacy_optimizer, jit_compile, learning_rate, loss_scale_factor, lr,"
                + " name, use_ema, weight_decay]); call compile before fit"), w);
    }
}
