package dev.jrnn.data;

import org.junit.jupiter.api.Test;

import java.util.function.LongUnaryOperator;

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
