package dev.jrnn.backend.cuda;

import dev.jrnn.Jrnn;
import dev.jrnn.backend.Backend;
import dev.jrnn.backend.Backends;
import dev.jrnn.backend.Precision;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The CPU and CUDA backends a parity test class compares: made before its tests (skipped where there is no CUDA
 * device) and closed after them, the session back on a CPU backend in FP32.
 */
abstract class CpuCudaBackends {
    static Backend cpu;
    static CudaBackend gpu;

    @BeforeAll
    static void backends() {
        assumeTrue(CudaDriver.isAvailable(), "no CUDA device");
        gpu = CudaBackend.create();
        cpu = Backends.cpu();
        Jrnn.setPrecision(Precision.FP32);
    }

    @AfterAll
    static void closeBackends() {
        Jrnn.setPrecision(Precision.FP32);
        if (cpu != null) Jrnn.setBackend(Backends.cpu());
        if (gpu != null) gpu.close();
        if (cpu != null) cpu.close();
        gpu = null;
        cpu = null;
    }
}
