package dev.jrnn.layers.check;

import dev.jrnn.backend.Backend;
import dev.jrnn.backend.DTensor;
import dev.jrnn.layers.Layer;
import dev.jrnn.layers.Param;
import dev.jrnn.layers.Trace;
import dev.jrnn.tensor.Tensor;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Gradient-check harness. A {@link Problem} names its variables (weights and inputs, float64 values
 * that are exactly float32), a float64 reference forward ({@link Ref}), optionally the reference's
 * hand-derived float64 gradients, and how jrnn computes the same outputs and gradients.
 * {@link #check} then asserts, for the loss L = sum_k <R_k, out_k> with random R:
 * <ol>
 *   <li>jrnn forward equals the float64 reference within {@link #FWD_TOL} (relative norm);</li>
 *   <li>the reference's analytic float64 gradients equal its central differences within
 *       {@link #REF_TOL} (this verifies the float64 path itself);</li>
 *   <li>jrnn's gradients (float32) equal the float64 central differences within {@link #GRAD_TOL}
 *       (relative norm per variable) and per element within {@code GRAD_TOL*|n| + 1e-2*GRAD_TOL*scale}.</li>
 * </ol>
 * Truncated BPTT: the reference marks detached states with {@link Ref.Tape#cut}; central differences
 * replay the recorded values, so they differentiate exactly the truncated computation.
 */
final class GradCheck {
    static final double FWD_TOL = 1e-6;
    static final double GRAD_TOL = 1e-3;
    static final double REF_TOL = 1e-6;
    /** Central-difference step: balances truncation (eps^2) and rounding (1e-16/eps) in float64. */
    static final double EPS = 1e-5;

    private GradCheck() {}

    // ------------------------------------------------------------------ variables and problems

    /** One block of variables. {@code diff}: whether gradients are checked for it (ids are not). */
    static final class Var {
        final String name;
        final int[] shape;
        final double[] v;
        final boolean diff;

        Var(String name, double[] v, boolean diff, int... shape) {
            if (Tensor.size(shape) != v.length) {
                throw new IllegalArgumentException(name + ": shape " + Arrays.toString(shape) + " vs " + v.length + " values");
            }
            for (double d : v) {
                if ((double) (float) d != d) throw new IllegalArgumentException(name + ": value " + d + " is not a float32");
            }
            this.name = name;
            this.shape = shape.clone();
            this.v = v;
            this.diff = diff;
        }

        Tensor tensor() {
            float[] f = new float[v.length];
            for (int i = 0; i < f.length; i++) f[i] = (float) v[i];
            return Tensor.of(f, shape);
        }

        /** Per-sample shape (batch dimension dropped). */
        int[] sampleShape() { return Arrays.copyOfRange(shape, 1, shape.length); }

        @Override
        public String toString() { return name + Arrays.toString(shape); }
    }

    /** What jrnn computed: outputs and gradients per variable (absent for variables it gives none). */
    record JrnnOut(List<double[]> outputs, Map<Var, double[]> grads) {}

    abstract static class Problem {
        final String layer;      // statistics key, e.g. "LSTM"
        final String label;      // the case, for messages
        final List<Var> vars = new ArrayList<>();

        Problem(String layer, String label) {
            this.layer = layer;
            this.label = label;
        }

        Var add(String name, double[] v, boolean diff, int... shape) {
            Var x = new Var(name, v, diff, shape);
            vars.add(x);
            return x;
        }

        /** The float64 forward at the current variable values. */
        abstract List<double[]> reference(Ref.Tape tape);

        /** Hand-derived float64 gradients of sum_k <R_k, out_k>, or null when the problem has none. */
        Map<Var, double[]> referenceGrads(List<double[]> r) { return null; }

        /** jrnn's outputs and gradients; null for reference-only problems. */
        abstract JrnnOut jrnn(List<double[]> r);
    }

    // ------------------------------------------------------------------ the check

    /** Largest errors seen per layer: forward, gradient (jrnn vs central differences), reference (analytic vs central). */
    static final Map<String, double[]> STATS = new TreeMap<>();

    static synchronized void record(String layer, int kind, double err) {
        double[] s = STATS.computeIfAbsent(layer, k -> new double[] {-1, -1, -1, 0});
        s[kind] = Math.max(s[kind], err);
    }

    static synchronized void count(String layer) {
        STATS.computeIfAbsent(layer, k -> new double[] {-1, -1, -1, 0})[3]++;
    }

    static synchronized String statsTable() {
        StringBuilder b = new StringBuilder(String.format("%-28s %6s %12s %12s %12s%n", "layer", "cases",
                "fwd relerr", "grad relerr", "ref relerr"));
        for (Map.Entry<String, double[]> e : STATS.entrySet()) {
            double[] s = e.getValue();
            b.append(String.format("%-28s %6d %12s %12s %12s%n", e.getKey(), (long) s[3], cell(s[0]), cell(s[1]), cell(s[2])));
        }
        return b.toString();
    }

    /**
     * Writes the error table gathered so far to target/grad-check-stats.txt (not to the test output: every grad
     * test class adds its rows, and the file after the last one holds them all).
     */
    static synchronized void writeStats(String title) {
        try {
            Path f = Path.of("target", "grad-check-stats.txt");
            Files.createDirectories(f.getParent());
            Files.writeString(f, title + ":\n" + statsTable());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String cell(double v) { return v < 0 ? "-" : String.format("%.3e", v); }

    /** Runs all three checks for {@code p}; R is drawn from {@code seed}. */
    static void check(Problem p, long seed) {
        count(p.layer);
        SplittableRandom rnd = new SplittableRandom(seed);
        Ref.Tape tape = Ref.Tape.recording();
        List<double[]> ref = p.reference(tape);
        List<double[]> r = new ArrayList<>();
        for (double[] o : ref) r.add(uniform(rnd, o.length, 1.0));

        Map<Var, double[]> num = new IdentityHashMap<>();
        for (Var v : p.vars) if (v.diff) num.put(v, numerical(p, v, r, tape));

        Map<Var, double[]> analytic = p.referenceGrads(r);
        double refErr = 0;
        if (analytic != null) {
            for (Var v : p.vars) {
                if (!v.diff) continue;
                double[] a = analytic.get(v);
                assertNotNull(a, () -> p.label + ": the reference gives no analytic gradient for " + v);
                refErr = Math.max(refErr, compare(p.label + " [float64 analytic vs central differences] d/d" + v,
                        a, num.get(v), REF_TOL));
            }
            record(p.layer, 2, refErr);
        }

        JrnnOut out = p.jrnn(r);
        if (out == null) return;
        assertEquals(ref.size(), out.outputs().size(), () -> p.label + ": number of outputs");
        double fwd = 0;
        for (int k = 0; k < ref.size(); k++) {
            int kk = k;
            assertEquals(ref.get(k).length, out.outputs().get(k).length, () -> p.label + ": size of output " + kk);
            double e = relErr(out.outputs().get(k), ref.get(k));
            if (!(e <= FWD_TOL)) {
                fail(p.label + ": forward output " + k + " differs from the float64 reference: relative error " + e
                        + "\n jrnn " + Arrays.toString(out.outputs().get(k)) + "\n ref  " + Arrays.toString(ref.get(k)));
            }
            fwd = Math.max(fwd, e);
        }
        record(p.layer, 0, fwd);
        double grad = 0;
        for (Var v : p.vars) {
            if (!v.diff) continue;
            double[] a = out.grads().get(v);
            assertNotNull(a, () -> p.label + ": jrnn returned no gradient for " + v);
            grad = Math.max(grad, compare(p.label + " [jrnn float32 vs float64 central differences] d/d" + v,
                    a, num.get(v), GRAD_TOL));
        }
        record(p.layer, 1, grad);
    }

    /** Central differences of L = sum <R, ref(vars)> with respect to every element of {@code v}. */
    static double[] numerical(Problem p, Var v, List<double[]> r, Ref.Tape recorded) {
        double[] g = new double[v.v.length];
        for (int i = 0; i < g.length; i++) {
            double keep = v.v[i];
            v.v[i] = keep + EPS;
            double lp = loss(p.reference(recorded.replay()), r);
            v.v[i] = keep - EPS;
            double lm = loss(p.reference(recorded.replay()), r);
            v.v[i] = keep;
            g[i] = (lp - lm) / (2 * EPS);
        }
        return g;
    }

    static double loss(List<double[]> outs, List<double[]> r) {
        double s = 0;
        for (int k = 0; k < outs.size(); k++) s += Ref.dot(outs.get(k), r.get(k));
        return s;
    }

    /**
     * Asserts {@code a} matches {@code n}: relative norm error under tol, and per element
     * |a - n| <= tol*|n| + 0.01*tol*scale (scale = max|n|, at least 1e-3). Returns the relative error.
     */
    static double compare(String what, double[] a, double[] n, double tol) {
        assertEquals(n.length, a.length, () -> what + ": length");
        double e = relErr(a, n);
        double scale = 1e-3;
        for (double x : n) scale = Math.max(scale, Math.abs(x));
        int worst = -1;
        double worstExcess = 0;
        for (int i = 0; i < n.length; i++) {
            double excess = Math.abs(a[i] - n[i]) - (tol * Math.abs(n[i]) + 0.01 * tol * scale);
            if (!(excess <= worstExcess) || Double.isNaN(a[i])) {
                worst = i;
                worstExcess = Double.isNaN(a[i]) ? Double.POSITIVE_INFINITY : excess;
            }
        }
        if (!(e <= tol) || worst >= 0) {
            fail(what + ": relative error " + e + " (tolerance " + tol + ")"
                    + (worst >= 0 ? ", worst element " + worst + ": got " + a[worst] + ", expected " + n[worst] : "")
                    + "\n got      " + Arrays.toString(a) + "\n expected " + Arrays.toString(n));
        }
        return e;
    }

    /** ||a - b|| / ||b|| (plain ||a - b|| when b is zero). */
    static double relErr(double[] a, double[] b) {
        double d = 0, nb = 0;
        for (int i = 0; i < a.length; i++) {
            d += (a[i] - b[i]) * (a[i] - b[i]);
            nb += b[i] * b[i];
        }
        d = Math.sqrt(d);
        nb = Math.sqrt(nb);
        return nb < 1e-12 ? d : d / nb;
    }

    // ------------------------------------------------------------------ random data

    /** Uniform in [-a, a], rounded to float32 so jrnn and the reference see identical values. */
    static double[] uniform(SplittableRandom rnd, int n, double a) {
        double[] v = new double[n];
        for (int i = 0; i < n; i++) v[i] = (float) (a * (2 * rnd.nextDouble() - 1));
        return v;
    }

    /**
     * A [B, T] mask with the usual padding shapes: row 0 post-padded (last step masked), row 1 with its
     * first and a middle step masked, further rows random; every row keeps at least one real step.
     */
    static double[] mask(SplittableRandom rnd, int B, int T) {
        double[] m = new double[B * T];
        Arrays.fill(m, 1);
        for (int b = 0; b < B; b++) {
            if (b == 0) m[T - 1] = 0;
            else if (b == 1) {
                m[T] = 0;
                if (T > 3) m[T + T / 2] = 0;
            } else {
                for (int t = 0; t < T; t++) m[b * T + t] = rnd.nextInt(3) == 0 ? 0 : 1;
                m[b * T + rnd.nextInt(T)] = 1;
            }
        }
        return m;
    }

    /** Random weights for the layer's parameters, scaled so activations stay away from saturation. */
    static List<double[]> weightsFor(Layer layer, SplittableRandom rnd) {
        List<double[]> w = new ArrayList<>();
        for (Param p : layer.params()) {
            int[] s = p.shape();
            double a = switch (p.name()) {
                case "bias" -> 0.3;
                case "embeddings" -> 1.0;
                default -> 1.5 / Math.sqrt(s[0]);   // kernel [fan_in, G], recurrent_kernel [H, G]
            };
            w.add(uniform(rnd, (int) p.size(), a));
        }
        return w;
    }

    // ------------------------------------------------------------------ running jrnn

    static double[] toDouble(Tensor t) {
        float[] f = t.data();
        double[] d = new double[f.length];
        for (int i = 0; i < f.length; i++) d[i] = f[i];
        return d;
    }

    static DTensor upload(Backend be, double[] v, int... shape) {
        float[] f = new float[v.length];
        for (int i = 0; i < f.length; i++) f[i] = (float) v[i];
        return DTensor.from(be, Tensor.of(f, shape));
    }

    /** Adds Vars for the layer's parameters (named layer/param) with the given values. */
    static List<Var> addWeights(Problem p, Layer layer, String prefix, List<double[]> values) {
        List<Param> ps = layer.params();
        assertEquals(values.size(), ps.size(), () -> layer + ": number of weights");
        List<Var> vs = new ArrayList<>();
        for (int i = 0; i < ps.size(); i++) vs.add(p.add(prefix + ps.get(i).name(), values.get(i), true, ps.get(i).shape()));
        return vs;
    }

    /** Copies the Vars' current values into the layer (setWeights). */
    static void setWeights(Layer layer, List<Var> weights) {
        List<Tensor> t = new ArrayList<>();
        for (Var v : weights) t.add(v.tensor());
        layer.setWeights(t);
    }

    /**
     * One layer forward (training) and backward in jrnn: sets the weights, uploads the inputs and the
     * mask ([B, T], nullable), checks the output shapes, back-propagates R and reads the parameter
     * and input gradients.
     */
    static JrnnOut runLayer(Layer layer, List<Var> weights, List<Var> inputs, double[] mask, int[] maskShape,
                            List<int[]> outShapes, List<double[]> r) {
        Backend be = layer.backend();
        setWeights(layer, weights);
        List<DTensor> ins = new ArrayList<>();
        List<DTensor> douts = new ArrayList<>();
        List<DTensor> dins = null;
        DTensor m = mask == null ? null : upload(be, mask, maskShape);
        try {
            for (Var v : inputs) ins.add(upload(be, v.v, v.shape));
            try (Trace tr = layer.forward(ins, m, true)) {
                List<double[]> outs = new ArrayList<>();
                assertEquals(outShapes.size(), tr.outputs().size(), () -> layer + ": number of outputs");
                for (int k = 0; k < outShapes.size(); k++) {
                    DTensor o = tr.outputs().get(k);
                    int kk = k;
                    assertArrayEquals(outShapes.get(k), o.shape(), () -> layer + ": shape of output " + kk);
                    outs.add(toDouble(o.toTensor()));
                    douts.add(upload(be, r.get(k), o.shape()));
                }
                layer.zeroGrads();
                dins = tr.backward(douts);
                Map<Var, double[]> grads = new IdentityHashMap<>();
                List<Param> ps = layer.params();
                for (int i = 0; i < ps.size(); i++) grads.put(weights.get(i), toDouble(ps.get(i).getGrad()));
                assertEquals(inputs.size(), dins.size(), () -> layer + ": number of input gradients");
                for (int i = 0; i < inputs.size(); i++) {
                    DTensor d = dins.get(i);
                    if (d == null) continue;
                    int ii = i;
                    assertArrayEquals(inputs.get(i).shape, d.shape(), () -> layer + ": shape of input gradient " + ii);
                    grads.put(inputs.get(i), toDouble(d.toTensor()));
                }
                return new JrnnOut(outs, grads);
            }
        } finally {
            for (DTensor d : ins) d.close();
            for (DTensor d : douts) d.close();
            if (dins != null) for (DTensor d : dins) if (d != null) d.close();
            if (m != null) m.close();
        }
    }

    /**
     * Layers one after the other in jrnn (training forward, each given the previous one's output mask; {@code mask}
     * [B, T] nullable goes to the first): sets their weights, checks the last output's shape, back-propagates R from
     * it and reads every layer's weight gradients and x's (ids get none).
     */
    static JrnnOut runChain(List<? extends Layer> layers, List<List<Var>> weights, Var x, double[] mask, int[] outShape,
                            double[] r) {
        for (int k = 0; k < layers.size(); k++) setWeights(layers.get(k), weights.get(k));
        Backend be = layers.get(0).backend();
        List<Trace> traces = new ArrayList<>();
        List<DTensor> owned = new ArrayList<>();
        try {
            DTensor cur = upload(be, x.v, x.shape);
            owned.add(cur);
            DTensor m = mask == null ? null : upload(be, mask, x.shape[0], x.shape[1]);
            if (m != null) owned.add(m);
            for (Layer l : layers) {
                Trace tr = l.forward(List.of(cur), m, true);
                traces.add(tr);
                cur = tr.outputs().get(0);
                m = tr.outputMask();
            }
            assertArrayEquals(outShape, cur.shape(), "shape of the chain's output");
            double[] out = toDouble(cur.toTensor());
            for (Layer l : layers) l.zeroGrads();
            DTensor d = upload(be, r, outShape);
            owned.add(d);
            for (int k = layers.size() - 1; k >= 0; k--) {
                List<DTensor> dIn = traces.get(k).backward(List.of(d));
                assertEquals(1, dIn.size(), layers.get(k) + ": number of input gradients");
                d = dIn.get(0);
                if (d != null) owned.add(d);
                if (k > 0) assertArrayEquals(traces.get(k - 1).outputs().get(0).shape(), d.shape(),
                        layers.get(k) + ": shape of the input gradient");
            }
            Map<Var, double[]> g = new IdentityHashMap<>();
            for (int k = 0; k < layers.size(); k++) {
                List<Param> ps = layers.get(k).params();
                for (int i = 0; i < ps.size(); i++) g.put(weights.get(k).get(i), toDouble(ps.get(i).getGrad()));
            }
            if (x.diff) g.put(x, toDouble(d.toTensor()));
            else assertNull(d, "ids get no gradient");
            return new JrnnOut(List.of(out), g);
        } finally {
            for (int k = traces.size() - 1; k >= 0; k--) traces.get(k).close();
            for (DTensor o : owned) o.close();
        }
    }

    static void assertFinite(double[] a, String what) {
        for (double x : a) assertTrue(Double.isFinite(x), what + " is not finite");
    }
}
