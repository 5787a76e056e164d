package dev.jrnn.edges;

import dev.jrnn.Jrnn;
import dev.jrnn.layers.ELU;
import dev.jrnn.layers.LeakyReLU;
import dev.jrnn.layers.PReLU;
import dev.jrnn.layers.ReLU;
import dev.jrnn.layers.Softmax;
import dev.jrnn.model.Input;
import dev.jrnn.tensor.Tensor;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.List;
import java.util.stream.Stream;

import static dev.jrnn.edges.RefusalCases.Case;

/**
 * Bad settings and inputs of the activation layers (ReLU, LeakyReLU, ELU, PReLU, Softmax): Keras' refusals of negative
 * values, a softmax over an axis the input lacks, shared axes PReLU cannot take; each naming the layer, the parameter,
 * what was expected and what came.
 */
class ActivationLayersBadInputTest {
    @BeforeEach
    void cpu() {
        Jrnn.setBackend("cpu");
    }

    static Stream<Case> cases() {
        return Stream.of(
                new Case("ReLU negative max_value", () -> new ReLU().name("r").maxValue(-1.0),
                        List.of("r: max_value of a ReLU layer", "null or a number >= 0", "got -1.0")),
                new Case("ReLU NaN max_value", () -> new ReLU().name("r").maxValue(Double.NaN), List.of("r: max_value", "got NaN")),
                new Case("ReLU negative slope", () -> new ReLU().name("r").negativeSlope(-0.5),
                        List.of("r: negative_slope of a ReLU layer", "finite number >= 0", "got -0.5")),
                new Case("ReLU negative threshold", () -> new ReLU().name("r").threshold(-1),
                        List.of("r: threshold of a ReLU layer", "finite number >= 0", "got -1.0")),
                new Case("ReLU infinite threshold", () -> new ReLU().name("r").threshold(Double.POSITIVE_INFINITY),
                        List.of("r: threshold", "got Infinity")),
                new Case("LeakyReLU negative slope", () -> new LeakyReLU(-0.1),
                        List.of("negative_slope of a LeakyReLU layer", "finite number >= 0", "got -0.1")),
                new Case("LeakyReLU NaN slope", () -> new LeakyReLU(Double.NaN), List.of("negative_slope of a LeakyReLU layer", "got NaN")),
                new Case("ELU infinite alpha", () -> new ELU(Double.NEGATIVE_INFINITY),
                        List.of("alpha of an ELU layer", "finite number", "got -Infinity")),
                new Case("PReLU shared batch axis", () -> new PReLU().name("p").sharedAxes(1, 0),
                        List.of("p: shared_axes of a PReLU layer", "axes >= 1 (0 is the batch)", "got [1, 0]")),
                new Case("PReLU shared axis past the rank", () -> new PReLU().name("p").sharedAxes(3).apply(Input.shape(4, 5)),
                        List.of("p: shared_axes [3] of a PReLU layer", "axes of its input (None, 4, 5)", "values in 1..2", "got 3")),
                new Case("PReLU unshared axis of no size", () -> new PReLU().name("p").apply(Input.shape(-1, 5)),
                        List.of("p: axis 1 of input (None, None, 5) has no fixed size", "shared_axes")),
                new Case("PReLU called on other features", () -> {
                    PReLU p = new PReLU().name("p").sharedAxes(1);
                    p.call(Tensor.zeros(2, 3, 4));
                    p.call(Tensor.zeros(2, 3, 5));
                }, List.of("p: expected input", "(None, 3, 4)", "got (None, 3, 5)")),
                new Case("Softmax axis past the rank", () -> new Softmax(3).name("sm").apply(Input.shape(4, 5)),
                        List.of("sm: axis 3 of a Softmax layer is not an axis of its input (None, 4, 5)", "expected one of 1..2 or -2..-1",
                                "got 3")),
                new Case("Softmax over the batch axis", () -> new Softmax(0).name("sm").apply(Input.shape(4, 5)),
                        List.of("sm: axis 0 of a Softmax layer", "(0 is the batch axis)", "got 0")),
                new Case("Softmax negative axis past the rank", () -> new Softmax(-3).name("sm").call(Tensor.zeros(2, 4, 5)),
                        List.of("sm: axis -3 of a Softmax layer", "got -3")),
                new Case("Softmax axes apart", () -> new Softmax(new int[] {1, 3}).name("sm").apply(Input.shape(2, 3, 4)),
                        List.of("sm: axis [1, 3] of a Softmax layer", "distinct adjacent axes of input (None, 2, 3, 4)", "got axes [1, 3]")),
                new Case("Softmax axis twice", () -> new Softmax(new int[] {2, -1}).name("sm").apply(Input.shape(3, 4)),
                        List.of("sm: axis [2, -1]", "distinct adjacent axes", "got axes [2, 2]")),
                new Case("Softmax no axes", () -> new Softmax(new int[0]), List.of("axis of a Softmax layer", "an axis or a list of axes", "got []")));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void refusedNamingTheParameter(Case c) {
        RefusalCases.assertRefused(c);
    }

    @Test
    void casesAreDistinct() {
        RefusalCases.assertDistinct(cases().map(Case::name).toList());
    }
}
