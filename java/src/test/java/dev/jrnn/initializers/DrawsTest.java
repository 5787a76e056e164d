package dev.jrnn.initializers;

import org.junit.jupiter.api.Test;

import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** The draws: bounds, a normal's and a cut normal's moments, orthogonality, one stream one result. */
class DrawsTest {
    @Test
    void drawsHaveTheirDistributions() {
        Stats.of(Draws.uniform(new SplittableRandom(1), 2, 4, 40000)).within(2, 4, "uniform").near(3, 2 / Math.sqrt(12), 1.8, "uniform");
        Stats.of(Draws.normal(new SplittableRandom(2), -1, 3, 40000)).near(-1, 3, 3, "normal");
        Stats.of(Draws.truncatedNormal(new SplittableRandom(3), 0, 1, 40000)).within(-2, 2, "cut").near(0, 0.87962566103423978, 2.3655, "cut");
        assertArrayEquals(new float[] {5, 5}, Draws.uniform(new SplittableRandom(1), 5, 5, 2), "an empty range: its bound");
        assertThrows(IllegalArgumentException.class, () -> Draws.uniform(new SplittableRandom(1), 1, 0, 2));
    }

    @Test
    void orthogonalIsOrthonormalAndRepeatable() {
        Stats.assertOrthonormal(Draws.orthogonal(new SplittableRandom(4), 5, 20, 1), 5, 20, 1);
        Stats.assertOrthonormal(Draws.orthogonal(new SplittableRandom(4), 20, 20, 0.5), 20, 20, 0.5);
        assertArrayEquals(Draws.orthogonal(new SplittableRandom(9), 3, 7, 1), Draws.orthogonal(new SplittableRandom(9), 3, 7, 1));
    }
}
