package dev.jrnn.layers.check;

import dev.jrnn.Jrnn;
import dev.jrnn.backend.Backend;
import dev.jrnn.backend.Buf;
import dev.jrnn.backend.DTensor;
import dev.jrnn.backend.cpu.CpuBackend;
import dev.jrnn.layers.Bidirectional;
import dev.jrnn.layers.Dense;
import dev.jrnn.layers.GRU;
import dev.jrnn.layers.LSTM;
import dev.jrnn.layers.Masking;
import dev.jrnn.layers.RecurrentLayer;
import dev.jrnn.layers.RecurrentStack;
import dev.jrnn.layers.SimpleRNN;
import dev.jrnn.layers.TimeDistributed;
import dev.jrnn.layers.Trace;
import dev.jrnn.model.FitOptions;
import dev.jrnn.model.Sequential;
import dev.jrnn.tensor.Tensor;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.function.Supplier;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The recurrent layers allocate their activations and gradients with {@code Backend.empty} (not zero-filled):
 * every case of {@link RecurrentGradTest} (each cell over every option), of {@link RecurrentDropoutGradTest} and of
 * {@link BidirectionalGradTest}'s wrapped layers, a chain of layers, a fitted model whose layers run as one
 * {@code RecurrentStack}, and shapes big enough for the CPU's blocked and column-split sequence paths and the
 * backend's array pool, gives the same bits of every output and gradient on a backend whose empty buffers come
 * filled with NaN as on the normal one. An element read before it is written would carry the NaN into what comes
 * out. Each check runs twice: on the whole-sequence path, and with forks on (the per-step path; stacked layers as
 * one wavefront).
 */
class EmptyBuffersTest {
    private static final CpuBackend PLAIN = CpuBackend.create(false), NAN = CpuBackend.createNanEmpty(false, 1);
    private static final CpuBackend PLAIN_FORKS = CpuBackend.create(true, 1), NAN_FORKS = CpuBackend.createNanEmpty(true, 1);

    @BeforeAll
    static void cpu() { Jrnn.setBackend(PLAIN); }

    @AfterAll
    static void restore() {
        Jrnn.setBackend("cpu");
        for (CpuBackend be : List.of(PLAIN, NAN, PLAIN_FORKS, NAN_FORKS)) be.close();
    }

    @Test
    void emptyBuffersOfTheNanBackendAreNanAndAllocStillZeroes() {
        int n = 1 << 16;   // pooled (ArrayPool.MIN_FLOATS)
        float[] a = new float[n], e = new float[n];
        for (CpuBackend be : List.of(NAN, PLAIN)) {
            try (Buf dirty = be.alloc(n)) {
                be.fill(dirty, 0, n, 3f);
            }
            try (Buf z = be.alloc(n)) {   // the pool's array that dirty left: zeroed again
                be.download(z, 0, a, 0, n);
            }
            for (float v : a) assertEquals(0f, v);
            try (Buf m = be.empty(n)) {   // the same array, not zeroed: NaN-filled, or as the last buffer left it
                assertEquals(n, m.size());
                be.fill(m, 0, n, 3f);
            }
            try (Buf m = be.empty(n)) {
                be.download(m, 0, e, 0, n);
            }
            for (float v : e) assertEquals(be == NAN ? Float.NaN : 3f, v);
        }
    }

    /** No steps: the outputs are the initial (zero) states, as with zero-filled buffers. */
    @Test
    void zeroSteps() {
        for (CpuBackend be : List.of(PLAIN, NAN, PLAIN_FORKS, NAN_FORKS)) {
            Jrnn.setBackend(be);
            for (RecurrentLayer l : List.<RecurrentLayer>of(new GRU(3), new GRU(3).resetAfter(false), new LSTM(3), new SimpleRNN(3))) {
                l.returnState(true);
                l.build(List.of(new int[] {4, 2}));
                try (DTensor x = DTensor.zeros(be, 2, 0, 2); Trace t = l.forward(List.of(x), null, true)) {
                    assertEquals(1 + l.stateCount(), t.outputs().size(), () -> l + ": y and the states");
                    for (DTensor o : t.outputs()) {
                        assertArrayEquals(new int[] {2, 3}, o.shape(), () -> l + " on " + be + ": [batch, units]");
                        for (float v : o.toTensor().data()) assertEquals(0f, v, () -> l + " on " + be + ": no steps");
                    }
                }
            }
        }
    }

    /** Outputs, then the gradient of every variable in the problem's order (null where jrnn gives none). */
    private static List<double[]> run(Backend be, Supplier<GradCheck.Problem> make) {
        Jrnn.setBackend(be);
        GradCheck.Problem p = make.get();
        SplittableRandom rnd = new SplittableRandom(77);
        List<double[]> r = new ArrayList<>();
        for (double[] o : p.reference(Ref.Tape.recording())) r.add(GradCheck.uniform(rnd, o.length, 1.0));
        GradCheck.JrnnOut out = p.jrnn(r);
        List<double[]> all = new ArrayList<>(out.outputs());
        for (GradCheck.Var v : p.vars) all.add(out.grads().get(v));
        return all;
    }

    private static void sameBits(String label, Supplier<GradCheck.Problem> make) {
        sameBits(label, run(PLAIN, make), run(NAN, make));
        sameBits(label + " (forks)", run(PLAIN_FORKS, make), run(NAN_FORKS, make));
    }

    private static void sameBits(String label, List<double[]> plain, List<double[]> nan) {
        assertEquals(plain.size(), nan.size(), label);
        for (int i = 0; i < plain.size(); i++) {
            int ii = i;
            if (plain.get(i) == null) continue;
            assertNotNull(nan.get(i), () -> label + ": result " + ii);
            for (double v : plain.get(i)) assertTrue(Double.isFinite(v), () -> label + ": result " + ii + " is not finite");
            assertArrayEquals(plain.get(i), nan.get(i), () -> label + ": result " + ii + " differs with NaN-filled empty buffers");
        }
    }

    private static Supplier<GradCheck.Problem> rnn(Cases.RnnCase c, double dropout, double recurrentDropout) {
        return () -> {
            RecurrentLayer l = RecurrentGradTest.layer(c);
            if (dropout > 0 || recurrentDropout > 0) l.dropout(dropout).recurrentDropout(recurrentDropout).seed(c.seed());
            return new RnnProblem(c.layerName(), c.toString(), c.spec(), c.batch(), c.steps(), c.inputs(), c.initState(),
                    c.mask(), c.seed(), l);
        };
    }

    static List<Cases.RnnCase> allRnn() { return Cases.allRnn(); }

    @ParameterizedTest(name = "{0}")
    @MethodSource("allRnn")
    void everyRecurrentOption(Cases.RnnCase c) {
        sameBits(c.toString(), rnn(c, 0, 0));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.jrnn.layers.check.RecurrentDropoutGradTest#cases")
    void recurrentDropout(RecurrentDropoutGradTest.DropCase d) {
        sameBits(d.toString(), rnn(d.c(), d.dropout(), d.recurrentDropout()));
    }

    @Test
    void bidirectional() {
        for (Object[] o : BidiProblem.cases()) {
            Cases.RnnCase c = (Cases.RnnCase) o[0];
            String merge = (String) o[1];
            sameBits("Bidirectional " + c + " " + merge, () -> new BidiProblem("Bidirectional(" + c.layerName() + ")", c,
                    merge, BidirectionalGradTest.wrap(c).mergeMode(merge)));
        }
    }

    /** Layers one after another (each its own forward and backward): outputs of one are the next one's inputs. */
    @Test
    void chainOfLayers() {
        sameBits("GRU(seq, backwards, tbptt=3) -> SimpleRNN(seq) -> LSTM(seq) -> TimeDistributed(Dense), masked", () ->
                new StackedGradTest.Chain("stack", List.of(
                        new StackedGradTest.RnnStage(new Ref.Rnn(Ref.Cell.GRU, 3, "tanh", "sigmoid", true, true, false, true, 3),
                                new GRU(3).returnSequences(true).goBackwards(true).tbptt(3)),
                        new StackedGradTest.RnnStage(new Ref.Rnn(Ref.Cell.SIMPLE_RNN, 2, "tanh", "sigmoid", true, true, false,
                                false, 0), new SimpleRNN(2).returnSequences(true)),
                        new StackedGradTest.RnnStage(new Ref.Rnn(Ref.Cell.LSTM, 2, "tanh", "sigmoid", true, true, false, false, 0),
                                new LSTM(2).returnSequences(true)),
                        new StackedGradTest.DenseStage(2, "sigmoid", true, new TimeDistributed(new Dense(2).activation("sigmoid")))),
                        3, 5, 2, 0, true, 400));
    }

    /** Two epochs of a model whose LSTM -> GRU -> SimpleRNN chain runs as one stack when forks are on. */
    @Test
    void fitOfAStackedModel() {
        List<RecurrentLayer> chain = List.of(new LSTM(5).returnSequences(true), new GRU(4).returnSequences(true),
                new SimpleRNN(3).returnSequences(true));
        assertTrue(RecurrentStack.eligible(chain, NAN_FORKS, 4, 6), "the chain runs as a wavefront with forks");
        assertFalse(RecurrentStack.eligible(chain, NAN, 4, 6), "and layer by layer without");
        SplittableRandom r = new SplittableRandom(5);
        int n = 8, t = 6;
        float[] xs = new float[n * t * 2], ys = new float[n * t];
        for (int i = 0; i < xs.length; i++) xs[i] = (float) r.nextDouble(-1, 1);
        for (int i = 0; i < ys.length; i++) ys[i] = (float) r.nextDouble(-1, 1);
        for (int s = t - 2; s < t; s++) for (int f = 0; f < 2; f++) xs[(3 * t + s) * 2 + f] = 0f;   // sample 3 masked at the end
        Tensor x = Tensor.of(xs, n, t, 2), y = Tensor.of(ys, n, t, 1);
        for (CpuBackend[] pair : new CpuBackend[][] {{PLAIN, NAN}, {PLAIN_FORKS, NAN_FORKS}}) {
            List<List<Tensor>> w = new ArrayList<>();
            for (CpuBackend be : pair) {
                Jrnn.setBackend(be);
                Jrnn.clearSession();
                Jrnn.setSeed(1234);
                Sequential m = new Sequential(new Masking(0.0).inputShape(t, 2), new LSTM(5).returnSequences(true),
                        new GRU(4).returnSequences(true), new SimpleRNN(3).returnSequences(true),
                        new TimeDistributed(new Dense(1)));
                m.compile("adam", "mse");
                m.fit(x, y, new FitOptions().epochs(2).batchSize(4).verbose(0).seed(3));
                w.add(m.getWeights());
            }
            for (int i = 0; i < w.get(0).size(); i++) {
                assertArrayEquals(w.get(0).get(i).data(), w.get(1).get(i).data(), "forks " + pair[0].overlapsForks() + ": weight " + i);
            }
        }
    }

    /**
     * Shapes where the CPU's whole-sequence path (on 2 or more cores) splits the batch into blocks over the cores, or
     * (a batch of 8) splits each step's product by columns; their p holds at least ArrayPool.MIN_FLOATS floats, so in
     * the second round the plain backend's empty buffers are the first round's arrays, not zeroed.
     */
    @Test
    void blockedAndColumnSplitSequences() {
        List<Cases.RnnCase> big = List.of(
                new Cases.RnnCase(Ref.Cell.LSTM, "tanh", true, true, true, false, false, false, 0, 24, 16, 8, 48, 9101),
                new Cases.RnnCase(Ref.Cell.GRU, "tanh", true, false, false, true, true, false, 0, 32, 16, 8, 48, 9102),
                new Cases.RnnCase(Ref.Cell.SIMPLE_RNN, "tanh", true, true, false, false, false, true, 3, 40, 20, 6, 96, 9103),
                new Cases.RnnCase(Ref.Cell.LSTM, "tanh", true, false, false, false, false, false, 0, 8, 8, 8, 256, 9104),
                new Cases.RnnCase(Ref.Cell.GRU_RESET_BEFORE, "tanh", true, true, false, false, false, false, 0, 32, 16, 8, 48, 9105));
        for (Cases.RnnCase c : big) {
            for (int round = 0; round < 2; round++) sameBits(c + " round " + round, rnn(c, 0, 0));
        }
    }
}
