package dev.jrnn.model;

import dev.jrnn.backend.Loss;
import dev.jrnn.losses.Losses;
import dev.jrnn.optim.Optimizer;
import dev.jrnn.optim.Optimizers;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * What {@link Model#compile} sets: optimizer, loss and metrics, checked together before the model changes. The metrics
 * ({@link CompileMetrics}) keep the name each was given (trimmed), which Keras logs it under ("acc" logs "acc"), or a
 * metric object's name; a repeated name gets "_1", "_2", ... as Keras' compile logs it; its config is the name given, or
 * the object serialized as Keras writes it in a compile config.
 */
record Compiled(Optimizer optimizer, Loss loss, CompileMetrics metrics) {
    /**
     * Checks the arguments of {@code t.compile(optimizer, loss, metrics...)} against {@code t}'s outputs (their shapes once
     * it is built); {@code losses} holds each output's loss (null: {@code loss} on every output).
     */
    static Compiled of(Trainer t, Optimizer optimizer, Loss loss, List<Loss> losses, Object... metrics) {
        if (optimizer == null) throw new IllegalArgumentException(t.name() + ".compile: optimizer is null");
        if (loss == null) throw new IllegalArgumentException(t.name() + ".compile: loss is null");
        List<String> outputs = outputNames(t);
        List<Loss> ls = losses != null ? losses : java.util.Collections.nCopies(outputs.size(), loss);
        List<int[]> shapes = t.isBuilt() ? t.graph().outputs.stream().map(n -> n.shape()).toList() : null;
        return new Compiled(optimizer, loss, CompileMetrics.of(t.name(), outputs, ls, shapes, metrics));
    }

    /** The names of {@code t}'s outputs as fit logs them (one output, the last layer's, for a Sequential not yet built). */
    private static List<String> outputNames(Trainer t) {
        return t.isBuilt() ? t.graph().outputKeys() : List.of("output 0");
    }

    /**
     * One loss per output of {@code t} from a List of {@link Loss} objects or Keras loss names; the message names the
     * model and the output.
     */
    static List<Loss> perOutput(Trainer t, List<?> losses) {
        String model = t.name();
        List<String> outputs = outputNames(t);
        if (losses == null) throw new IllegalArgumentException(model + ".compile: losses is null");
        if (losses.size() != outputs.size()) {
            throw new IllegalArgumentException(model + ".compile: expected one loss per output (" + outputs.size() + ": " + outputs
                    + "), got " + losses.size());
        }
        List<Loss> ls = new ArrayList<>();
        for (int k = 0; k < losses.size(); k++) {
            Object l = losses.get(k);
            String what = model + ".compile: the loss of output " + k + " (" + outputs.get(k) + ")";
            if (l == null) ls.add(null);   // Keras' loss=[None, ...]: the output has no loss
            else if (l instanceof Loss x) ls.add(x);
            else if (l instanceof String n) ls.add(Losses.of(n));
            else throw new IllegalArgumentException(what + " is a " + l.getClass().getSimpleName() + ": expected a Loss or a Keras loss name");
        }
        if (firstLoss(ls) == null) {   // Keras: "No loss to compute. Provide a `loss` argument in `compile()`."
            throw new IllegalArgumentException(model + ".compile: every loss is null (" + outputs + "): at least one output needs a loss");
        }
        return java.util.Collections.unmodifiableList(ls);
    }

    /** The first loss of {@code ls} that is not null (null: none is). */
    static Loss firstLoss(List<Loss> ls) {
        for (Loss l : ls) if (l != null) return l;
        return null;
    }

    /** The values of a map keyed by output name, in output order; every output once, or an exception naming {@code what}. */
    static <V> List<V> inOutputOrder(Trainer t, Map<String, V> byOutput, String what) {
        String model = t.name();
        List<String> outs = outputNames(t);
        if (byOutput == null) throw new IllegalArgumentException(model + ".compile: the " + what + " is null");
        if (!byOutput.keySet().equals(new java.util.HashSet<>(outs))) {
            throw new IllegalArgumentException(model + ".compile: the " + what + "'s keys must be the output names " + outs
                    + ", got " + new java.util.TreeSet<>(byOutput.keySet()));
        }
        List<V> r = new java.util.ArrayList<>();
        for (String o : outs) r.add(byOutput.get(o));
        return r;
    }

    /**
     * A loss weights map given beside a loss list, in output order: its keys the output names, sorted in output order, as
     * Keras 3 pairs such a map with the outputs by position in sorted-key order (its keys unread); refused otherwise.
     */
    static List<Number> weightsBesideLossList(Trainer t, Map<String, ? extends Number> lossWeights) {
        if (lossWeights == null) throw new IllegalArgumentException(t.name() + ".compile: the loss weights map is null");
        List<Number> inOrder = inOutputOrder(t, new java.util.HashMap<String, Number>(lossWeights), "loss weights map");
        List<String> outs = outputNames(t);
        // before the order check: a null is no weight in any order (and List.of, which its message suggests, refuses it)
        for (int k = 0; k < outs.size(); k++) {
            if (inOrder.get(k) == null) {
                throw new IllegalArgumentException(t.name() + ".compile: the loss weight of output " + k + " (" + outs.get(k)
                        + ") must be a finite number, got null");
            }
        }
        List<String> sorted = new java.util.ArrayList<>(new java.util.TreeSet<>(lossWeights.keySet()));
        if (!sorted.equals(outs)) {
            int k = 0;
            while (sorted.get(k).equals(outs.get(k))) k++;
            throw new IllegalArgumentException(t.name() + ".compile: loss weights by output name beside losses by position need the"
                    + " output names " + outs + " to be in sorted order, got the keys in sorted order " + sorted + ": Keras 3 pairs"
                    + " such a map with the outputs by position in sorted-key order, so it would weigh output " + outs.get(k) + " by "
                    + sorted.get(k) + "'s weight; give the losses and their weights both by name or both by position (the"
                    + " weights as List.of(" + inOrder.stream().map(String::valueOf).collect(java.util.stream.Collectors.joining(", "))
                    + ") in output order " + outs + ")");
        }
        return inOrder;
    }

    /** Keras' loss_weights, one finite float32 per output of {@code t}. */
    static double[] lossWeights(Trainer t, List<? extends Number> lossWeights) {
        String model = t.name();
        List<String> outputs = outputNames(t);
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
