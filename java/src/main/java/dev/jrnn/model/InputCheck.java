package dev.jrnn.model;

import dev.jrnn.backend.Loss;
import dev.jrnn.layers.Call;
import dev.jrnn.layers.Node;
import dev.jrnn.losses.Losses;
import dev.jrnn.tensor.Tensor;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.IntPredicate;

/**
 * Checks the data of a fit/evaluate/predict call before anything runs: tensor counts, shapes against
 * the inputs, sample counts, NaN/Inf, every layer's output shape for the actual input shapes, target
 * sizes, sparse class indices and the ids fed to layers that take ids. Whatever is wrong is reported
 * here, naming the model or layer, so a call that fails leaves the model as it was.
 */
final class InputCheck {
    private final String name;
    private final Graph graph;
    /** The compiled loss of each output (null: none), for messages; empty or null when no targets are checked. */
    private final List<Loss> losses;
    /** What each output's targets are read as ({@link Trainer#targetLoss}); null when no targets are checked. */
    private final Forms forms;
    /** Whether output {@code k}'s form depends on its targets' shape ({@link Trainer#targetsByShape}). */
    private final IntPredicate byShape;

    /** What output {@code k}'s targets of batch shape {@code y} are read as against its per-sample shape {@code out}; null: not read. */
    @FunctionalInterface
    interface Forms {
        Loss of(int k, int[] y, int[] out);
    }

    /** Whether an input one rank off in a last axis of 1 is reshaped to the model's rank (see {@link #conform}). */
    private final boolean conformRanks;

    /** Checks for a Dataset's batches, which {@link DatasetBatches} views at the model's rank ({@link #conformShape}) first. */
    InputCheck(String name, Graph graph, List<Loss> losses, Forms forms, IntPredicate byShape) {
        this(name, graph, losses, forms, byShape, false);
    }

    private InputCheck(String name, Graph graph, List<Loss> losses, Forms forms, IntPredicate byShape, boolean conformRanks) {
        this.name = name;
        this.graph = graph;
        this.losses = losses;
        this.forms = forms;
        this.byShape = byShape;
        this.conformRanks = conformRanks;
    }

    /**
     * Checks for in-memory tensors, whose {@link #prepare} also takes an input one rank off in a last axis of 1, as
     * Keras' functional models do: x of shape (n, 3) for an input (None, 3, 1), or (n, 3, 1) for (None, 3).
     */
    static InputCheck forTensors(String name, Graph graph, List<Loss> losses, Forms forms, IntPredicate byShape) {
        return new InputCheck(name, graph, losses, forms, byShape, true);
    }

    /**
     * The tensors of {@code xs} in input order, as Keras' functional models read {@code x} given as a dict: by the model's
     * input-dict keys where it was made from a dict ({@link Graph#inputDictKeys}), else by the Inputs' names. Every key must
     * be there; other keys are left unread, as Keras leaves them; where a dict-input model's extra key sorts before one of
     * its keys, Keras 3 would feed another input (it pairs a dict x with dict inputs by position in sorted-key order):
     * jrnn reads by key all the same, as tf.keras 2, with one warning per model. {@code where} ("model.fit") goes in messages.
     */
    static List<Tensor> byInputName(String where, Graph graph, Map<String, ? extends Tensor> xs) {
        List<String> names = graph.inputNames();
        boolean dict = graph.inputDictKeys != null;
        String what = dict ? "the model's input dict keys" : "the Inputs' names";
        if (xs == null) {
            throw new IllegalArgumentException(where + ": x is null (expected a Map by " + (dict ? "the model's input dict keys " : "input name ") + names + ")");
        }
        List<String> missing = KeyMatch.of(names, xs.keySet()).missing();
        if (!missing.isEmpty()) {
            List<String> inputNames = graph.inputs.stream().map(n -> n.layer().name()).toList();
            throw new IllegalArgumentException(where + ": x " + (dict ? "" : "by input name ") + "needs the keys " + names + " (" + what + "), got "
                    + KeyMatch.sorted(xs.keySet()) + ", without " + missing
                    + (dict && !inputNames.equals(names) ? "; the Inputs' names " + inputNames + " are not its keys, as in Keras" : ""));
        }
        if (dict) warnIfKeras3PairsOtherwise(where, graph, names, xs.keySet());
        List<Tensor> r = new ArrayList<>();
        for (String n : names) r.add(xs.get(n));
        return r;
    }

    /**
     * How the keys of a dict x or y ({@code given}) match the model's names ({@code want}), Keras' rule for both (x: every
     * input's name there, others left unread; y: exactly the outputs' keys), stated once for the tensor calls and the data
     * sets ({@link DatasetKeys}): the names not given, in the model's order, and the keys that name nothing, sorted.
     */
    record KeyMatch(List<String> missing, List<String> unknown) {
        static KeyMatch of(List<String> want, java.util.Collection<String> given) {
            // a HashMap's null key is one that names nothing (an immutable list's contains(null) would throw)
            List<String> unknown = sorted(given.stream().filter(k -> k == null || !want.contains(k)).toList());
            return new KeyMatch(want.stream().filter(n -> !given.contains(n)).toList(), unknown);
        }

        /** {@code keys} sorted for a message, a null key first (a TreeSet of them would throw). */
        static List<String> sorted(java.util.Collection<String> keys) {
            return keys.stream().sorted(java.util.Comparator.nullsFirst(java.util.Comparator.<String>naturalOrder())).toList();
        }

        /** Every name given and no other key (a y's rule). */
        boolean exact() { return missing.isEmpty() && unknown.isEmpty(); }
    }

    /**
     * Warns, once per model, where an extra key of a dict x sorts before one of a dict-input model's keys {@code names}
     * (which are in sorted order): Keras 3 (Functional._standardize_inputs) flattens such an x in sorted-key order and
     * pairs it with the inputs by position, so there it would feed another input than the key says; jrnn reads by key,
     * as tf.keras 2 does. String order is Java's (UTF-16 units), Python's sorted differs above U+FFFF only.
     */
    static void warnIfKeras3PairsOtherwise(String where, Graph graph, List<String> names, java.util.Set<String> keys) {
        List<String> sorted = keys.stream().filter(k -> k != null).sorted().toList();
        if (sorted.subList(0, names.size()).equals(names) || !graph.warnedDictOrder.compareAndSet(false, true)) return;
        List<String> extra = sorted.stream().filter(k -> !names.contains(k)).toList();
        List<String> feeds = new ArrayList<>();
        for (int i = 0; i < names.size(); i++) {
            if (!sorted.get(i).equals(names.get(i))) feeds.add("x['" + sorted.get(i) + "'] to input '" + names.get(i) + "'");
        }
        System.getLogger(InputCheck.class.getName()).log(System.Logger.Level.WARNING, where + ": x has the keys " + extra
                + " beside the model's input dict keys " + names + ": jrnn reads x by its keys, as tf.keras 2; Keras 3 pairs a dict x"
                + " with dict inputs by position in sorted-key order, so it would feed " + String.join(" and ", feeds)
                + " there (warned once per model)");
    }

    /**
     * "y" where there is one target, else "y[k]", and for a dict-output model its key, "y[0] (kind)", as a y given by key
     * names it (the output's layer, named after it in the messages, is not what the user keyed it by).
     */
    private String targetLabel(int k, int count) {
        if (count == 1) return "y";
        return "y[" + k + "]" + (graph.outputDictKeys != null ? " (" + graph.outputKeys().get(k) + ")" : "");
    }

    /**
     * Targets by output name, as Keras 3's {@code y={"score": s, "kind": k}}: every output's name a key (its
     * {@code <output>_loss} name), in output order; as in Keras, a key that names no output and a missing one are refused.
     * A null value is the list form's null (an output without a loss).
     */
    static List<Tensor> byOutputName(String where, Graph graph, Map<String, ? extends Tensor> ys) {
        List<String> names = graph.outputKeys();
        if (ys == null) throw new IllegalArgumentException(where + ": y is null (expected a Map by output name " + names + ")");
        KeyMatch m = KeyMatch.of(names, ys.keySet());
        List<String> missing = m.missing(), unknown = m.unknown();
        if (!m.exact()) {
            throw new IllegalArgumentException(where + ": y by output name needs the keys " + names + " (the outputs' names), got "
                    + KeyMatch.sorted(ys.keySet()) + (missing.isEmpty() ? "" : ", without " + missing)
                    + (unknown.isEmpty() ? "" : ", with " + unknown + " that name no output") + " (a null value: no target for that output)");
        }
        List<Tensor> r = new ArrayList<>();
        for (String n : names) r.add(ys.get(n));
        return r;
    }

    /**
     * {@code x} viewed at the rank of {@code want} (per-sample shape) when it is one rank off in a last axis of 1, as
     * Keras' {@code Functional._adjust_input_rank}: an extra trailing 1 dropped, a missing one added; else {@code x}.
     */
    static Tensor conform(Tensor x, int[] want) {
        int[] s = conformShape(x.shape(), want);
        return s == null ? x : x.reshape(s);
    }

    /** The batch shape {@code got} as {@link #conform} views it for the per-sample shape {@code want}; null when unchanged. */
    static int[] conformShape(int[] got, int[] want) {
        int rank = want.length + 1;   // the model's, batch included
        if (got.length == rank + 1 && got[got.length - 1] == 1) return java.util.Arrays.copyOf(got, rank);
        if (got.length == rank - 1 && want.length > 0 && want[want.length - 1] == 1) {
            int[] s = java.util.Arrays.copyOf(got, rank);
            s[rank - 1] = 1;
            return s;
        }
        return null;
    }

    /**
     * Each target of {@code ys} (nullable) holding as many samples as {@code xs}' first tensor, checked before a call
     * builds an unbuilt model so that a refusal leaves it unbuilt, with {@link #prepare}'s message ({@code where}
     * begins it); inputs or targets that are not lists of tensors are left for prepare to refuse.
     */
    static void requireTargetCounts(String where, List<Tensor> xs, List<Tensor> ys) {
        // a model that builds on a call is a one-output Sequential: more targets are prepare's "expected 1 target tensor(s)"
        if (xs == null || xs.isEmpty() || xs.get(0) == null || xs.get(0).rank() == 0 || ys == null || ys.size() != 1) return;
        int n = xs.get(0).dim(0);
        for (int k = 0; k < ys.size(); k++) {
            Tensor y = ys.get(k);
            if (y != null && y.rank() > 0 && y.dim(0) != n) throw targetCount(where, "y", y, n);
        }
    }

    private static IllegalArgumentException targetCount(String where, String label, Tensor y, int n) {
        return new IllegalArgumentException(where + label + " has " + y.dim(0) + " samples, x has " + n);
    }

    /**
     * The checked data of call {@code what}: {@code ys} may be null (predict) unless {@code needY};
     * NaN/Inf are looked for when {@code checkFinite}.
     */
    Data prepare(List<Tensor> xs, List<Tensor> ys, int[] lengths, String what, boolean needY, boolean checkFinite) {
        String where = name + "." + what + ": ";
        List<Node> inputs = graph.inputs, outputs = graph.outputs;
        if (xs == null || xs.size() != inputs.size()) {
            throw new IllegalArgumentException(where + "expected " + inputs.size() + " input tensor(s), got "
                    + (xs == null ? "null" : xs.size()));
        }
        int n = -1;
        List<Tensor> given = xs;
        xs = new ArrayList<>(given);
        for (int i = 0; i < xs.size(); i++) {
            Node in = inputs.get(i);
            String label = graph.inputLabel(i);
            if (xs.get(i) == null) throw new IllegalArgumentException(where + label + " is null");
            int[] want = in.shape();
            if (conformRanks) xs.set(i, conform(xs.get(i), want));
            Tensor x = xs.get(i);
            int[] got = x.shape();
            boolean ok = got.length == want.length + 1;
            for (int d = 0; ok && d < want.length; d++) ok = want[d] == -1 || want[d] == got[d + 1];
            if (!ok) {
                throw new IllegalArgumentException(where + label + " has shape " + Tensor.shapeString(given.get(i).shape())
                        + ", the model expects " + in.shapeString());
            }
            if (n >= 0 && x.dim(0) != n) {
                throw new IllegalArgumentException(where + "inputs have different sample counts " + n + " and " + x.dim(0));
            }
            n = x.dim(0);
            if (checkFinite) requireFinite(given.get(i), where + label);   // indices as the caller's tensor has them
        }
        Map<Node, int[]> shapes = outputShapesFor(xs, where);
        checkIds(xs, where);
        List<Tensor> yl = null;
        if (ys != null) {
            ys = spreadOverLosses(ys);
            if (ys.size() != outputs.size()) {
                throw new IllegalArgumentException(where + "expected " + outputs.size() + " target tensor(s) (one per output, "
                        + "null to skip one), got " + ys.size());
            }
            boolean any = false, anyLoss = false;
            for (int k = 0; k < ys.size(); k++) {
                Tensor y = ys.get(k);
                if (y == null) continue;
                any = true;
                anyLoss |= losses == null || losses.isEmpty() || losses.get(k) != null;
                String label = targetLabel(k, ys.size());
                if (y.dim(0) != n) throw targetCount(where, label, y, n);
                if (checkFinite) requireFinite(y, where + label);
                checkTarget(k, y, shapes.get(outputs.get(k)), where, label);
            }
            if (!any && needY) throw new IllegalArgumentException(where + "every target is null, nothing to train on");
            if (!anyLoss && needY) {
                throw new IllegalArgumentException(where + "every output with a loss has a null target, nothing to train on"
                        + " (the outputs compiled without a loss train nothing)");
            }
            yl = new ArrayList<>(ys);
        } else if (needY) {
            throw new IllegalArgumentException(where + "targets are null");
        }
        if (lengths != null) checkLengths(xs.get(0), lengths, n, where);
        int[] rows = new int[n];
        for (int i = 0; i < n; i++) rows[i] = i;
        return new Data(List.copyOf(xs), yl, lengths == null ? null : lengths.clone(), rows);
    }

    /**
     * Keras 3's targets for the outputs that have a loss only (CompileLoss' last reading: as many y as non-None losses, as
     * {@code fit(x, y)} on a model compiled with {@code loss=[None, "mse"]}): spread over those outputs, null for the
     * others; any other list as it is.
     */
    private List<Tensor> spreadOverLosses(List<Tensor> ys) {
        int outs = graph.outputs.size();
        if (losses == null || losses.size() != outs || ys.size() >= outs) return ys;
        long withLoss = losses.stream().filter(java.util.Objects::nonNull).count();
        if (ys.size() != withLoss) return ys;
        List<Tensor> r = new ArrayList<>();
        int at = 0;
        for (Loss l : losses) r.add(l == null ? null : ys.get(at++));
        return r;
    }

    private static void checkLengths(Tensor x0, int[] lengths, int n, String where) {
        if (x0.rank() < 2) throw new IllegalArgumentException(where + "lengths need sequence inputs (rank >= 2), x has shape " + Tensor.shapeString(x0.shape()));
        if (lengths.length != n) {
            throw new IllegalArgumentException(where + "lengths has " + lengths.length + " entries, x has " + n + " samples");
        }
        int t = x0.dim(1);
        for (int i = 0; i < n; i++) {
            if (lengths[i] < 0 || lengths[i] > t) {
                throw new IllegalArgumentException(where + "lengths[" + i + "] = " + lengths[i] + " is outside [0, " + t + "]");
            }
        }
    }

    private static void requireFinite(Tensor t, String label) {
        String bad = nonFiniteAt(t);
        if (bad != null) throw new IllegalArgumentException(label + " " + bad);
    }

    /**
     * Per-sample shapes of every node for these inputs, from each layer's (pure) computeOutputShapes:
     * a layer that cannot take the data's shapes (e.g. timesteps it was not declared for) fails here,
     * naming itself, before any batch runs.
     */
    private Map<Node, int[]> outputShapesFor(List<Tensor> xs, String where) {
        return outputShapes(xs.stream().map(Tensor::shape).toList(), where);
    }

    /** {@link #outputShapesFor} from the inputs' shapes (batch axis first). */
    private Map<Node, int[]> outputShapes(List<int[]> xShapes, String where) {
        Map<Node, int[]> shapes = new IdentityHashMap<>();
        for (int i = 0; i < xShapes.size(); i++) {
            int[] s = xShapes.get(i);
            shapes.put(graph.inputs.get(i), Arrays.copyOfRange(s, 1, s.length));
        }
        for (Call c : graph.calls) {
            List<int[]> in = new ArrayList<>(c.inputs().size());
            for (Node nd : c.inputs()) in.add(shapes.get(nd));
            List<int[]> out;
            try {
                out = c.layer().computeOutputShapes(in);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(where + e.getMessage(), e);
            }
            for (int k = 0; k < c.outputs().size() && k < out.size(); k++) shapes.put(c.outputs().get(k), out.get(k));
        }
        return shapes;
    }

    /** Whether the checks read the values of input {@code i} (it feeds ids to a layer such as an Embedding). */
    boolean readsInput(int i) {
        for (Call c : graph.calls) {
            if (c.layer().inputIdBound() >= 0 && !c.inputs().isEmpty() && graph.inputs.indexOf(c.inputs().get(0)) == i) return true;
        }
        return false;
    }

    /**
     * Whether the checks read the targets' values: class indices of a sparse loss, or maybe of an output without a loss
     * whose metrics read them by their shape (as class indices where they have one per row); an output whose metrics
     * read dense targets only ("mse") has nothing here that its shapes' check did not do.
     */
    boolean readsTargets() {
        if (forms == null) return false;
        for (int k = 0; k < graph.outputs.size(); k++) {
            Loss l = forms.of(k, null, null);
            if (l != null && (l.sparse() || byShape != null && byShape.test(k))) return true;
        }
        return false;
    }

    /**
     * The value checks of {@link #prepare} alone (ids fed to layers, sparse class indices), for a batch whose
     * shapes passed {@code prepare} before: {@code xs} holds the inputs that {@link #readsInput} (null for the
     * others), {@code xShapes} every input's shape, {@code ys} the targets (null when there are none).
     */
    void checkValues(List<Tensor> xs, List<int[]> xShapes, List<Tensor> ys, String what) {
        String where = name + "." + what + ": ";
        checkIds(xs, where);
        if (ys == null || !readsTargets()) return;
        Map<Node, int[]> shapes = outputShapes(xShapes, where);
        for (int k = 0; k < ys.size(); k++) {
            if (ys.get(k) != null) checkTarget(k, ys.get(k), shapes.get(graph.outputs.get(k)), where, targetLabel(k, ys.size()));
        }
    }

    /** Ids fed straight from a model input into a layer that takes ids (an Embedding) must be integers in [0, bound). */
    private void checkIds(List<Tensor> xs, String where) {
        for (Call c : graph.calls) {
            int bound = c.layer().inputIdBound();
            if (bound < 0 || c.inputs().isEmpty()) continue;
            int i = graph.inputs.indexOf(c.inputs().get(0));
            if (i < 0) continue;
            Tensor x = xs.get(i);
            float[] a = x.data();
            for (int j = 0; j < a.length; j++) {
                float v = a[j];
                if (!(v >= 0 && v < bound && v == (int) v)) {
                    throw new IllegalArgumentException(where + c.layer().name() + ": id " + v + " at " + indexString(x.shape(), j)
                            + " of " + graph.inputLabel(i) + " is not an integer in [0, " + bound + ") (the vocabulary size)");
                }
            }
        }
    }

    /** A target must hold as many values per sample as its output (one class index per row for sparse losses). */
    private void checkTarget(int k, Tensor y, int[] out, String where, String label) {
        if (out == null) return;
        for (int d : out) if (d <= 0) return;   // unknown until the batch runs: BatchLoss checks it then
        if (forms == null) return;
        Loss loss = forms.of(k, y.shape(), out);
        if (loss == null) return;   // no loss and no metrics on it: nothing reads this target
        Loss own = losses.get(k);
        Node on = graph.outputs.get(k);
        int cols = out.length == 0 ? 1 : out[out.length - 1];
        long perSample = Tensor.size(out);
        long need = loss.sparse() ? perSample / cols : perSample;
        long ySample = y.size() / y.dim(0);
        if (ySample != need) throw new IllegalArgumentException(where + targetMismatch(label, y, ySample, on, out, need, loss, own == null,
                own == null && byShape != null && byShape.test(k)));
        if (loss.sparse()) {
            float[] a = y.data();
            Integer ignored = loss.ignoreClass();   // Keras takes any ignore_class, inside the classes or not
            for (int j = 0; j < a.length; j++) {
                float v = a[j];
                if (!(v >= 0 && v < cols && v == (int) v) && !(ignored != null && v == ignored)) {
                    throw new IllegalArgumentException(where + label + " holds class index " + v + " at " + indexString(y.shape(), j)
                            + "; " + (own == null ? "its metrics need" : "loss " + Losses.kerasName(loss) + " needs") + " integers in [0, " + cols + ") for output "
                            + on.layer().name() + " of " + cols + " classes");
                }
            }
        }
    }

    /**
     * "y has shape (4, 2) (2 values per sample), output dense (None, 3) needs 3 per sample for loss mse"; for an output
     * without a loss ({@code metricsOnly}, {@code loss} the form its metrics read) "... for its metrics (it has no loss)";
     * where they read the targets by their shape ({@code byShape}) the other form too: "..., or one class index per row (1)".
     */
    static String targetMismatch(String label, Tensor y, long ySample, Node output, int[] outShape, long need, Loss loss, boolean metricsOnly,
                                 boolean byShape) {
        long perSample = Tensor.size(outShape), rows = outShape.length == 0 ? perSample : perSample / outShape[outShape.length - 1];
        String other = !byShape ? "" : loss.sparse() ? ", or " + perSample + " (one-hot)" : ", or one class index per row (" + rows + ")";
        return label + " has shape " + Tensor.shapeString(y.shape()) + " (" + ySample + (ySample == 1 ? " value" : " values") + " per sample), output "
                + output.layer().name() + " " + Tensor.shapeString(Node.withBatch(outShape, -1)) + " needs " + need
                + " per sample for " + (metricsOnly ? "its metrics (it has no loss)" : "loss " + Losses.kerasName(loss))
                + (loss.sparse() ? " (one class index per row)" : "") + other;
    }

    /** "holds NaN at (3, 1, 0)" for the first non-finite element of {@code t}, or null when all are finite. */
    static String nonFiniteAt(Tensor t) {
        float[] a = t.data();
        for (int i = 0; i < a.length; i++) {
            if (!Float.isFinite(a[i])) return "holds " + a[i] + " at " + indexString(t.shape(), i);
        }
        return null;
    }

    /** The index tuple of flat position {@code flat} in a row-major tensor of {@code shape}, e.g. "(3, 1, 0)". */
    static String indexString(int[] shape, long flat) {
        long[] idx = new long[shape.length];
        for (int d = shape.length - 1; d >= 0; d--) {
            idx[d] = flat % shape[d];
            flat /= shape[d];
        }
        StringBuilder b = new StringBuilder("(");
        for (int d = 0; d < idx.length; d++) b.append(d > 0 ? ", " : "").append(idx[d]);
        return b.append(idx.length == 1 ? ",)" : ")").toString();
    }
}
