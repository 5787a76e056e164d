package dev.jrnn.data;

import dev.jrnn.tensor.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

class NpyWriterTest {
    @TempDir Path dir;

    @Test
    void appendsRowsAndWritesTheFinalCount() throws IOException {
        Path p = dir.resolve("pred.npy");
        float[] all = NpyTest.ramp(5 * 6);
        try (NpyWriter w = NpyWriter.open(p, 3, 2)) {
            w.append(Tensor.of(java.util.Arrays.copyOfRange(all, 0, 12), 2, 3, 2));
            w.append(all, 12, 18);
            assertEquals(5, w.rows());
            assertFalse(Files.exists(p), "nothing at the target before close");
        }
        Npy.Header h = Npy.header(p);
        assertArrayEquals(new long[] {5, 3, 2}, h.shape());
        assertArrayEquals(all, Npy.read(p).data());
        // the header NumPy would write for the same array, padded to the writer's fixed size
        Path ref = dir.resolve("ref.npy");
        Npy.write(ref, Tensor.of(all, 5, 3, 2));
        assertArrayEquals(Npy.read(ref).data(), Npy.read(p).data());
    }

    @Test
    void rejectsWrongRowShapeAndAbortLeavesNoFile() throws IOException {
        Path p = dir.resolve("x.npy");
        NpyWriter w = NpyWriter.open(p, 4);
        assertThrows(IllegalArgumentException.class, () -> w.append(Tensor.zeros(2, 3)));
        assertThrows(IllegalArgumentException.class, () -> w.append(new float[5], 0, 5));
        w.abort();
        try (var s = Files.list(dir)) {
            assertEquals(0, s.count(), "abort removes the temp file");
        }
    }

    /**
     * A directory as the target failed only at close, after every row was written ("Is a directory" from the rename); a row shape
     * whose size overflows was a bare "long overflow"; Npy.writeInt64's null arguments were a NullPointerException and a message
     * naming AtomicFiles.write.
     */
    @Test
    void badTargetsAndArgumentsAreNamedAtOnce() throws IOException {
        java.nio.file.Path d = java.nio.file.Files.createDirectory(dir.resolve("out.npy"));
        IOException e = assertThrows(IOException.class, () -> NpyWriter.open(d, 3));
        org.junit.jupiter.api.Assertions.assertTrue(e.getMessage().contains("out.npy") && e.getMessage().contains("directory"), e.getMessage());
        IllegalArgumentException o = assertThrows(IllegalArgumentException.class, () -> NpyWriter.open(dir.resolve("o.npy"), 1 << 30, 1 << 30, 1 << 30));
        org.junit.jupiter.api.Assertions.assertTrue(o.getMessage().contains("row shape"), o.getMessage());
        assertEquals("Npy.writeInt64: values is null",
                assertThrows(IllegalArgumentException.class, () -> Npy.writeInt64(dir.resolve("n.npy"), null)).getMessage());
        assertEquals("Npy.writeInt64: file is null",
                assertThrows(IllegalArgumentException.class, () -> Npy.writeInt64(null, new long[] {1})).getMessage());
    }
}
