package dev.jrnn.data;

import dev.jrnn.tensor.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The .npy reader against files NumPy wrote (test resources, see make_reference.py), and the writer. */
class NpyTest {
    @TempDir Path dir;

    /** Copies a reference file NumPy wrote out of the test resources. */
    static Path ref(Path dir, String name) throws IOException {
        Path p = dir.resolve(name);
        try (InputStream in = NpyTest.class.getResourceAsStream(name)) {
            if (in == null) throw new IOException("missing test resource " + name);
            Files.copy(in, p);
        }
        return p;
    }

    /** What make_reference.py stores: a[i] = i * 0.5 - 3, cast to the dtype. */
    static float[] ramp(int n) {
        float[] a = new float[n];
        for (int i = 0; i < n; i++) a[i] = i * 0.5f - 3;
        return a;
    }

    @Test
    void readsNumpyFloat32BothByteOrdersAndAllHeaderVersions() throws IOException {
        for (String f : new String[] {"f4_le.npy", "f4_be.npy", "v2.npy", "v3.npy"}) {
            Tensor t = Npy.read(ref(dir, f));
            assertArrayEquals(new int[] {4, 3, 2}, t.shape(), f);
            assertArrayEquals(ramp(24), t.data(), f);
        }
        assertEquals(ByteOrder.BIG_ENDIAN, Npy.header(dir.resolve("f4_be.npy")).order());
    }

    @Test
    void convertsOtherDtypesExactly() throws IOException {
        assertArrayEquals(ramp(12), Npy.read(ref(dir, "f8_le.npy")).data());
        assertArrayEquals(ramp(12), Npy.read(ref(dir, "f2_le.npy")).data());
        assertArrayEquals(new float[] {-3, -2, -1, 0, 1}, Npy.read(ref(dir, "i4_le.npy")).data());
        assertArrayEquals(new float[] {-3, -2, -1, 0, 1, 2, 3, 4, 5, 6}, Npy.read(ref(dir, "i8_be.npy")).data());
        assertArrayEquals(new float[] {0, 1, 2, 3, 4, 5}, Npy.read(ref(dir, "u1.npy")).data());
        assertArrayEquals(new float[] {1, 0, 1}, Npy.read(ref(dir, "b1.npy")).data());
        assertEquals(DType.INT64, Npy.header(dir.resolve("i8_be.npy")).dtype());
    }

    @Test
    void writerOutputIsByteIdenticalToNumpy() throws IOException {
        Path mine = dir.resolve("mine.npy");
        Npy.write(mine, Tensor.of(ramp(24), 4, 3, 2));
        assertArrayEquals(Files.readAllBytes(ref(dir, "f4_le.npy")), Files.readAllBytes(mine));
    }

    @Test
    void roundTripsRank1AndLargeShapes() throws IOException {
        Path p = dir.resolve("r1.npy");
        Npy.write(p, Tensor.of(ramp(7), 7));
        Npy.Header h = Npy.header(p);
        assertArrayEquals(new long[] {7}, h.shape());
        assertEquals(0, h.dataOffset() % 64, "data aligned to 64 bytes like NumPy");
        assertArrayEquals(ramp(7), Npy.read(p).data());
    }

    /** np.load reads Fortran-order files (np.save of a pandas frame's values, of a transposed array); jrnn refused them. */
    @Test
    void readsFortranOrderAsNumpyIndexesIt() throws IOException {
        Tensor f = Npy.read(ref(dir, "fortran.npy"));
        assertArrayEquals(new int[] {3, 2}, f.shape());
        assertArrayEquals(ramp(6), f.data());
        assertTrue(Npy.header(dir.resolve("fortran.npy")).fortranOrder());
        Tensor big = Npy.read(ref(dir, "fortran3_be.npy"));   // 3-d, big-endian float64
        assertArrayEquals(new int[] {4, 3, 2}, big.shape());
        assertArrayEquals(ramp(24), big.data());
        // a dataset reads its rows: sample i is a[i] in NumPy's indexing
        Dataset ds = Dataset.fromNpy(dir.resolve("fortran3_be.npy"), null).asFloat32().shuffle(3).batch(3);
        List<long[]> idx = new ArrayList<>();
        List<float[][]> b = DatasetTest.drain(ds, 0, idx, null);
        for (int k = 0; k < b.size(); k++) {
            for (int r = 0; r < idx.get(k).length; r++) {
                int i = (int) idx.get(k)[r];
                assertArrayEquals(Arrays.copyOfRange(ramp(24), i * 6, i * 6 + 6), Arrays.copyOfRange(b.get(k)[0], r * 6, r * 6 + 6), "sample " + i);
            }
        }
    }

    @Test
    void rejectsComplex() throws IOException {
        IOException c = assertThrows(IOException.class, () -> Npy.read(ref(dir, "complex.npy")));
        assertTrue(c.getMessage().contains("unsupported dtype '<c8'"), c.getMessage());
    }

    @Test
    void headerBytesPadTo64AndEndWithNewline() {
        byte[] h = Npy.headerBytes("<f4", new long[] {3, 5});
        assertEquals(0, h.length % 64);
        assertEquals('\n', h[h.length - 1]);
        String dict = new String(Arrays.copyOfRange(h, 10, h.length)).strip();
        assertEquals("{'descr': '<f4', 'fortran_order': False, 'shape': (3, 5), }", dict);
    }

    /** Npy.Header printed its shape as [J@1b6d3586 and compared it by identity; Npz's Javadoc promises "FLOAT32 [4, 3, 2]". */
    @Test
    void headersPrintAndCompareTheirShape() throws IOException {
        Npy.Header a = Npy.header(ref(dir, "f4_le.npy")), b = Npy.header(dir.resolve("f4_le.npy"));
        assertTrue(a.toString().contains("FLOAT32") && a.toString().contains("[4, 3, 2]"), a.toString());
        assertEquals(a, b);
        assertEquals(a.hashCode(), b.hashCode());
        a.shape()[0] = 99;
        assertEquals(4, a.shape()[0], "the shape is the header's own, not the caller's to change");
    }

    /** np.load reads empty arrays; Npy.read threw Tensor's bare "dimensions must be positive" without the file. */
    @Test
    void anEmptyArrayIsRefusedNamingTheFileAndItsShape() throws IOException {
        Path p = ref(dir, "empty.npy");
        assertArrayEquals(new long[] {0, 3}, Npy.header(p).shape());
        IOException e = assertThrows(IOException.class, () -> Npy.read(p));
        assertTrue(e.getMessage().contains("empty.npy") && e.getMessage().contains("(0, 3)") && e.getMessage().contains("empty"), e.getMessage());
    }

    /**
     * A file of no samples was refused as "Dataset: an input holds no samples" (which file?); a (3, 0) file was taken and failed at
     * the first Batch.input as a bare "Tensor: dimensions must be positive".
     */
    @Test
    void aDatasetOfEmptySamplesOrNoSampleNamesItsFile() throws IOException {
        IOException none = assertThrows(IOException.class, () -> Dataset.fromNpy(ref(dir, "empty.npy"), null));
        assertTrue(none.getMessage().contains("empty.npy") && none.getMessage().contains("no samples"), none.getMessage());
        Path p = dir.resolve("zero_width.npy");
        java.nio.file.Files.write(p, Npy.headerBytes("<f4", new long[] {3, 0}));
        IOException e = assertThrows(IOException.class, () -> Dataset.fromNpy(p, null));
        assertTrue(e.getMessage().contains("zero_width.npy") && e.getMessage().contains("(0,)") && e.getMessage().contains("(3, 0)"), e.getMessage());
    }
    /**
     * Another file (int64[4096]) renamed over the path between the read of a float32[1024] .npy's header and the mapping
     * of its data: Npy.read and the mapping a data set reads give the file opened, or refuse the read as changed; never
     * the old header over the new file's data (which two opens of the path gave, silently).
     */
    @Test
    void aFileRenamedOverThePathBetweenHeaderAndDataIsNotMixedIn() throws IOException {
        Path p = dir.resolve("a.npy"), other = dir.resolve("b.npy");
        float[] mine = ramp(1024);
        long[] theirs = new long[4096];
        for (int i = 0; i < theirs.length; i++) theirs[i] = i;
        List<org.junit.jupiter.api.function.ThrowingSupplier<float[]>> reads = List.of(() -> Npy.read(p).data(), () -> {
            ArrayData a = Npy.map(p);
            float[] got = new float[(int) a.shape[0]];
            a.copyFloats(0, got.length, java.lang.foreign.MemorySegment.ofArray(got), 0);
            return got;
        });
        for (var read : reads) {
            Npy.write(p, Tensor.of(mine, 1024));
            Npy.writeInt64(other, theirs);
            assertOpenedOrChanged(mine, read, () -> Files.move(other, p, java.nio.file.StandardCopyOption.REPLACE_EXISTING,
                    java.nio.file.StandardCopyOption.ATOMIC_MOVE));
        }
    }

    /** Runs {@code read} with {@code rename} at {@link Npy#AFTER_HEADER}: it gives {@code want} or is refused as changed. */
    static void assertOpenedOrChanged(float[] want, org.junit.jupiter.api.function.ThrowingSupplier<float[]> read,
                                      org.junit.jupiter.api.function.Executable rename) {
        Npy.AFTER_HEADER.set(() -> {
            Npy.AFTER_HEADER.remove();
            try {
                rename.execute();
            } catch (Throwable e) {
                throw new AssertionError("the rename", e);
            }
        });
        try {
            assertArrayEquals(want, read.get(), "the file opened");
        } catch (IOException e) {
            assertTrue(e.getMessage().contains("the file changed or was truncated while being read"), e.getMessage());
        } catch (Throwable e) {
            throw e instanceof AssertionError a ? a : new AssertionError(e);
        } finally {
            assertEquals(null, Npy.AFTER_HEADER.get(), "the rename ran");
            Npy.AFTER_HEADER.remove();
        }
    }
}
