package dev.jrnn.model;

import dev.jrnn.LogCapture;
import dev.jrnn.backend.Backend;
import dev.jrnn.backend.Buf;
import dev.jrnn.backend.DTensor;
import dev.jrnn.layers.Conv1D;
import dev.jrnn.layers.Dense;
import dev.jrnn.layers.Embedding;
import dev.jrnn.layers.LSTM;
import dev.jrnn.layers.Layer;
import dev.jrnn.layers.Masking;
import dev.jrnn.layers.Param;
import dev.jrnn.layers.TimeDistributed;
import dev.jrnn.layers.Trace;
import dev.jrnn.layers.WeightRules;
import dev.jrnn.optim.Optimizer;
import dev.jrnn.optim.SGD;
import dev.jrnn.regularizers.Constraints;
import dev.jrnn.regularizers.Regularizers;
import dev.jrnn.tensor.Tensor;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * A layer of the user's own, written as docs/GUIDE.md's "Writing a custom layer" writes it ({@link Scale} is that
 * example, word for word), against Keras 3.15.1 running the same registered layer: the goldens come from
 * {@code src/test/resources/dev/jrnn/model/make_custom_layer_golden.py} (JAX backend).
 */
public class CustomLayerTest {

    // ---------------------------------------------------------------- the GUIDE's example, as written there

    /** y = x * w + b over the last axis, w starting at ones and b at zeros (Keras' Scale of the GUIDE). */
    public static class Scale extends Layer {
        private Param w, b;

        @Override
        public String kerasClass() { return "Scale"; }

        @Override
        public List<int[]> computeOutputShapes(List<int[]> inputShapes) {
            return List.of(inputShapes.get(0).clone());      // per sample, the batch left out
        }

        @Override
        protected void createParams(List<int[]> inputShapes) {
            int[] s = inputShapes.get(0);
            w = addParam("w", s[s.length - 1]);
            b = addParam("b", s[s.length - 1]);
        }

        @Override
        protected void initParams(SplittableRandom rng) {
            float[] ones = new float[(int) w.size()];
            Arrays.fill(ones, 1f);
            w.set(Tensor.wrap(ones, w.shape()));
            b.set(Tensor.wrap(new float[(int) b.size()], b.shape()));
        }

        @Override
        public Trace forward(List<DTensor> inputs, DTensor mask, boolean training) {
            DTensor x = inputs.get(0);
            Backend be = backend();
            int cols = x.dim(-1), rows = (int) (x.size() / cols);
            List<DTensor> owned = new ArrayList<>();         // what this call allocates: the trace's close frees it
            DTensor y = DTensor.zeros(be, x.shape());
            owned.add(y);
            be.mulRowVector(rows, cols, x.buf(), 0, w.value(), w.offset(), y.buf(), 0);   // y = x * w
            be.addRowVector(rows, cols, b.value(), b.offset(), y.buf(), 0);               // y += b
            return new Trace() {
                @Override
                public List<DTensor> outputs() { return List.of(y); }

                @Override
                public List<DTensor> backward(List<DTensor> dOutputs) {
                    DTensor dy = dOutputs.get(0);
                    DTensor dx = DTensor.zeros(be, x.shape());
                    owned.add(dx);
                    if (dy == null) return List.of(dx);      // no gradient reached y: dx is zero
                    be.mulRowVector(rows, cols, dy.buf(), 0, w.value(), w.offset(), dx.buf(), 0);   // dx = dy * w
                    DTensor dyx = DTensor.zeros(be, x.shape());
                    owned.add(dyx);
                    be.mul(x.size(), dy.buf(), 0, x.buf(), 0, dyx.buf(), 0);
                    be.sumRows(rows, cols, dyx.buf(), 0, w.grad(), w.offset(), true);   // dw += sum of dy * x
                    be.sumRows(rows, cols, dy.buf(), 0, b.grad(), b.offset(), true);    // db += sum of dy
                    return List.of(dx);
                }

                @Override
                public void close() {
                    for (DTensor d : owned) d.close();
                    owned.clear();
                }
            };
        }
    }

    /** The same layer, saying it supports masking (Keras: {@code self.supports_masking = True}). */
    static class MaskedScale extends Scale {
        @Override
        public boolean passesMask() { return true; }
    }

    // ---------------------------------------------------------------- helpers

    /** The script's det: amp * sin(a * k + ph) over the flattened array. */
    private static Tensor det(int[] shape, double a, double ph, double amp) {
        float[] v = new float[(int) Tensor.size(shape)];
        for (int k = 0; k < v.length; k++) v[k] = (float) (amp * Math.sin(a * k + ph));
        return Tensor.wrap(v, shape);
    }

    private static final int N = 3, T = 5, F = 2;

    /** The script's padded batch: sample i has its last 2i steps zero. */
    private static Tensor padded() {
        float[] xv = new float[N * T * F];
        for (int i = 0; i < N; i++) for (int t = 0; t < T; t++) for (int f = 0; f < F; f++)
            xv[(i * T + t) * F + f] = t >= T - 2 * i ? 0f : (float) Math.cos(0.5 * i + 0.3 * t + 1.1 * f);
        return Tensor.wrap(xv, N, T, F);
    }

    private static Sequential masked(Layer scale) {
        Sequential m = new Sequential(Input.shape(T, F), new Masking(0.0), scale, new LSTM(4), new Dense(1));
        List<Tensor> ws = new ArrayList<>();
        int j = 0;
        for (Tensor t : m.getWeights()) ws.add(det(t.shape(), 1.3, 0.7 * j++, 0.3));
        m.setWeights(ws);
        return m;
    }

    private static void assertClose(float[] expected, float[] actual, double tol) {
        assertEquals(expected.length, actual.length, "length");
        for (int i = 0; i < expected.length; i++) assertEquals(expected[i], actual[i], tol, "element " + i);
    }

    private static final String DROPPED = " was passed an input with a mask attached to it. However, this layer does not"
            + " support masking and will therefore destroy the mask information. Downstream layers will not see the mask.";

    // ---------------------------------------------------------------- tests

    /**
     * Keras 3 gives a layer supports_masking only where it says so (or overrides compute_mask): the default custom layer
     * ends the mask, so the LSTM runs over the padded steps, with one UserWarning. jrnn passed the mask on by default and
     * predicted [-0.36042073, -0.3488729, -0.31075454] (the masked numbers below), silently.
     */
    @Test
    void aCustomLayerEndsAMaskWithKerasWarningOnce() throws Exception {
        Sequential m = masked(new Scale().name("scale"));
        List<Tensor> preds = new ArrayList<>();
        List<String> warned = LogCapture.warnings(Layer.class.getName(), () -> {
            preds.add(m.predict(padded()));
            preds.add(m.predict(padded()));
        });
        float[] keras = {-0.36042070f, -0.36507100f, -0.36672711f};   // Scale masked predict
        assertClose(keras, preds.get(0).data(), 2e-7);
        assertClose(keras, preds.get(1).data(), 2e-7);
        assertEquals(List.of("Layer 'scale' (of type Scale)" + DROPPED), warned);
    }

    /** With passesMask() true (Keras' supports_masking = True) the mask reaches the LSTM, and nothing warns. */
    @Test
    void aCustomLayerThatSupportsMaskingPassesItOn() throws Exception {
        Sequential m = masked(new MaskedScale().name("scale"));
        List<Tensor> preds = new ArrayList<>();
        List<String> warned = LogCapture.warnings(Layer.class.getName(), () -> preds.add(m.predict(padded())));
        assertClose(new float[] {-0.36042070f, -0.34887290f, -0.31075454f}, preds.get(0).data(), 2e-7);  // MaskedScale
        assertEquals(List.of(), warned);
    }

    /** The built-in layers warn where Keras 3's do: Conv1D ends a mask with the warning, Dense passes it quietly. */
    @Test
    void builtInLayersWarnWhereKerasDoes() throws Exception {
        Sequential dense = new Sequential(Input.shape(T, F), new Masking(0.0), new Dense(3).name("d"), new LSTM(2));
        Sequential conv = new Sequential(Input.shape(T, F), new Masking(0.0), new Conv1D(3, 2).padding("same").name("c"),
                new LSTM(2));
        assertEquals(List.of(), LogCapture.warnings(Layer.class.getName(), () -> dense.predict(padded())));
        assertEquals(List.of("Layer 'c' (of type Conv1D)" + DROPPED),
                LogCapture.warnings(Layer.class.getName(), () -> conv.predict(padded())));
    }

    /**
     * TimeDistributed passes a nested mask on whatever its wrapped layer's supports_masking, as Keras 3's does:
     * Embedding(maskZero) over (batch, sentences, words) -> TimeDistributed(Scale) -> TimeDistributed(LSTM(3)) skips
     * each sentence's padded words (the script's "td predict"). jrnn cut the mask to (batch, sentences) at the custom
     * layer and the inner LSTM ran over the padding: [-0.15013692, -0.0070801, 0.1009628, ...]. TimeDistributed now asks
     * the wrapped layer's keepsInnerMask (false only for Conv1D, the poolings and the rearrangements), not passesMask.
     */
    @Test
    void timeDistributedOfACustomLayerKeepsTheNestedMask() throws Exception {
        float[] ids = {1, 2, 0, 0, 3, 1, 2, 4, 2, 0, 0, 0, 4, 4, 1, 0, 0, 0, 0, 0, 1, 2, 3, 0};
        Sequential m = new Sequential(Input.shape(3, 4), new Embedding(5, 2).maskZero(true),
                new TimeDistributed(new Scale()), new TimeDistributed(new LSTM(3)));
        List<Tensor> ws = new ArrayList<>();
        int j = 0;
        for (Tensor t : m.getWeights()) ws.add(det(t.shape(), 1.3, 0.7 * j++, 0.3));
        m.setWeights(ws);
        List<Tensor> preds = new ArrayList<>();
        assertEquals(List.of(), LogCapture.warnings(Layer.class.getName(), () -> preds.add(m.predict(Tensor.wrap(ids, 2, 3, 4)))));
        assertClose(new float[] {-0.12020624f, -0.01017257f, 0.08319489f, -0.15572429f, -0.01520852f, 0.09827133f,
                -0.07642242f, -0.00345727f, 0.05851714f, -0.14875953f, -0.01952115f, 0.09170840f, 0f, 0f, 0f,
                -0.14575043f, -0.01478837f, 0.09335393f}, preds.get(0).data(), 5e-7);   // td predict
    }

    /**
     * computeMask is a query, as Keras' compute_mask: it never warns (Keras 3.15.1: Conv1D(2, 1).compute_mask(x, m) and
     * Flatten's log nothing), and leaves the layer's one warning to the call that drops a mask. It logged the warning
     * and used it up, so the model's later call stayed silent.
     */
    @Test
    void computeMaskNeverWarns() throws Exception {
        Conv1D conv = new Conv1D(2, 1);
        conv.name("c");
        Tensor x = Tensor.wrap(new float[2 * 3 * 2], 2, 3, 2), mask = Tensor.wrap(new float[] {1, 1, 0, 1, 0, 0}, 2, 3);
        List<Tensor> masks = new ArrayList<>();
        assertEquals(List.of(), LogCapture.warnings(Layer.class.getName(), () -> masks.add(conv.computeMask(x, mask))));
        assertEquals(null, masks.get(0));   // none goes on, as its call passes none
        assertEquals(List.of("Layer 'c' (of type Conv1D)" + DROPPED),
                LogCapture.warnings(Layer.class.getName(), () -> conv.call(x, mask)));
    }

    /**
     * The GUIDE's Scale trains as Keras' registered Scale: Input(4, 3) -> Scale -> LSTM(5) -> Dense(2), the script's
     * weights, SGD(0.1), mse, 3 epochs of batches of 4 in order: each epoch's loss, the layer's weights after, a predict.
     */
    @Test
    void theGuidesScaleTrainsAsKeras3() {
        float[] xv = new float[8 * 4 * 3], yv = new float[8 * 2];
        for (int k = 0; k < xv.length; k++) xv[k] = (float) Math.cos(0.3 * k);
        for (int k = 0; k < yv.length; k++) yv[k] = (float) Math.sin(0.7 * k);
        Scale scale = new Scale();
        Sequential m = new Sequential(Input.shape(4, 3), scale, new LSTM(5), new Dense(2));
        List<Tensor> ws = new ArrayList<>(m.getWeights());
        for (int j = 2; j < ws.size(); j++) ws.set(j, det(ws.get(j).shape(), 1.3, 0.7 * j, 0.3));
        m.setWeights(ws);
        assertEquals(List.of(scale.name() + "/w", scale.name() + "/b"), m.weightNames().subList(0, 2));   // as the GUIDE says
        m.compile(new SGD(0.1), "mse");
        History h = m.fit(Tensor.wrap(xv, 8, 4, 3), Tensor.wrap(yv, 8, 2),
                new FitOptions().epochs(3).batchSize(4).shuffle(false).verbose(0));
        double[] loss = h.history().get("loss").stream().mapToDouble(Double::doubleValue).toArray();
        assertArrayEquals(new double[] {0.55709893, 0.51989019, 0.49614540}, loss, 1e-6);
        List<Tensor> after = scale.getWeights();
        assertClose(new float[] {1.00126696f, 1.00396216f, 1.00300336f}, after.get(0).data(), 1e-6);
        assertClose(new float[] {0.00505791f, 0.00419246f, 0.00046015f}, after.get(1).data(), 1e-6);
        Tensor x2 = Tensor.wrap(Arrays.copyOf(xv, 2 * 4 * 3), 2, 4, 3);
        assertClose(new float[] {-0.07609825f, -0.08165822f, -0.01140264f, -0.02156534f}, m.predict(x2).data(), 1e-6);
    }

    /**
     * cloneModel and toJson refused a model holding a layer of the user's own with save's words ("cannot be saved; jrnn
     * saves InputLayer, ..."); each now names the call, the layer, and what to do instead. (Keras 3's clone_model clones a
     * custom layer from its get_config; jrnn has no config for it: GUIDE, "Writing a custom layer".)
     */
    @Test
    void cloneModelAndToJsonNameTheCallAndTheWayOut() {
        Sequential m = new Sequential(Input.shape(4, 3), new LSTM(5), new Scale().name("scale_1"), new Dense(2));
        m.name("seq");
        IllegalArgumentException clone = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> Models.cloneModel(m));
        assertEquals("Models.cloneModel: layer 'scale_1' (Scale) is a layer of your own (a subclass of Layer), which a Keras"
                + " config cannot describe, so the model cannot be cloned: build the model again from your code and, for the"
                + " same weights, clone.setWeights(model.getWeights())", clone.getMessage());
        IllegalArgumentException json = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                m::toJson);
        assertEquals("seq.toJson: layer 'scale_1' (Scale) is a layer of your own (a subclass of Layer), which a Keras config"
                + " cannot describe, so the model cannot be written as JSON (saveWeights keeps its weights)", json.getMessage());
        Model functional = new Model(m.inputs(), m.outputs()).name("fn");
        assertEquals("fn.toJson: layer 'scale_1' (Scale) is a layer of your own (a subclass of Layer), which a Keras config"
                + " cannot describe, so the model cannot be written as JSON (saveWeights keeps its weights)",
                org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class, functional::toJson).getMessage());
        // a subclass of a built-in layer is that layer to Keras' config: it clones
        Sequential sub = new Sequential(Input.shape(3), new MyDense(2));
        assertEquals(1, Models.cloneModel(sub).layers().size());
    }

    /**
     * A layer of the user's own inside a wrapper is named too: Sequential(TimeDistributed(Scale)) and a Bidirectional
     * over a RecurrentLayer of the user's own got save's words ("cannot be saved; jrnn saves InputLayer, ...").
     */
    @Test
    void cloneModelAndToJsonNameALayerOfOnesOwnInsideAWrapper() {
        Sequential m = new Sequential(Input.shape(4, 3), new TimeDistributed(new Scale().name("scale_1")).name("td"));
        m.name("seq");
        assertEquals("Models.cloneModel: layer 'scale_1' (Scale) inside TimeDistributed 'td' is a layer of your own (a"
                + " subclass of Layer), which a Keras config cannot describe, so the model cannot be cloned: build the model"
                + " again from your code and, for the same weights, clone.setWeights(model.getWeights())",
                org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class, () -> Models.cloneModel(m))
                        .getMessage());
        assertEquals("seq.toJson: layer 'scale_1' (Scale) inside TimeDistributed 'td' is a layer of your own (a subclass of"
                + " Layer), which a Keras config cannot describe, so the model cannot be written as JSON (saveWeights keeps"
                + " its weights)", org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class, m::toJson)
                        .getMessage());
        Model functional = new Model(m.inputs(), m.outputs()).name("fn");
        assertEquals("fn.toJson: layer 'scale_1' (Scale) inside TimeDistributed 'td' is a layer of your own (a subclass of"
                + " Layer), which a Keras config cannot describe, so the model cannot be written as JSON (saveWeights keeps"
                + " its weights)", org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                        functional::toJson).getMessage());
    }

    /**
     * model.save of a model holding a layer of the user's own names the layer (and its wrapper) and the way out, as
     * cloneModel and toJson do, before any file is touched (it said "cannot be saved; jrnn saves InputLayer, ..." with
     * jrnn's ~50 classes).
     */
    @Test
    void saveNamesALayerOfOnesOwnAndTouchesNoFile(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) {
        Sequential m = new Sequential(Input.shape(4, 3), new TimeDistributed(new Scale().name("scale_1")).name("td"));
        m.name("seq");
        java.nio.file.Path file = dir.resolve("m.keras");
        assertEquals("seq.save: layer 'scale_1' (Scale) inside TimeDistributed 'td' is a layer of your own (a subclass of"
                + " Layer), which a Keras config cannot describe, so the model cannot be saved whole: saveWeights(path) keeps"
                + " its weights", org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class, () -> m.save(file))
                        .getMessage());
        org.junit.jupiter.api.Assertions.assertFalse(java.nio.file.Files.exists(file));
    }

    /** A weightless layer of the user's own. */
    static class Pass extends Scale {
        @Override
        protected void createParams(List<int[]> inputShapes) {}

        @Override
        protected void initParams(java.util.SplittableRandom rng) {}
    }

    /** A subclass of Dense, as the user writes one to add a method: Dense to Keras' config and to its weights' rules. */
    static class MyDense extends Dense {
        MyDense(int units) { super(units); }
    }

    /**
     * A subclass of a concrete layer is that layer to the weight rules as to cloneModel: MyDense(2).useBias(false) with a
     * bias regularizer compiles as Dense does and Keras' subclass of Dense does (the script's "mydense evaluate": the
     * kernel's L2 counted, the bias rule unused). WeightRules went by package name, so MyDense counted as a layer of the
     * user's own and compile refused "has a regularizer on weight 'bias', expected one of its weights kernel".
     */
    @Test
    void aSubclassOfDenseTakesDensesRules() {
        MyDense d = new MyDense(2);
        d.useBias(false).biasRegularizer(Regularizers.l2(0.1)).kernelRegularizer(Regularizers.l2(0.1));
        Sequential m = new Sequential(Input.shape(3), d);
        m.setWeights(List.of(det(m.getWeights().get(0).shape(), 1.3, 0, 0.3)));
        m.compile(new SGD(0.1), "mse");
        float[] xv = new float[4 * 3], yv = new float[4 * 2];
        for (int k = 0; k < xv.length; k++) xv[k] = (float) Math.cos(0.3 * k);
        for (int k = 0; k < yv.length; k++) yv[k] = (float) Math.sin(0.7 * k);
        assertEquals(0.47100484, m.evaluate(Tensor.wrap(xv, 4, 3), Tensor.wrap(yv, 4, 2)), 1e-6);
        assertEquals(1, Models.cloneModel(m).layers().size());   // the same rule: Dense to the clone's config
    }

    private static Tensor trainX() {
        float[] xv = new float[8 * 4 * 3];
        for (int k = 0; k < xv.length; k++) xv[k] = (float) Math.cos(0.3 * k);
        return Tensor.wrap(xv, 8, 4, 3);
    }

    private static Tensor trainY() {
        float[] yv = new float[8 * 2];
        for (int k = 0; k < yv.length; k++) yv[k] = (float) Math.sin(0.7 * k);
        return Tensor.wrap(yv, 8, 2);
    }

    /**
     * A regularizer or constraint on a custom layer's weight of any name, as Keras' add_weight takes them: w under
     * L2(0.05), b under NonNeg, L1(0.01) on the outputs, trained as the script's RuledScale. Before, any name but
     * kernel, recurrent_kernel, bias, embeddings and alpha was refused ("weight must be one of ..., got 'w'").
     */
    @Test
    void rulesTakeACustomLayersOwnWeightNames() {
        Scale scale = new Scale();
        WeightRules.setRegularizer(scale, "w", Regularizers.l2(0.05));
        WeightRules.setConstraint(scale, "b", Constraints.nonNeg());
        scale.weightRules().activity(Regularizers.l1(0.01));
        Sequential m = new Sequential(Input.shape(4, 3), new LSTM(5), scale, new Dense(2));
        List<Tensor> ws = new ArrayList<>();
        int j = 0;
        for (Tensor t : m.getWeights()) ws.add(det(t.shape(), 1.3, 0.7 * j++, 0.3));
        m.setWeights(ws);
        m.compile(new SGD(0.1), "mse");
        History h = m.fit(trainX(), trainY(), new FitOptions().epochs(3).batchSize(4).shuffle(false).verbose(0));
        double[] loss = h.history().get("loss").stream().mapToDouble(Double::doubleValue).toArray();
        assertArrayEquals(new double[] {0.58321279, 0.53128856, 0.50963134}, loss, 1e-6);   // rules loss
        assertClose(new float[] {0.22630008f, -0.06949005f, -0.28229254f, -0.07738534f, 0.24865942f},
                scale.getWeights().get(0).data(), 1e-6);
        assertClose(new float[] {0.04425547f, 0.01695077f, 0.00098268f, 0.07717656f, 0.35627177f},
                scale.getWeights().get(1).data(), 1e-6);
    }

    /** The message compiling Input(4, 3) -> {@code layer} -> Dense(2) refuses with, {@code layer} given an L2 on {@code weight}. */
    private static String ruleRefusal(Layer layer, String weight) {
        WeightRules.setRegularizer(layer, weight, Regularizers.l2(0.05));
        Sequential m = new Sequential(Input.shape(4, 3), layer, new Dense(2));
        m.name("seq");
        return org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class, () -> m.compile(new SGD(0.1), "mse"))
                .getMessage();
    }

    /** A rule on a weight name the custom layer does not have is refused at compile, naming the layer's weights. */
    @Test
    void aRuleOnAWeightTheLayerLacksIsRefused() {
        assertEquals("seq: layer scale has a regularizer on weight 'kernel', expected one of its weights w, b",
                ruleRefusal(new Scale().name("scale"), "kernel"));
    }

    /**
     * A weightless layer of the user's own has no weight to take a rule: refused at compile, as Keras fails on a weight the
     * layer lacks (the check skipped layers without weights, so the rule was silently ignored).
     */
    @Test
    void aRuleOnAWeightlessLayerOfOnesOwnIsRefused() {
        assertEquals("seq: layer pass has a regularizer on weight 'w', but it has no weights", ruleRefusal(new Pass().name("pass"), "w"));
    }

    /** Plain SGD written as a user would, on Optimizer's protected hooks. */
    static class PlainSgd extends Optimizer {
        PlainSgd(float lr) { super(lr); }
        @Override public String name() { return "PlainSgd"; }
        @Override protected Map<String, Buf> stateBuffers() { return Map.of(); }
        @Override protected Set<String> stateNames() { return Set.of(); }
        @Override protected void createState(Backend be, long n) {}
        @Override protected void releaseState() {}
        @Override protected void update(Backend be, Buf p, Buf g, long n, long t, Buf guard) {
            be.axpy(n, -learningRate(), g, 0, p, 0);
        }
    }

    /**
     * save of a model compiled with an optimizer of one's own said "no Keras layout for the optimizer PlainSgd": it now
     * says that the optimizer blocks a whole save and what works (saveWeights, or a jrnn optimizer), and leaves no file.
     */
    @Test
    void saveWithAnOptimizerOfOnesOwnNamesTheWayOut(@org.junit.jupiter.api.io.TempDir Path dir) throws Exception {
        Sequential m = new Sequential(Input.shape(4, 3), new LSTM(5), new Dense(2));
        m.name("seq");
        m.compile(new PlainSgd(0.1f), "mse");
        m.fit(trainX(), trainY(), new FitOptions().epochs(1).batchSize(4).verbose(0));
        IllegalArgumentException e = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> m.save(dir.resolve("m.keras")));
        assertEquals("seq.save: the optimizer PlainSgd is a class of your own (a subclass of Optimizer), which a Keras file"
                + " has no layout for, so the model cannot be saved whole while compiled with it: saveWeights(path) keeps its"
                + " weights, or compile it with one of jrnn's optimizers to save it whole", e.getMessage());
        org.junit.jupiter.api.Assertions.assertFalse(Files.exists(dir.resolve("m.keras")));
        m.saveWeights(dir.resolve("m.weights.h5"));
        org.junit.jupiter.api.Assertions.assertTrue(Files.size(dir.resolve("m.weights.h5")) > 0);
        m.loadWeights(dir.resolve("m.weights.h5"));   // no optimizer variables written for it, none read
    }

    /** The GUIDE's "Writing a custom layer" shows {@link Scale} as this file holds it (so the example stays the tested one). */
    @Test
    void theGuidesExampleIsThisTestsScale() throws Exception {
        String guide = dev.jrnn.Readme.section("## Writing a custom layer");
        int from = guide.indexOf("```java\n") + 8, to = guide.indexOf("```", from);
        String shown = guide.substring(from, to).strip();
        Path src = Path.of("src/test/java/dev/jrnn/model/CustomLayerTest.java");
        if (!Files.exists(src)) src = Path.of("java").resolve(src);
        String here = Files.readString(src);
        String indented = String.join("\n", shown.lines().map(l -> l.isEmpty() ? l : "    " + l).toList());
        org.junit.jupiter.api.Assertions.assertTrue(shown.startsWith("/** y = x * w + b") && here.contains(indented),
                "the GUIDE's Scale differs from CustomLayerTest.Scale");
    }
}
