package dev.jrnn.backend.cpu;

import dev.jrnn.ChildJvm;
import dev.jrnn.backend.Activation;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The compiled activations and lane sums keep their vectors in registers, with hardware FMA and without. Without hardware FMA ({@code -XX:-UseFMA}) every {@link Fma} call splits into a multiply and an add, which grows C2's
 * graph: where a kernel grows past the inlining node-count limit the Vector API's calls stay calls and every vector is
 * boxed on the heap (tanh: ~200 KB of garbage and ~50x the time per 4,096 floats). Not timed (the machine is shared):
 * a compiled kernel that keeps its vectors in registers allocates nothing, so the child counts the bytes its thread
 * allocates over 1,000 calls after C2 has compiled them (-Xbatch: compiled before the call returns). With FMA the
 * same child checks that the fixed-order lane sum ({@link VMath#sumLanes}: shuffles and adds) compiles to vectors too.
 * Both check the kernels called through {@link VMath#apply}, as the cells call them: they must stay calls that C2
 * compiles on their own, since inlined into apply, tanh and sigmoid share one graph that passes the node-count cutoff
 * (a shared exp helper, which shrank them, did that: ~660 MB over 1,000 calls with FMA).
 */
class NoFmaKernelsAllocateNothingTest {
    static final int N = 4096 + 3;   // whole vectors at every width and a scalar tail
    static final int WARM = 20_000, CALLS = 1_000;

    /** The child: for each kernel, the bytes allocated over {@link #CALLS} warm calls, then tanh's in-place error. */
    public static final class Child {
        static double sink;

        public static void main(String[] args) {
            var bean = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
            System.out.println("fma=" + Fma.HARDWARE);
            float[] x = new float[N], y = new float[N];
            Random r = new Random(1);
            for (int i = 0; i < N; i++) x[i] = (float) (r.nextGaussian() * 2);   // both of tanh's branches
            Runnable[] kernels = {
                () -> VMath.tanh(x, 0, y, 0, N),
                () -> VMath.sigmoid(x, 0, y, 0, N),
                () -> VMath.expShifted(x, 0, y, 0, N, 10f),
                () -> sink += CpuTraining.sumSquares(x, 0, N),
                // through apply, as the cells call them: a kernel C2 inlined into apply would share one graph with the other
                () -> {
                    VMath.apply(Activation.TANH, x, 0, y, 0, N);
                    VMath.apply(Activation.SIGMOID, x, 0, y, 0, N);
                },
            };
            String[] names = {"tanh", "sigmoid", "expShifted", "sumSquares", "apply"};
            for (int k = 0; k < kernels.length; k++) {
                for (int c = 0; c < WARM; c++) kernels[k].run();
                long before = bean.getCurrentThreadAllocatedBytes();
                for (int c = 0; c < CALLS; c++) kernels[k].run();
                System.out.println(names[k] + " " + (bean.getCurrentThreadAllocatedBytes() - before));
            }
            // in place (x == y) as the cells call it: the same values as out of place, accurate
            VMath.tanh(x, 0, y, 0, N);
            float[] z = x.clone();
            VMath.tanh(z, 0, z, 0, N);
            double err = 0;
            for (int i = 0; i < N; i++) {
                if (Float.floatToRawIntBits(z[i]) != Float.floatToRawIntBits(y[i])) err = Double.POSITIVE_INFINITY;
                err = Math.max(err, Math.abs(y[i] - Math.tanh(x[i])) / Math.max(1e-30, Math.abs(Math.tanh(x[i]))));
            }
            System.out.println("inplace " + err);
            float[] zeros = new float[N];
            java.util.Arrays.fill(zeros, -0f);
            VMath.tanh(zeros, 0, zeros, 0, N);
            int plus = 0;
            for (float f : zeros) if (Float.floatToRawIntBits(f) != Float.floatToRawIntBits(-0f)) plus++;
            System.out.println("tanhNegZeroLost " + plus);   // Keras: tanh(-0.0) = -0.0
        }
    }

    @Test
    void withoutHardwareFmaTheCompiledActivationsAllocateNothing(@TempDir Path dir) throws Exception {
        ChildJvm.Result c = ChildJvm.run(dir, ChildJvm.jrnnFlags("-XX:-UseFMA", "-Xbatch"), Child.class);
        assertEquals(0, c.rc(), c.out() + c.err());
        assertEquals("fma=false", c.out().lines().findFirst().orElseThrow(), "the child read -XX:-UseFMA");
        assertNothingAllocated(c);
    }

    /** The JVM's default (FMA where the CPU has it, as on the machines the suite runs on). */
    @Test
    void withTheDefaultFmaTheCompiledKernelsAllocateNothing(@TempDir Path dir) throws Exception {
        ChildJvm.Result c = ChildJvm.run(dir, ChildJvm.jrnnFlags("-Xbatch"), Child.class);
        assertEquals(0, c.rc(), c.out() + c.err());
        assertNothingAllocated(c);
    }

    private static void assertNothingAllocated(ChildJvm.Result c) {
        var lines = c.out().lines().toList();
        for (String kernel : new String[] {"tanh", "sigmoid", "expShifted", "sumSquares", "apply"}) {
            String line = lines.stream().filter(l -> l.startsWith(kernel + " ")).findFirst().orElseThrow();
            long bytes = Long.parseLong(line.split(" ")[1]);
            // boxed vectors: ~200 MB over 1,000 calls; compiled: 0 (a little slack for the bean's own bookkeeping)
            assertTrue(bytes < 64 * 1024, kernel + " allocated " + bytes + " bytes over " + CALLS + " calls: " + c.out());
        }
        String inplace = lines.stream().filter(l -> l.startsWith("inplace ")).findFirst().orElseThrow();
        double err = Double.parseDouble(inplace.split(" ")[1]);
        assertTrue(err <= 1e-6, "tanh in place differs from out of place or from Math.tanh: " + err);
        assertTrue(lines.contains("tanhNegZeroLost 0"), "tanh(-0.0) must stay -0.0: " + c.out());
    }
}
