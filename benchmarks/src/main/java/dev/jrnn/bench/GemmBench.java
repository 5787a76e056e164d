package dev.jrnn.bench;

import dev.jrnn.backend.Backend;
import dev.jrnn.backend.Backends;
import dev.jrnn.backend.Buf;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

import java.util.concurrent.TimeUnit;

/**
 * The CPU backend's GEMM alone, {@code C[M, N] = A[M, K] B[K, N]}, at the shapes an LSTM step uses:
 * the hoisted input projection ({@code M = T*B, N = 4H, K = I}), the per-step recurrent product
 * ({@code M = B}), and a square 512 reference. FLOPs = 2 M N K; {@link CpuBench} turns the time into
 * GFLOP/s and a percentage of {@link CpuPeak}.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED"})
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
public class GemmBench {

    /** MxNxK. */
    @Param({"1600x512x128", "32x512x128", "800x1024x256", "8x1024x256", "512x512x512"})
    public String mnk;

    private Backend be;
    private Buf a, b, c;
    private int m, n, k;

    /** FLOPs of one product of shape "MxNxK". */
    public static double flops(String mnk) {
        String[] p = mnk.split("x");
        return 2.0 * Double.parseDouble(p[0]) * Double.parseDouble(p[1]) * Double.parseDouble(p[2]);
    }

    @Setup(Level.Trial)
    public void setup() {
        String[] p = mnk.split("x");
        m = Integer.parseInt(p[0]);
        n = Integer.parseInt(p[1]);
        k = Integer.parseInt(p[2]);
        be = Backends.cpu();
        a = BenchData.upload(be, (long) m * k, 1);
        b = BenchData.upload(be, (long) k * n, 2);
        c = be.alloc((long) m * n);
    }

    @Benchmark
    public Buf gemm() {
        be.gemm(false, false, m, n, k, 1f, a, 0, k, b, 0, n, 0f, c, 0, n);
        return c;
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        a.close();
        b.close();
        c.close();
        be.close();
    }
}
