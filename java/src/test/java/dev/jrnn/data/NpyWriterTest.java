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

    /**
     * NpyWriter (and so predict to a .npy) kept its own temp-and-rename: it replaced a read-only file that Npy.write refuses, replaced
     * a symbolic link instead of writing through it, left the new file's mode to the temp file's and failed on a 250-byte name
     * (its temp name passed 255 bytes). It follows AtomicFiles' rules now, as every other save.
     */
    @Test
    void followsTheRulesOfEveryOtherSave() throws IOException {
        java.nio.file.Path ro = dir.resolve("ro.npy");
        Npy.write(ro, Tensor.zeros(2, 3));
        byte[] before = java.nio.file.Files.readAllBytes(ro);
        java.nio.file.Files.setPosixFilePermissions(ro, java.nio.file.attribute.PosixFilePermissions.fromString("r--r--r--"));
        IOException e = assertThrows(IOException.class, () -> NpyWriter.open(ro, 3).close());
        org.junit.jupiter.api.Assertions.assertTrue(e.getMessage().contains("read-only"), e.getMessage());
        assertArrayEquals(before, java.nio.file.Files.readAllBytes(ro));

        java.nio.file.Path real = dir.resolve("real.npy"), link = dir.resolve("link.npy");
        Npy.write(real, Tensor.zeros(1, 3));
        java.nio.file.Files.setPosixFilePermissions(real, java.nio.file.attribute.PosixFilePermissions.fromString("rw-r-----"));
        java.nio.file.Files.createSymbolicLink(link, real.getFileName());
        try (NpyWriter w = NpyWriter.open(link, 3)) {
            w.append(Tensor.full(7, 2, 3));
        }
        org.junit.jupiter.api.Assertions.assertTrue(java.nio.file.Files.isSymbolicLink(link), "the link stays");
        assertArrayEquals(new int[] {2, 3}, Npy.read(real).shape());
        assertEquals("rw-r-----", java.nio.file.attribute.PosixFilePermissions.toString(java.nio.file.Files.getPosixFilePermissions(real)));

        java.nio.file.Path longName = dir.resolve("x".repeat(246) + ".npy");
        try (NpyWriter w = NpyWriter.open(longName, 3)) {
            w.append(Tensor.zeros(1, 3));
        }
        assertArrayEquals(new int[] {1, 3}, Npy.read(longName).shape());
    }
}
