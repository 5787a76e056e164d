package dev.jrnn.edges;

import dev.jrnn.Jrnn;
import dev.jrnn.backend.Backend;
import dev.jrnn.backend.DTensor;
import dev.jrnn.layers.BatchNormalization;
import dev.jrnn.layers.Trace;
import dev.jrnn.model.Sequential;
import dev.jrnn.tensor.Tensor;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Bad input at BatchNormalization's entry points: each throws IllegalArgumentException naming the parameter, what it
 * expects and what came (the listed words); a refused call leaves the layer as it was.
 */
class BatchNormalizationBadInputTest {
    @BeforeAll
    static void cpu() { Jrnn.setBackend("cpu"); }

    private static Arguments bad(String name, Executable call, String... words) { return Arguments.of(name, call, List.of(words)); }

    private static BatchNormalization built(int... shape) {
        BatchNormalization bn = new BatchNormalization().name("bn");
        bn.build(List.of(shape));
        return bn;
    }

    static Stream<Arguments> cases() {
        return Stream.of(
            bad("momentum below 0", () -> new BatchNormalization().momentum(-0.1), "momentum", "[0, 1]", "got -0.1"),
            bad("momentum above 1", () -> new BatchNormalization().momentum(1.5), "momentum", "[0, 1]", "got 1.5"),
            bad("momentum NaN", () -> new BatchNormalization().momentum(Double.NaN), "momentum", "[0, 1]", "got NaN"),
            bad("epsilon 0", () -> new BatchNormalization().epsilon(0), "epsilon", "positive and finite", "got 0.0"),
            bad("epsilon negative", () -> new BatchNormalization().epsilon(-1e-3), "epsilon", "positive and finite", "got -0.001"),
            bad("epsilon infinite", () -> new BatchNormalization().epsilon(Double.POSITIVE_INFINITY), "epsilon", "positive and finite", "got Infinity"),
            bad("axis 0, the batch", () -> new BatchNormalization().axis(0), "axis", "the last axis", "got 0 (the batch axis)"),
            bad("axis -2", () -> new BatchNormalization().axis(-2), "axis", "the last axis", "got -2"),
            bad("axis 1 of a sequence", () -> new BatchNormalization().axis(1).build(List.of(new int[] {3, 4})), "axis 1",
                    "input (None, 3, 4) is not the last (2 or -1)"),
            bad("axis 3 of a sequence", () -> new BatchNormalization().axis(3).build(List.of(new int[] {3, 4})), "axis 3",
                    "is not the last (2 or -1)"),
            bad("no features", () -> new BatchNormalization().build(List.of(new int[] {3, 0})), "with known features", "got (None, 3, 0)"),
            bad("no per-sample axis", () -> new BatchNormalization().build(List.of(new int[0])), "(batch, ..., features) with known features", "got (None,)"),
            bad("two inputs", () -> new BatchNormalization().build(List.of(new int[] {3}, new int[] {3})), "expected 1 input", "got 2"),
            bad("other features on reuse", () -> built(3, 4).build(List.of(new int[] {3, 5})), "bn: expected input (None, 3, 4)",
                    "the shape it was built for", "got (None, 3, 5)"),
            bad("other rank on reuse", () -> built(3, 4).build(List.of(new int[] {4})), "bn: expected input (None, 3, 4)", "got (None, 4)"),
            bad("a mask of other size", () -> maskOfOtherSize(), "bn: the mask should have one entry per position", "(2, 3, 4)",
                    "(6)", "got shape (2, 2)"),
            bad("gamma initializer NaN", () -> new BatchNormalization().gammaInitializer(Double.NaN), "gammaInitializer",
                    "finite float32 constant", "got NaN"),
            bad("beta initializer too big", () -> new BatchNormalization().betaInitializer(1e300), "betaInitializer",
                    "finite float32 constant", "got 1.0E300"),
            bad("moving variance initializer negative", () -> new BatchNormalization().movingVarianceInitializer(-1),
                    "movingVarianceInitializer", ">= 0", "got -1.0"),
            bad("setWeights of other shape", () -> built(4).setWeights(List.of(Tensor.zeros(4), Tensor.zeros(4), Tensor.zeros(4),
                    Tensor.zeros(5))), "bn: weight 3 (moving_variance) expected shape (4,)", "got (5,)"),
            bad("setWeights missing the moving statistics", () -> built(4).setWeights(List.of(Tensor.zeros(4), Tensor.zeros(4))),
                    "bn: expected 4 weight arrays", "got 2")
        );
    }

    private static void maskOfOtherSize() { maskOfOtherSizeOn(built(3, 4)); }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void rejectedWithAClearMessage(String name, Executable call, List<String> words) {
        RefusalCases.assertRefused(name, call, words);
    }

    /** Every case is distinct (a copied line would test nothing new). */
    @Test
    void casesAreDistinct() {
        RefusalCases.assertDistinctArguments(cases());
    }

    /** The options that shape the weights are fixed once built; a refused call leaves the statistics as they were. */
    @Test
    void builtLayerRefusesShapeOptionsAndStaysAsItWas() {
        BatchNormalization bn = built(3, 4);
        List<Tensor> before = bn.getWeights();
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> bn.center(false));
        assertTrue(e.getMessage().contains("bn: center must be set before the layer is built"), e.getMessage());
        assertThrows(IllegalStateException.class, () -> bn.gammaInitializer(2));
        // a captured train step keeps the momentum and epsilon it was captured with: fixed once built
        e = assertThrows(IllegalStateException.class, () -> bn.momentum(0.9));
        assertTrue(e.getMessage().contains("bn: momentum must be set before the layer is built"), e.getMessage());
        assertThrows(IllegalStateException.class, () -> bn.epsilon(1e-5));
        assertThrows(IllegalArgumentException.class, () -> maskOfOtherSizeOn(bn));
        assertEquals(before, bn.getWeights());
        Sequential m = new Sequential(new BatchNormalization().inputShape(3, 4));
        assertThrows(IllegalArgumentException.class, () -> m.predict(Tensor.zeros(2, 3, 5)));
        m.close();
    }

    private static void maskOfOtherSizeOn(BatchNormalization bn) {
        Backend be = bn.backend();
        try (DTensor x = DTensor.zeros(be, 2, 3, 4); DTensor m = DTensor.zeros(be, 2, 2);
             Trace t = bn.forward(List.of(x), m, true)) {
            t.outputs();
        }
    }
}
