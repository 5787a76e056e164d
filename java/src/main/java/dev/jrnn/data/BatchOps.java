package dev.jrnn.data;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.function.Function;
import java.util.function.LongFunction;

/**
 * A data set's operations after {@code batch(...)} / {@code bucketByLength(...)}, with tf.data's meaning: {@code take} and
 * {@code skip} count batches, {@code repeat} repeats the batched passes (each pass ends with its own smaller batch), and
 * {@code shuffle} draws whole batches from a buffer of batches. They act on groups before a batch is assembled: the
 * positions of a table's samples (so a skipped batch of a file reads none of its data) or a generator's samples. Also
 * what the operations make of the counts: batches and samples per epoch, as tf.data's cardinality.
 */
final class BatchOps {
    private BatchOps() {}

    /** One batch-level operation; {@link #toString()} is how it is written. */
    sealed interface Op permits Take, Skip, Repeat, Shuffle {}

    record Take(long n) implements Op {
        @Override
        public String toString() { return "take(" + n + ")"; }
    }

    record Skip(long n) implements Op {
        @Override
        public String toString() { return "skip(" + n + ")"; }
    }

    /** {@code times} < 0: endless. */
    record Repeat(long times) implements Op {
        @Override
        public String toString() { return times < 0 ? "repeat()" : "repeat(" + times + ")"; }
    }

    /** {@code reshuffle} false: every epoch and pass draws epoch 0's order (tf.data's {@code reshuffle_each_iteration=False}). */
    record Shuffle(long seed, int buffer, boolean reshuffle) implements Op {
        @Override
        public String toString() { return "shuffle(" + seed + ", " + buffer + (reshuffle ? "" : ", false") + ")"; }
    }

    /** An epoch's groups (the samples of one batch each), in order: null at the end. */
    interface Groups<T> {
        List<T> next();

        /** Closes what the groups are read from (a generator's iterator). */
        default void close() {}
    }

    /** Epoch {@code epoch} of {@code base} (epoch -> its groups) after {@code ops}; every pass opened is base's epoch. */
    static <T> Groups<T> open(List<Op> ops, LongFunction<Groups<T>> base, long epoch) {
        LongFunction<Groups<T>> f = base;
        for (Op op : ops) f = wrap(op, f);
        return f.apply(epoch);
    }

    /**
     * The batches {@code make} assembles from the groups of epoch {@code epoch} of {@code base} after {@code ops}, at most
     * {@code prefetch} assembled ahead.
     */
    static <T> BatchStream stream(List<Op> ops, LongFunction<Groups<T>> base, long epoch, Function<List<T>, Batch> make, int prefetch, String name) {
        Groups<T> g = open(ops, base, epoch);
        try {
            return new BatchStream(new BatchStream.Producer() {
                public Batch next() {
                    List<T> l = g.next();
                    return l == null ? null : make.apply(l);
                }

                public void close() { g.close(); }
            }, prefetch, name);
        } catch (RuntimeException | Error e) {   // no thread started (none could be): a generator's iterator is still ours to close
            try {
                g.close();
            } catch (RuntimeException c) {
                e.addSuppressed(c);
            }
            throw e;
        }
    }

    /** The groups {@code g} cuts; {@code close} (null: nothing) closes what it reads. */
    static <T> Groups<T> groups(Grouper<T> g, Runnable close) {
        return new Groups<>() {
            public List<T> next() { return g.next(); }
            public void close() { if (close != null) close.run(); }
        };
    }

    private static <T> LongFunction<Groups<T>> wrap(Op op, LongFunction<Groups<T>> inner) {
        return switch (op) {
            case Take t -> e -> take(inner.apply(e), t.n());
            case Skip s -> e -> skip(inner.apply(e), s.n());
            case Repeat r -> e -> repeat(inner, e, r.times());
            // the sample shuffle's draws for this seed and epoch (fit's data epoch key) through tf.data's buffer, so
            // batch(1).shuffle(seed, b) gives shuffle(seed, b).batch(1)'s order where the sample shuffle buffers too: a buffer
            // smaller than in-memory data, or a generator. In memory a buffer >= the data or shuffle(seed) draws a full
            // Fisher-Yates (OrderOps), another order, where tf.data's two orders are equal
            case Shuffle s -> e -> shuffle(inner.apply(e), s.buffer(), Order.epochDraws(s.seed(), e, s.reshuffle()));
        };
    }

    private static <T> Groups<T> take(Groups<T> g, long n) {
        return new Groups<>() {
            long k;
            public List<T> next() {
                if (k >= n) return null;   // reads nothing past the n-th
                List<T> l = g.next();
                if (l != null) k++;
                return l;
            }
            public void close() { g.close(); }
        };
    }

    /** Skips on the first read (the prefetch thread's), as the sample-level skip does. */
    private static <T> Groups<T> skip(Groups<T> g, long n) {
        return new Groups<>() {
            boolean skipped;
            public List<T> next() {
                if (!skipped) {
                    skipped = true;
                    for (long k = 0; k < n; k++) if (g.next() == null) return null;
                }
                return g.next();
            }
            public void close() { g.close(); }
        };
    }

    /**
     * Passes {@code epoch*times .. epoch*times+times-1} of {@code inner} ({@code times < 0}: endless, which an empty pass
     * ends, as tf.data's repeat of an empty dataset), each closed when the next one opens.
     */
    private static <T> Groups<T> repeat(LongFunction<Groups<T>> inner, long epoch, long times) {
        long t = times < 0 ? 1L << 20 : times;
        if (times == 0) return () -> null;   // tf.data's repeat(0): empty, its input never opened
        return new Groups<>() {
            Groups<T> cur = inner.apply(epoch * t);
            long pass;
            boolean any;
            public List<T> next() {
                while (true) {
                    List<T> l = cur.next();
                    if (l != null) {
                        any = true;
                        return l;
                    }
                    if (times < 0 ? !any : pass + 1 >= times) return null;
                    Groups<T> done = cur;
                    cur = new Groups<>() { public List<T> next() { return null; } };   // a pass that fails to close or open is not closed twice
                    done.close();
                    cur = inner.apply(epoch * t + ++pass);
                    any = false;
                }
            }
            public void close() { cur.close(); }
        };
    }

    /** tf.data's shuffle buffer, of groups: each leaves from a random slot of {@code size}. */
    private static <T> Groups<T> shuffle(Groups<T> g, int size, SplittableRandom rnd) {
        List<List<T>> buf = new ArrayList<>(Math.min(size, 1 << 12));
        return new Groups<>() {
            boolean ended;
            public List<T> next() {
                while (!ended && buf.size() < size) {
                    List<T> l = g.next();
                    if (l == null) ended = true;
                    else buf.add(l);
                }
                if (buf.isEmpty()) return null;
                int i = rnd.nextInt(buf.size());
                List<T> l = buf.get(i);
                buf.set(i, buf.get(buf.size() - 1));
                buf.remove(buf.size() - 1);
                return l;
            }
            public void close() { g.close(); }
        };
    }

    // ---- counts ----

    /** Marks an endless count. */
    static final long ENDLESS = Long.MAX_VALUE;

    /**
     * The batches of an epoch as counts: {@link #batches()} and {@link #total()} samples ({@link #ENDLESS}, or -1 where
     * unknown: a generator, bucketing, a shuffle of batches of different sizes then cut), {@link #samples} those in batches
     * [from, to) of a known order, {@link #full} whether every batch is known to hold the batch size.
     */
    interface Counts {
        long batches();

        long total();

        long samples(long from, long to);

        boolean full();

        /** Whether a batch smaller than the size is known to come, in this epoch or (shuffled) another. */
        boolean smaller();
    }

    /**
     * The counts of {@code n} samples ({@link #ENDLESS}, -1 unknown) batched by {@code size} (bucketed: batch counts unknown),
     * then {@code ops}.
     */
    static Counts counts(long n, int size, boolean drop, boolean bucketed, List<Op> ops) {
        Counts c = base(n, size, drop, bucketed);
        for (Op op : ops) c = counts(op, c, size);
        return c;
    }

    private static Counts base(long n, int size, boolean drop, boolean bucketed) {
        if (n == ENDLESS) return of(ENDLESS, ENDLESS, (f, t) -> (t - f) * size, true, false);   // never flushed, bucketed or not: all full
        if (n < 0 || bucketed) return of(-1, n < 0 || drop ? -1 : n, (f, t) -> -1, drop, false);
        long q = n / size, r = drop ? 0 : n % size;
        return of(q + (r > 0 ? 1 : 0), q * size + r, (f, t) -> (Math.min(t, q) - Math.min(f, q)) * size + (r > 0 && f <= q && q < t ? r : 0), r == 0, r > 0);
    }

    private static Counts counts(Op op, Counts c, int size) {
        long b = c.batches();
        return switch (op) {
            case Take t -> {
                long nb = b < 0 ? -1 : Math.min(t.n(), b);
                long total = nb < 0 ? -1 : c.samples(0, nb);
                yield of(nb, total, c::samples, c.full(), c.smaller() && (total < 0 || total < times(nb, size)));
            }
            case Skip s -> {
                long k = b < 0 || b == ENDLESS ? s.n() : Math.min(s.n(), b);
                long nb = b < 0 || b == ENDLESS ? b : b - k;
                long total = nb < 0 || nb == ENDLESS ? nb : c.samples(k, b);
                yield of(nb, total, (f, t) -> c.samples(add(f, k), add(t, k)), c.full(),
                        c.smaller() && (nb < 0 || nb == ENDLESS || total < 0 || total < times(nb, size)));
            }
            case Repeat r -> {
                if (r.times() == 0) yield of(0, 0, (f, t) -> 0, true, false);
                if (b == 0 || b == ENDLESS) yield c;
                if (r.times() < 0) {
                    yield of(ENDLESS, ENDLESS, b < 0 ? (f, t) -> c.full() ? (t - f) * size : -1 : periodic(c), c.full(), c.smaller());
                }
                long nb = b < 0 ? -1 : times(b, r.times()), total = c.total() < 0 ? -1 : times(c.total(), r.times());
                yield of(nb, total, periodic(c), c.full(), c.smaller());
            }
            case Shuffle x -> of(b, c.total(), (f, t) -> f == 0 && t >= b && b >= 0 && b != ENDLESS ? c.total() : c.full() ? (t - f) * size : -1, c.full(),
                    c.smaller());
        };
    }

    /** Samples in batches [from, to) of passes of {@code c} one after another. */
    private static Range periodic(Counts c) {
        return (f, t) -> {
            long m = c.batches(), pf = f / m, pt = t / m;
            if (pf == pt) return c.samples(f % m, t % m);
            long head = c.samples(f % m, m), tail = c.samples(0, t % m), pass = c.total();
            return head < 0 || tail < 0 || pass < 0 ? -1 : head + (pt - pf - 1) * pass + tail;
        };
    }

    private static long add(long a, long b) {
        long s = a + b;
        return s < 0 ? ENDLESS : s;
    }

    /** {@code a * b}, kept below {@link #ENDLESS} (a finite count never reads as endless). */
    static long times(long a, long b) {
        long hi = Math.multiplyHigh(a, b), lo = a * b;
        return hi != 0 || lo < 0 || lo == ENDLESS ? ENDLESS - 1 : lo;
    }

    private interface Range {
        long samples(long from, long to);
    }

    private static Counts of(long batches, long total, Range samples, boolean full, boolean smaller) {
        return new Counts() {
            public boolean smaller() { return smaller; }
            public long batches() { return batches; }
            public long total() { return total; }
            public long samples(long from, long to) { return samples.samples(from, to); }
            public boolean full() { return full; }
        };
    }
}
