package dev.jrnn.layers;

import dev.jrnn.Jrnn;
import dev.jrnn.backend.DTensor;
import dev.jrnn.io.Json;
import dev.jrnn.model.FitOptions;
import dev.jrnn.model.History;
import dev.jrnn.model.Model;
import dev.jrnn.model.Models;
import dev.jrnn.optim.SGD;
import dev.jrnn.tensor.Tensor;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

/**
 * TimeDistributed over a layer whose training output depends on the batch (BatchNormalization): Keras 3 runs the
 * wrapped layer once per step, so each step is normalized with its own batch moments (its unmasked samples' under a
 * mask) and the moving statistics move once per step. Keras 3.15.1's values (td_bn/make_td_bn.py: one training call,
 * and fit, of models saved in Keras), a float64 gradient check of the per-step path, and the merged batch kept where
 * it is exact (inference, a frozen layer, Dense).
 */
class TimeDistributedBatchNormTest {
    @BeforeEach
    void cpu() {
        Jrnn.setBackend("cpu");
        Jrnn.clearSession();
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> golden(String name) throws Exception {
        Path p = Path.of(TimeDistributedBatchNormTest.class.getResource("td_bn/td_bn_golden.json").toURI());
        Map<String, Object> all = (Map<String, Object>) Json.parse(Files.readString(p, StandardCharsets.UTF_8));
        return (Map<String, Object>) all.get(name);
    }

    private static Model load(String name) throws Exception {
        return Models.load(Path.of(TimeDistributedBatchNormTest.class.getResource("td_bn/" + name + ".keras").toURI()));
    }

    @SuppressWarnings("unchecked")
    private static float[] floats(Object o) {
        List<Float> out = new ArrayList<>();
        flatten(o, out);
        float[] f = new float[out.size()];
        for (int i = 0; i < f.length; i++) f[i] = out.get(i);
        return f;
    }

    @SuppressWarnings("unchecked")
    private static void flatten(Object o, List<Float> out) {
        if (o instanceof List<?> l) for (Object e : l) flatten(e, out);
        else out.add(((Number) o).floatValue());
    }

    private static Tensor tensor(Map<String, Object> c, String key, int... shape) {
        return Tensor.wrap(floats(c.get(key)), shape);
    }

    private static int[] shape(Map<String, Object> c) {
        float[] s = floats(c.get("shape"));
        int[] r = new int[s.length];
        for (int i = 0; i < s.length; i++) r[i] = (int) s[i];
        return r;
    }

    @SuppressWarnings("unchecked")
    private static void assertWeights(List<Object> want, List<Tensor> got, double tol, String what) {
        assertEquals(want.size(), got.size(), what + ": number of weights");
        for (int i = 0; i < want.size(); i++) {
            LayerCheck.assertClose(floats(want.get(i)), got.get(i).data(), tol, what + ": weight " + i);
        }
    }

    /** Keras' training output of one call and its moving statistics after it (the tester's repro, masked too). */
    @Test
    @SuppressWarnings("unchecked")
    void oneTrainingCallGivesKerasPerStepMomentsAndUpdates() throws Exception {
        for (String name : List.of("td_bn", "td_bn_masked")) {
            Map<String, Object> c = golden(name);
            try (Model m = load(name)) {
                Tensor y = m.call(tensor(c, "x", shape(c)), true);
                LayerCheck.assertClose(floats(c.get("training_output")), y.data(), 2e-5, name + " training output");
                assertWeights((List<Object>) c.get("weights_after"), m.getWeights(), 2e-6, name + " after one call");
            }
        }
    }

    /** Keras' fit through Dense -> TimeDistributed(BN) -> LSTM -> Dense: losses, every weight after it, predict after it. */
    @Test
    @SuppressWarnings("unchecked")
    void fitGivesKerasLossesWeightsAndPredictions() throws Exception {
        for (String name : List.of("td_bn_fit", "td_bn_fit_masked")) {
            Map<String, Object> c = golden(name);
            int[] s = shape(c);
            Tensor x = tensor(c, "x", s), y = tensor(c, "y", s[0], 1);
            try (Model m = load(name)) {
                LayerCheck.assertClose(floats(c.get("training_output")), m.call(x, true).data(), 2e-5, name + " training call");
                assertWeights((List<Object>) c.get("weights_after_call"), m.getWeights(), 2e-6, name + " after one call");
            }
            try (Model m = load(name)) {
                m.compile(new SGD(0.1), "mse");
                History h = m.fit(x, y, new FitOptions().epochs(2).batchSize(4).shuffle(false).verbose(0));
                float[] losses = floats(c.get("losses"));
                for (int e = 0; e < 2; e++) assertEquals(losses[e], h.get("loss").get(e), 2e-5, name + " loss of epoch " + e);
                assertWeights((List<Object>) c.get("weights_after_fit"), m.getWeights(), 2e-5, name + " after fit");
                LayerCheck.assertClose(floats(c.get("predict_after_fit")), m.predict(x).data(), 2e-5, name + " predict after fit");
            }
        }
    }

    /** Keras' per-step training output: step s of x (batch, steps, ...) normalized alone, with mask[:, s]. */
    private static LayerCheck.RefFn perStep(int[] shape, double eps, double[] mask) {
        int b = shape[0], t = shape[1], f = shape[shape.length - 1];
        int inner = (int) (Tensor.size(shape) / b / t), mInner = mask == null ? 0 : mask.length / b / t;
        return v -> {
            double[] x = v[4], y = new double[x.length];
            for (int s = 0; s < t; s++) {
                double[] xs = new double[b * inner], ms = mask == null ? null : new double[b * mInner];
                for (int i = 0; i < b; i++) {
                    System.arraycopy(x, (i * t + s) * inner, xs, i * inner, inner);
                    if (ms != null) System.arraycopy(mask, (i * t + s) * mInner, ms, i * mInner, mInner);
                }
                double[] ys = BatchNormalizationTest.training(f, eps, true, true, ms).apply(new double[][] {v[0], v[1], v[2], v[3], xs})[0];
                for (int i = 0; i < b; i++) System.arraycopy(ys, i * inner, y, (i * t + s) * inner, inner);
            }
            return new double[][] {y};
        };
    }

    /** Forward and every gradient of the per-step path against float64 central differences; then T moving updates. */
    private static void gradientCheck(int[] shape, Tensor mask, long seed) {
        SplittableRandom rng = new SplittableRandom(seed);
        Tensor x = LayerCheck.rand(rng, 2, shape);
        float[] xs = x.data();
        int f = shape[shape.length - 1], t = shape[1], inner = (int) (xs.length / shape[0] / t);
        for (int i = 0; i < xs.length; i++) xs[i] += 1.5f * ((i / inner) % t) + 0.3f * (i % f);   // each step its own mean
        BatchNormalization bn = new BatchNormalization().momentum(0.6);
        TimeDistributed td = new TimeDistributed(bn);
        td.build(List.of(Arrays.copyOfRange(shape, 1, shape.length)));
        BatchNormalizationTest.randomWeights(bn, rng);
        List<Tensor> w0 = bn.getWeights();
        double[] mk = mask == null ? null : Ref.d(mask.data());
        LayerCheck.check(td, List.of(x), mask, new boolean[] {true}, perStep(shape, bn.epsilon(), mk), seed + 1);
        // the moving statistics moved once per step, in step order, each with that step's moments
        double[] mm = Ref.d(w0.get(2).data()), mv = Ref.d(w0.get(3).data());
        int b = shape[0], mInner = mk == null ? 0 : mk.length / b / t;
        for (int s = 0; s < t; s++) {
            double[] step = new double[b * inner], ms = mk == null ? null : new double[b * mInner];
            for (int i = 0; i < b; i++) {
                System.arraycopy(Ref.d(xs), (i * t + s) * inner, step, i * inner, inner);
                if (ms != null) System.arraycopy(mk, (i * t + s) * mInner, ms, i * mInner, mInner);
            }
            double[][] mom = BatchNormalizationTest.moments(step, f, ms);
            for (int c = 0; c < f; c++) {
                mm[c] = mm[c] * 0.6 + mom[0][c] * 0.4;
                mv[c] = mv[c] * 0.6 + mom[1][c] * 0.4;
            }
        }
        LayerCheck.assertClose(Ref.f(mm), bn.getWeights().get(2).data(), 1e-5, "moving_mean after one call");
        LayerCheck.assertClose(Ref.f(mv), bn.getWeights().get(3).data(), 1e-5, "moving_variance after one call");
    }

    @Test
    void perStepGradientsMatchFloat64CentralDifferences() {
        gradientCheck(new int[] {4, 3, 2}, null, 1);
        // a (batch, steps) mask: step s's moments over its unmasked samples (3, 2, 2 of them), step 3 none (mean 0, var 0).
        // (no step of one unmasked sample: there x - mean is float32's rounding of x - x / (1 + 1e-7), and the float32
        // gradient through it differs from float64's by ~0.5%)
        gradientCheck(new int[] {3, 4, 2}, Tensor.wrap(new float[] {1, 1, 0, 0, 1, 1, 1, 0, 1, 0, 1, 0}, 3, 4), 2);
        // a 4-D input under a (batch, steps, inner) mask: step s normalized over its batch and inner steps
        gradientCheck(new int[] {3, 2, 3, 2}, Tensor.wrap(new float[] {
                1, 1, 0, 1, 0, 0,
                1, 1, 1, 1, 1, 0,
                1, 0, 0, 0, 0, 0}, 3, 2, 3), 3);
    }

    /** TimeDistributed(TimeDistributed(BN)) normalizes each (step, inner step) alone, as Keras' two loops. */
    @Test
    void nestedTimeDistributedRunsPerInnerStep() {
        SplittableRandom rng = new SplittableRandom(5);
        Tensor x = LayerCheck.rand(rng, 2, 3, 2, 3, 2);
        float[] xs = x.data();
        for (int i = 0; i < xs.length; i++) xs[i] += 0.7f * ((i / 2) % 6);   // each (t, s) its own mean
        BatchNormalization bn = new BatchNormalization().momentum(0.6);
        TimeDistributed td = new TimeDistributed(new TimeDistributed(bn));
        td.build(List.of(new int[] {2, 3, 2}));
        BatchNormalizationTest.randomWeights(bn, rng);
        // the same values as (3, 6, 2): one step per (t, s), t-major
        LayerCheck.check(td, List.of(x), null, new boolean[] {true}, perStep(new int[] {3, 6, 2}, bn.epsilon(), null), 6);
    }

    /**
     * A (batch, steps) mask over a 4-D input has no part per step for BatchNormalization (Keras 3.15.1 refuses it in
     * training and inference: "The mask provided should be one dimension less than the inputs", and nested, "The `mask`
     * passed to the `TimeDistributed` layer must be at least 2D": td_bn/keras_refuses.py). jrnn drops it in
     * training as in inference (it threw in training only, naming BatchNormalization's mask check): each step's moments
     * over all its samples, the float64 per-step reference without a mask.
     */
    @Test
    void aStepsMaskOverA4dInputIsDroppedInTrainingAsInInference() {
        Tensor steps = Tensor.wrap(new float[] {1, 0, 1, 1, 0, 0}, 3, 2);
        SplittableRandom rng = new SplittableRandom(7);
        BatchNormalization bn = new BatchNormalization().momentum(0.6);
        TimeDistributed td = new TimeDistributed(bn);
        td.build(List.of(new int[] {2, 3, 2}));
        BatchNormalizationTest.randomWeights(bn, rng);
        LayerCheck.check(td, List.of(LayerCheck.rand(rng, 2, 3, 2, 3, 2)), steps, new boolean[] {true},
                perStep(new int[] {3, 2, 3, 2}, bn.epsilon(), null), 8);
        // nested: the outer wrapper passes no (batch,) part on either; each (step, inner step) alone, unmasked
        BatchNormalization inner = new BatchNormalization().momentum(0.6);
        TimeDistributed nested = new TimeDistributed(new TimeDistributed(inner));
        nested.build(List.of(new int[] {2, 3, 2}));
        BatchNormalizationTest.randomWeights(inner, rng);
        LayerCheck.check(nested, List.of(LayerCheck.rand(rng, 2, 3, 2, 3, 2)), steps, new boolean[] {true},
                perStep(new int[] {3, 6, 2}, inner.epsilon(), null), 9);
    }

    /** The model of the report: Embedding(maskZero) -> TD(Reshape(2, 2)) -> TD(BN) trains, as the unmasked model. */
    @Test
    void anEmbeddingMaskOverReshapedStepsTrains() {
        Tensor x = Tensor.wrap(new float[] {1, 2, 0, 3, 0, 0}, 2, 3);
        float[][] got = new float[2][];
        for (int k = 0; k < 2; k++) {
            Jrnn.clearSession();
            Embedding e = new Embedding(10, 4).maskZero(k == 0);
            try (Model m = new dev.jrnn.model.Sequential(e.inputShape(3), new TimeDistributed(new Reshape(2, 2)),
                    new TimeDistributed(new BatchNormalization()))) {
                e.setWeights(List.of(LayerCheck.rand(new SplittableRandom(3), 1, 10, 4)));
                got[k] = m.call(x, true).data();
            }
        }
        LayerCheck.assertClose(got[1], got[0], 0, "training with the dropped mask");
    }

    /** A BatchNormalization that counts its forward calls. */
    private static final class CountingBn extends BatchNormalization {
        int calls;

        @Override
        public Trace forward(List<DTensor> inputs, DTensor mask, boolean training) {
            calls++;
            return super.forward(inputs, mask, training);
        }
    }

    /** A Dense that counts its forward calls. */
    private static final class CountingDense extends Dense {
        int calls;

        CountingDense() { super(2); }

        @Override
        public Trace forward(List<DTensor> inputs, DTensor mask, boolean training) {
            calls++;
            return super.forward(inputs, mask, training);
        }
    }

    /**
     * The merged batch stays where it is exact: one call for Dense in training, for BatchNormalization in inference and
     * frozen (the moving statistics, per sample); T calls only for BatchNormalization in training.
     */
    @Test
    void theMergedBatchStaysWhereItIsExact() {
        Tensor x = LayerCheck.rand(new SplittableRandom(4), 1, 2, 5, 3);
        CountingDense dense = new CountingDense();
        runOnce(new TimeDistributed(dense), x, true);
        assertEquals(1, dense.calls, "Dense in training: one call over the folded batch");
        CountingBn bn = new CountingBn();
        TimeDistributed td = new TimeDistributed(bn);
        float[] inference = runOnce(td, x, false);
        assertEquals(1, bn.calls, "BatchNormalization in inference: one call");
        assertSameAsPlain(bn, x, inference, "inference");
        bn.calls = 0;
        runOnce(td, x, true);
        assertEquals(5, bn.calls, "BatchNormalization in training: one call per step");
        bn.calls = 0;
        td.trainable(false);
        float[] frozen = runOnce(td, x, true);
        assertEquals(1, bn.calls, "a frozen BatchNormalization: one call");
        assertSameAsPlain(bn, x, frozen, "frozen");
    }

    /** Every row normalized with the moving statistics, as a plain BatchNormalization over the same rows gives. */
    private static void assertSameAsPlain(BatchNormalization bn, Tensor x, float[] got, String what) {
        BatchNormalization plain = new BatchNormalization();
        plain.build(List.of(new int[] {x.dim(-1)}));
        plain.setWeights(bn.getWeights());
        float[] want = runOnce(plain, Tensor.wrap(x.data(), x.size() / x.dim(-1), x.dim(-1)), false);
        LayerCheck.assertClose(want, got, 1e-6, what);
    }

    private static float[] runOnce(Layer l, Tensor x, boolean training) {
        if (!l.isBuilt()) l.build(List.of(Arrays.copyOfRange(x.shape(), 1, x.rank())));
        try (DTensor d = DTensor.from(l.backend(), x); Trace tr = l.forward(List.of(d), null, training)) {
            assertNotNull(tr.outputs().get(0));
            return tr.outputs().get(0).toTensor().data();
        }
    }
}
