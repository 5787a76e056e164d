package dev.jrnn.backend;

import dev.jrnn.backend.cpu.CpuBackend;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** The shared argument checks: their messages, and that a backend reports through them. */
class ChecksTest {

    private static String message(Runnable r) {
        return assertThrows(IllegalArgumentException.class, r::run).getMessage();
    }

    @Test
    void spansAndMatricesNameTheArgumentAndTheBounds() {
        assertEquals(5, Checks.span("axpy", "x", 10, 5, 5));
        assertEquals("axpy: x span [5, 11) is outside its buffer of 10 floats", message(() -> Checks.span("axpy", "x", 10, 5, 6)));
        assertEquals("axpy: x span [-1, 2) is outside its buffer of 10 floats", message(() -> Checks.span("axpy", "x", 10, -1, 3)));
        assertEquals(2 * 7 + 4, Checks.matrixLength("gemm", "A", 3, 4, 7));
        assertEquals(0, Checks.matrixLength("gemm", "A", 0, 4, 4));
        assertEquals("gemm: A row stride 3 is smaller than its 4 columns (and 1)", message(() -> Checks.matrixLength("gemm", "A", 2, 4, 3)));
        assertEquals("gemm: A shape [-1, 4] is negative", message(() -> Checks.matrixLength("gemm", "A", -1, 4, 4)));
        assertEquals("upload: src span [2, 5) is outside the array of 4 floats",
                message(() -> Checks.arraySpan("upload", "src", new float[4], 2, 3)));
        assertEquals(3, Checks.softmaxRows("activate", 12, 4));
        assertEquals("activate: softmax needs n to be a multiple of cols > 0, got n=10 cols=4",
                message(() -> Checks.softmaxRows("activate", 10, 4)));
    }

    @Test
    void scalarsAndActivations() {
        assertEquals("clip: need lo <= hi, got lo=1.0 hi=0.0", message(() -> Checks.clipRange(1f, 0f)));
        assertEquals("clip: need lo <= hi, got lo=NaN hi=0.0", message(() -> Checks.clipRange(Float.NaN, 0f)));
        assertEquals("dropoutMask: rate must be in [0, 1), got 1.0", message(() -> Checks.dropoutRate("dropoutMask", 1f)));
        assertEquals("clipNorm: maxNorm must be > 0, got 0.0", message(() -> Checks.maxNorm("clipNorm", 0f)));
        assertEquals("finiteGuard: code must be a positive float, got Infinity",
                message(() -> Checks.guardCode("finiteGuard", Float.POSITIVE_INFINITY)));
        assertEquals("activate: activation softmax is not elementwise; expected an elementwise one (linear, tanh, sigmoid, relu,"
                + " hard_sigmoid, ...: any but softmax and log_softmax)", message(() -> Checks.elementwise("activate", Activation.SOFTMAX)));
        assertEquals("lossAsync MSE: rows and cols must be > 0, got rows=0 cols=3",
                message(() -> Checks.lossShape("lossAsync", Loss.MSE, 0, 3)));
        Checks.elementwise("activate", Activation.TANH);
        Checks.clipRange(-1f, 1f);
    }

    @Test
    void aBackendReportsThroughTheSameChecks() {
        try (Backend be = CpuBackend.create(false); Backend other = CpuBackend.create(false);
             Buf mine = be.alloc(10); Buf theirs = other.alloc(10)) {
            assertSame(mine, Checks.owned("copy", "src", mine, be));
            assertEquals("copy: src belongs to another backend (cpu), expected a buffer of this cpu backend",
                    message(() -> be.copy(theirs, 0, mine, 0, 4)));
            assertEquals("fill: dst is null", message(() -> be.fill(null, 0, 1, 0f)));
            assertEquals("axpy: x span [5, 13) is outside its buffer of 10 floats", message(() -> be.axpy(8, 1f, mine, 5, mine, 0)));
            assertEquals("adamUpdate: n must be >= 0, got -1", message(() -> new AdamArgs(-1, Span.of(mine), Span.of(mine),
                    Span.of(mine), Span.of(mine), Span.of(mine), null, 0.1f, 0.9f, 0.999f, 1e-7f)));
        }
    }
}
