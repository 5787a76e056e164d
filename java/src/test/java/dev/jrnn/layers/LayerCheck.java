package dev.jrnn.layers;

import dev.jrnn.backend.Activation;
import dev.jrnn.backend.Backend;
import dev.jrnn.backend.DTensor;
import dev.jrnn.tensor.Tensor;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Checks a layer against a double-precision reference: the forward outputs, and the backward
 * (parameter and input gradients) against central differences of the reference, for the loss
 * {@code L = sum_o <R_o, out_o>} with random R.
 */
final class LayerCheck {
    private LayerCheck() {}

    /** The reference: vars = [weights in Keras order..., differentiable inputs...] -> outputs, flattened. */
    interface RefFn {
        double[][] apply(double[][] vars);
    }

    static Tensor rand(SplittableRandom rng, double scale, int... shape) {
        float[] d = new float[(int) Tensor.size(shape)];
        for (int i = 0; i < d.length; i++) d[i] = (float) ((rng.nextDouble() * 2 - 1) * scale);
        return Tensor.wrap(d, shape);
    }

    /**
     * Runs the layer on {@code inputs} (built on first use) with {@code mask} (nullable, [B, T]),
     * compares outputs with {@code ref} and gradients with central differences of {@code ref}.
     * {@code diff[i]} says whether input i is differentiable (it is then a var after the weights).
     */
    static void check(Layer layer, List<Tensor> inputs, Tensor mask, boolean[] diff, RefFn ref, long seed) {
        List<Tensor> masks = new ArrayList<>();
        for (int i = 0; i < inputs.size(); i++) masks.add(i == 0 ? mask : null);
        checkMasks(layer, inputs, masks, diff, ref, seed);
    }

    /** As {@link #check(Layer, List, Tensor, boolean[], RefFn, long)} with one mask (or null) per input, as models pass them. */
    static void checkMasks(Layer layer, List<Tensor> inputs, List<Tensor> masks, boolean[] diff, RefFn ref, long seed) {
        SplittableRandom rng = new SplittableRandom(seed);
        List<int[]> shapes = new ArrayList<>();
        for (Tensor t : inputs) {
            int[] s = t.shape();
            shapes.add(java.util.Arrays.copyOfRange(s, 1, s.length));
        }
        layer.build(shapes);
        Backend be = layer.backend();
        List<Tensor> weights = layer.getWeights();
        List<double[]> vars = new ArrayList<>();
        for (Tensor w : weights) vars.add(Ref.d(w.data()));
        for (int i = 0; i < inputs.size(); i++) if (diff[i]) vars.add(Ref.d(inputs.get(i).data()));
        double[][] v0 = vars.toArray(new double[0][]);
        double[][] want = ref.apply(v0);

        List<DTensor> dins = new ArrayList<>();
        List<DTensor> dmasks = new ArrayList<>();
        for (Tensor m : masks) dmasks.add(m == null ? null : DTensor.from(be, m));
        List<DTensor> dOut = new ArrayList<>();
        try {
            for (Tensor t : inputs) dins.add(DTensor.from(be, t));
            try (Trace tr = layer.forwardMasked(dins, dmasks, true)) {
                List<DTensor> outs = tr.outputs();
                assertEquals(want.length, outs.size(), layer.name() + ": number of outputs");
                List<double[]> rs = new ArrayList<>();
                for (int o = 0; o < outs.size(); o++) {
                    float[] got = outs.get(o).toTensor().data();
                    assertEquals(want[o].length, got.length, layer.name() + ": size of output " + o);
                    for (int i = 0; i < got.length; i++) {
                        double tol = 2e-5 * Math.max(1, Math.abs(want[o][i]));
                        near(layer.name() + ": output " + o + "[" + i + "] = " + got[i] + ", reference " + want[o][i],
                                got[i], want[o][i], tol);
                    }
                    Tensor r = rand(rng, 1, outs.get(o).shape());
                    rs.add(Ref.d(r.data()));
                    dOut.add(DTensor.from(be, r));
                }
                layer.zeroGrads();
                List<DTensor> gIn = tr.backward(dOut);
                assertEquals(inputs.size(), gIn.size(), layer.name() + ": number of input gradients");
                List<float[]> analytic = new ArrayList<>();
                for (Param p : layer.params()) analytic.add(p.getGrad().data());
                for (int i = 0; i < inputs.size(); i++) {
                    if (diff[i]) {
                        assertNotNull(gIn.get(i), layer.name() + ": gradient of input " + i);
                        assertArrayEquals(inputs.get(i).shape(), gIn.get(i).shape(), layer.name() + ": gradient shape of input " + i);
                        analytic.add(gIn.get(i).toTensor().data());
                    }
                }
                double h = 1e-6;
                for (int vi = 0; vi < v0.length; vi++) {
                    String what = vi < weights.size() ? "param " + layer.params().get(vi).name() : "input " + (vi - weights.size());
                    for (int e = 0; e < v0[vi].length; e++) {
                        double keep = v0[vi][e];
                        v0[vi][e] = keep + h;
                        double lp = loss(ref.apply(v0), rs);
                        v0[vi][e] = keep - h;
                        double lm = loss(ref.apply(v0), rs);
                        v0[vi][e] = keep;
                        double num = (lp - lm) / (2 * h);
                        double got = analytic.get(vi)[e];
                        double tol = 1e-4 + 1e-3 * Math.abs(num);
                        near(layer.name() + ": d/d " + what + "[" + e + "] = " + got + ", numeric " + num, got, num, tol);
                    }
                }
            }
        } finally {
            for (DTensor d : dins) d.close();
            for (DTensor d : dOut) d.close();
            for (DTensor d : dmasks) if (d != null) d.close();
        }
    }

    /** Fails with {@code message} unless |got - want| <= tol; a NaN on either side fails too (it compares false). */
    static void near(String message, double got, double want, double tol) {
        if (!(Math.abs(got - want) <= tol)) fail(message);
    }

    private static double loss(double[][] outs, List<double[]> rs) {
        double s = 0;
        for (int o = 0; o < outs.length; o++) s += Ref.dot(outs[o], rs.get(o));
        return s;
    }

    static void assertClose(float[] want, float[] got, double tol, String what) {
        assertEquals(want.length, got.length, what + ": length");
        for (int i = 0; i < want.length; i++) {
            assertTrue(Math.abs(want[i] - got[i]) <= tol * Math.max(1, Math.abs(want[i])),
                    what + "[" + i + "]: expected " + want[i] + ", got " + got[i]);
        }
    }

    /**
     * One step of {@code layer}'s cell (T = 1, random initial states, rows masked by {@code mask} [B]) against
     * the float64 reference {@link Ref#recurrent}: the output and states forward, and the gradients of every
     * weight, x and the initial states against central differences. {@code cell}: "rnn", "lstm" or "gru".
     */
    static void oneStep(RecurrentLayer layer, String cell, Activation act, Activation rec, float[] mask, long seed) {
        int B = mask.length, I = 3, H = layer.units(), ns = layer.stateCount();
        SplittableRandom rng = new SplittableRandom(seed);
        List<Tensor> inputs = new ArrayList<>(List.of(rand(rng, 1, B, 1, I)));
        for (int i = 0; i < ns; i++) inputs.add(rand(rng, 0.8, B, H));
        layer.returnState(true).build(List.of(new int[] {1, I}, new int[] {H}, new int[] {H}).subList(0, 1 + ns));
        List<Tensor> w = new ArrayList<>();
        for (Param p : layer.params()) w.add(rand(rng, 0.6, p.shape()));
        layer.setWeights(w);
        int nw = w.size();
        boolean[] diff = new boolean[1 + ns];
        java.util.Arrays.fill(diff, true);
        RefFn ref = v -> {
            Ref.Out o = Ref.recurrent(cell, act, rec, B, 1, I, H, v[0], v[1], nw > 2 ? v[2] : null, v[nw],
                    Ref.d(mask), v[nw + 1], ns > 1 ? v[nw + 2] : null, false, 0, null);
            return ns > 1 ? new double[][] {o.y, o.h, o.c} : new double[][] {o.y, o.h};
        };
        check(layer, inputs, Tensor.wrap(mask.clone(), B, 1), diff, ref, seed + 1);
    }

    /** Random weights of scale 0.7 for every param of {@code l} (built). */
    static void randomWeights(Layer l, SplittableRandom rng) {
        List<Tensor> w = new ArrayList<>();
        for (Param p : l.params()) w.add(rand(rng, 0.7, p.shape()));
        l.setWeights(w);
    }

    /** One training forward and backward of {@code layer} on random [B, T, I] input and random output gradients. */
    static void runOnce(Layer layer, int B, int T, int I) {
        SplittableRandom rng = new SplittableRandom(1);
        layer.build(List.of(new int[] {T, I}));
        Backend be = layer.backend();
        try (DTensor x = DTensor.from(be, rand(rng, 1, B, T, I));
             Trace tr = layer.forward(List.of(x), null, true)) {
            List<DTensor> dOut = new ArrayList<>();
            for (DTensor o : tr.outputs()) dOut.add(DTensor.from(be, rand(rng, 1, o.shape())));
            tr.backward(dOut);
            for (DTensor d : dOut) d.close();
        }
    }
    /**
     * Keras 3 drops a mask at a layer that does not support masking (Conv1D, the poolings) even where its output keeps
     * the time axis: Masking, the layer and an LSTM predict as the layer and the LSTM alone (same weights) on input
     * with all-zero steps (at the end of sample 0, the start of sample 1).
     */
    static void assertMaskEndsAt(java.util.function.Supplier<Layer> layer, int t, int c) {
        dev.jrnn.model.Sequential masked = new dev.jrnn.model.Sequential(dev.jrnn.model.Input.shape(t, c), new Masking(0), layer.get(), new LSTM(3));
        dev.jrnn.model.Sequential plain = new dev.jrnn.model.Sequential(dev.jrnn.model.Input.shape(t, c), layer.get(), new LSTM(3));
        for (Layer l : masked.layers()) randomWeights(l, new SplittableRandom(2));   // a nonzero bias: a skipped step shows
        plain.setWeights(masked.getWeights());
        float[] x = rand(new SplittableRandom(3), 1, 2, t, c).data();
        java.util.Arrays.fill(x, (t - 1) * c, t * c, 0f);      // sample 0's last step
        java.util.Arrays.fill(x, t * c, (t + 1) * c, 0f);      // sample 1's first step
        Tensor in = Tensor.wrap(x, 2, t, c);
        assertArrayEquals(plain.predict(in).data(), masked.predict(in).data(), 0f, "the mask must not pass " + masked.getLayer(1).name());
    }
}
