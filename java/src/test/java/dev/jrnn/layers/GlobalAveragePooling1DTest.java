package dev.jrnn.layers;

import dev.jrnn.Jrnn;
import dev.jrnn.model.Input;
import dev.jrnn.model.Model;
import dev.jrnn.model.Models;
import dev.jrnn.model.Sequential;
import dev.jrnn.tensor.Tensor;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** GlobalAveragePooling1D: the mean over (unmasked) steps as Keras, its gradient, keepdims, summary, Keras files. */
class GlobalAveragePooling1DTest {
    @TempDir
    Path dir;

    @BeforeAll
    static void cpu() { Jrnn.setBackend("cpu"); }

    /** Keras: sum(x * mask) / sum(mask) over the steps; without a mask the mean. */
    static double[][] ref(double[] x, float[] mask, int b, int t, int f) {
        double[] y = new double[b * f];
        for (int i = 0; i < b; i++) {
            double n = 0;
            for (int s = 0; s < t; s++) n += mask == null ? 1 : mask[i * t + s];
            for (int c = 0; c < f; c++) {
                double sum = 0;
                for (int s = 0; s < t; s++) sum += (mask == null ? 1 : mask[i * t + s]) * x[(i * t + s) * f + c];
                y[i * f + c] = sum / n;
            }
        }
        return new double[][] {y};
    }

    @Test
    void meanAndGradientWithoutMask() {
        Tensor x = LayerCheck.rand(new SplittableRandom(3), 1, 3, 5, 4);
        LayerCheck.check(new GlobalAveragePooling1D(), List.of(x), null, new boolean[] {true}, v -> ref(v[0], null, 3, 5, 4), 7);
    }

    @Test
    void meanAndGradientOverTheUnmaskedSteps() {
        Tensor x = LayerCheck.rand(new SplittableRandom(4), 1, 3, 5, 4);
        float[] mask = {1, 1, 1, 0, 0, 1, 0, 1, 1, 1, 0, 0, 0, 0, 1};
        LayerCheck.check(new GlobalAveragePooling1D(), List.of(x), Tensor.of(mask, 3, 5), new boolean[] {true},
                v -> ref(v[0], mask, 3, 5, 4), 8);
    }

    @Test
    void keepdimsAndAFullyMaskedSample() {
        Tensor x = Tensor.of(new float[] {1, 2, 3, 4, 5, 6, 7, 8}, 2, 2, 2);
        Tensor y = new GlobalAveragePooling1D().keepdims(true).call(x);
        assertArrayEquals(new int[] {2, 1, 2}, y.shape());
        assertArrayEquals(new float[] {2, 3, 6, 7}, y.data());
        // through Masking: sample 0's second step is all zero, sample 1 has no valid step (0 / 0, NaN as in Keras)
        Sequential m = new Sequential(new Masking(0).inputShape(2, 2), new GlobalAveragePooling1D());
        float[] got = m.predict(Tensor.of(new float[] {1, 2, 0, 0, 0, 0, 0, 0}, 2, 2, 2)).data();
        assertEquals(1f, got[0]);
        assertEquals(2f, got[1]);
        assertTrue(Float.isNaN(got[2]) && Float.isNaN(got[3]), java.util.Arrays.toString(got));
    }

    /** After a masked recurrent layer with returnSequences(true): the mean of its outputs at the valid steps; no mask goes on. */
    @Test
    void afterAMaskedRecurrentLayerInSequentialAndFunctionalModels() throws IOException {
        Jrnn.setSeed(11);
        SplittableRandom r = new SplittableRandom(2);
        Tensor x = LayerCheck.rand(r, 1, 4, 6, 3);
        float[] xd = x.data();
        for (int c = 0; c < 3; c++) xd[(1 * 6 + 5) * 3 + c] = xd[(1 * 6 + 4) * 3 + c] = xd[(3 * 6 + 5) * 3 + c] = 0;   // padding
        SimpleRNN rnn = new SimpleRNN(5).returnSequences(true);
        Sequential m = new Sequential(new Masking(0).inputShape(6, 3), rnn, new GlobalAveragePooling1D().name("gap"), new Dense(2));
        m.compile("sgd", "mse");
        String summary = m.summaryString();
        // tf.keras 2's layout: a name too long for its column goes on over the next line
        assertTrue(summary.contains("\n gap (GlobalAveragePooling1D  (None, 5)                0         \n )"), summary);
        Sequential seqOnly = new Sequential(new Masking(0).inputShape(6, 3), rnn);
        float[] h = seqOnly.predict(x).data();
        float[] mask = new float[4 * 6];
        for (int i = 0; i < 24; i++) mask[i] = xd[i * 3] == 0 && xd[i * 3 + 1] == 0 && xd[i * 3 + 2] == 0 ? 0 : 1;
        double[] want = ref(Ref.d(h), mask, 4, 6, 5)[0];
        Sequential pooled = new Sequential(new Masking(0).inputShape(6, 3), rnn, new GlobalAveragePooling1D());
        LayerCheck.assertClose(Ref.f(want), pooled.predict(x).data(), 1e-6, "pooled over the valid steps");

        Input in = Input.shape(6, 3);
        Node p = new GlobalAveragePooling1D().keepdims(true).apply(new SimpleRNN(5).returnSequences(true).apply(new Masking(0).apply(in)));
        Model fm = new Model(List.of(in), List.of(new Dense(2).apply(new Flatten().apply(p))));
        fm.compile("adam", "mse");
        fm.fit(x, Tensor.zeros(4, 2), new dev.jrnn.model.FitOptions().epochs(1).batchSize(2).verbose(0));
        Path f = dir.resolve("gap.keras");
        fm.save(f);
        try (Model back = Models.load(f)) {
            assertEquals(fm.summaryString(), back.summaryString());
            assertArrayEquals(fm.predict(x).data(), back.predict(x).data());
        }
    }

    /**
     * Keras zeroes the masked steps with where(mask, x, 0) before summing: an Inf or NaN there reaches neither the output
     * nor the input gradient (masked steps get 0, the others dy / count, dy copied exactly).
     */
    @Test
    void infAndNanAtMaskedStepsStayOut() {
        float inf = Float.POSITIVE_INFINITY, nan = Float.NaN;
        // [2, 3, 2]: sample 0 steps 0 and 2 valid, step 1 masked holding Inf and NaN; sample 1 step 0 masked holding -Inf
        float[] x = {1, 2, inf, nan, 3, 5, -inf, nan, 4, 6, 8, 10};
        float[] mask = {1, 0, 1, 0, 1, 1};
        dev.jrnn.backend.Backend be = Jrnn.backend();
        GlobalAveragePooling1D gap = new GlobalAveragePooling1D();
        gap.build(List.of(new int[] {3, 2}));
        try (dev.jrnn.backend.DTensor dx0 = dev.jrnn.backend.DTensor.from(be, Tensor.of(x, 2, 3, 2));
             dev.jrnn.backend.DTensor dm = dev.jrnn.backend.DTensor.from(be, Tensor.of(mask, 2, 3));
             dev.jrnn.backend.DTensor dy = dev.jrnn.backend.DTensor.from(be, Tensor.of(new float[] {0.3f, -1.7f, 2.9f, 0.1f}, 2, 2));
             Trace tr = gap.forwardMasked(List.of(dx0), java.util.Arrays.asList(dm), true)) {
            assertArrayEquals(new float[] {2, 3.5f, 6, 8}, tr.outputs().get(0).toTensor().data(), 1e-6f);
            float[] g = tr.backward(List.of(dy)).get(0).toTensor().data();
            float half = 0.5f;
            assertArrayEquals(new float[] {0.3f * half, -1.7f * half, 0, 0, 0.3f * half, -1.7f * half,
                    0, 0, 2.9f * half, 0.1f * half, 2.9f * half, 0.1f * half}, g);
        }
    }

    /**
     * keepdims decides the output shape: once the layer is applied, a model holds the shape it had then, so a change is
     * refused as Pooling1D's strides and padding are (was: accepted; predict then gave (2, 1, 2) where the summary said
     * (None, 2), and fit trained on it against (2, 2) targets).
     */
    @Test
    void keepdimsCannotChangeOnceTheLayerIsApplied() {
        for (GlobalPooling1D g : new GlobalPooling1D[] {new GlobalAveragePooling1D().name("g"), new GlobalMaxPooling1D().name("g")}) {
            Sequential m = new Sequential(Input.shape(4, 3), g, new Dense(2));
            IllegalStateException e = org.junit.jupiter.api.Assertions.assertThrows(IllegalStateException.class, () -> g.keepdims(true));
            assertEquals("g: cannot change keepdims after the layer has been applied (a model or a functional call holds the shapes it"
                    + " had then); set it before", e.getMessage());
            assertEquals(false, g.keepdims());
            assertArrayEquals(new int[] {2, 2}, m.predict(Tensor.zeros(2, 4, 3)).shape());
            g.keepdims(false);   // the value it has: nothing changes
        }
        assertTrue(new GlobalAveragePooling1D().keepdims(true).keepdims());
    }
}
