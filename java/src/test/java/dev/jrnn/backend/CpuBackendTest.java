package dev.jrnn.backend;

import dev.jrnn.backend.cpu.CpuBackend;
import dev.jrnn.backend.cpu.CpuBuf;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

import static dev.jrnn.backend.BufAt.at;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The backend contract on the CPU, plus the CPU's own argument checks. */
class CpuBackendTest extends BackendContractTest {
    private static final Backend BE = CpuBackend.create();

    @Override
    protected Backend backend() { return BE; }

    @AfterAll
    static void closeBackend() { BE.close(); }

    @Test
    void createdThroughBackends() {
        try (Backend be = Backends.create("cpu")) {
            assertEquals("cpu", be.name());
        }
    }

    @Test
    void closeIsIdempotent() {
        Backend be = CpuBackend.create();
        Buf b = be.alloc(3);
        b.close();
        b.close();
        be.close();
        be.close();
        assertThrows(IllegalStateException.class, () -> be.alloc(1));
    }

    @Test
    void oversizedAllocationIsRejectedClearly() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> BE.alloc(CpuBuf.MAX_FLOATS + 1));
        assertTrue(e.getMessage().contains(String.valueOf(CpuBuf.MAX_FLOATS)), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> BE.alloc(-1));
    }

    @Test
    void badArgumentsNameTheOperation() {
        try (Buf a = BE.alloc(10); Buf b = BE.alloc(10)) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> BE.gemm(false, false, 3, 3, 3, 1f, a, 0, 3, b, 0, 3, 0f, b, 2, 3));
            assertTrue(e.getMessage().startsWith("gemm"), e.getMessage());
            e = assertThrows(IllegalArgumentException.class, () -> BE.axpy(8, 1f, a, 5, b, 0));
            assertTrue(e.getMessage().contains("axpy") && e.getMessage().contains("x"), e.getMessage());
            e = assertThrows(IllegalArgumentException.class,
                    () -> BE.recurrentStepForward(new CellConfig(RecurrentCell.SIMPLE_RNN, Activation.SOFTMAX, Activation.SOFTMAX, 1, 2),
                            CellStep.Forward.rnn(at(a, 0), at(a, 2), null, at(b, 0))));
            assertTrue(e.getMessage().contains("softmax"), e.getMessage());
            BE.fill(a, 0, 10, 0f);
            BE.fill(a, 0, 1, 4f);   // class index 4 with only 3 classes
            e = assertThrows(IllegalArgumentException.class,
                    () -> BE.lossAsync(new LossArgs(Loss.SPARSE_CATEGORICAL_CROSSENTROPY, 1, 3, Span.of(b), Span.of(a), null,
                            new Span(b, 3), new Span(b, 9))));
            assertTrue(e.getMessage().contains("[0, 3)"), e.getMessage());
            BE.fill(a, 0, 1, 2.5f);
            e = assertThrows(IllegalArgumentException.class, () -> BE.gatherRows(1, 2, a, 0, b, 0, b, 6));
            assertTrue(e.getMessage().contains("gatherRows"), e.getMessage());
            e = assertThrows(IllegalArgumentException.class, () -> BE.adamUpdate(new AdamArgs(2, Span.of(a), Span.of(b),
                    new Span(a, 2), new Span(b, 2), new Span(b, 8), null, 0.1f, 0.9f, 0.99f, 1e-7f)));
            assertEquals("adamUpdate: step span [8, 11) is outside its buffer of 10 floats", e.getMessage());
        }
    }

    @Test
    void buffersOfAnotherBackendAreRejected() {
        try (Backend other = CpuBackend.create(); Buf foreign = other.alloc(4); Buf mine = BE.alloc(4)) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> BE.copy(foreign, 0, mine, 0, 4));
            assertTrue(e.getMessage().contains("copy"), e.getMessage());
        }
    }

    @Test
    void useAfterCloseIsAClearError() {
        Buf b = BE.alloc(4);
        b.close();
        assertThrows(IllegalStateException.class, () -> BE.fill(b, 0, 4, 1f));
    }
}
