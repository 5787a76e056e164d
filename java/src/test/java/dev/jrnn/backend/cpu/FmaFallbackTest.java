package dev.jrnn.backend.cpu;

import dev.jrnn.Jrnn;
import dev.jrnn.layers.Dense;
import dev.jrnn.layers.GRU;
import dev.jrnn.layers.LSTM;
import dev.jrnn.model.Sequential;
import dev.jrnn.optim.Adam;
import dev.jrnn.tensor.Tensor;
import dev.jrnn.ChildJvm;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The CPU kernels on a JVM without hardware FMA (-XX:-UseFMA, as on a CPU without FMA3 or a VM that hides it), where
 * the JDK's own fma goes through BigDecimal: {@link Fma} reads the flag and multiplies and adds instead. Not timed
 * (the machine is shared); what is checked is that the flag is read and that the multiply-add path gives the fused
 * path's results within float32 rounding.
 */
class FmaFallbackTest {
    /** The child: prints the flag as Fma read it, then an LSTM + GRU model's predictions, one Adam step's loss and weights. */
    public static final class Step {
        public static void main(String[] args) {
            System.out.println("fma=" + Fma.HARDWARE);
            for (var e : values().entrySet()) {
                StringBuilder sb = new StringBuilder(e.getKey());
                for (float v : e.getValue()) sb.append(' ').append(v);   // Float.toString reads back to the same float
                System.out.println(sb);
            }
        }

        static Map<String, float[]> values() {
            Jrnn.setSeed(7);
            Random r = new Random(3);
            float[][][] xs = new float[8][6][5];
            float[][] ys = new float[8][3];
            for (var b : xs) for (var t : b) for (int i = 0; i < 5; i++) t[i] = (float) r.nextGaussian();
            for (var y : ys) for (int i = 0; i < 3; i++) y[i] = (float) r.nextGaussian();
            Tensor x = Tensor.of(xs), y = Tensor.of(ys);
            // 16 and 12 units: whole vectors and scalar tails at every width; clipnorm: the sum of squares kernel
            Sequential m = new Sequential(new LSTM(16).returnSequences(true).inputShape(6, 5), new GRU(12), new Dense(3));
            m.compile(new Adam(0.01).clipnorm(1.0), "mse");
            Map<String, float[]> out = new LinkedHashMap<>();
            out.put("predict", m.predict(x).toArray());
            out.put("loss", new float[] {(float) m.trainOnBatch(x, y)});
            int k = 0;
            for (Tensor w : m.getWeights()) out.put("weight" + k++, w.toArray());
            out.put("predictAfter", m.predict(x).toArray());
            return out;
        }
    }

    private static Map<String, float[]> parse(String out) {
        Map<String, float[]> m = new LinkedHashMap<>();
        for (String line : out.lines().skip(1).toList()) {
            String[] p = line.split(" ");
            float[] v = new float[p.length - 1];
            for (int i = 1; i < p.length; i++) v[i - 1] = Float.parseFloat(p[i]);
            m.put(p[0], v);
        }
        return m;
    }

    @Test
    void theFlagIsReadAsHotSpotHasIt() {
        // independent of Fma: the option as the management bean gives it in this JVM
        String useFma = ManagementFactory.getPlatformMXBean(com.sun.management.HotSpotDiagnosticMXBean.class)
                .getVMOption("UseFMA").getValue();
        assertEquals(Boolean.parseBoolean(useFma), Fma.HARDWARE);
        assertEquals(true, JvmOptions.bool("NoSuchHotSpotOption", true), "an absent option takes the default given");
        assertEquals(5, JvmOptions.integer("NoSuchHotSpotOption", 5));
    }

    @Test
    void withoutHardwareFmaATrainStepGivesTheFusedResultsWithinFloat32Rounding(@TempDir Path dir) throws Exception {
        ChildJvm.Result fused = ChildJvm.run(dir, ChildJvm.jrnnFlags(), Step.class);
        ChildJvm.Result split = ChildJvm.run(dir, ChildJvm.jrnnFlags("-XX:-UseFMA"), Step.class);
        assertEquals(0, fused.rc(), fused.out() + fused.err());
        assertEquals(0, split.rc(), split.out() + split.err());
        // on a machine without FMA3 both runs split, and agree bitwise
        assertTrue(fused.out().startsWith("fma="), fused.out());
        assertEquals("fma=false", split.out().lines().findFirst().orElse(""), "the child read -XX:-UseFMA");
        Map<String, float[]> a = parse(fused.out()), b = parse(split.out());
        assertEquals(a.keySet(), b.keySet());
        assertEquals(List.of("predict", "loss", "weight0"), a.keySet().stream().limit(3).toList());
        int differing = 0;
        for (String k : a.keySet()) {
            float[] x = a.get(k), y = b.get(k);
            assertEquals(x.length, y.length, k);
            for (int i = 0; i < x.length; i++) {
                // two roundings where one was: a few float32 ulps, carried through one Adam step (lr 0.01)
                assertEquals(x[i], y[i], 2e-6 + 1e-5 * Math.abs(x[i]), k + "[" + i + "]");
                if (Float.floatToRawIntBits(x[i]) != Float.floatToRawIntBits(y[i])) differing++;
            }
        }
        // the split path really ran: two roundings where one was change some last bits (hundreds of the 2,576 values here)
        if (fused.out().startsWith("fma=true")) assertTrue(differing > 0, "no value differs: was the multiply-add split?");
    }
}
