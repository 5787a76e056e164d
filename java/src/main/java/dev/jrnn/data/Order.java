package dev.jrnn.data;

import java.util.Iterator;
import java.util.NoSuchElementException;
import java.util.SplittableRandom;
import java.util.function.LongUnaryOperator;

/**
 * The order of samples in an epoch of an indexable data set: position {@code k} of epoch {@code e}
 * maps to a sample index. Shuffling is a keyed permutation computed per position (no index array,
 * so there is no limit from Java arrays), fresh per epoch.
 */
sealed interface Order permits Order.Identity, Order.Slice, Order.Shuffled, Order.Buffered, Order.Repeated, Order.Sharded {
    /** Positions per epoch. */
    long size();

    /** The position-to-sample map of epoch {@code epoch}; used by one thread. */
    LongUnaryOperator cursor(long epoch);

    /** The sample indices of epoch {@code epoch}, in order. */
    default Iterator<Long> positions(long epoch) {
        LongUnaryOperator cur = cursor(epoch);
        long n = size();
        return new Iterator<>() {
            long k;
            public boolean hasNext() { return k < n; }
            public Long next() {
                if (k >= n) throw new NoSuchElementException();
                return cur.applyAsLong(k++);
            }
        };
    }

    record Identity(long size) implements Order {
        public LongUnaryOperator cursor(long epoch) { return k -> k; }
    }

    record Slice(Order base, long from, long size) implements Order {
        public LongUnaryOperator cursor(long epoch) {
            LongUnaryOperator b = base.cursor(epoch);
            return k -> b.applyAsLong(from + k);
        }
    }

    /** {@code reshuffle} false: every epoch's own draw is epoch 0's (tf.data's {@code reshuffle_each_iteration=False}). */
    record Shuffled(Order base, long seed, boolean reshuffle) implements Order {
        /** A full shuffle of a buffered one is a full shuffle of its base (as uniform), and reads it in any order cheaply. */
        public Shuffled {
            if (base instanceof Buffered b) base = b.base();
        }

        Shuffled(Order base, long seed) { this(base, seed, true); }

        public long size() { return base.size(); }
        public LongUnaryOperator cursor(long epoch) {
            LongUnaryOperator b = base.cursor(epoch);
            Permutation p = new Permutation(base.size(), seed ^ (reshuffle ? epoch : 0) * 0x9E3779B97F4A7C15L);
            return k -> b.applyAsLong(p.apply(k));
        }
    }

    /**
     * tf.data's {@code shuffle(buffer)} over positions: each position leaves from a random slot of a buffer of the next
     * {@code buffer} ones, so a position moves at most {@code buffer - 1} ahead (buffer 1 keeps the order). It holds that
     * many longs and reads its base in order, once per epoch (a chain of buffered shuffles and repeats stays O(n)); its own
     * positions are asked in order (an earlier one replays the epoch's draws from the start).
     */
    record Buffered(Order base, long seed, int buffer, boolean reshuffle) implements Order {
        Buffered(Order base, long seed, int buffer) { this(base, seed, buffer, true); }

        public long size() { return base.size(); }
        public LongUnaryOperator cursor(long epoch) {
            LongUnaryOperator b = base.cursor(epoch);
            long n = base.size();
            return new LongUnaryOperator() {
                SplittableRandom rnd;
                long[] buf = new long[(int) Math.min(buffer, Math.min(n, 1 << 16))];
                int filled;
                long in, out, last;
                public long applyAsLong(long k) {
                    if (rnd == null || k < out) {
                        rnd = new SplittableRandom(seed ^ (reshuffle ? epoch : 0) * 0x9E3779B97F4A7C15L);
                        filled = 0;
                        in = out = 0;
                    }
                    while (out <= k) {
                        while (filled < buffer && in < n) {
                            if (filled == buf.length) buf = java.util.Arrays.copyOf(buf, (int) Math.min(buffer, 2L * buf.length));
                            buf[filled++] = b.applyAsLong(in++);   // the base read in order as a position enters
                        }
                        int i = rnd.nextInt(filled);
                        last = buf[i];
                        buf[i] = buf[--filled];
                        out++;
                    }
                    return last;
                }
            };
        }
    }

    /**
     * {@code times} passes over {@code base} per epoch (pass {@code p} of epoch {@code e} is base epoch e*times+p); endless passes
     * over an empty base are empty, as tf.data's repeat of an empty dataset.
     */
    record Repeated(Order base, long times) implements Order {
        public long size() {
            long n = base.size();
            return n == 0 || times == 0 ? 0 : times < 0 || n == Long.MAX_VALUE ? Long.MAX_VALUE : BatchOps.times(n, times);
        }
        public LongUnaryOperator cursor(long epoch) {
            long n = base.size(), t = times < 0 ? 1L << 20 : times;   // an endless repeat: a fresh pass every n samples
            return new LongUnaryOperator() {
                long pass = -1;
                LongUnaryOperator inner;
                public long applyAsLong(long k) {
                    long p = k / n;
                    if (p != pass) {
                        pass = p;
                        inner = base.cursor(epoch * t + p);
                    }
                    return inner.applyAsLong(k % n);
                }
            };
        }
    }

    /** tf.data's {@code shard(num, index)}: positions {@code index, index + num, ...} of {@code base}; an endless base stays endless. */
    record Sharded(Order base, long num, long index) implements Order {
        public long size() {
            long n = base.size();
            return n == Long.MAX_VALUE ? n : n <= index ? 0 : (n - index - 1) / num + 1;
        }
        public LongUnaryOperator cursor(long epoch) {
            LongUnaryOperator b = base.cursor(epoch);
            return k -> b.applyAsLong(index + k * num);
        }
    }

    /** A bijection of {@code [0, n)}: a balanced Feistel network over the next even power of two, cycle-walked into range. */
    final class Permutation {
        private final long n, mask;
        private final int half;
        private final long[] keys = new long[6];

        Permutation(long n, long seed) {
            this.n = n;
            int bits = Math.max(2, 64 - Long.numberOfLeadingZeros(Math.max(1, n - 1)));
            half = (bits + 1) / 2;
            mask = (1L << half) - 1;
            SplittableRandom r = new SplittableRandom(seed);
            for (int i = 0; i < keys.length; i++) keys[i] = r.nextLong();
        }

        long apply(long x) {
            do x = encrypt(x); while (Long.compareUnsigned(x, n) >= 0);   // over 2^62 positions the domain is all 64 bits
            return x;
        }

        private long encrypt(long x) {
            long l = x >>> half, r = x & mask;
            for (long k : keys) {
                long t = r;
                r = l ^ (mix(r ^ k) & mask);
                l = t;
            }
            return (l << half) | r;
        }

        private static long mix(long z) {
            z = (z ^ (z >>> 33)) * 0xff51afd7ed558ccdL;
            z = (z ^ (z >>> 33)) * 0xc4ceb9fe1a85ec53L;
            return z ^ (z >>> 33);
        }
    }
}
