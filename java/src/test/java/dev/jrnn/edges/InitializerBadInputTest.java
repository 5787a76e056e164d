package dev.jrnn.edges;

import dev.jrnn.Jrnn;
import dev.jrnn.initializers.Constant;
import dev.jrnn.initializers.Initializer;
import dev.jrnn.initializers.VarianceScaling;
import dev.jrnn.layers.Conv1D;
import dev.jrnn.layers.Dense;
import dev.jrnn.layers.Embedding;
import dev.jrnn.layers.GRU;
import dev.jrnn.layers.LSTM;
import dev.jrnn.layers.SimpleRNN;
import dev.jrnn.tensor.Tensor;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Bad input at the initializers' entry points ({@link Initializer}'s factories, {@code of}, {@code fromConfig}, the layers'
 * initializer setters): each throws IllegalArgumentException naming the parameter, what it expects and what came; a
 * refused setter leaves the layer's initializer as it was.
 */
class InitializerBadInputTest {
    @BeforeAll
    static void cpu() { Jrnn.setBackend("cpu"); }

    private static Arguments bad(String name, Executable call, String... words) { return Arguments.of(name, call, List.of(words)); }

    private static Map<String, Object> config(Object... kv) {
        Map<String, Object> m = new HashMap<>();
        for (int i = 0; i < kv.length; i += 2) m.put((String) kv[i], kv[i + 1]);
        return m;
    }

    static Stream<Arguments> cases() {
        return Stream.of(
            bad("unknown name", () -> Initializer.of("glorot"), "Initializer.of: name", "must be one of zeros, ones", "got 'glorot'"),
            bad("null name", () -> Initializer.of(null), "Initializer.of: name", "must be one of", "got null"),
            bad("Keras' STFT", () -> Initializer.of("STFT"), "Initializer.of: name", "got 'STFT'"),
            bad("unknown class in a config", () -> Initializer.fromConfig("Xavier", Map.of()), "Initializer.fromConfig: className", "got 'Xavier'"),
            bad("null config", () -> Initializer.fromConfig("Zeros", null), "Initializer.fromConfig: config", "got null"),
            bad("unknown argument", () -> Initializer.fromConfig("HeNormal", config("gain", 2.0)), "HeNormal: unknown argument 'gain'",
                    "takes seed, input_axes, output_axes"),
            bad("an argument Zeros lacks", () -> Initializer.fromConfig("zeros", config("value", 1.0)), "Zeros: unknown argument 'value'", "takes none"),
            bad("seed not an integer", () -> Initializer.fromConfig("RandomNormal", config("seed", 1.5)), "RandomNormal: seed",
                    "an integer or null", "got 1.5"),
            bad("stddev a string", () -> Initializer.fromConfig("RandomNormal", config("stddev", "big")), "RandomNormal: stddev",
                    "a number", "got big"),
            bad("fan axes set", () -> Initializer.fromConfig("GlorotUniform", config("input_axes", List.of(0L))), "GlorotUniform: input_axes",
                    "null only", "[0]"),
            bad("constant NaN", () -> Initializer.constant(Double.NaN), "Constant: value", "finite", "got NaN"),
            bad("constant beyond float32", () -> Initializer.constant(1e300), "Constant: value", "finite (in float32)", "got 1.0E300",
                    "rounds it to Infinity"),
            bad("uniform minval above maxval", () -> Initializer.randomUniform(1, 0), "RandomUniform: minval", "<= maxval", "got 1.0 > 0.0"),
            bad("uniform infinite maxval", () -> Initializer.randomUniform(0, Double.POSITIVE_INFINITY), "RandomUniform: maxval", "finite",
                    "got Infinity"),
            bad("normal negative stddev", () -> Initializer.randomNormal(0, -1), "RandomNormal: stddev", ">= 0", "got -1.0"),
            bad("truncated normal NaN mean", () -> Initializer.truncatedNormal(Double.NaN, 1), "TruncatedNormal: mean", "finite", "got NaN"),
            bad("variance scaling scale 0", () -> Initializer.varianceScaling(0, "fan_in", "uniform"), "VarianceScaling: scale",
                    "positive", "got 0.0"),
            bad("variance scaling unknown mode", () -> Initializer.varianceScaling(1, "fan_max", "uniform"), "VarianceScaling: mode",
                    "\"fan_in\", \"fan_out\" or \"fan_avg\"", "got \"fan_max\""),
            bad("variance scaling unknown distribution", () -> Initializer.varianceScaling(1, "fan_in", "gamma", 3), "VarianceScaling: distribution",
                    "\"truncated_normal\", \"untruncated_normal\" or \"uniform\"", "got \"gamma\""),
            // the record built directly with a null Keras class named "null" as the class
            bad("variance scaling record without a class", () -> new VarianceScaling(0, "fan_in", "normal", null, null),
                    "VarianceScaling: scale must be positive and finite (in float32), got 0.0"),
            bad("a preset with other arguments", () -> new VarianceScaling(3, "fan_in", "uniform", null, "HeUniform"), "VarianceScaling: kerasClass",
                    "a preset with its own arguments", "got HeUniform"),
            bad("Zeros holding 2", () -> new Constant(2, "Zeros"), "Constant: kerasClass", "Zeros (value 0)", "got Zeros with value 2.0"),
            bad("orthogonal infinite gain", () -> Initializer.orthogonal(Double.NEGATIVE_INFINITY), "Orthogonal: gain", "finite", "got -Infinity"),
            bad("identity NaN gain", () -> Initializer.identity(Double.NaN), "Identity: gain", "finite", "got NaN"),
            bad("orthogonal of a vector", () -> Initializer.orthogonal(1).values(new int[] {4}, new SplittableRandom(1)), "Orthogonal",
                    "at least two dimensions", "got rank 1"),
            bad("identity of a 3-D kernel", () -> Initializer.identity(1).values(new int[] {2, 2, 2}, new SplittableRandom(1)), "Identity",
                    "2-D weights only", "got rank 3"),
            bad("a negative dimension", () -> Initializer.zeros().values(new int[] {2, -1}, null), "negative dimension", "[2, -1]"),
            bad("Dense unknown name", () -> new Dense(2).name("d").kernelInitializer("he-normal"), "d: kernelInitializer", "must be one of",
                    "got 'he-normal'"),
            bad("Dense null initializer", () -> new Dense(2).name("d").biasInitializer((Initializer) null), "d: biasInitializer",
                    "an Initializer or a Keras name", "got null"),
            bad("Dense orthogonal bias", () -> new Dense(2).name("d").biasInitializer(Initializer.orthogonal(1)), "d: biasInitializer Orthogonal",
                    "cannot fill its bias", "got rank 1"),
            bad("Conv1D identity kernel", () -> new Conv1D(2, 3).name("c").kernelInitializer("identity"), "c: kernelInitializer Identity",
                    "cannot fill its kernel", "2-D weights only", "got rank 3"),
            bad("Embedding unknown name", () -> new Embedding(4, 2).name("e").embeddingsInitializer("uniformly"), "e: embeddingsInitializer",
                    "must be one of", "got 'uniformly'"),
            bad("LSTM unknown recurrent name", () -> new LSTM(2).name("l").recurrentInitializer("orthogonal_v2"), "l: recurrentInitializer",
                    "got 'orthogonal_v2'"),
            bad("SimpleRNN identity bias", () -> new SimpleRNN(2).name("s").biasInitializer("identity"), "s: biasInitializer Identity",
                    "cannot fill its bias", "got rank 1"),
            bad("GRU orthogonal bias without resetAfter, at the build", () -> new GRU(2).name("g").resetAfter(false).biasInitializer("orthogonal")
                    .build(List.of(new int[] {3, 1})), "g: biasInitializer Orthogonal", "cannot fill its bias of shape (6,)", "got rank 1")
        );
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void rejectedWithAClearMessage(String name, Executable call, List<String> words) {
        RefusalCases.assertRefused(name, call, words);
    }

    @Test
    void casesAreDistinct() {
        RefusalCases.assertDistinctArguments(cases());
    }

    /** A refused setter leaves the initializer as it was; one set after the build is refused and the weights stay. */
    @Test
    void aRefusedSetterLeavesTheLayerAsItWas() {
        Dense d = new Dense(3).name("d").kernelInitializer("he_normal");
        assertThrows(IllegalArgumentException.class, () -> d.kernelInitializer("he-normal"));
        assertThrows(IllegalArgumentException.class, () -> d.biasInitializer("orthogonal"));
        assertEquals(Initializer.heNormal(), d.kernelInitializer());
        assertEquals(Initializer.zeros(), d.biasInitializer());
        d.build(List.of(new int[] {2}));
        Tensor before = d.kernel().get();
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> d.kernelInitializer(Initializer.ones()));
        assertTrue(e.getMessage().contains("d: cannot change kernelInitializer after the layer is built"), e.getMessage());
        assertEquals(before, d.kernel().get());
        assertEquals(Initializer.heNormal(), d.kernelInitializer());
    }
}
