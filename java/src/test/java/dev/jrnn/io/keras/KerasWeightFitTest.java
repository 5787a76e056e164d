package dev.jrnn.io.keras;

import dev.jrnn.Jrnn;
import dev.jrnn.model.Model;
import dev.jrnn.model.Models;
import dev.jrnn.tensor.Tensor;
import io.jhdf.HdfFile;
import io.jhdf.api.dataset.ContiguousDataset;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * loadWeights checks a file's arrays' shapes (their dataspaces) against the model before it reads any value: a weight of
 * another shape, however large, is never read.
 */
class KerasWeightFitTest {
    private static final String KERNEL = "/layers/lstm/cell/vars/0";

    @TempDir
    Path tmp;

    @BeforeAll
    static void cpu() {
        Jrnn.setBackend("cpu");
    }

    /**
     * {@code hostile/k.weights.h5} (Keras 3.15.1, make_hostile.py: LSTM kernel (3, 8) float32) with the kernel's dataspace
     * edited to (6, 4) (the same 96 bytes) and its data address moved past the file's end, so its values cannot be read:
     * into the model it does not fit, the refusal is the shape's, the model unchanged; into one it fits (the same edit
     * at shape (3, 8)), the read fails, naming the dataset. Before, loadWeights read every array first, so the misfit
     * too was refused as "dataset /layers/lstm/cell/vars/0 is damaged" (an array of the wrong shape read in full).
     */
    @Test
    void aWeightOfAnotherShapeIsRefusedBeforeItsValuesAreRead() throws IOException {
        try (Model m = Models.load(file("k.keras"))) {
            List<Tensor> before = m.getLayer("lstm").getWeights();
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> m.loadWeights(edited(6, 4)));
            assertTrue(e.getMessage().contains("the file does not match the model: layer 'lstm' weight kernel expected shape (3, 8), "
                    + "the file has (6, 4)"), e.getMessage());
            for (int i = 0; i < before.size(); i++) assertArrayEquals(before.get(i).data(), m.getLayer("lstm").getWeights().get(i).data());
            IOException unreadable = assertThrows(IOException.class, () -> m.loadWeights(edited(3, 8)));
            assertTrue(unreadable.getMessage().contains("dataset " + KERNEL + " is damaged"), unreadable.getMessage());
        }
    }

    /** k.weights.h5 with the kernel's dims (and maxima) set to ({@code rows}, {@code cols}) and its data address past the file. */
    private Path edited(int rows, int cols) throws IOException {
        byte[] raw = Files.readAllBytes(file("k.weights.h5"));
        long address, size;
        try (HdfFile h = new HdfFile(file("k.weights.h5"))) {
            ContiguousDataset ds = (ContiguousDataset) h.getDatasetByPath(KERNEL);
            address = ds.getDataAddress();
            size = ds.getStorageInBytes();
        }
        ByteBuffer b = ByteBuffer.wrap(raw).order(ByteOrder.LITTLE_ENDIAN);
        b.putLong(once(raw, le(address, size)), 1L << 40);
        int dims = first(raw, le(3, 8)) - 8;   // the version-1 dataspace message: version 1, rank 2, flags, 5 reserved, dims, maxima
        assertEquals(1, raw[dims]);
        assertEquals(2, raw[dims + 1]);
        b.putLong(dims + 8, rows).putLong(dims + 16, cols);
        if ((raw[dims + 2] & 1) != 0) b.putLong(dims + 24, rows).putLong(dims + 32, cols);
        Path f = tmp.resolve("kernel_" + rows + "x" + cols + ".weights.h5");
        Files.write(f, raw);
        return f;
    }

    private static Path file(String name) {
        try {
            return Path.of(KerasWeightFitTest.class.getResource("/dev/jrnn/io/keras/hostile/" + name).toURI());
        } catch (URISyntaxException e) {
            throw new AssertionError(e);
        }
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
}
