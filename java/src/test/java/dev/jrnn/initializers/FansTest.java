package dev.jrnn.initializers;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** Keras' compute_fans for the weights of jrnn's layers. */
class FansTest {
    @Test
    void fansOfTheLayersWeights() {
        assertEquals(new Fans(100, 30), Fans.of(100, 30), "Dense kernel (in, units)");
        assertEquals(new Fans(16, 64), Fans.of(16, 4 * 16), "LSTM kernel (input_dim, 4 units)");
        assertEquals(new Fans(16, 48), Fans.of(16, 3 * 16), "GRU recurrent kernel (units, 3 units)");
        assertEquals(new Fans(3 * 8, 3 * 32), Fans.of(3, 8, 32), "Conv1D kernel (kernel_size, channels, filters): the field multiplies both");
        assertEquals(new Fans(2 * 3 * 4, 2 * 3 * 5), Fans.of(2, 3, 4, 5));
        assertEquals(new Fans(7, 7), Fans.of(7), "a bias (n,): both n");
        assertEquals(new Fans(1, 1), Fans.of(), "a scalar");
    }
}
