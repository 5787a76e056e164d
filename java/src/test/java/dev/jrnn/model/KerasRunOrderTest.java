package dev.jrnn.model;

import dev.jrnn.Jrnn;
import dev.jrnn.layers.BatchNormalization;
import dev.jrnn.layers.Call;
import dev.jrnn.layers.Concatenate;
import dev.jrnn.layers.Dense;
import dev.jrnn.layers.GlobalAveragePooling1D;
import dev.jrnn.layers.Identity;
import dev.jrnn.layers.LSTM;
import dev.jrnn.layers.Layer;
import dev.jrnn.layers.Node;
import dev.jrnn.layers.TimeDistributed;
import dev.jrnn.optim.SGD;
import dev.jrnn.tensor.Tensor;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A layer whose calls share state (a BatchNormalization's moving statistics in training, a stateful LSTM's states) runs
 * its calls in the order Keras 3 runs them, which is by depth and not call order: against Keras 3.15.1's numbers from
 * {@code src/test/resources/dev/jrnn/model/shared_order/make_shared_order.py} and {@code make_nested_unused.py} beside it
 * (TensorFlow backend), for the Keras file loaded
 * and for the same model built in jrnn (nested models through {@link Model#apply}).
 */
class KerasRunOrderTest {
    private static final Map<String, float[]> GOLDEN = new HashMap<>();

    @BeforeAll
    static void cpu() throws Exception {
        Jrnn.setBackend("cpu");
        for (String file : List.of("shared_order.txt", "nested_unused.txt", "nested_unused_train.txt", "nested_seq_dict_train.txt")) {
            for (String line : Files.readAllLines(resource(file))) {
                if (line.startsWith("#")) continue;
                String[] f = line.split(" ");
                float[] v = new float[f.length - 2];
                for (int i = 2; i < f.length; i++) v[i - 2] = (float) Double.parseDouble(f[i]);
                GOLDEN.put(f[0] + " " + f[1], v);
            }
        }
    }

    @BeforeEach
    void fresh() {
        Jrnn.clearSession();
    }

    static Path resource(String name) throws Exception {
        return Path.of(KerasRunOrderTest.class.getResource("shared_order/" + name).toURI());
    }

    /** make_shared_order.py's det: amp * sin(a * i + ph) over the flat index, as float32. */
    static float[] det(int n, double a, double ph, double amp, float plus) {
        float[] v = new float[n];
        for (int i = 0; i < n; i++) v[i] = (float) (amp * Math.sin(a * i + ph)) + plus;
        return v;
    }

    static Tensor det(int[] shape, double a, double ph, double amp, float plus) {
        int n = 1;
        for (int d : shape) n *= d;
        return Tensor.of(det(n, a, ph, amp, plus), shape);
    }

    /** make_shared_order.py's weights: layer i of names, weight j det(shape, 1.3, 0.7 j + 0.5 i, 0.3). */
    static void weights(Model m, String... names) {
        for (int i = 0; i < names.length; i++) {
            Layer l = m.getLayer(names[i]);
            List<Tensor> ws = new ArrayList<>();
            int j = 0;
            for (Tensor w : l.getWeights()) ws.add(det(w.shape(), 1.3, 0.7 * j++ + 0.5 * i, 0.3, 0));
            l.setWeights(ws);
        }
    }

    static void assertGolden(String key, float[] got, double tol) {
        float[] want = GOLDEN.get(key);
        assertEquals(want.length, got.length, key);
        for (int i = 0; i < want.length; i++) assertEquals(want[i], got[i], tol, key + "[" + i + "]");
    }

    private static void assertStats(String key, Model m) {
        List<Tensor> w = m.getLayer("sh_bn").getWeights();
        assertGolden(key + "_moving_mean", w.get(2).data(), 2e-5);
        assertGolden(key + "_moving_var", w.get(3).data(), 2e-5);
    }

    private static FitOptions inOrder(int epochs, int batch) {
        return new FitOptions().epochs(epochs).batchSize(batch).shuffle(false).verbose(0);
    }

    /** The generators' fit: SGD(0.1), 2 epochs of batches of 3 in order; then sh_bn's statistics and predict against {@code key}'s. */
    private static void fitsAsKeras(String key, Model m, List<Tensor> xs, Tensor y) {
        m.compile(new SGD(0.1), "mse");
        m.fit(xs, List.of(y), inOrder(2, 3));
        assertStats(key + " fit", m);
        assertGolden(key + " fit_predict", m.predictAll(xs).get(0).data(), 2e-5);
    }

    // ------------------------------------------------------------------ the models, built as the generator builds them

    private static Model bnLstm() {
        Input a = Input.shape(5, 3).name("a"), b = Input.shape(5, 3).name("b");
        LSTM r = new LSTM(4).returnSequences(true).name("sh_lstm");
        BatchNormalization bn = new BatchNormalization().momentum(0.5).name("sh_bn");
        Node ha = new GlobalAveragePooling1D().name("gap_a").apply(bn.apply(r.apply(a)));
        Node hb = new GlobalAveragePooling1D().name("gap_b").apply(bn.apply(r.apply(b)));
        Model m = new Model(List.of(a, b), new Dense(1).name("head").apply(new Concatenate().name("cat").apply(ha, hb)));
        weights(m, "sh_lstm", "head");
        return m;
    }

    private static Model stateful(boolean dense) {
        Input a = Input.batchShape(2, 4, 3).name("a"), b = Input.batchShape(2, 4, 3).name("b");
        LSTM l = new LSTM(3).stateful(true).name("sh_lstm");
        Node ya = l.apply(a), yb = l.apply(b);
        if (dense) {
            ya = new Dense(2).name("da").apply(ya);
            yb = new Dense(2).name("db").apply(yb);
        }
        Model m = new Model(List.of(a, b), new Concatenate().name("cat").apply(ya, yb));
        if (dense) weights(m, "sh_lstm", "da", "db");
        else weights(m, "sh_lstm");
        return m;
    }

    private static Model threeBranch() {
        Input a = Input.shape(4).name("a"), b = Input.shape(5).name("b"), c = Input.shape(6).name("c");
        BatchNormalization bn = new BatchNormalization().momentum(0.5).name("sh_bn");
        Node ya = bn.apply(new Dense(3).name("pa").apply(a));
        Node yb = new Dense(2).name("db").apply(bn.apply(new Dense(3).name("pb").apply(b)));
        Node yc = new Dense(2).name("dc").apply(bn.apply(new Dense(3).name("pc").apply(c)));
        Model m = new Model(List.of(a, b, c), new Concatenate().name("cat").apply(ya, yb, yc));
        weights(m, "pa", "pb", "pc", "db", "dc");
        return m;
    }

    private static Model nested() {
        Input x = Input.shape(3).name("x");
        BatchNormalization bn = new BatchNormalization().momentum(0.5).name("sh_bn");
        Model enc = new Model(x, new Dense(3).name("e2").apply(new Dense(3).name("e1").apply(bn.apply(x))));
        enc.name("enc");
        weights(enc, "e1", "e2");
        Input a = Input.shape(3).name("a"), b = Input.shape(3).name("b"), c = Input.shape(3).name("c");
        Node ya = enc.apply(a), yb = new Dense(2).name("db").apply(enc.apply(b)), yc = new Dense(2).name("dc").apply(enc.apply(c));
        Model m = new Model(List.of(a, b, c), new Concatenate().name("cat").apply(ya, yb, yc));
        weights(m, "db", "dc");
        return m;
    }

    /** {@code fromIntermediate}: the model built from Identity calls on the inputs (a GraphClone). */
    private static Model nestedUnusedBn(boolean fromIntermediate) {
        return nestedUnusedBn(fromIntermediate, new Model[1]);
    }

    /** As {@link #nestedUnusedBn(boolean)}, putting the nested model in {@code enc[0]}. */
    private static Model nestedUnusedBn(boolean fromIntermediate, Model[] encOut) {
        Input x = Input.shape(3).name("x");
        BatchNormalization bn = new BatchNormalization().momentum(0.5).name("sh_bn");
        Model enc = new Model(x, List.of(new Dense(3).name("e1").apply(bn.apply(x)), bn.apply(new Dense(3).name("u1").apply(x))));
        enc.name("enc");
        encOut[0] = enc;
        weights(enc, "e1", "u1");
        Node a = Input.shape(3).name("a"), b = Input.shape(3).name("b");
        if (fromIntermediate) {
            a = new Identity().apply(a);
            b = new Identity().apply(b);
        }
        Node ya = enc.applyAll(List.of(a)).get(0), yb = new Dense(2).name("db").apply(enc.applyAll(List.of(b)).get(0));
        Model m = new Model(List.of(a, b), new Dense(1).name("head").apply(new Concatenate().name("cat").apply(ya, yb)));
        weights(m, "db", "head");
        return m;
    }

    private static Model nestedUnusedDeep() {
        Input x = Input.shape(3).name("x");
        BatchNormalization bn = new BatchNormalization().momentum(0.5).name("sh_bn");
        Model inner = new Model(x, List.of(new Dense(3).name("e1").apply(bn.apply(x)), bn.apply(new Dense(3).name("u1").apply(x))));
        inner.name("inner");
        weights(inner, "e1", "u1");
        Input yy = Input.shape(3).name("y");
        List<Node> io = inner.applyAll(List.of(yy));
        Model mid = new Model(yy, List.of(new Dense(3).name("dm").apply(io.get(0)), io.get(1)));
        mid.name("mid");
        weights(mid, "dm");
        Input a = Input.shape(3).name("a"), b = Input.shape(3).name("b");
        Node ya = mid.applyAll(List.of(a)).get(0), yb = new Dense(2).name("db").apply(mid.applyAll(List.of(b)).get(0));
        Model m = new Model(List.of(a, b), new Dense(1).name("head").apply(new Concatenate().name("cat").apply(ya, yb)));
        weights(m, "db", "head");
        return m;
    }

    private static Model nestedUnusedStateful() {
        Input x = Input.batchShape(2, 4, 3).name("x");
        LSTM l = new LSTM(3).stateful(true).name("sh_lstm");
        Model enc = new Model(x, List.of(l.apply(x), l.apply(new Dense(3).name("u1").apply(x))));
        enc.name("enc");
        weights(enc, "sh_lstm", "u1");
        Input a = Input.batchShape(2, 4, 3).name("a");
        Model m = new Model(a, new Dense(2).name("head").apply(enc.applyAll(List.of(a)).get(0)));
        weights(m, "head");
        return m;
    }

    /** enc takes two inputs, the second (the outer model's c, given to nothing else) only for the unused output's branch. */
    private static Model nestedUnusedInput() {
        Input x = Input.shape(3).name("x"), z = Input.shape(3).name("z");
        BatchNormalization bn = new BatchNormalization().momentum(0.5).name("sh_bn");
        Model enc = new Model(List.of(x, z), List.of(new Dense(3).name("e1").apply(bn.apply(x)), bn.apply(new Dense(3).name("u1").apply(z))));
        enc.name("enc");
        weights(enc, "e1", "u1");
        Input a = Input.shape(3).name("a"), b = Input.shape(3).name("b"), c = Input.shape(3).name("c");
        Node ya = enc.applyAll(List.of(a, c)).get(0), yb = new Dense(2).name("db").apply(enc.applyAll(List.of(b, c)).get(0));
        Model m = new Model(List.of(a, b, c), new Dense(1).name("head").apply(new Concatenate().name("cat").apply(ya, yb)));
        weights(m, "db", "head");
        return m;
    }

    /** nestedUnusedStateful's stateful LSTM inside a TimeDistributed over (batch, 2, 4, 3). */
    private static Model nestedUnusedTimeDistributed() {
        Input x = Input.batchShape(2, 2, 4, 3).name("x");
        TimeDistributed td = new TimeDistributed(new LSTM(3).stateful(true).name("sh_lstm")).name("td");
        Model enc = new Model(x, List.of(td.apply(x), td.apply(new Dense(3).name("u1").apply(x))));
        enc.name("enc");
        weights(enc, "td", "u1");
        Input a = Input.batchShape(2, 2, 4, 3).name("a");
        Model m = new Model(a, new Dense(2).name("head").apply(enc.applyAll(List.of(a)).get(0)));
        weights(m, "head");
        return m;
    }

    private static Model controlBn() {
        Input a = Input.shape(2).name("a"), b = Input.shape(2).name("b");
        BatchNormalization bn = new BatchNormalization().momentum(0.5).name("sh_bn");
        Model m = new Model(List.of(a, b), new Dense(1).name("head").apply(new Concatenate().name("cat").apply(bn.apply(a), bn.apply(b))));
        weights(m, "head");
        return m;
    }

    /** The Keras file of {@code name} loaded, and the model built here: each case runs on both. */
    private static List<Supplier<Model>> both(String name, Supplier<Model> built) {
        return List.of(() -> {
            try {
                return Models.load(resource(name + ".keras"));
            } catch (Exception e) {
                throw new AssertionError(e);
            }
        }, built);
    }

    /** {@link #fitsAsKeras} on the Keras file of {@code name} and on the model {@code built} makes. */
    private static void bothFitAsKeras(String name, Supplier<Model> built, List<Tensor> xs, Tensor y) {
        for (Supplier<Model> make : both(name, built)) {
            try (Model m = make.get()) {
                fitsAsKeras(name, m, xs, y);
            }
        }
    }

    // ------------------------------------------------------------------ against Keras

    /** Keras runs lstm(b), lstm(a), bn(b), bn(a): two levels below the merge the last branch runs first. */
    @Test
    void sharedBatchNormalizationUnderAnLstmMovesItsStatisticsInKerasOrder() throws Exception {
        Tensor xa = det(new int[] {6, 5, 3}, 0.9, 0.1, 1.0, 0), xb = det(new int[] {6, 5, 3}, 0.7, 0.4, 2.0, 1);
        Tensor y = det(new int[] {6, 1}, 0.5, 0.2, 1.0, 0);
        for (Supplier<Model> make : both("shared_bn_lstm", KerasRunOrderTest::bnLstm)) {
            try (Model m = make.get()) {
                m.compile(new SGD(0.0), "mse");
                m.fit(List.of(xa, xb), List.of(y), inOrder(1, 6));
                assertStats("shared_bn_lstm batch", m);
                m.compile(new SGD(0.1), "mse");
                m.fit(List.of(xa, xb), List.of(y), inOrder(2, 3));
                assertStats("shared_bn_lstm fit", m);
                assertGolden("shared_bn_lstm fit_predict", m.predictAll(List.of(xa, xb)).get(0).data(), 2e-5);
            }
        }
    }

    /** Keras runs l(b) first (from zero states) and l(a) from b's final states; the second predict goes on from a's. */
    @Test
    void sharedStatefulLstmBehindDenseLayersRunsInKerasOrder() {
        Tensor xa = det(new int[] {2, 4, 3}, 0.8, 0.3, 1.0, 0), xb = det(new int[] {2, 4, 3}, 0.6, 1.1, 1.5, 0);
        for (Supplier<Model> make : both("shared_stateful", () -> stateful(true))) {
            try (Model m = make.get()) {
                assertGolden("shared_stateful predict1", m.predictAll(List.of(xa, xb), 2, null).get(0).data(), 1e-5);
                assertGolden("shared_stateful predict2", m.predictAll(List.of(xa, xb), 2, null).get(0).data(), 1e-5);
            }
        }
    }

    /** Keras runs bn(a), bn(c), bn(b): a right below the merge comes first, the deeper b and c last branch first. */
    @Test
    void threeBranchesRunTheSharedLayerNeitherInCallOrderNorItsReverse() throws Exception {
        List<Tensor> xs = List.of(det(new int[] {6, 4}, 0.9, 0.2, 1.0, 0), det(new int[] {6, 5}, 0.7, 0.5, 2.0, 1),
                det(new int[] {6, 6}, 0.4, 0.9, 3.0, -2));
        bothFitAsKeras("three_branch_bn", KerasRunOrderTest::threeBranch, xs, det(new int[] {6, 7}, 0.3, 0.6, 1.0, 0));
    }

    /**
     * A nested model runs as one node of its parent: Keras runs enc(a), enc(c), enc(b), where the flattened calls by
     * depth would give c, b, a and call order a, b, c.
     */
    @Test
    void nestedModelCallsRunAsOneNodeInKerasOrder() throws Exception {
        List<Tensor> xs = List.of(det(new int[] {6, 3}, 0.9, 0.2, 1.0, 0), det(new int[] {6, 3}, 0.7, 0.5, 2.0, 1),
                det(new int[] {6, 3}, 0.4, 0.9, 3.0, -2));
        bothFitAsKeras("nested_bn", KerasRunOrderTest::nested, xs, det(new int[] {6, 7}, 0.3, 0.6, 1.0, 0));
    }

    /**
     * A model from intermediate nodes ({@code new Model(h, out)}, Keras' clone_graph_nodes) makes the calls between again
     * with each nested model's call opened again as one node, so it trains as Keras does (and as nested() does).
     */
    @Test
    void aModelFromIntermediateNodesKeepsItsNestedCallsAsOneNode() throws Exception {
        Input x = Input.shape(3).name("x");
        BatchNormalization bn = new BatchNormalization().momentum(0.5).name("sh_bn");
        Model enc = new Model(x, new Dense(3).name("e2").apply(new Dense(3).name("e1").apply(bn.apply(x))));
        enc.name("enc");
        weights(enc, "e1", "e2");
        Input a = Input.shape(3).name("a"), b = Input.shape(3).name("b"), c = Input.shape(3).name("c");
        Node ha = new Identity().apply(a), hb = new Identity().apply(b), hc = new Identity().apply(c);
        Node ya = enc.apply(ha), yb = new Dense(2).name("db").apply(enc.apply(hb)), yc = new Dense(2).name("dc").apply(enc.apply(hc));
        List<Tensor> xs = List.of(det(new int[] {6, 3}, 0.9, 0.2, 1.0, 0), det(new int[] {6, 3}, 0.7, 0.5, 2.0, 1),
                det(new int[] {6, 3}, 0.4, 0.9, 3.0, -2));
        try (Model m = new Model(List.of(ha, hb, hc), new Concatenate().name("cat").apply(ya, yb, yc))) {
            weights(m, "db", "dc");
            Call made = bn.calls().get(bn.calls().size() - 1);
            assertSame(enc, made.group().operation(), "the clone's BatchNormalization calls are enc's calls again");
            assertEquals(1, made.group().outputs().size());
            fitsAsKeras("nested_bn", m, xs, det(new int[] {6, 7}, 0.3, 0.6, 1.0, 0));
        }
    }

    /** An applied model that uses one output of an inner two-output model: the inner call's copy is made whole. */
    @Test
    void aNestedCallWhoseOutputsAreUsedInPartClosesWithThoseMade() {
        Input x = Input.shape(3);
        Dense d1 = new Dense(2), d2 = new Dense(2);
        Model two = new Model(x, List.of(d1.apply(x), d2.apply(x)));
        Input a = Input.shape(3);
        Model outer = new Model(a, new Dense(1).apply(two.applyAll(List.of(a)).get(0)));
        outer.apply(Input.shape(3));
        Call made = d1.calls().get(d1.calls().size() - 1);
        assertSame(two, made.group().operation());
        assertEquals(List.of(made.outputs().get(0), d2.calls().get(d2.calls().size() - 1).outputs().get(0)), made.group().outputs(),
                "closed with the outputs made, not as failed");
        assertSame(outer, made.group().parent().operation());
        // outer runs two whole (Graph.added): its replay makes d2's call again, so a model made from it runs that branch too
        assertEquals(3, d2.calls().size(), "d2's call is made again");
    }

    /**
     * Keras runs a nested model's call whole: sh_bn's call on the branch that feeds only enc's second output, which the
     * outer model does not use, moves its statistics too (four calls per step, not two).
     */
    @Test
    void aNestedCallRunsTheSharedLayerOnTheBranchOfAnUnusedOutputToo() throws Exception {
        List<Tensor> xs = List.of(det(new int[] {6, 3}, 0.9, 0.2, 1.0, 0), det(new int[] {6, 3}, 0.7, 0.5, 2.0, 1));
        Tensor y = det(new int[] {6, 1}, 0.3, 0.6, 1.0, 0);
        for (Supplier<Model> make : both("nested_unused_bn", () -> nestedUnusedBn(false))) {
            try (Model m = make.get()) {
                fitsAsKeras("nested_unused_bn", m, xs, y);
                assertTrue(m.layers().stream().noneMatch(l -> l.name().equals("u1")), "the unused branch's own layer is not listed");
            }
        }
    }

    /**
     * The outer model holds the weights of a layer only the unused branch runs (u1): closing the nested model, whose store
     * had them, leaves the outer fit running on (one epoch, close, one epoch: the two-epoch Keras numbers). u1 is neither
     * listed nor counted nor saved, as before: the outer model's weights are the flat listed layers'.
     */
    @Test
    void theOuterModelHoldsTheWeightsOfALayerOnlyTheUnusedBranchRuns() {
        List<Tensor> xs = List.of(det(new int[] {6, 3}, 0.9, 0.2, 1.0, 0), det(new int[] {6, 3}, 0.7, 0.5, 2.0, 1));
        Tensor y = det(new int[] {6, 1}, 0.3, 0.6, 1.0, 0);
        Model[] enc = new Model[1];
        try (Model m = nestedUnusedBn(false, enc)) {
            enc[0].predictAll(List.of(xs.get(0)));   // the nested model collects its weights (u1's among them) first
            m.compile(new SGD(0.1), "mse");
            m.fit(xs, List.of(y), inOrder(1, 3));
            enc[0].close();
            m.fit(xs, List.of(y), inOrder(1, 3));
            assertStats("nested_unused_bn fit", m);
            assertGolden("nested_unused_bn fit_predict", m.predictAll(xs).get(0).data(), 2e-5);
            assertEquals(12 + 12 + 8 + 6, m.countParams(), "e1, sh_bn, db, head: u1 is not counted");
            assertEquals(2 + 4 + 2 + 2, m.getWeights().size(), "e1, sh_bn, db, head");
        }
    }

    /**
     * An activity regularizer on a call only the unused branch makes (u1's) adds its penalty as in Keras 3, which runs enc
     * whole: evaluate's loss and a training batch's loss hold it (Keras 3.15.1's numbers, the Keras file and the built
     * model; before, jrnn gave 0.3702 for evaluate, the loss without it); and Keras' two-epoch fit, which trains u1 by that
     * penalty: its losses, u1's weights, sh_bn's statistics, predict and evaluate after it (before, u1 did not train and
     * this part failed).
     */
    @Test
    void anActivityRegularizerOnlyTheUnusedBranchCallsAddsItsPenaltyAsKeras() {
        List<Tensor> xs = List.of(det(new int[] {6, 3}, 0.9, 0.2, 1.0, 0), det(new int[] {6, 3}, 0.7, 0.5, 2.0, 1));
        List<Tensor> y = List.of(det(new int[] {6, 1}, 0.3, 0.6, 1.0, 0));
        Model[] enc = new Model[1];
        Supplier<Model> built = () -> {
            Model m = nestedUnusedBn(false, enc);
            ((Dense) enc[0].getLayer("u1")).activityRegularizer(dev.jrnn.regularizers.Regularizers.l2(0.1));
            return m;
        };
        for (Supplier<Model> make : both("nested_unused_activity", built)) {
            enc[0] = null;
            try (Model m = make.get()) {
                m.compile(new SGD(0.1), "mse");
                double evaluated = m.evaluateAll(xs, y, 6, null).get("loss");
                assertGolden("nested_unused_activity evaluate_before", new float[] {(float) evaluated}, 1e-5);
                assertGolden("nested_unused_activity train_on_batch", new float[] {(float) m.trainOnBatch(xs, y)}, 1e-5);
            }
        }
        for (Supplier<Model> make : both("nested_unused_activity", built)) {
            try (Model m = make.get()) {
                m.compile(new SGD(0.1), "mse");
                List<Double> losses = m.fit(xs, y, inOrder(2, 3)).history().get("loss");
                assertGolden("nested_unused_activity fit_loss", new float[] {losses.get(0).floatValue(), losses.get(1).floatValue()}, 2e-5);
                Layer u1 = m.graph().runLayers.stream().filter(l -> l.name().equals("u1")).findFirst().orElseThrow();
                assertGolden("nested_unused_activity fit_u1_kernel", u1.getWeights().get(0).data(), 2e-5);
                assertGolden("nested_unused_activity fit_u1_bias", u1.getWeights().get(1).data(), 2e-5);
                assertStats("nested_unused_activity fit", m);
                assertGolden("nested_unused_activity fit_predict", m.predictAll(xs).get(0).data(), 2e-5);
                assertGolden("nested_unused_activity fit_evaluate", new float[] {m.evaluateAll(xs, y, 6, null).get("loss").floatValue()}, 2e-5);
            }
        }
    }

    /**
     * A plain unused branch (u1 after s, nothing with state after it) with an activity regularizer: Keras 3.15.1 runs it
     * (enc runs whole) and adds its penalty to evaluate's loss and to a training batch's, whose gradient reaches s through
     * u1. The Keras file, the built model, the built model from an intermediate node, and one whose regularizer is set
     * after a first predict. Before, jrnn did not run u1 at all (not a run layer: this test failed there), so the losses
     * lacked the penalty and s trained without it. u1 trains by the penalty, as in Keras (before session 35 it kept its weights).
     */
    @Test
    void anActivityRegularizerOnAPlainUnusedBranchAddsItsPenaltyAsKeras() {
        Tensor x = det(new int[] {6, 3}, 0.9, 0.2, 1.0, 0);
        List<Tensor> y = List.of(det(new int[] {6, 1}, 0.3, 0.6, 1.0, 0));
        List<Supplier<Model>> makes = new ArrayList<>(both("nested_unused_plain", () -> nestedUnusedPlain(false, false)));
        makes.add(() -> nestedUnusedPlain(true, false));
        makes.add(() -> nestedUnusedPlain(false, true));
        for (Supplier<Model> make : makes) {
            try (Model m = make.get()) {
                m.compile(new SGD(0.1), "mse");
                Layer u1Layer = m.graph().runLayers.stream().filter(l -> l.name().equals("u1")).findFirst().orElseThrow();
                assertGolden("nested_unused_plain evaluate_before", new float[] {m.evaluateAll(List.of(x), y, 6, null).get("loss").floatValue()}, 1e-5);
                assertGolden("nested_unused_plain train_on_batch", new float[] {(float) m.trainOnBatch(List.of(x), y)}, 1e-5);
                assertGolden("nested_unused_plain step_s_kernel", m.getLayer("s").getWeights().get(0).data(), 1e-5);
                assertGolden("nested_unused_plain step_s_bias", m.getLayer("s").getWeights().get(1).data(), 1e-5);
                assertGolden("nested_unused_plain step_u1_kernel", u1Layer.getWeights().get(0).data(), 1e-5);
                assertEquals(1, m.predictAll(List.of(x)).size());
            }
        }
    }

    /**
     * make_nested_unused.py's nested_unused_plain; {@code fromIntermediate}: from an Identity call on the input (a
     * GraphClone); {@code late}: u1's regularizer set after a first predict.
     */
    private static Model nestedUnusedPlain(boolean fromIntermediate, boolean late) {
        Input x = Input.shape(3).name("x");
        Dense s = new Dense(3).name("s"), u1 = new Dense(3).name("u1");
        if (!late) u1.activityRegularizer(dev.jrnn.regularizers.Regularizers.l2(0.1));
        Model enc = new Model(x, List.of(new Dense(3).name("e1").apply(s.apply(x)), u1.apply(s.apply(x))));
        enc.name("enc");
        weights(enc, "s", "e1", "u1");
        Node a = Input.shape(3).name("a");
        if (fromIntermediate) a = new Identity().apply(a);
        Model m = new Model(a, new Dense(1).name("head").apply(enc.applyAll(List.of(a)).get(0)));
        weights(m, "head");
        if (late) {
            m.predictAll(List.of(det(new int[] {6, 3}, 0.9, 0.2, 1.0, 0)));
            u1.activityRegularizer(dev.jrnn.regularizers.Regularizers.l2(0.1));
        }
        return m;
    }

    /**
     * Not training, the unused branch changes no state (BatchNormalization reads its moving statistics): predict and
     * evaluate leave its calls out; a stateful RNN's call there still runs (its states carry on), with what it needs.
     */
    @Test
    void predictLeavesOutTheUnusedBranchUnlessAStatefulLayerIsOnIt() {
        try (Model m = nestedUnusedBn(false)) {
            Graph g = m.graph();
            assertEquals(4, g.added.size(), "u1 and sh_bn on each of enc's two calls");
            assertEquals(g.calls.size() - 4, g.run(false).calls().size());
            assertTrue(g.run(false).calls().stream().noneMatch(g.added::contains));
        }
        try (Model m = nestedUnusedStateful()) {
            Graph g = m.graph();
            assertEquals(2, g.added.size(), "u1 and sh_lstm's second call");
            assertEquals(g.calls, g.run(false).calls());
        }
    }

    /**
     * {@code trainable(false)} on the outer model freezes a layer only a nested call's unused branch runs: Keras 3.15.1 sets
     * the flag on every layer inside the nested model, so its BatchNormalization runs in inference mode and its moving mean
     * stays at its initial zeros after a fit (run: {@code bn2.moving_mean} [0, 0, 0], {@code bn2.trainable} False).
     */
    @Test
    void freezingTheOuterModelFreezesALayerOnlyTheUnusedBranchRuns() {
        Input x = Input.shape(3).name("x");
        BatchNormalization bn2 = new BatchNormalization().momentum(0.5).name("bn2");
        Model enc = new Model(x, List.of(new Dense(3).name("e1").apply(x), bn2.apply(new Dense(3).name("u1").apply(x))));
        enc.name("enc");
        Input a = Input.shape(3).name("a");
        try (Model m = new Model(a, new Dense(1).name("head").apply(enc.applyAll(List.of(a)).get(0)))) {
            m.trainable(false);
            m.compile(new SGD(0.1), "mse");
            m.fit(List.of(det(new int[] {6, 3}, 0.9, 0.2, 1.0, 0)), List.of(det(new int[] {6, 1}, 0.3, 0.6, 1.0, 0)), inOrder(2, 3));
            assertEquals(false, bn2.trainable());
            assertArrayEquals(new float[3], bn2.getWeights().get(2).data(), "bn2's moving mean as Keras': untouched");
        }
    }

    /** {@code resetStates()} resets a stateful RNN only a nested call's unused branch runs (its states carry on in predict). */
    @Test
    void resetStatesResetsAStatefulLayerOnlyTheUnusedBranchRuns() {
        Input x = Input.batchShape(2, 4, 3).name("x");
        LSTM lstm2 = new LSTM(3).stateful(true).name("lstm2");
        Model enc = new Model(x, List.of(new LSTM(3).name("e_lstm").apply(x), lstm2.apply(new Dense(3).name("u1").apply(x))));
        enc.name("enc");
        Input a = Input.batchShape(2, 4, 3).name("a");
        try (Model m = new Model(a, new Dense(1).name("head").apply(enc.applyAll(List.of(a)).get(0)))) {
            m.predictAll(List.of(det(new int[] {2, 4, 3}, 0.9, 0.2, 1.0, 0)));
            float[] h = lstm2.states().get(0).data();
            assertTrue(java.util.stream.IntStream.range(0, h.length).anyMatch(i -> h[i] != 0f), "predict ran lstm2");
            m.resetStates();
            for (Tensor s : lstm2.states()) assertArrayEquals(new float[s.data().length], s.data(), "lstm2's states reset");
        }
    }

    /** The same two levels down: the outer model uses mid's first output, the unused branch is inner's inside mid's. */
    @Test
    void aNestedCallInsideANestedCallRunsItsUnusedBranchToo() throws Exception {
        List<Tensor> xs = List.of(det(new int[] {6, 3}, 0.9, 0.2, 1.0, 0), det(new int[] {6, 3}, 0.7, 0.5, 2.0, 1));
        bothFitAsKeras("nested_unused_deep", KerasRunOrderTest::nestedUnusedDeep, xs, det(new int[] {6, 1}, 0.3, 0.6, 1.0, 0));
    }

    /**
     * An outer input (c) that only enc's calls take, for the branch of their unused output: Keras runs that branch too,
     * as enc's inputs are computed from the model's, so sh_bn's statistics move on c as well (six calls per step).
     */
    @Test
    void aNestedCallRunsTheUnusedBranchOfAnInputOnlyItTakes() throws Exception {
        List<Tensor> xs = List.of(det(new int[] {6, 3}, 0.9, 0.2, 1.0, 0), det(new int[] {6, 3}, 0.7, 0.5, 2.0, 1),
                det(new int[] {6, 3}, 0.4, 0.9, 3.0, -2));
        bothFitAsKeras("nested_unused_input", KerasRunOrderTest::nestedUnusedInput, xs, det(new int[] {6, 1}, 0.3, 0.6, 1.0, 0));
    }

    /**
     * Keras refuses a model whose nested call takes an input from outside it ("Output ... is not connected to
     * {@code inputs}", make_nested_unused.py checks), even where that input feeds only an unused output; jrnn too.
     */
    @Test
    void aNestedCallWithAnInputFromOutsideTheModelIsRefused() {
        Input x = Input.shape(3).name("x"), z = Input.shape(3).name("z");
        Model enc = new Model(List.of(x, z), List.of(new Dense(3).name("e1").apply(x), new Dense(3).name("u1").apply(z)));
        enc.name("enc");
        Input a = Input.shape(3).name("a"), outside = Input.shape(3).name("outside");
        Node y = new Dense(1).name("head").apply(enc.applyAll(List.of(a, outside)).get(0));
        IllegalArgumentException e = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class, () -> new Model(a, y));
        assertTrue(e.getMessage().contains("the call of nested model 'enc' takes outside (InputLayer)"), e.getMessage());
    }

    /**
     * The same refusal for a model from an intermediate node (Keras 3.15.1: "Output with path `` is not connected to
     * `inputs`"; before, jrnn built it and dropped enc's branch on c), and, two levels down, naming the call the user
     * made (outer), not the inner one.
     */
    @Test
    void aNestedCallWithAnInputFromOutsideIsRefusedFromIntermediateNodesAndDeep() {
        Input a = Input.shape(3).name("a"), c = Input.shape(3).name("c");
        Node h = new Dense(3).name("h").apply(a);
        Node y = new Dense(1).name("head").apply(twoInputEnc("enc").applyAll(List.of(h, c)).get(0));
        IllegalArgumentException e = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class, () -> new Model(h, y));
        assertTrue(e.getMessage().contains("the call of nested model 'enc' takes c (InputLayer)"), e.getMessage());
        new Model(List.of(h, c), y).close();   // c given: built, as Keras builds it

        Model enc = twoInputEnc("enc");
        Input x = Input.shape(3).name("x"), z = Input.shape(3).name("z");
        Model outer = new Model(List.of(x, z), enc.applyAll(List.of(x, z)));
        outer.name("outer");
        Input b = Input.shape(3).name("b"), d = Input.shape(3).name("d");
        Node yo = new Dense(1).name("head").apply(outer.applyAll(List.of(b, d)).get(0));
        e = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class, () -> new Model(b, yo));
        assertTrue(e.getMessage().contains("the call of nested model 'outer' takes d (InputLayer)"), e.getMessage());
    }

    /** Model([x, z], [e1(x), u1(z)]) named {@code name}. */
    private static Model twoInputEnc(String name) {
        Input x = Input.shape(3).name("x"), z = Input.shape(3).name("z");
        Model enc = new Model(List.of(x, z), List.of(new Dense(3).name("e1").apply(x), new Dense(3).name("u1").apply(z)));
        enc.name(name);
        return enc;
    }

    /** A model from intermediate nodes makes the nested calls again whole, the unused branch's calls of sh_bn too. */
    @Test
    void aModelFromIntermediateNodesRunsTheUnusedBranchOfANestedCallToo() {
        List<Tensor> xs = List.of(det(new int[] {6, 3}, 0.9, 0.2, 1.0, 0), det(new int[] {6, 3}, 0.7, 0.5, 2.0, 1));
        try (Model m = nestedUnusedBn(true)) {
            fitsAsKeras("nested_unused_bn", m, xs, det(new int[] {6, 1}, 0.3, 0.6, 1.0, 0));
        }
    }

    /** The same for a stateful LSTM: its states go through the unused branch's call in each predict, as Keras carries them. */
    @Test
    void aNestedCallCarriesStatesThroughTheBranchOfAnUnusedOutput() {
        Tensor xa = det(new int[] {2, 4, 3}, 0.8, 0.3, 1.0, 0);
        for (Supplier<Model> make : both("nested_unused_stateful", KerasRunOrderTest::nestedUnusedStateful)) {
            try (Model m = make.get()) {
                assertGolden("nested_unused_stateful predict1", m.predict(xa, 2).data(), 1e-5);
                assertGolden("nested_unused_stateful predict2", m.predict(xa, 2).data(), 1e-5);
            }
        }
    }

    /**
     * The same through a TimeDistributed: Keras' TimeDistributed runs the wrapped stateful LSTM step by step (its states
     * go on from one step to the next) and its states carry on through the unused branch's call; resetStates reaches it.
     */
    @Test
    void aNestedCallCarriesATimeDistributedLayersStatesThroughTheBranchOfAnUnusedOutput() {
        Tensor xa = det(new int[] {2, 2, 4, 3}, 0.8, 0.3, 1.0, 0);
        for (Supplier<Model> make : both("nested_unused_td", KerasRunOrderTest::nestedUnusedTimeDistributed)) {
            try (Model m = make.get()) {
                assertGolden("nested_unused_td predict1", m.predict(xa, 2).data(), 1e-5);
                assertGolden("nested_unused_td predict2", m.predict(xa, 2).data(), 1e-5);
                m.resetStates();
                assertGolden("nested_unused_td predict1", m.predict(xa, 2).data(), 1e-5);
            }
        }
    }

    /** Controls: right below the merge Keras runs call order, as jrnn did before. */
    @Test
    void controlsWhereKerasRunsCallOrderStillMatch() throws Exception {
        List<Tensor> xs = List.of(det(new int[] {3, 2}, 0.9, 0.2, 1.0, 0), det(new int[] {3, 2}, 0.7, 0.5, 20.0, 10));
        for (Supplier<Model> make : both("control_bn", KerasRunOrderTest::controlBn)) {
            try (Model m = make.get()) {
                m.compile(new SGD(0.1), "mse");
                m.fit(xs, List.of(det(new int[] {3, 1}, 0.5, 0.2, 1.0, 0)), inOrder(1, 3));
                assertStats("control_bn fit", m);
            }
        }
        Tensor xa = det(new int[] {2, 4, 3}, 0.8, 0.3, 1.0, 0), xb = det(new int[] {2, 4, 3}, 0.6, 1.1, 1.5, 0);
        for (Supplier<Model> make : both("control_stateful", () -> stateful(false))) {
            try (Model m = make.get()) {
                assertGolden("control_stateful predict1", m.predictAll(List.of(xa, xb), 2, null).get(0).data(), 1e-5);
                assertGolden("control_stateful predict2", m.predictAll(List.of(xa, xb), 2, null).get(0).data(), 1e-5);
            }
        }
    }

    // ------------------------------------------------------------------ the run order itself

    /** Where nothing shares state the post-order stays: each branch's two-layer LSTM stack still runs as one wavefront. */
    @Test
    void unsharedStacksKeepThePostOrderAndTheirWavefronts() {
        Input a = Input.shape(5, 2), b = Input.shape(5, 2);
        LSTM a1 = new LSTM(3).returnSequences(true), a2 = new LSTM(3), b1 = new LSTM(3).returnSequences(true), b2 = new LSTM(3);
        Node out = new Concatenate().apply(a2.apply(a1.apply(a)), b2.apply(b1.apply(b)));
        Graph g = Graph.of("m", List.of(a, b), List.of(out));
        assertEquals(List.of(a1, a2, b1, b2), g.calls.subList(0, 4).stream().map(Call::layer).toList());
        assertArrayEquals(new int[] {1, -1, 3, -1, -1}, g.chainEnd);
        // Keras' own order would run b1 before a1 (two below the merge, last branch first), and break both chains
        assertEquals(List.of(b1, a1, a2, b2), g.kerasOrder.subList(0, 4).stream().map(Call::layer).toList());
    }

    /**
     * A shared BatchNormalization between two stacks: its calls go in Keras' order (b first), every other call as early as
     * the post-order allows, so a's stack still chains and only b's BatchNormalization call moves ahead of a's.
     */
    @Test
    void onlyTheCallsThatShareStateMoveAndTheRestKeepThePostOrder() {
        Input a = Input.shape(5, 2), b = Input.shape(5, 2);
        BatchNormalization bn = new BatchNormalization();
        LSTM a1 = new LSTM(3).returnSequences(true), a2 = new LSTM(3).returnSequences(true);
        LSTM b1 = new LSTM(3).returnSequences(true), b2 = new LSTM(3).returnSequences(true);
        Node ya = new GlobalAveragePooling1D().apply(bn.apply(a2.apply(a1.apply(a))));
        Node yb = new GlobalAveragePooling1D().apply(bn.apply(b2.apply(b1.apply(b))));
        Graph g = Graph.of("m", List.of(a, b), List.of(new Concatenate().apply(ya, yb)));
        List<Call> bnCalls = g.calls.stream().filter(c -> c.layer() == bn).toList();
        assertSame(bn.calls().get(1), bnCalls.get(0), "Keras runs bn(b) first");
        List<Layer> order = g.calls.stream().map(Call::layer).toList();
        assertEquals(List.of(a1, a2, b1, b2, bn, bn), order.subList(0, 6));
        assertArrayEquals(new int[] {1, -1, 3, -1, -1, -1, -1, -1, -1}, g.chainEnd);
        assertTrue(g.calls.indexOf(bn.calls().get(1)) < g.calls.indexOf(bn.calls().get(0)));
    }

    /**
     * The unused branch trains as Keras 3.15.1 trains it (make_nested_unused_train.py): u1, only on enc's unused output,
     * takes the gradient of its activity penalty and of its kernel regularizer (which counts in the loss, as every trainable
     * weight's in Keras' model.losses), with Adam's moments; u2 after it gets no gradient and stays. Three steps on the
     * Keras file and on the model built in jrnn: the losses and every weight; the file saved then holds the optimizer's
     * variables at Keras' indices (Keras' own after the same steps, u1's slots at enc's place: pre, s, u1, e1, u2, head);
     * and Keras' file after those steps resumes here with Keras' step 4. Before, u1 did not train and its kernel penalty did
     * not count: the first loss was 0.27465 (Keras 0.29666) and this test failed there.
     */
    @Test
    void theUnusedBranchTrainsByItsPenaltiesAsKeras(@org.junit.jupiter.api.io.TempDir Path dir) throws Exception {
        Tensor x = det(new int[] {6, 3}, 0.9, 0.2, 1.0, 0);
        List<Tensor> y = List.of(det(new int[] {6, 1}, 0.3, 0.6, 1.0, 0));
        int k = 0;
        for (Supplier<Model> make : both("nested_unused_train", KerasRunOrderTest::nestedUnusedTrain)) {
            try (Model m = make.get()) {
                m.compile(new dev.jrnn.optim.Adam(0.05), "mse");
                assertGolden("nested_unused_train evaluate_before", new float[] {m.evaluateAll(List.of(x), y, 6, null).get("loss").floatValue()}, 1e-5);
                float[] losses = new float[3];
                for (int i = 0; i < 3; i++) losses[i] = (float) m.trainOnBatch(List.of(x), y);
                assertGolden("nested_unused_train losses", losses, 2e-5);
                assertTrainWeights(m, "step3", 2e-5);
                assertEquals(12 + 12 + 12 + 4, m.countParams(), "pre, s, e1, head: u1 and u2 are not listed");
                Path saved = dir.resolve("jrnn" + k++ + ".keras");
                m.save(saved);
                Map<Integer, float[]> want = optimizerVars(resource("nested_unused_train_3.keras")), got = optimizerVars(saved);
                assertEquals(2 + 2 * 12, want.size(), "iteration, learning_rate, two slots of 12 weights");
                assertEquals(want.keySet(), got.keySet());
                for (int i : want.keySet()) assertGolden(want.get(i), got.get(i), 2e-5, "optimizer/vars/" + i);
            }
        }
        try (Model m = Models.load(resource("nested_unused_train_3.keras"))) {   // Keras' state after 3 steps, resumed here
            assertGolden("nested_unused_train loss4", new float[] {(float) m.trainOnBatch(List.of(x), y)}, 2e-5);
            assertTrainWeights(m, "step4", 2e-5);
        }
    }

    /**
     * make_nested_seq_dict_train.py's nested Sequential (Keras' slot order pb1, seq/s1..s3, pb2, head, not the flattened
     * depth order) and nested dict-input model called on a dict: Keras' file after 2 Adam steps resumes here with Keras'
     * 3rd step; trained here from Keras' file before any step, saved (flattened) and loaded, the 3rd step is Keras' too.
     * The save's optimizer variables are those of jrnn_nested_*_train_2.keras, which Keras 3.15.1 resumes with its own 3rd
     * step (check_jrnn_seq_dict_train.py: within 4e-6).
     */
    @Test
    void aNestedSequentialAndADictModelTrainAndResumeAsKeras(@org.junit.jupiter.api.io.TempDir Path dir) throws Exception {
        List<Tensor> xs = List.of(det(new int[] {6, 3}, 0.9, 0.2, 1.0, 0), det(new int[] {6, 2}, 0.5, 0.1, 1.0, 0));
        List<Tensor> y = List.of(det(new int[] {6, 1}, 0.3, 0.6, 1.0, 0));
        for (String kind : List.of("seq", "dict")) {
            String c = "nested_" + kind + "_train";
            try (Model m = Models.load(resource(c + "_2.keras"))) {
                assertEquals(2, m.optimizer().iterations(), c);
                assertGolden(c + " loss3", new float[] {(float) m.trainOnBatch(xs, y)}, 2e-5);
                assertGolden(c + " pred3", m.predictAll(xs).get(0).data(), 2e-5);
            }
            Path saved = dir.resolve(kind + ".keras");
            try (Model m = Models.load(resource(c + "_0.keras"))) {
                for (int i = 0; i < 2; i++) m.trainOnBatch(xs, y);
                m.save(saved);
            }
            // the slots in the flattened file's order, as in the file check_jrnn_seq_dict_train.py resumes in Keras
            Map<Integer, float[]> want = optimizerVars(resource("jrnn_" + c + "_2.keras")), got = optimizerVars(saved);
            assertEquals(want.keySet(), got.keySet(), c);
            for (int i : want.keySet()) assertGolden(want.get(i), got.get(i), 2e-5, c + " optimizer/vars/" + i);
            try (Model m = Models.load(saved)) {
                assertGolden(c + " loss3", new float[] {(float) m.trainOnBatch(xs, y)}, 2e-5);
                assertGolden(c + " pred3", m.predictAll(xs).get(0).data(), 2e-5);
            }
        }
    }

    /** Every weight of make_nested_unused_train.py's model against its {@code step} golden (u1, u2 from the run layers). */
    static void assertTrainWeights(Model m, String step, double tol) {
        for (String n : List.of("pre", "s", "e1", "u1", "u2", "head")) {
            Layer l = m.graph().runLayers.stream().filter(r -> r.name().equals(n)).findFirst().orElseThrow();
            for (int j = 0; j < 2; j++) assertGolden("nested_unused_train " + step + "_" + n + "_" + j, l.getWeights().get(j).data(), tol);
        }
    }

    private static void assertGolden(float[] want, float[] got, double tol, String what) {
        assertEquals(want.length, got.length, what);
        for (int i = 0; i < want.length; i++) assertEquals(want[i], got[i], tol, what + "[" + i + "]");
    }

    /** A .keras file's optimizer/vars/i datasets, by i. */
    static Map<Integer, float[]> optimizerVars(Path keras) throws Exception {
        Path h5 = Files.createTempFile("vars", ".h5");
        try (java.util.zip.ZipFile z = new java.util.zip.ZipFile(keras.toFile())) {
            Files.write(h5, z.getInputStream(z.getEntry("model.weights.h5")).readAllBytes());
        }
        Map<Integer, float[]> r = new java.util.TreeMap<>();
        try (io.jhdf.HdfFile h = new io.jhdf.HdfFile(h5)) {
            for (var e : ((io.jhdf.api.Group) h.getByPath("optimizer/vars")).getChildren().entrySet()) {
                Object d = ((io.jhdf.api.Dataset) e.getValue()).getData();
                float[] v;
                if (d instanceof float[][] m2) {
                    v = new float[m2.length * m2[0].length];
                    for (int i = 0; i < m2.length; i++) System.arraycopy(m2[i], 0, v, i * m2[0].length, m2[0].length);
                } else if (d instanceof float[] f) v = f;
                else if (d instanceof Number n) v = new float[] {n.floatValue()};
                else throw new AssertionError("optimizer/vars/" + e.getKey() + ": " + d.getClass());
                r.put(Integer.parseInt(e.getKey()), v);
            }
        } finally {
            Files.delete(h5);
        }
        return r;
    }

    /** make_nested_unused_train.py's model built in jrnn: enc = Model(x, [e1(s(x)), u2(u1(s(x)))]), head(enc(pre(a))[0]). */
    static Model nestedUnusedTrain() {
        Input x = Input.shape(3).name("x");
        Dense s = new Dense(3).name("s"), u1 = new Dense(3).name("u1");
        u1.activityRegularizer(dev.jrnn.regularizers.Regularizers.l2(0.1));
        u1.kernelRegularizer(dev.jrnn.regularizers.Regularizers.l2(0.05));
        Node sx = s.apply(x);
        Model enc = new Model(x, List.of(new Dense(3).name("e1").apply(sx), new Dense(2).name("u2").apply(u1.apply(sx))));
        enc.name("enc");
        weights(enc, "s", "e1", "u1", "u2");
        Input a = Input.shape(3).name("a");
        Model m = new Model(a, new Dense(1).name("head").apply(enc.applyAll(List.of(new Dense(3).name("pre").apply(a))).get(0)));
        weights(m, "pre", "head");
        return m;
    }
}
