package dev.jrnn.tensor;

import org.junit.jupiter.api.Test;

import java.util.Arrays;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Sizes are checked before anything is allocated, and bad arguments name themselves. */
class TensorTest {
    /** rows x cols nested arrays that all share one row, so a huge shape costs one row of memory. */
    private static float[][] sharedRows(int rows, int cols) {
        float[] r = new float[cols];
        float[][] x = new float[rows][];
        Arrays.fill(x, r);
        return x;
    }

    @Test
    void anElementCountThatOverflowsIntIsAnIllegalArgumentWithTheShape() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Tensor.of(sharedRows(65536, 65536)));
        assertTrue(e.getMessage().contains("(65536, 65536)"), e.getMessage());
        float[][][] x = new float[65536][][];
        Arrays.fill(x, sharedRows(256, 256));
        e = assertThrows(IllegalArgumentException.class, () -> Tensor.of(x));
        assertTrue(e.getMessage().contains("(65536, 256, 256)"), e.getMessage());
    }

    @Test
    void justBelowTwoToThe31IsRefusedBeforeTheArrayIsAllocated() {
        // 42966 x 49981 = 2^31 - 2: fits an int, not a Java array (before: OutOfMemoryError)
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Tensor.of(sharedRows(42966, 49981)));
        assertTrue(e.getMessage().contains("(42966, 49981)") && e.getMessage().contains("2147483646"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> Tensor.zeros(42966, 49981));
    }

    @Test
    void nullArgumentsAreNamed() {
        Tensor t = Tensor.zeros(2, 3);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> t.get((int[]) null));
        assertTrue(e.getMessage().contains("indices are null") && e.getMessage().contains("(2, 3)"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> Tensor.size((int[]) null));
        assertTrue(e.getMessage().contains("shape is null"), e.getMessage());
        assertEquals("null", Tensor.shapeString((int[]) null));
        assertEquals(0f, t.get(1, 2));
    }
}
