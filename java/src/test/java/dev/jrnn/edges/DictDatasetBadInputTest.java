package dev.jrnn.edges;

import dev.jrnn.Jrnn;
import dev.jrnn.data.Dataset;
import dev.jrnn.layers.Concatenate;
import dev.jrnn.layers.Dense;
import dev.jrnn.layers.Node;
import dev.jrnn.model.FitOptions;
import dev.jrnn.model.Input;
import dev.jrnn.model.Model;
import dev.jrnn.optim.SGD;
import dev.jrnn.tensor.Tensor;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Bad input to the named data sets (tf.data's dicts): Dataset.fromTensors / fromNpz / fromSafetensors by name, named, and
 * fit / evaluate / predict matching them to a model by name: an exception naming the parameter, what it expects and what
 * came, as Keras 3.15.1 refuses a missing input key and target keys other than the outputs'; the model unchanged.
 */
class DictDatasetBadInputTest {
    @BeforeAll
    static void cpu() { Jrnn.setBackend("cpu"); }

    private static final Tensor X3 = Tensor.full(0.5f, 4, 3), X2 = Tensor.full(0.25f, 4, 2), Y1 = Tensor.full(1, 4, 1),
            Y2 = Tensor.full(1, 4, 2), W = Tensor.full(1, 4);

    /** Inputs title (3), body (2); outputs priority (1), dept (2). */
    private static Model model() {
        Input t = Input.shape(3).name("title"), b = Input.shape(2).name("body");
        Node h = new Concatenate().apply(List.of(t, b));
        Model m = new Model(List.of(t, b), List.of(new Dense(1).name("priority").apply(h), new Dense(2).name("dept").apply(h)));
        m.compile(new SGD(0.1), "mse");
        return m.name("m");
    }

    private static final Model M = model();
    private static final Map<String, Tensor> XS = Map.of("title", X3, "body", X2), YS = Map.of("priority", Y1, "dept", Y2);
    private static final FitOptions QUIET = new FitOptions().verbose(0);

    static Stream<RefusalCases.Case> cases() {
        Map<String, Tensor> nullKey = new HashMap<>(XS);
        nullKey.put(null, X3);
        Map<String, Tensor> oneNull = new HashMap<>(YS);   // accepted (that output gets no target): refused with a weight
        oneNull.put("dept", null);
        Path npz = Path.of("never-read.npz");   // each refusal comes before the file is opened
        return Stream.of(
            new RefusalCases.Case("fit: an input key of no input, one missing", () -> M.fit(Dataset.fromTensors(Map.of("title", X3, "bdy", X2), YS).batch(2), QUIET),
                    List.of("m.fit: the dataset has no input 'body' of model 'm' (inputs: title, body; the dataset's input keys: bdy, title);"
                            + " dataset key 'bdy' is not an input of model 'm'")),
            new RefusalCases.Case("predict: a missing input key", () -> M.predictAll(Dataset.fromTensors(Map.of("title", X3), Map.of()).batch(2), 2),
                    List.of("m.predict: the dataset has no input 'body' of model 'm'")),
            new RefusalCases.Case("fit: a target key of no output", () -> M.fit(Dataset.fromTensors(XS, Map.of("priority", Y1, "dept", Y2, "zz", Y1)).batch(2), QUIET),
                    List.of("m.fit: the dataset's target keys [dept, priority, zz] are not the outputs of model 'm' (outputs: priority, dept): with 'zz', which names no output")),
            new RefusalCases.Case("evaluate: a missing target key", () -> M.evaluateAll(Dataset.fromTensors(XS, Map.of("priority", Y1)).batch(2)),
                    List.of("m.evaluate: the dataset's target keys [priority] are not the outputs of model 'm' (outputs: priority, dept): without 'dept'")),
            new RefusalCases.Case("fit: sample weights by a key of no output", () -> M.fit(Dataset.fromTensors(XS, Map.of("priority", Y1, "dept", Y2))
                    .named(null, null, List.of("priority", "zz")).batch(2), QUIET), List.of("Dataset.named: sampleWeights has 2 names [priority, zz], the data set 0 sample weights per sample")),
            new RefusalCases.Case("fromTensors: sample weights keyed otherwise than the targets", () -> Dataset.fromTensors(XS, YS, Map.of("priority", W)),
                    List.of("Dataset.fromTensors: sampleWeights has the keys [priority], the targets [dept, priority]")),
            new RefusalCases.Case("fromTensors: a null inputs map", () -> Dataset.fromTensors((Map<String, Tensor>) null, YS), List.of("Dataset.fromTensors: inputs is null")),
            new RefusalCases.Case("fromTensors: an empty inputs map", () -> Dataset.fromTensors(Map.<String, Tensor>of(), YS),
                    List.of("Dataset.fromTensors: inputs is empty; at least one input is needed")),
            new RefusalCases.Case("fromTensors: a null key", () -> Dataset.fromTensors(nullKey, YS), List.of("Dataset.fromTensors: inputs has a null key")),
            new RefusalCases.Case("fromTensors: a sample weight for a null target", () -> Dataset.fromTensors(XS, oneNull, Map.of("priority", W, "dept", W)),
                    List.of("Dataset.fromTensors: sampleWeights['dept'] weighs targets['dept'], which is null (no target for that output); leave it null or out")),
            new RefusalCases.Case("fromNpz: every target member null, with sample weights", () -> Dataset.fromNpz(npz, Map.of("title", "t"),
                    new HashMap<String, String>() {{ put("dept", null); }}, new HashMap<String, String>() {{ put("dept", null); }}),
                    List.of("Dataset.fromNpz: every targets value is null (none) but sample weights are given; they weigh the targets' losses")),
            new RefusalCases.Case("fromSafetensors: every sample weight member null", () -> Dataset.fromSafetensors(npz, Map.of("title", "t"),
                    Map.of("priority", "p"), new HashMap<String, String>() {{ put("priority", null); }}),
                    List.of("Dataset.fromSafetensors: every sampleWeights value is null; give at least one, or leave sampleWeights out")),
            new RefusalCases.Case("fromNpy: a null input file", () -> Dataset.fromNpy(new HashMap<>(Map.of("title", Path.of("t.npy"))) {{ put("body", null); }}, Map.of()),
                    List.of("Dataset.fromNpy: inputs['body'] is null; give the file that holds it")),
            new RefusalCases.Case("fromNpy: a null sampleWeights map", () -> Dataset.fromNpy(Map.of("title", Path.of("t.npy")), Map.of(), null),
                    List.of("Dataset.fromNpy: sampleWeights is null")),
            new RefusalCases.Case("fromSafetensors: sample weights keyed otherwise than the targets", () -> Dataset.fromSafetensors(npz, Map.of("title", "t"),
                    Map.of("priority", "p"), Map.of("zz", "w")), List.of("Dataset.fromSafetensors: sampleWeights has the keys [zz], the targets [priority]")),
            new RefusalCases.Case("fromShards: a null dir", () -> Dataset.fromShards(null, Map.of("title", "t"), Map.of()), List.of("Dataset.fromShards: dir is null")),
            new RefusalCases.Case("fromShards: an empty inputs map", () -> Dataset.fromShards(Path.of("never-read"), Map.of(), Map.of()),
                    List.of("Dataset.fromShards: inputs is empty; at least one input is needed")),
            new RefusalCases.Case("fit: names enumerate dropped", () -> M.fit(Dataset.fromTensors(XS, YS).enumerate(0).batch(2), QUIET),
                    List.of("m.fit: the dataset's names were dropped by enumerate")),
            new RefusalCases.Case("evaluate: a target key of no output beside a null target", () -> M.evaluateAll(Dataset.fromTensors(XS,
                    new HashMap<String, Tensor>(Map.of("priority", Y1, "zz", Y2)) {{ put("dept", null); }}).batch(2)),
                    List.of("m.evaluate: the dataset's target keys [priority, zz] (null targets: dept) are not the outputs of model 'm' (outputs: priority, dept): with 'zz'")),
            new RefusalCases.Case("fit: a sample weight key of no output beside a null target", () -> M.fit(Dataset.fromTensors(XS, oneNull, Map.of("priority", W))
                    .named(null, List.of("priority"), List.of("zz")).batch(2), QUIET),
                    List.of("m.fit: the dataset's sample weight keys [zz] (null targets: dept) are not the outputs of model 'm' (outputs: priority, dept):"
                            + " without 'priority', with 'zz'")),
            new RefusalCases.Case("fromTensors: one of a list of targets null", () -> Dataset.fromTensors(List.of(X3, X2), Arrays.asList(Y1, null)),
                    List.of("Dataset.fromTensors: targets[1] is null; give every target, or none")),
            new RefusalCases.Case("fromTensors: null inputs and targets (the inputs named first, as before)",
                    () -> Dataset.fromTensors((List<Tensor>) null, null), List.of("Dataset.fromTensors: inputs is null")),
            new RefusalCases.Case("fromTensors: a null input and a null target (the input named first, as before)",
                    () -> Dataset.fromTensors(Arrays.asList(X3, null), Arrays.asList(Y1, null)), List.of("Dataset.fromTensors: inputs[1] is null")),
            new RefusalCases.Case("fromNpz: a null member", () -> Dataset.fromNpz(npz, new HashMap<>(Map.of("title", "t")) {{ put("body", null); }}, Map.of()),
                    List.of("Dataset.fromNpz: inputs['body'] is null; give the member that holds it")),
            new RefusalCases.Case("fromSafetensors: a null targets map", () -> Dataset.fromSafetensors(npz, Map.of("title", "t"), null),
                    List.of("Dataset.fromSafetensors: targets is null")),
            new RefusalCases.Case("named: fewer names than inputs", () -> Dataset.fromTensors(List.of(X3, X2), List.of(Y1)).named(List.of("title"), null, null),
                    List.of("Dataset.named: inputs has 1 names [title], the data set 2 inputs per sample")),
            new RefusalCases.Case("named: a name twice", () -> Dataset.fromTensors(List.of(X3, X2), List.of(Y1)).named(List.of("a", "a"), null, null),
                    List.of("Dataset.named: inputs names 'a' twice: [a, a]")),
            new RefusalCases.Case("named: a null name", () -> Dataset.fromTensors(List.of(X3, X2), List.of(Y1)).named(Arrays.asList("a", null), null, null),
                    List.of("Dataset.named: inputs[1] is null")),
            new RefusalCases.Case("concatenate: other names", () -> Dataset.fromTensors(XS, YS).concatenate(Dataset.fromTensors(List.of(X2, X3), List.of(Y2, Y1))),
                    List.of("Dataset.concatenate: other: expected the input names [body, title] as this data set's, got none (positional)")));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void isRefusedNamingWhatIsWrong(RefusalCases.Case c) {
        List<Tensor> before = M.getWeights();
        RefusalCases.assertRefused(c);
        assertEquals(before, M.getWeights(), c.name() + ": weights unchanged");
    }

    @Test
    void everyCaseIsDistinct() {
        RefusalCases.assertDistinct(cases().map(RefusalCases.Case::name).toList());
    }
}
