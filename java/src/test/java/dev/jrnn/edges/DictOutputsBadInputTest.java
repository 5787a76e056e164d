package dev.jrnn.edges;

import dev.jrnn.Jrnn;
import dev.jrnn.layers.Dense;
import dev.jrnn.layers.Node;
import dev.jrnn.model.Input;
import dev.jrnn.model.Model;
import dev.jrnn.optim.SGD;
import dev.jrnn.tensor.Tensor;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Bad input to session 31's dict-output entry points: a model made to a dict of outputs ({@code new Model(Node, Map)},
 * {@code (List, Map)}, {@code (Map, Map)}) and maps by output read by its keys, not by the layers' names: an
 * IllegalArgumentException naming the parameter, what it expects and what came; the model unchanged.
 */
class DictOutputsBadInputTest {
    @BeforeAll
    static void cpu() { Jrnn.setBackend("cpu"); }

    private static final Tensor X = Tensor.full(0.5f, 4, 1), Y = Tensor.full(1, 4, 1), W = Tensor.full(1, 4);

    /** Input "inp" to {"price": Dense "alpha", "kind": Dense "zeta"}, compiled. */
    private static Model model() {
        Input in = Input.shape(1).name("inp");
        Model m = new Model(in, Map.of("price", new Dense(1).name("alpha").apply(in), "kind", new Dense(1).name("zeta").apply(in)));
        m.compile(new SGD(0.1), "mse");
        return m.name("m");
    }

    private static final Model M = model();

    static Stream<RefusalCases.Case> cases() {
        Input a = Input.shape(1).name("a");
        Node out = new Dense(1).apply(a);
        Map<String, Node> nullKey = new HashMap<>(Map.of("y", out));
        nullKey.put(null, out);
        Map<String, Node> nullNode = new HashMap<>();
        nullNode.put("y", null);
        return Stream.of(
            new RefusalCases.Case("Model: a null map of outputs", () -> new Model(a, (Map<String, Node>) null), List.of("Model: the outputs map is null (expected output nodes by key)")),
            new RefusalCases.Case("Model: an empty map of outputs", () -> new Model(List.of(a), Map.<String, Node>of()),
                    List.of("Model: the outputs map is empty; a model needs at least one output node")),
            new RefusalCases.Case("Model: a null output key", () -> new Model(a, nullKey), List.of("Model: the outputs map has a null key, expected a string")),
            new RefusalCases.Case("Model: a null output node", () -> new Model(Map.of("x", a), nullNode), List.of("Model: the outputs map's node at 'y' is null")),
            new RefusalCases.Case("Model: a dict of inputs and outputs, the inputs null", () -> new Model((Map<String, Node>) null, Map.of("y", out)),
                    List.of("Model: the inputs map is null")),
            new RefusalCases.Case("compile: losses by the layers' names", () -> M.compile("sgd", Map.of("alpha", "mse", "zeta", "mse")),
                    List.of("m.compile: the loss map's keys must be the output names [kind, price], got [alpha, zeta]")),
            new RefusalCases.Case("evaluate: y by the layers' names", () -> M.evaluateAll(Map.of("inp", X), Map.of("alpha", Y, "zeta", Y)),
                    List.of("m.evaluate: y by output name needs the keys [kind, price]")),
            new RefusalCases.Case("evaluate: sample weights by the layers' names",
                    () -> M.evaluateAll(Map.of("inp", X), Map.of("price", Y, "kind", Y), 32, null, Map.of("alpha", W)),
                    List.of("m.evaluate: sampleWeight names output \"alpha\", the model's outputs are [kind, price]")),
            new RefusalCases.Case("evaluate: a null map of sample weights",
                    () -> M.evaluateAll(List.of(X), Map.of("price", Y, "kind", Y), 32, null, (Map<String, Tensor>) null),
                    List.of("m.evaluate: sampleWeight is null")),
            new RefusalCases.Case("evaluate: sample weights by key, one of the wrong count",
                    () -> M.evaluateAll(List.of(X), Map.of("price", Y, "kind", Y), 32, null, Map.of("kind", Tensor.full(1, 3), "price", W)),
                    List.of("m.evaluate: sampleWeight[\"kind\"] holds 3 weights, x holds 4 samples")),
            new RefusalCases.Case("fit: validation sample weights by the layers' names",
                    () -> M.fit(Map.of("inp", X), Map.of("price", Y, "kind", Y), fit().validationData(List.of(X), Map.of("price", Y, "kind", Y), Map.of("alpha", W))),
                    List.of("m.fit (validation data): sampleWeight names output \"alpha\", the model's outputs are [kind, price]")),
            new RefusalCases.Case("fit: validation sample weights by key, one of the wrong count",
                    () -> M.fit(Map.of("inp", X), Map.of("price", Y, "kind", Y),
                            fit().validationData(Map.of("inp", X), Map.of("price", Y, "kind", Y), Map.of("kind", Tensor.full(1, 3), "price", W))),
                    List.of("m.fit (validation data): sampleWeight[\"kind\"] holds 3 weights, x holds 4 samples")),
            // session 33: the keyed batch calls and predictDict of a Dataset, and a weights map that leaves an output out (Keras refuses it)
            new RefusalCases.Case("trainOnBatch: y by key, a key that names no output",
                    () -> M.trainOnBatchAll(Map.of("inp", X), Map.of("price", Y, "kind", Y, "nope", Y)),
                    List.of("m.trainOnBatch: y by output name needs the keys [kind, price] (the outputs' names), got [kind, nope, price], with [nope] that name no output")),
            new RefusalCases.Case("testOnBatch: y by key without an output's key", () -> M.testOnBatch(Map.of("inp", X), Map.of("price", Y)),
                    List.of("m.testOnBatch: y by output name needs the keys [kind, price] (the outputs' names), got [price], without [kind]")),
            new RefusalCases.Case("trainOnBatch: y by key of the wrong shape",
                    () -> M.trainOnBatch(Map.of("inp", X), Map.of("price", Y, "kind", Tensor.full(1, 4, 3))),
                    List.of("m.trainOnBatch: y[0] (kind) has shape (4, 3) (3 values per sample), output zeta (None, 1) needs 1 per sample")),
            new RefusalCases.Case("testOnBatch: y by key of the wrong count", () -> M.testOnBatch(List.of(X), Map.of("price", Tensor.full(1, 3, 1), "kind", Y)),
                    List.of("m.testOnBatch: y[1] (price) has 3 samples, x has 4")),
            new RefusalCases.Case("testOnBatch: x by key without the input's key", () -> M.testOnBatch(Map.of("nope", X), Map.of("price", Y, "kind", Y)),
                    List.of("m.testOnBatch: x by input name needs the keys [inp] (the Inputs' names), got [nope], without [inp]")),
            new RefusalCases.Case("predictOnBatchDict: x by key without the input's key", () -> M.predictOnBatchDict(Map.of("nope", X)),
                    List.of("m.predictOnBatchDict: x by input name needs the keys [inp] (the Inputs' names), got [nope], without [inp]")),
            new RefusalCases.Case("predictOnBatchDict: x of the wrong shape", () -> M.predictOnBatchDict(List.of(Tensor.full(1, 4, 3))),
                    List.of("m.predictOnBatchDict: x has shape (4, 3), the model expects (None, 1)")),
            new RefusalCases.Case("trainOnBatchAll: sample weights by key that leave an output out",
                    () -> M.trainOnBatchAll(Map.of("inp", X), Map.of("price", Y, "kind", Y), Map.of("price", W)),
                    List.of("m.trainOnBatch: sampleWeight by output name needs every output's key [kind, price], got [price], without [kind]")),
            new RefusalCases.Case("testOnBatch: sample weights by a key that names no output",
                    () -> M.testOnBatch(Map.of("inp", X), Map.of("price", Y, "kind", Y), Map.of("price", W, "kind", W, "zeta", W)),
                    List.of("m.testOnBatch: sampleWeight names output \"zeta\", the model's outputs are [kind, price]")),
            new RefusalCases.Case("testOnBatch: a null map of sample weights",
                    () -> M.testOnBatch(Map.of("inp", X), Map.of("price", Y, "kind", Y), (Map<String, Tensor>) null),
                    List.of("m.testOnBatch: sampleWeight is null")),
            new RefusalCases.Case("trainOnBatchAll(List, Map, Map): sample weights by key that leave an output out",
                    () -> M.trainOnBatchAll(List.of(X), Map.of("price", Y, "kind", Y), Map.of("kind", W)),
                    List.of("m.trainOnBatch: sampleWeight by output name needs every output's key [kind, price], got [kind], without [price]")),
            new RefusalCases.Case("trainOnBatchAll(List, Map, Map): y by a key that names no output",
                    () -> M.trainOnBatchAll(List.of(X), Map.of("price", Y, "zeta", Y), Map.of("price", W, "kind", W)),
                    List.of("m.trainOnBatch: ", "zeta")),
            new RefusalCases.Case("testOnBatch(List, Map, Map): sample weights by a key that names no output",
                    () -> M.testOnBatch(List.of(X), Map.of("price", Y, "kind", Y), Map.of("price", W, "kind", W, "zeta", W)),
                    List.of("m.testOnBatch: sampleWeight names output \"zeta\", the model's outputs are [kind, price]")),
            new RefusalCases.Case("testOnBatch(List, Map, Map): a weight by key of the wrong count",
                    () -> M.testOnBatch(List.of(X), Map.of("price", Y, "kind", Y), Map.of("price", W, "kind", Tensor.full(1, 3))),
                    List.of("m.testOnBatch: sampleWeight[\"kind\"]", "3", "4")),
            new RefusalCases.Case("fit: sample weights by key that leave an output out",
                    () -> M.fit(Map.of("inp", X), Map.of("price", Y, "kind", Y), fit().sampleWeight(Map.of("kind", W))),
                    List.of("m.fit: sampleWeight by output name needs every output's key [kind, price], got [kind], without [price]")),
            new RefusalCases.Case("predictDict(Dataset): x of the wrong shape",
                    () -> M.predictDict(dev.jrnn.data.Dataset.fromTensors(List.of(Tensor.full(1, 4, 3)), List.of()).batch(2)),
                    List.of("m.predictDict: x has shape (2, 3), the model expects (None, 1)")),
            new RefusalCases.Case("predictDict(Dataset, steps): steps 0",
                    () -> M.predictDict(dev.jrnn.data.Dataset.fromTensors(List.of(X), List.of()).batch(2), 0),
                    List.of("m.predictDict: steps must be >= 1, got 0 (the batches to predictDict, Keras' steps)")),
            new RefusalCases.Case("validationData: a null map of sample weights",
                    () -> fit().validationData(List.of(X), Map.of("price", Y, "kind", Y), (Map<String, Tensor>) null),
                    List.of("FitOptions: validationData's sampleWeight is null")),
            new RefusalCases.Case("validationData: an empty map of sample weights",
                    () -> fit().validationData(Map.of("inp", X), Map.of("price", Y, "kind", Y), Map.<String, Tensor>of()),
                    List.of("FitOptions: validationData's sampleWeight is empty")),
            new RefusalCases.Case("validationData: a negative sample weight by key",
                    () -> fit().validationData(Map.of("inp", X), Map.of("price", Y, "kind", Y), Map.of("kind", Tensor.full(-1, 4))),
                    List.of("FitOptions: validationData's sampleWeight[\"kind\"] must be finite and >= 0, got -1.0 at sample 0")));
    }

    /** A weights map by both output keys, each null. */
    private static Map<String, Tensor> nulls() {
        Map<String, Tensor> m = new HashMap<>();
        m.put("price", null);
        m.put("kind", null);
        return m;
    }

    private static dev.jrnn.model.FitOptions fit() { return new dev.jrnn.model.FitOptions().epochs(1).verbose(0); }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void isRefusedNamingWhatIsWrong(RefusalCases.Case c) {
        List<Tensor> before = M.getWeights();
        List<Double> weights = M.lossWeights();
        var losses = M.losses();
        var loss = M.loss();
        RefusalCases.assertRefused(c);
        assertEquals(before, M.getWeights(), c.name() + ": weights unchanged");
        assertTrue(M.isCompiled(), c.name() + ": still compiled");
        assertEquals(loss, M.loss(), c.name() + ": loss unchanged");
        assertEquals(losses, M.losses(), c.name() + ": losses unchanged");
        assertEquals(weights, M.lossWeights(), c.name() + ": compile unchanged");
    }

    /**
     * A weights map whose values are all null is taken as unweighted, as Keras 3.15.1 takes {@code sample_weight={"price":
     * None, "kind": None}} (evaluate, test_on_batch, train_on_batch and fit give the unweighted losses); it was refused
     * ("sampleWeight holds no weights (2 null values)").
     */
    @Test
    void weightsByKeyAllNullAreUnweighted() {
        Tensor x = Tensor.of(new float[] {0.5f, -1, 2, 0.25f}, 4, 1), y = Tensor.of(new float[] {1, 0, 2, -1}, 4, 1);
        Map<String, Tensor> ys = Map.of("price", y, "kind", y);
        try (Model a = model(); Model b = model()) {
            b.setWeights(a.getWeights());
            assertEquals(a.evaluateAll(List.of(x), ys), b.evaluateAll(List.of(x), ys, 32, null, nulls()), "evaluate");
            assertEquals(a.testOnBatch(List.of(x), ys), b.testOnBatch(List.of(x), ys, nulls()), "testOnBatch(List, Map, Map)");
            assertEquals(a.testOnBatch(Map.of("inp", x), ys), b.testOnBatch(Map.of("inp", x), ys, nulls()), "testOnBatch(Map, Map, Map)");
            assertEquals(a.trainOnBatchAll(List.of(x), ys), b.trainOnBatchAll(List.of(x), ys, nulls()), "trainOnBatchAll(List, Map, Map)");
            assertEquals(a.getWeights(), b.getWeights(), "weights after one unweighted step each");
            assertEquals(a.fit(List.of(x), ys, fit().shuffle(false)).history(), b.fit(List.of(x), ys, fit().shuffle(false).sampleWeight(nulls())).history(), "fit");
        }
    }

    /** A non-finite loss in fit names a dict-output model's output by its key, as its logs do (it named only the layer). */
    @Test
    void aNonFiniteLossNamesTheOutputByItsKey() {
        Input in = Input.shape(1).name("inp");
        try (Model m = new Model(in, Map.of("price", new Dense(1).name("alpha").apply(in), "kind", new Dense(1).name("zeta").apply(in)))) {
            m.setWeights(m.getWeights().stream().map(w -> Tensor.full(w.shape().length == 2 ? 1 : 0, w.shape())).toList());
            m.compile(new SGD(0.1), Map.of("kind", "poisson", "price", "mse"));
            Tensor x = Tensor.of(new float[] {-1, 2}, 2, 1), y = Tensor.of(new float[] {2, 2}, 2, 1);
            var e = assertThrows(dev.jrnn.model.NonFiniteException.class,
                    () -> m.fit(Map.of("inp", x), Map.of("kind", y, "price", y), new dev.jrnn.model.FitOptions().epochs(1).verbose(0)));
            assertTrue(e.getMessage().contains("(output 'kind' (layer zeta); poisson takes log(y_pred)"), e.getMessage());
        }
    }

    /**
     * predictDict on a model whose outputs are not a dict (a list, a Sequential not yet built) is refused before it runs,
     * naming predictAll: there are no keys to return them by, and Keras' predict returns a list there; outputDict too.
     */
    @Test
    void predictDictAndOutputDictRefuseAModelWithoutDictOutputs() {
        Input in = Input.shape(1).name("inp");
        try (Model list = new Model(List.of(in), List.of(new Dense(1).name("alpha").apply(in), new Dense(1).name("zeta").apply(in)));
             dev.jrnn.model.Sequential seq = new dev.jrnn.model.Sequential().add(new Dense(1))) {
            var e = assertThrows(IllegalStateException.class, () -> list.predictDict(List.of(X)));
            assertTrue(e.getMessage().contains(".predictDict: the model's outputs are not a dict (outputs [alpha, zeta]), so there are"
                    + " no keys to return them by"), e.getMessage());
            assertTrue(e.getMessage().contains("use predictAll"), e.getMessage());
            e = assertThrows(IllegalStateException.class, () -> seq.predictDict(X));
            assertTrue(e.getMessage().contains(".predictDict: the model's outputs are not a dict, so"), e.getMessage());
            assertTrue(!seq.isBuilt(), "the Sequential is left unbuilt");
            e = assertThrows(IllegalStateException.class, () -> list.predictOnBatchDict(List.of(X)));
            assertTrue(e.getMessage().contains(".predictOnBatchDict: the model's outputs are not a dict (outputs [alpha, zeta])"), e.getMessage());
            e = assertThrows(IllegalStateException.class, () -> list.predictDict(dev.jrnn.data.Dataset.fromTensors(List.of(X), List.of()).batch(2)));
            assertTrue(e.getMessage().contains(".predictDict: the model's outputs are not a dict (outputs [alpha, zeta])"), e.getMessage());
            e = assertThrows(IllegalStateException.class, list::outputDict);
            assertTrue(e.getMessage().contains(".outputDict: the model's outputs are not a dict; use outputs() and outputNames()"), e.getMessage());
        }
    }

    /** predictDict's refusals name predictDict, not predict (they named .predict, which the caller did not call). */
    @Test
    void predictDictsMessagesNamePredictDict() {
        Input in = Input.shape(1).name("inp");
        Model m = new Model(in, Map.of("price", new Dense(1).apply(in), "kind", new Dense(1).apply(in))).name("d");
        var e = assertThrows(IllegalArgumentException.class, () -> m.predictDict(Tensor.full(1, 4, 3)));
        assertTrue(e.getMessage().startsWith("d.predictDict: "), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> m.predictDict(List.of(X), 0, null));
        assertEquals("d.predictDict: batchSize must be >= 1, got 0", e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> m.predictDict(Map.of("nope", X)));
        assertTrue(e.getMessage().startsWith("d.predictDict: "), e.getMessage());
        m.close();
        var closed = assertThrows(IllegalStateException.class, () -> m.predictDict(X));
        assertEquals("d.predictDict: the model is closed", closed.getMessage());
    }

    @Test
    void everyCaseIsDistinct() {
        RefusalCases.assertDistinct(cases().map(RefusalCases.Case::name).toList());
    }
}
