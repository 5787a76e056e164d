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
 * Gradient-check problem for Bidirectional(recurrent layer): variables x, the forward layer's
 * weights, the backward layer's weights and, with initial states, [h (, c)] per direction.
 * {@code layer == null}: reference only.
 */
final class BidiProblem extends GradCheck.Problem {
    final Ref.Rnn s, sbw;   // forward layer, backward layer
    final String merge;
    final int b, t, in;
    final Layer layer;
    final GradCheck.Var x;
    final List<GradCheck.Var> wf = new ArrayList<>(), wb = new ArrayList<>(), sf = new ArrayList<>(), sb = new ArrayList<>();
    final double[] mask;

    static final String[] MERGES = {"concat", "sum", "mul", "ave", "none"};

    /** Per cell and merge mode, four mixed option sets (returnSequences, returnState, states in, mask, tbptt, goBackwards). */
    static List<Object[]> cases() {
        List<Object[]> l = new ArrayList<>();
        int idx = 0;
        for (Ref.Cell cell : Ref.Cell.values()) {
            for (int m = 0; m < MERGES.length; m++) {
                for (int v = 0; v < 4; v++, idx++) {
                    int bits = (m * 7 + v * 13 + cell.ordinal() * 5) % 16;
                    boolean rs = (bits & 1) != 0, st = (bits & 2) != 0, init = (bits & 4) != 0, mask = (bits & 8) != 0;
                    int tbptt = v == 3 ? 2 : 0;
                    boolean bias = idx % 5 != 4;
                    String act = cell == Ref.Cell.SIMPLE_RNN ? (idx % 2 == 0 ? "tanh" : "relu") : "tanh";
                    boolean back = v == 1 && m % 2 == 0;   // wrapped layer itself goBackwards (Keras still reverses the other)
                    l.add(new Object[] {new Cases.RnnCase(cell, act, bias, rs, st, init, mask, back, tbptt,
                            2 + idx % 2, 3 + idx % 2, 2 + (idx / 2) % 2, 2 + idx % 2, 5000L + idx), MERGES[m]});
                }
            }
        }
        return l;
    }

    /** An explicitly given backward layer: {forward case, backward cell, merge mode}. */
    static List<Object[]> explicitBackwardCases() {
        Ref.Cell S = Ref.Cell.SIMPLE_RNN, L = Ref.Cell.LSTM, G = Ref.Cell.GRU;
        return List.of(
                new Object[] {new Cases.RnnCase(S, "tanh", true, true, true, true, true, false, 0, 2, 4, 3, 3, 6001), G, "concat"},
                new Object[] {new Cases.RnnCase(G, "tanh", true, false, true, false, true, false, 0, 3, 4, 2, 2, 6002), S, "sum"},
                new Object[] {new Cases.RnnCase(L, "tanh", true, true, false, true, true, false, 2, 2, 5, 2, 3, 6003), L, "ave"},
                new Object[] {new Cases.RnnCase(G, "tanh", false, true, true, true, false, true, 0, 2, 4, 3, 2, 6004), S, "mul"},
                new Object[] {new Cases.RnnCase(S, "relu", true, false, false, false, true, false, 1, 3, 3, 2, 3, 6005), G, "none"});
    }

    BidiProblem(String layerName, Cases.RnnCase c, String merge, Layer layer) {
        this(layerName, c, null, merge, layer);
    }

    /** {@code backwardCell}: the cell of an explicitly given backward layer (same options otherwise), or null for a copy. */
    BidiProblem(String layerName, Cases.RnnCase c, Ref.Cell backwardCell, String merge, Layer layer) {
        super(layerName, "Bidirectional(" + c + (backwardCell == null ? "" : ", backward " + backwardCell)
                + ", merge=" + merge + ")");
        this.s = c.spec();
        Ref.Rnn bw = s.withGoBackwards(!s.goBackwards());
        this.sbw = backwardCell == null ? bw : new Ref.Rnn(backwardCell, bw.units(), bw.act(), bw.recAct(), bw.useBias(),
                bw.returnSequences(), bw.returnState(), bw.goBackwards(), bw.tbptt());
        this.merge = merge;
        this.b = c.batch();
        this.t = c.steps();
        this.in = c.inputs();
        this.layer = layer;
        SplittableRandom rnd = new SplittableRandom(c.seed());
        int H = s.units(), B = b, T = t, I = in;
        x = add("x", GradCheck.uniform(rnd, B * T * I, 1.0), true, B, T, I);
        String[] names = {"kernel", "recurrent_kernel", "bias"};
        for (String dir : new String[] {"forward_", "backward_"}) {
            List<GradCheck.Var> w = dir.equals("forward_") ? wf : wb;
            Ref.Cell cell = dir.equals("forward_") ? s.cell() : sbw.cell();
            int G = cell.gates * H;
            List<int[]> shapes = new ArrayList<>(List.of(new int[] {I, G}, new int[] {H, G}));
            if (s.useBias()) shapes.add(cell == Ref.Cell.GRU ? new int[] {2, G} : new int[] {G});
            for (int i = 0; i < shapes.size(); i++) {
                int[] sh = shapes.get(i);
                double a = i == 2 ? 0.3 : 1.5 / Math.sqrt(sh[0]);
                if (s.act().equals("relu")) a *= 0.7;
                w.add(add(dir + names[i], GradCheck.uniform(rnd, (int) dev.jrnn.tensor.Tensor.size(sh), a), true, sh));
            }
        }
        if (c.initState()) {
            for (String dir : new String[] {"fw_", "bw_"}) {
                List<GradCheck.Var> st = dir.equals("fw_") ? sf : sb;
                st.add(add(dir + "h0", GradCheck.uniform(rnd, B * H, 0.8), true, B, H));
                if (s.cell() == Ref.Cell.LSTM) st.add(add(dir + "c0", GradCheck.uniform(rnd, B * H, 0.8), true, B, H));
            }
        }
        mask = c.mask() ? GradCheck.mask(rnd, B, T) : null;
        if (layer != null) {
            List<int[]> shapes = new ArrayList<>();
            for (GradCheck.Var v : inputs()) shapes.add(v.sampleShape());
            layer.build(shapes);
            List<Param> ps = layer.params();
            List<GradCheck.Var> ws = weights();
            assertEquals(ws.size(), ps.size(), () -> layer + ": number of parameters (forward's then backward's)");
            for (int i = 0; i < ps.size(); i++) {
                int ii = i;
                assertEquals(ws.get(i).name.substring(ws.get(i).name.indexOf('_') + 1), ps.get(i).name(), () -> layer + ": name of parameter " + ii);
                assertArrayEquals(ws.get(i).shape, ps.get(i).shape(), () -> layer + ": shape of parameter " + ii);
            }
        }
    }

    List<GradCheck.Var> weights() {
        List<GradCheck.Var> l = new ArrayList<>(wf);
        l.addAll(wb);
        return l;
    }

    List<GradCheck.Var> inputs() {
        List<GradCheck.Var> l = new ArrayList<>(List.of(x));
        l.addAll(sf);
        l.addAll(sb);
        return l;
    }

    private static List<double[]> vals(List<GradCheck.Var> v) {
        if (v.isEmpty()) return null;
        List<double[]> l = new ArrayList<>();
        for (GradCheck.Var x : v) l.add(x.v);
        return l;
    }

    @Override
    List<double[]> reference(Ref.Tape tape) {
        return Ref.bidi(s, sbw, merge, b, t, in, x.v, vals(wf), vals(wb), vals(sf), vals(sb), mask, tape).outputs;
    }

    @Override
    Map<GradCheck.Var, double[]> referenceGrads(List<double[]> r) {
        Ref.BidiRun run = Ref.bidi(s, sbw, merge, b, t, in, x.v, vals(wf), vals(wb), vals(sf), vals(sb), mask, null);
        Ref.RnnGrads[] g = Ref.bidiBackward(run, r);
        Map<GradCheck.Var, double[]> m = new IdentityHashMap<>();
        double[] dx = g[0].dx.clone();
        for (int i = 0; i < dx.length; i++) dx[i] += g[1].dx[i];
        m.put(x, dx);
        put(m, wf, sf, g[0]);
        put(m, wb, sb, g[1]);
        return m;
    }

    private void put(Map<GradCheck.Var, double[]> m, List<GradCheck.Var> w, List<GradCheck.Var> st, Ref.RnnGrads g) {
        m.put(w.get(0), g.dw);
        m.put(w.get(1), g.du);
        if (s.useBias()) m.put(w.get(2), g.dbias);
        if (!st.isEmpty()) m.put(st.get(0), g.dh0);
        if (st.size() > 1) m.put(st.get(1), g.dc0);
    }

    List<int[]> outShapes() {
        int H = s.units();
        List<int[]> o = new ArrayList<>();
        int width = merge.equals("concat") ? 2 * H : H;
        int[] y = s.returnSequences() ? new int[] {b, t, width} : new int[] {b, width};
        o.add(y);
        if (merge.equals("none")) o.add(y.clone());
        if (s.returnState()) for (int i = 0; i < 2 * s.nStates(); i++) o.add(new int[] {b, H});
        return o;
    }

    @Override
    GradCheck.JrnnOut jrnn(List<double[]> r) {
        if (layer == null) return null;
        return GradCheck.runLayer(layer, weights(), inputs(), mask, new int[] {b, t}, outShapes(), r);
    }
}
