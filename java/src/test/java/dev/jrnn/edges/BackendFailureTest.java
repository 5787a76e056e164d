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
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.function.Supplier;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
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
            assertEquals("cpu backend is closed (close() freed its buffers and those of the models built on it): build the "
                + "model again on an open backend (Jrnn.backend() replaces a closed default one, Jrnn.setBackend(\"cpu\") any other)", e.getMessage());
            assertInstanceOf(BackendFailure.class, e);
            assertThrows(BackendClosedException.class, () -> a.loadWeights(f), name);
            List<Tensor> now = a.getWeights();
            for (int i = 0; i < before.size(); i++) assertArrayEquals(before.get(i).data(), now.get(i).data(), name + ": weight " + i);
        }
    }

    /** The note a backend failure during a load of {@code f} carries, as its one suppressed exception. */
    private static void assertNamesTheLoad(Path f, RuntimeException e) {
        assertNamesTheLoad(f, e, "");
    }

    /** As above, the note's message ending in {@code wrapped} (where the failure came wrapped: the wrapper described), and no cause. */
    private static void assertNamesTheLoad(Path f, RuntimeException e, String wrapped) {
        assertEquals(1, e.getSuppressed().length, f + ": " + java.util.Arrays.toString(e.getSuppressed()));
        assertInstanceOf(IOException.class, e.getSuppressed()[0]);
        assertEquals(f + ": the load stopped here (the backend failed, not the file)" + wrapped, e.getSuppressed()[0].getMessage());
        assertNull(e.getSuppressed()[0].getCause(), "the note holds no exception: failure -> note -> wrapper -> failure would loop");
    }

    /**
     * A backend failure thrown as it is names the file being loaded in a suppressed IOException: Models.load's (an
     * allocation failing, a closed backend), loadWeights' while setting the layers and on a closed backend. Before, the
     * trace named no file.
     */
    @Test
    @Timeout(value = 20, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
    void aBackendFailureNamesTheFileOfTheLoadItStopped(@TempDir Path dir) throws IOException {
        for (String name : List.of("n.keras", "n.h5")) {
            Path f = saved(dir, name);
            CpuBackend cpu = CpuBackend.create();
            RecordingBackend be = new RecordingBackend(cpu);
            Jrnn.setBackend(be);
            be.failAlloc(0, cudaOom(0));
            CudaException load = assertThrows(CudaException.class, () -> Models.load(f), name);
            assertNamesTheLoad(f, load);
            Sequential a = model();
            be.failUpload(0, cudaOom(1));
            assertNamesTheLoad(f, assertThrows(CudaException.class, () -> a.loadWeights(f), name));
            cpu.close();   // a's buffers went with it
            assertNamesTheLoad(f, assertThrows(BackendClosedException.class, () -> a.loadWeights(f), name));
            assertNamesTheLoad(f, assertThrows(BackendClosedException.class, () -> Models.load(f), name));
        }
    }

    /**
     * A backend failure wrapped in another exception is found down the cause chain; the note naming the file describes the
     * wrapper in its message and holds no cause (before, its cause was the wrapper, whose cause is the failure: a loop).
     */
    @Test
    @Timeout(value = 20, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
    void aWrappedBackendFailureIsFoundAndNamesTheFile(@TempDir Path dir) throws IOException {
        Path f = saved(dir, "w.keras");
        RecordingBackend be = new RecordingBackend(CpuBackend.create());
        Jrnn.setBackend(be);
        CudaException oom = (CudaException) cudaOom(0).get();
        IllegalStateException wrapper = new IllegalStateException("a reader's wrapper", oom);
        be.failAlloc(0, () -> wrapper);
        CudaException e = assertThrows(CudaException.class, () -> Models.load(f));
        assertSame(oom, e);
        assertNamesTheLoad(f, e, "; it came wrapped in java.lang.IllegalStateException: a reader's wrapper");
    }

    /**
     * A cause chain that loops back on itself ends the walks (in KerasImport's backend search and in FileFaults.read's
     * checks: the interrupt's, the mapped page's): without a backend failure in it the load is the file's IOException, with one that failure is
     * thrown. Before, a looping chain spun forever in FileFaults.read's interrupt check (this test then timed out).
     */
    @Test
    @Timeout(value = 20, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
    void aCauseChainThatLoopsEnds(@TempDir Path dir) throws IOException {
        Path f = saved(dir, "l.keras");
        RecordingBackend be = new RecordingBackend(CpuBackend.create());
        Jrnn.setBackend(be);
        RuntimeException a = new RuntimeException("a"), b = new RuntimeException("b", a);
        a.initCause(b);   // a -> b -> a, no backend failure in it
        be.failAlloc(0, () -> a);
        IOException io = assertThrows(IOException.class, () -> Models.load(f));
        assertEquals(f + ": not a readable Keras file (java.lang.RuntimeException: a)", io.getMessage());
        assertSame(a, io.getCause());

        BufferTooLargeException big = new BufferTooLargeException("the weights' store", 3L << 30, Integer.MAX_VALUE - 8);
        RuntimeException loop = new RuntimeException("loop", big);
        big.initCause(loop);   // loop -> big -> loop: the backend failure inside the loop is found
        be.failAlloc(0, () -> loop);
        assertSame(big, assertThrows(BufferTooLargeException.class, () -> Models.load(f)));
        assertNamesTheLoad(f, big, "; it came wrapped in java.lang.RuntimeException: loop");
    }
}
