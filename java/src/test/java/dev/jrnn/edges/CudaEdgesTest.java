package dev.jrnn.edges;

import dev.jrnn.Jrnn;
import dev.jrnn.backend.Buf;
import dev.jrnn.backend.RecordingBackend;
import dev.jrnn.backend.cuda.CudaBackend;
import dev.jrnn.backend.cuda.CudaDriver;
import dev.jrnn.backend.cuda.CudaException;
import dev.jrnn.layers.Dense;
import dev.jrnn.model.Sequential;
import dev.jrnn.tensor.Tensor;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The CUDA paths of the hard edges: a build that runs out of device memory leaves the layer unbuilt and
 * nothing allocated; an Error at any device allocation of fit, predict or evaluate frees what the call took;
 * a model closed by a callback ends fit clearly. Counted by the device pool's live blocks.
 */
@Tag("gpu")
class CudaEdgesTest {
    @AfterEach
    void reset() {
        Jrnn.setBackend("cpu");
    }

    @Test
    void aBuildThatRunsOutOfDeviceMemoryLeavesTheLayerUnbuilt() {
        assumeTrue(CudaDriver.isAvailable(), "no CUDA device");
        try (CudaBackend be = CudaBackend.create()) {
            Jrnn.setBackend(be);
            int blocks = be.pool().liveBlocks();
            List<Buf> filler = fillDevice(be);
            // 819 MB of weights with a cheap initialiser (an LSTM's orthogonal one would take minutes on the host)
            Dense big = new Dense(50_000);
            try {
                Throwable e = assertThrows(Throwable.class, () -> new Sequential(big.inputShape(4096), new Dense(1)));
                assertTrue(e instanceof CudaException c && c.isOutOfMemory() || e instanceof IllegalStateException,
                        "a full device gives a CUDA out-of-memory or a clear state error: " + e);
                assertFalse(big.isBuilt(), "a layer whose build failed says it is built");
            } finally {
                filler.forEach(Buf::close);
            }
            be.pool().trim();
            assertEquals(blocks, be.pool().liveBlocks(), "blocks left by the failed build");
            try (Sequential m = new Sequential(big, new Dense(1))) {   // the same layer builds once memory is back
                assertTrue(big.isBuilt());
                assertTrue(m.predict(Tensor.full(0.1f, 2, 4096)).isFinite());
            }
        }
    }

    /** Takes device memory in shrinking chunks until even 64 MiB is refused. */
    private static List<Buf> fillDevice(CudaBackend be) {
        List<Buf> held = new ArrayList<>();
        for (long chunk = 1L << 31; chunk >= 1L << 24; chunk >>= 1) {
            while (true) {
                try {
                    held.add(be.alloc(chunk));
                } catch (CudaException e) {
                    assertTrue(e.isOutOfMemory(), e.toString());
                    break;
                }
            }
        }
        return held;
    }

    @Test
    void anErrorAtAnyDeviceAllocationOfFitEvaluateOrPredictFreesWhatTheCallAllocated() {
        assumeTrue(CudaDriver.isAvailable(), "no CUDA device");
        try (CudaBackend be = CudaBackend.create()) {
            ErrorCleanupTest.everyCallFreesOnError(new RecordingBackend(be), () -> be.pool().liveBlocks());
        }
    }

    @Test
    void closingTheModelInACallbackEndsFitClearlyOnCuda() {
        assumeTrue(CudaDriver.isAvailable(), "no CUDA device");
        try (CudaBackend be = CudaBackend.create()) {
            ClosedModelTest.closingInACallbackEndsFit(be, () -> be.pool().liveBlocks());
        }
    }
}
