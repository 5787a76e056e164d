import java.lang.invoke.*; import java.lang.reflect.*; import java.net.*; import java.nio.file.*;
/**
 * VMath's kernels and CpuTraining.sumSquares of two built trees in one JVM (a class loader each), timed by the thread's
 * CPU time in blocks that alternate between the trees, so both see the same machine load (a shared VM's load moves a
 * run's time by 2-10x; within one block it moves both alike). Args: BEFORE_CLASSES AFTER_CLASSES DEPS_CP_FILE ROUNDS.
 * Run: java --add-modules jdk.incubator.vector benchmarks/ab/KernelAB.java before/classes after/classes cp.txt 15
 */
public final class KernelAB {
    public static void main(String[] a) throws Throwable {
        String deps = Files.readString(Path.of(a[2])).trim();
        MethodHandle[][] mh = new MethodHandle[2][];
        String[] dirs = {a[0], a[1]};
        for (int s = 0; s < 2; s++) {
            java.util.List<URL> urls = new java.util.ArrayList<>(); urls.add(Path.of(dirs[s]).toUri().toURL());
            for (String d : deps.split(":")) urls.add(Path.of(d).toUri().toURL());
            ClassLoader cl = new URLClassLoader(urls.toArray(URL[]::new), ClassLoader.getPlatformClassLoader());
            Class<?> v = Class.forName("dev.jrnn.backend.cpu.VMath", true, cl), t = Class.forName("dev.jrnn.backend.cpu.CpuTraining", true, cl);
            Method sg = v.getDeclaredMethod("sigmoid", float[].class, int.class, float[].class, int.class, int.class); sg.setAccessible(true);
            Method ex = v.getDeclaredMethod("expShifted", float[].class, int.class, float[].class, int.class, int.class, float.class); ex.setAccessible(true);
            Method th = v.getDeclaredMethod("tanh", float[].class, int.class, float[].class, int.class, int.class); th.setAccessible(true);
            Method sq = t.getDeclaredMethod("sumSquares", float[].class, int.class, int.class); sq.setAccessible(true);
            var L = MethodHandles.lookup();
            mh[s] = new MethodHandle[] {L.unreflect(sg), L.unreflect(ex), L.unreflect(th), L.unreflect(sq)};
        }
        String[] names = {"sigmoid(512)", "expShifted(512)", "tanh(512)", "sumSquares(65536)"};
        float[] x = new float[65536], y = new float[65536]; java.util.Random r = new java.util.Random(1);
        for (int i = 0; i < x.length; i++) x[i] = (float) (r.nextGaussian() * 3) - 3;
        var tm = java.lang.management.ManagementFactory.getThreadMXBean();
        int rounds = Integer.parseInt(a[3]);
        double[][][] t = new double[4][2][rounds];
        double sink = 0;
        for (int round = -3; round < rounds; round++) for (int k = 0; k < 4; k++) for (int ss = 0; ss < 2; ss++) {
            int s = (round & 1) == 0 ? ss : 1 - ss;
            MethodHandle m = mh[s][k];
            int calls = k == 3 ? 200 : 20000;
            long c0 = tm.getCurrentThreadCpuTime();
            for (int c = 0; c < calls; c++) {
                int o = (c * 512) & 65535;
                switch (k) {
                    case 0 -> m.invokeExact(x, o, y, o, 512);
                    case 1 -> sink += (float) m.invokeExact(x, o, y, o, 512, 5f);
                    case 2 -> m.invokeExact(x, o, y, o, 512);
                    default -> sink += (double) m.invokeExact(x, 0, 65536);
                }
            }
            if (round >= 0) t[k][s][round] = (tm.getCurrentThreadCpuTime() - c0) / 1e3 / calls;
        }
        for (int k = 0; k < 4; k++) {
            java.util.Arrays.sort(t[k][0]); java.util.Arrays.sort(t[k][1]);
            System.out.printf("%s us/call: before min %.3f median %.3f | after min %.3f median %.3f%n", names[k], t[k][0][0], t[k][0][rounds / 2], t[k][1][0], t[k][1][rounds / 2]);
        }
        if (sink == 42) System.out.println();
    }
}
