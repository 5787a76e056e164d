package dev.jrnn.layers.check;

import dev.jrnn.layers.Layer;
import dev.jrnn.layers.Param;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Gradient-check problem for one recurrent layer (SimpleRNN, LSTM, GRU): variables x [B, T, I],
 * kernel, recurrent kernel, bias (when used) and, with {@code initState}, h0 (and c0) [B, H].
 * With {@code layer == null} only the reference is checked (analytic vs central differences).
 */
final class RnnProblem extends GradCheck.Problem {
    final Ref.Rnn s;
    final int b, t, in;
    final Layer layer;
    final GradCheck.Var x, h0, c0;
    final List<GradCheck.Var> weights = new ArrayList<>();
    final double[] mask;
    /** Fixed dropout masks (see {@link Ref#rnn}), the ones the layer draws; null without. */
    double[][] dropIn, dropRec;

    RnnProblem(String layerName, String label, Ref.Rnn s, int B, int T, int I, boolean initState, boolean masked,
               long seed, Layer layer) {
        super(layerName, label);
        this.s = s;
        this.b = B;
        this.t = T;
        this.in = I;
        this.layer = layer;
        SplittableRandom rnd = new SplittableRandom(seed);
        int H = s.units(), G = s.cell().gates * H;
        x = add("x", GradCheck.uniform(rnd, B * T * I, 1.0), true, B, T, I);
        List<int[]> shapes = new ArrayList<>(List.of(new int[] {I, G}, new int[] {H, G}));
        if (s.useBias()) shapes.add(s.cell() == Ref.Cell.GRU ? new int[] {2, G} : new int[] {G});
        String[] names = {"kernel", "recurrent_kernel", "bias"};
        for (int i = 0; i < shapes.size(); i++) {
            int[] sh = shapes.get(i);
            double a = i == 2 ? 0.3 : 1.5 / Math.sqrt(sh[0]);
            if (s.act().equals("relu") || s.act().equals("linear")) a *= 0.7;   // keep unbounded cells tame
            weights.add(add(names[i], GradCheck.uniform(rnd, (int) dev.jrnn.tensor.Tensor.size(sh), a), true, sh));
        }
        h0 = initState ? add("h0", GradCheck.uniform(rnd, B * H, 0.8), true, B, H) : null;
        c0 = initState && s.cell() == Ref.Cell.LSTM ? add("c0", GradCheck.uniform(rnd, B * H, 0.8), true, B, H) : null;
        mask = masked ? GradCheck.mask(rnd, B, T) : null;
        if (layer != null) {
            List<int[]> in = new ArrayList<>();
            for (GradCheck.Var v : inputs()) in.add(v.sampleShape());
            layer.build(in);
            List<Param> ps = layer.params();
            assertEquals(weights.size(), ps.size(), () -> layer + ": number of parameters");
            for (int i = 0; i < ps.size(); i++) {
                int ii = i;
                assertEquals(names[i], ps.get(i).name(), () -> layer + ": name of parameter " + ii);
                assertArrayEquals(weights.get(i).shape, ps.get(i).shape(), () -> layer + ": shape of " + names[ii]);
            }
        }
    }

    List<GradCheck.Var> inputs() {
        List<GradCheck.Var> l = new ArrayList<>(List.of(x));
        if (h0 != null) l.add(h0);
        if (c0 != null) l.add(c0);
        return l;
    }

    Ref.RnnRun run(Ref.Tape tape) {
        return Ref.rnn(s, b, t, in, x.v, weights.get(0).v, weights.get(1).v, s.useBias() ? weights.get(2).v : null,
                h0 == null ? null : h0.v, c0 == null ? null : c0.v, mask, tape, false, dropIn, dropRec);
    }

    @Override
    List<double[]> reference(Ref.Tape tape) { return run(tape).outputs; }

    @Override
    Map<GradCheck.Var, double[]> referenceGrads(List<double[]> r) {
        if (dropIn != null || dropRec != null) return null;   // the hand-derived BPTT has no dropout: central differences only
        Ref.RnnGrads g = Ref.rnnBackward(run(null), r);
        Map<GradCheck.Var, double[]> m = new IdentityHashMap<>();
        m.put(x, g.dx);
        m.put(weights.get(0), g.dw);
        m.put(weights.get(1), g.du);
        if (s.useBias()) m.put(weights.get(2), g.dbias);
        if (h0 != null) m.put(h0, g.dh0);
        if (c0 != null) m.put(c0, g.dc0);
        return m;
    }

    List<int[]> outShapes() {
        int H = s.units();
        List<int[]> o = new ArrayList<>();
        o.add(s.returnSequences() ? new int[] {b, t, H} : new int[] {b, H});
        if (s.returnState()) for (int i = 0; i < s.nStates(); i++) o.add(new int[] {b, H});
        return o;
    }

    @Override
    GradCheck.JrnnOut jrnn(List<double[]> r) {
        if (layer == null) return null;
        return GradCheck.runLayer(layer, weights, inputs(), mask, new int[] {b, t}, outShapes(), r);
    }

    @Override
    public String toString() { return label + " mask=" + Arrays.toString(mask); }
}
