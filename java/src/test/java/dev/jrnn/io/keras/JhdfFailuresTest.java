package dev.jrnn.io.keras;

import io.jhdf.api.Dataset;
import io.jhdf.api.Node;
import io.jhdf.exceptions.HdfChecksumMismatchException;
import io.jhdf.exceptions.HdfException;
import org.junit.jupiter.api.Test;

import java.lang.reflect.Proxy;
import java.nio.BufferUnderflowException;
import java.util.List;
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

    /**
     * A dataset read that fails for damage (jhdf's HdfException, a buffer read past its end) names the dataset and says
     * damaged, whether reading its header or its values; one that fails for a bug (a NullPointerException, an
     * IllegalStateException) is thrown as it is. Before, a dataset's read called any RuntimeException damage: "dataset
     * /d is damaged: NullPointerException: bug".
     */
    @Test
    void aDatasetReadBlamesTheFileOnlyForDamage() {
        Hdf5FillBudget load = new Hdf5FillBudget(1000);
        HdfException jhdf = new HdfException("Failed to map data buffer for dataset '/d'");
        KerasFormatException header = assertThrows(KerasFormatException.class, () -> Hdf5Arrays.stored(dataset(jhdf, null), load));
        assertEquals("dataset /d is damaged: HdfException: Failed to map data buffer for dataset '/d'", header.getMessage());
        assertSame(jhdf, header.getCause());
        KerasFormatException values = assertThrows(KerasFormatException.class,
                () -> Hdf5Arrays.stored(dataset(null, new BufferUnderflowException()), load).tensor());
        assertEquals("dataset /d is damaged: BufferUnderflowException", values.getMessage());
        for (RuntimeException bug : new RuntimeException[] {new NullPointerException("bug"), new IllegalStateException("bug")}) {
            assertSame(bug, assertThrows(bug.getClass(), () -> Hdf5Arrays.stored(dataset(bug, null), load)));
            assertSame(bug, assertThrows(bug.getClass(), () -> Hdf5Arrays.stored(dataset(null, bug), load).tensor()));
        }
    }

    /**
     * A jhdf dataset /d of 2 float32 (no storage kind jrnn looks into) whose header read (its datatype) fails as
     * {@code header} does where not null, and whose values' read fails as {@code values} does.
     */
    private static Dataset dataset(RuntimeException header, RuntimeException values) {
        return (Dataset) Proxy.newProxyInstance(Dataset.class.getClassLoader(), new Class<?>[] {Dataset.class}, (p, m, args) -> switch (m.getName()) {
            case "getPath" -> "/d";
            case "getDataType" -> { if (header != null) throw header; yield null; }
            case "getJavaType" -> float.class;
            case "getDimensionsAsLong" -> new long[] {2};
            case "getSize" -> 2L;
            case "isEmpty", "isCompound", "isVariableLength" -> false;
            case "getFilters" -> List.of();
            case "getDataFlat" -> throw values;
            case "toString" -> "dataset /d";
            default -> throw new UnsupportedOperationException(m.getName());
        });
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
