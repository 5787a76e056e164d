package dev.jrnn.backend.cpu;

import dev.jrnn.backend.Buf;

/**
 * Quick GEMM throughput probe used while tuning (not a unit test; the JMH benchmarks give the
 * published numbers). Run: java --add-modules jdk.incubator.vector -cp target/classes:target/test-classes
 * dev.jrnn.backend.cpu.GemmSpeed [sizes...] [NN|NT|TN|TT]
 */
public final class GemmSpeed {
    private static float chains(long iters, float av, float bv) {
        var S = Gemm.S;
        var a = jdk.incubator.vector.FloatVector.broadcast(S, av);
        var b = jdk.incubator.vector.FloatVector.broadcast(S, bv);
        var c0 = a; var c1 = a; var c2 = a; var c3 = a; var c4 = a; var c5 = a;
        var c6 = a; var c7 = a; var c8 = a; var c9 = a; var c10 = a; var c11 = a;
        for (long i = 0; i < iters; i++) {
            c0 = c0.fma(a, b); c1 = c1.fma(a, b); c2 = c2.fma(a, b); c3 = c3.fma(a, b);
            c4 = c4.fma(a, b); c5 = c5.fma(a, b); c6 = c6.fma(a, b); c7 = c7.fma(a, b);
            c8 = c8.fma(a, b); c9 = c9.fma(a, b); c10 = c10.fma(a, b); c11 = c11.fma(a, b);
        }
        return c0.add(c1).add(c2).add(c3).add(c4).add(c5).add(c6).add(c7).add(c8).add(c9).add(c10).add(c11)
                .reduceLanes(jdk.incubator.vector.VectorOperators.ADD);
    }

    /** Empirical FMA peak of one core: 12 independent accumulator chains, no memory traffic. */
    static double fmaPeak() {
        java.lang.management.ThreadMXBean mx = java.lang.management.ManagementFactory.getThreadMXBean();
        double best = 0, sink = 0;
        for (int round = 0; round < 200; round++) {
            long iters = round < 100 ? 10_000 : 20_000_000;
            long u0 = mx.getCurrentThreadCpuTime();
            sink += chains(iters, 0.999f, 1e-4f);
            double u = (mx.getCurrentThreadCpuTime() - u0) / 1e9;
            if (round >= 100) best = Math.max(best, 12.0 * iters * Gemm.VL * 2 / u / 1e9);
            if (round >= 108) break;
        }
        if (sink == 42) System.out.print("");
        return best;
    }

    public static void main(String[] args) {
        if (args.length == 1 && args[0].equals("peak")) {
            System.out.printf("one-core FMA peak (measured): %.1f GFLOP/s, %d-float vectors%n", fmaPeak(), Gemm.VL);
            return;
        }
        CpuBackend be = CpuBackend.create();
        String tr = "NN";
        java.util.List<int[]> shapes = new java.util.ArrayList<>();
        for (String s : args) {
            if (s.matches("[NT][NT]")) tr = s;
            else if (s.contains("x")) {
                String[] p = s.split("x");
                shapes.add(new int[] {Integer.parseInt(p[0]), Integer.parseInt(p[1]), Integer.parseInt(p[2])});
            } else {
                int v = Integer.parseInt(s);
                shapes.add(new int[] {v, v, v});
            }
        }
        if (shapes.isEmpty()) { shapes.add(new int[] {512, 512, 512}); shapes.add(new int[] {1024, 1024, 1024}); }
        boolean ta = tr.charAt(0) == 'T', tb = tr.charAt(1) == 'T';
        for (int[] sh : shapes) {
            int m = sh[0], n = sh[1], k = sh[2];
            Buf a = be.alloc((long) m * k), b = be.alloc((long) k * n), c = be.alloc((long) m * n);
            float[] h = new float[Math.max(m * k, k * n)];
            java.util.SplittableRandom r = new java.util.SplittableRandom(1);
            for (int i = 0; i < h.length; i++) h[i] = (float) r.nextDouble(-1, 1);
            be.upload(h, 0, a, 0, m * k);
            be.upload(h, 0, b, 0, k * n);
            double flops = 2.0 * m * n * k;
            int reps = (int) Math.max(3, Math.min(2000, 3e10 / flops));
            double best = 0, bestCpu = 0;
            java.lang.management.ThreadMXBean mx = java.lang.management.ManagementFactory.getThreadMXBean();
            for (int round = 0; round < 5; round++) {
                long t0 = System.nanoTime(), u0 = mx.getCurrentThreadCpuTime();
                for (int i = 0; i < reps; i++) {
                    be.gemm(ta, tb, m, n, k, 1f, a, 0, ta ? m : k, b, 0, tb ? k : n, 0f, c, 0, n);
                }
                double s = (System.nanoTime() - t0) / 1e9;
                double u = (mx.getCurrentThreadCpuTime() - u0) / 1e9;
                best = Math.max(best, flops * reps / s / 1e9);
                bestCpu = Math.max(bestCpu, flops * reps / u / 1e9);
            }
            System.out.printf("%s %dx%dx%d: %.1f GFLOP/s wall, %.1f GFLOP/s per calling-thread CPU second%n", tr, m, n, k, best, bestCpu);
        }
    }
}
