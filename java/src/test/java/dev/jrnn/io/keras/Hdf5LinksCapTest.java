package dev.jrnn.io.keras;

import io.jhdf.HdfFile;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Hdf5Links' cap on the objects it walks: a file over it is refused by name before jhdf lists the group that crosses it
 * (100,001 empty groups in one group: 3-6 s walked before, 80-110 ms counted now, benchmarks/NOTES.md), a file at it
 * passes. The hostile/ fixture k.keras's model.weights.h5 holds 13 objects (h5py's visititems, Keras 3.15.1's file).
 */
class Hdf5LinksCapTest {
    private static HdfFile weights() throws IOException {
        // from the class path, not the working directory: ci/stage-gpu.sh runs the Keras file tests from elsewhere
        InputStream k = Hdf5LinksCapTest.class.getResourceAsStream("/dev/jrnn/io/keras/hostile/k.keras");
        if (k == null) throw new AssertionError("test resource hostile/k.keras missing: run make_hostile.py");
        try (ZipInputStream z = new ZipInputStream(k)) {
            for (ZipEntry e; (e = z.getNextEntry()) != null; ) {
                if (e.getName().equals("model.weights.h5")) return HdfFile.fromByteBuffer(ByteBuffer.wrap(z.readAllBytes()));
            }
        }
        throw new AssertionError("hostile/k.keras has no model.weights.h5");
    }

    @Test
    void aFileOverTheCapIsRefusedSayingWhyAndOneAtItPasses() throws IOException {
        try (HdfFile h = weights()) {
            KerasFormatException e = assertThrows(KerasFormatException.class, () -> Hdf5Links.refuse(h, 12));
            assertTrue(e.getMessage().startsWith("the HDF5 file holds more than 12 objects (groups, datasets, links;"), e.getMessage());
        }
        try (HdfFile h = weights()) {
            assertDoesNotThrow(() -> Hdf5Links.refuse(h, 13));
        }
        try (HdfFile h = weights()) {
            assertDoesNotThrow(() -> Hdf5Links.refuse(h));
        }
    }
}
