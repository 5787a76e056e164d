package dev.jrnn.data;

import java.util.function.LongFunction;
import java.util.function.UnaryOperator;

/**
 * The work of {@link Dataset}'s order operations, shuffle, take, skip and repeat: on an indexable set a new {@link Order},
 * on a stream a wrapped stream (its count kept as known), after batch a batch-level {@link BatchOps.Op}.
 */
final class OrderOps {
    private OrderOps() {}

    /** {@link Dataset#shuffle}: {@code full}, a uniform permutation whatever the buffer; else tf.data's buffer. */
    static Dataset shuffle(Dataset d, long seed, int bufferSize, boolean full, boolean reshuffle) {
        if (bufferSize < 1) throw new IllegalArgumentException("Dataset.shuffle: bufferSize must be >= 1, got " + bufferSize);
        if (d.batched) return after(d, new BatchOps.Shuffle(seed, bufferSize, reshuffle));
        return derive(d, o -> full || bufferSize >= o.size() ? new Order.Shuffled(o, seed, reshuffle) : new Order.Buffered(o, seed, bufferSize, reshuffle),
                s -> e -> StreamOps.shuffle(s.apply(e), bufferSize, Order.epochDraws(seed, e, reshuffle)));
    }

    /** {@link Dataset#take}. */
    static Dataset take(Dataset d, long n) {
        if (n < -1) throw new IllegalArgumentException("Dataset.take: n must be >= 0, or -1 for all, got " + n);
        if (n == -1) return d.copy();
        if (d.batched) return after(d, new BatchOps.Take(n));
        Dataset t = derive(d, o -> slice(o, 0, Math.min(n, o.size())), s -> e -> StreamOps.take(s.apply(e), n));
        t.streamSize = d.streamSize == BatchOps.ENDLESS ? n : d.streamSize < 0 ? -1 : Math.min(n, d.streamSize);
        return t;
    }

    /** {@link Dataset#skip}. */
    static Dataset skip(Dataset d, long n) {
        if (n < -1) throw new IllegalArgumentException("Dataset.skip: n must be >= 0, or -1 for all, got " + n);
        if (n == -1 && d.endless()) throw new IllegalArgumentException("Dataset.skip: -1 (all) of an endless data set would never end; got -1 after " + d);
        long k = n == -1 ? Long.MAX_VALUE : n;
        if (d.batched) return after(d, new BatchOps.Skip(k));
        Dataset t = derive(d, o -> o.size() == Long.MAX_VALUE ? slice(o, k, Long.MAX_VALUE)   // still endless
                        : slice(o, Math.min(k, o.size()), o.size() - Math.min(k, o.size())),
                s -> e -> StreamOps.skip(s.apply(e), k));
        t.streamSize = d.streamSize < 0 || d.streamSize == BatchOps.ENDLESS ? d.streamSize : Math.max(0, d.streamSize - k);
        return t;
    }

    /** Positions {@code [from, from + size)} of {@code o}; a slice of a slice is one slice, so split still sees the file order. */
    private static Order slice(Order o, long from, long size) {
        return o instanceof Order.Slice s ? new Order.Slice(s.base(), s.from() + from, size) : new Order.Slice(o, from, size);
    }

    /** {@link Dataset#repeat(int)}; -1: {@link Dataset#repeat()}, endless. */
    static Dataset repeat(Dataset d, int times) {
        if (times < -1) throw new IllegalArgumentException("Dataset.repeat: times must be >= 0, or -1 for endless, got " + times);
        if (d.batched) return after(d, new BatchOps.Repeat(times));
        Dataset t = derive(d, o -> new Order.Repeated(o, times), s -> e -> StreamOps.repeat(s, e, times));
        long n = d.streamSize;
        t.streamSize = times == -1 ? (n == 0 ? 0 : BatchOps.ENDLESS)
                : times == 0 || n == 0 ? 0 : n < 0 || n == BatchOps.ENDLESS ? n : BatchOps.times(n, times);
        return t;
    }

    /** A copy with the batch-level operation {@code op} added. */
    private static Dataset after(Dataset d, BatchOps.Op op) {
        Dataset t = d.copy();
        t.after = java.util.stream.Stream.concat(d.after.stream(), java.util.stream.Stream.of(op)).toList();
        return t;
    }

    /** A copy with the sample order changed ({@code indexed}) or the generator's stream wrapped ({@code streamed}). */
    static Dataset derive(Dataset d, UnaryOperator<Order> indexed, UnaryOperator<LongFunction<StreamOps.Stream>> streamed) {
        Dataset t = d.copy();
        if (d.table != null) t.order = indexed.apply(d.order);
        else t.stream = streamed.apply(d.stream);
        return t;
    }
}
