package dev.jrnn.layers;

import dev.jrnn.backend.Buf;
import dev.jrnn.backend.cpu.CpuBackend;
import dev.jrnn.tensor.Tensor;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** What a {@link ParamStore} allocates and when: values at once (or first use when deferred), gradients on first use. */
class ParamStoreTest {
    private static float[] read(CpuBackend be, Buf b, int n) {
        float[] d = new float[n];
        be.download(b, 0, d, 0, n);
        return d;
    }

    @Test
    void gradientsAreAllocatedZeroedOnFirstUse() {
        try (CpuBackend be = CpuBackend.create()) {
            Param a = new Param("a", true, 2, 3);
            Param b = new Param("b", true, 4);
            ParamStore s = new ParamStore(be, List.of(a, b));
            assertEquals(10, be.liveFloats(), "the values only: a model that predicts never holds gradients");
            Buf g = s.grads();
            assertEquals(20, be.liveFloats());
            assertArrayEquals(new float[10], read(be, g, 10));
            assertSame(g, s.grads(), "allocated once");
            assertEquals(2 * 3, a.getGrad().size(), "a parameter reads its span of them");
            s.close();
            assertEquals(0, be.liveBuffers());
            ParamStore unused = new ParamStore(be, List.of(new Param("c", true, 3)));
            unused.closeFor("model_7");
            IllegalStateException e = assertThrows(IllegalStateException.class, unused::grads);
            assertEquals("parameter store of 3 floats used after close() (freed when model model_7 was closed)", e.getMessage());
            assertEquals(0, be.liveBuffers(), "a closed store allocates nothing");
        }
    }

    @Test
    void aDeferredStoreAllocatesNothingUntilUsed() {
        try (CpuBackend be = CpuBackend.create()) {
            Param a = new Param("a", true, 3);
            ParamStore deferred = ParamStore.deferred(be, List.of(a));
            assertEquals(0, be.liveBuffers(), "bound, nothing allocated");
            assertSame(deferred, a.store());
            ParamStore model = new ParamStore(be, List.of(a));
            assertEquals(3, be.liveFloats(), "the store that took the parameter over holds the only copy");
            assertArrayEquals(new float[3], a.get().data(), "zeros, as a deferred store's values read");
            assertThrows(IllegalStateException.class, deferred::values, "the deferred store closed once its parameter moved");
            model.close();

            Param b = new Param("b", true, 2);
            ParamStore lazy = ParamStore.deferred(be, List.of(b));
            b.set(Tensor.of(new float[] {1.5f, -2f}, 2));   // first use: the values appear, zeroed, then written
            assertEquals(2, be.liveFloats());
            assertArrayEquals(new float[] {1.5f, -2f}, ParamStore.deferred(be, List.of(b)).params().get(0).get().data(),
                    "a deferred store over parameters that hold values keeps them");
            assertEquals(2, be.liveFloats(), "the first store closed, the second holds the values");
            lazy.close();
            b.store().close();
            assertEquals(0, be.liveBuffers());
        }
    }

    @Test
    void aStoreWithNothingToHoldGivesClosedPlaceholdersAndAWeightlessModelTrains() {
        try (CpuBackend be = CpuBackend.create()) {
            ParamStore empty = new ParamStore(be, List.of());
            assertEquals(0, be.liveBuffers(), "nothing held");
            assertEquals(1, empty.values().size());
            assertEquals(1, empty.grads().size(), "no throw: the train step asks for them before each capture");
        }
        // a model of weightless layers: fit runs its batches (the step-graph path asks the store for gradients)
        dev.jrnn.model.Input in = dev.jrnn.model.Input.shape(3);
        try (dev.jrnn.model.Model m = new dev.jrnn.model.Model(in, new Activation("relu").apply(in))) {
            m.compile("sgd", "mse");
            Tensor x = Tensor.full(0.5f, 4, 3);
            dev.jrnn.model.History h = m.fit(x, x, new dev.jrnn.model.FitOptions().epochs(2).batchSize(2).verbose(0));
            assertEquals(0.0, h.get("loss").get(1), 0.0);
        }
    }
}
