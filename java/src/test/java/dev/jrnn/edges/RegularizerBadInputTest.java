package dev.jrnn.edges;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jrnn.Jrnn;
import dev.jrnn.layers.Bidirectional;
import dev.jrnn.layers.Dense;
import dev.jrnn.layers.LSTM;
import dev.jrnn.model.Sequential;
import dev.jrnn.regularizers.Constraints;
import dev.jrnn.regularizers.Regularizers;
import dev.jrnn.tensor.Tensor;

import java.util.List;
import java.util.stream.Stream;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Bad regularizer and constraint settings ({@code dev.jrnn.regularizers} and the layers' builders): each an
 * exception naming the parameter, what was expected and what came; one found at fit leaves the weights as they were.
 */
class RegularizerBadInputTest {
    @BeforeEach
    void cpu() {
        Jrnn.setBackend("cpu");
        Jrnn.setSeed(1);
    }

    static Stream<Arguments> factories() {
        return Stream.of(
                Arguments.of("negative l2", (Executable) () -> Regularizers.l2(-1), List.of("Regularizers.l2: l2", ">= 0", "-1.0")),
                Arguments.of("NaN l1", (Executable) () -> Regularizers.l1(Double.NaN), List.of("Regularizers.l1: l1", "finite", "NaN")),
                Arguments.of("infinite l1l2 l2", (Executable) () -> Regularizers.l1l2(0, Double.POSITIVE_INFINITY),
                        List.of("Regularizers.l1l2: l2", "Infinity")),
                Arguments.of("l2 over float32", (Executable) () -> Regularizers.l2(1e39), List.of("Regularizers.l2: l2", "1.0E39", "rounds it to Infinity")),
                Arguments.of("unknown regularizer name", (Executable) () -> Regularizers.of("orthogonal_regularizer"),
                        List.of("Regularizers.of: name", "l1, l2, l1_l2", "'orthogonal_regularizer'")),
                Arguments.of("null regularizer name", (Executable) () -> Regularizers.of(null), List.of("Regularizers.of: name", "got null")),
                Arguments.of("negative max norm", (Executable) () -> Constraints.maxNorm(-2), List.of("Constraints.maxNorm: maxValue", ">= 0", "-2.0")),
                Arguments.of("NaN max norm", (Executable) () -> Constraints.maxNorm(Double.NaN, 0), List.of("Constraints.maxNorm: maxValue", "NaN")),
                Arguments.of("max below min", (Executable) () -> Constraints.minMaxNorm(2, 1), List.of("Constraints.minMaxNorm: maxValue", ">= minValue", "1.0")),
                Arguments.of("rate above 1", (Executable) () -> Constraints.minMaxNorm(0, 1, 1.5, 0), List.of("Constraints.minMaxNorm: rate", "[0, 1]", "1.5")),
                Arguments.of("no axis", (Executable) () -> Constraints.unitNorm(new int[0]), List.of("Constraints.unitNorm: axis", "at least one", "none")),
                Arguments.of("repeated axis", (Executable) () -> Constraints.maxNorm(1, 0, 0), List.of("Constraints.maxNorm: axis", "not repeat", "[0, 0]")),
                Arguments.of("unknown constraint name", (Executable) () -> Constraints.of("positive"),
                        List.of("Constraints.of: name", "max_norm, non_neg", "'positive'")));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("factories")
    void badSettingsAreRefusedNamingTheParameter(String name, Executable call, List<String> words) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, call, name);
        for (String w : words) assertTrue(e.getMessage().contains(w), name + ": message lacks '" + w + "': " + e.getMessage());
    }

    private static Tensor x() { return Tensor.wrap(new float[] {1, 2, 3, 4, 5, 6}, 2, 3); }

    private static Tensor y() { return Tensor.wrap(new float[] {1, 0, 0, 1}, 2, 2); }

    @Test
    void aConstraintAxisTheWeightLacksFailsFitBeforeAnyUpdate() {
        Dense d = new Dense(2).name("d").biasConstraint(Constraints.maxNorm(1, 1));   // the bias has one axis
        Sequential m = new Sequential(d).name("m");
        m.build(3);
        m.compile("sgd", "mse");
        List<Tensor> before = m.getWeights();
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> m.trainOnBatch(x(), y()));
        for (String w : List.of("m: layer d's bias constraint", "axis in [-1, 1)", "(2,)", "got axis 1")) {
            assertTrue(e.getMessage().contains(w), "message lacks '" + w + "': " + e.getMessage());
        }
        List<Tensor> after = m.getWeights();
        for (int k = 0; k < before.size(); k++) assertEquals(before.get(k), after.get(k), "weight " + k + " changed");
    }

    @Test
    void anActivityRegularizerInsideABidirectionalIsRefused() {
        LSTM inner = new LSTM(2).name("inner").activityRegularizer(Regularizers.l2(0.1));
        Sequential m = new Sequential(new Bidirectional(inner).name("bi"), new Dense(2)).name("m");
        m.build(3, 1);
        m.compile("sgd", "mse");
        List<Tensor> before = m.getWeights();
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> m.trainOnBatch(Tensor.wrap(new float[6], 2, 3, 1), y()));
        for (String w : List.of("bi: activityRegularizer of the wrapped layer forward_inner", "expected none", "L2(l2=0.1)")) {
            assertTrue(e.getMessage().contains(w), "message lacks '" + w + "': " + e.getMessage());
        }
        assertEquals(before, m.getWeights());
    }

    @Test
    void aWrappedLayersRulesAreClosed() {
        LSTM inner = new LSTM(2).name("inner");
        new Bidirectional(inner);
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> inner.kernelRegularizer(Regularizers.l2()));
        assertTrue(e.getMessage().contains("inner: cannot set kernel_regularizer of a layer a Bidirectional wraps"), e.getMessage());
    }
}
