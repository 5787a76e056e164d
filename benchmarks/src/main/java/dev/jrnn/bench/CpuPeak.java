package dev.jrnn.bench;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

/**
 * This CPU's single-precision FMA peak: cores x vector lanes x FMA units x 2 (an FMA is two FLOPs)
 * x clock, with every factor printed by {@link #explain()}.
 *
 * <ul>
 *   <li>cores: {@code Runtime.availableProcessors()} (what the benchmarks can use);</li>
 *   <li>lanes: floats per FMA the hardware retires, which is the Vector API's preferred width, except
 *       on AMD Zen 3/4 (family 25), whose FMA pipes are 256 bits wide (512-bit ops are split in two);</li>
 *   <li>FMA units per core: 2 (Intel since Haswell, AMD since Zen 1);</li>
 *   <li>clock: the higher of "cpu MHz" in /proc/cpuinfo (under a hypervisor the nominal clock, not the
 *       boost the cores really run at) and the clock an FMA-throughput loop implies: all cores run
 *       12 independent vector FMA chains and the GFLOP/s reached are divided by cores x lanes x FMA units x 2.</li>
 * </ul>
 * Each can be overridden: {@code -Djrnn.bench.cores, .lanes, .fmaUnits, .clockGHz}.
 *
 * <pre>{@code
 * CpuPeak p = CpuPeak.detect();
 * System.out.println(p.explain() + " -> " + p.gflops() + " GFLOP/s");
 * }</pre>
 */
public record CpuPeak(String model, int cores, int lanes, int fmaUnits, double clockGHz, String lanesWhy, String clockWhy) {

    /** Peak single-precision GFLOP/s. */
    public double gflops() {
        return cores * (double) lanes * fmaUnits * 2 * clockGHz;
    }

    /** Percentage of the peak that {@code gflops} reaches. */
    public double percent(double gflops) {
        return 100.0 * gflops / gflops();
    }

    /** "peak = 2 cores x 8 lanes x 2 FMA units x 2 FLOP/FMA x 2.596 GHz = 166.1 GFLOP/s (...)" */
    public String explain() {
        return String.format(Locale.ROOT,
                "FMA peak = %d cores x %d fp32 lanes x %d FMA units x 2 FLOP/FMA x %.3f GHz = %.1f GFLOP/s"
                        + " (%s; lanes: %s; clock: %s)",
                cores, lanes, fmaUnits, clockGHz, gflops(), model, lanesWhy, clockWhy);
    }

    /** Reads this machine's factors (and the overrides). */
    public static CpuPeak detect() {
        List<String> info;
        try {
            info = Files.readAllLines(Path.of("/proc/cpuinfo"));
        } catch (IOException | RuntimeException e) {
            info = List.of();
        }
        String model = field(info, "model name", System.getProperty("os.arch"));
        String vendor = field(info, "vendor_id", "");
        int family = parseInt(field(info, "cpu family", "-1"), -1);

        int cores = Integer.getInteger("jrnn.bench.cores", Runtime.getRuntime().availableProcessors());

        int javaLanes = FloatVector.SPECIES_PREFERRED.length();
        int lanes;
        String lanesWhy;
        if (Integer.getInteger("jrnn.bench.lanes") != null) {
            lanes = Integer.getInteger("jrnn.bench.lanes");
            lanesWhy = "set by -Djrnn.bench.lanes";
        } else if (vendor.equals("AuthenticAMD") && family == 25 && javaLanes > 8) {
            lanes = 8;
            lanesWhy = "Vector API width " + javaLanes + ", but AMD family 25 (Zen 3/4) FMA pipes are 256-bit";
        } else {
            lanes = javaLanes;
            lanesWhy = "Vector API preferred width " + (javaLanes * 32) + " bits";
        }
        int fma = Integer.getInteger("jrnn.bench.fmaUnits", 2);

        double ghz;
        String clockWhy;
        String prop = System.getProperty("jrnn.bench.clockGHz");
        if (prop != null) {
            ghz = Double.parseDouble(prop);
            clockWhy = "set by -Djrnn.bench.clockGHz";
        } else {
            double mhz = parseDouble(field(info, "cpu MHz", "0"), 0);
            double measured = measureFmaGflops(cores, lanes) / (cores * (double) lanes * fma * 2);
            if (mhz > 0 && mhz / 1000.0 >= measured) {
                ghz = mhz / 1000.0;
                clockWhy = String.format(Locale.ROOT, "/proc/cpuinfo cpu MHz (an FMA loop implies %.3f GHz)", measured);
            } else if (measured > 0) {
                ghz = measured;
                clockWhy = String.format(Locale.ROOT, "implied by an FMA-throughput loop on all cores; /proc/cpuinfo says %.3f GHz",
                        mhz / 1000.0);
            } else {
                ghz = 2.0;
                clockWhy = "unknown, assumed 2.0 GHz";
            }
        }
        return new CpuPeak(model, cores, lanes, fma, ghz, lanesWhy, clockWhy);
    }

    /**
     * GFLOP/s of {@code threads} threads each running 12 independent chains {@code acc = acc * a + b}
     * on vectors of {@code lanes} floats: the FMA throughput this JVM reaches (best of 5 runs of
     * about 0.2 s each, so thread start-up is negligible; about 1 s).
     */
    static double measureFmaGflops(int threads, int lanes) {
        // The Vector API compiles to vector instructions only with a constant species: one method per width.
        VectorSpecies<Float> sp = lanes >= 16 ? S512 : lanes >= 8 ? S256 : S128;
        java.util.function.LongConsumer kernel = sp == S512 ? CpuPeak::fma512 : sp == S256 ? CpuPeak::fma256 : CpuPeak::fma128;
        for (int i = 0; i < 50; i++) kernel.accept(20_000);   // JIT-compile the loop first
        long iters = 100_000_000L * 8 / sp.length();
        double[] best = {0};
        for (int rep = 0; rep < 5; rep++) {
            Thread[] ts = new Thread[threads];
            long t0 = System.nanoTime();
            for (int t = 0; t < threads; t++) {
                ts[t] = new Thread(() -> kernel.accept(iters));
                ts[t].start();
            }
            try {
                for (Thread t : ts) t.join();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return 0;
            }
            double sec = (System.nanoTime() - t0) / 1e9;
            best[0] = Math.max(best[0], threads * (double) iters * 12 * sp.length() * 2 / sec / 1e9);
        }
        return best[0];
    }

    private static final VectorSpecies<Float> S128 = FloatVector.SPECIES_128, S256 = FloatVector.SPECIES_256,
            S512 = FloatVector.SPECIES_512;
    private static volatile float sink;

    private static void fma128(long iters) { sink = chains128(iters); }
    private static void fma256(long iters) { sink = chains256(iters); }
    private static void fma512(long iters) { sink = chains512(iters); }

    // One copy per vector width on purpose: the Vector API compiles to SIMD only when the species is a
    // compile-time constant in the loop, and a species parameter would not reliably be one.
    private static float chains128(long iters) {
        FloatVector a = FloatVector.broadcast(S128, 0.999f), b = FloatVector.broadcast(S128, 0.001f);
        FloatVector c0 = FloatVector.broadcast(S128, 1f), c1 = c0, c2 = c0, c3 = c0, c4 = c0, c5 = c0,
                c6 = c0, c7 = c0, c8 = c0, c9 = c0, c10 = c0, c11 = c0;
        for (long i = 0; i < iters; i++) {
            c0 = c0.fma(a, b); c1 = c1.fma(a, b); c2 = c2.fma(a, b); c3 = c3.fma(a, b);
            c4 = c4.fma(a, b); c5 = c5.fma(a, b); c6 = c6.fma(a, b); c7 = c7.fma(a, b);
            c8 = c8.fma(a, b); c9 = c9.fma(a, b); c10 = c10.fma(a, b); c11 = c11.fma(a, b);
        }
        return c0.add(c1).add(c2).add(c3).add(c4).add(c5).add(c6).add(c7).add(c8).add(c9).add(c10).add(c11).lane(0);
    }

    private static float chains256(long iters) {
        FloatVector a = FloatVector.broadcast(S256, 0.999f), b = FloatVector.broadcast(S256, 0.001f);
        FloatVector c0 = FloatVector.broadcast(S256, 1f), c1 = c0, c2 = c0, c3 = c0, c4 = c0, c5 = c0,
                c6 = c0, c7 = c0, c8 = c0, c9 = c0, c10 = c0, c11 = c0;
        for (long i = 0; i < iters; i++) {
            c0 = c0.fma(a, b); c1 = c1.fma(a, b); c2 = c2.fma(a, b); c3 = c3.fma(a, b);
            c4 = c4.fma(a, b); c5 = c5.fma(a, b); c6 = c6.fma(a, b); c7 = c7.fma(a, b);
            c8 = c8.fma(a, b); c9 = c9.fma(a, b); c10 = c10.fma(a, b); c11 = c11.fma(a, b);
        }
        return c0.add(c1).add(c2).add(c3).add(c4).add(c5).add(c6).add(c7).add(c8).add(c9).add(c10).add(c11).lane(0);
    }

    private static float chains512(long iters) {
        FloatVector a = FloatVector.broadcast(S512, 0.999f), b = FloatVector.broadcast(S512, 0.001f);
        FloatVector c0 = FloatVector.broadcast(S512, 1f), c1 = c0, c2 = c0, c3 = c0, c4 = c0, c5 = c0,
                c6 = c0, c7 = c0, c8 = c0, c9 = c0, c10 = c0, c11 = c0;
        for (long i = 0; i < iters; i++) {
            c0 = c0.fma(a, b); c1 = c1.fma(a, b); c2 = c2.fma(a, b); c3 = c3.fma(a, b);
            c4 = c4.fma(a, b); c5 = c5.fma(a, b); c6 = c6.fma(a, b); c7 = c7.fma(a, b);
            c8 = c8.fma(a, b); c9 = c9.fma(a, b); c10 = c10.fma(a, b); c11 = c11.fma(a, b);
        }
        return c0.add(c1).add(c2).add(c3).add(c4).add(c5).add(c6).add(c7).add(c8).add(c9).add(c10).add(c11).lane(0);
    }

    private static String field(List<String> info, String key, String dflt) {
        for (String l : info) {
            int c = l.indexOf(':');
            if (c > 0 && l.substring(0, c).trim().equals(key)) return l.substring(c + 1).trim();
        }
        return dflt;
    }

    private static int parseInt(String s, int d) {
        try { return Integer.parseInt(s.trim()); } catch (NumberFormatException e) { return d; }
    }

    private static double parseDouble(String s, double d) {
        try { return Double.parseDouble(s.trim()); } catch (NumberFormatException e) { return d; }
    }
}
