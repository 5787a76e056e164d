package dev.jrnn.io.keras;

import dev.jrnn.io.FileFaults;
import dev.jrnn.model.Model;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * What the first {@code .keras} writer of jrnn left out of a file's compile config, told on load. From 2026-12-04 17:54
 * (the first main build that saved whole models) until 2026-12-05 05:26, {@code Optimizer.config} wrote a
 * learning-rate schedule as the optimizer's fixed rate (1.0 for a schedule given to the constructor, else the rate it
 * was built with) and left out RMSprop's rho, momentum, epsilon and centered, Adagrad's initial_accumulator_value and
 * epsilon, AdamW's and Nadam's beta_1, beta_2 and epsilon, so such a file compiles with a fixed rate and those settings'
 * defaults. Such a file is known for sure: jrnn's metadata whose optimizer block lacks the {@code learning_rate} every
 * build since 2026-12-05 08:20 writes beside the state for a fixed rate (none writes it for a schedule, whose config
 * says it), and a numeric learning_rate in a compile config without the class' settings (the fix wrote them and the
 * schedule at once); Adam's and SGD's have no {@code weight_decay}, written since 05:53 (so a file of those 27 minutes
 * after the fix is taken for one of the window). Whether the run used a schedule is in no file of that window: the
 * warning says what to do. Such a file's compile config is also the only one that can misstate the slots its optimizer
 * state was saved under (RMSprop's momentum and centered): {@link #lostSettings} tells the restore so
 * ({@link KerasImport.StoredState#firstWriter}).
 */
final class EarlyJrnnFiles {
    private EarlyJrnnFiles() {}

    /** The settings of each class that writer left out, by the key the fixed writer added first. */
    private static final Map<String, List<String>> DROPPED = Map.of(
            "RMSprop", List.of("rho", "momentum", "epsilon", "centered"),
            "Adagrad", List.of("initial_accumulator_value", "epsilon"),
            "AdamW", List.of("beta_1", "beta_2", "epsilon"),
            "Nadam", List.of("beta_1", "beta_2", "epsilon"));

    /**
     * One warning when {@code lost} (from {@link #lostSettings}) says the file comes from a build that could have written
     * a learning-rate schedule, or the settings above, as a number or not at all; nothing for any other file (null).
     */
    static void warnLostSettings(Model model, Lost lost, String file) {
        if (model.optimizer() == null || lost == null) return;
        String cls = lost.cls(), since = lost.since();
        List<String> missing = lost.missing();
        float rate = lost.rate();
        StringBuilder w = new StringBuilder(file).append(": saved by a jrnn build of 2026-12-04/05 (").append(since)
                .append("), whose save wrote a learning-rate schedule as a fixed learning_rate (1.0 for a schedule given to the")
                .append(" optimizer's constructor)");
        if (!missing.isEmpty()) w.append(" and left out ").append(cls).append("'s ").append(String.join(", ", missing));
        w.append(": ").append(cls).append(" is compiled with learning_rate ").append(rate);
        if (rate == 1f) w.append(" (the placeholder those builds wrote for a schedule)");
        if (!missing.isEmpty()) w.append(" and the defaults for ").append(String.join(", ", missing));
        w.append("; the file cannot say whether the run used a schedule").append(missing.isEmpty() ? "" : " or other values of those")
                .append(": if it did, compile the model again with ").append(missing.isEmpty() ? "it" : "them").append(" before fit");
        FileFaults.warn(KerasImport.class.getName(), w.toString());
    }

    /** A first writer's file: its optimizer class, why its config shows it is one, the settings it lacks, its rate. */
    record Lost(String cls, String since, List<String> missing, float rate) {}

    /**
     * What a file of the first writer lost, from {@code metadata} (a jrnn file's metadata.json) and {@code trainingConfig}
     * (its compile config); null for any other file. Non-null: a learning-rate schedule may have been written as a number,
     * and the settings above left out.
     */
    static Lost lostSettings(Object metadata, Object trainingConfig) {
        if (!(metadata instanceof Map<?, ?> md) || !"jrnn".equals(md.get("saved_by")) || !(md.get("jrnn") instanceof Map<?, ?> j)
                || !(j.get("optimizer") instanceof Map<?, ?> o) || o.containsKey("learning_rate") || o.containsKey("keras_vars")) {
            return null;
        }
        if (!(trainingConfig instanceof Map<?, ?> tc) || !(tc.get("optimizer") instanceof Map<?, ?> opt)
                || !(opt.get("config") instanceof Map<?, ?> c) || !(c.get("learning_rate") instanceof Number lr)) {
            return null;   // a schedule's config: written by the fixed writer
        }
        String cls = String.valueOf(opt.get("class_name"));
        List<String> dropped = DROPPED.getOrDefault(cls, List.of());
        List<String> missing = new ArrayList<>();
        for (String k : dropped) if (!c.containsKey(k)) missing.add(k);
        // the fix wrote the class' settings and the schedule at once (05:26); Adam's and SGD's configs show weight_decay from 05:53
        float rate = lr.floatValue();   // as jrnn holds it: 0.01, not the widened 0.009999999776482582
        if (!dropped.isEmpty()) {
            return missing.isEmpty() ? null
                    : new Lost(cls, "before 2026-12-05 05:26: its " + cls + " config has no " + String.join(", ", missing), missing, rate);
        }
        return c.containsKey("weight_decay") ? null : new Lost(cls, "before 2026-12-05 05:53: its " + cls + " config has no weight_decay", List.of(), rate);
    }
}
