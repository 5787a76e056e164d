package dev.jrnn.layers;

import dev.jrnn.backend.Backend;
import dev.jrnn.backend.Buf;
import dev.jrnn.backend.CounterRng;

/**
 * The dropout masks of one layer ({@link Dropout}, a recurrent layer's dropout and recurrent_dropout): a seed
 * drawn when the layer is built and a count of the masks drawn so far, kept in the backend's memory (two floats,
 * lo and hi, see {@link CounterRng#counter}) so that a captured CUDA graph draws a new mask at every replay and
 * CPU and CUDA draw the same masks ({@link Backend#dropoutMask}).
 */
final class MaskStream {
    private long seed;
    /** Masks drawn so far (lo, hi); allocated on the first draw. */
    private Buf counter;

    synchronized void seed(long s) { this.seed = s; }

    private Buf counter(Backend be) {
        if (counter == null || counter.backend() != be) {
            if (counter != null) counter.close();
            counter = null;   // a failed alloc below must not leave a closed counter in use
            counter = be.alloc(2);
        }
        return counter;
    }

    /** Draws the next mask of {@code n} values into {@code out}: 0 with probability {@code rate}, else 1 / (1 - rate). */
    synchronized void draw(Backend be, long n, float rate, Buf out, long outOff) {
        be.dropoutMask(n, rate, seed, counter(be), 0, out, outOff);
    }

    /** Draws the next {@code n} values of Gaussian noise of {@code mean} and {@code stddev} ({@link Backend#normalNoise}). */
    synchronized void drawNormal(Backend be, long n, float mean, float stddev, Buf out, long outOff) {
        be.normalNoise(n, mean, stddev, seed, counter(be), 0, out, outOff);
    }

    /** {seed, masks drawn so far}, for saving a training run. */
    synchronized long[] state() {
        long drawn = 0;
        if (counter != null) {
            float[] c = new float[2];
            counter.backend().download(counter, 0, c, 0, 2);
            drawn = CounterRng.counter(c[0], c[1]);
        }
        return new long[] {seed, drawn};
    }

    /** Puts back a {@link #state()}: the next draws are those the saved run would have made. */
    synchronized void restore(Backend be, String layer, long s, long drawn) {
        if (drawn < 0) throw new IllegalArgumentException(layer + ".maskStream: masks drawn must be >= 0, got " + drawn);
        this.seed = s;
        be.upload(new float[] {CounterRng.lo(drawn), CounterRng.hi(drawn)}, 0, counter(be), 0, 2);
    }

    /** Frees the counter (the next draw starts a new count from zero). */
    synchronized void release() {
        if (counter != null) counter.close();
        counter = null;
    }
}
