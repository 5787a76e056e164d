package dev.jrnn.bench;

import jdk.incubator.vector.FloatVector;

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
 *   <li>clock: "cpu MHz" of /proc/cpuinfo (the nominal clock under a hypervisor; boost is not seen).</li>
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
            if (mhz > 0) {
                ghz = mhz / 1000.0;
                clockWhy = "/proc/cpuinfo cpu MHz";
            } else {
                ghz = 2.0;
                clockWhy = "unknown, assumed 2.0 GHz";
            }
        }
        return new CpuPeak(model, cores, lanes, fma, ghz, lanesWhy, clockWhy);
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
