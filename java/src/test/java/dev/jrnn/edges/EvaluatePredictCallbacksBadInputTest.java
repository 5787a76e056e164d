package dev.jrnn.edges;

import dev.jrnn.Jrnn;
import dev.jrnn.data.Dataset;
import dev.jrnn.layers.Dense;
import dev.jrnn.model.Callback;
import dev.jrnn.model.FitParams;
import dev.jrnn.model.Model;
import dev.jrnn.model.ModelCheckpoint;
import dev.jrnn.model.Sequential;
import dev.jrnn.optim.SGD;
import dev.jrnn.tensor.Tensor;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Bad input to the evaluate and predict entry points that take callbacks, and to a weights-only checkpoint or weights file
 * under a {@code .keras} name (Keras 3.15.1's ModelCheckpoint refuses every name but {@code .weights.h5} with
 * save_weights_only=True): an IllegalArgumentException naming the parameter, what it expects and what came; the weights
 * unchanged and no hook called.
 */
class EvaluatePredictCallbacksBadInputTest {
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

    static Stream<Arguments> cases() {
        return Stream.of(
            bad("evaluate: null callbacks", m -> m.evaluateAll(List.of(X), List.of(Y), 4, null, null, (Callback[]) null),
                    "m.evaluate: callbacks is null"),
            bad("evaluate: a null callback", m -> m.evaluateAll(List.of(X), List.of(Y), 4, null, null, SEEN, null),
                    "m.evaluate: callbacks[1] is null, expected a Callback"),
            bad("evaluate: batchSize 0", m -> m.evaluateAll(List.of(X), List.of(Y), 0, null, null, SEEN),
                    "m.evaluate: batchSize must be >= 1, got 0"),
            bad("evaluate: a target of the wrong shape", m -> m.evaluateAll(List.of(X), List.of(Tensor.full(1, 4, 2)), 4, null, null, SEEN),
                    "m.evaluate", "(4, 2)"),
            bad("evaluate: weights for two outputs", m -> m.evaluateAll(List.of(X), List.of(Y), 4, null,
                    List.of(Tensor.full(1, 4), Tensor.full(1, 4)), SEEN), "m.evaluate: sampleWeight holds 2", "1 output"),
            bad("evaluate(Dataset): null callbacks", m -> m.evaluateAll(Dataset.fromTensors(X, Y).batch(2), (Callback[]) null),
                    "m.evaluate: callbacks is null"),
            bad("predictAll: null callbacks", m -> m.predictAll(List.of(X), 4, null, (Callback[]) null), "m.predict: callbacks is null"),
            bad("predictAll: a null callback", m -> m.predictAll(List.of(X), 4, null, (Callback) null),
                    "m.predict: callbacks[0] is null, expected a Callback"),
            bad("predictAll: batchSize 0", m -> m.predictAll(List.of(X), 0, null, SEEN), "m.predict: batchSize must be >= 1, got 0"),
            bad("predict(Dataset): null sink", m -> m.predict(Dataset.fromTensors(X, null).batch(2), null, SEEN), "m.predict: sink is null"),
            bad("predict(Dataset): null callbacks", m -> m.predict(Dataset.fromTensors(X, null).batch(2), outs -> {}, (Callback[]) null),
                    "m.predict: callbacks is null"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void rejectedWithAClearMessageAndNoHookCalled(String name, Call call, List<String> words) {
        List<Tensor> before = M.getWeights();
        SEEN.hooks.clear();
        RefusalCases.assertRefused(name, () -> call.on(M), words);
        assertEquals(before, M.getWeights(), name);
        assertEquals(List.of(), SEEN.hooks, name + ": no hook before the refusal");
    }

    @Test
    void casesAreDistinct() {
        RefusalCases.assertDistinctArguments(cases());
    }

    /** Keras 3.15.1: "When using `save_weights_only=True` in `ModelCheckpoint`, the filepath provided must end in `.weights.h5`". */
    @Test
    void weightsOnlyCheckpointUnderAKerasNameIsRefused(@TempDir Path dir) throws Exception {
        ModelCheckpoint c = new ModelCheckpoint(dir.resolve("m-{epoch}.keras").toString());
        RefusalCases.assertRefused("saveWeightsOnly on .keras", () -> c.saveWeightsOnly(true),
                List.of("ModelCheckpoint.saveWeightsOnly", "must end in .weights.h5", "got '" + dir.resolve("m-{epoch}.keras") + "'"));
        c.saveWeightsOnly(false);   // unchanged: still a whole-model checkpoint, which .keras takes
        RefusalCases.assertRefused("saveWeightsOnly on .KERAS", () -> new ModelCheckpoint("m.KERAS").saveWeightsOnly(true),
                List.of("ModelCheckpoint.saveWeightsOnly", "got 'm.KERAS'"));
        // what jrnn documents stays: safetensors, Keras 3's .weights.h5 and tf.keras 2's .h5 names
        for (String ok : List.of("w.safetensors", "w-{epoch}.weights.h5", "w.h5", "w.hdf5")) new ModelCheckpoint(ok).saveWeightsOnly(true);
        RefusalCases.assertRefused("saveWeights to .keras", () -> M.saveWeights(dir.resolve("w.keras")),
                List.of("m.saveWeights: file must be", "got 'w.keras'", "use save"));
        assertFalse(Files.exists(dir.resolve("w.keras")), "nothing written");
        M.saveWeights(dir.resolve("w.safetensors"));
        assertTrue(Files.exists(dir.resolve("w.safetensors")));
    }
}
