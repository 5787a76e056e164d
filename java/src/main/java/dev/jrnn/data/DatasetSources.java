package dev.jrnn.data;

import dev.jrnn.tensor.Tensor;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.function.LongFunction;
import java.util.function.Supplier;

/** The work of {@link Dataset}'s factories: their checks, the columns of tensors and named arrays, a generator's stream. */
final class DatasetSources {
    private DatasetSources() {}

    static void notNull(String method, String param, Object value) {
        if (value == null) throw new IllegalArgumentException("Dataset." + method + ": " + param + " is null");
    }

    /** The inputs and targets lists of a source: not null, and no null element. */
    static void names(String method, List<?> inputs, List<?> targets) {
        notNull(method, "inputs", inputs);
        notNull(method, "targets", targets);
        for (int i = 0; i < inputs.size(); i++) notNull(method, "inputs[" + i + "]", inputs.get(i));
        for (int i = 0; i < targets.size(); i++) notNull(method, "targets[" + i + "]", targets.get(i));
    }

    /**
     * {@link Dataset#fromTensors(List, List, List)}: a null weight entry is a weight of 1 per sample; targets all null are none
     * (Keras' {@code (x, (None, None))}, which predict takes and fit refuses), some null refused.
     */
    static Dataset tensors(List<Tensor> inputs, List<Tensor> targets, List<Tensor> sampleWeights) {
        return tensors(inputs, targets, sampleWeights, null, null, null);
    }

    private static Dataset tensors(List<Tensor> inputs, List<Tensor> targets, List<Tensor> sampleWeights,
                                   List<String> inKeys, List<String> outKeys, List<String> weightKeys) {
        notNull("fromTensors", "inputs", inputs);   // the inputs first, as before targets could be all null
        for (int i = 0; i < inputs.size(); i++) notNull("fromTensors", label("inputs", inKeys, i), inputs.get(i));
        notNull("fromTensors", "targets", targets);
        if (!targets.isEmpty() && targets.stream().allMatch(java.util.Objects::isNull)) {
            if (sampleWeights != null && !sampleWeights.isEmpty()) {
                throw new IllegalArgumentException("Dataset.fromTensors: every target is null (none) but sample weights are given; they weigh the targets' losses");
            }
            targets = List.of();
            outKeys = null;
        }
        for (int i = 0; i < targets.size(); i++) {
            if (targets.get(i) == null) {
                throw new IllegalArgumentException("Dataset.fromTensors: " + label("targets", outKeys, i) + " is null; give every target, or"
                        + " none (all null: a data set of inputs only, to predict, as Keras' (x, (None, None)), which fit refuses), or give"
                        + " them by output key (fromTensors(Map, Map)), where a null one leaves its output without a target");
            }
        }
        names("fromTensors", inputs, targets);
        notNull("fromTensors", "sampleWeights", sampleWeights);
        if (sampleWeights.stream().allMatch(java.util.Objects::isNull) && !sampleWeights.isEmpty()) {
            throw new IllegalArgumentException("fromTensors: every sampleWeights entry is null; give at least one, or use fromTensors(xs, ys)");
        }
        if (sampleWeights.stream().anyMatch(java.util.Objects::isNull) && !inputs.isEmpty()) {   // null: unweighted, a weight of 1 per sample
            int n = inputs.get(0).dim(0);
            sampleWeights = sampleWeights.stream().map(w -> w != null ? w : Tensor.full(1f, n)).toList();
        }
        try {
            List<Column> in = new ArrayList<>(), out = new ArrayList<>(), ws = new ArrayList<>();
            for (int i = 0; i < inputs.size(); i++) in.add(Sources.tensor(inputs.get(i), "input " + (inKeys == null ? i : "'" + inKeys.get(i) + "'")));
            for (int i = 0; i < targets.size(); i++) out.add(Sources.tensor(targets.get(i), "target " + (outKeys == null ? i : "'" + outKeys.get(i) + "'")));
            for (int i = 0; i < sampleWeights.size(); i++) {
                ws.add(Sources.tensor(sampleWeights.get(i), "sample weight " + (weightKeys == null ? i : "'" + weightKeys.get(i) + "'")));
            }
            Dataset d = Dataset.of(in, out, ws);
            d.inputNames = inKeys;
            d.targetNames = outKeys;
            d.weightNames = weightKeys;
            return d;
        } catch (IOException e) {
            throw new IllegalArgumentException(e.getMessage(), e);
        }
    }

    private static String label(String what, List<String> keys, int i) {
        return keys == null ? what + "[" + i + "]" : what + "['" + keys.get(i) + "']";
    }

    /**
     * The keys of a map of parts, sorted as {@code tf.nest} flattens a dict: none null or empty; {@code atLeastOne} for the
     * inputs.
     */
    static List<String> keys(String method, String param, Map<String, ?> parts, boolean atLeastOne) {
        notNull(method, param, parts);
        List<String> keys = new ArrayList<>();
        for (String k : parts.keySet()) {   // a TreeMap's keySet would throw on a null key: look first
            if (k == null || k.isEmpty()) {
                throw new IllegalArgumentException("Dataset." + method + ": " + param + " has " + (k == null ? "a null" : "an empty")
                        + " key; each key names an input (the model's input name) or an output (its key)");
            }
            keys.add(k);
        }
        if (atLeastOne && keys.isEmpty()) {
            throw new IllegalArgumentException("Dataset." + method + ": " + param + " is empty; at least one input is needed");
        }
        keys.sort(null);
        return List.copyOf(keys);
    }

    /**
     * The sample weights' keys among {@code present} (the targets' keys but those given a null target): empty where
     * {@code weights} is; else its keys must be the targets' ({@code all}, a null value leaving that output unweighted) or the
     * present ones, and a null target's weight must be null (it would weigh no target).
     */
    private static List<String> weightKeys(String method, List<String> all, List<String> present, List<String> weightKeys,
                                           Map<String, ?> weights) {
        if (weightKeys.isEmpty()) return List.of();
        if (!weightKeys.equals(all) && !weightKeys.equals(present)) {
            throw new IllegalArgumentException("Dataset." + method + ": sampleWeights has the keys " + weightKeys + ", the targets "
                    + all + "; give one per target key, as Keras pairs sample_weight with y (a null value: that output unweighted)");
        }
        for (String k : weightKeys) {
            if (!present.contains(k) && weights.get(k) != null) {
                throw new IllegalArgumentException("Dataset." + method + ": sampleWeights['" + k + "'] weighs targets['" + k + "'], which is null"
                        + " (no target for that output); leave it null or out");
            }
        }
        return present.stream().filter(weightKeys::contains).toList();
    }

    /** The keys of {@code targets} whose value is not null (a null one: no target for that output), in the order of {@code keys}. */
    private static List<String> present(List<String> keys, Map<String, ?> targets) {
        return keys.stream().filter(k -> targets.get(k) != null).toList();
    }

    /**
     * {@link Dataset#fromTensors(Map, Map, Map)}: the parts in sorted-key order, named so; a target key with a null value holds
     * no part ({@link Dataset#nullTargetNames()}); all of them null: inputs only, as {@link #tensors(List, List, List)}.
     */
    static Dataset tensors(Map<String, ? extends Tensor> inputs, Map<String, ? extends Tensor> targets, Map<String, ? extends Tensor> weights) {
        List<String> in = keys("fromTensors", "inputs", inputs, true), out = keys("fromTensors", "targets", targets, false);
        List<String> ws = keys("fromTensors", "sampleWeights", weights, false), present = present(out, targets);
        if (present.isEmpty() && !out.isEmpty()) {   // Keras' (x, (None, None)): to predict; the list form says so of weights
            return tensors(in.stream().map(k -> (Tensor) inputs.get(k)).toList(), java.util.Collections.nCopies(out.size(), null),
                    ws.stream().map(k -> (Tensor) weights.get(k)).toList(), in, null, null);
        }
        List<String> pw = weightKeys("fromTensors", out, present, ws, weights);
        List<Tensor> xs = new ArrayList<>(), ys = new ArrayList<>(), w = new ArrayList<>();
        for (String k : in) xs.add(inputs.get(k));
        for (String k : present) ys.add(targets.get(k));
        for (String k : pw) w.add(weights.get(k));
        if (!ws.isEmpty() && w.stream().allMatch(java.util.Objects::isNull)) {
            throw new IllegalArgumentException("Dataset.fromTensors: every sampleWeights value is null; give at least one, or use fromTensors(inputs, targets)");
        }
        Dataset d = tensors(xs, ys, w, in, present.isEmpty() ? null : present, pw.isEmpty() ? null : pw);
        d.nullTargets = out.stream().filter(k -> !present.contains(k)).toList();
        return d;
    }

    /**
     * The by-name file factories ({@link Dataset#fromNpz(Path, Map, Map, Map)}, safetensors', shards', {@link Dataset#fromNpy(Map,
     * Map, Map)}): {@code check} of each value (labelled {@code inputs['title']}), then the member {@code read} opens for it, the
     * parts in sorted-key order, named by the keys; a null target, all of them null and a null sample weight as
     * {@link #tensors(Map, Map, Map)}'s.
     */
    static <T> Dataset members(String method, Map<String, T> inputs, Map<String, T> targets, Map<String, T> weights,
                               Reader<T> read, java.util.function.BiConsumer<String, T> check) throws IOException {
        List<String> in = keys(method, "inputs", inputs, true), given = keys(method, "targets", targets, false);
        List<String> ws = keys(method, "sampleWeights", weights, false), present = present(given, targets);
        boolean allNull = present.isEmpty() && !given.isEmpty();   // Keras' (x, (None, None)): inputs only, to predict, as fromTensors'
        if (allNull && !ws.isEmpty()) {
            throw new IllegalArgumentException("Dataset." + method + ": every targets value is null (none) but sample weights are given;"
                    + " they weigh the targets' losses");
        }
        List<String> out = allNull ? List.of() : given;
        List<String> pw = weightKeys(method, out, present, ws, weights);
        if (!ws.isEmpty() && pw.stream().allMatch(k -> weights.get(k) == null)) {
            throw new IllegalArgumentException("Dataset." + method + ": every sampleWeights value is null; give at least one, or leave"
                    + " sampleWeights out");
        }
        for (String k : in) check.accept("inputs['" + k + "']", notNullMember(method, "inputs", k, inputs.get(k)));
        for (String k : present) check.accept("targets['" + k + "']", targets.get(k));
        for (String k : pw) if (weights.get(k) != null) check.accept("sampleWeights['" + k + "']", weights.get(k));
        List<Column> ci = new ArrayList<>(), co = new ArrayList<>(), cw = new ArrayList<>();
        for (String k : in) ci.add(member(method, "inputs", k, inputs.get(k), read));
        for (String k : present) co.add(member(method, "targets", k, targets.get(k), read));
        for (String k : pw) {   // a null weight: that output unweighted, a weight of 1 per sample, as fromTensors(Map, Map, Map)
            cw.add(weights.get(k) != null ? member(method, "sampleWeights", k, weights.get(k), read) : ones(ci.get(0).samples(), k));
        }
        Dataset d = Dataset.of(ci, co, cw);
        d.inputNames = in;
        d.targetNames = present.isEmpty() ? null : present;
        d.weightNames = pw.isEmpty() ? null : pw;
        d.nullTargets = out.stream().filter(k -> !present.contains(k)).toList();
        return d;
    }

    /** A weight of 1 for each of {@code n} samples, computed per row (a file's count may exceed a tensor's). */
    private static Column ones(long n, String key) {
        return new Column.Computed(n, new int[0], i -> new float[] {1f}, i -> "sample weight '" + key + "' (null: 1), sample " + i);
    }

    private static <T> T notNullMember(String method, String param, String key, T member) {
        if (member == null) {
            throw new IllegalArgumentException("Dataset." + method + ": " + param + "['" + key + "'] is null; give the "
                    + (method.equals("fromNpy") ? "file" : "member") + " that holds it");
        }
        return member;
    }

    /** Member {@code member} of the file, read for {@code param[key]}, which a failure names (the file's own message says which member). */
    private static <T> Column member(String method, String param, String key, T member, Reader<T> read) throws IOException {
        try {
            return read.read(member);
        } catch (IOException e) {
            throw new IOException("Dataset." + method + ": " + param + "['" + key + "']: " + e.getMessage(), e);
        }
    }

    /**
     * {@link Dataset#named}: each list (null: that kind stays positional) of distinct, non-empty names, as many as the data set
     * has of that part where it knows (a table's columns; a stream's are counted at each batch the model reads).
     */
    static Dataset withNames(Dataset d, List<String> inputs, List<String> targets, List<String> weights) {
        Table t = d.table;
        List<String> in = checkNames("inputs", inputs, t == null ? -1 : t.inputs().size());
        List<String> out = checkNames("targets", targets, t == null ? -1 : t.targets().size());
        List<String> ws = checkNames("sampleWeights", weights, t == null ? -1 : t.weights().size());
        Dataset r = d.copy();
        r.inputNames = in;
        r.targetNames = out;
        r.weightNames = ws;
        // a null target is no part, so naming the parts keeps it, unless the targets go positional or name it now
        r.nullTargets = out == null ? List.of() : d.nullTargets.stream().filter(k -> !out.contains(k)).toList();
        r.namesDroppedBy = null;
        return r;
    }

    private static List<String> checkNames(String param, List<String> names, int parts) {
        if (names == null) return null;
        java.util.Set<String> seen = new java.util.HashSet<>();
        for (int i = 0; i < names.size(); i++) {
            String n = names.get(i);
            if (n == null || n.isEmpty()) throw new IllegalArgumentException("Dataset.named: " + param + "[" + i + "] is " + (n == null ? "null" : "empty"));
            if (!seen.add(n)) throw new IllegalArgumentException("Dataset.named: " + param + " names '" + n + "' twice: " + names);
        }
        if (parts >= 0 && names.size() != parts) {
            throw new IllegalArgumentException("Dataset.named: " + param + " has " + names.size() + " names " + names + ", the data set "
                    + parts + " " + param.replace("sampleWeights", "sample weights") + " per sample");
        }
        return List.copyOf(names);
    }

    interface Reader<T> {
        Column read(T name) throws IOException;
    }

    /** A table of the arrays {@code read} opens for each input and target (checked by {@link #names} as {@code method}'s). */
    static <T> Dataset columns(String method, List<T> inputs, List<T> targets, Reader<T> read) throws IOException {
        return columns(method, inputs, targets, read, (param, t) -> { });
    }

    /** {@link #columns} after {@code check} of each element, named {@code inputs[i]} / {@code targets[i]}. */
    static <T> Dataset columns(String method, List<T> inputs, List<T> targets, Reader<T> read,
                             java.util.function.BiConsumer<String, T> check) throws IOException {
        names(method, inputs, targets);
        for (int i = 0; i < inputs.size(); i++) check.accept("inputs[" + i + "]", inputs.get(i));
        for (int i = 0; i < targets.size(); i++) check.accept("targets[" + i + "]", targets.get(i));
        List<Column> in = new ArrayList<>(), out = new ArrayList<>();
        for (T n : inputs) in.add(read.read(n));
        for (T n : targets) out.add(read.read(n));
        return Dataset.of(in, out);
    }

    /** {@link Dataset#fromRaggedNpy}: the values and targets mapped, the offsets read. */
    static Dataset raggedNpy(java.nio.file.Path values, java.nio.file.Path offsets, java.nio.file.Path y) throws IOException {
        notNull("fromRaggedNpy", "values", values);
        notNull("fromRaggedNpy", "offsets", offsets);
        ArrayData.requireMappable("Dataset.fromRaggedNpy", "values", values);
        ArrayData.requireMappable("Dataset.fromRaggedNpy", "offsets", offsets);
        ArrayData.requireMappable("Dataset.fromRaggedNpy", "y", y);
        long[] off = Sources.offsets(offsets);
        Column x = Sources.ragged(Sources.valuesNpy(values), off, offsets.toString());
        return Dataset.of(List.of(x), y == null ? List.of() : List.of(Sources.raggedTargets(Sources.valuesNpy(y), off)));
    }

    /** {@link Dataset#fromRagged}: the offsets copied, as the columns keep them. */
    static Dataset ragged(Tensor values, long[] offsets, Tensor y) {
        notNull("fromRagged", "values", values);
        notNull("fromRagged", "offsets", offsets);
        long[] off = offsets.clone();
        try {
            Column x = Sources.ragged(Sources.values(values, "values"), off, "offsets");
            return Dataset.of(List.of(x), y == null ? List.of() : List.of(Sources.raggedTargets(Sources.values(y, "targets"), off)));
        } catch (IOException e) {
            throw new IllegalArgumentException(e.getMessage(), e);
        }
    }

    /** {@link Dataset#fromIterator}'s stream: a fresh iterator per epoch and pass, the same one given twice refused. */
    static LongFunction<StreamOps.Stream> generator(Supplier<? extends Iterator<? extends Sample>> perEpoch) {
        notNull("fromIterator", "perEpoch", perEpoch);
        // the last iterator handed out, to refuse a supplier that gives it again part-read (the samples read would be lost:
        // building a model reads the first batch, repeat() and each epoch start over); weak, so it is not kept alive for this
        var last = new java.util.concurrent.atomic.AtomicReference<java.lang.ref.WeakReference<Iterator<?>>>();
        return e -> {
            Iterator<? extends Sample> it = perEpoch.get();
            if (it == null) {
                throw new IllegalStateException("Dataset.fromIterator: the supplier gave null for epoch " + e
                        + "; give an iterator of the epoch's samples");
            }
            var before = last.getAndSet(new java.lang.ref.WeakReference<>(it));
            if (before != null && before.get() == it && it.hasNext()) {   // used up, it only gives an empty epoch
                throw new IllegalStateException("Dataset.fromIterator: the supplier gave the same iterator again (epoch " + e
                        + "); it must make a fresh one at every call, e.g. () -> samples.iterator(): building a model, repeat()"
                        + " and every epoch read from the start");
            }
            return StreamOps.numbered(it);
        };
    }

    /** {@link Dataset#split}: a table's file order cut at floor(n * (1 - validationFraction)), as Keras' validation_split. */
    static Dataset.Split split(Dataset d, double validationFraction) {
        d.beforeBatch("split", "split the samples, then batch each part");
        if (!(validationFraction > 0 && validationFraction < 1)) {
            throw new IllegalArgumentException("Dataset.split: validationFraction must be in (0, 1), got " + validationFraction);
        }
        if (d.table == null) throw new IllegalStateException("Dataset.split: the size of a generator, or of samples after filter,"
                + " takeWhile, concatenate, zip, window, cache, unbatch, enumerate, flatMap or interleave, is unknown before reading them; split the source instead");
        if (!(d.order instanceof Order.Identity || d.order instanceof Order.Slice sl && sl.base() instanceof Order.Identity)) {
            throw new IllegalStateException("Dataset.split: call split before shuffle, repeat and shard, so validation samples never train");
        }
        long n = d.order.size(), at = (long) (n * (1 - validationFraction));
        if (at == 0 || at == n) throw new IllegalArgumentException("Dataset.split: " + validationFraction + " of " + n + " samples leaves one part empty");
        return new Dataset.Split(d.take(at), d.skip(at));
    }

    /** {@link Dataset#toString}: where the samples come from, how many, how they are batched. */
    static String describe(Dataset d) {
        long n = d.size(), b = d.batchesPerEpoch();
        String samples = d.endless() ? "endless" : n < 0 ? "samples unknown" : n + " samples";
        return "Dataset(" + (d.table == null ? "stream, " + samples : samples + ", " + d.table.inputs().size() + " inputs, "
                + d.table.targets().size() + " targets" + (d.table.weights().isEmpty() ? "" : ", " + d.table.weights().size() + " sample weights"))
                + (d.inputNames == null ? "" : ", inputs " + d.inputNames) + (d.targetNames == null ? "" : ", targets " + d.targetNames)
                + (d.weightNames == null ? "" : ", sample weights " + d.weightNames)
                + (d.nullTargets.isEmpty() ? "" : ", null targets " + d.nullTargets)
                + (d.namesDroppedBy == null ? "" : ", names dropped by " + d.namesDroppedBy)
                + ", batch " + d.batchSize + (d.boundaries != null ? " bucketed" : d.padding != null ? " padded" : "")
                + (d.after.isEmpty() ? "" : " then " + String.join(".", d.after.stream().map(Object::toString).toList()))
                + (d.batched && b >= 0 ? ", " + b + " batches per epoch" : "") + ")";
    }
}
