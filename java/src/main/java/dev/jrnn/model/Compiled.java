package dev.jrnn.model;

import dev.jrnn.backend.Loss;
import dev.jrnn.losses.Losses;
import dev.jrnn.losses.EpochMetric;
import dev.jrnn.optim.Optimizer;
import dev.jrnn.optim.Optimizers;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;

/**
 * What {@link Model#compile} sets: optimizer, loss and metrics, checked together before the model changes. Each metric
 * keeps the name it was given (trimmed), which Keras logs it under ("acc" logs "acc"), or a metric object's name; a
 * repeated name gets "_1", "_2", ... as Keras' compile logs it; its config is the name given, or the object serialized
 * as Keras writes it in a compile config.
 */
record Compiled(Optimizer optimizer, Loss loss, List<EpochMetric> metrics, List<String> metricNames, List<Object> metricConfigs) {
    /** Checks the arguments of {@code model.compile(optimizer, loss, metrics...)}; {@code model} goes in messages. */
    static Compiled of(String model, Optimizer optimizer, Loss loss, Object... metrics) {
        if (optimizer == null) throw new IllegalArgumentException(model + ".compile: optimizer is null");
        if (loss == null) throw new IllegalArgumentException(model + ".compile: loss is null");
        return of(model, optimizer, loss, List.of(loss), metrics);
    }

    /**
     * As {@link #of(String, Optimizer, Loss, Object...)} with the losses of every output ({@code loss} is the first);
     * every metric must suit every loss.
     */
    static Compiled of(String model, Optimizer optimizer, Loss loss, List<Loss> losses, Object... metrics) {
        if (optimizer == null) throw new IllegalArgumentException(model + ".compile: optimizer is null");
        if (metrics == null) throw new IllegalArgumentException(model + ".compile: metrics is null (pass none for no metrics)");
        List<EpochMetric> ms = new ArrayList<>();
        List<String> names = new ArrayList<>();
        List<Object> configs = new ArrayList<>();
        for (Object m : flatten(model, metrics)) {
            if (m == null) throw new IllegalArgumentException(model + ".compile: a metric name is null");
            EpochMetric mm = EpochMetric.of(m).copy();   // a setter called on the caller's object later changes nothing here
            String given = m instanceof String s ? s.trim() : mm.key();
            for (Loss l : losses) {
                if (!mm.suits(l)) {
                    throw new IllegalArgumentException(model + ".compile: metric " + given + " needs " + (mm.sparse() ? "class-index" : "dense")
                            + " targets but the loss " + Losses.kerasName(l) + " takes " + (l.sparse() ? "class indices" : "dense targets"));
                }
            }
            ms.add(mm);
            names.add(unique(given, names));
            configs.add(m instanceof String ? given : mm.serialize());
        }
        return new Compiled(optimizer, loss, List.copyOf(ms), List.copyOf(names), java.util.Collections.unmodifiableList(configs));
    }

    /**
     * The metrics as given, a List among them spread out (Keras' {@code metrics=[...]}); numbers there are loss weights
     * given in the wrong place, refused with a message saying where they go.
     */
    private static List<Object> flatten(String model, Object[] metrics) {
        List<Object> r = new ArrayList<>();
        for (Object m : metrics) {
            if (!(m instanceof Collection<?> c)) {
                r.add(m);
            } else if (c.stream().anyMatch(x -> x instanceof Number)) {
                throw new IllegalArgumentException(model + ".compile: the metrics hold the numbers " + c + ", which look like loss"
                        + " weights: give them right after the losses, as a List after a List of losses or a Map after a Map of losses"
                        + " by output name, e.g. compile(\"adam\", List.of(\"mse\", \"mae\"), List.of(1.0, 0.2))");
            } else {
                r.addAll(c);
            }
        }
        return r;
    }

    /** {@code name}, or as Keras' compile logs a repeated one: "auc", then "auc_1", "auc_2", ... */
    private static String unique(String name, List<String> taken) {
        String n = name;
        for (int i = 1; taken.contains(n); i++) n = name + "_" + i;
        return n;
    }

    /**
     * One loss per output from a List of {@link Loss} objects or Keras loss names, as many as {@code outputs}; the
     * message names {@code model} and the output.
     */
    static List<Loss> perOutput(String model, List<String> outputs, List<?> losses) {
        if (losses == null) throw new IllegalArgumentException(model + ".compile: losses is null");
        if (losses.size() != outputs.size()) {
            throw new IllegalArgumentException(model + ".compile: expected one loss per output (" + outputs.size() + ": " + outputs
                    + "), got " + losses.size());
        }
        List<Loss> ls = new ArrayList<>();
        for (int k = 0; k < losses.size(); k++) {
            Object l = losses.get(k);
            String what = model + ".compile: the loss of output " + k + " (" + outputs.get(k) + ")";
            if (l == null) {
                throw new IllegalArgumentException(what + " is null; give every output a loss (a null target in fit trains none on an output)");
            }
            if (l instanceof Loss x) ls.add(x);
            else if (l instanceof String n) ls.add(Losses.of(n));
            else throw new IllegalArgumentException(what + " is a " + l.getClass().getSimpleName() + ": expected a Loss or a Keras loss name");
        }
        return List.copyOf(ls);
    }

    /** Keras' loss_weights, one finite float32 per output, as many as {@code outputs}. */
    static double[] lossWeights(String model, List<String> outputs, List<? extends Number> lossWeights) {
        if (lossWeights == null || lossWeights.size() != outputs.size()) {
            throw new IllegalArgumentException(model + ".compile: expected one loss weight per output (" + outputs.size() + ": " + outputs
                    + "), got " + (lossWeights == null ? "null" : lossWeights.size() + " " + lossWeights));
        }
        double[] w = new double[lossWeights.size()];
        for (int k = 0; k < w.length; k++) {
            Number n = lossWeights.get(k);
            String what = model + ".compile: the loss weight of output " + k + " (" + outputs.get(k) + ")";
            if (n == null) throw new IllegalArgumentException(what + " must be a finite number, got null");
            // the step scales the output's gradient by the float32 weight: one that overflows or rounds to 0 is refused
            float f = dev.jrnn.tensor.Float32.check(what, n.doubleValue(), Double::isFinite, "a finite number");
            if (f == 0 && n.doubleValue() != 0) {
                throw new IllegalArgumentException(what + " must be a finite number, got " + n + " (float32, which jrnn computes with, rounds it to 0.0)");
            }
            w[k] = f;
        }
        return w;
    }

    /** The optimizer named {@code optimizer}; a loss name there (Keras' order swapped) gets an error showing the order. */
    static Optimizer optimizer(String model, String optimizer, String loss) {
        if (knownLoss(optimizer) && !knownLoss(loss)) {
            throw new IllegalArgumentException(model + ".compile: the optimizer comes first, as in Keras' compile(optimizer, loss):"
                    + " write compile(\"" + loss + "\", \"" + optimizer + "\"), got compile(\"" + optimizer + "\", \"" + loss + "\")");
        }
        return Optimizers.of(optimizer);
    }

    private static boolean knownLoss(String s) {
        try {
            Losses.of(s);
            return true;
        } catch (IllegalArgumentException e) {
            return false;
        }
    }
}
