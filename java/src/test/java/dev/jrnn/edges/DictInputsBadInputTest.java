package dev.jrnn.edges;

import dev.jrnn.Jrnn;
import dev.jrnn.layers.Dense;
import dev.jrnn.layers.Node;
import dev.jrnn.layers.Subtract;
import dev.jrnn.model.FitOptions;
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

/**
 * Bad input to session 30's dict entry points: a model made from a dict of inputs, a Map x read by its keys, compile's
 * losses and loss weights given one by name and one by position, and the dict forms of weighted validation data and
 * evaluate: an IllegalArgumentException naming the parameter, what it expects and what came; the model unchanged.
 */
class DictInputsBadInputTest {
    @BeforeAll
    static void cpu() { Jrnn.setBackend("cpu"); }

    private static final Tensor X = Tensor.full(0.5f, 4, 1), Y = Tensor.full(1, 4, 1), W = Tensor.full(1, 4);

    /** {"price": Input "price_in", "kind": Input "kind_in"} to outputs [zz, aa], compiled. */
    private static Model model() {
        Input p = Input.shape(1).name("price_in"), k = Input.shape(1).name("kind_in");
        Node d = new Subtract().apply(List.of(p, k));
        Model m = new Model(Map.of("price", p, "kind", k), List.of(new Dense(1).name("zz").apply(d), new Dense(1).name("aa").apply(d)));
        m.compile(new SGD(0.1), "mse");
        return m.name("m");
    }

    private static final Model M = model();
    private static final Map<String, Tensor> XS = Map.of("price", X, "kind", X), YS = Map.of("zz", Y, "aa", Y);

    /** {"price": q, "kind": q, null: q}. */
    private static Map<String, Node> nullKeyNodes(Node q) {
        Map<String, Node> r = new HashMap<>(Map.of("price", q, "kind", q));
        r.put(null, q);
        return r;
    }

    /** {"price": q, key: null}. */
    private static Map<String, Node> nullNodeAt(String key, Node q) {
        Map<String, Node> r = new HashMap<>(Map.of("price", q));
        r.put(key, null);
        return r;
    }

    static Stream<RefusalCases.Case> cases() {
        Input a = Input.shape(1).name("a");
        Node out = new Dense(1).apply(a);
        Map<String, Node> nullKey = new HashMap<>(Map.of("a", a));
        nullKey.put(null, a);
        Map<String, Node> nullNode = new HashMap<>();
        nullNode.put("a", null);
        Map<String, Double> nullWeight = new HashMap<>(Map.of("zz", 1.0));   // sorted [aa, zz]: not the output order either
        nullWeight.put("aa", null);
        Input q = Input.shape(1);
        return Stream.of(
            new RefusalCases.Case("applyAll by name: a null map", () -> M.applyAll((Map<String, Node>) null), List.of("m.apply: inputs is null")),
            new RefusalCases.Case("applyAll by name: an input missing", () -> M.applyAll(Map.of("price", q)),
                    List.of("m.apply: no node for input 'kind'; the model's inputs are [kind, price], the map has [price]")),
            new RefusalCases.Case("applyAll by name: a key naming no input of a dict-input model", () -> M.applyAll(Map.of("price", q, "kind", q, "a", q)),
                    List.of("m.apply: keys [a] name no input of this dict-input model (its keys are [kind, price])", "sorted-key position")),
            new RefusalCases.Case("applyAll by name: a null key", () -> M.applyAll(nullKeyNodes(q)), List.of("m.apply: the inputs map has a null key")),
            new RefusalCases.Case("applyAll by name: a null node", () -> M.applyAll(nullNodeAt("kind", q)), List.of("m.apply: the inputs map's node at 'kind' is null")),
            new RefusalCases.Case("Model: a null map of inputs", () -> new Model((Map<String, Node>) null, out), List.of("Model: the inputs map is null")),
            new RefusalCases.Case("Model: an empty map of inputs", () -> new Model(Map.<String, Node>of(), List.of(out)), List.of("Model: the inputs map is empty")),
            new RefusalCases.Case("Model: a null key", () -> new Model(nullKey, out), List.of("Model: the inputs map has a null key")),
            new RefusalCases.Case("Model: a null node", () -> new Model(nullNode, out), List.of("Model: the inputs map's node at 'a' is null")),
            new RefusalCases.Case("Model: one Input under two keys", () -> new Model(Map.of("a", a, "b", a), out), List.of("input a is listed twice")),
            new RefusalCases.Case("predict: x by the Inputs' names", () -> M.predictAll(Map.of("price_in", X, "kind_in", X)),
                    List.of("m.predict: x needs the keys [kind, price] (the model's input dict keys), got [kind_in, price_in]")),
            new RefusalCases.Case("compile: loss weights by position, one short", () -> M.compile(new SGD(0.1), Map.of("zz", "mse", "aa", "mse"), List.of(1.0)),
                    List.of("m.compile: expected one loss weight per output (2: [zz, aa]), got 1 [1.0]")),
            new RefusalCases.Case("compile: losses by name naming no output", () -> M.compile(new SGD(0.1), Map.of("zz", "mse", "bb", "mse"), List.of(1.0, 1.0)),
                    List.of("m.compile: the loss map's keys must be the output names [zz, aa], got [bb, zz]")),
            new RefusalCases.Case("compile: a null loss map beside weights", () -> M.compile("sgd", (Map<String, ?>) null, List.of(1.0, 1.0)),
                    List.of("m.compile: losses is null")),
            new RefusalCases.Case("compile: a null loss weights map beside losses", () -> M.compile("sgd", List.of("mse", "mse"), (Map<String, Double>) null),
                    List.of("m.compile: the loss weights map is null")),
            new RefusalCases.Case("compile: loss weights by a name of no output", () -> M.compile("sgd", List.of("mse", "mse"), Map.of("zz", 1.0, "cc", 2.0)),
                    List.of("m.compile: the loss weights map's keys must be the output names [zz, aa], got [cc, zz]")),
            new RefusalCases.Case("compile: loss weights whose sorted keys are not the output order", () -> M.compile("sgd", List.of("mse", "mse"), Map.of("zz", 1.0, "aa", 2.0)),
                    List.of("need the output names [zz, aa] to be in sorted order, got the keys in sorted order [aa, zz]", "would weigh output zz by aa's weight")),
            new RefusalCases.Case("compile: a null weight in the loss weights map beside losses", () -> M.compile("sgd", List.of("mse", "mse"), nullWeight),
                    List.of("m.compile: the loss weight of output 1 (aa) must be a finite number, got null")),
            new RefusalCases.Case("validationData: dict forms with a null weight", () -> new FitOptions().validationData(XS, YS, (Tensor) null),
                    List.of("FitOptions: validationData's sampleWeight")),
            new RefusalCases.Case("validationData: dict forms with a null weight list", () -> new FitOptions().validationData(XS, YS, (List<Tensor>) null),
                    List.of("FitOptions: validationData's sampleWeight is null")),
            new RefusalCases.Case("fit: dict validation weights of another length", () -> M.fit(XS, YS, new FitOptions().verbose(0)
                    .validationData(XS, YS, Tensor.full(1, 3))), List.of("m.fit", "sampleWeight holds 3 weights, x holds 4 samples")),
            new RefusalCases.Case("evaluate: dict forms with weights of another length", () -> M.evaluateAll(XS, YS, 32, null, Tensor.full(1, 3)),
                    List.of("m.evaluate: sampleWeight holds 3 weights, x holds 4 samples; give one weight per sample")),
            new RefusalCases.Case("evaluate: dict forms with one weight tensor for two outputs", () -> M.evaluateAll(XS, YS, 32, null, List.of(W)),
                    List.of("m.evaluate: sampleWeight holds 1 weight tensor(s), the model has 2 output(s) [zz, aa]")),
            new RefusalCases.Case("validationData: x by key, y a list, a null weight", () -> new FitOptions().validationData(XS, List.of(Y, Y), (Tensor) null),
                    List.of("FitOptions: validationData's sampleWeight")),
            new RefusalCases.Case("validationData: x by key, y a list, a null weight list", () -> new FitOptions().validationData(XS, List.of(Y, Y), (List<Tensor>) null),
                    List.of("FitOptions: validationData's sampleWeight is null")),
            new RefusalCases.Case("fit: validation x by key, y a list, weights of another length", () -> M.fit(XS, YS, new FitOptions().verbose(0)
                    .validationData(XS, List.of(Y, Y), Tensor.full(1, 3))), List.of("m.fit", "sampleWeight holds 3 weights, x holds 4 samples")),
            new RefusalCases.Case("evaluate: x by key, y a list, weights of another length", () -> M.evaluateAll(XS, List.of(Y, Y), 32, null, Tensor.full(1, 3)),
                    List.of("m.evaluate: sampleWeight holds 3 weights, x holds 4 samples; give one weight per sample")),
            new RefusalCases.Case("evaluate: x by key, y a list, one weight tensor for two outputs", () -> M.evaluateAll(XS, List.of(Y, Y), 32, null, List.of(W)),
                    List.of("m.evaluate: sampleWeight holds 1 weight tensor(s), the model has 2 output(s) [zz, aa]")),
            new RefusalCases.Case("evaluate: x by the Inputs' names, y a list, weighted", () -> M.evaluateAll(Map.of("price_in", X, "kind_in", X), List.of(Y, Y), 32, null, W),
                    List.of("m.evaluate: x needs the keys [kind, price] (the model's input dict keys)")),
            new RefusalCases.Case("evaluate: dict forms with y by a name of no output", () -> M.evaluateAll(XS, Map.of("zz", Y, "bb", Y), 32, null, W),
                    List.of("m.evaluate: y by output name needs the keys [zz, aa]", "with [bb] that name no output")));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void isRefusedNamingWhatIsWrong(RefusalCases.Case c) {
        List<Tensor> before = M.getWeights();
        List<Double> weights = M.lossWeights();
        RefusalCases.assertRefused(c);
        assertEquals(before, M.getWeights(), c.name() + ": weights unchanged");
        assertEquals(weights, M.lossWeights(), c.name() + ": compile unchanged");
    }

    @Test
    void everyCaseIsDistinct() {
        RefusalCases.assertDistinct(cases().map(RefusalCases.Case::name).toList());
    }
}
