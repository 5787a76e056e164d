package dev.jrnn.edges;

import dev.jrnn.Jrnn;
import dev.jrnn.data.Dataset;
import dev.jrnn.layers.Dense;
import dev.jrnn.layers.LSTM;
import dev.jrnn.model.Callback;
import dev.jrnn.model.FitOptions;
import dev.jrnn.model.FitParams;
import dev.jrnn.model.Model;
import dev.jrnn.model.Sequential;
import dev.jrnn.optim.SGD;
import dev.jrnn.tensor.Tensor;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Bad input to session 21's evaluate / predict entry points (evaluate's Keras list, steps over a Dataset with callbacks,
 * predict's steps, FitOptions.verbose("auto")): an IllegalArgumentException naming the parameter, what it expects and
 * what came; the weights and the stop flags unchanged and no hook called.
 */
class EvaluateApiBadInputTest {
    @BeforeAll
    static void cpu() { Jrnn.setBackend("cpu"); }

    private static final Tensor X = Tensor.full(0.5f, 4, 3), Y = Tensor.full(1, 4, 1);

    private static Sequential model() {
        Jrnn.setSeed(1);
        Sequential m = new Sequential(new Dense(1).activation("sigmoid").inputShape(3));
        m.compile(new SGD(0.1), "binary_crossentropy", "accuracy");
        return (Sequential) m.name("m");
    }

    private static final Sequential M = model();

    /** Records every hook it gets: a refused call must call none. */
    private static final class Seen implements Callback {
        final List<String> hooks = new ArrayList<>();

        @Override public void setParams(FitParams p) { hooks.add("setParams"); }
        @Override public void onTestBegin(Model model) { hooks.add("onTestBegin"); }
        @Override public void onPredictBegin(Model model) { hooks.add("onPredictBegin"); }
    }

    private static final Seen SEEN = new Seen();

    interface Call {
        void on(Sequential m) throws Exception;
    }

    private static Arguments bad(String name, Call call, String... words) { return Arguments.of(name, call, List.of(words)); }

    private static Dataset ds() { return Dataset.fromTensors(X, Y).batch(2); }

    private static Dataset xs() { return Dataset.fromTensors(X, null).batch(2); }

    static Stream<Arguments> cases() {
        Map<String, Double> nullValue = new HashMap<>(Map.of("loss", 0.5));
        nullValue.put("accuracy", null);
        return Stream.of(
            bad("kerasList: null logs", m -> m.kerasList(null), "m.kerasList: logs is null, expected the map an evaluateAll of this model returned"),
            bad("kerasList: no loss", m -> m.kerasList(Map.of("accuracy", 0.5)), "m.kerasList: logs has no \"loss\"", "got keys [accuracy]"),
            bad("kerasList: a null value", m -> m.kerasList(nullValue), "m.kerasList: logs[\"accuracy\"] is null, expected a number"),
            bad("kerasListKeys: null logs", m -> m.kerasListKeys(null), "m.kerasListKeys: logs is null"),
            bad("evaluateList: a target of the wrong shape", m -> m.evaluateList(List.of(X), List.of(Tensor.full(1, 4, 2))), "m.evaluate", "(4, 2)"),
            bad("evaluate(Dataset, steps, callbacks): steps 0", m -> m.evaluateAll(ds(), 0, SEEN), "m.evaluate: steps must be >= 1, got 0"),
            bad("evaluate(Dataset, steps, callbacks): null callbacks", m -> m.evaluateAll(ds(), 2, (Callback[]) null), "m.evaluate: callbacks is null"),
            bad("evaluate(Dataset, steps, callbacks): a null callback", m -> m.evaluateAll(ds(), 2, SEEN, null),
                    "m.evaluate: callbacks[1] is null, expected a Callback"),
            bad("evaluate(Dataset, steps, callbacks): null data", m -> m.evaluateAll(null, 2, SEEN), "m.evaluate: the dataset is null"),
            bad("predict(Dataset, steps, sink): steps -1", m -> m.predict(xs(), -1, outs -> {}, SEEN), "m.predict: steps must be >= 1, got -1"),
            bad("predict(Dataset, steps, sink): null sink", m -> m.predict(xs(), 2, null, SEEN), "m.predict: sink is null, expected a Consumer"),
            bad("predict(Dataset, steps, sink): null callbacks", m -> m.predict(xs(), 2, outs -> {}, (Callback[]) null), "m.predict: callbacks is null"),
            bad("predictAll(Dataset, steps): steps 0", m -> m.predictAll(xs(), 0), "m.predict: steps must be >= 1, got 0"),
            bad("predict: an endless dataset without steps", m -> m.predict(xs().repeat(), outs -> {}),
                    "m.predict: the dataset is endless (repeat()) and would never end", "predict(data, steps, sink) or predictAll(data, steps)"),
            bad("evaluate: an endless dataset without steps", m -> m.evaluateAll(ds().repeat(), SEEN),
                    "m.evaluate: the dataset is endless (repeat()) and would never end", "evaluateAll(data, steps)"),
            bad("FitParams: verbose 0 given as \"auto\"", m -> new FitParams(0, 1, 3, true),
                    "FitParams: verboseAuto (Keras' \"auto\") means verbose 1, as Keras' progress bar reads it, got verbose 0"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void rejectedWithAClearMessageAndNothingChanged(String name, Call call, List<String> words) {
        List<Tensor> before = M.getWeights();
        SEEN.hooks.clear();
        M.stopEvaluating(true);
        M.stopPredicting(true);
        RefusalCases.assertRefused(name, () -> call.on(M), words);
        assertEquals(before, M.getWeights(), name);
        assertEquals(List.of(), SEEN.hooks, name + ": no hook before the refusal");
        assertTrue(M.stopEvaluating() && M.stopPredicting(), name + ": a refused call leaves the stop flags as they were");
    }

    @Test
    void casesAreDistinct() {
        RefusalCases.assertDistinctArguments(cases());
    }

    /** Keras' verbose takes "auto", 0, 1, 2; FitOptions keeps what it had when refusing another. */
    @Test
    void verboseTakesAutoOrANumber() {
        FitOptions o = new FitOptions().verbose(2);
        RefusalCases.assertRefused("verbose \"loud\"", () -> o.verbose("loud"),
                List.of("FitOptions: verbose must be \"auto\" (or the numbers 0, 1, 2), got \"loud\""));
        RefusalCases.assertRefused("verbose null", () -> o.verbose((String) null), List.of("FitOptions: verbose must be \"auto\"", "got null"));
        assertEquals(2, o.verbose(), "unchanged");
        assertTrue(o.toString().contains("verbose=2"), o.toString());
    }

    /** The Keras list of an uncompiled model has no order to follow: refused as evaluate is. */
    @Test
    void kerasListNeedsACompiledModel() {
        Sequential m = new Sequential(new Dense(1).inputShape(3));
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> m.kerasList(Map.of("loss", 1.0)));
        assertTrue(e.getMessage().contains(".kerasList: the model must be compiled first"), e.getMessage());
    }

    /**
     * predictAll(Dataset, steps) joins the batches as Keras' np.concatenate: ragged batches (padded to 1 then 3 steps) with
     * per-step outputs cannot be joined and are refused naming both shapes; the consumer form takes them.
     */
    @Test
    void raggedOutputsAreNotJoined() throws Exception {
        Jrnn.setSeed(2);
        Sequential m = new Sequential(new LSTM(2).returnSequences(true).inputShape(-1, 1));
        m.compile(new SGD(0.1), "mse");
        Tensor values = Tensor.of(new float[] {1, 2, 3, 4, 5, 6, 7, 8}, 8, 1);
        Dataset d = Dataset.fromRagged(values, new long[] {0, 1, 2, 5, 8}, null).batch(2);
        List<Tensor> before = m.getWeights();
        RefusalCases.assertRefused("ragged join", () -> m.predictAll(d, 2),
                List.of("predict: output 0 of batch 1 has shape [2, 3, 2] and that of batch 0 [2, 1, 2]", "predict to a consumer instead"));
        assertEquals(before, m.getWeights());
        List<int[]> shapes = new ArrayList<>();
        assertEquals(4, m.predict(d, 2, outs -> shapes.add(outs.get(0).shape())));
        assertEquals(List.of("[2, 1, 2]", "[2, 3, 2]"), shapes.stream().map(java.util.Arrays::toString).toList());
        assertFalse(m.stopPredicting());
    }
}
