package dev.jrnn.layers.check;

import dev.jrnn.layers.Layer;
import dev.jrnn.layers.Param;

import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Gradient-check problem for Dense on x [B, I] or [B, T, I] (also TimeDistributed(Dense), whose
 * weights are the inner Dense's): variables x, kernel [I, O] and bias [O] when used.
 */
final class DenseProblem extends GradCheck.Problem {
    final String act;
    final boolean bias, seq;
    final int b, t, in, out;
    final Layer layer;
    final GradCheck.Var x, w, bvar;

    DenseProblem(String layerName, String act, boolean bias, boolean seq, int B, int T, int I, int O, long seed,
                 Layer layer) {
        super(layerName, layerName + "(" + O + ", " + act + (bias ? "" : ", noBias") + ") x"
                + (seq ? "[" + B + "," + T + "," + I + "]" : "[" + B + "," + I + "]") + " seed=" + seed);
        this.act = act;
        this.bias = bias;
        this.seq = seq;
        this.b = B;
        this.t = seq ? T : 1;
        this.in = I;
        this.out = O;
        this.layer = layer;
        SplittableRandom rnd = new SplittableRandom(seed);
        x = seq ? add("x", GradCheck.uniform(rnd, B * T * I, 1), true, B, T, I)
                : add("x", GradCheck.uniform(rnd, B * I, 1), true, B, I);
        w = add("kernel", GradCheck.uniform(rnd, I * O, 1.5 / Math.sqrt(I)), true, I, O);
        bvar = bias ? add("bias", GradCheck.uniform(rnd, O, 0.3), true, O) : null;
        if (layer != null) {
            layer.build(List.of(x.sampleShape()));
            List<Param> ps = layer.params();
            assertEquals(bias ? 2 : 1, ps.size(), () -> layer + ": number of parameters");
            assertEquals("kernel", ps.get(0).name());
            assertArrayEquals(w.shape, ps.get(0).shape());
            if (bias) {
                assertEquals("bias", ps.get(1).name());
                assertArrayEquals(bvar.shape, ps.get(1).shape());
            }
        }
    }

    private List<GradCheck.Var> weights() {
        return bias ? List.of(w, bvar) : List.of(w);
    }

    @Override
    List<double[]> reference(Ref.Tape tape) {
        return List.of(Ref.dense(x.v, b * t, in, out, w.v, bias ? bvar.v : null, act));
    }

    @Override
    Map<GradCheck.Var, double[]> referenceGrads(List<double[]> r) {
        double[][] g = Ref.denseBackward(x.v, b * t, in, out, w.v, bias ? bvar.v : null, act, r.get(0));
        Map<GradCheck.Var, double[]> m = new IdentityHashMap<>();
        m.put(x, g[0]);
        m.put(w, g[1]);
        if (bias) m.put(bvar, g[2]);
        return m;
    }

    @Override
    GradCheck.JrnnOut jrnn(List<double[]> r) {
        if (layer == null) return null;
        int[] os = seq ? new int[] {b, t, out} : new int[] {b, out};
        return GradCheck.runLayer(layer, weights(), List.of(x), null, null, new ArrayList<>(List.of(os)), r);
    }
}
