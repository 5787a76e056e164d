package dev.jrnn.edges;

import dev.jrnn.edges.RefusalCases.Action;
import dev.jrnn.edges.RefusalCases.Case;

import dev.jrnn.Jrnn;
import dev.jrnn.data.Dataset;
import dev.jrnn.layers.Normalization;
import dev.jrnn.model.Input;
import dev.jrnn.tensor.Tensor;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Bad input at Normalization's entry points (adapt on tensors and datasets, calls): each throws IllegalArgumentException
 * naming what it expects and what came, and a refused adapt leaves the layer's statistics as they were.
 */
class NormalizationBadInputTest {
    private static final List<Case> CASES = new ArrayList<>();

    private static void bad(String name, Action action, String... words) {
        CASES.add(new Case(name, action, List.of(words)));
    }

    @BeforeAll
    static void cpu() { Jrnn.setBackend("cpu"); }

    private static Normalization adapted() {
        return new Normalization().name("norm").adapt(Tensor.wrap(new float[] {1, 2, 3, 4, 5, 6}, 2, 3));
    }

    static List<Case> cases() {
        if (CASES.isEmpty()) {
            bad("adapt null tensor", () -> new Normalization().adapt((Tensor) null), "adapt", "data is null");
            bad("adapt null dataset", () -> new Normalization().adapt((Dataset) null), "adapt", "data is null");
            bad("adapt rank 1", () -> new Normalization().adapt(Tensor.zeros(4)), "adapt", "(batch, ..., features)", "(4,)");
            bad("adapt other features", () -> adapted().adapt(Tensor.zeros(2, 4)), "norm.adapt", "4 features", "built for 3");
            bad("adapt endless dataset", () -> new Normalization().adapt(Dataset.fromTensors(Tensor.zeros(4, 3), null).repeat().batch(2)),
                    "adapt", "endless", "repeat()");
            bad("adapt dataset other features", () -> adapted().adapt(Dataset.fromTensors(Tensor.zeros(4, 5), null).batch(2)),
                    "norm.adapt", "5 features", "built for 3");
            bad("call other features", () -> adapted().apply(Input.shape(4)), "norm", "(None, 4)");
        }
        return CASES;
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void rejectedWithAClearMessage(Case c) {
        RefusalCases.assertRefused(c);
    }

    @Test
    void casesAreDistinct() {
        RefusalCases.assertDistinct(cases().stream().map(Case::name).toList());
    }

    /** A refused adapt leaves the adapted statistics; invert is refused once built. */
    @Test
    void aRefusedAdaptLeavesTheStatistics() {
        Normalization n = adapted();
        float[] mean = n.getWeights().get(0).data().clone(), var = n.getWeights().get(1).data().clone();
        assertThrows(IllegalArgumentException.class, () -> n.adapt(Tensor.zeros(2, 4)));
        assertThrows(IllegalArgumentException.class, () -> n.adapt(Dataset.fromTensors(Tensor.zeros(4, 5), null).batch(2)));
        assertArrayEquals(mean, n.getWeights().get(0).data());
        assertArrayEquals(var, n.getWeights().get(1).data());
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> n.invert(true));
        assertTrue(e.getMessage().contains("invert must be set before the layer is built"), e.getMessage());
    }
}
