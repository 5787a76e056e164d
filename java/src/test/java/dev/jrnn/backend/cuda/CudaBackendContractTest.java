package dev.jrnn.backend.cuda;

import dev.jrnn.backend.Backend;
import dev.jrnn.backend.BackendContractTest;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** The Backend contract (every method vs float64 loops) on the CUDA backend; skipped without a device. */
@Tag("gpu")
class CudaBackendContractTest extends BackendContractTest {
    private static CudaBackend backend;

    @BeforeAll
    static void open() {
        assumeTrue(CudaDriver.isAvailable(), "no CUDA device");
        backend = CudaBackend.create();
    }

    @AfterAll
    static void shut() {
        if (backend != null) backend.close();
    }

    @Override
    protected Backend backend() {
        return backend;
    }
}
