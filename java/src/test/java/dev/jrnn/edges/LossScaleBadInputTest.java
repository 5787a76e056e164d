package dev.jrnn.edges;

import dev.jrnn.Jrnn;
import dev.jrnn.layers.Dense;
import dev.jrnn.model.LossScale;
import dev.jrnn.model.Sequential;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

/**
 * Bad LossScaleOptimizer settings ({@link LossScale}) and a wrapper set on a model not compiled: each refused naming the
 * parameter, what was expected and what came; the model keeps no wrapper.
 */
class LossScaleBadInputTest {
    static Stream<Arguments> cases() {
        return Stream.of(
                Arguments.of("null name", (Executable) () -> LossScale.dynamic(null, 2, 1), List.of("LossScale.dynamic: name", "non-blank", "null")),
                Arguments.of("blank name", (Executable) () -> LossScale.dynamic(" ", 2, 1), List.of("LossScale.dynamic: name", "non-blank", "' '")),
                Arguments.of("zero scale", (Executable) () -> LossScale.dynamic("a", 0, 1), List.of("initialScale", "finite number > 0", "got 0.0")),
                Arguments.of("scale past float32", (Executable) () -> LossScale.dynamic("a", 1e300, 1), List.of("initialScale", "float32", "1.0E300")),
                Arguments.of("growth steps 0", (Executable) () -> LossScale.dynamic("a", 2, 0), List.of("dynamicGrowthSteps", ">= 1", "got 0")),
                Arguments.of("a file's wrapper: null name", (Executable) () -> LossScale.saved(true, null, 2, 0),
                        List.of("LossScale.saved: name", "non-blank", "null")),
                Arguments.of("NaN factor", (Executable) () -> LossScale.fixed(Double.NaN), List.of("LossScale.fixed: lossScaleFactor", "> 0", "NaN")),
                Arguments.of("negative counter", (Executable) () -> LossScale.dynamic("a", 2, 1).withVariables(0, 0, -1, 2),
                        List.of("stepCounter", ">= 0", "got -1")),
                Arguments.of("negative iteration", (Executable) () -> LossScale.dynamic("a", 2, 1).withVariables(-2, 0, 0, 2),
                        List.of("iteration", ">= 0", "got -2")));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void refused(String name, Executable call, List<String> words) {
        RefusalCases.assertRefused(name, call, words);
    }

    @Test
    void casesAreDistinct() {
        RefusalCases.assertDistinctArguments(cases());
    }

    @Test
    void anUncompiledModelTakesNoWrapper() {
        Jrnn.setBackend("cpu");
        try (Sequential m = new Sequential(new Dense(1).inputShape(2))) {
            IllegalStateException e = org.junit.jupiter.api.Assertions.assertThrows(IllegalStateException.class,
                    () -> m.lossScale(LossScale.fixed(8)));
            assertEquals(true, e.getMessage().contains(m.name() + ".lossScale: the model must be compiled first"), e.getMessage());
            assertNull(m.lossScale());
        }
    }
}
