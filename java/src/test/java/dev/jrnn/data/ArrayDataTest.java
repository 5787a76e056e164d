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

    /** The process' resident file-backed pages (Linux), in bytes; -1 where /proc has no such line. */
    private static long rssFile() throws IOException {
        Path status = Path.of("/proc/self/status");
        if (!Files.isReadable(status)) return -1;
        for (String l : Files.readAllLines(status)) {
            if (l.startsWith("RssFile:")) return Long.parseLong(l.replaceAll("[^0-9]", "")) << 10;
        }
        return -1;
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
}
