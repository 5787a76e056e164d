package dev.jrnn.edges;

import dev.jrnn.Jrnn;
import dev.jrnn.data.Npy;
import dev.jrnn.io.keras.PatchedDataset;
import dev.jrnn.model.Model;
import dev.jrnn.model.Models;
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

    private enum Edit { UNWRITTEN, UNWRITTEN_FILL, EMPTY, SCALAR }

    /** {@code src} with the (3, 8) dataset at {@code path} edited as make_patched.py edits it. */
    private Path edited(String src, String path, Edit edit) throws IOException {
        PatchedDataset p = PatchedDataset.of(file(src), path);
        byte[] raw = p.raw;
        int layout = p.layout, dims = p.dims;
        switch (edit) {
            case UNWRITTEN -> Arrays.fill(raw, layout, layout + 8, (byte) 0xff);
            case UNWRITTEN_FILL -> {
                Arrays.fill(raw, layout, layout + 8, (byte) 0xff);
                withFill(raw, p.header, 0.05f);
            }
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

    /**
     * Moves the fill value message (version 2, HDF5's default: no value) of the version-1 object header at {@code header}
     * into its trailing NIL message, holding {@code value} (make_patched.py's with_fill): the old slot becomes NIL.
     */
    private static void withFill(byte[] raw, int header, float value) {
        ByteBuffer b = ByteBuffer.wrap(raw).order(ByteOrder.LITTLE_ENDIAN);
        assertEquals(1, raw[header], "a version-1 object header");
        int count = b.getShort(header + 2), at = header + 16, fill = -1, nil = -1;
        for (int i = 0; i < count; i++) {   // each message: type (2), size (2), flags, 3 reserved, body
            int kind = b.getShort(at), n = b.getShort(at + 2);
            if (kind == 5) fill = at;
            if (kind == 0) nil = at;
            at += 8 + n;
        }
        assertEquals(header + 16 + b.getInt(header + 8), at);
        assertArrayEquals(new byte[] {2, 2, 2, 1}, Arrays.copyOfRange(raw, fill + 8, fill + 12));
        assertTrue(nil > 0 && b.getShort(nil + 2) >= 12, "room for the message");
        b.putShort(fill, (short) 0).put(fill + 4, (byte) 0);
        // type 5, flags 1 (constant); version 2, allocation late, fill time if set, defined, 4 bytes, the value
        b.putShort(nil, (short) 5).put(nil + 4, (byte) 1).put(nil + 8, (byte) 2).put(nil + 9, (byte) 2).put(nil + 10, (byte) 2)
                .put(nil + 11, (byte) 1).putInt(nil + 12, 4).putFloat(nil + 16, value);
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

    /**
     * The same kernel never written with fill value 0.05 (keras_says3.txt, unwritten_fill): h5py reads 0.05 everywhere and
     * Keras predicts [0.005166607, 0.0018861174]; so does jrnn (the test above cannot tell the fill value from zeros).
     */
    @Test
    void aNeverWrittenDatasetWithAFillValueLoadsAsIt() throws IOException {
        try (Model m = Models.load(file("k.keras"))) {
            m.loadWeights(edited("k.weights.h5", V3_KERNEL, Edit.UNWRITTEN_FILL));
            float[] fill = new float[24];
            Arrays.fill(fill, 0.05f);
            assertArrayEquals(fill, m.getLayer("lstm").getWeights().get(0).data());
            assertArrayEquals(new float[] {0.005166607f, 0.0018861174f}, m.predict(Npy.read(file("x.npy"))).data(), 1e-7f);
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
