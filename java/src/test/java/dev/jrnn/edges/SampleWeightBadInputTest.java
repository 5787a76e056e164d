package dev.jrnn.edges;

import dev.jrnn.Jrnn;
import dev.jrnn.data.Dataset;
import dev.jrnn.layers.Dense;
import dev.jrnn.layers.LSTM;
import dev.jrnn.layers.TimeDistributed;
import dev.jrnn.model.FitOptions;
import dev.jrnn.model.Input;
import dev.jrnn.model.Model;
import dev.jrnn.model.Sequential;
import dev.jrnn.optim.SGD;
import dev.jrnn.tensor.Tensor;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

import java.util.Arrays;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Bad sample weights wherever a Keras user passes them (fit, validation data, evaluate, the on-batch calls, a data set's
 * weights): an IllegalArgumentException naming the parameter, what was expected and what came, the model unchanged.
 */
class SampleWeightBadInputTest {
    @BeforeAll
    static void cpu() {
        Jrnn.setBackend("cpu");
    }

    private static final Tensor X = Tensor.full(0.5f, 4, 3), Y = Tensor.full(1, 4, 2), Y3 = Tensor.full(1, 3, 2);
    private static final Tensor XS = Tensor.full(0.5f, 4, 5, 3), YS = Tensor.full(1, 4, 5, 2);

    /** Dense(2) on 3 features, named "m". */
    private static Model dense() {
        Jrnn.setSeed(1);
        Sequential m = new Sequential(new Dense(2).inputShape(3));
        m.compile(new SGD(0.1), "mse");
        return m.name("m");
    }

    /** A sequence output (4, 5, 2), named "s". */
    private static Model sequence() {
        Jrnn.setSeed(2);
        Sequential m = new Sequential(new LSTM(3).returnSequences(true).inputShape(5, 3), new TimeDistributed(new Dense(2)));
        m.compile(new SGD(0.1), "mse");
        return m.name("s");
    }

    /** Outputs "a" (2) and "b" (1), named "two". */
    private static Model twoOutputs() {
        Jrnn.setSeed(3);
        Input in = Input.shape(3);
        Model m = new Model(in, List.of(new Dense(2).name("a").apply(in), new Dense(1).name("b").apply(in)));
        m.compile(new SGD(0.1), List.of("mse", "mse"));
        return m.name("two");
    }

    /** {@code call} throws an IllegalArgumentException whose message holds every part, and {@code m}'s weights are unchanged. */
    private static void bad(Model m, Executable call, String... parts) {
        List<float[]> before = m == null ? List.of() : m.getWeights().stream().map(Tensor::toArray).toList();
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, call);
        for (String p : parts) assertTrue(e.getMessage().contains(p), "'" + p + "' not in: " + e.getMessage());
        if (m == null) return;
        List<float[]> after = m.getWeights().stream().map(Tensor::toArray).toList();
        for (int i = 0; i < before.size(); i++) assertArrayEquals(before.get(i), after.get(i), "weights " + i + " changed");
    }

    private static FitOptions quiet() { return new FitOptions().verbose(0); }

    @Test
    void wrongShapes() {
        Model m = dense(), s = sequence();
        bad(m, () -> m.fit(X, Y, quiet().sampleWeight(Tensor.zeros(4, 2, 2))), "m.fit: sampleWeight has shape (4, 2, 2), one weight per"
                + " loss element", "has one loss per sample; give (4) (one per sample)");
        bad(s, () -> s.fit(XS, YS, quiet().sampleWeight(Tensor.zeros(4, 5, 3))), "s.fit: sampleWeight has shape (4, 5, 3)",
                "(None, 5, 2) is a sequence of 5 steps; give (4) (one per sample) or (4, 5) (one per timestep)");
        bad(m, () -> m.fit(X, Y, quiet().sampleWeight(Tensor.full(1, 3))), "m.fit: sampleWeight holds 3 weights, x holds 4 samples");
        bad(m, () -> m.fit(X, Y, quiet().sampleWeight(Tensor.full(1, 4, 5))), "m.fit: sampleWeight has shape (4, 5), one weight per timestep",
                "is not a sequence of 5 steps; give one weight per sample, shape (4)");
        bad(s, () -> s.fit(XS, YS, quiet().sampleWeight(Tensor.full(1, 4, 6))), "s.fit: sampleWeight has shape (4, 6)", "(None, 5, 2)",
                "is not a sequence of 6 steps; give (4, 5) (one per timestep) or (4) (one per sample)");
        bad(s, () -> s.trainOnBatch(XS, YS, Tensor.full(1, 4, 4, 1)), "s.trainOnBatch: sampleWeight has shape (4, 4)");
        bad(s, () -> s.testOnBatch(XS, YS, Tensor.full(1, 2)), "s.testOnBatch: sampleWeight holds 2 weights, x holds 4 samples");
        bad(s, () -> s.fit(XS, YS, quiet().validationData(XS, YS, Tensor.full(1, 4, 3))),
                "s.fit (validation data): sampleWeight has shape (4, 3)", "is not a sequence of 3 steps");
        bad(m, () -> m.trainOnBatch(X, Y, null), "m.trainOnBatch: sampleWeight is null (use trainOnBatch(x, y))");
        bad(m, () -> m.testOnBatch(X, Y, null), "m.testOnBatch: sampleWeight is null (use testOnBatch(x, y))");
    }

    @Test
    void negativeAndNonFiniteWeights() {
        Model m = dense(), s = sequence();
        bad(null, () -> quiet().sampleWeight(Tensor.of(new float[] {1, Float.NaN}, 2)), "FitOptions: sampleWeight must be finite and >= 0, got NaN at sample 1");
        float[] steps = new float[20];
        steps[13] = -2;
        bad(null, () -> quiet().sampleWeight(Tensor.of(steps, 4, 5)), "sampleWeight must be finite and >= 0, got -2.0 at sample 2, step 3");
        bad(null, () -> quiet().validationData(X, Y, Tensor.full(Float.POSITIVE_INFINITY, 4)),
                "FitOptions: validationData's sampleWeight must be finite and >= 0, got Infinity at sample 0");
        bad(m, () -> m.trainOnBatch(X, Y, Tensor.full(-1, 4)), "m.trainOnBatch: sampleWeight must be finite and >= 0, got -1.0 at sample 0");
        bad(m, () -> m.trainOnBatch(List.of(X), List.of(Y), null, Map.of(0, Double.NaN)), "m.trainOnBatch: classWeight of class 0 must be finite");
        bad(m, () -> m.trainOnBatch(List.of(X), List.of(Y), Tensor.full(1, 4), Map.of(0, 2.0)),
                "m.trainOnBatch: give sampleWeight or classWeight, not both (as Keras)");
        bad(m, () -> m.testOnBatch(List.of(X), List.of(Y), Tensor.full(Float.NaN, 4)), "m.testOnBatch: sampleWeight must be finite and >= 0, got NaN");
        // a data set's weights are checked batch by batch, naming the batch (a bad first batch: nothing trained)
        float[] w = {1, -3, 1, 1};
        bad(m, () -> m.fit(Dataset.fromTensors(X, Y, Tensor.of(w, 4)).batch(2), quiet()),
                "m.fit: the dataset's sample weight must be finite and >= 0, got -3.0 at sample 1", "(in the batch starting at");
        bad(s, () -> s.evaluate(Dataset.fromTensors(XS, YS, Tensor.full(1, 4, 4)).batch(4)),
                "s.evaluate: the dataset's sample weight has shape (4, 4)", "is not a sequence of 4 steps");
    }

    @Test
    void weightsWithADatasetThatHasNone() {
        Model m = dense();
        bad(m, () -> m.fit(Dataset.fromTensors(X, Y).batch(2), quiet().sampleWeight(Tensor.full(1, 4))),
                "m.fit(Dataset): FitOptions.sampleWeight (give the weights in the dataset: Dataset.fromTensors(xs, ys, weights)) does not apply");
        bad(m, () -> m.fit(Dataset.fromTensors(X, Y, Tensor.full(1, 4)).batch(2), quiet().classWeight(Map.of(0, 2.0))),
                "m.fit: give the dataset's sample weights or classWeight, not both (as Keras)", "(in the batch starting at");
        bad(null, () -> Dataset.fromTensors(X, Y, null), "Dataset.fromTensors: sampleWeight is null");
        bad(null, () -> Dataset.fromTensors(List.of(X), List.of(Y), Arrays.asList((Tensor) null)), "fromTensors: every sampleWeights entry is null");
        bad(null, () -> Dataset.fromTensors(X, Y, Tensor.full(1, 3)), "sample counts differ", "has 4", "has 3");
        Model two = twoOutputs();
        bad(two, () -> two.fit(Dataset.fromTensors(List.of(X), List.of(Y, Tensor.full(1, 4, 1)),
                        List.of(Tensor.full(1, 4), Tensor.full(1, 4), Tensor.full(1, 4))).batch(2), quiet()),
                "two.fit: the dataset gives 3 sample weights per sample, the model has 2 output(s); give one for every output or one per output");
    }

    @Test
    void perOutputListsOfTheWrongLengthOrNames() {
        Model two = twoOutputs();
        List<Tensor> ys = List.of(Y, Tensor.full(1, 4, 1));
        List<Tensor> three = List.of(Tensor.full(1, 4), Tensor.full(1, 4), Tensor.full(1, 4));
        bad(two, () -> two.fit(List.of(X), ys, quiet().sampleWeight(three)),
                "two.fit: sampleWeight holds 3 weight tensor(s), the model has 2 output(s) [a, b]; give one per output (null for an output without weights)");
        bad(two, () -> two.trainOnBatch(List.of(X), ys, List.of(Tensor.full(1, 4))), "two.trainOnBatch: sampleWeight holds 1 weight tensor(s)");
        bad(two, () -> two.evaluateAll(List.of(X), ys, 2, null, three), "two.evaluate: sampleWeight holds 3 weight tensor(s)");
        bad(two, () -> two.testOnBatch(List.of(X), ys, three), "two.testOnBatch: sampleWeight holds 3 weight tensor(s)");
        bad(two, () -> two.fit(List.of(X), ys, quiet().validationData(List.of(X), ys, three)),
                "two.fit (validation data): sampleWeight holds 3 weight tensor(s)");
        bad(two, () -> two.fit(List.of(X), ys, quiet().sampleWeight(Map.of("c", Tensor.full(1, 4)))),
                "two.fit: sampleWeight names output \"c\", the model's outputs are [a, b]");
        bad(two, () -> two.fit(List.of(X), ys, quiet().sampleWeight(List.of(Tensor.full(1, 4), Tensor.full(1, 3)))),
                "two.fit: sampleWeight[1] holds 3 weights, x holds 4 samples");
        bad(null, () -> quiet().sampleWeight(List.of(Tensor.full(1, 4), Tensor.full(-1, 4))),
                "FitOptions: sampleWeight[1] must be finite and >= 0, got -1.0 at sample 0");
        bad(null, () -> quiet().sampleWeight(Map.of()), "FitOptions: sampleWeight is empty");
        bad(null, () -> quiet().sampleWeight((List<Tensor>) null), "FitOptions: sampleWeight is null");
        bad(two, () -> two.fit(List.of(X), ys, quiet().classWeight(Map.of(0, 2.0))), "two.fit: classWeight is for a model with one output");
        bad(two, () -> two.fit(Dataset.fromTensors(List.of(X), ys).batch(2), quiet().classWeight(Map.of(0, 2.0))),
                "two.fit: classWeight is for a model with one output");
    }

    /** Review findings: a wrong T for a model of unknown steps, a refused weight leaving the options, a map cropping steps. */
    @Test
    void refusedBeforeAnyStepAndWithNothingChanged() {
        Jrnn.setSeed(4);
        Sequential u = new Sequential(new LSTM(3).returnSequences(true), new TimeDistributed(new Dense(2)));
        u.build(-1, 3);   // the output's steps are unknown: the targets' steps decide
        u.compile(new SGD(0.1), "mse");
        Model m = u.name("u");
        bad(m, () -> m.fit(XS, YS, quiet().epochs(1).batchSize(2).validationData(XS, YS, Tensor.full(1, 4, 6))),
                "u.fit (validation data): sampleWeight has shape (4, 6), one weight per timestep", "is not a sequence of 6 steps");
        assertTrue(m.optimizer().iterations() == 0, "no training step ran");
        bad(m, () -> m.evaluateAll(List.of(XS), List.of(YS), 2, null, Tensor.full(1, 4, 4)), "is not a sequence of 4 steps");

        FitOptions o = quiet().validationData(XS, YS);
        bad(null, () -> o.validationData(X, Y, Tensor.full(-1, 4)), "must be finite and >= 0, got -1.0");
        Model d = dense();
        // the refused call left the sequence validation data as it was: fitting the dense model on it names those shapes
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> d.fit(X, Y, o.epochs(1).batchSize(2)));
        assertTrue(e.getMessage().contains("validation"), e.getMessage());

        dev.jrnn.data.Sample seq = dev.jrnn.data.Sample.sequence(Tensor.zeros(5, 3), Tensor.zeros(5, 2), Tensor.full(1, 5));
        bad(null, () -> seq.with(List.of(Tensor.zeros(4, 3)), List.of(Tensor.zeros(4, 2))),
                "Sample.with: a sample has per-timestep weights (5,) and its target 0 now has 4 steps, not 5", "with(inputs, targets, weights)");
        // only the input cropped (targets and their weights still match): allowed
        assertArrayEquals(new int[] {4, 3}, seq.with(List.of(Tensor.zeros(4, 3)), List.of(Tensor.zeros(5, 2))).inputs().get(0).shape());
        assertArrayEquals(new int[] {4}, seq.with(List.of(Tensor.zeros(4, 3)), List.of(Tensor.zeros(4, 2)), List.of(Tensor.full(1, 4)))
                .weights().get(0).shape());
    }

    /**
     * A Sequential without an input shape is built by its first call on data; a call refused for its sample weights' count
     * or values (fit's validation weights too) or its targets' count leaves it unbuilt (they were checked after the build),
     * so it still takes data of another shape.
     */
    @Test
    void aRefusedWeightLeavesAnUnbuiltModelUnbuilt() {
        Sequential u = new Sequential(new Dense(2));
        u.compile(new SGD(0.1), "mse");
        u.name("u");
        Tensor negative = Tensor.of(new float[] {1, -2, 1, 1}, 4), three = Tensor.full(1, 3);
        String values = "sampleWeight must be finite and >= 0, got -2.0 at sample 1";
        String count = "sampleWeight holds 3 weights, x holds 4 samples; give one weight per sample";
        List<Executable> calls = List.of(() -> u.trainOnBatch(X, Y, negative), () -> u.testOnBatch(X, Y, negative),
                () -> u.evaluateAll(List.of(X), List.of(Y), 2, null, negative), () -> u.trainOnBatch(X, Y, three),
                () -> u.testOnBatch(List.of(X), List.of(Y), List.of(three)), () -> u.evaluateAll(List.of(X), List.of(Y), 2, null, three),
                () -> u.fit(List.of(X), List.of(Y), quiet().sampleWeight(three)),
                () -> u.fit(List.of(X), List.of(Y), quiet().validationData(X, Y, three)),
                () -> u.trainOnBatch(X, Y3), () -> u.testOnBatch(X, Y3), () -> u.evaluateAll(List.of(X), List.of(Y3), 2, null),
                () -> u.fit(List.of(X), List.of(Y3), quiet()), () -> u.fit(List.of(X), List.of(Y), quiet().validationData(X, Y3)));
        String fewY = "y has 3 samples, x has 4";
        List<String> messages = List.of("u.trainOnBatch: " + values, "u.testOnBatch: " + values, "u.evaluate: " + values,
                "u.trainOnBatch: " + count, "u.testOnBatch: sampleWeight[0] holds 3 weights, x holds 4 samples; give one weight per sample",
                "u.evaluate: " + count, "u.fit: " + count, "u.fit (validation data): " + count,
                "u.trainOnBatch: " + fewY, "u.testOnBatch: " + fewY, "u.evaluate: " + fewY, "u.fit: " + fewY,
                "u.fit (validation data): " + fewY);
        for (int i = 0; i < calls.size(); i++) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, calls.get(i));
            assertEquals(messages.get(i), e.getMessage());
            assertFalse(u.isBuilt(), "call " + i + " built the model");
        }
        u.trainOnBatch(Tensor.full(0.5f, 4, 6), Y);   // still takes 6 features
        assertArrayEquals(new int[] {6, 2}, u.getWeights().get(0).shape());
    }

    /**
     * The counts are checked first only where the call would build the model: a call that cannot (two inputs to an
     * unbuilt Sequential, an empty one) gets the build's refusal, and two targets for its one output prepare's count of
     * targets (after the build: the outputs are counted on the built graph), where a review round said "y has 3 samples",
     * hiding them.
     */
    @Test
    void aCallThatCannotBuildTheModelGetsTheBuildsRefusalFirst() {
        Sequential u = new Sequential(new Dense(2));
        u.compile(new SGD(0.1), "mse");
        u.name("u");
        Sequential empty = new Sequential();
        empty.compile(new SGD(0.1), "mse");
        empty.name("e");
        assertTrue(assertThrows(IllegalStateException.class, () -> u.trainOnBatch(List.of(X, X), List.of(Y3))).getMessage()
                .startsWith("This model has not yet been built."));
        assertEquals("e: add layers before building",
                assertThrows(IllegalStateException.class, () -> empty.trainOnBatch(List.of(X), List.of(Y3))).getMessage());
        assertEquals("u.trainOnBatch: expected 1 target tensor(s) (one per output, null to skip one), got 2",
                assertThrows(IllegalArgumentException.class, () -> u.trainOnBatch(List.of(X), List.of(Y, Y3))).getMessage());
    }

    /** {@code call} throws an IllegalArgumentException of exactly {@code message}, and {@code m}'s weights are unchanged. */
    private static void exactly(Model m, Executable call, String message) {
        List<float[]> before = m.getWeights().stream().map(Tensor::toArray).toList();
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, call);
        assertEquals(message, e.getMessage());
        List<float[]> after = m.getWeights().stream().map(Tensor::toArray).toList();
        for (int i = 0; i < before.size(); i++) assertArrayEquals(before.get(i), after.get(i), "weights " + i + " changed");
    }

    /**
     * Weights of the wrong shape that are also negative: the shape is what is wrong with them for this call, as with positive
     * values (the values were checked first, so "must be finite and >= 0, got -2.0 at sample 1" hid the count); and
     * testOnBatch names itself (it said "m.evaluate"). On a built model the per-timestep steps are named before the values
     * too; only a call that may build an unbuilt model checks the values first, as its steps are not known before the build
     * ({@link #aRefusedWeightLeavesAnUnbuiltModelUnbuilt}).
     */
    @Test
    void theShapeIsNamedBeforeTheValuesAndTestOnBatchNamesItself() {
        Model m = dense(), two = twoOutputs();
        Tensor wrongCount = Tensor.of(new float[] {1, -2, 1}, 3);
        String count = "sampleWeight holds 3 weights, x holds 4 samples; give one weight per sample";
        exactly(m, () -> m.testOnBatch(X, Y, wrongCount), "m.testOnBatch: " + count);
        exactly(m, () -> m.trainOnBatch(X, Y, wrongCount), "m.trainOnBatch: " + count);
        exactly(m, () -> m.evaluateAll(List.of(X), List.of(Y), 2, null, wrongCount), "m.evaluate: " + count);
        exactly(m, () -> m.testOnBatch(X, Y, Tensor.full(-1, 4, 5)), "m.testOnBatch: sampleWeight has shape (4, 5), one weight per"
                + " timestep, but output " + m.getLayer(0).name() + " (None, 2) is not a sequence of 5 steps; give one weight per sample, shape (4)");
        // per output: output 1's count is named though output 0's values are bad too
        exactly(two, () -> two.testOnBatch(List.of(X), List.of(Y, Tensor.full(1, 4, 1)), List.of(Tensor.full(-1, 4), Tensor.full(1, 3))),
                "two.testOnBatch: sampleWeight[1] holds 3 weights, x holds 4 samples; give one weight per sample");
        // with the shape right the value is named
        exactly(m, () -> m.testOnBatch(X, Y, Tensor.of(new float[] {1, -2, 1, 1}, 4)),
                "m.testOnBatch: sampleWeight must be finite and >= 0, got -2.0 at sample 1");
        Model u = new Sequential(new Dense(2).inputShape(3)).name("u");
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> u.testOnBatch(X, Y));
        assertEquals("u.testOnBatch: the model must be compiled first, e.g. model.compile(\"adam\", \"mse\")", e.getMessage());
    }
}
