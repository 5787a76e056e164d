package dev.jrnn.layers;

import dev.jrnn.Jrnn;
import dev.jrnn.tensor.Tensor;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.function.Supplier;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Stateful recurrent layers (Keras' {@code stateful=True}) called directly: carried states, resetStates, batch size. */
public class RecurrentStatesTest {
    static final int B = 2, T = 6, F = 3, H = 4;

    @BeforeEach
    void session() {
        Jrnn.setBackend("cpu");
        Jrnn.clearSession();
        Jrnn.setSeed(5);
    }

    public static Tensor random(long seed, int... shape) {
        SplittableRandom r = new SplittableRandom(seed);
        float[] d = new float[(int) Tensor.size(shape)];
        for (int i = 0; i < d.length; i++) d[i] = (float) (r.nextDouble() * 2 - 1);
        return Tensor.wrap(d, shape);
    }

    /** Timesteps [from, to) of x [B, T, F]. */
    public static Tensor steps(Tensor x, int from, int to) {
        int b = x.dim(0), t = x.dim(1), f = x.dim(2);
        float[] d = new float[b * (to - from) * f];
        for (int i = 0; i < b; i++) System.arraycopy(x.data(), (i * t + from) * f, d, i * (to - from) * f, (to - from) * f);
        return Tensor.wrap(d, b, to - from, f);
    }

    static RecurrentLayer make(String kind) {
        return switch (kind) {
            case "SimpleRNN" -> new SimpleRNN(H);
            case "LSTM" -> new LSTM(H);
            default -> new GRU(H);
        };
    }

    /** A stateful copy of {@code plain} (built, same weights). */
    static RecurrentLayer statefulCopy(String kind, RecurrentLayer plain) {
        RecurrentLayer s = make(kind).returnSequences(true).stateful(true);
        s.build(new int[] {-1, F});
        s.setWeights(plain.getWeights());
        return s;
    }

    @ParameterizedTest
    @ValueSource(strings = {"SimpleRNN", "LSTM", "GRU"})
    void twoHalvesCarryTheStatesAsTheWholeSequence(String kind) {
        Tensor x = random(1, B, T, F);
        RecurrentLayer plain = make(kind).returnSequences(true);
        Tensor whole = plain.call(x);
        RecurrentLayer s = statefulCopy(kind, plain);
        Tensor first = s.call(steps(x, 0, T / 2)), second = s.call(steps(x, T / 2, T));
        assertArrayEquals(steps(whole, 0, T / 2).data(), first.data(), 1e-6f);
        assertArrayEquals(steps(whole, T / 2, T).data(), second.data(), 1e-5f, kind + ": the second half starts from the first's states");
        // the carried states are the whole sequence's last ones
        RecurrentLayer ref = make(kind).returnState(true);
        ref.build(new int[] {-1, F});
        ref.setWeights(plain.getWeights());
        List<Tensor> last = ref.callWithStates(x).subList(1, 1 + s.stateCount());
        for (int i = 0; i < s.stateCount(); i++) assertArrayEquals(last.get(i).data(), s.states().get(i).data(), 1e-5f);
    }

    @Test
    void resetStatesGivesZerosAndAFreshStart() {
        Tensor x = random(2, B, T, F);
        LSTM plain = new LSTM(H).returnSequences(true);
        Tensor fresh = plain.call(x);
        RecurrentLayer s = statefulCopy("LSTM", plain);
        Tensor a = s.call(x);
        assertArrayEquals(fresh.data(), a.data(), 1e-6f);
        assertFalse(distinct(s.states()).equals(List.of(0f)), "states carried after a batch");
        Tensor b = s.call(x);
        assertFalse(java.util.Arrays.equals(a.data(), b.data()), "the second call starts from the first's states");
        s.resetStates();
        for (Tensor st : s.states()) {
            assertArrayEquals(new int[] {B, H}, st.shape());
            assertEquals(List.of(0f), distinct(List.of(st)));
        }
        assertArrayEquals(fresh.data(), s.call(x).data(), 1e-6f, "after resetStates the layer starts from zeros again");
    }

    @Test
    void resetStatesWithValuesIsAnInitialState() {
        Tensor x = random(3, B, T, F);
        GRU plain = new GRU(H).returnSequences(true);
        plain.call(x);
        RecurrentLayer s = statefulCopy("GRU", plain);
        Tensor h0 = random(4, B, H);
        s.resetStates(List.of(h0));
        Tensor want = plain.callAll(List.of(x, h0)).get(0);
        assertArrayEquals(want.data(), s.call(x).data(), 1e-6f);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> s.resetStates(List.of(random(5, 3, H))));
        assertTrue(e.getMessage().contains("expected state 0 of shape (2, 4), got (3, 4)"), e.getMessage());
    }

    @Test
    void resetStatesOfTwoBatchSizesIsRefusedBeforeAnyStateIsSet() {
        // no batch size yet: h of 2 rows and c of 4 were taken one by one, so c overran the 2-row state it allocated
        // ("upload: dst span [0, 32) is outside its buffer") and the layer was left fixed to batches of 2
        LSTM s = new LSTM(H).stateful(true);
        s.build(new int[] {-1, F});
        LSTM plain = new LSTM(H);
        plain.build(new int[] {-1, F});
        plain.setWeights(s.getWeights());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> s.resetStates(List.of(random(1, 2, H), random(2, 4, H))));
        assertTrue(e.getMessage().contains("expected state 1 of shape (2, 4) (the batch of state 0), got (4, 4)"), e.getMessage());
        Tensor x = random(3, 3, T, F);
        assertArrayEquals(plain.call(x).data(), s.call(x).data(), 1e-6f, "a batch of 3 still runs, from zeros");
    }

    @Test
    void anotherBatchSizeIsRefusedNamingTheExpectedOne() {
        LSTM s = new LSTM(H).stateful(true);
        s.call(random(6, B, T, F));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> s.call(random(7, 3, T, F)));
        assertTrue(e.getMessage().contains("a stateful layer runs on batches of 2"), e.getMessage());
        assertTrue(e.getMessage().contains("got a batch of 3"), e.getMessage());
        // batchInputShape fixes it before the first call
        SimpleRNN d = new SimpleRNN(H).stateful(true).batchInputShape(4, T, F);
        e = assertThrows(IllegalArgumentException.class, () -> d.call(random(8, B, T, F)));
        assertTrue(e.getMessage().contains("runs on batches of 4"), e.getMessage());
    }

    @Test
    void onlyStatefulLayersHaveStates() {
        LSTM plain = new LSTM(H);
        IllegalStateException e = assertThrows(IllegalStateException.class, plain::resetStates);
        assertTrue(e.getMessage().contains("not stateful"), e.getMessage());
        assertThrows(IllegalStateException.class, () -> new Dense(2).resetStates());
        assertFalse(new Dense(2).stateful());
        plain.build(new int[] {-1, F});
        assertThrows(IllegalStateException.class, () -> plain.stateful(true), "set before the layer is built");
        assertThrows(IllegalStateException.class, () -> new LSTM(H).stateful(true).states(), "no batch size yet");
    }

    @Test
    void aStatefulLayerNeedsAFixedBatchInAGraph() {
        Node in = new Node(new Dense(1), new int[] {T, F}, -1) {};
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new LSTM(H).stateful(true).apply(in));
        assertTrue(e.getMessage().contains("a stateful layer needs a fixed batch size"), e.getMessage());
        assertTrue(e.getMessage().contains("batchInputShape") && e.getMessage().contains("Input.batchShape"), e.getMessage());
    }

    @Test
    void bidirectionalCarriesBothDirections() {
        Tensor x = random(9, B, T, F);
        Supplier<Bidirectional> make = () -> new Bidirectional(new LSTM(H).returnSequences(true).returnState(true));
        Bidirectional plain = make.get();
        plain.callWithStates(steps(x, 0, T / 2));
        Bidirectional s = new Bidirectional(new LSTM(H).returnSequences(true).stateful(true));
        s.build(new int[] {-1, F});
        s.setWeights(plain.getWeights());
        assertTrue(s.stateful());
        assertTrue(s.backwardLayer().stateful(), "the backward copy is stateful too");
        s.call(steps(x, 0, T / 2));
        Tensor second = s.call(steps(x, T / 2, T));
        // reference: the second half from the first half's last states of each direction, given as initial states
        List<Tensor> firstOut = plain.callWithStates(steps(x, 0, T / 2));
        List<Tensor> in = new ArrayList<>();
        in.add(steps(x, T / 2, T));
        in.addAll(firstOut.subList(1, 5));
        assertArrayEquals(plain.callAll(in).get(0).data(), second.data(), 1e-5f);
        s.resetStates();
        for (RecurrentLayer l : List.of(s.forwardLayer(), s.backwardLayer())) assertEquals(List.of(0f), distinct(l.states()));
    }

    private static List<Float> distinct(List<Tensor> ts) {
        List<Float> r = new ArrayList<>();
        for (Tensor t : ts) for (float v : t.data()) if (!r.contains(v)) r.add(v);
        return r;
    }

    /**
     * Keras resets no states in fit: the validation batches continue the training batches' states and the next epoch starts
     * from the validation's (a stateful model is reset by the user, e.g. a callback). Two epochs of SGD(1) on 4 samples with
     * 2 validation samples against torch float64 ({@code make_rnn_corners_golden.py}): the losses, the validation losses and
     * the states left.
     */
    @Test
    void fitCarriesTheStatesThroughTheValidationIntoTheNextEpochAsKeras() {
        LSTM lstm = new LSTM(3).stateful(true).batchInputShape(2, 3, 2);
        Dense dense = new Dense(1);
        dev.jrnn.model.Sequential m = new dev.jrnn.model.Sequential(lstm, dense);
        RecurrentKerasSemanticsTest.setDet(lstm, 310);
        RecurrentKerasSemanticsTest.setDet(dense, 320);
        m.compile(new dev.jrnn.optim.SGD(1.0), "mse");
        dev.jrnn.model.History h = m.fit(Tensor.of(RecurrentKerasSemanticsTest.det(24, 300), 4, 3, 2),
                Tensor.of(RecurrentKerasSemanticsTest.det(4, 304), 4, 1), new dev.jrnn.model.FitOptions().epochs(2).batchSize(2)
                        .shuffle(false).verbose(0).validationData(Tensor.of(RecurrentKerasSemanticsTest.det(12, 305), 2, 3, 2),
                                Tensor.of(RecurrentKerasSemanticsTest.det(2, 306), 2, 1)));
        for (int e = 0; e < 2; e++) {
            assertEquals(STATEFUL_LOSS_VAL_LOSS[2 * e], h.history().get("loss").get(e), 1e-6, "loss " + e);
            assertEquals(STATEFUL_LOSS_VAL_LOSS[2 * e + 1], h.history().get("val_loss").get(e), 1e-6, "val_loss " + e);
        }
        RecurrentKerasSemanticsTest.assertClose(STATEFUL_H, lstm.states().get(0).data(), 1e-6, "h");
        RecurrentKerasSemanticsTest.assertClose(STATEFUL_C, lstm.states().get(1).data(), 1e-6, "c");
    }

    // ---- pasted from make_rnn_corners_golden.py's output
    static final float[] STATEFUL_LOSS_VAL_LOSS = {0.147295419f, 0.0858656774f, 0.172881247f, 0.120201541f};
    static final float[] STATEFUL_H = {-0.142848713f, 0.0619164874f, 0.0961292296f, -0.107895107f, 0.0731483658f, 0.102869645f};
    static final float[] STATEFUL_C = {-0.265896726f, 0.148701711f, 0.245084776f, -0.224092517f, 0.188503184f, 0.235825863f};
}
