package dev.jrnn.edges;

import dev.jrnn.Jrnn;
import dev.jrnn.layers.Dense;
import dev.jrnn.model.Input;
import dev.jrnn.model.Models;
import dev.jrnn.model.Sequential;
import dev.jrnn.optim.Adam;
import dev.jrnn.tensor.Tensor;
import io.jhdf.HdfFile;
import io.jhdf.api.dataset.ContiguousDataset;
import io.jhdf.checksum.ChecksumUtils;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A damaged optimizer variable names its dataset, as a damaged weight does: the update count, an int64 scalar the loader
 * reads with jhdf itself (exactly, not as a float), with its data address moved past the file's end. Before, jhdf's own
 * exception went up unnamed: {@code <file>: not a readable Keras file (io.jhdf.exceptions.HdfException: ...)}.
 */
class DamagedOptimizerStateTest {
    private static final String ITERATION = "/jrnn_state/optimizer_weights/adam/iteration";

    @BeforeAll
    static void cpu() {
        Jrnn.setBackend("cpu");
    }

    @Test
    @Timeout(120)
    void aDamagedIterationCountNamesItsDataset(@TempDir Path dir) throws IOException {
        Path f = dir.resolve("adam.h5");
        try (Sequential m = new Sequential(Input.shape(2), new Dense(1))) {
            m.compile(new Adam(0.05), "mse");
            m.trainOnBatch(Tensor.of(new float[] {0.5f, -1f, 0.25f, 2f}, 2, 2), Tensor.of(new float[] {1f, -1f}, 2, 1));
            m.save(f);
        }
        try (var m = Models.load(f)) {
            assertEquals(1, m.optimizer().iterations(), "the file as saved loads, its update count read");
        }
        long address, size;
        try (HdfFile h = new HdfFile(f)) {
            ContiguousDataset ds = (ContiguousDataset) h.getDatasetByPath(ITERATION);
            assertEquals(0, ds.getDimensions().length, "a scalar");
            assertEquals(Long.class, ds.getJavaType(), "an integer");
            address = ds.getDataAddress();
            size = ds.getStorageInBytes();
        }
        byte[] raw = Files.readAllBytes(f);
        byte[] layout = ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN).putLong(address).putLong(size).array();
        int at = -1;
        for (int i = 0; i + 16 <= raw.length; i++) {
            if (Arrays.equals(raw, i, i + 16, layout, 0, 16)) {
                assertEquals(-1, at, "the layout's address and size are unique in the file");
                at = i;
            }
        }
        assertTrue(at >= 0, "the layout message's address and size");
        // jhdf writes version-2 object headers: the chunk's checksum (Jenkins' lookup3, after its messages) is made again
        int ohdr = lastBefore(raw, "OHDR".getBytes(java.nio.charset.StandardCharsets.US_ASCII), at), sum = -1;
        ByteBuffer b = ByteBuffer.wrap(raw).order(ByteOrder.LITTLE_ENDIAN);
        for (int end = at + 16; end + 4 <= raw.length && sum < 0; end++) {
            if (b.getInt(end) == ChecksumUtils.checksum(Arrays.copyOfRange(raw, ohdr, end))) sum = end;
        }
        assertTrue(sum > 0, "the object header's checksum");
        b.putLong(at, raw.length + 4096L);   // past the end
        b.putInt(sum, ChecksumUtils.checksum(Arrays.copyOfRange(raw, ohdr, sum)));
        Path bad = dir.resolve("bad_iteration.h5");
        Files.write(bad, raw);
        IOException e = assertThrows(IOException.class, () -> Models.load(bad).close());
        assertTrue(e.getMessage().startsWith(bad + ": dataset " + ITERATION + " is damaged: "), e.getMessage());
    }

    private static int lastBefore(byte[] hay, byte[] needle, int before) {
        for (int i = before - needle.length; i >= 0; i--) {
            if (Arrays.equals(hay, i, i + needle.length, needle, 0, needle.length)) return i;
        }
        throw new AssertionError("pattern not found");
    }
}
