package dev.jrnn.edges;

import dev.jrnn.backend.Backends;
import dev.jrnn.layers.Param;
import dev.jrnn.layers.ParamStore;
import dev.jrnn.optim.Adam;
import dev.jrnn.optim.Optimizer;
import dev.jrnn.optim.RMSprop;
import dev.jrnn.optim.SGD;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Bad gradient-accumulation and EMA settings of the optimizers (Keras 3's gradient_accumulation_steps, use_ema's
 * ema_momentum and ema_overwrite_frequency): each an IllegalArgumentException naming the parameter, what was expected and
 * what came, on every kind of optimizer (Adam, SGD, a fused one), leaving the setting as it was.
 */
class OptimizerOptionsBadInputTest {
    private static final Map<String, Supplier<Optimizer>> KINDS = Map.of("Adam", Adam::new, "SGD", SGD::new, "RMSprop", RMSprop::new);

    static Stream<Arguments> cases() {
        return KINDS.entrySet().stream().flatMap(k -> {
            String n = k.getKey();
            Supplier<Optimizer> o = k.getValue();
            return Stream.of(
                    Arguments.of(n + " accumulation steps 0", (Executable) () -> o.get().gradientAccumulationSteps(0),
                            List.of(n + ": gradientAccumulationSteps", "integer >= 1", "got 0")),
                    Arguments.of(n + " negative accumulation steps", (Executable) () -> o.get().gradientAccumulationSteps(-3),
                            List.of(n + ": gradientAccumulationSteps", ">= 1", "got -3")),
                    Arguments.of(n + " negative ema momentum", (Executable) () -> o.get().emaMomentum(-0.1),
                            List.of(n + ": emaMomentum", "[0, 1]", "-0.1")),
                    Arguments.of(n + " ema momentum above 1", (Executable) () -> o.get().useEma(true).emaMomentum(1.5),
                            List.of(n + ": emaMomentum", "[0, 1]", "1.5")),
                    Arguments.of(n + " NaN ema momentum", (Executable) () -> o.get().emaMomentum(Double.NaN),
                            List.of(n + ": emaMomentum", "[0, 1]", "NaN")),
                    Arguments.of(n + " negative overwrite frequency", (Executable) () -> o.get().emaOverwriteFrequency(-1),
                            List.of(n + ": emaOverwriteFrequency", ">= 1, or 0 for none", "got -1")));
        });
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

    /** A refused setting leaves the one before; a saved accumulator of the wrong size is refused naming it, nothing changed. */
    @Test
    void aRefusalLeavesTheOptimizerAsItWas() {
        Optimizer o = new Adam().gradientAccumulationSteps(4).useEma(true).emaMomentum(0.9).emaOverwriteFrequency(3);
        RefusalCases.assertRefused("steps", () -> o.gradientAccumulationSteps(0), List.of("gradientAccumulationSteps"));
        RefusalCases.assertRefused("momentum", () -> o.emaMomentum(2), List.of("emaMomentum"));
        RefusalCases.assertRefused("frequency", () -> o.emaOverwriteFrequency(-5), List.of("emaOverwriteFrequency"));
        assertEquals(List.of(4, true, 0.9f, 3), List.of(o.gradientAccumulationSteps(), o.useEma(), o.emaMomentum(), o.emaOverwriteFrequency()));
        ParamStore s = new ParamStore(Backends.cpu(), List.of(new Param("w", true, 3)));
        float[] three = new float[3];
        RefusalCases.assertRefused("short accumulator", () -> o.restoreState(s, 3, 0, Map.of("m", three, "v", three,
                "gradient_accumulator", new float[2], "average", three)), List.of("gradient_accumulator", "should hold 3 values, got 2"));
        assertEquals(Map.of(), o.state(), "nothing bound");
        RefusalCases.assertRefused("build without a store", () -> o.build(null, 3), List.of("Adam.build", "and no store"));
        RefusalCases.assertRefused("build past the store", () -> o.build(s, 4), List.of("Adam.build", "got 4 for 3"));
        RefusalCases.assertRefused("build of nothing", () -> o.build(s, 0), List.of("Adam.build", "got 0 for 3"));
        assertEquals(Map.of(), o.state(), "still nothing bound");
    }

    /** Optimizer.checkState: what restoreState would refuse, said without binding anything. */
    @Test
    void checkStateRefusesWhatRestoreStateWouldAndBindsNothing() {
        Adam o = new Adam();
        float[] three = new float[3];
        RefusalCases.assertRefused("no state", () -> o.checkState(3, 0, null), List.of("Adam.checkState", "state is null"));
        RefusalCases.assertRefused("n 0", () -> o.checkState(0, 0, Map.of()), List.of("Adam.checkState", "n must be >= 1, got 0"));
        RefusalCases.assertRefused("count past the limit", () -> o.checkState(3, Optimizer.MAX_ITERATIONS + 1, Map.of("m", three, "v", three)),
                List.of("Adam.checkState", "iterations must be in [0, " + Optimizer.MAX_ITERATIONS + "]", "got " + (Optimizer.MAX_ITERATIONS + 1)));
        RefusalCases.assertRefused("negative count", () -> o.checkState(3, -1, Map.of("m", three, "v", three)),
                List.of("Adam.checkState", "iterations", "got -1"));
        RefusalCases.assertRefused("short slot", () -> o.checkState(3, 0, Map.of("m", three, "v", new float[2])),
                List.of("Adam.checkState", "state 'v' should hold 3 values, got 2"));
        RefusalCases.assertRefused("a slot missing", () -> o.checkState(3, 0, Map.of("m", three)),
                List.of("Adam.checkState", "expected state [m, v], got [m]"));
        RefusalCases.assertRefused("a slot not its", () -> o.checkState(3, 0, Map.of("m", three, "v", three, "velocity", three)),
                List.of("Adam.checkState", "expected state [m, v]", "velocity"));
        o.checkState(3, 7, Map.of("m", three, "v", three, "velocity_hat", three));   // amsgrad's slot: a setting's, it may differ
        assertEquals(Map.of(), o.state(), "nothing bound");
        assertEquals(0, o.iterations());
    }
}
