package dev.jrnn.data;

import dev.jrnn.io.FileFaults;
import dev.jrnn.tensor.Tensor;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileTime;
import java.util.Arrays;
import java.util.concurrent.atomic.AtomicLong;

/**
 * One C- or Fortran-order n-d array, either a byte range of a file mapped through FFM (no Java array limit) or
 * a heap Tensor seen as a segment. Remembers the file's size and modification time at open so that
 * {@link #check()} can tell when the file changed under a running epoch.
 */
final class ArrayData {
    final String source;          // what error messages name: the file, or "file:member"
    final DType dtype;
    final ByteOrder order;
    final long[] shape;
    final MemorySegment data;
    /** Stored first axis fastest (NumPy's fortran_order): element reads are strided, one by one. */
    private final boolean fortran;
    private final Path file;      // null for heap data
    /** Bytes that reads may have mapped since the last unload; a read maps at least {@link #FAULT_AROUND}. */
    private final AtomicLong mapped = new AtomicLong();
    /** Linux maps up to 64 KiB of cached file pages around a faulting one (fault_around_bytes). */
    private static final long FAULT_AROUND = 64 << 10;
    static final long UNLOAD_EVERY = 256L << 20;
    private final long fileSize;
    private final FileTime mtime;

    private ArrayData(String source, DType dtype, ByteOrder order, long[] shape, MemorySegment data, boolean fortran,
                      Path file, long fileSize, FileTime mtime) {
        this.source = source;
        this.dtype = dtype;
        this.order = order;
        this.shape = shape;
        this.data = data;
        this.fortran = fortran;
        this.file = file;
        this.fileSize = fileSize;
        this.mtime = mtime;
    }

    /** A heap tensor, not copied. */
    static ArrayData of(Tensor t, String name) {
        int[] s = t.shape();
        long[] shape = new long[s.length];
        for (int i = 0; i < s.length; i++) shape[i] = s[i];
        return new ArrayData(name, DType.FLOAT32, ByteOrder.nativeOrder(), shape, MemorySegment.ofArray(t.data()), false,
                null, 0, null);
    }

    /** An array held in memory: the elements of a compressed npz member, inflated into {@code data}. */
    static ArrayData inMemory(String source, Npy.Header h, MemorySegment data) {
        return new ArrayData(source, h.dtype(), h.order(), h.shape(), data, h.fortranOrder(), null, 0, null);
    }

    /**
     * Maps bytes {@code [offset, offset + bytes)} of {@code file} read-only; the mapping lives until
     * this array is unreachable (an automatic arena), so batches in flight on another thread never
     * see it unmapped.
     */
    static ArrayData map(Path file, String source, DType dtype, ByteOrder order, long[] shape, long offset, long bytes)
            throws IOException {
        return map(file, source, dtype, order, shape, false, offset, bytes);
    }

    /** The array an {@code .npy} header describes, its data at {@code offset} of {@code file}. */
    static ArrayData map(Path file, String source, Npy.Header h, long offset) throws IOException {
        return map(file, source, h.dtype(), h.order(), h.shape(), h.fortranOrder(), offset, h.elements() * h.dtype().width());
    }

    private static ArrayData map(Path file, String source, DType dtype, ByteOrder order, long[] shape, boolean fortran,
                                 long offset, long bytes) throws IOException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            long size = ch.size();
            if (offset + bytes > size) {
                throw new IOException(source + ": truncated: the header promises " + bytes + " data bytes from byte "
                        + offset + ", the file has " + size + " bytes");
            }
            FileTime mtime = Files.getLastModifiedTime(file);
            MemorySegment seg = bytes == 0 ? MemorySegment.NULL
                    : ch.map(FileChannel.MapMode.READ_ONLY, offset, bytes, Arena.ofAuto());
            return new ArrayData(source, dtype, order, shape.clone(), seg, fortran, file, size, mtime);
        }
    }

    /** Elements in one index of the first axis. */
    long rowElements() {
        long n = 1;
        for (int i = 1; i < shape.length; i++) n = Math.multiplyExact(n, shape[i]);
        return n;
    }

    /**
     * Copies {@code n} elements from element {@code from} into float32 {@code dst} at float {@code dstFloat}. A
     * mapped file's pages are dropped from the process ({@link MemorySegment#unload()}: they stay in the OS page
     * cache) after every {@link #UNLOAD_EVERY} bytes that reads may have mapped, so the resident set stays flat
     * however much of a large file an epoch touches.
     */
    void copyFloats(long from, long n, MemorySegment dst, long dstFloat) {
        // strided Fortran reads may touch a page per element
        long touched = fortran ? Math.min(n, UNLOAD_EVERY / FAULT_AROUND) * FAULT_AROUND : Math.max(n * dtype.width(), FAULT_AROUND);
        if (file != null && data.isMapped() && mapped.addAndGet(touched) >= UNLOAD_EVERY) {
            mapped.set(0);
            data.unload();   // only clean, read-only file pages: a read after this faults them back in
        }
        try {
            if (fortran) copyFortran(from, n, dst, dstFloat);
            else dtype.toFloats(data, from * dtype.width(), order, dst, dstFloat, n);
        } catch (InternalError e) {
            if (!FileFaults.isMappedFault(e)) throw e;
            // a fault in a mapped page: the file shrank under the mapping
            throw new UncheckedIOException(FileFaults.changedWhileReading(source, "read fault at element " + from, e));
        }
    }

    /** C-order elements {@code [from, from + n)} of a Fortran-order array: an odometer over the C index, its Fortran offset alongside. */
    private void copyFortran(long from, long n, MemorySegment dst, long dstFloat) {
        int r = shape.length;
        long[] idx = new long[r], stride = new long[r];
        long rest = from, off = 0;
        for (int k = r - 1; k >= 0; k--) {
            idx[k] = rest % shape[k];
            rest /= shape[k];
        }
        for (int k = 0; k < r; k++) {
            stride[k] = k == 0 ? 1 : stride[k - 1] * shape[k - 1];
            off += idx[k] * stride[k];
        }
        int w = dtype.width();
        for (long e = 0; e < n; e++) {
            dtype.toFloats(data, off * w, order, dst, dstFloat + e, 1);
            for (int k = r - 1; k >= 0; k--) {   // the last axis turns fastest in C order
                off += stride[k];
                if (++idx[k] < shape[k]) break;
                off -= idx[k] * stride[k];
                idx[k] = 0;
            }
        }
    }

    /** Throws when the file's size or modification time differ from when it was opened. */
    void check() throws IOException {
        if (file == null) return;
        long size;
        FileTime t;
        try {
            size = Files.size(file);
            t = Files.getLastModifiedTime(file);
        } catch (IOException e) {
            throw new IOException(source + ": no longer readable since it was opened: " + e, e);
        }
        if (size != fileSize || !t.equals(mtime)) {
            throw new IOException(source + ": changed since it was opened (size " + fileSize + " -> " + size
                    + " bytes, modified " + mtime + " -> " + t + "); reopen the dataset");
        }
    }

    @Override
    public String toString() {
        return source + " " + dtype + Arrays.toString(shape);
    }
}
