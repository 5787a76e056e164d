package dev.jrnn.data;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

class ArrayDataTest {
    @TempDir Path dir;

    /** The process' resident file-backed pages (Linux; tmpfs files count as shared memory), in bytes; -1 where /proc has no such line. */
    private static long rssFile() throws IOException {
        Path status = Path.of("/proc/self/status");
        if (!Files.isReadable(status)) return -1;
        long file = -1, shmem = -1;
        for (String l : Files.readAllLines(status)) {
            if (l.startsWith("RssFile:")) file = Long.parseLong(l.replaceAll("[^0-9]", "")) << 10;
            if (l.startsWith("RssShmem:")) shmem = Long.parseLong(l.replaceAll("[^0-9]", "")) << 10;   // a tmpfs temp dir
        }
        return file < 0 ? -1 : file + Math.max(0, shmem);
    }

    @Test
    void readingAFileLargerThanTheUnloadStepKeepsTheResidentSetBounded() throws IOException {
        assumeTrue(rssFile() >= 0, "no RssFile in /proc/self/status");
        long bytes = ArrayData.UNLOAD_EVERY + (192L << 20);   // 448 MB of zeros (a sparse file: written at once)
        Path f = dir.resolve("big.bin");
        try (RandomAccessFile r = new RandomAccessFile(f.toFile(), "rw")) {
            r.setLength(bytes);
        }
        long floats = bytes / 4, chunk = 1 << 18;   // 1 MB reads, front to back
        ArrayData a = ArrayData.map(f, "big.bin", DType.FLOAT32, ByteOrder.LITTLE_ENDIAN, new long[] {floats}, 0, bytes);
        long base = rssFile(), most = 0;
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment dst = arena.allocate(4 * chunk);
            for (long at = 0; at < floats; at += chunk) {
                a.copyFloats(at, chunk, dst, 0);
                most = Math.max(most, rssFile() - base);
            }
            assertEquals(0f, dst.getAtIndex(java.lang.foreign.ValueLayout.JAVA_FLOAT, chunk - 1));
        }
        // without the unloads every page read would stay resident: 448 MB
        assertTrue(most < ArrayData.UNLOAD_EVERY + (64L << 20), "file pages resident at most " + (most >> 20) + " MB more");
    }

    /**
     * Random 4 KiB rows (a shuffled epoch) of a 64 MB file map next to nothing: they are read by position. Through the
     * mapping each random fault mapped its fault-around at least, on Linux 6.x a large folio and its readahead (~300-600
     * KiB per row measured on 6.18 / ext4), while the count said 64 KiB: 4000 rows mapped the whole file (a 5.8 GB
     * resident set on a tester's 8.6 GB file with -Xmx1g).
     */
    @Test
    void randomRowsMapNextToNothing() throws IOException {
        assumeTrue(rssFile() >= 0, "no RssFile in /proc/self/status");
        long row = 1024, rows = 16_384;   // 64 MB of data actually written: a sparse file's holes map less
        Path f = dir.resolve("rows.bin");
        try (java.nio.channels.FileChannel ch = java.nio.channels.FileChannel.open(f, java.nio.file.StandardOpenOption.CREATE,
                java.nio.file.StandardOpenOption.WRITE)) {
            java.nio.ByteBuffer bb = java.nio.ByteBuffer.allocate(1 << 20).order(ByteOrder.LITTLE_ENDIAN);
            for (long i = 0; i < rows * row; i++) {
                bb.putFloat(i);
                if (!bb.hasRemaining()) {
                    ch.write(bb.flip());
                    bb.clear();
                }
            }
        }
        ArrayData a = ArrayData.map(f, "rows.bin", DType.FLOAT32, ByteOrder.LITTLE_ENDIAN, new long[] {rows, row}, 0, rows * row * 4);
        java.util.SplittableRandom rnd = new java.util.SplittableRandom(3);
        long base = rssFile(), most = 0;
        float[] out = new float[(int) row];
        for (int k = 0; k < 4000; k++) {
            long r = rnd.nextLong(rows);
            a.copyFloats(r * row, row, MemorySegment.ofArray(out), 0);
            assertEquals(r * row + row - 1, out[(int) row - 1]);
            if (k % 50 == 0) most = Math.max(most, rssFile() - base);
        }
        assertTrue(most < (16L << 20), "file pages resident at most " + (most >> 20) + " MB more after 4000 random rows");
    }

    /** Two 200 MB files read in turn: the unload step counts both (each alone never reached it: 400 MB stayed mapped). */
    @Test
    void twoFilesTogetherKeepTheResidentSetBounded() throws IOException {
        assumeTrue(rssFile() >= 0, "no RssFile in /proc/self/status");
        long bytes = 200L << 20, floats = bytes / 4, chunk = 1 << 18;
        ArrayData[] files = new ArrayData[2];
        for (int i = 0; i < 2; i++) {
            Path f = dir.resolve("part" + i + ".bin");
            try (RandomAccessFile r = new RandomAccessFile(f.toFile(), "rw")) {
                r.setLength(bytes);
            }
            files[i] = ArrayData.map(f, f.toString(), DType.FLOAT32, ByteOrder.LITTLE_ENDIAN, new long[] {floats}, 0, bytes);
        }
        long base = rssFile(), most = 0;
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment dst = arena.allocate(4 * chunk);
            for (ArrayData a : files) {
                for (long at = 0; at < floats; at += chunk) {
                    a.copyFloats(at, chunk, dst, 0);
                    most = Math.max(most, rssFile() - base);
                }
            }
        }
        assertTrue(most < ArrayData.UNLOAD_EVERY + (64L << 20), "file pages resident at most " + (most >> 20) + " MB more");
    }

    /** An int64 {@code .npy} of {@code 0, 1, ..., n - 1}. */
    private Path longs(String name, int n) throws IOException {
        long[] v = new long[n];
        for (int i = 0; i < n; i++) v[i] = i;
        Path p = dir.resolve(name);
        Npy.writeInt64(p, v);
        return p;
    }

    /**
     * A ragged set's row splits are read from the mapping at open: a file cut short between its mapping and that read
     * (here: mapped, truncated, then read in a warmed JVM) says the file changed, naming it, as a row's read does; before,
     * the mapped page's fault surfaced as an InternalError from the offsets' loop.
     */
    @Test
    void integersReadFromAFileCutShortSayTheFileChanged() throws IOException {
        Path warm = longs("warm.npy", 1 << 12);
        ArrayData w = Npy.map(warm);
        for (int k = 0; k < 3_000; k++) assertEquals(4095L, w.toLongs()[4095]);
        Path p = longs("splits.npy", 1 << 20);   // 8 MiB
        ArrayData a = Npy.map(p);
        assertEquals(12345L, a.toLongs()[12345]);
        try (java.nio.channels.FileChannel ch = java.nio.channels.FileChannel.open(p, java.nio.file.StandardOpenOption.WRITE)) {
            ch.truncate(1 << 20);   // elements from 131,056 on are gone (a 128-byte header)
        }
        java.io.UncheckedIOException e = org.junit.jupiter.api.Assertions.assertThrows(java.io.UncheckedIOException.class, a::toLongs);
        assertTrue(e.getMessage().startsWith(p + ": the file changed or was truncated while being read"), e.getMessage());
    }
}
