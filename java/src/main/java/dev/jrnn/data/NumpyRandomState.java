package dev.jrnn.data;

/**
 * NumPy's legacy {@code np.random.RandomState(seed)} as far as its {@code shuffle} goes: MT19937 seeded as
 * {@code init_genrand}, and each swap index drawn by rejection under a bit mask ({@code random_interval}). Keras
 * shuffles the file list of {@code text_dataset_from_directory} with it, so the same seed puts the same files in the
 * training and validation subsets as Keras does.
 */
final class NumpyRandomState {
    private static final int N = 624, M = 397;
    private final int[] mt = new int[N];
    private int pos;

    /** {@code seed} in [0, 2^32 - 1], NumPy's range for a legacy seed. */
    NumpyRandomState(long seed) {
        if (seed < 0 || seed > 0xffffffffL) {
            throw new IllegalArgumentException("seed: expected an integer in [0, 2^32 - 1] (NumPy's RandomState), got " + seed);
        }
        mt[0] = (int) seed;
        for (int i = 1; i < N; i++) mt[i] = 1812433253 * (mt[i - 1] ^ (mt[i - 1] >>> 30)) + i;
        pos = N;
    }

    private int next32() {
        if (pos == N) twist();
        int y = mt[pos++];
        y ^= y >>> 11;
        y ^= (y << 7) & 0x9d2c5680;
        y ^= (y << 15) & 0xefc60000;
        return y ^ (y >>> 18);
    }

    private void twist() {
        for (int i = 0; i < N; i++) {
            int y = (mt[i] & 0x80000000) | (mt[(i + 1) % N] & 0x7fffffff);
            int v = mt[(i + M) % N] ^ (y >>> 1);
            mt[i] = (y & 1) != 0 ? v ^ 0x9908b0df : v;
        }
        pos = 0;
    }

    /** A uniform integer in [0, max] (NumPy's {@code random_interval}). */
    private long interval(long max) {
        if (max == 0) return 0;
        long mask = max;
        mask |= mask >>> 1;
        mask |= mask >>> 2;
        mask |= mask >>> 4;
        mask |= mask >>> 8;
        mask |= mask >>> 16;
        mask |= mask >>> 32;
        long v;
        if (max <= 0xffffffffL) {
            do v = (next32() & 0xffffffffL) & mask; while (v > max);
        } else {
            do v = (((next32() & 0xffffffffL) << 32) | (next32() & 0xffffffffL)) & mask; while (v > max);
        }
        return v;
    }

    /** The order {@code shuffle} leaves {@code [0, n)} in: {@code p[k]} is the index that ends at position k. */
    int[] permutation(int n) {
        int[] p = new int[n];
        for (int i = 0; i < n; i++) p[i] = i;
        for (int i = n - 1; i > 0; i--) {
            int j = (int) interval(i);
            int t = p[i];
            p[i] = p[j];
            p[j] = t;
        }
        return p;
    }
}
