package dev.jrnn.edges;

import dev.jrnn.Jrnn;
import dev.jrnn.layers.Permute;
import dev.jrnn.layers.Reshape;
import dev.jrnn.model.Input;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Bad settings and inputs of the reshaping, merge and noise layers of phase 12: each an exception naming the layer
 * or parameter, what was expected and what came.
 */
class ReshapeMergeLayersBadInputTest {
    @BeforeEach
    void cpu() {
        Jrnn.setBackend("cpu");
    }

    static Stream<Arguments> cases() {
        return Stream.of(
                Arguments.of("target shape of another size", (Executable) () -> new Reshape(5, 3).name("rs").apply(Input.shape(12)),
                        List.of("rs: targetShape (5, 3)", "cannot hold the 12 values", "(None, 12)", "it holds 15")),
                Arguments.of("-1 that does not divide", (Executable) () -> new Reshape(-1, 5).name("rs").apply(Input.shape(12)),
                        List.of("rs: targetShape (-1, 5)", "12 is not a multiple of 5")),
                Arguments.of("two -1s", (Executable) () -> new Reshape(-1, -1), List.of("Reshape: targetShape may hold one -1", "got 2 in (-1, -1)")),
                Arguments.of("zero in the target", (Executable) () -> new Reshape(0, 4), List.of("Reshape: targetShape entries", "positive or -1", "got 0")),
                Arguments.of("no target", (Executable) () -> new Reshape(), List.of("Reshape: targetShape", "at least one", "got ()")),
                Arguments.of("dims not a permutation", (Executable) () -> new Permute(1, 1), List.of("Permute: dims", "permutation of 1..2", "[1, 1]")),
                Arguments.of("dims from 0", (Executable) () -> new Permute(0, 1), List.of("Permute: dims", "start at 1", "[0, 1]")),
                Arguments.of("dims of another rank", (Executable) () -> new Permute(2, 1).name("p").apply(Input.shape(2, 3, 4)),
                        List.of("p: dims [2, 1]", "rank 3", "got (None, 2, 3, 4)")));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void refusedNamingTheParameter(String name, Executable call, List<String> words) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, call, name);
        for (String w : words) assertTrue(e.getMessage().contains(w), name + ": message lacks '" + w + "': " + e.getMessage());
    }
}
