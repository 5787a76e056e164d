package dev.jrnn.data;

import java.util.Iterator;
import java.util.NoSuchElementException;
import java.util.SplittableRandom;
import java.util.function.LongUnaryOperator;

/**
 * The order of samples in an epoch of an indexable data set: position {@code k} of epoch {@code e}
 * maps to a sample index. A full shuffle is a uniform permutation drawn per epoch into an index array (Fisher-Yates) up
 * to {@link Shuffled#UNIFORM_MAX} positions; beyond that a keyed permutation computed per position (no index array),
 * which is not uniform.
 */
sealed interface Order permits Order.Identity, Order.Slice, Order.Shuffled, Order.Buffered, Order.Repeated, Order.Sharded {
    /** Positions per epoch. */
    long size();

    /** The position-to-sample map of epoch {@code epoch}; used by one thread. */
    LongUnaryOperator cursor(long epoch);

    /** A shuffle's key for {@code epoch} of {@code seed} ({@code reshuffle} false: epoch 0's, every epoch). */
    static long epochKey(long seed, long epoch, boolean reshuffle) {
        return seed ^ (reshuffle ? epoch : 0) * 0x9E3779B97F4A7C15L;
    }

    /**
     * A shuffle's draws for {@code epoch}: from its key mixed, as the key alone steps by SplittableRandom's own gamma
     * and would make each epoch's stream the last one's shifted by a draw.
     */
    static SplittableRandom epochDraws(long seed, long epoch, boolean reshuffle) {
        return new SplittableRandom(Shuffled.mix64(epochKey(seed, epoch, reshuffle)));
    }

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

    /**
     * A full shuffle of {@code base}, fresh per epoch from {@code seed} and the epoch ({@code reshuffle} false: every epoch's
     * own draw is epoch 0's, tf.data's {@code reshuffle_each_iteration=False}). Up to {@link #UNIFORM_MAX} positions it is a
     * uniform permutation: Fisher-Yates over an int index array (4 bytes a position, drawn when an epoch starts); beyond,
     * a {@link Permutation}, computed per position without memory, mixes but does not reach every order equally (for some
     * sizes only half of them).
     */
    record Shuffled(Order base, long seed, boolean reshuffle) implements Order {
        /** The most positions shuffled uniformly (an index array of 64 MiB); larger sets get the keyed permutation. */
        static final long UNIFORM_MAX = 1L << 24;

        /** A full shuffle of a buffered one is a full shuffle of its base (as uniform), and reads it in any order cheaply. */
        public Shuffled {
            if (base instanceof Buffered b) base = b.base();
        }

        Shuffled(Order base, long seed) { this(base, seed, true); }

        public long size() { return base.size(); }
        public LongUnaryOperator cursor(long epoch) {
            LongUnaryOperator b = base.cursor(epoch);
            long n = base.size(), key = epochKey(seed, epoch, reshuffle);
            if (n > UNIFORM_MAX) {
                Permutation p = permutation(n, key);
                return k -> b.applyAsLong(p.apply(k));
            }
            int[] perm = uniform((int) n, key);
            return k -> b.applyAsLong(perm[(int) k]);
        }

        /** The Feistel order of {@code n} positions for an epoch's key, mixed as {@link #uniform}'s (D2). */
        static Permutation permutation(long n, long key) {
            return new Permutation(n, mix64(key));
        }

        /**
         * Fisher-Yates (Durstenfeld) from {@code key}'s stream: each of the n! orders equally likely. The key is mixed
         * first: with seed 0 consecutive epochs' keys lie SplittableRandom's own step apart, so their streams were one
         * draw apart and each epoch nearly the last one shifted by a position.
         */
        static int[] uniform(int n, long key) {
            int[] p = new int[n];
            for (int i = 0; i < n; i++) p[i] = i;
            SplittableRandom r = new SplittableRandom(mix64(key));
            for (int i = n - 1; i > 0; i--) {
                int j = r.nextInt(i + 1), t = p[i];
                p[i] = p[j];
                p[j] = t;
            }
            return p;
        }

        /** SplitMix64's finalizer (Stafford's variant 13): nearby keys give unrelated seeds. */
        static long mix64(long z) {
            z = (z ^ (z >>> 30)) * 0xbf58476d1ce4e5b9L;
            z = (z ^ (z >>> 27)) * 0x94d049bb133111ebL;
            return z ^ (z >>> 31);
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
                        rnd = epochDraws(seed, epoch, reshuffle);
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

    /**
     * A bijection of {@code [0, n)} computed per position: a balanced Feistel network over the next even power of two,
     * cycle-walked into range. Not uniform: each round is an even permutation once its halves have 2 bits or more, so where
     * the domain is exactly n (n = 4^k, k >= 2) only even orders come out, and the cycle walk biases the other sizes; used
     * only beyond {@link Shuffled#UNIFORM_MAX}, where no index array is kept.
     */
    final class Permutation {
        private final long n, mask;
        private final int half;
        final long[] keys = new long[6];   // the round keys (read by OrderTest)

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
