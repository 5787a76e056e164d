package dev.jrnn.io.keras;

import io.jhdf.api.Node;
import io.jhdf.exceptions.HdfChecksumMismatchException;
import io.jhdf.exceptions.HdfException;
import org.junit.jupiter.api.Test;

import java.lang.reflect.Proxy;
import java.nio.BufferUnderflowException;
import java.util.function.Supplier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * What jhdf throws for a damaged file is refused as damage; a bug's exception is not. Damaged files through the whole
 * load keep their messages: KerasImportFuzzTest's pinned mutations (an attribute's global heap, a superblock's checksum).
 */
class JhdfFailuresTest {
    @Test
    void jhdfsDamageIsToldFromABug() {
        assertTrue(JhdfFailures.damage(new HdfChecksumMismatchException(1, 2)));
        assertTrue(JhdfFailures.damage(new BufferUnderflowException()));
        assertTrue(JhdfFailures.damage(new IllegalArgumentException("Couldn't read 243 bytes")));
        assertTrue(JhdfFailures.damage(new ArithmeticException("integer overflow")));
        assertFalse(JhdfFailures.damage(new NullPointerException()));
        assertFalse(JhdfFailures.damage(new IllegalStateException("bug")));
        assertEquals("HdfException: Error reading global heap at address 2144",
                JhdfFailures.words(new HdfException("Error reading global heap at address 2144")));
        assertEquals("BufferUnderflowException", JhdfFailures.words(new BufferUnderflowException()));
    }

    /**
     * An attribute read that fails for damage names the attribute and says damaged; one that fails for a bug (here a
     * NullPointerException) is thrown as it is. Before, Hdf5Arrays caught every RuntimeException and reported the bug as
     * "attribute 'keras_version' of /g could not be read (NullPointerException: bug): damaged".
     */
    @Test
    void anAttributeReadBlamesTheFileOnlyForDamage() {
        KerasFormatException damaged = assertThrows(KerasFormatException.class,
                () -> Hdf5Arrays.stringAttribute(node(() -> { throw new HdfException("Error reading global heap at address 2144"); }), "keras_version"));
        assertEquals("attribute 'keras_version' of /g could not be read (HdfException: Error reading global heap at address 2144): damaged",
                damaged.getMessage());
        NullPointerException bug = new NullPointerException("bug");
        assertSame(bug, assertThrows(NullPointerException.class,
                () -> Hdf5Arrays.stringAttribute(node(() -> { throw bug; }), "keras_version")));
        IllegalStateException state = new IllegalStateException("bug");
        assertSame(state, assertThrows(IllegalStateException.class,
                () -> Hdf5Arrays.stringAttribute(node(() -> { throw state; }), "keras_version")));
    }

    /** A jhdf node at /g whose getAttribute fails as {@code failure} does. */
    private static Node node(Supplier<Object> failure) {
        return (Node) Proxy.newProxyInstance(Node.class.getClassLoader(), new Class<?>[] {Node.class}, (p, m, args) -> switch (m.getName()) {
            case "getPath" -> "/g";
            case "getAttribute" -> failure.get();
            case "toString" -> "node /g";
            default -> throw new UnsupportedOperationException(m.getName());
        });
    }
}
