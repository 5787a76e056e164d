package dev.jrnn.model;

import dev.jrnn.Jrnn;
import dev.jrnn.layers.Dense;
import dev.jrnn.layers.LSTM;
import dev.jrnn.layers.Node;
import dev.jrnn.layers.RecurrentLayer;
import dev.jrnn.optim.SGD;
import dev.jrnn.tensor.Tensor;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static dev.jrnn.layers.RecurrentStatesTest.random;
import static dev.jrnn.layers.RecurrentStatesTest.steps;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Models with stateful layers (Keras' {@code stateful=True} with {@code batch_input_shape}): states carried across the
 * batches of predict, evaluate and fit, the gradient cut at the batch boundary, resetStates, the batch size checks.
 */
class StatefulBatchTest {
    static final int B = 2, T = 6, F = 3, H = 4;

    @TempDir
    Path dir;

    @BeforeEach
    void session() {
        Jrnn.setBackend("cpu");
        Jrnn.clearSession();
        Jrnn.setSeed(11);
    }

    /** The batches {@code parts} one after another (samples first). */
    static Tensor rows(Tensor... parts) {
        List<Float> all = new ArrayList<>();
        int n = 0;
        for (Tensor p : parts) {
            for (float v : p.data()) all.add(v);
            n += p.dim(0);
        }
        float[] d = new float[all.size()];
        for (int i = 0; i < d.length; i++) d[i] = all.get(i);
        int[] shape = parts[0].shape();
        shape[0] = n;
        return Tensor.wrap(d, shape);
    }

    static Sequential statefulLstm(boolean sequences) {
        return new Sequential(new LSTM(H).returnSequences(sequences).stateful(true).batchInputShape(B, T / 2, F), new Dense(1));
    }

    static LSTM lstm(Model m) { return (LSTM) m.layers().get(0); }

    @Test
    void predictCarriesTheStatesFromBatchToBatch() {
        Tensor x = random(1, B, T, F);
        Sequential plain = new Sequential(new LSTM(H).returnSequences(true).inputShape(T, F), new Dense(1));
        Sequential s = statefulLstm(true);
        s.setWeights(plain.getWeights());
        Tensor whole = plain.predict(x);
        // sample i of the second batch continues sample i of the first (Keras' stateful contract)
        Tensor p = s.predict(rows(steps(x, 0, T / 2), steps(x, T / 2, T)));
        assertArrayEquals(rows(steps(whole, 0, T / 2), steps(whole, T / 2, T)).data(), p.data(), 1e-5f);
        s.resetStates();
        assertArrayEquals(steps(whole, 0, T / 2).data(), s.predict(steps(x, 0, T / 2)).data(), 1e-6f, "from zeros after resetStates");
        for (Tensor st : lstm(s).states()) for (float v : st.data()) assertTrue(v != 0f, "predict advanced the states");
        s.resetStates();
        for (Tensor st : lstm(s).states()) for (float v : st.data()) assertEquals(0f, v);
    }

    @Test
    void trainingCutsTheGradientAtTheBatchBoundary() {
        Tensor x = random(2, B, T, F), y = random(3, B, 1);
        Tensor x1 = steps(x, 0, T / 2), x2 = steps(x, T / 2, T);
        Sequential s = statefulLstm(false);
        s.compile(new SGD(0.5), "mse");
        List<Tensor> w0 = s.getWeights();
        // reference: the second half alone, its initial states the first half's last states given as (constant) inputs
        LSTM first = new LSTM(H).returnState(true);
        first.build(new int[] {-1, F});
        first.setWeights(w0.subList(0, 3));
        List<Tensor> hc = first.callWithStates(x1);
        Input in = Input.shape(T / 2, F), h0 = Input.shape(H), c0 = Input.shape(H);
        Node out = new Dense(1).apply(new LSTM(H).apply(in, h0, c0));
        Model ref = new Model(List.of(in, h0, c0), List.of(out));
        ref.setWeights(w0);
        ref.compile(new SGD(0.5), "mse");
        FitOptions one = new FitOptions().epochs(1).verbose(0).shuffle(false);

        s.predict(x1);   // advances the states by the first half
        s.fit(x2, y, one);
        ref.fit(List.of(x2, hc.get(1), hc.get(2)), List.of(y), one);
        List<Tensor> ws = s.getWeights(), wr = ref.getWeights();
        for (int i = 0; i < ws.size(); i++) assertArrayEquals(wr.get(i).data(), ws.get(i).data(), 1e-5f, "weight " + i);
        // and not full backpropagation through both halves: that changes the weights otherwise
        Sequential full = new Sequential(new LSTM(H).inputShape(T, F), new Dense(1));
        full.setWeights(w0);
        full.compile(new SGD(0.5), "mse");
        full.fit(x, y, one);
        double diff = 0;
        for (int i = 0; i < 3; i++) {
            float[] a = full.getWeights().get(i).data(), b = ws.get(i).data();
            for (int j = 0; j < a.length; j++) diff = Math.max(diff, Math.abs(a[j] - b[j]));
        }
        assertTrue(diff > 1e-4, "the truncated gradient differs from the full one: " + diff);
    }

    @Test
    void fitAndEvaluateUseTheFixedBatchSizeAndAdvanceTheStates() {
        Sequential s = statefulLstm(false);
        s.compile("adam", "mse");
        Tensor x = random(4, 4 * B, T / 2, F), y = random(5, 4 * B, 1);
        // no batch size given: the fixed one, not 32 (Keras infers it from the input); shuffle is allowed, as in Keras
        History h = s.fit(x, y, new FitOptions().epochs(2).verbose(0).callbacks(Callback.onEpochEnd((e, l) -> lstm(s).resetStates())));
        assertEquals(2, h.get("loss").size());
        s.resetStates();
        double a = s.evaluate(x, y);
        double b = s.evaluate(x, y);
        assertTrue(a != b, "the second evaluation starts from the states the first left");
        s.resetStates();
        assertEquals(a, s.evaluate(x, y), 1e-9);
    }

    @Test
    void aBatchSizeThatIsNotTheFixedOneIsRefusedNamingIt() {
        Sequential s = statefulLstm(false);
        s.compile("adam", "mse");
        Tensor x = random(6, 4, T / 2, F), y = random(7, 4, 1);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> s.fit(x, y, 1, 3));
        assertTrue(e.getMessage().contains("the batch size 3 is incompatible with the batch size 2"), e.getMessage());
        assertTrue(e.getMessage().contains("stateful layer lstm"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> s.predict(random(8, 5, T / 2, F)));
        assertTrue(e.getMessage().contains("the number of samples must be a multiple of the batch size 2, found 5 samples"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> s.fit(x, y, new FitOptions().validationSplit(0.25).verbose(0)));
        assertTrue(e.getMessage().contains("found 3 samples"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> s.evaluateAll(List.of(x), List.of(y), 4, null));
        assertTrue(e.getMessage().startsWith(s.name() + ".evaluate: the batch size 4"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> s.fit(x, y, new FitOptions().validationData(x, y).validationBatchSize(4).verbose(0)));
        assertTrue(e.getMessage().startsWith(s.name() + ".fit (validation data): the batch size 4 is incompatible with the batch size 2"), e.getMessage());
        for (Tensor st : lstm(s).states()) for (float v : st.data()) assertEquals(0f, v, "nothing ran");
        // a stateful layer without a fixed batch size: refused when the model is made, as Keras does
        e = assertThrows(IllegalArgumentException.class, () -> new Sequential(new LSTM(H).stateful(true).inputShape(T, F)));
        assertTrue(e.getMessage().contains("a stateful layer needs a fixed batch size"), e.getMessage());
        Input free = Input.shape(T, F);
        assertThrows(IllegalArgumentException.class, () -> new LSTM(H).stateful(true).apply(free));
        // a model without stateful layers keeps taking any batch size
        Sequential plain = new Sequential(new LSTM(H).batchInputShape(B, T / 2, F), new Dense(1));
        assertEquals(5, plain.predict(random(9, 5, T / 2, F)).dim(0));
        plain.resetStates();   // no stateful layer: nothing to reset
    }

    @Test
    void functionalStatefulModelWithTwoOutputsSavesAndLoadsStateful() throws IOException {
        Input in = Input.batchShape(B, T / 2, F);
        LSTM l = new LSTM(H).returnSequences(true).stateful(true);
        Node seq = l.apply(in);
        Model m = new Model(List.of(in), List.of(new Dense(1).name("per_step").apply(seq), new LSTM(2).stateful(true).apply(seq)));
        m.compile("rmsprop", "mse");
        Tensor x = random(10, 2 * B, T / 2, F);
        List<Tensor> before = m.predictAll(x);
        m.save(dir.resolve("s.keras"));
        try (Model back = Models.load(dir.resolve("s.keras"))) {
            assertTrue(back.layers().stream().filter(RecurrentLayer.class::isInstance).allMatch(dev.jrnn.layers.Layer::stateful));
            assertEquals(B, back.inputs().get(0).batchSize());
            List<Tensor> again = back.predictAll(x);   // states are not saved: both start from zeros
            for (int k = 0; k < 2; k++) assertArrayEquals(before.get(k).data(), again.get(k).data(), 0f);
            back.fit(List.of(x), List.of(random(11, 2 * B, T / 2, 1), random(12, 2 * B, 2)), new FitOptions().verbose(0).shuffle(false));
        }
    }
}
