package dev.jrnn.bench;

import dev.jrnn.backend.Buf;
import dev.jrnn.backend.cpu.CpuBackend;

/**
 * Quick GEMM throughput probe used while tuning (the JMH {@link GemmBench} gives the published numbers,
 * {@link CpuPeak} the FMA peak). Run from the benchmarks module's classpath:
 * {@code java --add-modules jdk.incubator.vector dev.jrnn.bench.GemmSpeed [sizes...] [NN|NT|TN|TT]}
 */
public final class GemmSpeed {
    public static void main(String[] args) {
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
