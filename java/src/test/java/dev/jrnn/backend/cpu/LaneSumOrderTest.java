package dev.jrnn.backend.cpu;

import dev.jrnn.ChildJvm;
import dev.jrnn.Jrnn;
import dev.jrnn.layers.Activation;
import dev.jrnn.layers.Attention;
import dev.jrnn.layers.Dense;
import dev.jrnn.layers.GlobalAveragePooling1D;
import dev.jrnn.layers.Node;
import dev.jrnn.model.FitOptions;
import dev.jrnn.model.Input;
import dev.jrnn.model.Model;
import dev.jrnn.model.Sequential;
import dev.jrnn.optim.Adam;
import dev.jrnn.optim.SGD;
import dev.jrnn.tensor.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The sums across a vector's lanes (softmax's sum of exponentials, clipnorm's sum of squares) in one order whatever
 * the JIT tier. {@code FloatVector.reduceLanes(ADD)} leaves the order of a float sum open: interpreted and C1 code
 * added the lanes in index order, C2 halves the vector, so the same call gave other bits once C2 had compiled it, and
 * a seeded run's bits depended on when C2 got there (the auditcpu tester's report). Each child JVM prints what it
 * computed; the parent compares the bits.
 */
class LaneSumOrderTest {
    static final int[] WIDTHS = {5, 24, 67, 130};   // under one vector, a vector and a tail, several, many

    static long hash(long h, float[] d) {
        for (float f : d) h = h * 31 + Float.floatToRawIntBits(f);
        return h;
    }

    static float[] gauss(SplittableRandom r, int n, double sd) {
        float[] f = new float[n];
        for (int i = 0; i < n; i++) f[i] = (float) (r.nextGaussian() * sd);
        return f;
    }

    /** Dense + self-attention (softmax over 24 keys: whole vectors and a tail at 4, 8 and 16 lanes) + pooling + Dense, seeded. */
    static Model attentionModel(int seed) {
        Jrnn.setSeed(seed);
        Input in = Input.shape(24, 5);
        Node d = new Dense(8).apply(in);
        Node a = new Attention().apply(d, d);
        Node o = new Dense(3).apply(new GlobalAveragePooling1D().apply(a));
        return new Model(in, o);
    }

    /** Pooling + Dense(256) + Dense(3), seeded: no softmax, so only the clip's sum of squares sums across lanes. */
    static Model denseModel(int seed) {
        Jrnn.setSeed(seed);
        Input in = Input.shape(24, 5);
        return new Model(in, new Dense(3).apply(new Dense(256).apply(new GlobalAveragePooling1D().apply(in))));
    }

    /**
     * Args: "tiers" (warm: first compile the kernels with C2, -Xbatch) or "fit". tiers prints the softmax rows' bits and
     * their error against double, an Attention model's predictions, and the weights after a clipnorm and a
     * global_clipnorm SGD step of a model without softmax; fit prints the weights after a seeded 12-epoch fit of the Attention model, clipnorm.
     */
    public static final class Child {
        public static void main(String[] args) throws Exception {
            SplittableRandom r = new SplittableRandom(5);
            float[] ax = gauss(r, 64 * 24 * 5, 1.5), ay = gauss(r, 64 * 3, 1);
            Tensor x = Tensor.of(ax, 64, 24, 5), y = Tensor.of(ay, 64, 3);
            if (args[0].equals("fit")) {
                Model m = attentionModel(11);
                m.compile(new Adam(0.01).clipnorm(0.5), "mse");
                for (int rep = 0; rep < 12; rep++) m.fit(x, y, new FitOptions().epochs(1).batchSize(4).shuffle(false).verbose(0));
                long h = 0;
                for (Tensor w : m.getWeights()) h = hash(h, w.data());
                System.out.println("fit " + Long.toHexString(h));
                return;
            }
            if (args.length > 1 && args[1].equals("warm")) warmUp(new SplittableRandom(9));   // its own draws: r's stay the same
            long sh = 0;
            double worst = 0;
            for (int c : WIDTHS) {
                float[] rows = gauss(r, 40 * c, 4);
                float[] p = new Sequential(new Activation("softmax").inputShape(c)).predict(Tensor.of(rows, 40, c)).data();
                sh = hash(sh, p);
                for (int row = 0; row < 40; row++) {
                    double max = Double.NEGATIVE_INFINITY, sum = 0;
                    for (int j = 0; j < c; j++) max = Math.max(max, rows[row * c + j]);
                    for (int j = 0; j < c; j++) sum += Math.exp(rows[row * c + j] - max);
                    for (int j = 0; j < c; j++) {
                        double ref = Math.exp(rows[row * c + j] - max) / sum;
                        if (ref > 1e-30) worst = Math.max(worst, Math.abs(p[row * c + j] - ref) / ref);
                    }
                }
            }
            System.out.println("softmax " + Long.toHexString(sh));
            System.out.println("softmaxError " + worst);
            System.out.println("attention " + Long.toHexString(hash(0, attentionModel(3).predict(x).data())));
            for (String clip : new String[] {"clipnorm", "globalClipnorm"}) {
                // a 1-ulp change of a sum of squares moves the float scale of the step in about half the cases: 8 models
                long h = 0, before = 0;
                for (int seed = 1; seed <= 8; seed++) {
                    Model m = denseModel(seed);
                    // SGD: the step is the clipped gradient itself (Adam's first step divides most of the scale out)
                    SGD opt = clip.equals("clipnorm") ? new SGD(0.1).clipnorm(0.05) : new SGD(0.1).globalClipnorm(0.05);
                    m.compile(opt, "mse");
                    for (Tensor w : m.getWeights()) before = hash(before, w.data());
                    m.trainOnBatch(x, y);
                    for (Tensor w : m.getWeights()) h = hash(h, w.data());
                }
                System.out.println(clip + " " + Long.toHexString(h) + " moved=" + (h != before));
            }
        }

        /** Calls the two kernels until C2 has compiled them (-Xbatch: each compile done before the call returns). */
        static void warmUp(SplittableRandom r) {
            float[] a = gauss(r, 64 * 20 + 7, 1), y = new float[a.length];
            double s = 0;
            for (int i = 0; i < 30_000; i++) {
                s += VMath.expShifted(a, i % 20, y, 0, 64 + 7, 5f);
                s += CpuTraining.sumSquares(a, i % 20, 64 * 16 + 7);
            }
            if (Double.isNaN(s)) throw new AssertionError();
        }
    }

    @Test
    void softmaxAttentionAndClipnormStepsGiveTheSameBitsInterpretedUnderC1AndUnderC2(@TempDir Path dir) throws Exception {
        List<String> xint = out(ChildJvm.run(dir, ChildJvm.jrnnFlags("-Xint"), Child.class, "tiers"));
        List<String> c1 = out(ChildJvm.run(dir, ChildJvm.jrnnFlags("-XX:TieredStopAtLevel=1"), Child.class, "tiers"));
        List<String> c2 = out(ChildJvm.run(dir, ChildJvm.jrnnFlags("-Xbatch"), Child.class, "tiers", "warm"));
        assertEquals(5, c2.size(), String.join("\n", c2));
        assertEquals(xint, c1, "-Xint against C1 only");
        assertEquals(xint, c2, "-Xint against C2 after warm-up");
        double err = Double.parseDouble(c2.get(1).split(" ")[1]);
        assertTrue(err < 4e-6, "softmax against double: " + err);   // ~1.2e-6: float sums of up to 130 terms
        assertTrue(c2.get(3).endsWith("moved=true") && c2.get(4).endsWith("moved=true"), String.join("\n", c2));
    }

    @Test
    void aSeededFitWithAttentionAndClipnormRepeatsBitForBitAcrossJvms(@TempDir Path dir) throws Exception {
        // the default JVM twice (C2 compiles the kernels during the fit, at a time of its own) and C1 alone
        List<String> a = out(ChildJvm.run(dir, ChildJvm.jrnnFlags(), Child.class, "fit"));
        List<String> b = out(ChildJvm.run(dir, ChildJvm.jrnnFlags(), Child.class, "fit"));
        List<String> c1 = out(ChildJvm.run(dir, ChildJvm.jrnnFlags("-XX:TieredStopAtLevel=1"), Child.class, "fit"));
        assertEquals(1, a.size(), String.join("\n", a));
        assertEquals(a, b, "two fresh JVMs");
        assertEquals(a, c1, "a fresh JVM against C1 only");
        // the weights moved from the seeded initial ones (a fit that did nothing would repeat trivially)
        Model m = attentionModel(11);
        long h = 0;
        for (Tensor w : m.getWeights()) h = hash(h, w.data());
        assertNotEquals("fit " + Long.toHexString(h), a.get(0));
    }

    static List<String> out(ChildJvm.Result r) {
        assertEquals(0, r.rc(), r.out() + r.err());
        return r.out().lines().filter(l -> !l.startsWith("jrnn:")).toList();
    }
}
