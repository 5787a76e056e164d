package dev.jrnn.data;

import dev.jrnn.tensor.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.io.UncheckedIOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * How {@link ArrayData} reads a mapped file: a read far from the one before (a shuffled row) goes to the file by position
 * and maps nothing; near reads copy from the mapping and count toward the process-wide unload. A tester measured 5.8 GB
 * resident with -Xmx1g on a shuffled epoch, where every random row read through the mapping mapped ~250 KiB (Linux 6.18
 * large folios) but was counted 64 KiB.
 */
class PositionalReadTest {
    @TempDir Path dir;

    private static final int ROW = 1024, ROWS = 5000;   // 4 KiB rows, 20 MB: above ArrayData.SMALL

    /** A float32 .npy of ROWS x ROW, element (r, c) = r * ROW + c (exact in float32 below 2^24). */
    private Path ramp() throws IOException {
        float[] d = new float[ROWS * ROW];
        for (int i = 0; i < d.length; i++) d[i] = i;
        Path p = dir.resolve("ramp.npy");
        Npy.write(p, Tensor.of(d, ROWS, ROW));
        return p;
    }

    private static float[] row(ArrayData a, long r, boolean nativeDst) {
        float[] out = new float[ROW];
        if (!nativeDst) {
            a.copyFloats(r * ROW, ROW, MemorySegment.ofArray(out), 0);
            return out;
        }
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment dst = arena.allocate(4L * ROW + 8);
            a.copyFloats(r * ROW, ROW, dst, 2);   // at a float offset, as a batch's later rows
            MemorySegment.copy(dst, ValueLayout.JAVA_FLOAT, 8, out, 0, ROW);
        }
        return out;
    }

    private static void assertRow(long r, float[] got) {
        for (int c = 0; c < ROW; c++) assertEquals(r * ROW + c, got[c], "row " + r + " column " + c);
    }

    @Test
    void shuffledRowsAreReadByPositionAndSequentialOnesThroughTheMapping() throws IOException {
        Path p = ramp();
        ArrayData seq = Npy.map(p);
        for (long r = 0; r < ROWS; r++) assertRow(r, row(seq, r, r % 2 == 0));
        assertEquals(0, seq.positionalReads(), "a scan in file order reads the mapping");

        ArrayData shuf = Npy.map(p);
        List<Long> order = new ArrayList<>();
        for (long r = 0; r < ROWS; r++) order.add(r);
        Collections.shuffle(order, new Random(1));
        for (int k = 0; k < ROWS; k++) assertRow(order.get(k), row(shuf, order.get(k), k % 2 == 0));
        // the first read is mapped; of the rest, only a row right after a near neighbour could be (about 2 in 5000 here)
        assertTrue(shuf.positionalReads() >= ROWS - 20, shuf.positionalReads() + " positional reads of " + ROWS);
    }

    private static long openFiles() throws IOException {
        try (var s = java.nio.file.Files.list(Path.of("/proc/self/fd"))) {
            return s.count();
        }
    }

    /**
     * Arrays opened one after another keep at most OPEN_MAX files open for their positional reads, whether or not the
     * GC has run (each kept one until the cleaner ran: 212 descriptors after 200 data sets, and "Too many open files"
     * under ulimit -n 160); an array whose file was closed for another opens it again at its next read.
     */
    @Test
    void positionalReadsKeepABoundedNumberOfFilesOpen() throws IOException {
        org.junit.jupiter.api.Assumptions.assumeTrue(java.nio.file.Files.isDirectory(Path.of("/proc/self/fd")), "Linux /proc");
        Path p = ramp();
        List<ArrayData> kept = new ArrayList<>();
        long before = openFiles();
        for (int i = 0; i < 3 * 32; i++) {
            ArrayData a = Npy.map(p);
            assertRow(0, row(a, 0, false));
            assertRow(ROWS - 1 - i, row(a, ROWS - 1 - i, false));   // far from the first: by position
            kept.add(a);
        }
        long grown = openFiles() - before;
        assertTrue(grown <= 32 + 2, "open files grew by " + grown + " for " + kept.size() + " arrays");
        assertRow(ROWS / 2, row(kept.get(0), ROWS / 2, false));   // its file was closed for later ones: opened again
        assertTrue(kept.get(0).positionalReads() >= 2);
    }

    /** The routing rule and what each mapped read counts, read by read. */
    @Test
    void aReadIsRoutedByItsDistanceToThePreviousOne() throws IOException {
        ArrayData a = Npy.map(ramp());
        long w = 4L * ROW, far = 100 * w;
        assertEquals(w + 2 * ArrayData.MAX_FOLIO, a.route(0, w), "the first read: mapped, a run's start (two folios around it)");
        assertEquals(ArrayData.NEAR, a.route(w, w), "continuing: its bytes, at least the fault-around ahead");
        assertEquals(ArrayData.NEAR, a.route(3 * w, w), "a gap of one row: near");
        assertEquals(-1, a.route(far, w), "far: by position");
        assertEquals(-1, a.route(far + w, w), "the first near read after a far one: by position too (a lone pair maps nothing)");
        assertEquals(w + 2 * ArrayData.MAX_FOLIO, a.route(far + 2 * w, w), "the second: a new mapped run");
        long at = far + 3 * w + ArrayData.NEAR + 1;
        assertEquals(-1, a.route(at, w), "just past NEAR: far");
        assertEquals(-1, a.route(at + w, w));
        assertEquals(w + 2 * ArrayData.MAX_FOLIO, a.route(at + 2 * w, w));
        assertEquals(-1, a.route(at + 3 * w, ArrayData.UNLOAD_EVERY + 1), "near, but bigger than the unload step: by position");

        ArrayData small = ArrayData.map(zeros("small", 1 << 20), "small", DType.FLOAT32, ByteOrder.LITTLE_ENDIAN,
                new long[] {1 << 18}, 0, 1 << 20);
        assertTrue(small.route(0, 4) > 0 && small.route(900_000, 4) > 0, "an array of at most SMALL bytes is always mapped");
    }

    /** A sparse file of {@code bytes} zeros (written at once). */
    private Path zeros(String name, long bytes) throws IOException {
        Path f = dir.resolve(name + ".bin");
        try (RandomAccessFile r = new RandomAccessFile(f.toFile(), "rw")) {
            r.setLength(bytes);
        }
        return f;
    }

    /**
     * The count is process-wide: two 200 MB files read in turn pass 256 MiB together, and the first one's pages are
     * dropped too (each file counted alone before, so neither was ever unloaded and 400 MB stayed mapped).
     */
    @Test
    void theUnloadStepCountsEveryMappedFileTogether() throws IOException {
        long bytes = 200L << 20, floats = bytes / 4, chunk = 1 << 18;
        ArrayData a = ArrayData.map(zeros("a", bytes), "a", DType.FLOAT32, ByteOrder.LITTLE_ENDIAN, new long[] {floats}, 0, bytes);
        ArrayData b = ArrayData.map(zeros("b", bytes), "b", DType.FLOAT32, ByteOrder.LITTLE_ENDIAN, new long[] {floats}, 0, bytes);
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment dst = arena.allocate(4 * chunk);
            for (long at = 0; at < floats; at += chunk) a.copyFloats(at, chunk, dst, 0);
            long afterA = ArrayData.mappedSinceUnload();
            assertTrue(afterA >= (200L << 20) || a.unloads() > 0, "a's reads are counted: " + afterA);
            for (long at = 0; at < floats; at += chunk) b.copyFloats(at, chunk, dst, 0);
        }
        assertEquals(0, a.positionalReads() + b.positionalReads(), "sequential: through the mappings");
        assertTrue(a.unloads() >= 1, "a's pages dropped once a and b together passed the step");
        assertTrue(ArrayData.mappedSinceUnload() < ArrayData.UNLOAD_EVERY, "counted since: " + ArrayData.mappedSinceUnload());
    }

    /** An array counts no more than its mapping holds, however often its pages are read between two unloads. */
    @Test
    void anArrayCountsAtMostItsOwnSize() throws IOException {
        ArrayData small = ArrayData.map(zeros("small", 1 << 20), "small", DType.FLOAT32, ByteOrder.LITTLE_ENDIAN,
                new long[] {1 << 18}, 0, 1 << 20);
        float[] out = new float[16];
        long before = ArrayData.mappedSinceUnload();
        Random rnd = new Random(2);
        for (int k = 0; k < 2000; k++) small.copyFloats(rnd.nextInt((1 << 18) - 16), 16, MemorySegment.ofArray(out), 0);
        long counted = ArrayData.mappedSinceUnload() - before, cap = (1 << 20) + 8192;
        // uncapped, each far read would count its two folios (4 MiB): 8 GB, unloading 30 times
        assertTrue(counted >= 0 && counted <= cap && small.unloads() == 0 || before > ArrayData.UNLOAD_EVERY - cap,
                "2000 random reads of a 1 MiB array counted " + counted + " bytes, unloaded " + small.unloads() + " times");
    }

    /** Other dtypes and byte orders convert through a buffer, in chunks of 1 MiB for a long read. */
    @Test
    void positionalReadsConvertOtherDtypesAndLongReads() throws IOException {
        int n = 3_000_000;   // 24 MB of big-endian float64: one far read of 400,000 elements is 3.2 MB, four chunks
        Path f = dir.resolve("be.f8");
        try (FileChannel ch = FileChannel.open(f, StandardOpenOption.CREATE, StandardOpenOption.WRITE)) {
            ByteBuffer bb = ByteBuffer.allocate(8 * 100_000).order(ByteOrder.BIG_ENDIAN);
            for (int i = 0; i < n; i++) {
                bb.putDouble(i + 0.25);
                if (!bb.hasRemaining()) {
                    ch.write(bb.flip());
                    bb.clear();
                }
            }
        }
        ArrayData a = ArrayData.map(f, "be.f8", DType.FLOAT64, ByteOrder.BIG_ENDIAN, new long[] {n}, 0, 8L * n);
        float[] first = new float[4];
        a.copyFloats(0, 4, MemorySegment.ofArray(first), 0);   // mapped
        assertArrayEquals(new float[] {0.25f, 1.25f, 2.25f, 3.25f}, first);
        int len = 400_000, from = 2_500_000;
        float[] got = new float[len];
        a.copyFloats(from, len, MemorySegment.ofArray(got), 0);
        assertEquals(1, a.positionalReads());
        for (int i = 0; i < len; i++) assertEquals((float) (from + i + 0.25), got[i], "element " + (from + i));
    }

    /**
     * A file cut short under a read says so in FileFaults' words whichever path found it, naming the bytes expected and the
     * file found: the positional read's end of file and the mapping's page fault said it differently before.
     */
    @Test
    void aFileTruncatedUnderEitherReadPathIsNamedTheSameWay() throws IOException {
        Path p = ramp();
        ArrayData positional = Npy.map(p), mapped = Npy.map(p);
        assertRow(0, row(positional, 0, false));
        assertRow(300, row(mapped, 300, false));   // a mapped run from row 300
        assertRow(301, row(mapped, 301, false));
        long header = java.nio.file.Files.size(p) - 4L * ROW * ROWS;
        try (FileChannel ch = FileChannel.open(p, StandardOpenOption.WRITE)) {
            ch.truncate(1 << 20);   // rows from 255 on are gone
        }
        UncheckedIOException byPosition = assertThrows(UncheckedIOException.class, () -> row(positional, ROWS - 1, false));
        UncheckedIOException byMapping = assertThrows(UncheckedIOException.class, () -> row(mapped, 302, false));
        assertEquals(0, mapped.positionalReads(), "the second read was a mapped page's fault");
        for (var c : new Object[][] {{byPosition, ROWS - 1L}, {byMapping, 302L}}) {
            String m = ((Exception) c[0]).getMessage();
            long r = (Long) c[1], from = header + 4L * ROW * r;
            assertTrue(m.startsWith(p + ": the file changed or was truncated while being read: expected bytes " + from + " to "
                    + (from + 4L * ROW) + " (elements " + r * ROW + " to " + (r + 1) * ROW + ") of the file as opened ("
                    + (header + 4L * ROW * ROWS) + " bytes, modified "), m);
            assertTrue(m.contains(", found " + (1 << 20) + " bytes, modified "), m);
        }
    }

    /**
     * A file replaced by a rename keeping its size and modification time (cp -p, then mv) is refused before the next pass,
     * as a file written in place is, whichever path reads it; within the pass, a positional read that meets the new file
     * reads the one mapped, as a mapped read does (it was refused while mapped reads went on with the old one).
     */
    @Test
    void aFileReplacedKeepingItsSizeAndTimeIsRefusedAtTheNextPassByEitherPath() throws IOException {
        Path p = ramp();
        ArrayData a = Npy.map(p);
        assertRow(0, row(a, 0, false));
        float[] other = new float[ROWS * ROW];
        java.util.Arrays.fill(other, -1f);
        Path q = dir.resolve("other.npy");
        Npy.write(q, Tensor.of(other, ROWS, ROW));
        java.nio.file.Files.setLastModifiedTime(q, java.nio.file.Files.getLastModifiedTime(p));
        java.nio.file.Files.move(q, p, java.nio.file.StandardCopyOption.REPLACE_EXISTING, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
        assertRow(4000, row(a, 4000, false));   // far: by position, of the file mapped
        assertRow(4001, row(a, 4001, true));
        assertRow(1, row(a, 1, false));
        IOException e = assertThrows(IOException.class, a::check);
        assertTrue(e.getMessage().startsWith(p + ": the file changed or was truncated while being read: expected the file as "
                + "opened (") && e.getMessage().contains(", found " + java.nio.file.Files.size(p) + " bytes, modified "), e.getMessage());
        // a data set over it: the pass after the replacement is refused, a small file (always mapped) alike
        Path small = dir.resolve("small.npy"), copy = dir.resolve("copy.npy");
        Npy.write(small, Tensor.of(new float[] {1, 2, 3, 4}, 4, 1));
        Dataset ds = Dataset.fromNpy(small, null).batch(2);
        try (BatchStream s = ds.epoch(0)) {
            while (s.hasNext()) s.next().close();
        }
        Npy.write(copy, Tensor.of(new float[] {5, 6, 7, 8}, 4, 1));
        java.nio.file.Files.setLastModifiedTime(copy, java.nio.file.Files.getLastModifiedTime(small));
        java.nio.file.Files.move(copy, small, java.nio.file.StandardCopyOption.REPLACE_EXISTING, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
        IOException d = assertThrows(IOException.class, () -> ds.epoch(1));
        assertTrue(d.getMessage().startsWith(small + ": the file changed or was truncated while being read: expected the file as opened ("),
                d.getMessage());
    }

    /**
     * A path renamed away or deleted mid-epoch: a far row is read from the mapping, as after a replacement (a positional
     * read threw an UncheckedIOException whose message was the bare path), and the next pass refuses the file.
     */
    @Test
    void aFileRenamedAwayIsReadFromTheMappingAndRefusedAtTheNextPass() throws IOException {
        Path p = ramp();
        ArrayData a = Npy.map(p);
        assertRow(0, row(a, 0, false));
        java.nio.file.Files.move(p, dir.resolve("moved.npy"));
        assertRow(4000, row(a, 4000, false));   // far: a read by position, which finds no file at the path
        assertRow(4001, row(a, 4001, true));
        IOException e = assertThrows(IOException.class, a::check);
        assertTrue(e.getMessage().startsWith(p + ": the file changed or was truncated while being read: expected the file as "
                + "opened ("), e.getMessage());
    }

    /**
     * An interrupted thread still reads (as the mapping did; its read would otherwise close the channel for every reader),
     * keeps its interrupt, and the file stays readable.
     */
    @Test
    void anInterruptedThreadReadsAndKeepsItsInterrupt() throws IOException {
        ArrayData a = Npy.map(ramp());
        assertRow(0, row(a, 0, false));
        Thread.currentThread().interrupt();
        try {
            assertRow(4000, row(a, 4000, false));
            assertTrue(Thread.currentThread().isInterrupted());
        } finally {
            Thread.interrupted();
        }
        assertRow(2000, row(a, 2000, true));
        assertEquals(2, a.positionalReads());
    }

    /**
     * Two threads scanning one array in file order, their reads interleaved, each read through the mapping: each thread's
     * last read routes its next (the array kept one last position for all readers, so each read was far from the other
     * thread's and nearly all went by position).
     */
    @Test
    void twoThreadsScanningInFileOrderEachKeepTheirOwnLocality() throws Exception {
        ArrayData a = Npy.map(ramp());
        int half = ROWS / 2;
        java.util.concurrent.SynchronousQueue<Integer> toB = new java.util.concurrent.SynchronousQueue<>(),
                toA = new java.util.concurrent.SynchronousQueue<>();
        java.util.concurrent.atomic.AtomicReference<Throwable> failed = new java.util.concurrent.atomic.AtomicReference<>();
        Thread b = Thread.ofPlatform().start(() -> {
            try {
                for (int r = 0; r < half; r++) {
                    toB.take();   // in lock step: A's row r, then B's row half + r
                    assertRow(half + r, row(a, half + r, false));
                    toA.put(r);
                }
            } catch (Throwable t) {
                failed.set(t);
            }
        });
        for (int r = 0; r < half; r++) {
            assertRow(r, row(a, r, true));
            toB.put(r);
            if (toA.poll(30, java.util.concurrent.TimeUnit.SECONDS) == null) break;
        }
        b.join();
        if (failed.get() != null) throw new AssertionError(failed.get());
        assertEquals(0, a.positionalReads(), "each thread reads its own run through the mapping");
    }

    /** A shuffled epoch of a Dataset over the file: every row once, each with its own values. */
    @Test
    void aShuffledEpochReadsEveryRowOnce() throws IOException {
        Dataset ds = Dataset.fromNpy(ramp(), null).shuffle(3).batch(512);
        boolean[] seen = new boolean[ROWS];
        try (BatchStream s = ds.epoch(1)) {
            while (s.hasNext()) {
                try (Batch b = s.next()) {
                    float[] x = b.input(0).data();
                    for (int i = 0; i < b.size(); i++) {
                        int r = (int) x[i * ROW] / ROW;
                        assertTrue(!seen[r], "row " + r + " twice");
                        seen[r] = true;
                        for (int c = 0; c < ROW; c++) assertEquals((float) (r * ROW + c), x[i * ROW + c]);
                    }
                }
            }
        }
        for (int r = 0; r < ROWS; r++) assertTrue(seen[r], "row " + r + " missing");
    }
}
