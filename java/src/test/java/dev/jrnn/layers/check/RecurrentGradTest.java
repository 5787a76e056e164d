package dev.jrnn.layers.check;

import dev.jrnn.Jrnn;
import dev.jrnn.layers.GRU;
import dev.jrnn.layers.LSTM;
import dev.jrnn.layers.RecurrentLayer;
import dev.jrnn.layers.SimpleRNN;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import dev.jrnn.backend.Backend;
import dev.jrnn.backend.DTensor;
import dev.jrnn.layers.Param;
import dev.jrnn.layers.Trace;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * SimpleRNN, LSTM and GRU (both reset_after variants) against the float64 reference over every option combination
 * (returnSequences, returnState, initial states, masks, goBackwards, useBias off, tbptt 0/1/2/T/T+3,
 * SimpleRNN activations tanh/relu/linear/sigmoid, LSTM/GRU activation relu/linear/sigmoid and recurrent
 * activation hard_sigmoid_keras2/tanh): forward within 1e-6, gradients of every weight,
 * input and initial state within 1e-3 of float64 central differences (see {@link GradCheck}).
 */
class RecurrentGradTest {

    @BeforeAll
    static void cpu() { Jrnn.setBackend("cpu"); }

    @AfterAll
    static void printStats() {
        GradCheck.writeStats("RecurrentGradTest (max relative errors)");
    }

    static RecurrentLayer layer(Cases.RnnCase c) {
        RecurrentLayer l = switch (c.cell()) {
            case SIMPLE_RNN -> new SimpleRNN(c.units()).activation(c.act());
            case LSTM -> new LSTM(c.units()).activation(c.act()).recurrentActivation(c.recAct());
            case GRU -> new GRU(c.units()).activation(c.act()).recurrentActivation(c.recAct());
            case GRU_RESET_BEFORE -> new GRU(c.units()).resetAfter(false).activation(c.act()).recurrentActivation(c.recAct());
        };
        return l.useBias(c.useBias()).returnSequences(c.returnSequences()).returnState(c.returnState())
                .goBackwards(c.goBackwards()).tbptt(c.tbptt());
    }

    static List<Cases.RnnCase> simpleRnn() { return Cases.rnn(Ref.Cell.SIMPLE_RNN); }

    static List<Cases.RnnCase> lstm() { return Cases.rnn(Ref.Cell.LSTM); }

    static List<Cases.RnnCase> gru() { return Cases.rnn(Ref.Cell.GRU); }

    static List<Cases.RnnCase> gruResetBefore() { return Cases.rnn(Ref.Cell.GRU_RESET_BEFORE); }

    private static void run(Cases.RnnCase c) {
        RnnProblem p = new RnnProblem(c.layerName(), c.toString(), c.spec(), c.batch(), c.steps(), c.inputs(),
                c.initState(), c.mask(), c.seed(), layer(c));
        GradCheck.check(p, c.seed() + 7);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("simpleRnn")
    void simpleRnnGradients(Cases.RnnCase c) { run(c); }

    @ParameterizedTest(name = "{0}")
    @MethodSource("lstm")
    void lstmGradients(Cases.RnnCase c) { run(c); }

    @ParameterizedTest(name = "{0}")
    @MethodSource("gru")
    void gruGradients(Cases.RnnCase c) { run(c); }

    @ParameterizedTest(name = "{0}")
    @MethodSource("gruResetBefore")
    void gruResetBeforeGradients(Cases.RnnCase c) { run(c); }

    /**
     * Keras' rule with an initial state: leading masked steps output 0 (no gradient from them), a row
     * masked at every step outputs 0 and returns its initial state, whose gradient then comes only from
     * the returned states. Rows: pre-padded by 2, all real, fully masked, pre-padded by 1 plus a masked
     * middle step.
     */
    @Test
    void prePaddedAndFullyMaskedRowsWithInitialState() {
        for (Ref.Cell cell : Ref.Cell.values()) {
            for (boolean back : new boolean[] {false, true}) {
                for (boolean seq : new boolean[] {true, false}) {
                    Cases.RnnCase c = new Cases.RnnCase(cell, "tanh", true, seq, true, true, true, back, 0, 4, 5, 2, 3,
                            9000 + cell.ordinal() * 4L + (back ? 2 : 0) + (seq ? 1 : 0));
                    RnnProblem p = new RnnProblem(c.layerName(), c + " pre-padded rows, row 2 fully masked", c.spec(),
                            c.batch(), c.steps(), c.inputs(), true, true, c.seed(), layer(c));
                    double[] m = {0, 0, 1, 1, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 0, 0, 1, 0, 1, 1};
                    if (back) {   // the same shapes in processing order: pad the end of each row instead
                        for (int b = 0; b < 4; b++)
                            for (int t = 0; t < 5; t++) p.mask[b * 5 + t] = m[b * 5 + 4 - t];
                    } else {
                        System.arraycopy(m, 0, p.mask, 0, m.length);
                    }
                    GradCheck.check(p, c.seed() + 7);
                }
            }
        }
    }

    /**
     * Traces are independent and backward accumulates: forward A, forward B, backward A, backward B
     * (no zeroGrads between) gives the sum of both float64 gradients, and each trace's input gradient.
     */
    @Test
    void interleavedTracesAccumulate() {
        for (Ref.Cell cell : Ref.Cell.values()) {
            Cases.RnnCase c = new Cases.RnnCase(cell, "tanh", true, true, true, true, true, false, 2, 2, 4, 3, 3,
                    9100 + cell.ordinal());
            RecurrentLayer layer = layer(c);
            RnnProblem a = new RnnProblem(c.layerName(), c + " A", c.spec(), 2, 4, 3, true, true, c.seed(), layer);
            RnnProblem b = new RnnProblem(c.layerName(), c + " B", c.spec(), 2, 4, 3, true, true, c.seed() + 1, null);
            for (int i = 0; i < a.weights.size(); i++) System.arraycopy(a.weights.get(i).v, 0, b.weights.get(i).v, 0, a.weights.get(i).v.length);
            GradCheck.setWeights(layer, a.weights);
            SplittableRandom rnd = new SplittableRandom(c.seed());
            List<double[]> ra = new ArrayList<>(), rb = new ArrayList<>();
            for (double[] o : a.reference(null)) ra.add(GradCheck.uniform(rnd, o.length, 1));
            for (double[] o : b.reference(null)) rb.add(GradCheck.uniform(rnd, o.length, 1));
            Map<GradCheck.Var, double[]> ga = a.referenceGrads(ra), gb = b.referenceGrads(rb);
            Backend be = layer.backend();
            List<DTensor> owned = new ArrayList<>();
            layer.zeroGrads();
            try (Trace ta = forward(layer, a, be, owned); Trace tb = forward(layer, b, be, owned)) {
                List<DTensor> dxa = ta.backward(upload(be, ra, ta, owned));
                List<DTensor> dxb = tb.backward(upload(be, rb, tb, owned));
                owned.addAll(dxa);
                owned.addAll(dxb);
                GradCheck.compare(c + ": dx of trace A", GradCheck.toDouble(dxa.get(0).toTensor()), ga.get(a.x), GradCheck.GRAD_TOL);
                GradCheck.compare(c + ": dx of trace B", GradCheck.toDouble(dxb.get(0).toTensor()), gb.get(b.x), GradCheck.GRAD_TOL);
                GradCheck.compare(c + ": dh0 of trace A", GradCheck.toDouble(dxa.get(1).toTensor()), ga.get(a.h0), GradCheck.GRAD_TOL);
                List<Param> ps = layer.params();
                for (int i = 0; i < ps.size(); i++) {
                    double[] sum = ga.get(a.weights.get(i)).clone();
                    double[] other = gb.get(b.weights.get(i));
                    for (int k = 0; k < sum.length; k++) sum[k] += other[k];
                    GradCheck.compare(c + ": accumulated d/d" + ps.get(i).name(), GradCheck.toDouble(ps.get(i).getGrad()),
                            sum, GradCheck.GRAD_TOL);
                }
            } finally {
                for (DTensor d : owned) if (d != null) d.close();
            }
        }
    }

    private static Trace forward(RecurrentLayer layer, RnnProblem p, Backend be, List<DTensor> owned) {
        List<DTensor> ins = new ArrayList<>();
        for (GradCheck.Var v : p.inputs()) ins.add(GradCheck.upload(be, v.v, v.shape));
        owned.addAll(ins);
        DTensor m = GradCheck.upload(be, p.mask, p.b, p.t);
        owned.add(m);
        return layer.forward(ins, m, true);
    }

    private static List<DTensor> upload(Backend be, List<double[]> r, Trace tr, List<DTensor> owned) {
        List<DTensor> d = new ArrayList<>();
        for (int k = 0; k < r.size(); k++) d.add(GradCheck.upload(be, r.get(k), tr.outputs().get(k).shape()));
        owned.addAll(d);
        return d;
    }
}
