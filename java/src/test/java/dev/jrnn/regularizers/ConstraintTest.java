package dev.jrnn.regularizers;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

/** Keras 3's constraint formulas ({@code keras/src/constraints/constraints.py}, epsilon 1e-7) on hand-computed matrices. */
class ConstraintTest {
    private static final double EPS = 1e-7;

    /** [[3, 0], [4, 1]]: column norms 5 and 1, row norms 3 and sqrt(17), whole norm sqrt(26). */
    private static float[] w() { return new float[] {3, 0, 4, 1}; }

    private static void assertScaled(float[] got, double... factors) {
        float[] w = w();
        for (int i = 0; i < w.length; i++) assertEquals(w[i] * factors[i], got[i], 1e-6, "element " + i);
    }

    @Test
    void maxNormClipsEachColumnsNorm() {
        float[] v = w();
        Constraints.maxNorm(2).apply(v, new int[] {2, 2});
        double c0 = 2 / (EPS + 5), c1 = 1 / (EPS + 1);
        assertScaled(v, c0, c1, c0, c1);
    }

    @Test
    void unitNormOverTheLastAxisScalesEachRow() {
        float[] v = w();
        Constraints.unitNorm(1).apply(v, new int[] {2, 2});
        double r0 = 1 / (EPS + 3), r1 = 1 / (EPS + Math.sqrt(17));
        assertScaled(v, r0, r0, r1, r1);
        float[] n = w();
        Constraints.unitNorm(-1).apply(n, new int[] {2, 2});
        assertArrayEquals(v, n, "axis -1 is axis 1 of a matrix");
    }

    @Test
    void minMaxNormMovesEachNormAtItsRate() {
        float[] v = w();
        Constraints.minMaxNorm(0.5, 1.5, 0.5, 0).apply(v, new int[] {2, 2});
        double c0 = (0.5 * 1.5 + 0.5 * 5) / (EPS + 5), c1 = (0.5 * 1 + 0.5 * 1) / (EPS + 1);
        assertScaled(v, c0, c1, c0, c1);
    }

    @Test
    void severalAxesTakeOneNormOverThemAll() {
        float[] v = w();
        Constraints.maxNorm(1, 0, 1).apply(v, new int[] {2, 2});
        double f = 1 / (EPS + Math.sqrt(26));
        assertScaled(v, f, f, f, f);
        float[] cube = {1, 2, 3, 4, 5, 6, 7, 8};   // [2, 2, 2], norms over axis 1: pairs (1,3), (2,4), (5,7), (6,8)
        Constraints.unitNorm(1).apply(cube, new int[] {2, 2, 2});
        float[] src = {1, 2, 3, 4, 5, 6, 7, 8};
        int[][] pairs = {{0, 2}, {1, 3}, {4, 6}, {5, 7}};
        for (int[] p : pairs) {
            double n = Math.hypot(src[p[0]], src[p[1]]);
            assertEquals(src[p[0]] / (EPS + n), cube[p[0]], 1e-6);
            assertEquals(src[p[1]] / (EPS + n), cube[p[1]], 1e-6);
        }
    }

    @Test
    void allAxesIsKerasAxisNoneOneNormOverTheWholeWeight() {
        // Keras: MaxNorm(2, axis=None)(w) = w * clip(norm, 0, 2) / (1e-7 + norm), norm = sqrt(sum(w^2)) = sqrt(26)
        float[] v = w();
        Constraint c = Constraints.maxNorm(2).allAxes();
        c.apply(v, new int[] {2, 2});
        double f = 2 / (EPS + Math.sqrt(26));
        assertScaled(v, f, f, f, f);
        float[] u = w();
        Constraints.unitNorm().allAxes().apply(u, new int[] {2, 2});
        double g = 1 / (EPS + Math.sqrt(26));
        assertScaled(u, g, g, g, g);
        float[] m = w();
        Constraints.minMaxNorm(6, 8, 0.5, 0).allAxes().apply(m, new int[] {2, 2});
        double h = (0.5 * 6 + 0.5 * Math.sqrt(26)) / (EPS + Math.sqrt(26));
        assertScaled(m, h, h, h, h);
        assertEquals(0, c.axis().length);
        assertEquals("MaxNorm(max_value=2.0, axis=None)", c.toString());
        Map<String, Object> config = new java.util.HashMap<>();
        config.put("max_value", 2.0);
        config.put("axis", null);
        assertEquals(config, c.kerasConfig(), "Keras writes axis None as null");
        assertNotEquals(Constraints.maxNorm(2), c);
    }

    @Test
    void nonNegZeroesTheNegatives() {
        float[] v = {-1, 0, 2.5f, -0.001f};
        Constraints.nonNeg().apply(v, new int[] {4});
        assertArrayEquals(new float[] {0, 0, 2.5f, 0}, v);
    }

    @Test
    void configsAreKeras3s() {
        assertEquals(Map.of("max_value", 2.0, "axis", 0), Constraints.maxNorm().kerasConfig());
        assertEquals(Map.of("min_value", 0.0, "max_value", 1.0, "rate", 1.0, "axis", List.of(0, 1)),
                Constraints.minMaxNorm(0, 1, 1, 0, 1).kerasConfig());
        assertEquals(Map.of(), Constraints.nonNeg().kerasConfig());
        assertEquals("UnitNorm", Constraints.of("unit_norm").kerasClass());
    }
}
