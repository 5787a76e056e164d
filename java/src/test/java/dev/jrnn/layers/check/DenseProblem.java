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
 * Gradient-check problem for Dense on x [B, I], [B, T, I] or higher rank (also TimeDistributed(Dense), whose
 * weights are the inner Dense's): variables x, kernel [I, O] and bias [O] when used.
 */
final class DenseProblem extends GradCheck.Problem {
    final String act;
    final boolean bias;
    final int[] xShape;
    final int rows, in, out;
    final Layer layer;
    final GradCheck.Var x, w, bvar;

    DenseProblem(String layerName, String act, boolean bias, boolean seq, int B, int T, int I, int O, long seed,
                 Layer layer) {
        this(layerName, act, bias, seq ? new int[] {B, T, I} : new int[] {B, I}, O, seed, layer);
    }

    /** x of any rank >= 2 ({@code xShape} batch first); Dense acts on the last axis. */
    DenseProblem(String layerName, String act, boolean bias, int[] xShape, int O, long seed, Layer layer) {
        super(layerName, layerName + "(" + O + ", " + act + (bias ? "" : ", noBias") + ") x"
                + java.util.Arrays.toString(xShape) + " seed=" + seed);
        this.act = act;
        this.bias = bias;
        this.xShape = xShape.clone();
        this.in = xShape[xShape.length - 1];
        this.rows = (int) (dev.jrnn.tensor.Tensor.size(xShape) / in);
        this.out = O;
        this.layer = layer;
        SplittableRandom rnd = new SplittableRandom(seed);
        x = add("x", GradCheck.uniform(rnd, rows * in, 1), true, xShape);
        w = add("kernel", GradCheck.uniform(rnd, in * O, 1.5 / Math.sqrt(in)), true, in, O);
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
        return List.of(Ref.dense(x.v, rows, in, out, w.v, bias ? bvar.v : null, act));
    }

    @Override
    Map<GradCheck.Var, double[]> referenceGrads(List<double[]> r) {
        double[][] g = Ref.denseBackward(x.v, rows, in, out, w.v, bias ? bvar.v : null, act, r.get(0));
        Map<GradCheck.Var, double[]> m = new IdentityHashMap<>();
        m.put(x, g[0]);
        m.put(w, g[1]);
        if (bias) m.put(bvar, g[2]);
        return m;
    }

    @Override
    GradCheck.JrnnOut jrnn(List<double[]> r) {
        if (layer == null) return null;
        int[] os = xShape.clone();
        os[os.length - 1] = out;
        return GradCheck.runLayer(layer, weights(), List.of(x), null, null, new ArrayList<>(List.of(os)), r);
    }
}
