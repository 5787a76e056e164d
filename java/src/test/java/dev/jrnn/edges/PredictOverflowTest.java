package dev.jrnn.edges;

import dev.jrnn.Jrnn;
import dev.jrnn.backend.cpu.CpuBackend;
import dev.jrnn.layers.Dense;
import dev.jrnn.model.Sequential;
import dev.jrnn.tensor.Tensor;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A predict whose output would exceed one Java array is an IllegalArgumentException with the shape, not an ArithmeticException. */
class PredictOverflowTest {
    @Test
    void anOutputOverTwoToThe31ElementsIsRefusedWithItsShape() {
        CpuBackend be = CpuBackend.create();
        Jrnn.setBackend(be);
        try (Sequential m = new Sequential(new Dense(65536).inputShape(1))) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> m.predict(Tensor.zeros(32768, 1)));
            assertTrue(e.getMessage().contains(".predict: output 0: shape (32768, 65536) holds 2147483648 elements"), e.getMessage());
            assertEquals(2, m.predict(Tensor.zeros(2, 1)).dim(0));   // the model still works
        }
        assertEquals(0, be.liveBuffers());
    }

    /**
     * A layer's own buffer over one Java array (here a RepeatVector's output, batch 1 x 2^20 x 4096 floats; an LSTM's gates
     * at a large batch alike) names the layer, its pass and the batch size, and says to use a smaller batch, in a model and
     * in a direct call, where it said "cpu empty: ... split the tensor" naming neither. Refused before any allocation.
     */
    @Test
    void aLayersBufferOverOneJavaArrayNamesTheLayerAndTheBatchSize() {
        CpuBackend be = CpuBackend.create();
        Jrnn.setBackend(be);
        String want = "repeat: its forward pass needs a buffer of 4294967296 floats at batch size 1, more than the CPU "
                + "backend's 2147483639 per buffer (one Java float[]); one sample alone needs it (use shorter sequences or a smaller layer)";
        try (Sequential m = new Sequential(new dev.jrnn.layers.RepeatVector(1 << 20).name("repeat").inputShape(4096))) {
            var e = assertThrows(dev.jrnn.backend.BufferTooLargeException.class, () -> m.predict(Tensor.zeros(1, 4096)));
            assertEquals(want, e.getMessage());
            assertEquals(4294967296L, e.floats());
            e = assertThrows(dev.jrnn.backend.BufferTooLargeException.class, () -> m.getLayer("repeat").call(Tensor.zeros(1, 4096)));
            assertEquals(want, e.getMessage());
        }
        try (Sequential m = new Sequential(new dev.jrnn.layers.Embedding(2, 1 << 16).name("emb").inputShape(1 << 16),
                new dev.jrnn.layers.GlobalAveragePooling1D())) {
            m.compile(new dev.jrnn.optim.SGD(0.1), "mse");
            var e = assertThrows(dev.jrnn.backend.BufferTooLargeException.class,
                    () -> m.trainOnBatch(Tensor.zeros(1, 1 << 16), Tensor.zeros(1, 1 << 16)));
            assertTrue(e.getMessage().startsWith("emb: its forward pass needs a buffer of 4294967296 floats at batch size 1"), e.getMessage());
        }
        // at a batch a smaller one would help: said so; in predict's default batches of 32
        try (Sequential m = new Sequential(new dev.jrnn.layers.RepeatVector(1 << 14).name("rep").inputShape(4096))) {
            var e = assertThrows(dev.jrnn.backend.BufferTooLargeException.class, () -> m.predict(Tensor.zeros(40, 4096)));
            assertEquals("rep: its forward pass needs a buffer of 2147483648 floats at batch size 32, more than the CPU "
                    + "backend's 2147483639 per buffer (one Java float[]); use a smaller batch size", e.getMessage());
        }
        assertEquals(0, be.liveBuffers());
    }

    /** Stacked recurrent layers run as one wavefront on two CPU threads: a refusal inside it names the wavefront's layers. */
    @Test
    void aRefusalInsideARecurrentWavefrontNamesItsLayers() {
        CpuBackend be = CpuBackend.create(true, 1);
        Jrnn.setBackend(be);
        try (Sequential m = new Sequential(new dev.jrnn.layers.SimpleRNN(2).returnSequences(true).name("first").inputShape(1024, 1),
                new dev.jrnn.layers.SimpleRNN(4096).recurrentInitializer("zeros").name("second"))) {   // no 4096 x 4096 orthogonal draw
            var e = assertThrows(dev.jrnn.backend.BufferTooLargeException.class, () -> m.predict(Tensor.zeros(512, 1024, 1), 512));
            assertEquals("first, second (a recurrent wavefront): its forward pass needs a buffer of 2147483648 floats at batch size 512, "
                    + "more than the CPU backend's 2147483639 per buffer (one Java float[]); use a smaller batch size", e.getMessage());
        } finally {
            Jrnn.setBackend(CpuBackend.create());
        }
        assertEquals(0, be.liveBuffers());
    }
}
