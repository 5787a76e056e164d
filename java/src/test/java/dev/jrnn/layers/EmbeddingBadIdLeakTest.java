package dev.jrnn.layers;

import dev.jrnn.Jrnn;
import dev.jrnn.backend.cpu.CpuBackend;
import dev.jrnn.tensor.Tensor;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A bad id is an IllegalArgumentException, and the buffers the failed call allocated are freed. */
class EmbeddingBadIdLeakTest {
    @AfterEach
    void reset() {
        Jrnn.setBackend("cpu");
    }

    @Test
    void badIdFreesTheCallsBuffers() {
        CpuBackend be = CpuBackend.create();
        Jrnn.setBackend(be);
        Embedding emb = new Embedding(5, 3).maskZero(true);
        emb.call(Tensor.of(new float[][] {{1, 2, 0}}));   // builds: the weights stay allocated
        long live = be.liveBuffers();
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> emb.call(Tensor.of(new float[][] {{1, 7, 0}})));
        assertTrue(e.getMessage().contains("7"), e.getMessage());
        assertEquals(live, be.liveBuffers(), "buffers left by the failed call");
    }
}
