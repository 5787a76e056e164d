package dev.jrnn.data;

import org.junit.jupiter.api.Test;

import java.util.function.LongUnaryOperator;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class OrderTest {
    private static long[] epoch(Order o, long e) {
        LongUnaryOperator c = o.cursor(e);
        long[] out = new long[(int) o.size()];
        for (int k = 0; k < out.length; k++) out[k] = c.applyAsLong(k);
        return out;
    }

    @Test
    void shuffleIsAFullPermutationFreshEachEpochAndReproducible() {
        for (long n : new long[] {1, 2, 3, 10, 1000, 4097}) {
            Order o = new Order.Shuffled(new Order.Identity(n), 7);
            long[] a = epoch(o, 0), b = epoch(o, 1);
            boolean[] seen = new boolean[(int) n];
            for (long v : a) {
                assertTrue(v >= 0 && v < n && !seen[(int) v], "a permutation of [0, " + n + ")");
                seen[(int) v] = true;
            }
            assertEquals(java.util.Arrays.toString(a), java.util.Arrays.toString(epoch(o, 0)), "same seed and epoch, same order");
            if (n >= 10) {
                assertNotEquals(java.util.Arrays.toString(a), java.util.Arrays.toString(b), "a fresh order per epoch");
                int fixed = 0;
                for (int k = 0; k < n; k++) if (a[k] == k) fixed++;
                assertTrue(fixed < 5 + n / 50, "not close to the identity: " + fixed + " fixed points of " + n);
            }
        }
    }

    /**
     * A full shuffle over a buffered one shuffles the buffered one's base (the same uniform distribution), so it never
     * reads the buffered order out of sequence, which replays its draws from the epoch's start each time (quadratic);
     * a buffered shuffle over a full one gives tf.data's buffered order of that permutation.
     */
    @Test
    void chainedShufflesReadTheirBasesInOrder() {
        Order id = new Order.Identity(50);
        Order full = new Order.Shuffled(new Order.Buffered(id, 3, 4), 7);
        assertEquals(new Order.Shuffled(id, 7), full);
        assertArrayEquals(epoch(new Order.Shuffled(id, 7), 2), epoch(full, 2));
        Order perm = new Order.Shuffled(id, 9);
        long[] under = epoch(perm, 1), got = epoch(new Order.Buffered(perm, 5, 3), 1);
        long[] want = new long[50], buf = new long[3];   // tf.data's buffer of the next 3, one drawn per step
        java.util.SplittableRandom rnd = new java.util.SplittableRandom(5 ^ 1 * 0x9E3779B97F4A7C15L);
        int filled = 0, in = 0;
        for (int k = 0; k < 50; k++) {
            while (filled < 3 && in < 50) buf[filled++] = under[in++];
            int i = rnd.nextInt(filled);
            want[k] = buf[i];
            buf[i] = buf[--filled];
        }
        assertArrayEquals(want, got);
    }

    @Test
    void sliceAndRepeatCompose() {
        Order base = new Order.Identity(10);
        assertEquals("[3, 4, 5]", java.util.Arrays.toString(epoch(new Order.Slice(base, 3, 3), 0)));
        Order rep = new Order.Repeated(new Order.Shuffled(base, 1), 2);
        long[] two = epoch(rep, 0);
        assertEquals(20, two.length);
        long[] first = java.util.Arrays.copyOfRange(two, 0, 10), second = java.util.Arrays.copyOfRange(two, 10, 20);
        assertNotEquals(java.util.Arrays.toString(first), java.util.Arrays.toString(second), "each pass shuffled afresh");
        java.util.Arrays.sort(first);
        assertEquals(java.util.Arrays.toString(epoch(base, 0)), java.util.Arrays.toString(first));
    }

    /** Positions past 2^62 (a shuffle after an endless repeat) stay in range: the cycle walk compares unsigned. */
    @Test
    void aPermutationOfMoreThan2To62PositionsStaysInRange() {
        for (long n : new long[] {(1L << 62) + 3, Long.MAX_VALUE}) {
            Order.Permutation p = new Order.Permutation(n, 5);
            java.util.Set<Long> seen = new java.util.HashSet<>();
            for (long x = 0; x < 1000; x++) {
                long v = p.apply(x);
                assertTrue(v >= 0 && v < n, "position " + x + " of " + n + " maps to " + v);
                assertTrue(seen.add(v), "a bijection: " + v + " twice");
            }
        }
        Order endless = new Order.Shuffled(new Order.Repeated(new Order.Identity(10), -1), 1);
        LongUnaryOperator c = endless.cursor(0);
        int[] count = new int[10];
        for (long k = 0; k < 1000; k++) count[(int) c.applyAsLong(k)]++;   // each sample of [0, 10), none out of range
        for (int i = 0; i < 10; i++) assertTrue(count[i] > 50 && count[i] < 150, "sample " + i + " drawn " + count[i] + " times of 1000");
    }
}
