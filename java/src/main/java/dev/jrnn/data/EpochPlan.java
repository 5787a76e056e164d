package dev.jrnn.data;

import java.io.IOException;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.function.Function;
import java.util.function.LongFunction;
import java.util.function.UnaryOperator;

/**
 * How an epoch of a {@link Dataset} is read: its groups (one batch's samples each, before the batch-level operations), how
 * a group becomes a batch, and how one of its elements becomes a {@link Sample}. {@link Dataset#epoch} assembles the batches;
 * the element-level operations that only a stream can do (filter, concatenate, zip, window, cache, unbatch) read the same
 * plan as a stream of samples, so a table keeps its reads by position until one of them is asked for.
 */
record EpochPlan<T>(LongFunction<BatchOps.Groups<T>> groups, Function<List<T>, Batch> batch, Function<T, Sample> sample) {

    /** The plan of {@code d}; {@code asm} assembles its batches (null: only its samples are read). */
    static EpochPlan<?> of(Dataset d, Assembler asm) {
        if (d.table == null) {
            LongFunction<StreamOps.Stream> stream = d.stream;
            boolean[] scalar = d.scalar;
            return new EpochPlan<Sample>(e -> {
                StreamOps.Stream src = stream.apply(e);
                return BatchOps.groups(new Grouper<>(src, d.batchSize, d.dropRemainder, d.boundaries, EpochPlan::length), src::close);
            }, l -> asm.fromSamples(l, null, scalar), s -> s);
        }
        Table t = d.table;
        Order order = d.order;
        if (d.mapper == null && d.padding == null) {   // a padded batch pads samples: read as a map's
            return new EpochPlan<Long>(e -> BatchOps.groups(new Grouper<>(order.positions(e), d.batchSize, d.dropRemainder,
                    d.boundaries, i -> t.length(i)), null), l -> {
                long[] idx = new long[l.size()];
                for (int i = 0; i < idx.length; i++) idx[i] = l.get(i);
                return asm.fromTable(t, idx);
            }, t::sample);
        }
        UnaryOperator<Sample> f = d.mapper != null ? d.mapper : s -> s;
        boolean[] scalar = scalars(t);
        Function<List<Sample>, Batch> make = l -> asm.fromSamples(l, r -> t.where(l.get(r).index()), scalar);
        if (d.boundaries == null) {   // grouped as positions, read and mapped by the batch: a batch skipped after batch is never read
            return new EpochPlan<Long>(e -> BatchOps.groups(new Grouper<>(order.positions(e), d.batchSize, d.dropRemainder, null, null), null),
                    l -> make.apply(l.stream().map(i -> StreamOps.apply(f, t.sample(i))).toList()), i -> StreamOps.apply(f, t.sample(i)));
        }
        return new EpochPlan<Sample>(e -> {   // bucketed by the mapped samples' lengths: each is read and mapped as it is grouped
            Iterator<Long> positions = order.positions(e);
            Iterator<Sample> samples = new Iterator<>() {
                public boolean hasNext() { return positions.hasNext(); }
                public Sample next() { return StreamOps.apply(f, t.sample(positions.next())); }
            };
            return BatchOps.groups(new Grouper<>(samples, d.batchSize, d.dropRemainder, d.boundaries, EpochPlan::length), null);
        }, make, s -> s);
    }

    /** A table's parts (inputs, targets, weights) that hold one value per sample: read as (1,) tensors, batched as (B,). */
    static boolean[] scalars(Table t) {
        List<Column> cols = t.columns();
        boolean[] scalar = new boolean[cols.size()];
        for (int c = 0; c < scalar.length; c++) scalar[c] = !cols.get(c).ragged() && cols.get(c).unitShape().length == 0;
        return scalar;
    }

    /** The batches of epoch {@code epoch} of {@code d}, after its batch-level operations. */
    static BatchStream open(Dataset d, int epoch) throws IOException {
        Assembler asm = new Assembler(d.memory, d.checkFinite, d.padding);
        if (d.table != null) {
            d.table.check();
            d.table.checkDtypes(d.float32);
        }
        for (Table t : d.reads) {
            t.check();
            t.checkDtypes(d.float32);
        }
        return stream(of(d, asm), d, asm, epoch);
    }

    private static <T> BatchStream stream(EpochPlan<T> p, Dataset d, Assembler asm, int epoch) {
        Function<List<T>, Batch> batch = d.batchMapper == null ? p.batch() : p.batch().andThen(b -> BatchMap.apply(b, d.batchMapper, asm));
        return BatchOps.stream(d.after, p.groups(), epoch, batch, d.prefetch, "jrnn-prefetch-epoch-" + epoch);
    }

    /** The samples of {@code d}'s epochs as streams: a table's read (and mapped) in its order; batched, its batches' samples in order. */
    static LongFunction<StreamOps.Stream> samples(Dataset d) {
        if (d.table == null && !d.batched) return d.stream;
        // batched: each batch's samples as the batch holds them, padded (tf.data's unbatch keeps a padded batch's padding)
        boolean[] scalar = d.table != null ? scalars(d.table) : d.scalar;
        Function<List<Sample>, List<Sample>> batch = !d.batched ? null   // a table's samples, each read as it is asked for
                : d.batchMapper == null ? l -> l.isEmpty() ? l : Batching.pad(l, d.padding, scalar)
                : l -> l.isEmpty() ? l : BatchMap.apply(Batching.pad(l, d.padding, scalar), d.batchMapper, scalar);
        return samples(of(d, null), d.after, batch);
    }

    private static <T> LongFunction<StreamOps.Stream> samples(EpochPlan<T> p, List<BatchOps.Op> after, Function<List<Sample>, List<Sample>> batch) {
        return e -> {
            BatchOps.Groups<T> g = BatchOps.open(after, p.groups(), e);
            return StreamOps.over(new Iterator<>() {
                List<T> cur = List.of();
                List<Sample> padded;   // a batch's samples, padded as the batch holds them; null: read one by one
                int k;
                boolean ended;
                public boolean hasNext() {
                    while (!ended && k == cur.size()) {   // lazily, on the prefetch thread, as tf.data's unbatch
                        List<T> l = g.next();
                        if (l == null) ended = true;
                        else {
                            cur = l;
                            k = 0;
                            padded = batch == null ? null : batch.apply(l.stream().map(p.sample()).toList());
                        }
                    }
                    return !ended;
                }
                public Sample next() {
                    if (!hasNext()) throw new NoSuchElementException();
                    T t = cur.get(k++);
                    return padded != null ? padded.get(k - 1) : p.sample().apply(t);
                }
            }, g::close);
        };
    }

    static int length(Sample s) {
        return s.length() >= 0 ? s.length() : s.inputs().get(0).dim(0);
    }
}
