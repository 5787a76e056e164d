package dev.jrnn.model;

import dev.jrnn.layers.Node;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jrnn.Jrnn;
import dev.jrnn.backend.Backends;
import dev.jrnn.backend.RecordingBackend;
import dev.jrnn.layers.Bidirectional;
import dev.jrnn.layers.Dense;
import dev.jrnn.layers.Embedding;
import dev.jrnn.layers.GRU;
import dev.jrnn.layers.LSTM;
import dev.jrnn.layers.Masking;
import dev.jrnn.layers.RecurrentLayer;
import dev.jrnn.layers.RecurrentStack;
import dev.jrnn.layers.SimpleRNN;
import dev.jrnn.layers.TimeDistributed;
import dev.jrnn.optim.Adam;
import dev.jrnn.tensor.Tensor;
import java.util.List;
import java.util.SplittableRandom;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Models whose consecutive recurrent layers run as a {@link RecurrentStack} wavefront on a backend that
 * overlaps forks: which chains the model finds, and that training through them (eager and captured, in
 * every order a device could choose for the forked calls) gives the losses and weights of the plain
 * layer-by-layer CPU run, up to the order of the gradient sums.
 */
class WavefrontFitTest {
    @BeforeEach
    void fresh() {
        Jrnn.clearSession();
    }

    @AfterAll
    static void cpu() {
        Jrnn.setBackend("cpu");
    }

    /** Losses within 1e-5 and weights within 1e-4 (relative): the gradient sums add in another order. */
    private static void assertCloseRun(GraphReplayTest.Run plain, GraphReplayTest.Run run) {
        List<Double> a = plain.history().history().get("loss"), b = run.history().history().get("loss");
        for (int i = 0; i < a.size(); i++) assertEquals(a.get(i), b.get(i), 1e-5 * Math.abs(a.get(i)), "loss " + i);
        for (int w = 0; w < plain.weights().size(); w++) {
            float[] pw = plain.weights().get(w).data(), rw = run.weights().get(w).data();
            for (int k = 0; k < pw.length; k++) assertEquals(pw[k], rw[k], 1e-4 * Math.max(1, Math.abs(pw[k])), "weight " + w);
        }
    }

    private static int[] chains(Model m) {
        return Graph.recurrentChains(m.graph().calls, m.outputs());
    }

    @Test
    void chainsAreConsecutiveRecurrentLayersFeedingOnlyTheNext() {
        Sequential a = new Sequential(new LSTM(3).returnSequences(true).inputShape(5, 2), new GRU(2).returnSequences(true),
                new SimpleRNN(2), new Dense(1));
        assertArrayEquals(new int[] {2, -1, -1, -1}, chains(a), "LSTM -> GRU -> SimpleRNN, then Dense");
        Sequential b = new Sequential(new Embedding(9, 3).inputShape(5), new LSTM(3).returnSequences(true),
                new Bidirectional(new LSTM(2).returnSequences(true)), new LSTM(2).returnSequences(true), new GRU(2));
        assertArrayEquals(new int[] {-1, -1, -1, 4, -1}, chains(b), "Bidirectional is not a RecurrentLayer");
        Input in = Input.shape(5, 2);
        Node h = new LSTM(3).returnSequences(true).apply(in);
        Node y1 = new GRU(2).apply(h);
        Node y2 = new Dense(1).apply(h);   // h feeds two layers: no chain
        Model c = new Model(in, List.of(y1, y2));
        for (int e : chains(c)) assertEquals(-1, e);
        Node s = new LSTM(3).returnSequences(true).returnState(true).apply(Input.shape(5, 2));
        assertEquals(3, s.all().size());
    }

    @Test
    void stackedFitMatchesTheLayerByLayerRunInEveryOrder() {
        // T = 300, B = 4: chunks of 128 steps (the 512-row floor), so three chunks each way
        SplittableRandom r = new SplittableRandom(21);
        int n = 8, t = 300;
        Tensor x = GraphReplayTest.uniform(r, -1, 1, n, t, 2), y = GraphReplayTest.uniform(r, -1, 1, n, t, 1);
        float[] xs = x.data();
        for (int i = 0; i < n; i += 3) for (int s = t - 40; s < t; s++) for (int f = 0; f < 2; f++) xs[(i * t + s) * 2 + f] = 0f;
        Tensor xm = Tensor.of(xs, n, t, 2);
        Supplier<Model> make = () -> {
            Sequential m = new Sequential(new Masking(0.0).inputShape(t, 2), new LSTM(5).returnSequences(true),
                    new GRU(4).returnSequences(true), new SimpleRNN(3).returnSequences(true),
                    new TimeDistributed(new Dense(1)));
            m.compile(new Adam(0.01), "mse");
            return m;
        };
        // The model does run its LSTM -> GRU -> SimpleRNN chain as one stack (calls 1..3, behind Masking)
        RecordingBackend probe = new RecordingBackend(Backends.cpu()).overlapForks(true);
        Jrnn.setBackend(probe);
        Model pm = make.get();
        pm.predict(GraphReplayTest.uniform(r, -1, 1, 4, t, 2));   // builds the graph and the weights
        try (dev.jrnn.backend.DTensor xb = dev.jrnn.backend.DTensor.from(probe, GraphReplayTest.uniform(r, -1, 1, 4, t, 2));
             Pass p = Pass.forward(pm.graph(), pm.backend(), List.of(xb), null, true, false)) {
            assertEquals(java.util.Map.of(3, 1), p.stacks);
            assertEquals(List.of(4, t, 3), java.util.Arrays.stream(p.value(pm.graph().calls.get(3).outputs().get(0)).shape())
                    .boxed().toList());
        }
        FitOptions o = new FitOptions().epochs(2).batchSize(4).verbose(0).seed(3);
        GraphReplayTest.Run plain = GraphReplayTest.fit(Backends.cpu(), make, List.of(xm), List.of(y), o);
        GraphReplayTest.Run first = null;
        for (RecordingBackend.Interleave order : RecordingBackend.Interleave.values()) {
            for (boolean graphs : new boolean[] {false, true}) {
                RecordingBackend rec = new RecordingBackend(Backends.cpu()).overlapForks(true).interleave(order, 41);
                GraphReplayTest.Run run = GraphReplayTest.fit(rec, make, List.of(xm), List.of(y),
                        new FitOptions().epochs(2).batchSize(4).verbose(0).seed(3).cudaGraphs(graphs));
                List<RecurrentLayer> chain = List.of(new LSTM(5).returnSequences(true), new GRU(4).returnSequences(true),
                        new SimpleRNN(3).returnSequences(true));
                assertTrue(RecurrentStack.eligible(chain, rec, 4, t), "the chain runs as a wavefront");
                assertTrue(rec.forks > 0, order + ": no fork ran");
                if (first == null) first = run;
                else GraphReplayTest.assertSame(first, run);   // every order and graphs on/off: bit for bit
                assertCloseRun(plain, run);
            }
        }
    }

    @Test
    void aDecoderSeededWithInitialStatesIsNotTheBottomOfAStack() {
        // encoder states seed the decoder, whose sequence feeds a GRU: a stack would drop the initial states
        // (its bottom layer would run from zero states) and with them every gradient into the encoder
        SplittableRandom r = new SplittableRandom(8);
        int n = 4, t = 300;   // B = 4: chunks of 128 steps, as above
        Tensor xe = GraphReplayTest.uniform(r, -1, 1, n, 6, 2), xd = GraphReplayTest.uniform(r, -1, 1, n, t, 2);
        Tensor y = GraphReplayTest.uniform(r, -1, 1, n, t, 1);
        Supplier<Model> make = () -> {
            Input enc = Input.shape(6, 2);
            Input dec = Input.shape(t, 2);
            Node e = new LSTM(4).returnState(true).name("encoder").apply(enc);
            Node d = new LSTM(4).returnSequences(true).name("decoder").apply(List.of(dec, e.get(1), e.get(2)));
            Node out = new TimeDistributed(new Dense(1)).apply(new GRU(3).returnSequences(true).apply(d));
            Model m = new Model(List.of(enc, dec), List.of(out));
            m.compile(new Adam(0.01), "mse");
            return m;
        };
        Jrnn.setBackend(Backends.cpu());
        Jrnn.clearSession();
        for (int c : chains(make.get())) assertEquals(-1, c, "a layer with initial states starts no chain");
        FitOptions o = new FitOptions().epochs(2).batchSize(4).verbose(0).seed(3);
        GraphReplayTest.Run plain = GraphReplayTest.fit(Backends.cpu(), make, List.of(xe, xd), List.of(y), o);
        RecordingBackend rec = new RecordingBackend(Backends.cpu()).overlapForks(true);
        GraphReplayTest.Run run = GraphReplayTest.fit(rec, make, List.of(xe, xd), List.of(y),
                new FitOptions().epochs(2).batchSize(4).verbose(0).seed(3));
        assertEquals(0, rec.forks, "no wavefront forms: the decoder has initial states (and single layers do not fork)");
        assertCloseRun(plain, run);
    }

    @Test
    void withRealConcurrencyTheFitIsBitForBitTheRecordedOne() {
        // CpuBackend.create(true) runs the forks on a second thread: the chain's upper layers, Bidirectional's
        // backward direction really overlap the caller's work
        SplittableRandom r = new SplittableRandom(33);
        int n = 8, t = 300;
        Tensor x = GraphReplayTest.uniform(r, -1, 1, n, t, 3), y = GraphReplayTest.uniform(r, -1, 1, n, 1);
        Supplier<Model> make = () -> {
            Sequential m = new Sequential(new LSTM(6).returnSequences(true).inputShape(t, 3), new GRU(5).returnSequences(true),
                    new Bidirectional(new SimpleRNN(4).returnSequences(true)), new LSTM(4), new Dense(1));
            m.compile(new Adam(0.01), "mse");
            return m;
        };
        GraphReplayTest.Run want = GraphReplayTest.fit(new RecordingBackend(Backends.cpu()).overlapForks(true), make,
                List.of(x), List.of(y), new FitOptions().epochs(2).batchSize(4).verbose(0).seed(8));
        for (int rep = 0; rep < 3; rep++) {
            GraphReplayTest.Run got = GraphReplayTest.fit(dev.jrnn.backend.cpu.CpuBackend.create(true), make, List.of(x),
                    List.of(y), new FitOptions().epochs(2).batchSize(4).verbose(0).seed(8));
            GraphReplayTest.assertSame(want, got);
        }
    }
}
