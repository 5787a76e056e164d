package dev.jrnn.model;

import dev.jrnn.layers.Node;
import dev.jrnn.tensor.Tensor;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Map;

/**
 * Keras' sample_weight and class_weight: one weight per sample, shape (n), or one per timestep of a sequence output,
 * shape (n, T) (Keras 3 multiplies it into the per-step loss (n, T)); one tensor for every output, or one per output
 * (Keras' list or dict of weights). Weights are checked when given and matched to the model when a call resolves them.
 */
final class SampleWeights {
    private SampleWeights() {}

    /**
     * Sample weights as a call gave them: one tensor for every output ({@code shared}), one per output in output order
     * ({@code perOutput}; a null entry leaves that output unweighted), or by output name ({@code byName}; every output
     * named, as Keras 3 refuses a dict that leaves one out, a null value leaving it unweighted). Exactly one is not null; the tensors' shapes are checked ({@link #check}), their values
     * ({@code checked}) once their count is known to fit the call's samples ({@link #checkedFor}, before a call builds an
     * unbuilt model, so a weight of the wrong count is named as such whatever its values), or at once by {@link #valuesChecked} (a
     * setter that has no samples yet); {@link #resolve} checks them where neither did (a data set's batch).
     */
    record Given(Tensor shared, List<Tensor> perOutput, Map<String, Tensor> byName, boolean checked) {
        /** This, its weights' values checked now ({@link #requireValues}); {@code who}: {@code param} begin the messages. */
        Given valuesChecked(String who, String param) {
            each(param, (label, w) -> requireValues(who, label, w));
            return new Given(shared, perOutput, byName, true);
        }

        /**
         * This checked against a call's inputs {@code xs} before the call builds an unbuilt model ({@code built} false), so
         * that a refusal leaves it unbuilt: every weight's count against the samples of {@code xs}' first tensor, then the
         * values (unless a setter checked them). The per-timestep steps and the count of tensors per output need the built
         * model ({@link #resolve}); for a built model all is left to it, which names the steps before the values. Inputs
         * that are not a list of tensors are left for the call to refuse.
         */
        Given checkedFor(String who, String param, List<Tensor> xs, boolean built) {
            if (built || xs == null || xs.isEmpty() || xs.get(0) == null || xs.get(0).rank() == 0) return this;
            int n = xs.get(0).dim(0);
            each(param, (label, w) -> requireCount(who, label, w, n));
            return checked ? this : valuesChecked(who, param);
        }

        /** {@code f} on each weight tensor given, with its label in messages ({@code param}, {@code param[k]}, {@code param["name"]}). */
        private void each(String param, java.util.function.BiConsumer<String, Tensor> f) {
            if (shared != null) f.accept(param, shared);
            if (perOutput != null) {
                for (int k = 0; k < perOutput.size(); k++) if (perOutput.get(k) != null) f.accept(param + "[" + k + "]", perOutput.get(k));
            }
            if (byName != null) {
                for (var e : byName.entrySet()) if (e.getValue() != null) f.accept(param + "[\"" + e.getKey() + "\"]", e.getValue());
            }
        }

        static Given shared(String who, String param, Tensor w) { return new Given(check(who, param, w), null, null, false); }

        static Given perOutput(String who, String param, List<Tensor> ws) {
            if (ws == null) throw new IllegalArgumentException(who + ": " + param + " is null (leave it unset for equal weights)");
            List<Tensor> l = new ArrayList<>(ws.size());
            for (int k = 0; k < ws.size(); k++) l.add(ws.get(k) == null ? null : check(who, param + "[" + k + "]", ws.get(k)));
            // every one null: unweighted, as Keras 3.15.1 takes sample_weight=[None, None]
            return new Given(null, Collections.unmodifiableList(l), null, false);
        }

        static Given byName(String who, String param, Map<String, Tensor> ws) {
            if (ws == null) throw new IllegalArgumentException(who + ": " + param + " is null (leave it unset for equal weights)");
            if (ws.isEmpty()) throw new IllegalArgumentException(who + ": " + param + " is empty; give a weight tensor by output name");
            Map<String, Tensor> m = new java.util.LinkedHashMap<>();
            for (var e : ws.entrySet()) {
                if (e.getKey() == null) throw new IllegalArgumentException(who + ": " + param + " has a null output name");
                // a null value leaves that output unweighted, as Keras' {"b": w, "a": None}
                m.put(e.getKey(), e.getValue() == null ? null : check(who, param + "[\"" + e.getKey() + "\"]", e.getValue()));
            }
            // every value null: unweighted, as Keras 3.15.1 takes {"a": None, "b": None}
            return new Given(null, null, Collections.unmodifiableMap(m), false);
        }
    }

    /**
     * Keras' sample_weight {@code w} as given: shape (n) or (n, 1), one weight per sample, (n, T) or (n, T, 1), one per
     * timestep, or (n, T, inner...), one per loss element of an output of more axes (a TimeDistributed RNN's (batch, T,
     * inner, units): Keras' apply_mask multiplies such weights by the output's mask of the same shape). A trailing axis of 1
     * is dropped past (n, 1). Returns a copy (its values checked later, {@link #requireValues}). {@code who}: param begin
     * the messages.
     */
    static Tensor check(String who, String param, Tensor w) {
        if (w == null) throw new IllegalArgumentException(who + ": " + param + " is null (leave it unset for equal weights)");
        int[] s = w.shape();
        boolean perSample = s.length == 1 || s.length == 2 && s[1] == 1;
        boolean perElement = s.length == 2 && s[1] > 1 || s.length >= 3;
        if (!perSample && !perElement) {
            throw new IllegalArgumentException(who + ": " + param + " must have shape (n) or (n, 1), one weight per sample, (n, T),"
                    + " one per timestep of a sequence output, or (n, T, inner...), one per loss element of an output of more axes,"
                    + " got " + Arrays.toString(s));
        }
        float[] d = w.data();
        if (perSample) return Tensor.of(d.clone(), s[0]);
        int[] keep = s.length >= 3 && s[s.length - 1] == 1 ? Arrays.copyOf(s, s.length - 1) : s.clone();
        return Tensor.of(d.clone(), keep);
    }

    /** The weights {@code w} ((n), (n, T) or (n, T, inner...), as {@link #check} gives them) finite and >= 0. */
    static void requireValues(String who, String param, Tensor w) {
        float[] d = w.data();
        int t = d.length / Math.max(1, w.dim(0));
        for (int i = 0; i < d.length; i++) {
            if (!Float.isFinite(d[i]) || d[i] < 0) {
                throw new IllegalArgumentException(who + ": " + param + " must be finite and >= 0, got " + d[i] + " at sample " + i / t
                        + (w.rank() == 2 ? ", step " + i % t : w.rank() > 2 ? ", element " + i % t : ""));
            }
        }
    }

    /**
     * The weights of {@code g} (null: none) matched to the outputs of {@code graph} for {@code n} samples: one tensor (or null)
     * per output, or null when there are none. {@code targetSteps.applyAsInt(k)}: the steps of output k's targets (checked
     * against per-timestep weights where the output's own steps are unknown). {@code who}: {@code param} begin the messages.
     */
    static List<Tensor> resolve(Given g, String who, String param, Graph graph, int n, java.util.function.IntUnaryOperator targetSteps) {
        if (g == null) return null;
        List<Node> outs = graph.outputs;
        List<String> names = graph.outputKeys();
        List<Tensor> ws;
        if (g.shared() != null) {
            ws = Collections.nCopies(outs.size(), g.shared());
        } else if (g.perOutput() != null) {
            if (g.perOutput().size() != outs.size()) {
                throw new IllegalArgumentException(who + ": " + param + " holds " + g.perOutput().size() + " weight tensor(s), the model has "
                        + outs.size() + " output(s) " + names + "; give one per output (null for an output without weights)");
            }
            ws = g.perOutput();
        } else {
            for (String key : g.byName().keySet()) {
                if (!names.contains(key)) {
                    throw new IllegalArgumentException(who + ": " + param + " names output \"" + key + "\", the model's outputs are " + names);
                }
            }
            // Keras 3.15.1 refuses a map that leaves an output out (fit, evaluate: "one `sample_weight` array per output";
            // train_on_batch, test_on_batch: KeyError), rather than weigh it by 1
            List<String> missing = names.stream().filter(k -> !g.byName().containsKey(k)).toList();
            if (!missing.isEmpty()) {
                throw new IllegalArgumentException(who + ": " + param + " by output name needs every output's key " + names + ", got "
                        + new java.util.TreeSet<>(g.byName().keySet()) + ", without " + missing
                        + " (a null value, in a HashMap, leaves that output unweighted; Keras 3 refuses a map that leaves an output out)");
            }
            ws = names.stream().map(g.byName()::get).toList();
        }
        for (int k = 0; k < ws.size(); k++) {
            Tensor w = ws.get(k);
            if (w == null) continue;
            String label = g.shared() != null ? param : param + (g.perOutput() != null ? "[" + k + "]" : "[\"" + names.get(k) + "\"]");
            requireCount(who, label, w, n);
            int steps = targetSteps.applyAsInt(k);
            // a skipped output (no target) trains no loss: its weight is never read
            if (w.rank() >= 2 && steps != SKIPPED) requireSequence(who, label, w, outs.get(k), steps);
        }
        if (!g.checked()) g.each(param, (label, w) -> requireValues(who, label, w));   // the values once every shape fits
        return ws;
    }

    /** The weights {@code w} one per sample of {@code n}. */
    private static void requireCount(String who, String label, Tensor w, int n) {
        if (w.dim(0) != n) {
            throw new IllegalArgumentException(who + ": " + label + " holds " + w.dim(0) + " weights, x holds " + n
                    + " samples; give one weight per sample");
        }
    }

    /**
     * Per-timestep weights (n, T) need a sequence output (batch, T, units) of T steps: its own, or where those are unknown
     * ({@code None}) its targets' {@code steps}; weights (n, T, inner...) an output (batch, T, inner..., units), one weight
     * per loss element (its unknown inner axes are checked at the step). Checked before any step, so a wrong T never fails
     * after an epoch has run.
     */
    private static void requireSequence(String who, String label, Tensor w, Node out, int steps) {
        int[] s = out.shape();
        int[] loss = s.length < 2 ? new int[0] : Arrays.copyOf(s, s.length - 1);   // the output's shape less batch and units
        if (loss.length > 0 && loss[0] == -1) loss[0] = steps;
        boolean fits = w.rank() - 1 == loss.length;
        for (int a = 0; fits && a < loss.length; a++) fits = loss[a] < 0 || loss[a] == w.dim(a + 1);
        if (!fits) throw new IllegalArgumentException(misfit(who, label, w.shape(), out.layer().name(), out.shapeString(), loss));
    }

    /**
     * The message for weights of shape {@code w} (rank >= 2) that do not fit output {@code name} {@code shape}, whose loss
     * has one element per position of {@code loss} (its shape less batch and units; empty: one loss per sample, -1: unknown),
     * with the shapes that would fit. For SampleWeights' check before a call and TrainStep's at the step.
     */
    static String misfit(String who, String label, int[] w, String name, String shape, int[] loss) {
        int n = w[0];
        String head = who + ": " + label + " has shape " + dims(w);
        String perSample = "(" + n + ") (one per sample)";
        int[] fit = new int[loss.length + 1];
        fit[0] = n;
        System.arraycopy(loss, 0, fit, 1, loss.length);
        boolean known = Arrays.stream(loss).allMatch(v -> v > 0);
        if (w.length == 2 && loss.length <= 1) {   // (n, T) on a (batch, units) output or on a sequence of other steps
            return head + ", one weight per timestep, but output " + name + " " + shape + " is not a sequence of " + w[1] + " steps; "
                    + (loss.length == 1 && known ? "give " + dims(fit) + " (one per timestep) or " + perSample
                            : "give one weight per sample, shape (" + n + ")");
        }
        String what = w.length == 2
                ? ", one weight per timestep: (n, T) weights weigh a (batch, T, units) output; output " + name + " " + shape
                : ", one weight per loss element, but output " + name + " " + shape;
        String has = loss.length == 0 ? " has one loss per sample" : loss.length == 1 ? " is a sequence of " + dims(loss).replaceAll("[()]", "") + " steps"
                : loss.length == 2 ? " has one loss element per (step, inner step)" : " has one loss element per position of " + dims(loss);
        String give = loss.length == 0 || !known ? "give " + perSample
                : "give " + perSample + " or " + dims(fit) + (loss.length == 1 ? " (one per timestep)" : " (one per loss element)");
        return head + what + has + "; " + give;
    }

    private static String dims(int[] s) {
        return "(" + String.join(", ", Arrays.stream(s).mapToObj(v -> v < 0 ? "None" : Integer.toString(v)).toList()) + ")";
    }

    /**
     * The sample weights of a call on tensors {@code d}: {@code sw} (Keras' sample_weight) matched to the outputs, or each
     * sample's weight by its target's class in {@code cw} (Keras' class_weight, as class_weight_to_sample_weights;
     * {@code sparse}: the loss takes class indices); null for neither. {@code what}, e.g. "m.fit", begins the messages.
     */
    static List<Tensor> of(String what, Given sw, Map<Integer, Double> cw, Data d, Graph graph, boolean sparse) {
        int n = d.xs().get(0).dim(0);
        requireOne(what, sw, cw);
        if (cw == null) return resolve(sw, what, "sampleWeight", graph, n, targetSteps(d.ys()));
        return Collections.nCopies(graph.outputs.size(), classWeights(what, cw, d.ys(), n, sparse));
    }

    /**
     * A call's {@code sw} and {@code cw} (each nullable) checked against its inputs {@code xs} before the call builds the
     * model, if it is not {@code built} ({@link Given#checkedFor}); {@code sw} so checked.
     */
    static Given checkedFor(String what, Given sw, Map<Integer, Double> cw, List<Tensor> xs, boolean built) {
        requireOne(what, sw, cw);
        return sw == null ? null : sw.checkedFor(what, "sampleWeight", xs, built);
    }

    private static void requireOne(String what, Given sw, Map<Integer, Double> cw) {
        if (sw != null && cw != null) throw new IllegalArgumentException(what + ": give sampleWeight or classWeight, not both (as Keras)");
    }

    /** What {@link #targetSteps} says of an output without a target (fit and validation may skip one). */
    static final int SKIPPED = Integer.MIN_VALUE;

    /** The steps of each target in {@code ys} (axis 1; -1 for a target without one; {@link #SKIPPED} for none). */
    static java.util.function.IntUnaryOperator targetSteps(List<Tensor> ys) {
        return k -> ys.get(k) == null ? SKIPPED : ys.get(k).rank() >= 2 ? ys.get(k).dim(1) : -1;
    }

    /** Keras' class_weight as one weight per sample of the single target in {@code ys}. */
    static Tensor classWeights(String what, Map<Integer, Double> classWeight, List<Tensor> ys, int n, boolean sparse) {
        checkClassWeightOutputs(what, ys.size());
        Tensor y = ys.get(0);
        boolean sparseSteps = sparse && y.rank() == 2 && y.dim(1) > 1;   // class indices per step
        if (y.rank() > 2 || sparseSteps) {
            throw new IllegalArgumentException(what + ": classWeight needs one class per sample (targets of shape (n), (n, 1) or"
                    + " (n, classes)), got targets of shape " + Arrays.toString(y.shape()) + " (as Keras, not per timestep)");
        }
        int cols = y.rank() == 2 ? y.dim(1) : 1;
        float[] t = y.data(), w = new float[n];
        for (int i = 0; i < n; i++) {
            int c;
            if (cols > 1) {
                c = 0;
                for (int j = 1; j < cols; j++) if (t[i * cols + j] > t[i * cols + c]) c = j;
            } else {
                c = (int) Math.rint(t[i]);   // numpy's round: half to even
            }
            Double cw = classWeight.get(c);
            w[i] = cw == null ? 1f : cw.floatValue();
        }
        return Tensor.wrap(w, n);
    }

    /** Refuses class weights for a model of {@code outputs} outputs other than one, as Keras. */
    static void checkClassWeightOutputs(String what, int outputs) {
        if (outputs != 1) {
            throw new IllegalArgumentException(what + ": classWeight is for a model with one output (as Keras), this one has "
                    + outputs + "; give sampleWeight instead");
        }
    }

    /** Keras' class_weight {@code weights} checked: class indices >= 0, weights finite and >= 0; a copy. */
    static Map<Integer, Double> checkClassWeight(String who, Map<Integer, Double> weights) {
        if (weights == null) throw new IllegalArgumentException(who + ": classWeight is null (leave it unset for equal weights)");
        for (var e : weights.entrySet()) {
            if (e.getKey() == null || e.getKey() < 0) throw new IllegalArgumentException(who + ": classWeight keys are class indices >= 0, got " + e.getKey());
            if (e.getValue() == null || !Double.isFinite(e.getValue()) || e.getValue() < 0) {
                throw new IllegalArgumentException(who + ": classWeight of class " + e.getKey() + " must be finite and >= 0, got " + e.getValue());
            }
        }
        return Map.copyOf(weights);
    }
}
