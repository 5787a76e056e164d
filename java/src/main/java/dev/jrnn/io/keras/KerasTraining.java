package dev.jrnn.io.keras;

import dev.jrnn.io.FileFaults;
import dev.jrnn.model.Model;
import dev.jrnn.model.WeightedMetrics;
import dev.jrnn.optim.Adagrad;
import dev.jrnn.optim.Adam;
import dev.jrnn.optim.AdamW;
import dev.jrnn.optim.Adadelta;
import dev.jrnn.optim.Adamax;
import dev.jrnn.optim.Lion;
import dev.jrnn.optim.Nadam;
import dev.jrnn.optim.RMSprop;
import dev.jrnn.optim.Optimizer;
import dev.jrnn.optim.SGD;
import dev.jrnn.backend.Loss;
import dev.jrnn.losses.EpochMetric;
import dev.jrnn.losses.Losses;
import dev.jrnn.optim.schedules.CosineDecay;
import dev.jrnn.optim.schedules.ExponentialDecay;
import dev.jrnn.optim.schedules.LearningRateSchedule;
import dev.jrnn.optim.schedules.PiecewiseConstantDecay;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Compiles an imported model from its Keras training config (Keras 2's {@code training_config} attribute, Keras 3's
 * {@code compile_config}). jrnn compiles it when the loss is one jrnn has and the optimizer is Adam, SGD, RMSprop, Adagrad,
 * AdamW, Nadam, Adamax, Adadelta or Lion with options jrnn honours (learning rate or an ExponentialDecay, PiecewiseConstantDecay, PolynomialDecay, InverseTimeDecay, CosineDecay or CosineDecayRestarts
 * schedule, betas, rho, epsilon, amsgrad, momentum, nesterov, centered, weight decay, clipnorm, clipvalue, global_clipnorm,
 * gradient_accumulation_steps, use_ema, ema_momentum, ema_overwrite_frequency).
 * Anything else (decay, another schedule, ...) leaves the model uncompiled, with one warning naming what was not taken: the model
 * predicts as in Keras; call {@link Model#compile} before fit. An absent config leaves it uncompiled silently.
 */
final class KerasTraining {
    private KerasTraining() {}

    /** A Keras 3 file's compile_config. */
    static void compile(Model model, Object trainingConfig, String file) { compile(model, trainingConfig, file, true); }

    /** {@code keras3}: a Keras 3 file, whose flat metrics list as long as the outputs gives one metric to each (tf.keras 2: each to all). */
    static void compile(Model model, Object trainingConfig, String file, boolean keras3) {
        // Keras 3.10 and later write "compile_config": {} for a model that was never compiled
        if (trainingConfig == null || trainingConfig instanceof java.util.Map<?, ?> m && m.isEmpty()) return;
        String why;
        try {
            why = tryCompile(model, new KerasConfig(trainingConfig, "training_config"), file, keras3);
        } catch (KerasFormatException | IllegalArgumentException e) {
            why = e.getMessage();
        }
        if (why != null) {
            FileFaults.warn(KerasImport.class.getName(), file + ": the model is not compiled (" + why + "); call compile before fit");
        }
    }

    /** Compiles and returns null, or returns why not. */
    private static String tryCompile(Model model, KerasConfig tc, String file, boolean keras3) {
        // Keras 3's compile_config is compile's keyword arguments; a training_config (optimizer_config) is read key by key
        if (!tc.hasKey("optimizer_config")) KerasCompileKeys.checkCompile(tc);
        Object loss;
        try {
            loss = losses(tc.raw("loss"));
        } catch (IllegalArgumentException e) {
            return e.getMessage();
        }
        Object lw = tc.raw("loss_weights");
        Iterable<?> weights = lw instanceof Map<?, ?> m ? m.values() : lw instanceof List<?> l ? l : lw == null ? List.of() : List.of(lw);
        boolean allOne = true;
        for (Object w : weights) {
            if (!(w instanceof Number n) || !Double.isFinite(n.doubleValue())) return "loss_weights " + KerasConfig.describe(lw) + " (not numbers)";
            allOne &= n.doubleValue() == 1;
        }
        if (allOne) lw = null;
        else if (lw instanceof Map<?, ?> wm && loss instanceof List<?>) {
            if (keras3) lw = weightsBesideLossList(model, wm, file);
            else {
                Object byName = weightsByOutputName(model, wm);
                if (byName instanceof String why) return why;
                lw = byName;
            }
        }
        KerasConfig opt = tc.has("optimizer_config") ? tc.object("optimizer_config") : tc.object("optimizer");
        Optimizer o = optimizer(opt, keras3);
        if (o == null) {
            return "optimizer " + KerasConfig.describe(opt.raw("class_name")) + " with config " + KerasConfig.describe(opt.raw("config"))
                    + " is not one jrnn has (Adam, SGD, RMSprop, Adagrad, AdamW, Nadam, Adamax, Adadelta, Lion) with options it has";
        }
        // a LossScaleOptimizer's or Keras 3's loss_scale_factor (jrnn trains in float32: neither changes a step), kept
        // beside this compile to be written back
        dev.jrnn.model.LossScale wrapper = KerasLossScale.of(opt);
        try {
            int outputs = model.isBuilt() ? model.outputs().size() : 1;   // an unbuilt Sequential (a clone) has one
            boolean legacy = tc.hasKey("optimizer_config");   // an .h5's training_config, which Keras' legacy loader reads
            List<Object> args = new ArrayList<>(metricsArg(tc.raw("metrics"), outputs, keras3, legacy));
            if (tc.raw("weighted_metrics") != null) {
                args.add(WeightedMetrics.of(metricsArg(tc.raw("weighted_metrics"), outputs, keras3, legacy).toArray()));
            }
            compile(model, o, loss, lw, args.toArray());
        } catch (IllegalArgumentException e) {
            compile(model, o, loss, lw);
            FileFaults.warn(KerasImport.class.getName(), file + ": compiled without the metrics "
                    + KerasConfig.describe(tc.raw("metrics")) + " and weighted metrics " + KerasConfig.describe(tc.raw("weighted_metrics"))
                    + ": " + e.getMessage());
        }
        if (wrapper != null) model.lossScale(wrapper);   // part of this compile: the next one drops it
        return null;
    }

    /**
     * A Keras 3 file's loss_weights dict beside a loss list as Keras 3 reads it (CompileLoss.build: the dict flattened by sorted key and
     * paired with the losses by position, its keys unread), with one warning where that weighs other outputs than the keys
     * name: the model trains as Keras trained it.
     */
    private static List<Object> weightsBesideLossList(Model model, Map<?, ?> lw, String file) {
        java.util.TreeMap<String, Object> sorted = new java.util.TreeMap<>();
        lw.forEach((k, v) -> sorted.put(String.valueOf(k), v));
        List<String> outs = model.isBuilt() ? model.outputNames() : List.of();
        if (!new ArrayList<>(sorted.keySet()).equals(outs)) {
            FileFaults.warn(KerasImport.class.getName(), file + ": loss_weights " + sorted + " are given by name"
                    + " beside a list of losses; Keras 3 pairs them with the outputs " + outs + " by position in sorted-key order "
                    + sorted.keySet() + ", and so does jrnn, as the model was trained (weights " + sorted.values() + ")");
        }
        return new ArrayList<>(sorted.values());
    }

    /**
     * A tf.keras 2 file's loss_weights dict beside a loss list, in output order, as tf.keras 2 reads it by output name
     * (LossesContainer._conform_to_outputs, map_to_output_names: {@code [struct.pop(name, None) for name in output_names]}):
     * an output the dict leaves out is weighed by 1 (a None weight multiplies nothing); a key that names no output is
     * refused there (ValueError), here returned as why the model is not compiled (a String).
     */
    private static Object weightsByOutputName(Model model, Map<?, ?> lw) {
        List<String> outs = model.isBuilt() ? model.outputNames() : List.of();
        java.util.TreeSet<String> extra = new java.util.TreeSet<>();
        for (Object k : lw.keySet()) if (!outs.contains(String.valueOf(k))) extra.add(String.valueOf(k));
        if (!extra.isEmpty()) {
            return "loss_weights " + KerasConfig.describe(lw) + " has the keys " + extra + " that name no output of " + outs
                    + " (tf.keras 2 reads it by output name and refuses them)";
        }
        List<Object> r = new ArrayList<>();
        for (String o : outs) {
            Object w = null;
            for (Map.Entry<?, ?> e : lw.entrySet()) if (String.valueOf(e.getKey()).equals(o)) w = e.getValue();
            r.add(w == null ? 1.0 : w);
        }
        return r;
    }

    /**
     * The loss of a training config: a name or a loss object (from_logits kept, other options refused), or one per output
     * as Keras writes {@code compile(loss=[...])} (a list) or {@code loss={...}} (a map by output name).
     */
    private static Object losses(Object raw) {
        // None for an output without a loss (Keras' compile(loss=[None, "mse"]) or {"a": None, ...})
        if (raw instanceof List<?> l) return l.stream().map(x -> x == null ? null : Losses.deserialize(x)).toList();
        if (raw instanceof Map<?, ?> m && !m.containsKey("class_name")) {   // by output name, not one serialized loss
            Map<String, Loss> r = new java.util.LinkedHashMap<>();
            for (Map.Entry<?, ?> e : m.entrySet()) r.put(String.valueOf(e.getKey()), e.getValue() == null ? null : Losses.deserialize(e.getValue()));
            return r;
        }
        return Losses.deserialize(raw);
    }

    /** Compiles with the loss (one, a list or a map by output name) and Keras' loss_weights {@code lw} (null: none). */
    private static void compile(Model model, Optimizer o, Object loss, Object lw, Object... metrics) {
        if (lw instanceof Map<?, ?> wm) {
            Map<String, Object> byName = new java.util.LinkedHashMap<>();
            Map<String, Number> weights = new java.util.LinkedHashMap<>();
            wm.forEach((k, v) -> {
                weights.put(String.valueOf(k), (Number) v);
                byName.put(String.valueOf(k), loss instanceof Map<?, ?> m ? m.get(k) : loss);
            });
            model.compile(o, byName, weights, metrics);
        } else if (lw != null) {
            List<Number> weights = new ArrayList<>();
            for (Object w : lw instanceof List<?> l ? l : List.of(lw)) weights.add((Number) w);
            if (loss instanceof Map<?, ?> m) {   // losses by name, weights by position in output order (Keras' CompileLoss)
                Map<String, Object> byName = new java.util.LinkedHashMap<>();
                m.forEach((k, v) -> byName.put(String.valueOf(k), v));
                model.compile(o, byName, weights, metrics);
                return;
            }
            List<?> losses = loss instanceof List<?> l ? l : java.util.Collections.nCopies(weights.size(), loss);
            model.compile(o, losses, weights, metrics);
        } else if (loss instanceof List<?> l) {
            model.compile(o, l, metrics);
        } else if (loss instanceof Map<?, ?> m) {
            Map<String, Object> byName = new java.util.LinkedHashMap<>();
            m.forEach((k, v) -> byName.put((String) k, v));
            model.compile(o, byName, metrics);
        } else {
            model.compile(o, (Loss) loss, metrics);
        }
    }

    /**
     * One of a config's {@code metrics} / {@code weighted_metrics} as compile takes it: a Map by output name or a List per
     * output as one argument (the same List for every output as the every-output form it was written from), else the
     * metrics for every output; a Keras 3 file's flat list as long as the outputs (2 or more) gives one metric to each,
     * as Keras 3 reads it. One metric jrnn lacks leaves the model without metrics (compiled, with a warning that names it).
     * {@code legacy}: an .h5's training_config, whose metric names Keras' legacy loader renames ({@link #legacyMetric}).
     */
    private static List<Object> metricsArg(Object raw, int outputs, boolean keras3, boolean legacy) {
        if (raw instanceof Map<?, ?> m && !m.containsKey("class_name")) {
            Map<String, Object> r = new java.util.LinkedHashMap<>();
            m.forEach((k, v) -> r.put(String.valueOf(k), metrics(v, legacy)));
            return List.of(r);
        }
        if (raw instanceof List<?> l && !l.isEmpty() && (l.stream().allMatch(x -> x == null || x instanceof List<?>)
                || keras3 && outputs > 1 && l.size() == outputs)) {
            List<List<Object>> per = l.stream().map(v -> metrics(v, legacy)).toList();
            return per.stream().distinct().count() == 1 && l.size() == outputs && outputs > 1 && l.stream().allMatch(x -> x instanceof List<?>)
                    ? per.get(0) : List.of(per);
        }
        return metrics(raw, legacy);
    }

    /**
     * Keras 3's metric classes, which its legacy loader finds by a string: the classes of ALL_OBJECTS in Keras
     * 3.15.1's keras/src/metrics/__init__.py (update it with that set).
     */
    private static final List<String> KERAS_METRIC_CLASSES = List.of("Metric", "Mean", "Sum", "MeanMetricWrapper", "MeanSquaredError",
            "RootMeanSquaredError", "MeanAbsoluteError", "MeanAbsolutePercentageError", "MeanSquaredLogarithmicError", "CosineSimilarity",
            "LogCoshError", "R2Score", "AUC", "FalseNegatives", "FalsePositives", "Precision", "PrecisionAtRecall", "Recall",
            "RecallAtPrecision", "SensitivityAtSpecificity", "SpecificityAtSensitivity", "TrueNegatives", "TruePositives",
            "ConcordanceCorrelation", "PearsonCorrelation", "Hinge", "SquaredHinge", "CategoricalHinge", "KLDivergence", "Poisson",
            "BinaryCrossentropy", "CategoricalCrossentropy", "SparseCategoricalCrossentropy", "Accuracy", "BinaryAccuracy",
            "CategoricalAccuracy", "SparseCategoricalAccuracy", "TopKCategoricalAccuracy", "SparseTopKCategoricalAccuracy", "F1Score",
            "FBetaScore", "IoU", "BinaryIoU", "MeanIoU", "OneHotIoU", "OneHotMeanIoU");

    /**
     * A metric string of an .h5's training_config as Keras 3's legacy loader compiles it (saving_utils._deserialize_metric):
     * "accuracy", "acc", "crossentropy" and "ce" as they are; any other string Keras' ALL_OBJECTS_DICT holds (a class
     * name, its snake case, "bce", "mse", "mae", "mape", "msle" and their capitals) becomes its class made with its
     * default name, logged as that ("mse" -> mean_squared_error, "bce" -> binary_crossentropy, LogCoshError's
     * "logcosh"); the classes Keras numbers (AUC, Precision, Recall, the confusion counts) draw theirs here, at the
     * load, as Keras' compile_args_from_training_config makes them there ("AUC" and "auc": auc, auc_1; an AUC made
     * after the load is auc_2). Any other string as it is.
     */
    private static Object legacyMetric(String s) {
        if (List.of("accuracy", "acc", "crossentropy", "ce").contains(s)) return s;
        String cls = switch (s) {
            case "bce", "BCE" -> "BinaryCrossentropy";
            case "mse", "MSE" -> "MeanSquaredError";
            case "mae", "MAE" -> "MeanAbsoluteError";
            case "mape", "MAPE" -> "MeanAbsolutePercentageError";
            case "msle", "MSLE" -> "MeanSquaredLogarithmicError";
            default -> KERAS_METRIC_CLASSES.stream().filter(c -> c.equals(s) || Keras3Weights.snakeCase(c).equals(s)).findFirst().orElse(null);
        };
        if (cls == null) return s;
        switch (cls) {   // no default name of their own: each draws "auc", "auc_1", ... as Keras' auto_name
            case "AUC": return new dev.jrnn.losses.Auc();
            case "Precision": return new dev.jrnn.losses.Precision();
            case "Recall": return new dev.jrnn.losses.Recall();
            case "TruePositives": return new dev.jrnn.losses.TruePositives();
            case "FalsePositives": return new dev.jrnn.losses.FalsePositives();
            case "TrueNegatives": return new dev.jrnn.losses.TrueNegatives();
            case "FalseNegatives": return new dev.jrnn.losses.FalseNegatives();
            default: break;
        }
        String name = cls.equals("LogCoshError") ? "logcosh" : cls.equals("FBetaScore") ? "fbeta_score" : Keras3Weights.snakeCase(cls);
        return metric(Map.of("class_name", cls, "config", Map.of("name", name)), false);
    }

    private static boolean isMetricName(String name) {
        try {
            return EpochMetric.of(name) != null;
        } catch (IllegalArgumentException x) {
            return false;
        }
    }

    private static boolean isMetric(String name, EpochMetric e) {
        try {
            return EpochMetric.of(name) == e;
        } catch (IllegalArgumentException x) {
            return false;
        }
    }

    /** The metrics jrnn has among {@code v}: none (null), one metric, or a list of them; {@code legacy}: an .h5's. */
    private static List<Object> metrics(Object v, boolean legacy) {
        List<Object> r = new ArrayList<>();
        for (Object m : v instanceof List<?> l ? l : v == null ? List.of() : List.of(v)) {
            Object metric = metric(m, legacy);
            if (metric != null) r.add(metric);
        }
        return r;
    }

    /**
     * A metric given as "mse" or {"class_name": "MeanSquaredError", ...} (by its snake_case name), a metric object with
     * options (AUC, F1Score, R2Score, TruePositives, BinaryCrossentropy, ...: its options and name kept); null otherwise.
     */
    private static Object metric(Object v, boolean legacy) {
        if (v instanceof String s) return legacy ? legacyMetric(s) : s;
        if (v instanceof Map<?, ?> m && "MeanMetricWrapper".equals(m.get("class_name")) && m.get("config") instanceof Map<?, ?> cm) {
            // tf.keras 2 saves a fitted model's metric strings as the wrapper of the function each resolved to,
            // {"name": "accuracy", "fn": "binary_accuracy"} (the name prefixed by the output's with several): the name
            // where jrnn knows it (it resolves "accuracy" from the shapes again), else the function; in an .h5 renamed as
            // the same string would be (Keras 3.15.1 loads such wrappers but fails at evaluate: jrnn's own choice)
            if (cm.get("name") instanceof String n) {   // "out_a_accuracy": the output's prefix, then the metric as given
                for (int at = 0; at >= 0; at = n.indexOf('_', at + 1)) {
                    String tail = n.substring(at == 0 ? 0 : at + 1).trim();
                    if (isMetricName(tail)) return legacy ? legacyMetric(tail) : tail;
                }
            }
            if (cm.get("fn") instanceof String f && isMetricName(f)) return legacy ? legacyMetric(f.trim()) : f.trim();
            throw new IllegalArgumentException("metric MeanMetricWrapper(name=" + KerasConfig.describe(cm.get("name")) + ", fn="
                    + KerasConfig.describe(cm.get("fn")) + ") is not one jrnn has");
        }
        if (v instanceof Map<?, ?> m && m.get("class_name") instanceof String c) {
            EpochMetric e = EpochMetric.deserialize(m);
            if (!(e instanceof dev.jrnn.losses.Metric)) return e;   // with its name (a renamed constant too)
            // the object's own name when it names this metric ("acc"), as Keras logs it; else its class's snake case
            Object name = m.get("config") instanceof Map<?, ?> cm ? cm.get("name") : null;
            return name instanceof String n && !n.isBlank() && isMetric(n, e) ? n.trim() : Keras3Weights.snakeCase(c);
        }
        return null;
    }

    /** A serialised Keras learning-rate schedule jrnn has (its config as Keras 2 and 3 write it; {@code keras3}: a Keras 3 file), or null. */
    private static LearningRateSchedule schedule(KerasConfig s, boolean keras3) {
        KerasConfig c = s.object("config");
        KerasCompileKeys.checkSchedule(s.string("class_name"), c, keras3);
        return switch (s.string("class_name")) {
            case "ExponentialDecay" -> new ExponentialDecay(c.number("initial_learning_rate", Double.NaN), c.number("decay_steps", Double.NaN),
                    c.number("decay_rate", Double.NaN)).staircase(c.bool("staircase", false));
            case "PiecewiseConstantDecay" -> {
                List<?> b = c.list("boundaries"), v = c.list("values");
                long[] bounds = new long[b.size()];
                double[] values = new double[v.size()];
                for (int i = 0; i < bounds.length; i++) {
                    if (!(b.get(i) instanceof Long x)) throw new KerasFormatException(c.where() + ": boundaries should be integers, got " + b);
                    bounds[i] = x;
                }
                for (int i = 0; i < values.length; i++) {
                    if (!(v.get(i) instanceof Number x)) throw new KerasFormatException(c.where() + ": values should be numbers, got " + v);
                    values[i] = x.doubleValue();
                }
                yield new PiecewiseConstantDecay(bounds, values);
            }
            case "PolynomialDecay" -> new dev.jrnn.optim.schedules.PolynomialDecay(c.number("initial_learning_rate", Double.NaN),
                    c.number("decay_steps", Double.NaN)).endLearningRate(c.number("end_learning_rate", 1e-4))
                    .power(c.number("power", 1)).cycle(c.bool("cycle", false));
            case "InverseTimeDecay" -> new dev.jrnn.optim.schedules.InverseTimeDecay(c.number("initial_learning_rate", Double.NaN),
                    c.number("decay_steps", Double.NaN), c.number("decay_rate", Double.NaN)).staircase(c.bool("staircase", false));
            case "CosineDecayRestarts" -> new dev.jrnn.optim.schedules.CosineDecayRestarts(c.number("initial_learning_rate", Double.NaN),
                    c.number("first_decay_steps", Double.NaN)).tMul(c.number("t_mul", 2)).mMul(c.number("m_mul", 1))
                    .alpha(c.number("alpha", 0));
            case "CosineDecay" -> {
                CosineDecay d = new CosineDecay(c.number("initial_learning_rate", Double.NaN), c.number("decay_steps", Double.NaN))
                        .alpha(c.number("alpha", 0));
                yield c.has("warmup_target") ? d.warmup(c.number("warmup_target", 0), c.number("warmup_steps", 0)) : d;
            }
            default -> null;
        };
    }

    /** {@code keras3}: a Keras 3 file, whose optimizer config holds Keras 3's arguments only. */
    private static Optimizer optimizer(KerasConfig opt, boolean keras3) {
        String cls = opt.string("class_name");
        // tf.keras 2.11-2.15 write an optimizer by its registered name, in register_keras_serializable's default package
        if (cls.startsWith("Custom>")) cls = cls.substring("Custom>".length());
        KerasConfig c = opt.object("config");
        KerasCompileKeys.checkOptimizer(cls, c, keras3);
        // Keras' optimizer name is a string (Keras 3: without '/', its variables' scope); a null learning_rate is refused
        // by every Keras, where jrnn would take the default
        if (c.raw("name") != null && !(c.raw("name") instanceof String n && !(keras3 && n.contains("/")))) {
            throw new KerasFormatException(c.where() + ": 'name' should be a string" + (keras3 ? " without '/'" : "") + ", got "
                    + KerasConfig.describe(c.raw("name")) + " (Keras refuses it too)");
        }
        // mixed precision's wrapper (tf.keras 2.11-2.15: LossScaleOptimizerV3): jrnn trains in float32, where scaling the loss
        // up and the gradients back down changes nothing; Keras 3's wrapper is kept beside it to be written back
        if (cls.equals("LossScaleOptimizer") || cls.equals("LossScaleOptimizerV3")) {
            if (!(c.raw("inner_optimizer") instanceof Map<?, ?>)) return null;
            return optimizer(c.object("inner_optimizer"), keras3);
        }
        if (c.hasKey("learning_rate") && c.raw("learning_rate") == null) {
            throw new KerasFormatException(c.where() + ": 'learning_rate' should be a number or a schedule, got null (Keras refuses it too)");
        }
        LearningRateSchedule schedule = c.raw("learning_rate") instanceof Map<?, ?> ? schedule(c.object("learning_rate"), keras3) : null;
        double lr = schedule != null ? Double.NaN : c.has("learning_rate") ? c.number("learning_rate", 0) : c.number("lr", Double.NaN);
        if (c.number("decay", 0) != 0) {
            // tf.keras 2 and Keras 2 decayed the learning rate by it; Keras 3 ignores it with a warning
            throw new KerasFormatException(c.where() + ": decay " + KerasConfig.describe(c.raw("decay"))
                    + " (Keras 2's learning-rate decay, which Keras 3 drops) is not an option jrnn has");
        }
        if (c.raw("learning_rate") instanceof Map<?, ?> && schedule == null) return null;
        Optimizer o = switch (cls) {
            case "Adam" -> {
                Adam a = Double.isNaN(lr) ? new Adam() : new Adam(lr);
                a.beta1(c.number("beta_1", 0.9)).beta2(c.number("beta_2", 0.999)).epsilon(c.number("epsilon", 1e-7))
                        .amsgrad(c.bool("amsgrad", false));
                yield a;
            }
            case "SGD" -> (Double.isNaN(lr) ? new SGD() : new SGD(lr)).momentum(c.number("momentum", 0))
                    .nesterov(c.bool("nesterov", false));
            case "RMSprop" -> (Double.isNaN(lr) ? new RMSprop() : new RMSprop(lr)).rho(c.number("rho", 0.9))
                    .momentum(c.number("momentum", 0)).epsilon(c.number("epsilon", 1e-7)).centered(c.bool("centered", false));
            case "Adagrad" -> (Double.isNaN(lr) ? new Adagrad() : new Adagrad(lr))
                    .initialAccumulatorValue(c.number("initial_accumulator_value", 0.1)).epsilon(c.number("epsilon", 1e-7));
            case "AdamW" -> (Double.isNaN(lr) ? new AdamW() : new AdamW(lr)).beta1(c.number("beta_1", 0.9))
                    .beta2(c.number("beta_2", 0.999)).epsilon(c.number("epsilon", 1e-7)).amsgrad(c.bool("amsgrad", false))
                    .weightDecay(c.number("weight_decay", 0.004));
            // Keras 2's schedule_decay: a momentum schedule 0.96^(t * schedule_decay), not Keras 3's 0.96^t
            case "Nadam" -> c.has("schedule_decay") ? null : (Double.isNaN(lr) ? new Nadam() : new Nadam(lr)).beta1(c.number("beta_1", 0.9))
                    .beta2(c.number("beta_2", 0.999)).epsilon(c.number("epsilon", 1e-7));
            case "Adamax" -> (Double.isNaN(lr) ? new Adamax() : new Adamax(lr)).beta1(c.number("beta_1", 0.9))
                    .beta2(c.number("beta_2", 0.999)).epsilon(c.number("epsilon", 1e-7));
            case "Adadelta" -> (Double.isNaN(lr) ? new Adadelta() : new Adadelta(lr)).rho(c.number("rho", 0.95))
                    .epsilon(c.number("epsilon", 1e-7));
            case "Lion" -> (Double.isNaN(lr) ? new Lion() : new Lion(lr)).beta1(c.number("beta_1", 0.9)).beta2(c.number("beta_2", 0.99));
            default -> null;
        };
        if (o != null && !(o instanceof AdamW) && c.number("weight_decay", 0) != 0) {   // Keras 3's weight_decay, on any optimizer
            o.weightDecay(c.number("weight_decay", 0));
        }
        if (o != null && schedule != null) o.learningRate(schedule);
        if (o != null) {   // Keras allows one of the three; jrnn's setters refuse a second one the same way
            if (c.has("clipnorm")) o.clipnorm((float) c.number("clipnorm", 0));
            if (c.has("global_clipnorm")) o.globalClipnorm((float) c.number("global_clipnorm", 0));
            if (c.has("clipvalue")) o.clipvalue((float) c.number("clipvalue", 0));
            accumulationAndEma(o, c);
        }
        return o;
    }

    /**
     * Keras 3's gradient_accumulation_steps (null or 0: every batch) and use_ema with ema_momentum and ema_overwrite_frequency
     * (null or 0: at fit's end only), which Keras reads (and checks) only with use_ema.
     */
    private static void accumulationAndEma(Optimizer o, KerasConfig c) {
        int steps = integer(c, "gradient_accumulation_steps");
        if (steps == 1 || steps < 0) {   // Keras: null or 0 is off, else at least 2
            throw new IllegalArgumentException(c.where() + ": gradient_accumulation_steps should be an integer >= 2, 0 or null, got "
                    + KerasConfig.describe(c.raw("gradient_accumulation_steps")) + " (Keras refuses it too)");
        }
        if (steps != 0) o.gradientAccumulationSteps(steps);
        if (!c.bool("use_ema", false)) return;
        o.useEma(true).emaMomentum(c.number("ema_momentum", 0.99));
        o.emaOverwriteFrequency(integer(c, "ema_overwrite_frequency"));
    }

    /** An integer option, 0 when null or absent. */
    private static int integer(KerasConfig c, String key) {
        double v = c.number(key, 0);
        if (v != Math.rint(v) || Math.abs(v) > Integer.MAX_VALUE) {
            throw new IllegalArgumentException(c.where() + ": " + key + " should be an integer or null, got " + KerasConfig.describe(c.raw(key)));
        }
        return (int) v;
    }
}
