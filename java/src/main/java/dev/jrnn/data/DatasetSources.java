package dev.jrnn.data;

import dev.jrnn.tensor.Tensor;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
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

    /** {@link Dataset#fromTensors(List, List, List)}: a null weight entry is a weight of 1 per sample. */
    static Dataset tensors(List<Tensor> inputs, List<Tensor> targets, List<Tensor> sampleWeights) {
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
            for (int i = 0; i < inputs.size(); i++) in.add(Sources.tensor(inputs.get(i), "input " + i));
            for (int i = 0; i < targets.size(); i++) out.add(Sources.tensor(targets.get(i), "target " + i));
            for (int i = 0; i < sampleWeights.size(); i++) ws.add(Sources.tensor(sampleWeights.get(i), "sample weight " + i));
            return Dataset.of(in, out, ws);
        } catch (IOException e) {
            throw new IllegalArgumentException(e.getMessage(), e);
        }
    }

    interface Reader<T> {
        Column read(T name) throws IOException;
    }

    /** A table of the arrays {@code read} opens for each input and target (checked by {@link #names} as {@code method}'s). */
    static <T> Dataset named(String method, List<T> inputs, List<T> targets, Reader<T> read) throws IOException {
        return named(method, inputs, targets, read, (param, t) -> { });
    }

    /** {@link #named} after {@code check} of each element, named {@code inputs[i]} / {@code targets[i]}. */
    static <T> Dataset named(String method, List<T> inputs, List<T> targets, Reader<T> read,
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
                + ", batch " + d.batchSize + (d.boundaries != null ? " bucketed" : d.padding != null ? " padded" : "")
                + (d.after.isEmpty() ? "" : " then " + String.join(".", d.after.stream().map(Object::toString).toList()))
                + (d.batched && b >= 0 ? ", " + b + " batches per epoch" : "") + ")";
    }
}
