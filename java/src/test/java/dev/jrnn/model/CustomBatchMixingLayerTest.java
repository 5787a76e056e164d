package dev.jrnn.model;

import dev.jrnn.Jrnn;
import dev.jrnn.backend.Backend;
import dev.jrnn.backend.DTensor;
import dev.jrnn.layers.Layer;
import dev.jrnn.layers.Param;
import dev.jrnn.layers.TimeDistributed;
import dev.jrnn.layers.Trace;
import dev.jrnn.optim.SGD;
import dev.jrnn.tensor.Tensor;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A layer of the user's own (outside dev.jrnn.layers) that says its training output mixes the batch
 * ({@link Layer#mixesBatch}, docs/GUIDE.md's "Writing a custom layer"): TimeDistributed runs it once per step, each step
 * centred over its own batch, and its weight's gradient is the sum of the steps' gradients. The reference is the same
 * computation in float64, written out here (Keras' TimeDistributed calls the layer on each x[:, i] the same way).
 */
class CustomBatchMixingLayerTest {
    private static final int B = 3, T = 4, F = 2;
    private static final float[] W0 = {0.5f, -1.5f};

    @BeforeEach
    void cpu() {
        Jrnn.setBackend("cpu");
        Jrnn.clearSession();
    }

    /** y = (x - the batch's mean) * w in training, y = x * w in inference, over the last axis. */
    static class BatchCentre extends Layer {
        private final boolean mixes;
        Param w;

        BatchCentre(boolean mixes) { this.mixes = mixes; }

        @Override
        public String kerasClass() { return "BatchCentre"; }

        @Override
        public List<int[]> computeOutputShapes(List<int[]> inputShapes) { return List.of(inputShapes.get(0).clone()); }

        @Override
        protected void createParams(List<int[]> inputShapes) {
            int[] s = inputShapes.get(0);
            w = addParam("w", s[s.length - 1]);
        }

        @Override
        protected void initParams(SplittableRandom rng) { w.set(Tensor.wrap(W0.clone(), F)); }

        @Override
        protected boolean mixesBatch(boolean training) { return mixes && training; }

        @Override
        public Trace forward(List<DTensor> inputs, DTensor mask, boolean training) {
            DTensor x = inputs.get(0);
            Backend be = backend();
            float[] xs = x.toTensor().data(), ws = getWeights().get(0).data();
            int rows = xs.length / F;
            float[] c = training ? centred(xs, rows) : xs.clone(), y = new float[xs.length];
            for (int i = 0; i < y.length; i++) y[i] = c[i] * ws[i % F];
            List<DTensor> owned = new ArrayList<>();
            DTensor out = DTensor.from(be, Tensor.wrap(y, x.shape()));
            owned.add(out);
            return new Trace() {
                @Override
                public List<DTensor> outputs() { return List.of(out); }

                @Override
                public List<DTensor> backward(List<DTensor> dOutputs) {
                    float[] dy = dOutputs.get(0).toTensor().data(), dc = centred(dy, rows), dx = new float[dy.length];
                    float[] dw = new float[F];
                    for (int i = 0; i < dy.length; i++) {
                        dx[i] = (training ? dc[i] : dy[i]) * ws[i % F];
                        dw[i % F] += dy[i] * c[i];
                    }
                    DTensor g = DTensor.from(be, Tensor.wrap(dw, F)), d = DTensor.from(be, Tensor.wrap(dx, x.shape()));
                    owned.add(g);
                    owned.add(d);
                    be.axpy(F, 1f, g.buf(), 0, w.grad(), w.offset());      // add: the steps' gradients sum up
                    return List.of(d);
                }

                @Override
                public void close() {
                    for (DTensor t : owned) t.close();
                    owned.clear();
                }
            };
        }

        private static float[] centred(float[] v, int rows) {
            float[] mean = new float[F], out = new float[v.length];
            for (int i = 0; i < v.length; i++) mean[i % F] += v[i] / rows;
            for (int i = 0; i < v.length; i++) out[i] = v[i] - mean[i % F];
            return out;
        }
    }

    /** The float64 per-step reference: y[b, s] = (x[b, s] - mean over b of x[:, s]) * w. */
    private static double[] perStep(float[] x, double[] w) {
        double[] y = new double[x.length];
        for (int s = 0; s < T; s++) {
            for (int c = 0; c < F; c++) {
                double mean = 0;
                for (int b = 0; b < B; b++) mean += x[(b * T + s) * F + c] / (double) B;
                for (int b = 0; b < B; b++) y[(b * T + s) * F + c] = (x[(b * T + s) * F + c] - mean) * w[c];
            }
        }
        return y;
    }

    private static Tensor data(long seed, int... shape) {
        SplittableRandom rng = new SplittableRandom(seed);
        float[] v = new float[(int) Tensor.size(shape)];
        for (int i = 0; i < v.length; i++) v[i] = (float) (rng.nextDouble(-1, 1) + 0.8 * ((i / F) % T));  // step means
        return Tensor.wrap(v, shape);
    }

    @Test
    void aLayerOfYourOwnThatMixesTheBatchRunsPerStepAndItsGradientsAdd() {
        Tensor x = data(1, B, T, F), y = data(2, B, T, F);
        double lr = 0.1;
        double[] w0 = {W0[0], W0[1]}, want = perStep(x.data(), w0);
        // the loss of fit's one batch and w after it: d loss / dy = 2 (y - target) / n, dw[c] summed over steps and batch
        double loss = 0;
        double[] unit = perStep(x.data(), new double[] {1, 1}), w1 = w0.clone();
        for (int i = 0; i < want.length; i++) {
            double e = want[i] - y.data()[i];
            loss += e * e / want.length;
            w1[i % F] -= lr * 2 * e / want.length * unit[i];
        }
        try (Sequential m = new Sequential(new TimeDistributed(new BatchCentre(true)).inputShape(T, F))) {
            float[] got = m.call(x, true).data();
            for (int i = 0; i < got.length; i++) assertEquals(want[i], got[i], 1e-5, "training output " + i);
            m.compile(new SGD(lr), "mse");
            History h = m.fit(x, y, new FitOptions().epochs(1).batchSize(B).shuffle(false).verbose(0));
            assertEquals(loss, h.get("loss").get(0), 1e-5, "loss");
            float[] w = m.getWeights().get(0).data();
            for (int c = 0; c < F; c++) assertEquals(w1[c], w[c], 1e-6, "w[" + c + "] after one step of SGD");
        }
        // without the override the steps fold into one batch: centred over batch * steps, not per step
        try (Sequential m = new Sequential(new TimeDistributed(new BatchCentre(false)).inputShape(T, F))) {
            float[] got = m.call(x, true).data();
            double worst = 0;
            for (int i = 0; i < got.length; i++) worst = Math.max(worst, Math.abs(want[i] - got[i]));
            assertTrue(worst > 0.1, "the folded call centres over the whole block (" + worst + ")");
        }
    }

    /** A layer whose steps give other shapes: the stitch names the layer, the step and both shapes. */
    static final class Growing extends BatchCentre {
        int calls;

        Growing() { super(true); }

        @Override
        public String kerasClass() { return "Growing"; }

        @Override
        public Trace forward(List<DTensor> inputs, DTensor mask, boolean training) {
            DTensor x = inputs.get(0);
            int[] s = x.shape().clone();
            s[s.length - 1] += calls++;
            DTensor out = DTensor.zeros(backend(), s);
            return new Trace() {
                @Override
                public List<DTensor> outputs() { return List.of(out); }

                @Override
                public List<DTensor> backward(List<DTensor> dOutputs) { return List.of(out); }

                @Override
                public void close() { out.close(); }
            };
        }
    }

    @Test
    void aStepOfAnotherShapeIsNamedWithBothShapes() {
        Growing g = new Growing();
        g.name("grow");
        try (Sequential m = new Sequential(new TimeDistributed(g).inputShape(T, F))) {
            Tensor x = data(3, B, T, F);
            float[] before = m.getWeights().get(0).data();
            Exception e = assertThrows(IllegalStateException.class, () -> m.call(x, true));
            assertEquals("grow's output 0 at step 1 has shape (3, 3), at step 0 (3, 2): run once per step, a layer must"
                    + " give every step the same shape, with the batch (3) first", e.getMessage());
            assertArrayEquals(before, m.getWeights().get(0).data(), "the weights are unchanged");
        }
    }
}
