package dev.jrnn.backend.cuda;

import dev.jrnn.backend.Activation;
import dev.jrnn.backend.Precision;
import dev.jrnn.backend.RecurrentCell;
import dev.jrnn.backend.cuda.PersistentRnn.Device;
import dev.jrnn.backend.cuda.PersistentRnn.Plan;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Runs the persistent CUDA kernels without a GPU: g++ compiles kernels/persistent_rnn.cu against
 * src/test/sim/cuda_sim.h (every CUDA thread a host thread, __syncthreads and the grid barrier real
 * barriers, cp.async data undefined until its wait) and src/test/sim/persist_sim_main.cpp compares every
 * output with a float64 loop of the per-step path. Plans come from {@link PersistentRnn}, so this also
 * checks that the Java planner's shared-memory size equals the kernel's layout. One build uses
 * AddressSanitizer (indexing past a buffer or past the shared memory), one ThreadSanitizer (a missing
 * barrier shows up as a data race). Skipped where g++ is missing.
 */
class PersistentKernelSimTest {
    static Path root, KERNELS, SIM, OUT;
    static Path asan, tsan;

    /** The checkout root: the nearest directory at or above the working directory holding the kernels. */
    static Path findRoot() {
        for (Path d = Paths.get("").toAbsolutePath(); d != null; d = d.getParent()) {
            if (Files.exists(d.resolve("kernels/persistent_rnn.cu")) && Files.exists(d.resolve("java/src/test/sim"))) return d;
        }
        return null;
    }

    @BeforeAll
    static void build() throws Exception {
        root = findRoot();
        assumeTrue(root != null, "kernel sources not found above " + Paths.get("").toAbsolutePath());
        KERNELS = root.resolve("kernels");
        SIM = root.resolve("java/src/test/sim");
        OUT = root.resolve("java/target/persist-sim");
        assumeTrue(run(List.of("g++", "--version"), null, 60).exit == 0, "g++ not found");
        Files.createDirectories(OUT);
        asan = compile("sim_asan", "-fsanitize=address,undefined", "-fno-sanitize-recover=undefined");
        tsan = compile("sim_tsan", "-fsanitize=thread");
    }

    /** Builds the simulator (or reuses one newer than every source); null when this compiler lacks the sanitizer. */
    static Path compile(String name, String... flags) throws Exception {
        Path exe = OUT.resolve(name);
        long newest = 0;
        for (Path dir : List.of(KERNELS, SIM)) {
            try (var s = Files.list(dir)) {
                for (Path f : (Iterable<Path>) s::iterator) {
                    String n = f.getFileName().toString();
                    if (n.startsWith("persistent_") || dir.equals(SIM)) {
                        newest = Math.max(newest, Files.getLastModifiedTime(f).toMillis());
                    }
                }
            }
        }
        if (Files.exists(exe) && Files.getLastModifiedTime(exe).toMillis() > newest) return exe;
        List<String> cmd = new ArrayList<>(List.of("g++", "-std=c++20", "-O1", "-g", "-pthread", "-Wno-unknown-pragmas"));
        cmd.addAll(List.of(flags));
        cmd.addAll(List.of("-include", SIM.resolve("cuda_sim.h").toString(), "-I", KERNELS.toString(),
                SIM.resolve("persist_sim_main.cpp").toString(), "-o", exe.toString()));
        Result r = run(cmd, null, 600);
        if (r.exit != 0) {
            // A compiler without this sanitizer's runtime: that build is skipped, not failed.
            if (r.out.contains("libasan") || r.out.contains("libtsan") || r.out.contains("cannot find -l")) return null;
            fail("building the CUDA simulation failed:\n" + r.out);
        }
        return exe;
    }

    record Result(int exit, String out) {}

    static Result run(List<String> cmd, String stdin, int timeoutSec) throws IOException, InterruptedException {
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
        Map<String, String> env = pb.environment();
        env.put("TSAN_OPTIONS", "halt_on_error=1 exitcode=66");
        env.put("ASAN_OPTIONS", "detect_leaks=0");
        Process p;
        try {
            p = pb.start();
        } catch (IOException e) {
            return new Result(-1, e.toString());
        }
        if (stdin != null) p.getOutputStream().write(stdin.getBytes(StandardCharsets.UTF_8));
        p.getOutputStream().close();
        byte[] out = p.getInputStream().readAllBytes();
        if (!p.waitFor(timeoutSec, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            return new Result(-2, "timed out\n" + new String(out, StandardCharsets.UTF_8));
        }
        return new Result(p.exitValue(), new String(out, StandardCharsets.UTF_8));
    }

    /** One problem: shape, options, the two plans. */
    record Problem(RecurrentCell cell, Precision prec, int t, int b, int h, Activation act, Activation rec, boolean mask,
                   boolean init, boolean dy, boolean dhT, int tbptt, boolean alias, long seed, Plan fwd, Plan bwd) {
        String line() {
            return String.join(" ", cell.id(), prec.name().toLowerCase(Locale.ROOT), "" + t, "" + b, "" + h,
                    act.kerasName(), rec.kerasName(), bit(mask), bit(init), bit(dy), bit(dhT), "" + tbptt, bit(alias),
                    "" + seed, plan(fwd), plan(bwd));
        }

        static String bit(boolean v) { return v ? "1" : "0"; }

        static String plan(Plan p) {
            return p.slice() + " " + p.batchGroup() + " " + p.chunk() + " " + p.threads() + " " + bit(p.tensorCores())
                    + " " + p.sharedBytes();
        }
    }

    static Problem manual(RecurrentCell c, Precision p, int t, int b, int h, Activation act, Activation rec, boolean mask,
                          boolean init, boolean dy, boolean dhT, int tbptt, boolean alias, long seed, int[] f, int[] bw) {
        return manual(c, p, t, b, h, act, rec, mask, init, dy, dhT, tbptt, alias, seed, f, bw, false);
    }

    static Problem manual(RecurrentCell c, Precision p, int t, int b, int h, Activation act, Activation rec, boolean mask,
                          boolean init, boolean dy, boolean dhT, int tbptt, boolean alias, long seed, int[] f, int[] bw,
                          boolean tc) {
        return new Problem(c, p, t, b, h, act, rec, mask, init, dy, dhT, tbptt, alias, seed,
                PersistentRnn.manualPlan(c, false, p, b, h, f[0], f[1], f[2], f[3], tc),
                PersistentRnn.manualPlan(c, true, p, b, h, bw[0], bw[1], bw[2], bw[3], tc));
    }

    static Problem planned(RecurrentCell c, Precision p, int t, int b, int h, Activation act, Activation rec, boolean mask,
                           boolean init, boolean dy, boolean dhT, int tbptt, boolean alias, long seed, Device d,
                           int threads, PersistentRnn.Variant v) {
        Plan f = PersistentRnn.plan(c, false, b, h, p, act, rec, d, threads, v);
        Plan bw = PersistentRnn.plan(c, true, b, h, p, act, rec, d, threads, v);
        assertTrue(f != null && bw != null, "no plan for " + c + " B=" + b + " H=" + h + " on " + d);
        return new Problem(c, p, t, b, h, act, rec, mask, init, dy, dhT, tbptt, alias, seed, f, bw);
    }

    static final Activation TANH = Activation.TANH, SIG = Activation.SIGMOID, HSIG = Activation.HARD_SIGMOID,
            RELU = Activation.RELU, LIN = Activation.LINEAR;

    /** Hand-made splits that reach every corner of the kernels. */
    static List<Problem> cornerCases() {
        List<Problem> l = new ArrayList<>();
        // partial last unit slice (20 = 8+8+4), partial last batch group (5 = 2+2+1), K in 3 chunks with a
        // short last one, backward K = 80 in 4 chunks; a block size that is not a multiple of 32
        for (Precision p : Precision.values()) {
            l.add(manual(RecurrentCell.LSTM, p, 6, 5, 20, TANH, SIG, true, true, true, true, 0, false, 11,
                    new int[] {8, 2, 8, 48}, new int[] {8, 3, 24, 48}));
            l.add(manual(RecurrentCell.GRU, p, 6, 5, 20, TANH, HSIG, true, true, true, true, 2, true, 12,
                    new int[] {8, 2, 8, 48}, new int[] {8, 3, 24, 48}));
            l.add(manual(RecurrentCell.SIMPLE_RNN, p, 6, 5, 20, RELU, LIN, true, false, true, false, 0, false, 13,
                    new int[] {8, 2, 8, 48}, new int[] {8, 3, 24, 48}));
        }
        // one thread per tile (KS = 1), 8 rows per CTA (two row tiles), no mask, no initial state
        l.add(manual(RecurrentCell.LSTM, Precision.FP32, 5, 8, 16, TANH, SIG, false, false, true, true, 0, false, 14,
                new int[] {8, 8, 16, 16}, new int[] {16, 8, 32, 8}));
        // GRU without recurrent bias (odd seed), initial state, truncated BPTT, dh0 written over dhT
        l.add(manual(RecurrentCell.GRU, Precision.FP32, 7, 3, 12, TANH, SIG, true, true, true, true, 3, true, 15,
                new int[] {4, 3, 12, 32}, new int[] {4, 1, 12, 32}));
        // single step, single row, single unit slice of 4
        l.add(manual(RecurrentCell.LSTM, Precision.FP32, 1, 1, 4, TANH, HSIG, false, true, true, true, 0, false, 16,
                new int[] {4, 1, 4, 16}, new int[] {4, 1, 4, 16}));
        l.add(manual(RecurrentCell.SIMPLE_RNN, Precision.FP32, 4, 1, 4, TANH, LIN, false, true, false, true, 0, true, 17,
                new int[] {4, 1, 4, 16}, new int[] {4, 1, 4, 16}));
        return l;
    }

    /**
     * The tensor-core kernels: every precision (3xTF32, TF32, BF16 mma fragments), one m-tile of padded
     * rows and two m-tiles, several warp tiles per warp, K split over warps, chunked staging.
     */
    static List<Problem> tensorCoreCases() {
        List<Problem> l = new ArrayList<>();
        for (Precision p : Precision.values()) {
            // forward: 5 rows (one m-tile, 11 padding rows), 4 warp tiles on 2 warps, K = 32 in 2 chunks;
            // backward: K = 128 in chunks of 48 (last 32), 1 warp tile, K split over 2 warps
            l.add(manual(RecurrentCell.LSTM, p, 5, 5, 32, TANH, SIG, true, true, true, true, 0, false, 31,
                    new int[] {8, 5, 16, 64}, new int[] {8, 3, 48, 64}, true));
            // 20 rows = two m-tiles; GRU with bias, tbptt, dh0 over dhT
            l.add(manual(RecurrentCell.GRU, p, 6, 20, 32, TANH, SIG, true, true, true, true, 2, true, 32,
                    new int[] {16, 20, 32, 128}, new int[] {8, 20, 32, 96}, true));
        }
        l.add(manual(RecurrentCell.SIMPLE_RNN, Precision.FP32, 6, 7, 48, RELU, LIN, true, false, true, false, 0, false, 33,
                new int[] {8, 7, 16, 32}, new int[] {16, 7, 48, 32}, true));
        return l;
    }

    /** Splits chosen by the planner on small simulated devices (and one production-sized block). */
    static List<Problem> plannedCases() {
        List<Problem> l = new ArrayList<>();
        Device small = new Device(90, 6, 12000);
        PersistentRnn.Variant ffma = PersistentRnn.Variant.FFMA, tc = PersistentRnn.Variant.TENSOR_CORES;
        l.add(planned(RecurrentCell.LSTM, Precision.FP32, 5, 6, 24, TANH, SIG, true, true, true, true, 0, false, 21, small, 32, ffma));
        l.add(planned(RecurrentCell.GRU, Precision.BF16, 5, 6, 24, TANH, SIG, true, true, true, true, 0, false, 22, small, 32, ffma));
        l.add(planned(RecurrentCell.SIMPLE_RNN, Precision.TF32, 5, 6, 24, TANH, LIN, true, true, true, true, 0, false, 23, small, 32, ffma));
        Device tiny = new Device(80, 8, 13000);  // backward K = 128 staged in chunks of 36 (last 20)
        Problem chunked = planned(RecurrentCell.LSTM, Precision.TF32, 4, 16, 32, TANH, SIG, true, true, true, true, 0, false, 24,
                tiny, 32, ffma);
        assertTrue(chunked.bwd().chunk() < 128, chunked.bwd().toString());
        l.add(chunked);
        // the production block size (256 threads) on a 4-SM device, both variants
        Device four = new Device(90, 4, 232448);
        l.add(planned(RecurrentCell.LSTM, Precision.FP32, 3, 9, 32, TANH, SIG, true, true, true, true, 0, false, 25, four,
                PersistentRnn.THREADS, ffma));
        l.add(planned(RecurrentCell.LSTM, Precision.FP32, 3, 9, 32, TANH, SIG, true, true, true, true, 0, false, 26, four,
                PersistentRnn.THREADS, tc));
        l.add(planned(RecurrentCell.GRU, Precision.BF16, 3, 18, 64, TANH, SIG, true, true, true, true, 0, false, 27, four,
                PersistentRnn.THREADS, tc));
        return l;
    }

    static Map<String, Double> parse(String line) {
        Map<String, Double> m = new HashMap<>();
        for (String kv : line.trim().split("\\s+")) {
            int eq = kv.indexOf('=');
            if (eq < 0) fail("unexpected simulator output: " + line);
            String v = kv.substring(eq + 1);
            m.put(kv.substring(0, eq), v.contains("nan") ? Double.NaN : Double.parseDouble(v));
        }
        return m;
    }

    static double tolerance(Precision p) {
        return switch (p) {
            case FP32 -> 1e-5;
            case TF32 -> 5e-3;
            case BF16 -> 2e-2;
        };
    }

    static void runAll(Path exe, List<Problem> problems) throws Exception {
        StringBuilder in = new StringBuilder();
        for (Problem p : problems) in.append(p.line()).append('\n');
        Result r = run(List.of(exe.toString()), in.toString(), 900);
        assertEquals(0, r.exit, "simulator failed (exit " + r.exit + "):\n" + r.out);
        String[] lines = r.out.strip().split("\n");
        List<String> results = new ArrayList<>();
        for (String s : lines) if (s.startsWith("layoutF=")) results.add(s);
        assertEquals(problems.size(), results.size(), "simulator output:\n" + r.out);
        for (int i = 0; i < problems.size(); i++) {
            Problem p = problems.get(i);
            Map<String, Double> m = parse(results.get(i));
            String where = p.line() + "\n  -> " + results.get(i);
            assertEquals(p.fwd().sharedBytes(), m.get("layoutF").intValue(), "forward layout differs: " + where);
            assertEquals(p.bwd().sharedBytes(), m.get("layoutB").intValue(), "backward layout differs: " + where);
            assertEquals(0.0, m.get("nan"), "unwritten or NaN outputs: " + where);
            for (String k : List.of("h", "c", "P", "RP", "dP", "dRP", "dh0", "dc0")) {
                double e = m.get(k);
                assertTrue(e <= tolerance(p.prec()), k + " error " + e + " over " + tolerance(p.prec()) + ": " + where);
            }
        }
    }

    @Test
    void cornerCasesMatchTheStepPathUnderAddressSanitizer() throws Exception {
        assumeTrue(asan != null, "no AddressSanitizer runtime");
        runAll(asan, cornerCases());
    }

    @Test
    void plannedSplitsMatchTheStepPath() throws Exception {
        assumeTrue(asan != null, "no AddressSanitizer runtime");
        runAll(asan, plannedCases());
    }

    @Test
    void tensorCoreKernelsMatchTheStepPath() throws Exception {
        assumeTrue(asan != null, "no AddressSanitizer runtime");
        runAll(asan, tensorCoreCases());
    }

    @Test
    void noDataRacesUnderThreadSanitizer() throws Exception {
        assumeTrue(tsan != null, "no ThreadSanitizer runtime");
        List<Problem> c = cornerCases();
        List<Problem> t = tensorCoreCases();
        // FP32 LSTM, GRU (bias, tbptt, aliasing) and RNN corner cases, the KS = 1 split, and tensor cores
        runAll(tsan, List.of(c.get(0), c.get(1), c.get(2), c.get(9), t.get(0), t.get(1)));
    }
}
