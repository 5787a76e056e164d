package dev.jrnn.edges;

import dev.jrnn.Jrnn;
import dev.jrnn.data.Npy;
import dev.jrnn.model.Model;
import dev.jrnn.model.Models;
import io.jhdf.HdfFile;
import io.jhdf.api.dataset.ContiguousDataset;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

import static dev.jrnn.edges.HostileKerasFilesTest.file;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Weight datasets whose messages were unclear (corrupt tester, item 6), made here from {@code hostile/k.weights.h5} and
 * {@code hostile/k.h5} by the byte edits {@code hostile/make_patched.py} describes and makes for Keras 3.15.1 (what Keras
 * does with each: {@code hostile/keras_says3.txt}). The LSTM kernel, (3, 8) float32:
 * never written (its data address undefined): h5py reads its fill value, 0, and Keras loads it (y = [0.0, 0.0]); jrnn
 * said "did not read as floats" (loadWeights) or "(io.jhdf...HdfException: Failed to map data buffer ...)" (load);
 * a scalar: Keras says "value.shape=()", jrnn said "(1,)"; shape (0, 8): jrnn said "Tensor: dimensions must be
 * positive, got [0, 8]" (HDF5 calls this edit corrupt; a dataset h5py makes with shape (0,) reads the same in jhdf).
 */
class HostileDatasetsTest {
    private static final String V3_KERNEL = "/layers/lstm/cell/vars/0";
    private static final String LEGACY_KERNEL = "/model_weights/lstm/sequential/lstm/lstm_cell/kernel";

    @TempDir
    Path tmp;

    @BeforeAll
    static void cpu() {
        Jrnn.setBackend("cpu");
    }

    private enum Edit { UNWRITTEN, EMPTY, SCALAR }

    /** {@code src} with the (3, 8) dataset at {@code path} edited as make_patched.py edits it. */
    private Path edited(String src, String path, Edit edit) throws IOException {
        byte[] raw = Files.readAllBytes(file(src));
        long address, size;
        try (HdfFile h = new HdfFile(file(src))) {
            ContiguousDataset ds = (ContiguousDataset) h.getDatasetByPath(path);
            address = ds.getDataAddress();
            size = ds.getStorageInBytes();
        }
        int layout = once(raw, le(address, size));
        int dims = first(raw, le(3, 8)) - 8;   // the version-1 dataspace message: 1, rank 2, flags, 5 reserved, dims, maxima
        assertEquals(1, raw[dims]);
        assertEquals(2, raw[dims + 1]);
        switch (edit) {
            case UNWRITTEN -> Arrays.fill(raw, layout, layout + 8, (byte) 0xff);
            case EMPTY -> {
                raw[dims + 8] = 0;
                if ((raw[dims + 2] & 1) != 0) raw[dims + 24] = 0;   // the maximum too
                Arrays.fill(raw, layout + 8, layout + 16, (byte) 0);
            }
            case SCALAR -> raw[dims + 1] = 0;
        }
        Path f = tmp.resolve(edit.name().toLowerCase() + "_" + src);
        Files.write(f, raw);
        return f;
    }

    private static byte[] le(long a, long b) {
        return ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN).putLong(a).putLong(b).array();
    }

    private static int first(byte[] hay, byte[] needle) {
        for (int i = 0; i + needle.length <= hay.length; i++) {
            if (Arrays.equals(hay, i, i + needle.length, needle, 0, needle.length)) return i;
        }
        throw new AssertionError("pattern not found");
    }

    private static int once(byte[] hay, byte[] needle) {
        int at = -1;
        for (int i = 0; i + needle.length <= hay.length; i++) {
            if (Arrays.equals(hay, i, i + needle.length, needle, 0, needle.length)) {
                assertEquals(-1, at, "the pattern is not unique");
                at = i;
            }
        }
        assertTrue(at >= 0, "pattern not found");
        return at;
    }

    /** Keras 3.15.1 loads a never-written kernel as its fill value (keras_says3.txt: y = [0.0, 0.0]); so does jrnn. */
    @Test
    void aNeverWrittenDatasetLoadsAsItsFillValue() throws IOException {
        try (Model m = Models.load(file("k.keras"))) {
            m.loadWeights(edited("k.weights.h5", V3_KERNEL, Edit.UNWRITTEN));
            assertArrayEquals(new float[24], m.getLayer("lstm").getWeights().get(0).data());
            assertArrayEquals(new float[] {0f, 0f}, m.predict(Npy.read(file("x.npy"))).data(), 1e-7f);
        }
        try (Model m = Models.load(edited("k.h5", LEGACY_KERNEL, Edit.UNWRITTEN))) {
            assertArrayEquals(new float[24], m.getLayer("lstm").getWeights().get(0).data());
            // k.h5 holds k.weights.h5's weights (make_hostile.py): the same kernel of zeros, Keras' same y
            assertArrayEquals(new float[] {0f, 0f}, m.predict(Npy.read(file("x.npy"))).data(), 1e-7f);
        }
    }

    /** A scalar is shape () as Keras says it, and a zero-size dataset is a shape misfit, both naming layer and weight. */
    @Test
    void aScalarOrEmptyDatasetIsNamedByItsShape() throws IOException {
        String[][] cases = {{"SCALAR", "()"}, {"EMPTY", "(0, 8)"}};
        for (String[] c : cases) {
            Edit e = Edit.valueOf(c[0]);
            Path w = edited("k.weights.h5", V3_KERNEL, e);
            try (Model m = Models.load(file("k.keras"))) {
                float[] before = m.getLayer("lstm").getWeights().get(0).data();
                IllegalArgumentException x = assertThrows(IllegalArgumentException.class, () -> m.loadWeights(w));
                assertTrue(x.getMessage().contains(w.toString()) && x.getMessage().contains(
                        "layer 'lstm' weight kernel expected shape (3, 8), the file has " + c[1]), x.getMessage());
                assertArrayEquals(before, m.getLayer("lstm").getWeights().get(0).data(), "unchanged");
            }
            Path h = edited("k.h5", LEGACY_KERNEL, e);
            IOException x = assertThrows(IOException.class, () -> Models.load(h).close());
            assertTrue(x.getMessage().contains(h.toString()) && x.getMessage().contains(
                    "layer 'lstm' weight kernel expected shape (3, 8), the file has " + c[1]), x.getMessage());
        }
    }
}
