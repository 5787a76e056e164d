package dev.jrnn.layers;

import dev.jrnn.Jrnn;
import dev.jrnn.backend.Backend;
import dev.jrnn.backend.DTensor;
import dev.jrnn.tensor.Tensor;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

/** {@link AttentionMasks#where}: Keras' where(keep, x, 0) over chunks, NaN and Inf where keep is 0 replaced. */
class AttentionMasksTest {
    @BeforeAll
    static void cpu() { Jrnn.setBackend("cpu"); }

    /** Chunks of 4 over 11 elements (the last one short) give what one chunk gives, and what the rule says by hand. */
    @Test
    void whereOverChunksIsWhereInOne() {
        float[] x = {1, Float.NaN, 3, Float.POSITIVE_INFINITY, 5, 6, Float.NaN, 8, 9, 10, Float.NEGATIVE_INFINITY};
        float[] keep = {1, 0, 1, 0, 1, 1, 0, 1, 0, 1, 0};
        float[] want = {1, 0, 3, 0, 5, 6, 0, 8, 0, 10, 0};
        Backend be = Jrnn.backend();
        for (long chunk : new long[] {4, 11, 1L << 30}) {
            try (DTensor dx = DTensor.from(be, Tensor.wrap(x.clone(), 11)); DTensor dk = DTensor.from(be, Tensor.wrap(keep, 11))) {
                AttentionMasks.where(be, 11, dx, dk, chunk);
                assertArrayEquals(want, dx.toTensor().data(), "chunk " + chunk);
            }
        }
    }
}
