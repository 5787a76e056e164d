package dev.jrnn.edges;

import dev.jrnn.Jrnn;
import dev.jrnn.backend.Backend;
import dev.jrnn.backend.Backends;
import dev.jrnn.backend.Buf;
import dev.jrnn.backend.cuda.CudaBackend;
import dev.jrnn.backend.cuda.CudaDriver;
import dev.jrnn.backend.cuda.CudaException;
import dev.jrnn.layers.Dense;
import dev.jrnn.layers.LSTM;
import dev.jrnn.model.FitOptions;
import dev.jrnn.model.NonFiniteException;
import dev.jrnn.model.Sequential;
import dev.jrnn.optim.SGD;
import dev.jrnn.tensor.Tensor;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeFalse;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * CUDA faults end up as clear exceptions, never a JVM crash: without CUDA, "cuda" says what is missing
 * and "auto" falls back to the CPU with one line on stderr; on a GPU, running out of device memory, use
 * after close and a diverging model are exceptions that leave the backend usable. (The driver bindings'
 * failure paths, failed launches included, are covered against stand-in libraries by MockCudaTest.)
 */
class CudaFaultsTest {
    private static final List<String> REASONS = List.of("CUDA driver not found", "no CUDA device", "CUDA driver initialisation failed",
            "CUDA kernels not built", "CUDA kernels resource", "cuBLAS not found", "cuBLAS failed", "loading the jrnn CUDA kernels failed");

    @Test
    void withoutCudaTheCudaBackendSaysWhatIsMissingAndAutoFallsBackInOneLine() {
        assumeFalse(CudaDriver.isAvailable(), "a CUDA device is present");
        IllegalStateException e = assertThrows(IllegalStateException.class, Backends::cuda);
        assertTrue(REASONS.stream().anyMatch(e.getMessage()::startsWith), e.getMessage());
        PrintStream err = System.err;
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        Backend be;
        try {
            System.setErr(new PrintStream(buf, true, StandardCharsets.UTF_8));
            be = Backends.auto();
        } finally {
            System.setErr(err);
        }
        assertEquals("cpu", be.name());
        List<String> lines = buf.toString(StandardCharsets.UTF_8).lines().toList();
        assertEquals(1, lines.size(), lines.toString());
        assertTrue(lines.get(0).startsWith("jrnn: using the CPU backend (CUDA not usable: "), lines.get(0));
        assertTrue(REASONS.stream().anyMatch(lines.get(0)::contains), lines.get(0));
    }

    @Test
    void anUnknownBackendNameIsRejected() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Backends.create("tpu"));
        assertTrue(e.getMessage().contains("got 'tpu'") && e.getMessage().contains("auto, cpu, cuda"), e.getMessage());
    }

    @Test
    @Tag("gpu")
    void outOfDeviceMemoryIsAnExceptionAndTheBackendGoesOn() {
        assumeTrue(CudaDriver.isAvailable(), "no CUDA device");
        try (CudaBackend be = CudaBackend.create()) {
            long blocks = be.pool().liveBlocks();
            CudaException e = assertThrows(CudaException.class, () -> be.alloc(1L << 40));   // 4 TiB
            assertTrue(e.isOutOfMemory(), e.toString());
            assertTrue(e.getMessage().contains("out of device memory"), e.getMessage());
            assertEquals(blocks, be.pool().liveBlocks(), "a failed allocation holds nothing");
            try (Buf b = be.alloc(4)) {
                be.upload(new float[] {1, 2, 3, 4}, 0, b, 0, 4);
                float[] back = new float[4];
                be.download(b, 0, back, 0, 4);
                assertArrayEquals(new float[] {1, 2, 3, 4}, back);
            }
            be.close();
            IllegalStateException closed = assertThrows(IllegalStateException.class, () -> be.alloc(4));
            assertTrue(closed.getMessage().contains("after close"), closed.getMessage());
        }
    }

    @Test
    @Tag("gpu")
    void aDivergingModelOnTheGpuKeepsItsLastFiniteWeights() {
        assumeTrue(CudaDriver.isAvailable(), "no CUDA device");
        try (CudaBackend be = CudaBackend.create()) {
            Jrnn.setBackend(be);
            Jrnn.clearSession();
            Jrnn.setSeed(3);
            try (Sequential m = new Sequential(new LSTM(8).inputShape(3, 1), new Dense(1))) {
                m.compile(new SGD(1e38), "mse");
                List<Tensor> before = m.getWeights();
                NonFiniteException e = assertThrows(NonFiniteException.class,
                        () -> m.fit(Tensor.full(0.5f, 4, 3, 1), Tensor.full(100f, 4, 1), new FitOptions().epochs(2).verbose(0)));
                assertEquals("weights", e.quantity(), e.getMessage());
                List<Tensor> after = m.getWeights();
                for (int i = 0; i < before.size(); i++) assertArrayEquals(before.get(i).toArray(), after.get(i).toArray());
            }
        } finally {
            Jrnn.setBackend("cpu");
        }
    }
}
