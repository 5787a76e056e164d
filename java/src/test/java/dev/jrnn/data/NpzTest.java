package dev.jrnn.data;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** .npz archives written by NumPy's np.savez (zip64 records) and np.savez_compressed. */
class NpzTest {
    @TempDir Path dir;

    @Test
    void mapsStoredMembersOfNumpysArchive() throws IOException {
        Path p = NpyTest.ref(dir, "stored.npz");
        Map<String, Npy.Header> h = Npz.headers(p);
        assertEquals(List.of("x", "y"), List.copyOf(h.keySet()));
        assertArrayEquals(new long[] {4, 3, 2}, h.get("x").shape());
        ArrayData x = Npz.map(p, "x");
        float[] got = new float[24];
        x.copyFloats(0, 24, java.lang.foreign.MemorySegment.ofArray(got), 0);
        assertArrayEquals(NpyTest.ramp(24), got);
    }

    /** np.load reads np.savez_compressed archives; jrnn refused them ("save with np.savez"). */
    @Test
    void readsCompressedMembersOfNumpysArchive() throws IOException {
        Path c = NpyTest.ref(dir, "compressed.npz");
        assertArrayEquals(new long[] {4, 3, 2}, Npz.headers(c).get("x").shape());
        float[] got = new float[24];
        Npz.map(c, "x").copyFloats(0, 24, java.lang.foreign.MemorySegment.ofArray(got), 0);
        assertArrayEquals(NpyTest.ramp(24), got);
        // a dataset of two compressed members, one of them big-endian int64 labels
        Path xy = NpyTest.ref(dir, "compressed_xy.npz");
        List<float[][]> b = DatasetTest.drain(Dataset.fromNpz(xy, List.of("x"), List.of("y")).asFloat32().batch(4), 0, null, null);
        assertArrayEquals(NpyTest.ramp(24), b.get(0)[0]);
        assertArrayEquals(new float[] {-3, -2, -1, 0}, b.get(0)[1]);
    }

    /** A damaged deflate stream or CRC is an IOException naming the member, not wrong numbers. */
    @Test
    void aCorruptCompressedMemberIsNamed() throws IOException {
        byte[] z = java.nio.file.Files.readAllBytes(NpyTest.ref(dir, "compressed.npz"));
        java.nio.ByteBuffer bb = java.nio.ByteBuffer.wrap(z).order(java.nio.ByteOrder.LITTLE_ENDIAN);
        int data = 30 + bb.getShort(26) + bb.getShort(28);   // the first local header's name and extra; its data follows
        Path bad = dir.resolve("bad.npz");
        for (int k = 0; k < 60; k += 7) {
            byte[] c = z.clone();
            c[data + k] ^= 0x5a;
            java.nio.file.Files.write(bad, c);
            IOException e = assertThrows(IOException.class, () -> Npz.map(bad, "x"));
            assertTrue(e.getMessage().contains("bad.npz:x") && (e.getMessage().contains("corrupt") || e.getMessage().contains(".npy")), e.getMessage());
        }
    }

    @Test
    void rejectsMissingNames() throws IOException {
        Path s = NpyTest.ref(dir, "stored.npz");
        IOException m = assertThrows(IOException.class, () -> Npz.map(s, "z"));
        assertTrue(m.getMessage().contains("no array 'z'") && m.getMessage().contains("[x, y]"), m.getMessage());
    }
}
