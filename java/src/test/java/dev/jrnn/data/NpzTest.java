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

    @Test
    void rejectsCompressedMembersAndMissingNames() throws IOException {
        Path c = NpyTest.ref(dir, "compressed.npz");
        IOException e = assertThrows(IOException.class, () -> Npz.map(c, "x"));
        assertTrue(e.getMessage().contains("compressed.npz:x") && e.getMessage().contains("np.savez"), e.getMessage());
        Path s = NpyTest.ref(dir, "stored.npz");
        IOException m = assertThrows(IOException.class, () -> Npz.map(s, "z"));
        assertTrue(m.getMessage().contains("no array 'z'") && m.getMessage().contains("[x, y]"), m.getMessage());
    }
}
