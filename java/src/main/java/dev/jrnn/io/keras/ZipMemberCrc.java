package dev.jrnn.io.keras;

import org.apache.commons.compress.archivers.zip.ZipArchiveEntry;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.util.Map;
import java.util.TreeMap;
import java.util.zip.CRC32;

/**
 * The CRC-32 check of a stored zip member that jrnn reads by position from the file (a .keras's mapped
 * model.weights.h5), computed from the reads that fill the weights instead of a pass of its own: each run of
 * consecutive reads keeps the CRC of its bytes ({@link #add}); {@link #verify} reads only the bytes no run covered (HDF5
 * headers, arrays read through jhdf) and joins the pieces in file order with {@link #combine}, so every byte of the
 * member is still checked, once. Not thread-safe: one load's reads.
 */
final class ZipMemberCrc {
    /** Bytes per read of the parts no run covered. */
    private static final int READ_CHUNK = 1 << 20;

    private final ZipArchiveEntry entry;
    private final FileChannel channel;
    /** Where the member's bytes start in the file, and how many. */
    private final long start, size;
    /** Finished runs by file position: {length, CRC-32}. Runs never overlap (an overlapping one is dropped). */
    private final TreeMap<Long, long[]> runs = new TreeMap<>();
    /** The run being read: its start, its end, its CRC so far. */
    private long runStart = -1, runEnd = -1;
    private final CRC32 runCrc = new CRC32();
    /** Bytes {@link #verify} read itself (those no run covered). */
    private long readAgain;
    /**
     * {@link #readAgain} over every check of the process (for tests: what a load path read twice, or only for its check).
     * Process-wide: a test reads a difference across its own load, which holds while no other test loads a .keras at the
     * same time (surefire runs the test classes one after another in one JVM; parallel tests would need a per-file count).
     */
    private static final java.util.concurrent.atomic.AtomicLong READ_AGAIN_IN_ALL = new java.util.concurrent.atomic.AtomicLong();

    ZipMemberCrc(ZipArchiveEntry entry, FileChannel channel, long start, long size) {
        this.entry = entry;
        this.channel = channel;
        this.start = start;
        this.size = size;
    }

    /** Takes {@code bytes} (position to limit; left as they are) as the file's bytes at {@code position}. */
    void add(ByteBuffer bytes, long position) {
        int n = bytes.remaining();
        if (n == 0 || position < start || position + n > start + size) return;   // outside the member: not its bytes
        if (position != runEnd) {
            finishRun();
            runStart = position;
            runEnd = position;
        }
        runCrc.update(bytes.duplicate());
        runEnd += n;
    }

    private void finishRun() {
        if (runStart < 0) return;
        long len = runEnd - runStart;
        Map.Entry<Long, long[]> before = runs.floorEntry(runStart), after = runs.ceilingEntry(runStart);
        boolean overlaps = (before != null && before.getKey() + before.getValue()[0] > runStart)
                || (after != null && after.getKey() < runEnd);
        if (!overlaps && len > 0) runs.put(runStart, new long[] {len, runCrc.getValue()});   // else its bytes are read again
        runCrc.reset();
        runStart = runEnd = -1;
    }

    /**
     * Throws a KerasFormatException when the member's bytes do not give the CRC-32 its zip entry records (Python's
     * zipfile: "Bad CRC-32 for file"); the bytes no run covered are read here.
     */
    void verify() throws IOException {
        finishRun();
        long crc = 0, at = start, end = start + size;   // 0: the CRC-32 of no bytes
        for (Map.Entry<Long, long[]> r : runs.entrySet()) {
            crc = combine(crc, read(at, r.getKey()), r.getKey() - at);
            crc = combine(crc, r.getValue()[1], r.getValue()[0]);
            at = r.getKey() + r.getValue()[0];
        }
        crc = combine(crc, read(at, end), end - at);
        KerasFile.compareCrc(entry, crc);
    }

    /** {@link #read}'s buffer, grown to the largest gap read so far (up to READ_CHUNK). */
    private ByteBuffer buf;

    /** The CRC-32 of the file's bytes from {@code from} to {@code to}, read by position. */
    private long read(long from, long to) throws IOException {
        if (from >= to) return 0;
        readAgain += to - from;
        READ_AGAIN_IN_ALL.addAndGet(to - from);
        if (buf == null || buf.capacity() < Math.min(READ_CHUNK, to - from)) {   // one buffer for every gap (~one per weight)
            buf = ByteBuffer.allocateDirect((int) Math.min(READ_CHUNK, Math.max(to - from, 4096)));
        }
        CRC32 crc = new CRC32();
        for (long pos = from; pos < to; ) {
            buf.clear().limit((int) Math.min(buf.capacity(), to - pos));
            int n = channel.read(buf, pos);
            if (n < 0) throw new KerasFormatException("the file ends at " + pos + ", inside zip member " + entry.getName() + ": truncated");
            pos += n;
            crc.update(buf.flip());
        }
        return crc.getValue();
    }

    /** How many bytes {@link #verify} read itself: the member's less those the runs covered. */
    long bytesReadAgain() { return readAgain; }

    /** {@link #bytesReadAgain} summed over every check this process ran (for tests). */
    static long bytesReadAgainInAll() { return READ_AGAIN_IN_ALL.get(); }

    /** The reflected CRC-32 polynomial (zlib's). */
    private static final int POLY = 0xedb88320;
    /** x^(2^k) modulo the polynomial, k = 0..31 (zlib's x2n_table). */
    private static final int[] X2N = new int[32];

    static {
        int p = 1 << 30;   // x^1
        X2N[0] = p;
        for (int k = 1; k < 32; k++) X2N[k] = p = multModP(p, p);
    }

    /**
     * The CRC-32 of bytes A then B from A's CRC {@code crcA}, B's {@code crcB} and B's length: zlib's crc32_combine
     * (CRC-32 is linear: appending B's length in zeros to A multiplies A's remainder by x^(8 lenB)).
     */
    static long combine(long crcA, long crcB, long lenB) {
        if (lenB <= 0) return crcA;
        return (multModP(xPow8n(lenB), (int) crcA) ^ (int) crcB) & 0xffffffffL;
    }

    /** a(x) b(x) modulo the polynomial, bits reflected (zlib's multmodp). */
    private static int multModP(int a, int b) {
        if (a == 0) return 0;   // never for the powers of x passed here; the loop below needs a bit of a set
        int m = 1 << 31, p = 0;
        while (true) {
            if ((a & m) != 0) {
                p ^= b;
                if ((a & (m - 1)) == 0) break;
            }
            m >>>= 1;
            b = (b & 1) != 0 ? (b >>> 1) ^ POLY : b >>> 1;
        }
        return p;
    }

    /** x^(8 n) modulo the polynomial (zlib's x2nmodp(n, 3)). */
    private static int xPow8n(long n) {
        int p = 1 << 31, k = 3;   // p: x^0
        while (n != 0) {
            if ((n & 1) != 0) p = multModP(X2N[k & 31], p);
            n >>>= 1;
            k++;
        }
        return p;
    }
}
