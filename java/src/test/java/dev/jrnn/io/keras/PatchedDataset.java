package dev.jrnn.io.keras;

import io.jhdf.HdfFile;
import io.jhdf.api.dataset.ContiguousDataset;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A copy of an HDF5 file's bytes with one contiguous float dataset of shape (3, 8) found for editing in place, as
 * {@code hostile/make_patched.py} edits Keras' LSTM kernel: its data layout message (the data's address, then its size),
 * its version-1 dataspace message, its object header. KerasWeightFitTest and edges.HostileDatasetsTest edit theirs here.
 */
public final class PatchedDataset {
    /** The file's bytes, edited in place. */
    public final byte[] raw;
    /** Where the layout message's data address lies (its size follows it). */
    public final int layout;
    /** Where the version-1 dataspace message starts: version 1, rank 2, flags, 5 reserved bytes, the dims, the maxima. */
    public final int dims;
    /** The dataset's object header's address. */
    public final int header;

    private PatchedDataset(byte[] raw, int layout, int dims, int header) {
        this.raw = raw;
        this.layout = layout;
        this.dims = dims;
        this.header = header;
    }

    /** {@code file}'s bytes with its (3, 8) contiguous dataset at {@code path} found: its address and size once, the first (3, 8). */
    public static PatchedDataset of(Path file, String path) throws IOException {
        byte[] raw = Files.readAllBytes(file);
        long address, size, header;
        try (HdfFile h = new HdfFile(file)) {
            ContiguousDataset ds = (ContiguousDataset) h.getDatasetByPath(path);
            address = ds.getDataAddress();
            size = ds.getStorageInBytes();
            header = ds.getAddress();
        }
        int dims = first(raw, le(3, 8)) - 8;
        assertEquals(1, raw[dims], "a version-1 dataspace message");
        assertEquals(2, raw[dims + 1], "of rank 2");
        return new PatchedDataset(raw, once(raw, le(address, size)), dims, (int) header);
    }

    /** Sets the dimensions, and the maxima where the message holds them, to ({@code rows}, {@code cols}). */
    public PatchedDataset shape(long rows, long cols) {
        ByteBuffer b = ByteBuffer.wrap(raw).order(ByteOrder.LITTLE_ENDIAN);
        b.putLong(dims + 8, rows).putLong(dims + 16, cols);
        if ((raw[dims + 2] & 1) != 0) b.putLong(dims + 24, rows).putLong(dims + 32, cols);
        return this;
    }

    /** Sets the data's address (all bits set: HDF5's undefined address, storage never allocated). */
    public PatchedDataset dataAddress(long address) {
        ByteBuffer.wrap(raw).order(ByteOrder.LITTLE_ENDIAN).putLong(layout, address);
        return this;
    }

    /** Writes the bytes to {@code to}, returned. */
    public Path write(Path to) throws IOException {
        Files.write(to, raw);
        return to;
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
