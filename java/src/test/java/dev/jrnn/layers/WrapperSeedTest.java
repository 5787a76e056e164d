package dev.jrnn.layers;

import dev.jrnn.Jrnn;
import dev.jrnn.tensor.Tensor;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

/**
 * A wrapper's seed reaches the wrapped layers: Bidirectional and TimeDistributed have no weights of
 * their own, so seeding only the wrapper used to leave the inner layers on the global stream (two
 * identically seeded models started from different weights).
 */
class WrapperSeedTest {
    @BeforeAll
    static void cpu() {
        Jrnn.setBackend("cpu");
    }

    private static List<Tensor> bidiWeights(long seed) {
        Bidirectional bi = new Bidirectional(new LSTM(3)).seed(seed);
        bi.build(new int[] {4, 2});
        return bi.getWeights();
    }

    private static List<Tensor> tdWeights(long seed) {
        TimeDistributed td = new TimeDistributed(new Dense(3)).seed(seed);
        td.build(new int[] {4, 2});
        return td.getWeights();
    }

    private static void assertSame(List<Tensor> a, List<Tensor> b) {
        for (int i = 0; i < a.size(); i++) assertArrayEquals(a.get(i).toArray(), b.get(i).toArray(), 0f, "weight " + i);
    }

    @Test
    void bidirectionalSeedMakesBothDirectionsReproducibleAndDifferent() {
        Jrnn.setSeed(1);
        List<Tensor> a = bidiWeights(42);
        Jrnn.setSeed(2);
        List<Tensor> b = bidiWeights(42);
        assertSame(a, b);
        // forward kernel (0) and backward kernel (3) are drawn from different seeds
        assertFalse(java.util.Arrays.equals(a.get(0).toArray(), a.get(3).toArray()), "forward and backward kernels differ");
    }

    @Test
    void timeDistributedSeedReachesTheWrappedLayer() {
        Jrnn.setSeed(1);
        List<Tensor> a = tdWeights(7);
        Jrnn.setSeed(2);
        List<Tensor> b = tdWeights(7);
        assertSame(a, b);
    }
}
