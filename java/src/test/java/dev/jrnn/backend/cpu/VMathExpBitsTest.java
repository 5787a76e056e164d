package dev.jrnn.backend.cpu;

import dev.jrnn.ChildJvm;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * VMath's kernels built on the one e^u give the bits of the four copies they replace ({@link VMathBeforeSharedExp}),
 * with hardware FMA (this JVM) and without (a child under {@code -XX:-UseFMA}): every 257th float bit pattern of
 * either sign up to |x| = 200 (tanh, sigmoid and softmax are constant beyond), then the edge values, out of place at
 * odd offsets and in place, over spans with a scalar tail. Enough chunks run that C2 compiles both sides.
 */
class VMathExpBitsTest {
    static final int STEP = 257, CHUNK = 4096 + 5;

    /** The sweep's bit patterns: every {@link #STEP}th from +0 to 200f, each with both signs. */
    static int sweepLength() { return 2 * (Float.floatToRawIntBits(200f) / STEP + 1); }

    static float sweep(int i) { return Float.intBitsToFloat((i >> 1) * STEP | (i & 1) << 31); }

    /** ±0, denormals, the smallest normals, EXP_MIN and around it (and its half, tanh's), overflow, NaNs, ±Inf. */
    static float[] edges() {
        List<Float> v = new ArrayList<>();
        for (float c : new float[] {0f, Float.MIN_VALUE, 3e-39f, Float.MIN_NORMAL, VMath.EXP_MIN, VMath.EXP_MIN / 2,
                0.625f, 87.3365f, 88.72284f, 88.7229f, 89f, 104f, 1e10f, Float.MAX_VALUE}) {
            int b = Float.floatToRawIntBits(c);
            for (int d = -3; d <= 3; d++) {
                if (b + d < 0) continue;
                v.add(Float.intBitsToFloat(b + d));
                v.add(-Float.intBitsToFloat(b + d));
            }
        }
        for (float c : new float[] {Float.NaN, Float.intBitsToFloat(0x7fc12345), Float.intBitsToFloat(0xffa00001),
                Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY}) v.add(c);
        float[] out = new float[v.size()];
        for (int i = 0; i < out.length; i++) out[i] = v.get(i);
        return out;
    }

    /**
     * Compares the kernels over the sweep and the edges; returns the first differences found (empty when none) and
     * the count of floats compared per kernel.
     */
    static String differences(long[] compared) {
        StringBuilder diff = new StringBuilder();
        int total = sweepLength();
        float[] x = new float[CHUNK + 3], y = new float[CHUNK + 3], ref = new float[CHUNK + 3], in = new float[CHUNK + 3];
        float[] edges = edges();
        for (int start = 0; start < total + edges.length && diff.length() < 2000; start += CHUNK) {
            int n = Math.min(CHUNK, total + edges.length - start);
            for (int i = 0; i < n; i++) x[3 + i] = start + i < total ? sweep(start + i) : edges[start + i - total];
            for (String k : new String[] {"tanh", "sigmoid", "expShifted 0", "expShifted 5"}) {
                float shift = k.equals("expShifted 5") ? 5f : 0f;
                // out of place, x at offset 3, y at 1
                float sumNew = run(k, false, x, 3, y, 1, n, shift), sumOld = run(k, true, x, 3, ref, 1, n, shift);
                compare(diff, k, x, 3, y, 1, ref, 1, n);
                if (Float.floatToRawIntBits(sumNew) != Float.floatToRawIntBits(sumOld)) {
                    diff.append(k).append(" sum from ").append(x[3]).append(": ").append(sumNew).append(" != ")
                            .append(sumOld).append('\n');
                }
                // in place, as the cells call tanh and sigmoid
                System.arraycopy(x, 3, in, 2, n);
                run(k, false, in, 2, in, 2, n, shift);
                compare(diff, k + " in place", x, 3, in, 2, ref, 1, n);
            }
            compared[0] += n;
        }
        return diff.toString();
    }

    private static float run(String k, boolean old, float[] x, int xo, float[] y, int yo, int n, float shift) {
        switch (k) {
            case "tanh" -> { if (old) VMathBeforeSharedExp.tanh(x, xo, y, yo, n); else VMath.tanh(x, xo, y, yo, n); }
            case "sigmoid" -> { if (old) VMathBeforeSharedExp.sigmoid(x, xo, y, yo, n); else VMath.sigmoid(x, xo, y, yo, n); }
            default -> {
                return old ? VMathBeforeSharedExp.expShifted(x, xo, y, yo, n, shift) : VMath.expShifted(x, xo, y, yo, n, shift);
            }
        }
        return 0f;
    }

    private static void compare(StringBuilder diff, String k, float[] x, int xo, float[] y, int yo, float[] ref, int ro, int n) {
        for (int i = 0; i < n; i++) {
            if (Float.floatToRawIntBits(y[yo + i]) != Float.floatToRawIntBits(ref[ro + i]) && diff.length() < 2000) {
                diff.append(k).append('(').append(x[xo + i]).append(") = ").append(y[yo + i]).append(", before ")
                        .append(ref[ro + i]).append('\n');
            }
        }
    }

    /** The child: the FMA setting it runs under, the floats compared, the differences. */
    public static final class Child {
        public static void main(String[] args) {
            long[] compared = {0};
            String diff = differences(compared);
            System.out.println("fma=" + Fma.HARDWARE);
            System.out.println("compared " + compared[0]);
            System.out.print(diff);
        }
    }

    @Test
    void withTheDefaultFmaTheKernelsGiveTheBitsOfTheFourCopies() {
        long[] compared = {0};
        assertEquals("", differences(compared));
        assertEquals(sweepLength() + edges().length, compared[0]);
        assertTrue(compared[0] > 8_000_000, "the sweep covers " + compared[0] + " floats");
    }

    @Test
    void withoutHardwareFmaTheKernelsGiveTheBitsOfTheFourCopies(@TempDir Path dir) throws Exception {
        ChildJvm.Result c = ChildJvm.run(dir, ChildJvm.jrnnFlags("-XX:-UseFMA"), Child.class);
        assertEquals(0, c.rc(), c.out() + c.err());
        List<String> lines = c.out().lines().toList();
        assertEquals("fma=false", lines.get(0), "the child read -XX:-UseFMA");
        assertEquals("compared " + (sweepLength() + edges().length), lines.get(1));
        assertEquals(2, lines.size(), "differences without FMA:\n" + c.out());
    }
}
