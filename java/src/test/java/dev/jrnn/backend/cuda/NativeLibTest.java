package dev.jrnn.backend.cuda;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.invoke.MethodHandle;
import org.junit.jupiter.api.Test;

/** Symbol resolution against the C library, which every Linux machine has. */
class NativeLibTest {
    private static final FunctionDescriptor STRLEN = FunctionDescriptor.of(JAVA_LONG, ADDRESS);

    @Test
    void firstExportedCandidateIsBoundAndRecorded() throws Throwable {
        NativeLib libc = NativeLib.open("libc.so.6", false);
        MethodHandle h = libc.downcall(STRLEN, "jrnn_no_such_symbol_v2", "strlen");
        try (Arena a = Arena.ofConfined()) {
            assertEquals(5L, (long) h.invokeExact(a.allocateFrom("hello")));
        }
        assertEquals("strlen", libc.resolvedNames().get("jrnn_no_such_symbol_v2"));
        assertTrue(libc.find("strlen").isPresent());
        assertTrue(libc.find("jrnn_no_such_symbol_v2").isEmpty());
    }

    @Test
    void missingSymbolNamesEveryCandidateAndTheLibrary() {
        NativeLib libc = NativeLib.open("libc.so.6", false);
        CudaException e = assertThrows(CudaException.class,
                () -> libc.downcall(STRLEN, "cuJrnnMissing_v2", "cuJrnnMissing"));
        assertEquals("SYMBOL_NOT_FOUND", e.errorName());
        assertTrue(e.getMessage().contains("[cuJrnnMissing_v2, cuJrnnMissing]"), e.getMessage());
        assertTrue(e.getMessage().contains("libc.so.6"), e.getMessage());
        assertNull(libc.downcallOrNull(STRLEN, "cuJrnnMissing"));
    }

    @Test
    void missingLibraryCarriesTheLoaderMessage() {
        CudaException e = assertThrows(CudaException.class, () -> NativeLib.open("libjrnn_does_not_exist.so.7", false));
        assertEquals("dlopen libjrnn_does_not_exist.so.7", e.call());
        assertEquals("LIBRARY_NOT_FOUND", e.errorName());
        assertTrue(e.getMessage().contains("cannot open shared object file"), e.getMessage());
    }
}
