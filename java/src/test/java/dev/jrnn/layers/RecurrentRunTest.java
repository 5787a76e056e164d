package dev.jrnn.layers;

import dev.jrnn.Jrnn;
import dev.jrnn.backend.DTensor;
import dev.jrnn.model.FitOptions;
import dev.jrnn.model.Sequential;
import dev.jrnn.optim.SGD;
import dev.jrnn.tensor.Tensor;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The loop over time with truncated BPTT and padding: a sample's truncation windows count its real steps,
 * so one SGD step on a padded sample equals one step on the sample with its padding cut off.
 */
class RecurrentRunTest {
    static final int T = 6, I = 2, H = 3;

    @BeforeAll
    static void cpu() {
        Jrnn.setBackend("cpu");
    }

    /** One cell kind, direction and tbptt window: a fresh model of it. */
    static Sequential model(int kind, int direction, int tbptt, int steps, boolean masking) {
        RecurrentLayer rnn = switch (kind) {
            case 0 -> new SimpleRNN(H);
            case 1 -> new LSTM(H);
            default -> new GRU(H);
        };
        rnn.tbptt(tbptt);
        if (direction == 1) rnn.goBackwards(true);
        Layer first = direction == 2 ? new Bidirectional(rnn) : rnn;
        if (masking) return new Sequential(new Masking(0).inputShape(steps, I), first, new Dense(1));
        return new Sequential(first.inputShape(steps, I), new Dense(1));
    }

    static Tensor sample(long seed, int length, int steps) {
        SplittableRandom r = new SplittableRandom(seed);
        float[] d = new float[steps * I];
        for (int i = 0; i < length * I; i++) d[i] = (float) r.nextDouble(0.1, 1) * (r.nextBoolean() ? 1 : -1);
        return Tensor.of(d, 1, steps, I);
    }

    /** The weights after one SGD step on x (lengths null: none). */
    static List<Tensor> oneStep(Sequential m, List<Tensor> start, Tensor x, int[] lengths) {
        m.setWeights(start);
        m.compile(new SGD(0.5), "mse");
        m.fit(x, Tensor.of(new float[] {0.7f}, 1, 1), new FitOptions().epochs(1).batchSize(1).verbose(0)
                .shuffle(false).lengths(lengths));
        return m.getWeights();
    }

    @Test
    void paddedStepEqualsCutStepForEveryCellDirectionWindowAndLength() {
        for (int kind = 0; kind < 3; kind++)
            for (int direction = 0; direction < 3; direction++)
                for (int tbptt = 1; tbptt <= T; tbptt++) {
                    Jrnn.setSeed(kind * 100 + direction * 10 + tbptt);
                    try (Sequential padded = model(kind, direction, tbptt, T, false)) {
                        List<Tensor> start = padded.getWeights();
                        for (int len = 1; len <= T; len++) {
                            String where = "cell " + kind + ", direction " + direction + ", tbptt " + tbptt
                                    + ", length " + len;
                            Tensor x = sample(len, len, T);
                            List<Tensor> viaLengths = oneStep(padded, start, x, new int[] {len});
                            List<Tensor> cut;
                            try (Sequential m = model(kind, direction, tbptt, len, false)) {
                                cut = oneStep(m, start, sample(len, len, len), null);
                            }
                            assertSame(cut, viaLengths, where + " (lengths)");
                        }
                    }
                }
    }

    @Test
    void maskingLayerGivesTheCutStepToo() {
        for (int kind = 0; kind < 3; kind++)
            for (int direction = 0; direction < 3; direction++) {
                Jrnn.setSeed(7 + kind + direction);
                try (Sequential padded = model(kind, direction, 2, T, true)) {
                    List<Tensor> start = padded.getWeights();
                    for (int len = 1; len <= T; len++) {
                        List<Tensor> viaMask = oneStep(padded, start, sample(len, len, T), null);
                        List<Tensor> cut;
                        try (Sequential m = model(kind, direction, 2, len, true)) {
                            cut = oneStep(m, start, sample(len, len, len), null);
                        }
                        assertSame(cut, viaMask, "cell " + kind + ", direction " + direction + ", length " + len);
                    }
                }
            }
    }

    /** The reported case: LSTM(4).tbptt(2), T = 6; lengths up to 4 left the recurrent kernel unchanged. */
    @Test
    void shortPaddedSamplesMoveTheRecurrentKernel() {
        Jrnn.setSeed(3);
        try (Sequential m = new Sequential(new LSTM(4).tbptt(2).inputShape(T, I), new Dense(1))) {
            List<Tensor> start = m.getWeights();
            for (int len = 1; len <= T; len++) {
                List<Tensor> after = oneStep(m, start, sample(len, len, T), new int[] {len});
                double moved = maxDiff(start.get(1), after.get(1));   // kernel, recurrent kernel, bias
                if (len > 1) assertTrue(moved > 1e-4, "length " + len + ": recurrent kernel moved by " + moved);
            }
        }
    }

    /**
     * A backward told that no one takes dx (a model's input) returns null for it, skips its product, and leaves every
     * other gradient (weights, bias, dh0, dc0) as a full backward makes it, bit for bit; alone and in Bidirectional.
     */
    @Test
    void backwardWithoutInputGradientKeepsEveryOtherGradient() {
        for (String cell : new String[] {"rnn", "lstm", "gru"}) {
            for (boolean bi : new boolean[] {false, true}) {
                for (boolean initial : new boolean[] {false, true}) {
                    RecurrentLayer r = RecurrentLayerTest.make(cell, H).returnSequences(true);
                    Layer l = bi ? new Bidirectional(r) : r;
                    l.build(List.of(new int[] {T, I}));
                    SplittableRandom rng = new SplittableRandom(11);
                    List<Tensor> in = new java.util.ArrayList<>(List.of(LayerCheck.rand(rng, 1, 2, T, I)));
                    int states = RecurrentLayerTest.states(cell) * (bi ? 2 : 1);
                    if (initial) for (int k = 0; k < states; k++) in.add(LayerCheck.rand(rng, 1, 2, H));
                    Tensor dy = LayerCheck.rand(rng, 1, 2, T, bi ? 2 * H : H);
                    String where = (bi ? "Bidirectional " : "") + cell + (initial ? " with initial states" : "");
                    List<float[]> full = new java.util.ArrayList<>(), skipped = new java.util.ArrayList<>();
                    for (boolean wanted : new boolean[] {true, false}) {
                        List<float[]> got = wanted ? full : skipped;
                        l.zeroGrads();
                        List<DTensor> din = in.stream().map(t -> DTensor.from(l.backend(), t)).toList();
                        try (DTensor ddy = DTensor.from(l.backend(), dy); Trace t = l.forward(din, null, true)) {
                            List<DTensor> g = t.backward(List.of(ddy), k -> wanted || k > 0);
                            assertEquals(in.size(), g.size(), where);
                            if (wanted) assertTrue(g.get(0) != null, where + ": dx when asked");
                            else assertTrue(g.get(0) == null, where + ": no dx when no one takes it");
                            for (int k = 1; k < g.size(); k++) got.add(g.get(k).toTensor().data());
                            for (Param p : l.params()) {
                                float[] v = new float[(int) p.size()];
                                l.backend().download(p.grad(), p.offset(), v, 0, v.length);
                                got.add(v);
                            }
                        } finally {
                            din.forEach(DTensor::close);
                        }
                    }
                    assertEquals(full.size(), skipped.size(), where);
                    for (int i = 0; i < full.size(); i++) {
                        org.junit.jupiter.api.Assertions.assertArrayEquals(full.get(i), skipped.get(i), where + ": gradient " + i);
                    }
                }
            }
        }
    }

    static void assertSame(List<Tensor> want, List<Tensor> got, String where) {
        assertEquals(want.size(), got.size(), where);
        for (int i = 0; i < want.size(); i++) {
            double d = maxDiff(want.get(i), got.get(i));
            assertTrue(d <= 1e-6, where + ": weight " + i + " differs by " + d);
        }
    }

    static double maxDiff(Tensor a, Tensor b) {
        float[] x = a.data(), y = b.data();
        assertEquals(x.length, y.length);
        double m = 0;
        for (int i = 0; i < x.length; i++) m = Math.max(m, Math.abs(x[i] - y[i]));
        return m;
    }
}
