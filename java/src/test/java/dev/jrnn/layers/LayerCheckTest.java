package dev.jrnn.layers;

import dev.jrnn.Jrnn;
import dev.jrnn.tensor.Tensor;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.opentest4j.AssertionFailedError;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@link LayerCheck} itself: a NaN from the layer, in an output or a gradient, fails the check. */
class LayerCheckTest {

    @BeforeAll
    static void cpu() {
        Jrnn.setBackend("cpu");
    }

    @Test
    void aNanOutputAgainstAFiniteReferenceFails() {
        Tensor a = Tensor.of(new float[] {Float.NaN, 1, 2, 3}, 2, 2), b = Tensor.of(new float[] {1, 1, 1, 1}, 2, 2);
        LayerCheck.RefFn sums = v -> new double[][] {{1, 2, 3, 4}};   // the sums with the NaN read as 0
        AssertionFailedError e = assertThrows(AssertionFailedError.class,
                () -> LayerCheck.check(new Add(), List.of(a, b), null, new boolean[] {false, false}, sums, 1));
        assertTrue(e.getMessage().contains("output 0[0] = NaN, reference 1.0"), e.getMessage());
        Tensor finite = Tensor.of(new float[] {0, 1, 2, 3}, 2, 2);
        assertDoesNotThrow(() -> LayerCheck.check(new Add(), List.of(finite, b), null, new boolean[] {false, false}, sums, 1));
    }

    @Test
    void nearFailsOnNanOnEitherSideAndOutsideTheTolerance() {
        assertDoesNotThrow(() -> LayerCheck.near("close", 1.0, 1.0 + 1e-6, 1e-5));
        assertThrows(AssertionFailedError.class, () -> LayerCheck.near("far", 1.0, 1.1, 1e-5));
        assertThrows(AssertionFailedError.class, () -> LayerCheck.near("NaN got", Double.NaN, 1.0, 1e-5));
        assertThrows(AssertionFailedError.class, () -> LayerCheck.near("NaN want", 1.0, Double.NaN, 1e-5));
        assertThrows(AssertionFailedError.class, () -> LayerCheck.near("inf", Double.POSITIVE_INFINITY, 1.0, 1e-5));
    }
}
