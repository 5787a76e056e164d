package dev.jrnn.backend.cuda;

import dev.jrnn.backend.Backend;
import dev.jrnn.backend.Buf;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.function.BiConsumer;
import java.util.function.Function;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Runs the same operation on the CPU and the CUDA backend over identical inputs, then compares.
 * A {@link Twin} is one logical buffer held on both backends.
 */
final class Twins implements AutoCloseable {
    final Backend cpu;
    final Backend gpu;
    final SplittableRandom rnd;
    final long seed;
    private final List<Twin> all = new ArrayList<>();

    Twins(Backend cpu, Backend gpu, long seed) {
        this.cpu = cpu;
        this.gpu = gpu;
        this.seed = seed;
        this.rnd = new SplittableRandom(seed);
    }

    /** One logical buffer on both backends. */
    final class Twin {
        final Buf c, g;
        final int n;

        Twin(float[] data) {
            n = data.length;
            c = cpu.alloc(n);
            g = gpu.alloc(n);
            cpu.upload(data, 0, c, 0, n);
            gpu.upload(data, 0, g, 0, n);
            all.add(this);
        }

        float[] cpuValues() { return values(cpu, c); }
        float[] gpuValues() { return values(gpu, g); }

        private float[] values(Backend be, Buf b) {
            float[] d = new float[n];
            be.download(b, 0, d, 0, n);
            return d;
        }
    }

    Twin of(float[] data) { return new Twin(data); }

    Twin zeros(int n) { return new Twin(new float[n]); }

    /** Uniform in [lo, hi). */
    Twin uniform(int n, double lo, double hi) { return new Twin(uniformArray(n, lo, hi)); }

    float[] uniformArray(int n, double lo, double hi) {
        float[] d = new float[n];
        for (int i = 0; i < n; i++) d[i] = (float) (lo + (hi - lo) * rnd.nextDouble());
        return d;
    }

    /** A [T, B] or [B] mask of 1/0 with the given fraction of zeros. */
    Twin mask(int n, double zeros) {
        float[] d = new float[n];
        for (int i = 0; i < n; i++) d[i] = rnd.nextDouble() < zeros ? 0f : 1f;
        return new Twin(d);
    }

    /** Runs {@code op} on the CPU with the CPU halves of the twins, then on CUDA with the CUDA halves. */
    void both(BiConsumer<Backend, Function<Twin, Buf>> op) {
        op.accept(cpu, t -> t == null ? null : t.c);
        op.accept(gpu, t -> t == null ? null : t.g);
    }

    /** Same, for operations that return a value: {cpu result, gpu result}. */
    <R> List<R> bothValue(java.util.function.BiFunction<Backend, Function<Twin, Buf>, R> op) {
        R a = op.apply(cpu, t -> t == null ? null : t.c);
        R b = op.apply(gpu, t -> t == null ? null : t.g);
        return List.of(a, b);
    }

    /** Asserts the CUDA values of {@code t} match the CPU values within {@code tol}. */
    void assertClose(String what, Twin t, double tol) {
        assertClose(what, t.cpuValues(), t.gpuValues(), tol);
    }

    /**
     * Relative error max_i |gpu_i - cpu_i| / max_i |cpu_i| (the scale of the whole result, so tiny
     * elements near a cancellation do not dominate); NaN/infinity must sit at the same places.
     */
    void assertClose(String what, float[] ref, float[] got, double tol) {
        assertClose(what, ref, got, tol, seed);
    }

    /** As {@link #assertClose(String, float[], float[], double)}, naming {@code seed} on failure. */
    static void assertClose(String what, float[] ref, float[] got, double tol, long seed) {
        assertEquals(ref.length, got.length, what + ": length");
        double scale = 0, err = 0;
        int worst = -1;
        for (int i = 0; i < ref.length; i++) {
            boolean rf = Float.isFinite(ref[i]), gf = Float.isFinite(got[i]);
            if (rf != gf || (!rf && Float.compare(ref[i], got[i]) != 0 && !(Float.isNaN(ref[i]) && Float.isNaN(got[i])))) {
                fail(what + " (seed " + seed + "): element " + i + " cpu=" + ref[i] + " cuda=" + got[i]);
            }
            if (!rf) continue;
            scale = Math.max(scale, Math.abs(ref[i]));
        }
        for (int i = 0; i < ref.length; i++) {
            if (!Float.isFinite(ref[i])) continue;
            double e = Math.abs((double) got[i] - ref[i]);
            if (e > err) {
                err = e;
                worst = i;
            }
        }
        double rel = scale == 0 ? err : err / scale;
        if (!(rel <= tol)) {
            fail(String.format("%s (seed %d): relative error %.3g > %.1g at element %d: cpu=%s cuda=%s (scale %.4g)",
                    what, seed, rel, tol, worst, ref[worst], got[worst], scale));
        }
    }

    static void assertCloseScalar(String what, double ref, double got, double tol, long seed) {
        double rel = Math.abs(got - ref) / Math.max(Math.abs(ref), 1e-30);
        if (!(rel <= tol) && !(ref == got)) {
            fail(String.format("%s (seed %d): cpu=%s cuda=%s relative error %.3g > %.1g", what, seed, ref, got, rel, tol));
        }
    }

    @Override
    public void close() {
        for (Twin t : all) {
            t.c.close();
            t.g.close();
        }
        all.clear();
    }
}
