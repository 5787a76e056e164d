package dev.jrnn.layers;

import dev.jrnn.Jrnn;
import dev.jrnn.backend.Backend;
import dev.jrnn.backend.Backends;
import dev.jrnn.backend.DTensor;
import dev.jrnn.model.FitOptions;
import dev.jrnn.model.Sequential;
import dev.jrnn.optim.Adam;
import dev.jrnn.tensor.Tensor;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link RecurrentLayer#dropout} and {@link RecurrentLayer#recurrentDropout}: the rates are checked, the masks
 * are those of Keras (one per sample and feature or unit, the same at every step, dropped with the rate, kept
 * values scaled), fresh per call and seeded, and inference ignores them. The numbers with fixed masks are
 * checked against float64 in {@code check/RecurrentDropoutGradTest}.
 */
class RecurrentDropoutTest {
    @BeforeAll
    static void cpu() {
        Jrnn.setBackend("cpu");
        Jrnn.setSeed(21);
    }

    @Test
    void ratesAreCheckedAsTheFloat32TheMasksUse() {
        for (double bad : new double[] {-0.1, 1.0, 0.99999999, Double.NaN}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new LSTM(2).name("l").dropout(bad));
            assertTrue(e.getMessage().startsWith("l: dropout must be in [0, 1), got " + bad), e.getMessage());
            e = assertThrows(IllegalArgumentException.class, () -> new GRU(2).name("g").recurrentDropout(bad));
            assertTrue(e.getMessage().startsWith("g: recurrentDropout must be in [0, 1), got " + bad), e.getMessage());
        }
        LSTM l = new LSTM(3).dropout(0.2).recurrentDropout(0.25);
        assertEquals(0.2, l.dropout());
        assertEquals(0.25, l.recurrentDropout());
        RecurrentLayer copy = l.newInstance();   // Bidirectional's backward layer keeps them
        assertEquals(0.2, copy.dropout());
        assertEquals(0.25, copy.recurrentDropout());
    }

    /** A linear SimpleRNN with kernel I (and recurrent kernel 0 or I): its outputs show the masks themselves. */
    private static SimpleRNN identityRnn(int n, boolean recurrentIdentity) {
        return identityRnn(new SimpleRNN(n), n, recurrentIdentity);
    }

    private static SimpleRNN identityRnn(SimpleRNN r, int n, boolean recurrentIdentity) {
        r.activation("linear").useBias(false).returnSequences(true);
        r.build(List.of(new int[] {3, n}));
        float[] eye = new float[n * n];
        for (int i = 0; i < n; i++) eye[i * n + i] = 1;
        r.setWeights(List.of(Tensor.of(eye, n, n), recurrentIdentity ? Tensor.of(eye.clone(), n, n) : Tensor.zeros(n, n)));
        return r;
    }

    private static float[] run(Layer l, Tensor x, boolean training) {
        try (DTensor d = DTensor.from(l.backend(), x); Trace t = l.forward(List.of(d), null, training)) {
            return t.outputs().get(0).toTensor().data();
        }
    }

    @Test
    void theInputMaskIsOnePerSampleAndFeatureForTheWholeSequence() {
        int b = 200, n = 5, steps = 3;
        SimpleRNN r = identityRnn(n, false).dropout(0.3);
        float[] y = run(r, Tensor.full(1f, b, steps, n), true);   // y[b, t, i] = mask[b, i]
        float kept = 1f / (1f - 0.3f);
        int dropped = 0;
        for (int s = 0; s < b; s++) {
            for (int i = 0; i < n; i++) {
                float m = y[(s * steps) * n + i];
                assertTrue(m == 0 || m == kept, "a mask value is 0 or 1/(1-rate), got " + m);
                if (m == 0) dropped++;
                for (int t = 1; t < steps; t++) assertEquals(m, y[(s * steps + t) * n + i], "the same mask at every step");
            }
        }
        assertEquals(0.3, dropped / (double) (b * n), 0.05);   // 1000 draws: 3.4 standard deviations
        float[] again = run(r, Tensor.full(1f, b, steps, n), true);
        assertFalse(Arrays.equals(y, again), "each training call draws new masks");
        assertArrayEquals(Tensor.full(1f, b, steps, n).data(), run(r, Tensor.full(1f, b, steps, n), false), "inference drops nothing");
    }

    @Test
    void theRecurrentMaskIsOnePerSampleAndUnitForTheWholeSequence() {
        int b = 200, n = 5, steps = 3;
        SimpleRNN r = identityRnn(n, true).recurrentDropout(0.4);
        float[] x = new float[b * steps * n];   // 1 at step 0, then 0: h1 = 1, h2 = r, h3 = r * r
        for (int s = 0; s < b; s++) Arrays.fill(x, s * steps * n, s * steps * n + n, 1f);
        float[] y = run(r, Tensor.of(x, b, steps, n), true);
        float kept = 1f / (1f - 0.4f);
        int dropped = 0;
        for (int s = 0; s < b; s++) {
            for (int i = 0; i < n; i++) {
                assertEquals(1f, y[(s * steps) * n + i]);
                float m = y[(s * steps + 1) * n + i];
                assertTrue(m == 0 || m == kept, "a mask value is 0 or 1/(1-rate), got " + m);
                if (m == 0) dropped++;
                assertEquals(m * m, y[(s * steps + 2) * n + i], 1e-6, "the same mask at the next step");
            }
        }
        assertEquals(0.4, dropped / (double) (b * n), 0.05);
        float[] inference = run(r, Tensor.of(x, b, steps, n), false);
        for (float v : inference) assertTrue(v == 0 || v == 1, "inference drops nothing");
    }

    /**
     * The documented fallback: a backend's whole-sequence path (CUDA's persistent kernels, which compute hPrev·U
     * inside) is not asked for while a recurrent dropout is on in training; an input dropout and inference keep it.
     */
    @Test
    void aRecurrentDropoutTakesThePerStepPath() {
        Backend cpu = Backends.cpu();
        List<String> asked = new ArrayList<>();
        Backend sequences = (Backend) Proxy.newProxyInstance(Backend.class.getClassLoader(), new Class<?>[] {Backend.class},
                (proxy, m, args) -> switch (m.getName()) {
                    case "recurrentSequenceSupported" -> true;
                    case "recurrentSequenceForward", "recurrentSequenceBackward" -> {
                        asked.add(m.getName());
                        yield false;   // then the per-step loop runs, as on a shape the kernels do not take
                    }
                    default -> {
                        try {
                            yield m.invoke(cpu, args);
                        } catch (InvocationTargetException e) {
                            throw e.getCause();
                        }
                    }
                });
        Jrnn.setBackend(sequences);
        try {
            Tensor x = Tensor.full(0.5f, 2, 3, 4);
            for (boolean training : new boolean[] {true, false}) {
                for (double[] rates : new double[][] {{0.3, 0}, {0, 0.3}}) {
                    LSTM l = new LSTM(3).dropout(rates[0]).recurrentDropout(rates[1]);
                    l.build(List.of(new int[] {3, 4}));
                    asked.clear();
                    try (DTensor d = DTensor.from(sequences, x); Trace t = l.forward(List.of(d), null, training);
                         DTensor dy = DTensor.from(sequences, Tensor.full(1f, 2, 3))) {
                        t.backward(List.of(dy));
                    }
                    List<String> expected = training && rates[1] > 0 ? List.of()
                            : List.of("recurrentSequenceForward", "recurrentSequenceBackward");
                    assertEquals(expected, asked, "training " + training + ", rates " + Arrays.toString(rates));
                }
            }
        } finally {
            Jrnn.setBackend("cpu");
        }
    }

    /** A saved model keeps a recurrent layer's mask stream, so a resumed fit draws the masks the first one would have. */
    @Test
    void aSavedModelKeepsTheMaskStream(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) throws java.io.IOException {
        Tensor x = Tensor.full(0.5f, 4, 3, 2), y = Tensor.full(0.1f, 4, 1);
        java.nio.file.Path f = dir.resolve("m.keras");
        long[] stream;
        try (Sequential m = new Sequential(new GRU(3).dropout(0.3).recurrentDropout(0.2).inputShape(3, 2), new Dense(1))) {
            m.compile("adam", "mse");
            m.fit(x, y, new FitOptions().epochs(2).batchSize(2).verbose(0));
            stream = ((RecurrentLayer) m.layers().get(0)).maskStream();
            assertEquals(8, stream[1], "2 epochs x 2 batches x (input + recurrent masks)");
            m.save(f);
        }
        try (dev.jrnn.model.Model m = dev.jrnn.model.Models.load(f)) {
            assertArrayEquals(stream, ((RecurrentLayer) m.layers().get(0)).maskStream());
        }
    }

    /**
     * Inside a Bidirectional too: both directions' mask streams are saved and come back; a loaded model's
     * recurrent layers each draw their own masks (loading skips the initialisers, not the mask seeds).
     */
    @Test
    void aSavedBidirectionalKeepsBothDirectionsMaskStreams(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir)
            throws java.io.IOException {
        Tensor x = Tensor.full(0.5f, 4, 3, 2), y = Tensor.full(0.1f, 4, 1);
        java.nio.file.Path f = dir.resolve("bi.keras");
        long[] fw, bw;
        try (Sequential m = new Sequential(new Bidirectional(new LSTM(3).dropout(0.3).recurrentDropout(0.2)).inputShape(3, 2),
                new Dense(1))) {
            m.compile("adam", "mse");
            m.fit(x, y, new FitOptions().epochs(2).batchSize(2).verbose(0));
            Bidirectional bi = (Bidirectional) m.layers().get(0);
            fw = bi.forwardLayer().maskStream();
            bw = bi.backwardLayer().maskStream();
            assertFalse(fw[0] == bw[0], "the directions draw their own masks");
            m.save(f);
        }
        try (dev.jrnn.model.Model m = dev.jrnn.model.Models.load(f)) {
            Bidirectional bi = (Bidirectional) m.layers().get(0);
            assertArrayEquals(fw, bi.forwardLayer().maskStream());
            assertArrayEquals(bw, bi.backwardLayer().maskStream());
        }
        java.nio.file.Path w = dir.resolve("two.keras");
        try (Sequential m = new Sequential(new LSTM(3).dropout(0.3).returnSequences(true).inputShape(3, 2),
                new LSTM(3).dropout(0.3), new Dense(1))) {
            m.compile("adam", "mse");
            m.save(w);
        }
        try (dev.jrnn.model.Model m = dev.jrnn.io.keras.KerasImport.load(w, (model, stored) -> { })) {   // no jrnn state: fresh seeds
            long a = ((RecurrentLayer) m.layers().get(0)).maskStream()[0], b = ((RecurrentLayer) m.layers().get(1)).maskStream()[0];
            assertFalse(a == b, "two loaded layers share one mask stream: " + a);
        }
    }

    /** A layer with a dropout does not join a stacked wavefront (its masks are drawn by its own forward). */
    @Test
    void aLayerWithADropoutRunsAlone() {
        Backend overlapping = new dev.jrnn.backend.RecordingBackend(Backends.cpu()).overlapForks(true);
        assertTrue(RecurrentStack.eligible(List.of(new LSTM(4).returnSequences(true), new GRU(4)), overlapping, 64, 40));
        assertFalse(RecurrentStack.eligible(List.of(new LSTM(4).returnSequences(true).dropout(0.1), new GRU(4)), overlapping, 64, 40));
        assertFalse(RecurrentStack.eligible(List.of(new LSTM(4).returnSequences(true), new GRU(4).recurrentDropout(0.1)), overlapping, 64, 40));
    }

    @Test
    void seededLayersDrawTheSameMasks() {
        Tensor x = Tensor.full(1f, 50, 3, 4);
        float[] a = run(identityRnn(new SimpleRNN(4).dropout(0.5).recurrentDropout(0.5).seed(5), 4, true), x, true);
        float[] b = run(identityRnn(new SimpleRNN(4).dropout(0.5).recurrentDropout(0.5).seed(5), 4, true), x, true);
        float[] c = run(identityRnn(new SimpleRNN(4).dropout(0.5).recurrentDropout(0.5).seed(6), 4, true), x, true);
        assertArrayEquals(a, b);
        assertFalse(Arrays.equals(a, c), "another seed, other masks");
    }

    @Test
    void predictAndEvaluateIgnoreTheDropoutsAndFitUsesThem() {
        SplittableRandom rnd = new SplittableRandom(3);
        float[] xs = new float[16 * 6 * 3], ys = new float[16];
        for (int i = 0; i < xs.length; i++) xs[i] = (float) rnd.nextDouble(-1, 1);
        for (int i = 0; i < ys.length; i++) ys[i] = (float) rnd.nextDouble(-1, 1);
        Tensor x = Tensor.of(xs, 16, 6, 3), y = Tensor.of(ys, 16, 1);
        for (RecurrentLayer l : List.<RecurrentLayer>of(new SimpleRNN(4), new LSTM(4), new GRU(4))) {
            Sequential plain = new Sequential(l.newInstance().inputShape(6, 3), new Dense(1));
            Sequential dropped = new Sequential(l.newInstance().dropout(0.4).recurrentDropout(0.3).inputShape(6, 3), new Dense(1));
            dropped.setWeights(plain.getWeights());
            assertArrayEquals(plain.predict(x).data(), dropped.predict(x).data(), l + ": predict");
            plain.compile(new Adam(0.01), "mse");
            dropped.compile(new Adam(0.01), "mse");
            assertEquals(plain.evaluate(x, y), dropped.evaluate(x, y), l + ": evaluate");
            double before = dropped.evaluate(x, y);
            dropped.fit(x, y, new FitOptions().epochs(1).batchSize(16).verbose(0));
            plain.fit(x, y, new FitOptions().epochs(1).batchSize(16).verbose(0));
            assertFalse(Arrays.equals(plain.predict(x).data(), dropped.predict(x).data()), l + ": training used the masks");
            assertTrue(dropped.evaluate(x, y) < before, l + ": a step with dropout lowers the loss");
        }
    }
}
