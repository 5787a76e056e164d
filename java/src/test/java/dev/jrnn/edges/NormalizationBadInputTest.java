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
import static org.junit.jupiter.api.Assertions.assertFalse;
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
            bad("kept axes of more statistics than float ids index", () -> new Normalization().name("n").axis(1, 3)
                    .build(List.of(new int[] {5000, 2, 4000})), "n: axis [1, 3] keeps 20000000 statistics", "2^24");
            bad("adapt null tensor", () -> new Normalization().adapt((Tensor) null), "adapt", "data is null");
            bad("adapt null dataset", () -> new Normalization().adapt((Dataset) null), "adapt", "data is null");
            bad("adapt rank 1", () -> new Normalization().adapt(Tensor.zeros(4)), "adapt", "(batch, ..., features)", "(4,)");
            bad("adapt other features", () -> adapted().adapt(Tensor.zeros(2, 4)), "norm.adapt", "4 features", "built for 3");
            bad("adapt endless dataset", () -> new Normalization().adapt(Dataset.fromTensors(Tensor.zeros(4, 3), null).repeat().batch(2)),
                    "adapt", "endless", "repeat()");
            bad("adapt dataset other features", () -> adapted().adapt(Dataset.fromTensors(Tensor.zeros(4, 5), null).batch(2)),
                    "norm.adapt", "5 features", "built for 3");
            bad("call other features", () -> adapted().apply(Input.shape(4)), "norm", "(None, 4)");
            bad("axis none given", () -> new Normalization().name("norm").axis(new int[0]), "norm", "axis needs at least one axis", "axisNone()");
            bad("axis null", () -> new Normalization().name("norm").axis((int[]) null), "norm", "axis", "got null");
            bad("axis out of range", () -> new Normalization().name("norm").axis(3).adapt(Tensor.zeros(2, 3)), "norm", "[-ndim, ndim)",
                    "[3]", "(None, 3)", "ndim 2");
            bad("axis negative out of range", () -> new Normalization().name("norm").axis(-3).adapt(Tensor.zeros(2, 3)), "[-ndim, ndim)", "[-3]");
            bad("axis keeps the batch", () -> new Normalization().name("norm").axis(0, 1).adapt(Tensor.zeros(2, 3)), "norm", "batch axis",
                    "[0, 1]");
            bad("axis twice", () -> new Normalization().name("norm").axis(1, -1).adapt(Tensor.zeros(2, 3)), "norm", "twice", "[1, -1]");
            bad("axis unknown size", () -> new Normalization().name("norm").axis(1, 2).apply(Input.shape(-1, 3)), "norm", "known size",
                    "unknown at axis 1");
            bad("adapt other kept shape", () -> new Normalization().name("norm").axis(1, 2).adapt(Tensor.zeros(2, 3, 4))
                    .adapt(Tensor.zeros(2, 5, 4)), "norm.adapt", "kept axes [1, 2]", "(5, 4)", "built for (3, 4)");
            bad("adapt dataset other kept shape", () -> new Normalization().name("norm").axis(1).adapt(Tensor.zeros(2, 3, 4))
                    .adapt(Dataset.fromTensors(Tensor.zeros(3, 5, 4), null).batch(2)), "norm.adapt", "kept axes [1]", "(5,)", "built for (3,)");
            bad("call other kept shape", () -> new Normalization().name("norm").axis(1, 2).adapt(Tensor.zeros(2, 3, 4))
                    .apply(Input.shape(5, 4)), "norm", "(None, 5, 4)");
            bad("mean null", () -> new Normalization().name("norm").meanAndVariance(null, Tensor.zeros(1)), "norm", "both be set",
                    "mean null");
            bad("variance null", () -> new Normalization().name("norm").meanAndVariance(Tensor.zeros(1), null), "variance null");
            bad("mean variance shapes", () -> new Normalization().name("norm").meanAndVariance(Tensor.zeros(3), Tensor.zeros(1, 3)),
                    "norm", "same shape", "(3,)", "(1, 3)");
            bad("mean rank over axes", () -> new Normalization().name("norm").meanAndVariance(Tensor.zeros(2, 3), Tensor.zeros(2, 3)),
                    "norm", "rank of mean", "(2, 3)", "[-1]");
            bad("axis none after array mean", () -> new Normalization().name("norm").meanAndVariance(Tensor.zeros(3), Tensor.zeros(3))
                    .axisNone(), "norm", "rank of mean", "(3,)", "[]");
            bad("mean not broadcast", () -> new Normalization().name("norm").meanAndVariance(Tensor.zeros(4), Tensor.zeros(4))
                    .apply(Input.shape(3)), "norm", "cannot be broadcast", "(4,)", "(3,)");
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

    /** With kept axes too: a refused adapt leaves the statistics; a refused build (constants that do not fit) leaves it unbuilt. */
    @Test
    void refusalsWithKeptAxesLeaveTheLayer() {
        Normalization n = new Normalization().name("norm").axis(1, 2).adapt(Tensor.wrap(new float[] {1, 2, 3, 4, 6, 8}, 2, 1, 3));
        float[] mean = n.getWeights().get(0).data().clone();
        assertThrows(IllegalArgumentException.class, () -> n.adapt(Tensor.zeros(2, 2, 3)));
        assertArrayEquals(mean, n.getWeights().get(0).data());
        assertArrayEquals(new float[] {2.5f, 4, 5.5f}, mean);
        Normalization c = new Normalization().name("c").meanAndVariance(Tensor.zeros(4), Tensor.zeros(4));
        assertThrows(IllegalArgumentException.class, () -> c.build(new int[] {3}));
        assertFalse(c.isBuilt());
        c.build(new int[] {4});
        assertTrue(c.isBuilt());
    }
}
