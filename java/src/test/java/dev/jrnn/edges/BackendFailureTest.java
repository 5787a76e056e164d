package dev.jrnn.edges;

import dev.jrnn.Jrnn;
import dev.jrnn.backend.BackendClosedException;
import dev.jrnn.backend.BackendFailure;
import dev.jrnn.backend.BufferTooLargeException;
import dev.jrnn.backend.RecordingBackend;
import dev.jrnn.backend.cpu.CpuBackend;
import dev.jrnn.backend.cuda.CudaException;
import dev.jrnn.layers.Dense;
import dev.jrnn.layers.LSTM;
import dev.jrnn.model.Models;
import dev.jrnn.model.Sequential;
import dev.jrnn.tensor.Tensor;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.function.Supplier;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A backend that fails during a Keras file's load (the device out of memory, a buffer too large for the CPU) is not
 * reported as a damaged file: {@code Models.load} and {@code loadWeights} throw the backend's exception as it is, the
 * model being loaded is closed (its buffers freed). Before, a load said {@code <file>: not a readable Keras file
 * (CudaException ...)}.
 */
class BackendFailureTest {
    @AfterEach
    void reset() {
        Jrnn.setBackend("cpu");
    }

    private static Sequential model() {
        return new Sequential(new LSTM(4).inputShape(3, 2), new Dense(1));
    }

    /** A device's out-of-memory as the CUDA backend throws it, built without a GPU. */
    private static Supplier<Throwable> cudaOom(long k) {
        return () -> new CudaException("cuMemAlloc_v2", 2, "CUDA_ERROR_OUT_OF_MEMORY", "injected at " + k);
    }

    private static Path saved(Path dir, String name) throws IOException {
        Jrnn.setBackend("cpu");
        Jrnn.setSeed(5);
        Sequential m = model();
        Path f = dir.resolve(name);
        m.save(f);
        m.close();
        return f;
    }

    /** Every allocation and every upload of a load, failing once each with the device's out-of-memory. */
    @Test
    void aDeviceFailureAtAnyStepOfALoadIsThrownAsItIsAndFreesTheModel(@TempDir Path dir) throws IOException {
        for (String name : List.of("m.keras", "m.h5")) {
            Path f = saved(dir, name);
            CpuBackend cpu = CpuBackend.create();
            RecordingBackend be = new RecordingBackend(cpu);
            Jrnn.setBackend(be);
            long live = cpu.liveBuffers(), allocs = be.allocs, uploads = be.uploads;
            Models.load(f).close();
            long allocations = be.allocs - allocs, copies = be.uploads - uploads;
            assertTrue(allocations > 0 && copies > 0, name + ": the load allocates and uploads, so failing them tests something");
            assertEquals(live, cpu.liveBuffers());
            for (long k = 0; k < allocations + copies; k++) {
                if (k < allocations) be.failAlloc(k, cudaOom(k));
                else be.failUpload(k - allocations, cudaOom(k));
                CudaException e = assertThrows(CudaException.class, () -> Models.load(f), name + ": failure " + k);
                assertEquals("cuMemAlloc_v2 failed: CUDA_ERROR_OUT_OF_MEMORY (2): injected at " + k, e.getMessage());
                assertEquals(live, cpu.liveBuffers(), name + ": buffers left after failure " + k);
            }
        }
    }

    /** The CPU backend's refusal of a buffer over one float[], and the JVM's OutOfMemoryError, are not the file's either. */
    @Test
    void aBufferTooLargeOrAHeapOutOfMemoryIsThrownAsItIs(@TempDir Path dir) throws IOException {
        Path f = saved(dir, "m.keras");
        RecordingBackend be = new RecordingBackend(CpuBackend.create());
        Jrnn.setBackend(be);
        BufferTooLargeException big = new BufferTooLargeException("the weights' store", 3L << 30, Integer.MAX_VALUE - 8);
        be.failAlloc(0, () -> big);
        RuntimeException e = assertThrows(RuntimeException.class, () -> Models.load(f));
        assertSame(big, e, "a BufferTooLargeException (an IllegalArgumentException) was reported as the file's: " + e);
        assertInstanceOf(BackendFailure.class, e);
        OutOfMemoryError oom = new OutOfMemoryError("injected");
        be.failUpload(0, () -> oom);
        assertSame(oom, assertThrows(OutOfMemoryError.class, () -> Models.load(f)));
    }

    /**
     * loadWeights reads and checks the whole file first, then sets the layers one by one: a device failure while setting
     * them is thrown as it is (the weights are then not all set: no snapshot is taken, it would double the load).
     */
    @Test
    void aDeviceFailureWhileLoadWeightsSetsTheLayersIsThrownAsItIs(@TempDir Path dir) throws IOException {
        for (String name : List.of("w.keras", "w.h5")) {
            Path f = saved(dir, name);
            RecordingBackend be = new RecordingBackend(CpuBackend.create());
            Jrnn.setBackend(be);
            Jrnn.setSeed(6);
            try (Sequential a = model()) {
                long uploads = be.uploads;
                a.loadWeights(f);
                long copies = be.uploads - uploads;
                for (long k = 0; k < copies; k++) {
                    be.failUpload(k, cudaOom(k));
                    assertThrows(CudaException.class, () -> a.loadWeights(f), name + ": upload " + k);
                }
            }
        }
    }

    /**
     * A closed backend is the backend's state, not the file's: Models.load and loadWeights throw BackendClosedException
     * (an IllegalStateException and a BackendFailure), loadWeights before setting any weight. Before, Models.load said
     * {@code <file>: not a readable Keras file (java.lang.IllegalStateException: cpu backend is closed)}.
     */
    @Test
    void aClosedBackendIsNotReportedAsTheFilesFault(@TempDir Path dir) throws IOException {
        for (String name : List.of("c.keras", "c.h5")) {
            Path f = saved(dir, name);
            CpuBackend cpu = CpuBackend.create();
            Jrnn.setBackend(cpu);
            Sequential a = model();
            List<Tensor> before = a.getWeights();
            cpu.close();
            BackendClosedException e = assertThrows(BackendClosedException.class, () -> Models.load(f), name);
            assertEquals("cpu backend is closed", e.getMessage());
            assertInstanceOf(BackendFailure.class, e);
            assertThrows(BackendClosedException.class, () -> a.loadWeights(f), name);
            List<Tensor> now = a.getWeights();
            for (int i = 0; i < before.size(); i++) assertArrayEquals(before.get(i).data(), now.get(i).data(), name + ": weight " + i);
        }
    }
}
