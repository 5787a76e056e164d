package dev.jrnn.layers;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jrnn.Jrnn;
import dev.jrnn.backend.Backend;
import dev.jrnn.backend.Backends;
import dev.jrnn.backend.DTensor;
import dev.jrnn.backend.RecordingBackend;
import dev.jrnn.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * {@link RecurrentStack}: a chain of recurrent layers run as a wavefront (each chunk of steps through the
 * layers above on a second stream) gives the outputs, the input gradient and every weight gradient of
 * running the layers one after another (which the layer tests check against float64 references), up to
 * the order of the gradient sums; with its calls run in the orders a device could choose
 * ({@link RecordingBackend.Interleave}); and says when it applies.
 */
class RecurrentStackTest {
    /** A backend that overlaps forks, with chunks of one step (T = 7, B = 3 would otherwise not split). */
    static RecordingBackend splitting() {
        return new RecordingBackend(Backends.cpu()).overlapForks(true).minForkRows(1);
    }

    @AfterAll
    static void restore() {
        Jrnn.setBackend("cpu");
    }

    record Case(String name, Supplier<List<RecurrentLayer>> layers, boolean mask) {
        @Override
        public String toString() { return name; }
    }

    static Stream<Case> cases() {
        return Stream.of(
                new Case("LSTM -> LSTM (last output)", () -> List.of(new LSTM(4).returnSequences(true), new LSTM(3)), false),
                new Case("GRU -> SimpleRNN -> LSTM, sequences, masked", () -> List.of(new GRU(3).returnSequences(true),
                        new SimpleRNN(5).returnSequences(true), new LSTM(2).returnSequences(true)), true),
                new Case("LSTM(tbptt 2, relu) -> GRU(no bias), masked", () -> List.of(
                        new LSTM(3).activation("relu").tbptt(2).returnSequences(true), new GRU(4).useBias(false)), true),
                new Case("SimpleRNN(frozen) -> LSTM", () -> List.of(
                        new SimpleRNN(4).returnSequences(true).trainable(false), new LSTM(3).returnSequences(true)), false));
    }

    static Stream<Arguments> casesAndOrders() {
        return cases().flatMap(c -> Stream.of(RecordingBackend.Interleave.values()).map(o -> Arguments.of(c, o)));
    }

    record Result(List<float[]> outputs, float[] dx, List<float[]> grads) {}

    /** Builds the chain (seeded), runs forward and backward once, either layer by layer or as a stack. */
    static Result run(Backend be, Case c, boolean stacked) {
        return run(be, c, stacked, 3, 7, 2);
    }

    /** The chain run layer by layer on [B, T, I] input (each layer's own forks, if the backend overlaps them). */
    static Result runLayers(Backend be, Case c, int B, int T, int I) {
        return run(be, c, false, B, T, I);
    }

    static Result run(Backend be, Case c, boolean stacked, int B, int T, int I) {
        return run(be, c, stacked, B, T, I, true);
    }

    /** As above; without {@code wantDx} the stack's backward is told that no one takes dx (Result.dx null). */
    static Result run(Backend be, Case c, boolean stacked, int B, int T, int I, boolean wantDx) {
        Jrnn.setBackend(be);
        Jrnn.setSeed(17);
        List<RecurrentLayer> ls = c.layers().get();
        SplittableRandom rng = new SplittableRandom(5);
        Tensor xt = LayerCheck.rand(rng, 1, B, T, I);
        Tensor mt = null;
        if (c.mask()) {   // some padded steps in every row but the first, post-padding in the last
            float[][] mm = new float[B][T];
            for (int b = 0; b < B; b++) for (int t = 0; t < T; t++) mm[b][t] = b > 0 && (t * 7 + b * 3) % 5 == 0 ? 0f : 1f;
            for (int t = T - T / 3; t < T; t++) mm[B - 1][t] = 0f;
            mt = Tensor.of(mm);
        }
        int in = I;
        for (RecurrentLayer l : ls) {
            l.build(List.of(new int[] {T, in}));
            in = l.units;
        }
        SplittableRandom wr = new SplittableRandom(123);   // the same weights for both ways of running
        for (RecurrentLayer l : ls) {
            List<Tensor> w = new ArrayList<>();
            for (Param p : l.params()) w.add(LayerCheck.rand(wr, 0.5, p.shape()));
            l.setWeights(w);
            l.zeroGrads();
        }
        DTensor x = DTensor.from(be, xt);
        DTensor m = mt == null ? null : DTensor.from(be, mt);
        List<Trace> traces = new ArrayList<>();
        try {
            List<DTensor> outs;
            List<DTensor> dIn;
            if (stacked) {
                assertTrue(RecurrentStack.eligible(ls, be, B, T), "eligible");
                Trace t = RecurrentStack.forward(ls, x, m, true);
                traces.add(t);
                outs = t.outputs();
                dIn = t.backward(grads(be, outs), k -> wantDx);
            } else {
                DTensor h = x;
                DTensor hm = m;
                for (RecurrentLayer l : ls) {
                    Trace t = l.forward(List.of(h), hm, true);
                    traces.add(t);
                    h = t.outputs().get(0);
                    hm = t.outputMask();
                }
                outs = traces.get(traces.size() - 1).outputs();
                List<DTensor> d = grads(be, outs);
                for (int k = traces.size() - 1; k >= 0; k--) d = traces.get(k).backward(d);
                dIn = d;
            }
            List<float[]> o = new ArrayList<>();
            for (DTensor d : outs) o.add(d.toTensor().data());
            List<float[]> g = new ArrayList<>();
            for (RecurrentLayer l : ls) for (Param p : l.params()) g.add(p.getGrad().data());
            return new Result(o, dIn.get(0) == null ? null : dIn.get(0).toTensor().data(), g);
        } finally {
            for (int k = traces.size() - 1; k >= 0; k--) traces.get(k).close();
            x.close();
            if (m != null) m.close();
        }
    }

    /** Fixed pseudo-random output gradients shaped like the outputs. */
    static List<DTensor> grads(Backend be, List<DTensor> outs) {
        SplittableRandom r = new SplittableRandom(9);
        List<DTensor> d = new ArrayList<>();
        for (DTensor o : outs) d.add(DTensor.from(be, LayerCheck.rand(r, 1, o.shape())));
        return d;
    }

    static void assertClose(float[] want, float[] got, String what) {
        assertEquals(want.length, got.length, what);
        for (int i = 0; i < want.length; i++) {
            assertEquals(want[i], got[i], 2e-5 * Math.max(1, Math.abs(want[i])), what + "[" + i + "]");
        }
    }

    /** A stack told that no one takes dx (a model's input) returns none and the same weight gradients. */
    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void stackWithoutInputGradientKeepsTheWeightGradients(Case c) {
        Result want = run(Backends.cpu(), c, false);
        Result got = run(splitting().interleave(RecordingBackend.Interleave.values()[0], 5), c, true, 3, 7, 2, false);
        assertEquals(null, got.dx(), "no dx");
        for (int k = 0; k < want.grads().size(); k++) assertClose(want.grads().get(k), got.grads().get(k), "grad " + k);
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("casesAndOrders")
    void stackEqualsLayerByLayer(Case c, RecordingBackend.Interleave order) {
        Result want = run(Backends.cpu(), c, false);
        RecordingBackend be = splitting().interleave(order, 3 + c.name().hashCode());
        Result got = run(be, c, true);
        assertEquals(want.outputs().size(), got.outputs().size());
        for (int k = 0; k < want.outputs().size(); k++) assertClose(want.outputs().get(k), got.outputs().get(k), "output " + k);
        assertClose(want.dx(), got.dx(), "dx");
        for (int k = 0; k < want.grads().size(); k++) assertClose(want.grads().get(k), got.grads().get(k), "grad " + k);
        assertTrue(be.forks >= 2 * 7, "one fork per chunk each way, got " + be.forks);
    }

    @Test
    void eligibilityFollowsTheRules() {
        RecordingBackend on = splitting();
        Backend off = Backends.cpu();
        Jrnn.setBackend(on);
        Supplier<List<RecurrentLayer>> ok = () -> List.of(new LSTM(2).returnSequences(true), new GRU(2));
        assertTrue(RecurrentStack.eligible(ok.get(), on, 3, 7));
        assertFalse(RecurrentStack.eligible(ok.get(), off, 3, 7), "a backend without overlapping forks");
        assertFalse(RecurrentStack.eligible(List.of(new LSTM(2).returnSequences(true)), on, 3, 7), "one layer");
        assertFalse(RecurrentStack.eligible(List.of(new LSTM(2), new GRU(2)), on, 3, 7), "lower layer not returning sequences");
        assertFalse(RecurrentStack.eligible(List.of(new LSTM(2).returnSequences(true).goBackwards(true), new GRU(2)), on, 3, 7),
                "goBackwards");
        assertFalse(RecurrentStack.eligible(List.of(new LSTM(2).returnSequences(true), new GRU(2).returnState(true)), on, 3, 7),
                "returnState");
        assertFalse(RecurrentStack.eligible(List.of(new LSTM(2).returnSequences(true).zeroOutputForMask(true), new GRU(2)), on,
                3, 7), "zeroOutputForMask");
        assertFalse(RecurrentStack.eligible(ok.get(), new RecordingBackend(Backends.cpu()).overlapForks(true), 3, 7),
                "a single chunk of the default 512 rows");
        Jrnn.setBackend(off);
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> {
            try (DTensor x = DTensor.from(off, Tensor.zeros(3, 7, 2))) {
                RecurrentStack.forward(ok.get(), x, null, true);
            }
        });
        assertTrue(e.getMessage().contains("eligible"), e.getMessage());
    }
}
