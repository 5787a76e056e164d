package dev.jrnn.edges;

import dev.jrnn.Jrnn;
import dev.jrnn.layers.Dense;
import dev.jrnn.model.Sequential;
import dev.jrnn.optim.SGD;
import dev.jrnn.tensor.Tensor;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Bad input to {@code trainOnBatchAll} (Keras' train_on_batch with return_dict=True): an IllegalArgumentException naming
 * the parameter, what it expects and what came, the model's weights and update count unchanged.
 */
class TrainOnBatchAllBadInputTest {
    @BeforeAll
    static void cpu() { Jrnn.setBackend("cpu"); }

    private static final Tensor X = Tensor.full(0.5f, 4, 3), Y = Tensor.full(1, 4, 1);

    /** Dense(1) on 3 features with accuracy, named "m". */
    private static Sequential model() {
        Jrnn.setSeed(1);
        Sequential m = new Sequential(new Dense(1).activation("sigmoid").inputShape(3));
        m.compile(new SGD(0.1), "binary_crossentropy", "accuracy");
        return (Sequential) m.name("m");
    }

    private static final Sequential M = model();

    interface Call {
        void on(Sequential m);
    }

    private static Arguments bad(String name, Call call, String... words) { return Arguments.of(name, call, List.of(words)); }

    static Stream<Arguments> cases() {
        return Stream.of(
            bad("null inputs", m -> m.trainOnBatchAll((List<Tensor>) null, List.of(Y)), "m", "trainOnBatch"),
            bad("a target of the wrong shape", m -> m.trainOnBatchAll(List.of(X), List.of(Tensor.full(1, 4, 2))),
                    "m.trainOnBatch: y has shape (4, 2)", "needs 1 per sample"),
            bad("fewer targets than samples", m -> m.trainOnBatchAll(List.of(X), List.of(Tensor.full(1, 3, 1))), "m", "4", "3"),
            bad("sample and class weights", m -> m.trainOnBatchAll(List.of(X), List.of(Y), Tensor.full(1, 4), Map.of(0, 2.0)),
                    "m.trainOnBatch: give sampleWeight or classWeight, not both (as Keras)"),
            bad("a negative sample weight", m -> m.trainOnBatchAll(List.of(X), List.of(Y), Tensor.full(-1, 4), null),
                    "m.trainOnBatch: sampleWeight must be finite and >= 0", "-1.0"),
            bad("sample weights of another count", m -> m.trainOnBatchAll(List.of(X), List.of(Y), Tensor.full(1, 3), null),
                    "m.trainOnBatch: sampleWeight", "3", "4"),
            bad("a NaN class weight", m -> m.trainOnBatchAll(List.of(X), List.of(Y), null, Map.of(1, Double.NaN)),
                    "m.trainOnBatch: classWeight of class 1 must be finite and >= 0, got NaN"),
            bad("per-output weights for two outputs", m -> m.trainOnBatchAll(List.of(X), List.of(Y), List.of(Tensor.full(1, 4), Tensor.full(1, 4))),
                    "m.trainOnBatch: sampleWeight holds 2 weight tensor(s), the model has 1 output(s)"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void rejectedWithAClearMessageAndNothingChanged(String name, Call call, List<String> words) {
        List<Tensor> before = M.getWeights();
        long iterations = M.optimizer().iterations();
        RefusalCases.assertRefused(name, () -> call.on(M), words);
        assertEquals(before, M.getWeights(), name);
        assertEquals(iterations, M.optimizer().iterations(), name);
    }

    @Test
    void casesAreDistinct() {
        RefusalCases.assertDistinctArguments(cases());
    }

    @Test
    void anUncompiledModelIsRefused() {
        Sequential u = new Sequential(new Dense(1).inputShape(3));
        IllegalStateException e = org.junit.jupiter.api.Assertions.assertThrows(IllegalStateException.class,
                () -> u.trainOnBatchAll(List.of(X), List.of(Y)));
        assertEquals("sequential.trainOnBatch: the model must be compiled first, e.g. model.compile(\"adam\", \"mse\")", e.getMessage()
                .replaceAll("sequential_\\d+", "sequential"));
    }
}
