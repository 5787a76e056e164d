package dev.jrnn.tensor;

import org.junit.jupiter.api.Test;

import java.util.Arrays;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
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

    @Test
    void ofAFlatArrayIsOneDimensional() {
        Tensor t = Tensor.of(new float[] {1, 2, 3});
        assertEquals(1, t.rank());
        assertEquals(3, t.dim(0));
        assertEquals(2f, t.get(1));
        assertEquals(2, Tensor.of(new float[] {1, 2, 3, 4}, 2, 2).rank());   // the shaped overload is unchanged
        assertThrows(IllegalArgumentException.class, () -> Tensor.of(new float[0]));
    }

    @Test
    void toStringNestsTheValuesLikeNumpy() {
        assertEquals("Tensor(3,) [1.0, 2.0, 3.0]", Tensor.of(new float[] {1, 2, 3}).toString());
        assertEquals("Tensor(2, 2) [[1.0, 2.0],\n" + "              [3.0, 4.0]]",
                Tensor.of(new float[][] {{1, 2}, {3, 4}}).toString());
        assertEquals("Tensor(2, 1, 2) [[[1.0, 2.0]],\n\n" + "                 [[3.0, 4.0]]]",
                Tensor.of(new float[] {1, 2, 3, 4}, 2, 1, 2).toString());
    }

    @Test
    void toStringOfABigTensorShowsTheEdgesOfEachAxis() {
        float[] d = new float[2000];
        for (int i = 0; i < d.length; i++) d[i] = i;
        String s = Tensor.of(d).toString();
        assertEquals("Tensor(2000,) [0.0, 1.0, 2.0, ..., 1997.0, 1998.0, 1999.0]", s);
        String m = Tensor.of(d, 100, 20).toString();
        assertTrue(m.startsWith("Tensor(100, 20) [[0.0, 1.0, 2.0, ..., 17.0, 18.0, 19.0],\n"), m);
        assertTrue(m.endsWith("[1980.0, 1981.0, 1982.0, ..., 1997.0, 1998.0, 1999.0]]"), m);
        assertEquals(7, m.lines().count(), m);   // 3 rows, "...", 3 rows
    }

    @Test
    void reshapeInfersOneMinusOneDimensionAsNumpy() {
        Tensor t = Tensor.of(new float[] {1, 2, 3, 4, 5, 6}, 2, 3);
        assertArrayEquals(new int[] {3, 2}, t.reshape(-1, 2).shape());
        assertArrayEquals(new int[] {6}, t.reshape(-1).shape());
        assertArrayEquals(new int[] {1, 2, 3}, t.reshape(1, -1, 3).shape());
        assertEquals(4f, t.reshape(-1, 2).get(1, 1));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> t.reshape(-1, 4));
        assertTrue(e.getMessage().contains("cannot view (2, 3) as (-1, 4)"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> t.reshape(-1, -1));
        assertTrue(e.getMessage().contains("only one dimension can be -1"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> t.reshape(-2, 3));
        assertTrue(e.getMessage().contains("[-2, 3]"), e.getMessage());
    }

    @Test
    void sliceAndGetCountNegativeIndicesFromTheEndAsNumpy() {
        Tensor t = Tensor.of(new float[] {1, 2, 3, 4, 5, 6, 7, 8}, 4, 2);
        assertArrayEquals(new float[] {7, 8}, t.slice(-1, 4).toArray());          // x[-1:4]
        assertArrayEquals(new float[] {3, 4, 5, 6}, t.slice(1, -1).toArray());    // x[1:-1]
        assertArrayEquals(new float[] {1, 2, 3, 4, 5, 6}, t.slice(-4, -1).toArray());
        assertEquals(8f, t.get(-1, -1));
        assertEquals(3f, t.get(-3, 0));
        IndexOutOfBoundsException e = assertThrows(IndexOutOfBoundsException.class, () -> t.slice(-5, 2));
        assertTrue(e.getMessage().contains("[-5, 2)") && e.getMessage().contains("[0, 4)"), e.getMessage());
        e = assertThrows(IndexOutOfBoundsException.class, () -> t.slice(2, 2));
        assertTrue(e.getMessage().contains("no rows"), e.getMessage());
        e = assertThrows(IndexOutOfBoundsException.class, () -> t.get(-5, 0));
        assertTrue(e.getMessage().contains("index -5 of dimension 0"), e.getMessage());
    }

    @Test
    void equalTensorsHaveEqualShapesAndValuesAndHashCodes() {
        Tensor a = Tensor.of(new float[] {1, 2, 3, 4}, 2, 2);
        Tensor b = Tensor.of(new float[][] {{1, 2}, {3, 4}});
        assertEquals(a, b);
        assertEquals(a.hashCode(), b.hashCode());
        assertNotEquals(a, a.reshape(4));                                   // same values, other shape
        assertNotEquals(a, Tensor.of(new float[] {1, 2, 3, 5}, 2, 2));
        assertNotEquals(a, null);
        Tensor nan = Tensor.full(Float.NaN, 2);
        assertEquals(nan, Tensor.full(Float.NaN, 2));                       // as Float.equals: NaN equals NaN,
        assertEquals(nan.hashCode(), Tensor.full(Float.NaN, 2).hashCode());
        assertNotEquals(Tensor.full(0f, 1), Tensor.full(-0f, 1));            // and 0.0 differs from -0.0
    }
}
