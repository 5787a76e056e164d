package dev.jrnn.layers.check;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Verifies the float64 references themselves, without jrnn: the hand-derived analytic gradients
 * agree with central differences within 1e-6 (relative) for every recurrent option; forward values
 * of tiny cells equal numbers worked out by hand; truncated BPTT has the properties it must have.
 */
class RefSelfCheckTest {

    @AfterAll
    static void printStats() {
        GradCheck.writeStats("RefSelfCheckTest (float64 analytic vs central differences)");
    }

    static List<Cases.RnnCase> rnnCases() { return Cases.allRnn(); }

    @ParameterizedTest(name = "{0}")
    @MethodSource("rnnCases")
    void recurrentReferenceGradients(Cases.RnnCase c) {
        RnnProblem p = new RnnProblem("ref " + c.layerName(), c.toString(), c.spec(), c.batch(), c.steps(),
                c.inputs(), c.initState(), c.mask(), c.seed(), null);
        GradCheck.check(p, c.seed() + 7);
    }

    static List<Object[]> bidiCases() { return BidiProblem.cases(); }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("bidiCases")
    void bidirectionalReferenceGradients(Cases.RnnCase c, String merge) {
        GradCheck.check(new BidiProblem("ref Bidirectional", c, merge, null), c.seed() + 11);
    }

    static List<Object[]> explicitBackward() { return BidiProblem.explicitBackwardCases(); }

    @ParameterizedTest(name = "{0} backward {1} {2}")
    @MethodSource("explicitBackward")
    void bidirectionalExplicitBackwardReferenceGradients(Cases.RnnCase c, Ref.Cell backwardCell, String merge) {
        GradCheck.check(new BidiProblem("ref Bidirectional", c, backwardCell, merge, null), c.seed() + 13);
    }

    @Test
    void denseAndEmbeddingReferenceGradients() {
        for (String act : new String[] {"linear", "tanh", "sigmoid", "relu", "softmax"}) {
            for (boolean bias : new boolean[] {true, false}) {
                GradCheck.check(new DenseProblem("ref Dense", act, bias, false, 3, 2, 3, 4, 31, null), 5);
                GradCheck.check(new DenseProblem("ref Dense", act, bias, true, 2, 3, 3, 4, 37, null), 6);
            }
        }
        GradCheck.check(new EmbeddingProblem("ref Embedding", 3, 5, 7, 3, 41, null), 9);
    }

    // ---------------------------------------------------------------- forward values by hand

    /** SimpleRNN, one unit, one input, two steps: h1 = tanh(w x1 + b), h2 = tanh(w x2 + u h1 + b). */
    @Test
    void simpleRnnByHand() {
        double w = 0.5, u = -0.25, b = 0.125, x1 = 1.0, x2 = -0.5;
        double h1 = Math.tanh(w * x1 + b), h2 = Math.tanh(w * x2 + u * h1 + b);
        Ref.Rnn s = new Ref.Rnn(Ref.Cell.SIMPLE_RNN, 1, "tanh", "sigmoid", true, true, false, false, 0);
        Ref.RnnRun r = Ref.rnn(s, 1, 2, 1, new double[] {x1, x2}, new double[] {w}, new double[] {u},
                new double[] {b}, null, null, null, null);
        assertArrayEquals(new double[] {h1, h2}, r.outputs.get(0), 1e-15);
        // goBackwards: x2 first, output in processing order
        double g1 = Math.tanh(w * x2 + b), g2 = Math.tanh(w * x1 + u * g1 + b);
        r = Ref.rnn(s.withGoBackwards(true), 1, 2, 1, new double[] {x1, x2}, new double[] {w}, new double[] {u},
                new double[] {b}, null, null, null, null);
        assertArrayEquals(new double[] {g1, g2}, r.outputs.get(0), 1e-15);
        // masked second step: state carried, output repeats h1
        r = Ref.rnn(s, 1, 2, 1, new double[] {x1, x2}, new double[] {w}, new double[] {u},
                new double[] {b}, null, null, new double[] {1, 0}, null);
        assertArrayEquals(new double[] {h1, h1}, r.outputs.get(0), 1e-15);
        // masked first step with an initial state: output 0 (Keras' previous output starts at zeros), the
        // state carries h0 into the second step
        r = Ref.rnn(s, 1, 2, 1, new double[] {x1, x2}, new double[] {w}, new double[] {u},
                new double[] {b}, new double[] {0.3}, null, new double[] {0, 1}, null);
        assertArrayEquals(new double[] {0, Math.tanh(w * x2 + u * 0.3 + b)}, r.outputs.get(0), 1e-15);
        // fully masked: output 0 (returnSequences false), returned state h0
        Ref.Rnn last = new Ref.Rnn(Ref.Cell.SIMPLE_RNN, 1, "tanh", "sigmoid", true, false, true, false, 0);
        r = Ref.rnn(last, 1, 2, 1, new double[] {x1, x2}, new double[] {w}, new double[] {u},
                new double[] {b}, new double[] {0.3}, null, new double[] {0, 0}, null);
        assertArrayEquals(new double[] {0}, r.outputs.get(0), 1e-15);
        assertArrayEquals(new double[] {0.3}, r.outputs.get(1), 1e-15);
    }

    /** LSTM, one unit, one step from (h0, c0), gate weights i, f, c, o written out. */
    @Test
    void lstmByHand() {
        double x = 0.7, h0 = -0.2, c0 = 0.4;
        double[] W = {0.1, 0.2, 0.3, 0.4}, U = {-0.5, 0.6, -0.7, 0.8}, b = {0.01, 1.0, -0.03, 0.04};
        double i = sig(W[0] * x + U[0] * h0 + b[0]), f = sig(W[1] * x + U[1] * h0 + b[1]);
        double g = Math.tanh(W[2] * x + U[2] * h0 + b[2]), o = sig(W[3] * x + U[3] * h0 + b[3]);
        double c = f * c0 + i * g, h = o * Math.tanh(c);
        Ref.Rnn s = new Ref.Rnn(Ref.Cell.LSTM, 1, "tanh", "sigmoid", true, false, true, false, 0);
        Ref.RnnRun r = Ref.rnn(s, 1, 1, 1, new double[] {x}, W, U, b, new double[] {h0}, new double[] {c0}, null, null);
        assertEquals(h, r.outputs.get(0)[0], 1e-15);
        assertEquals(h, r.outputs.get(1)[0], 1e-15);
        assertEquals(c, r.outputs.get(2)[0], 1e-15);
    }

    /** GRU reset_after, one unit, one step: input bias row 0, recurrent bias row 1, order z, r, h. */
    @Test
    void gruByHand() {
        double x = -0.6, h0 = 0.5;
        double[] W = {0.3, -0.2, 0.9}, U = {0.4, 0.7, -0.8}, b = {0.05, -0.1, 0.2, 0.3, 0.15, -0.25};
        double z = sig(W[0] * x + b[0] + U[0] * h0 + b[3]);
        double r = sig(W[1] * x + b[1] + U[1] * h0 + b[4]);
        double hh = Math.tanh(W[2] * x + b[2] + r * (U[2] * h0 + b[5]));
        double h = z * h0 + (1 - z) * hh;
        Ref.Rnn s = new Ref.Rnn(Ref.Cell.GRU, 1, "tanh", "sigmoid", true, true, false, false, 0);
        Ref.RnnRun run = Ref.rnn(s, 1, 1, 1, new double[] {x}, W, U, b, new double[] {h0}, null, null, null);
        assertEquals(h, run.outputs.get(0)[0], 1e-15);
    }

    private static double sig(double v) { return 1 / (1 + Math.exp(-v)); }

    // ---------------------------------------------------------------- truncated BPTT properties

    /** k >= T cuts nothing: the gradients equal full BPTT. */
    @Test
    void tbpttLongerThanSequenceIsFullBptt() {
        for (Ref.Cell cell : Ref.Cell.values()) {
            int B = 2, T = 4, I = 2, H = 3;
            SplittableRandom rnd = new SplittableRandom(3 + cell.ordinal());
            double[] x = GradCheck.uniform(rnd, B * T * I, 1), W = GradCheck.uniform(rnd, I * cell.gates * H, 0.8);
            double[] U = GradCheck.uniform(rnd, H * cell.gates * H, 0.6);
            Ref.Rnn full = new Ref.Rnn(cell, H, "tanh", "sigmoid", false, true, false, false, 0);
            Ref.Rnn cut = new Ref.Rnn(cell, H, "tanh", "sigmoid", false, true, false, false, T);
            List<double[]> dy = List.of(GradCheck.uniform(rnd, B * T * H, 1));
            Ref.RnnGrads a = Ref.rnnBackward(Ref.rnn(full, B, T, I, x, W, U, null, null, null, null, null), dy);
            Ref.RnnGrads c = Ref.rnnBackward(Ref.rnn(cut, B, T, I, x, W, U, null, null, null, null, null), dy);
            assertArrayEquals(a.du, c.du, 0);
            assertArrayEquals(a.dx, c.dx, 0);
            // and with k = 2 something really is cut
            Ref.Rnn two = new Ref.Rnn(cell, H, "tanh", "sigmoid", false, true, false, false, 2);
            Ref.RnnGrads d = Ref.rnnBackward(Ref.rnn(two, B, T, I, x, W, U, null, null, null, null, null), dy);
            assertTrue(GradCheck.relErr(d.du, a.du) > 1e-3, cell + ": tbptt=2 should change the recurrent gradient");
        }
    }

    /**
     * k = 1: every step sees its incoming state as a constant, so each gradient equals the sum over
     * steps of one-step gradients computed from that step's (recorded) incoming state.
     */
    @Test
    void tbpttOneIsSumOfOneStepGradients() {
        for (Ref.Cell cell : Ref.Cell.values()) {
            int B = 2, T = 5, I = 3, H = 2, G = cell.gates * H;
            SplittableRandom rnd = new SplittableRandom(17 + cell.ordinal());
            double[] x = GradCheck.uniform(rnd, B * T * I, 1), W = GradCheck.uniform(rnd, I * G, 0.8);
            double[] U = GradCheck.uniform(rnd, H * G, 0.6);
            int nb = cell == Ref.Cell.GRU ? 2 * G : G;
            double[] bias = GradCheck.uniform(rnd, nb, 0.3);
            double[] dy = GradCheck.uniform(rnd, B * T * H, 1);
            Ref.Rnn s = new Ref.Rnn(cell, H, "tanh", "sigmoid", true, true, false, false, 1);
            Ref.RnnRun run = Ref.rnn(s, B, T, I, x, W, U, bias, null, null, null, null);
            Ref.RnnGrads g = Ref.rnnBackward(run, List.of(dy));
            double[] du = new double[H * G], dw = new double[I * G];
            Ref.Rnn one = new Ref.Rnn(cell, H, "tanh", "sigmoid", true, true, false, false, 0);
            for (int t = 0; t < T; t++) {
                double[] xt = new double[B * I], dyt = new double[B * H];
                for (int b = 0; b < B; b++) {
                    System.arraycopy(x, (b * T + t) * I, xt, b * I, I);
                    System.arraycopy(dy, (b * T + t) * H, dyt, b * H, H);
                }
                Ref.RnnRun r1 = Ref.rnn(one, B, 1, I, xt, W, U, bias, run.hPrev[t], run.cPrev[t], null, null);
                Ref.RnnGrads g1 = Ref.rnnBackward(r1, List.of(dyt));
                for (int i = 0; i < du.length; i++) du[i] += g1.du[i];
                for (int i = 0; i < dw.length; i++) dw[i] += g1.dw[i];
            }
            assertArrayEquals(du, g.du, 1e-12, cell + ": recurrent kernel gradient");
            assertArrayEquals(dw, g.dw, 1e-12, cell + ": kernel gradient");
        }
    }

    /** The recording tape really stores the boundary states: replaying at the same point changes nothing. */
    @Test
    void tapeReplayIsIdentityAtTheRecordedPoint() {
        Ref.Rnn s = new Ref.Rnn(Ref.Cell.LSTM, 2, "tanh", "sigmoid", false, true, true, true, 2);
        SplittableRandom rnd = new SplittableRandom(5);
        double[] x = GradCheck.uniform(rnd, 2 * 5 * 2, 1), W = GradCheck.uniform(rnd, 16, 1), U = GradCheck.uniform(rnd, 16, 1);
        Ref.Tape tape = Ref.Tape.recording();
        List<double[]> a = Ref.rnn(s, 2, 5, 2, x, W, U, null, null, null, null, tape).outputs;
        assertEquals(4, tape.size(), "two cuts (before steps 2 and 4), h and c each");
        List<double[]> b = Ref.rnn(s, 2, 5, 2, x, W, U, null, null, null, null, tape.replay()).outputs;
        List<double[]> c = new ArrayList<>(b);
        for (int k = 0; k < a.size(); k++) assertArrayEquals(a.get(k), c.get(k), 0);
    }
}
