package dev.jrnn.bench;

import dev.jrnn.backend.Backend;
import dev.jrnn.backend.Buf;

import java.util.SplittableRandom;

/**
 * Input batches and targets shared by jrnn and its peers: {@code count} distinct batches, each
 * {@code x[B, T, I]} (batch first, as Keras) and {@code y[B, H]}, uniform in [-1, 1), never all zeros.
 * Benchmarks cycle through them so no run reuses one input forever.
 *
 * <pre>{@code
 * BenchData d = BenchData.random(new Shapes(32, 50, 128, 128), 4, 42);
 * float[] x0 = d.x(0);
 * }</pre>
 */
public final class BenchData {
    private final Shapes shapes;
    private final float[][] xs;
    private final float[][] ys;

    private BenchData(Shapes shapes, float[][] xs, float[][] ys) {
        this.shapes = shapes;
        this.xs = xs;
        this.ys = ys;
    }

    /** {@code count} random batches drawn from {@code seed}. */
    public static BenchData random(Shapes s, int count, long seed) {
        if (count <= 0) throw new IllegalArgumentException("BenchData: count must be positive, got " + count);
        SplittableRandom r = new SplittableRandom(seed);
        float[][] xs = new float[count][];
        float[][] ys = new float[count][];
        for (int i = 0; i < count; i++) {
            xs[i] = uniform(r, (long) s.batch() * s.steps() * s.in());
            ys[i] = uniform(r, (long) s.batch() * s.units());
        }
        return new BenchData(s, xs, ys);
    }

    private static float[] uniform(SplittableRandom r, long n) {
        if (n > Integer.MAX_VALUE) throw new IllegalArgumentException("BenchData: " + n + " floats do not fit an array");
        float[] a = new float[(int) n];
        for (int i = 0; i < a.length; i++) a[i] = (float) (r.nextDouble() * 2 - 1);
        return a;
    }

    /** A buffer of {@code n} floats uniform in [-1, 1) drawn from {@code seed}, on {@code be}. */
    public static Buf upload(Backend be, long n, long seed) {
        float[] h = uniform(new SplittableRandom(seed), n);
        Buf buf = be.alloc(n);
        be.upload(h, 0, buf, 0, h.length);
        return buf;
    }

    public Shapes shapes() { return shapes; }
    public int count() { return xs.length; }
    /** Batch {@code i mod count} of inputs, [B, T, I] row-major. */
    public float[] x(int i) { return xs[Math.floorMod(i, xs.length)]; }
    /** Targets of batch {@code i mod count}, [B, H] row-major. */
    public float[] y(int i) { return ys[Math.floorMod(i, ys.length)]; }
}
