package dev.jrnn.edges;

import dev.jrnn.Jrnn;
import dev.jrnn.layers.Cropping1D;
import dev.jrnn.layers.Dot;
import dev.jrnn.layers.GaussianDropout;
import dev.jrnn.layers.GaussianNoise;
import dev.jrnn.layers.Maximum;
import dev.jrnn.layers.Minimum;
import dev.jrnn.layers.Permute;
import dev.jrnn.layers.Reshape;
import dev.jrnn.layers.SpatialDropout1D;
import dev.jrnn.layers.Subtract;
import dev.jrnn.layers.UpSampling1D;
import dev.jrnn.layers.ZeroPadding1D;
import dev.jrnn.tensor.Tensor;
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
                        List.of("p: dims [2, 1]", "rank 3", "got (None, 2, 3, 4)")),
                Arguments.of("Subtract of three", (Executable) () -> new Subtract().name("sub").apply(Input.shape(4), Input.shape(4), Input.shape(4)),
                        List.of("sub: a Subtract layer is called on exactly 2 inputs, got 3")),
                Arguments.of("Maximum of two shapes", (Executable) () -> new Maximum().name("mx").apply(Input.shape(4), Input.shape(5)),
                        List.of("mx: Maximum expects inputs of one shape", "(None, 4) and (None, 5)")),
                // (None, 4) with (None, 2, 4) broadcasts, as in Keras; (None, 3) does not
                Arguments.of("Minimum of two ranks", (Executable) () -> new Minimum().name("mn").apply(Input.shape(3), Input.shape(2, 4)),
                        List.of("mn: Minimum expects inputs of one shape", "(None, 3) and (None, 2, 4)", "a dimension of 1")),
                Arguments.of("Dot axis past the rank", (Executable) () -> new Dot(3).name("dot").apply(Input.shape(4), Input.shape(4)),
                        List.of("dot: axes [3] give axis 3 of input 0", "axes 1..1")),
                Arguments.of("Dot negative axis past the rank", (Executable) () -> new Dot(-1, -3).name("dot").apply(Input.shape(4), Input.shape(3, 4)),
                        List.of("dot: axes [-1, -3] give axis -3 of input 1", "axes 1..2")),
                Arguments.of("Dot on the batch axis", (Executable) () -> new Dot(0), List.of("Dot: axes", "batch axis 0", "[0]")),
                Arguments.of("Dot with three axes", (Executable) () -> new Dot(1, 2, 1), List.of("Dot: axes", "one axis or two", "[1, 2, 1]")),
                Arguments.of("Dot of unequal axes", (Executable) () -> new Dot(2).name("dot").apply(Input.shape(5, 8), Input.shape(7, 6)),
                        List.of("dot: axes [2] pair 8 values of input 0 (None, 5, 8) with 6 of input 1 (None, 7, 6)", "must match")),
                Arguments.of("Dot of a 4-D input", (Executable) () -> new Dot(1).name("dot").apply(Input.shape(2, 3, 4), Input.shape(2)),
                        List.of("dot: Dot takes inputs (batch, d) or (batch, m, n)", "(None, 2, 3, 4)")),
                Arguments.of("Dot of one input", (Executable) () -> new Dot(1).name("dot").apply(Input.shape(2)),
                        List.of("dot: a Dot layer is called on exactly 2 inputs, got 1")),
                Arguments.of("negative padding", (Executable) () -> new ZeroPadding1D(-1, 2), List.of("ZeroPadding1D: padding", ">= 0", "(-1, 2)")),
                Arguments.of("negative cropping", (Executable) () -> new Cropping1D(0, -3), List.of("Cropping1D: cropping", ">= 0", "(0, -3)")),
                Arguments.of("cropping every step", (Executable) () -> new Cropping1D(2, 1).name("crop").apply(Input.shape(3, 4)),
                        List.of("crop: cropping (2, 1) must leave at least one of the 3 steps", "(None, 3, 4)")),
                Arguments.of("cropping every step of a call", (Executable) () -> new Cropping1D(2).name("crop").call(Tensor.zeros(1, 4, 2)),
                        List.of("crop: cropping (2, 2) must leave at least one of the 4 steps", "(None, 4, 2)")),
                Arguments.of("zero up-sampling", (Executable) () -> new UpSampling1D(0), List.of("UpSampling1D: size", "positive", "got 0")),
                Arguments.of("1-D layer on a 2-D input", (Executable) () -> new UpSampling1D(2).name("up").apply(Input.shape(4)),
                        List.of("up: expected input (batch, steps, features), got (None, 4)")),
                Arguments.of("spatial dropout rate above 1", (Executable) () -> new SpatialDropout1D(1.01), List.of("SpatialDropout1D: rate", "[0, 1]", "got 1.01")),
                Arguments.of("negative spatial dropout rate", (Executable) () -> new SpatialDropout1D(-0.1), List.of("SpatialDropout1D: rate", "got -0.1")),
                Arguments.of("spatial dropout of a 2-D input", (Executable) () -> new SpatialDropout1D(0.2).name("sd").apply(Input.shape(4)),
                        List.of("sd: expected input (batch, steps, features), got (None, 4)")),
                Arguments.of("negative stddev", (Executable) () -> new GaussianNoise(-0.1), List.of("GaussianNoise: stddev", "[0, 1]", "got -0.1")),
                Arguments.of("NaN stddev", (Executable) () -> new GaussianNoise(Double.NaN), List.of("GaussianNoise: stddev", "got NaN")),
                Arguments.of("Gaussian dropout rate above 1", (Executable) () -> new GaussianDropout(1.5), List.of("GaussianDropout: rate", "[0, 1]", "got 1.5")),
                Arguments.of("noise with a negative stddev at the backend", (Executable) () -> Jrnn.backend().normalNoise(1, 0f, -2f, 1L,
                        Jrnn.backend().alloc(2), 0, Jrnn.backend().alloc(1), 0), List.of("normalNoise: stddev", "finite and >= 0", "got -2.0")));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void refusedNamingTheParameter(String name, Executable call, List<String> words) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, call, name);
        for (String w : words) assertTrue(e.getMessage().contains(w), name + ": message lacks '" + w + "': " + e.getMessage());
    }
}
