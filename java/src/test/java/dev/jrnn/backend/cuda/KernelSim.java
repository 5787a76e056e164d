package dev.jrnn.backend.cuda;

import dev.jrnn.backend.Backend;
import dev.jrnn.backend.Buf;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The plumbing of the kernel simulation tests ({@link CudaKernelsSimTest}, {@link CudaTrainKernelsSimTest}, {@link CudaRecurrentKernelsSimTest}):
 * builds a harness of src/test/sim with g++ against cuda_sim.h, feeds it problems through a file, reads one line of
 * numbers per output, and compares them with the CPU backend's.
 */
final class KernelSim {
    private KernelSim() {}

    /** Compiles src/test/sim/{@code main} into java/target/persist-sim/{@code name}; skips the test without g++. */
    static Path build(String name, String main) throws Exception {
        Path root = PersistentKernelSimTest.findRoot();
        assumeTrue(root != null, "kernel sources not found");
        assumeTrue(PersistentKernelSimTest.run(List.of("g++", "--version"), null, 60).exit() == 0, "g++ not found");
        Path out = root.resolve("java/target/persist-sim");
        Files.createDirectories(out);
        Path exe = out.resolve(name);
        PersistentKernelSimTest.Result r = PersistentKernelSimTest.run(List.of("g++", "-std=c++20", "-O1", "-pthread",
                "-Wno-unknown-pragmas", "-include", root.resolve("java/src/test/sim/cuda_sim.h").toString(), "-I",
                root.resolve("kernels").toString(), root.resolve("java/src/test/sim/" + main).toString(), "-o",
                exe.toString()), null, 300);
        assertEquals(0, r.exit(), () -> "building " + main + " failed:\n" + r.out());
        return exe;
    }

    /** Runs the problems in one process; one array per output line ("nan", "inf" as C prints them). */
    static List<float[]> simulate(Path exe, String problems) throws Exception {
        Path in = Files.createTempFile("kernel-sim", ".txt");
        String out;
        try {
            Files.writeString(in, problems);
            Process p = new ProcessBuilder(exe.toString()).redirectInput(in.toFile()).redirectErrorStream(true).start();
            out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertTrue(p.waitFor(300, TimeUnit.SECONDS), "the simulation ran past 300 s");
            assertEquals(0, p.exitValue(), out);
        } finally {
            Files.deleteIfExists(in);
        }
        List<float[]> lines = new ArrayList<>();
        for (String line : out.strip().split("\n")) {
            String s = line.strip();
            if (s.isEmpty()) {
                lines.add(new float[0]);
                continue;
            }
            String[] f = s.split(" +");
            float[] v = new float[f.length];
            for (int i = 0; i < v.length; i++) v[i] = parse(f[i]);
            lines.add(v);
        }
        return lines;
    }

    private static float parse(String s) {
        return switch (s) {
            case "nan", "-nan" -> Float.NaN;
            case "inf" -> Float.POSITIVE_INFINITY;
            case "-inf" -> Float.NEGATIVE_INFINITY;
            default -> Float.parseFloat(s);
        };
    }

    /** n floats drawn uniformly from [lo, hi) by {@code rnd}: a sim test's random inputs. */
    static float[] uniform(java.util.Random rnd, int n, double lo, double hi) {
        float[] r = new float[n];
        for (int i = 0; i < n; i++) r[i] = (float) (lo + (hi - lo) * rnd.nextDouble());
        return r;
    }

    static void append(StringBuilder b, float[] v) {
        for (float f : v) b.append(' ').append(f);
        b.append('\n');
    }

    static Buf up(Backend be, float[] v) {
        Buf b = be.alloc(Math.max(1, v.length));
        if (v.length > 0) be.upload(v, 0, b, 0, v.length);
        return b;
    }

    static float[] down(Backend be, Buf b, int n) {
        float[] r = new float[n];
        be.download(b, 0, r, 0, n);
        return r;
    }

    /** |want - got| <= tol (1 + |want|) element by element; NaN matches NaN, an infinity itself. */
    static void close(String what, float[] want, float[] got, double tol) {
        assertEquals(want.length, got.length, what + ": length");
        for (int i = 0; i < want.length; i++) {
            float w = want[i], g = got[i];
            boolean same = Float.isNaN(w) ? Float.isNaN(g) : Float.isInfinite(w) ? w == g : Math.abs(w - g) <= tol * (1 + Math.abs(w));
            if (!same) fail(what + ": element " + i + ": expected (CPU backend or reference) " + w + ", CUDA kernel on the simulator " + g);
        }
    }

    /** A case: its name, the outputs the CPU backend gave (the harness prints as many lines) and their tolerance. */
    record Case(String name, List<float[]> want, double tol) {}

    /** Runs every case's problem text in one process and compares each output line with the CPU's. */
    static void check(Path exe, StringBuilder problems, List<Case> cases) throws Exception {
        List<float[]> out = simulate(exe, problems.toString());
        int lines = cases.stream().mapToInt(c -> c.want().size()).sum();
        assertEquals(lines, out.size(), "output lines");
        int k = 0;
        for (Case c : cases) {
            for (int i = 0; i < c.want().size(); i++, k++) close(c.name() + " output " + i, c.want().get(i), out.get(k), c.tol());
        }
    }
}
