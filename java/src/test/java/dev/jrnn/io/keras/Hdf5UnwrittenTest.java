package dev.jrnn.io.keras;

import dev.jrnn.tensor.Tensor;
import io.jhdf.HdfFile;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Weight datasets created and never written read as h5py reads them (so Keras' load_weights): their fill value.
 * {@code hostile/unwritten.h5} and what h5py reads from each dataset: {@code hostile/make_unwritten.py}. Before, only a
 * contiguous, non-scalar one no larger than the file did; each case below was refused.
 */
class Hdf5UnwrittenTest {
    private static Path file() {
        try {
            return Path.of(Hdf5UnwrittenTest.class.getResource("/dev/jrnn/io/keras/hostile/unwritten.h5").toURI());
        } catch (URISyntaxException | NullPointerException e) {
            throw new AssertionError("test resource hostile/unwritten.h5 missing: run make_unwritten.py", e);
        }
    }

    /** The dataset {@code name} of unwritten.h5 read as a weight (shape and values). */
    private static Tensor read(String name) throws IOException {
        try (HdfFile h = new HdfFile(file())) {
            return Hdf5Arrays.stored(h.getDatasetByPath(name), new Hdf5FillBudget(Files.size(file()))).tensor();
        }
    }

    private static float[] filled(int n, float v) {
        float[] f = new float[n];
        Arrays.fill(f, v);
        return f;
    }

    /** Chunked with no chunk written (no chunk index): "dataset ... did not read as floats" before; h5py: the fill. */
    @Test
    void aChunkedDatasetNeverWrittenReadsAsItsFillValue() throws IOException {
        Tensor t = read("chunked_fill");
        assertArrayEquals(new int[] {4, 3}, t.shape());
        assertArrayEquals(filled(12, 0.75f), t.data());
        Tensor gz = read("chunked_gzip_fill");
        assertArrayEquals(new int[] {4, 3}, gz.shape());
        assertArrayEquals(filled(12, 0.3f), gz.data());
    }

    /** A scalar never written: "has a null dataspace (h5py.Empty)" before (jhdf calls it empty); h5py reads 2.5 and 7. */
    @Test
    void aScalarNeverWrittenReadsAsItsFillValue() throws IOException {
        assertArrayEquals(new float[] {2.5f}, read("scalar_fill").data());
        assertArrayEquals(new float[] {7f}, read("int_scalar_fill").data());
    }

    /** (4000, 3) never written has no storage: "claims [4000, 3] (48000 bytes), more than the whole file" before. */
    @Test
    void aNeverWrittenDatasetLargerThanTheFileReadsAsItsFillValue() throws IOException {
        assertEquals(48000, 4000 * 3 * 4);
        assertEquals(true, Files.size(file()) < 48000);
        Tensor t = read("big_fill");
        assertArrayEquals(new int[] {4000, 3}, t.shape());
        assertArrayEquals(filled(12000, 0.3f), t.data());
    }

    /**
     * (5000, 5000) never written claims 100 MB of fill in a 2 KB file: refused before anything is filled (h5py reads it;
     * unbounded, a few bytes could make jrnn fill gigabytes before the weights' shape checks).
     */
    @Test
    void aNeverWrittenDatasetPastTheBoundIsRefused() throws IOException {
        try (HdfFile h = new HdfFile(file())) {
            KerasFormatException e = org.junit.jupiter.api.Assertions.assertThrows(KerasFormatException.class,
                    () -> Hdf5Arrays.stored(h.getDatasetByPath("huge_fill"), new Hdf5FillBudget(Files.size(file()))));
            assertEquals("dataset /huge_fill was never written and claims [5000, 5000] (100000000 bytes) of its fill value, "
                    + "more than the whole file (" + Files.size(file()) + " bytes): refused above 67108864 bytes of values not stored in the file per load", e.getMessage());
        }
    }

    /** Fill time NEVER: HDF5 writes nothing into h5py's zeroed buffer, so h5py reads 0, not the fill 0.5 (jrnn read 0.5). */
    @Test
    void aFillTimeNeverReadsAsZeros() throws IOException {
        assertArrayEquals(new float[6], read("fill_time_never").data());
    }

    /**
     * One budget for the whole load through {@link dev.jrnn.model.Models#load}: {@code hostile/unwritten_model.h5}
     * ({@code make_unwritten_model.py}), a Keras legacy .h5 whose LSTM kernel (56 MB) and recurrent kernel (16 MB) were
     * never written, each under 64 MiB of fill, together past it: the second is refused, naming the first's bytes.
     */
    @Test
    void twoNeverWrittenWeightsOfOneModelShareOneBudget() throws Exception {
        Path f = Path.of(Hdf5UnwrittenTest.class.getResource("/dev/jrnn/io/keras/hostile/unwritten_model.h5").toURI());
        IOException e = org.junit.jupiter.api.Assertions.assertThrows(IOException.class, () -> {
            try (dev.jrnn.model.Model m = dev.jrnn.model.Models.load(f)) {
                throw new AssertionError("loaded " + m);
            }
        });
        String all = e.getMessage() + (e.getCause() == null ? "" : " / " + e.getCause().getMessage());
        org.junit.jupiter.api.Assertions.assertTrue(all.contains("was never written and claims")
                && all.contains("(after 56000000 such bytes in the file's other datasets)")
                && all.contains("refused above 67108864 bytes of values not stored in the file per load"), all);
    }
}
