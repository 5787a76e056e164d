package dev.jrnn.data;

import dev.jrnn.io.FileFaults;
import dev.jrnn.tensor.Tensor;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.ref.Cleaner;
import java.lang.ref.WeakReference;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.ClosedByInterruptException;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.Arrays;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * One C- or Fortran-order n-d array, either a byte range of a file mapped through FFM (no Java array limit) or
 * a heap Tensor seen as a segment. Remembers the file's {@link FileFaults.Stamp} (size, modification time, identity) at
 * open so that {@link #check()} can tell, before each pass, that the file changed or was replaced since; a read that
 * finds the file shorter (either path) or is interrupted ends in {@link FileFaults}' exceptions, as a model file's.
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
    /** Where the data starts in {@code file}: positional reads add it. */
    private final long fileOffset;
    /** The file for positional reads, opened at the first; null for heap data. */
    private final Channel channel;
    /** The file's version when it was mapped; null for heap data. */
    private final FileFaults.Stamp opened;
    /**
     * Each reading thread's last read of this array, which routes that thread's next one: two threads scanning in file
     * order (two streams' prefetch threads) each keep their own run (one shared last read sent both to positional reads).
     */
    private final ThreadLocal<Locality> locality = ThreadLocal.withInitial(Locality::new);
    /** Whether a read through the mapping happened since the last unload (this array is in {@link #TOUCHED}). */
    private final AtomicBoolean touched = new AtomicBoolean();
    /** Bytes this array counted toward {@link #MAPPED} since its last unload: never more than its mapping holds. */
    private final AtomicLong counted = new AtomicLong();
    private final AtomicLong positionalReads = new AtomicLong(), unloads = new AtomicLong();

    /**
     * A read starting at most this far from the previous read's end goes through the mapping (the pages around it are mostly
     * mapped already, or a sequential run maps what it reads); a farther one is a positional read, which maps nothing.
     */
    static final long NEAR = 64 << 10;
    /** An array of at most this many bytes (a target column) is always read through its mapping: it maps at most itself. */
    static final long SMALL = 16L << 20;
    /**
     * The most one page fault of a mapped file may map (a 2 MiB folio with 4 KiB pages): Linux 6.x maps whole large folios
     * of the page cache and reads ahead around a fault (~250 KiB per random 2 KiB row measured on 6.18 / ext4).
     */
    static final long MAX_FOLIO = 2L << 20;
    /** Mapped pages are dropped (every mapped file's) once reads may have mapped this many bytes, process-wide. */
    static final long UNLOAD_EVERY = 256L << 20;
    /** Bytes that reads of every mapped file may have mapped since the last unload (an upper bound). */
    private static final AtomicLong MAPPED = new AtomicLong();
    /** The mapped arrays read through their mapping since the last unload. */
    private static final Queue<WeakReference<ArrayData>> TOUCHED = new ConcurrentLinkedQueue<>();
    private static final Cleaner CLEANER = Cleaner.create(Thread.ofPlatform().daemon().name("jrnn-arraydata-cleaner").factory());

    private ArrayData(String source, DType dtype, ByteOrder order, long[] shape, MemorySegment data, boolean fortran,
                      Path file, long fileOffset, Channel channel, FileFaults.Stamp opened) {
        this.source = source;
        this.dtype = dtype;
        this.order = order;
        this.shape = shape;
        this.data = data;
        this.fortran = fortran;
        this.file = file;
        this.fileOffset = fileOffset;
        this.channel = channel;
        if (channel != null) CLEANER.register(this, channel);
        this.opened = opened;
    }

    /** A heap tensor, not copied. */
    static ArrayData of(Tensor t, String name) {
        int[] s = t.shape();
        long[] shape = new long[s.length];
        for (int i = 0; i < s.length; i++) shape[i] = s[i];
        return new ArrayData(name, DType.FLOAT32, ByteOrder.nativeOrder(), shape, MemorySegment.ofArray(t.data()), false,
                null, 0, null, null);
    }

    /** An array held in memory: the elements of a compressed npz member, inflated into {@code data}. */
    static ArrayData inMemory(String source, Npy.Header h, MemorySegment data) {
        return new ArrayData(source, h.dtype(), h.order(), h.shape(), data, h.fortranOrder(), null, 0, null, null);
    }

    /**
     * Maps bytes {@code [offset, offset + bytes)} of {@code file} read-only; the mapping lives until
     * this array is unreachable (an automatic arena), so batches in flight on another thread never
     * see it unmapped.
     */
    static ArrayData map(Path file, String source, DType dtype, ByteOrder order, long[] shape, long offset, long bytes)
            throws IOException {
        requireMappable("map", source, file);   // a factory that did not name its argument
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            return map(ch, null, file, source, dtype, order, shape, false, offset, bytes);
        }
    }

    /**
     * The array an {@code .npy} header describes, its data at {@code offset} of {@code file}, through {@code ch}: the
     * handle (of the caller's own, closed by it) its header was read through, so that both are of one version of the file.
     */
    static ArrayData map(FileChannel ch, Path file, String source, Npy.Header h, long offset) throws IOException {
        return map(ch, null, file, source, h.dtype(), h.order(), h.shape(), h.fortranOrder(), offset, h.elements() * h.dtype().width());
    }

    /**
     * Refuses {@code file}, argument {@code param} of {@code who}, when it lies on a file system other than the default one
     * (a jar's zipfs, an in-memory one): a data set memory-maps its files and reads them by position, which those cannot
     * (their FileChannel.map throws UnsupportedOperationException).
     */
    static void requireMappable(String who, String param, Path file) {
        if (file == null || file.getFileSystem() == java.nio.file.FileSystems.getDefault()) return;
        throw new IllegalArgumentException(who + ": " + param + " (" + file + ") lies on a '" + file.getFileSystem().provider().getScheme()
                + "' file system (" + file.toUri() + "), which cannot memory-map it, and a data set maps its files: copy it to a file "
                + "of the default file system first (Files.copy(" + param + ", localPath)), or read it into memory (Npy.read, "
                + "SafeTensors.read) and use Dataset.fromTensors");
    }

    /**
     * As {@link #map(Path, String, DType, ByteOrder, long[], long, long)}, through {@code ch}, {@code file} open (the one
     * its header was read from: a file renamed over the path since is not mixed in, in the mapping or in the positional
     * reads, whose file must be the one FileFaults' read holds, {@link FileFaults#pinned}); the caller closes it.
     */
    static ArrayData map(FileChannel ch, Path file, String source, DType dtype, ByteOrder order, long[] shape, long offset, long bytes)
            throws IOException {
        requireMappable("map", source, file);
        return map(ch, FileFaults.pinned(file), file, source, dtype, order, shape, false, offset, bytes);
    }

    /** {@code pinned}: the stamp of the version {@code ch} holds (FileFaults' read's); null: taken from the path now. */
    private static ArrayData map(FileChannel ch, FileFaults.Stamp pinned, Path file, String source, DType dtype, ByteOrder order,
                                 long[] shape, boolean fortran, long offset, long bytes) throws IOException {
        FileFaults.Stamp stamp = pinned != null ? pinned : FileFaults.Stamp.read(file);   // the version mapped: checked before each pass
        long size = ch.size();
        if (pinned == null && stamp.size() != size) {   // replaced between the open and the stamp: the stamp would describe another file
            throw FileFaults.changed(source, "the file opened (" + size + " bytes)", "another at its path (" + stamp.size() + " bytes)", null);
        }
        if (offset + bytes > size) {
            throw new IOException(source + ": truncated: the header promises " + bytes + " data bytes from byte "
                    + offset + ", the file has " + size + " bytes");
        }
        MemorySegment seg = bytes == 0 ? MemorySegment.NULL
                : ch.map(FileChannel.MapMode.READ_ONLY, offset, bytes, Arena.ofAuto());
        return new ArrayData(source, dtype, order, shape.clone(), seg, fortran, file, offset, new Channel(file, stamp.key()), stamp);
    }

    /** Elements in one index of the first axis. */
    long rowElements() {
        long n = 1;
        for (int i = 1; i < shape.length; i++) n = Math.multiplyExact(n, shape[i]);
        return n;
    }

    /**
     * Makes the JVM deliver a mapped page's fault here, inside copyFloats' catch: compiled code raises it at the next
     * safepoint poll, which, once the copy is inlined, is this method's return, so the InternalError surfaced in the
     * caller (20 of 20 reads of a truncated file in a warmed JVM). A native call's return processes it; holdsLock is the
     * cheapest one (tens of ns beside a row's copy) and no intrinsic.
     */
    private static void deliverFaults() {
        Thread.holdsLock(FAULT_POLL);
    }

    private static final Object FAULT_POLL = new Object();

    /**
     * Copies {@code n} elements from element {@code from} into float32 {@code dst} at float {@code dstFloat}. For a mapped
     * file, a read far from the one before (a shuffled row) is a positional read of the file, which maps nothing; reads near
     * the one before (a sequential or windowed scan) copy from the mapping, and every mapped file's pages are dropped from
     * the process ({@link MemorySegment#unload()}: they stay in the OS page cache) once such reads may have mapped
     * {@link #UNLOAD_EVERY} bytes, counted process-wide, so the resident set stays bounded whatever the order.
     */
    void copyFloats(long from, long n, MemorySegment dst, long dstFloat) {
        boolean file = this.file != null && data.isMapped();
        try {
            int w = dtype.width();
            long charge = file && !fortran ? route(from * w, n * w) : 0;
            if (fortran) {
                copyFortranCharged(file, from, n, dst, dstFloat);
            } else if (charge < 0) {
                readAt(from * w, n, dst, dstFloat);   // by position; a replaced file's rows still come from the mapping
            } else {
                if (file) charge(charge);
                dtype.toFloats(data, from * w, order, dst, dstFloat, n);
            }
            if (file) deliverFaults();   // every path that may have read the mapping
        } catch (InternalError e) {
            if (!FileFaults.isMappedFault(e)) throw e;
            // a fault in a mapped page: the file shrank under the mapping
            throw shorter(from, n, e);
        }
    }

    /**
     * The elements of a 1-d integer array as longs (a ragged set's row splits), read through the mapping in chunks with a
     * mapped page's fault delivered after each, so a file that shrank since it was opened ends in FileFaults' "changed",
     * as a row's read does, and not in an InternalError.
     */
    long[] toLongs() {
        if (shape.length != 1 || !dtype.isInteger()) throw new IllegalStateException(source + ": not a 1-d integer array");
        if (shape[0] > Integer.MAX_VALUE - 8) throw new IllegalStateException(source + ": more than 2^31 - 9 elements");
        long[] out = new long[(int) shape[0]];
        boolean file = this.file != null && data.isMapped();
        int w = dtype.width();
        for (int at = 0; at < out.length; at += LONGS_CHUNK) {
            int end = Math.min(out.length, at + LONGS_CHUNK);
            try {
                for (int i = at; i < end; i++) out[i] = dtype.getLong(data, (long) i * w, order);
                if (file) deliverFaults();
            } catch (InternalError e) {
                if (!FileFaults.isMappedFault(e)) throw e;
                throw shorter(at, end - at, e);
            }
        }
        return out;
    }

    /** Elements {@link #toLongs} reads between two fault deliveries: 512 KiB of int64 (a delivery costs tens of ns). */
    private static final int LONGS_CHUNK = 1 << 16;

    /**
     * What a read of elements {@code [from, from + n)} that found the file shorter than they need ends in, from either path
     * (a mapped page's fault, a positional read's end of file): FileFaults' "changed" naming the bytes and the file now.
     */
    private UncheckedIOException shorter(long from, long n, Throwable cause) {
        long w = fortran ? 1 : dtype.width(), at = fileOffset + from * w;
        FileFaults.Stamp now = FileFaults.Stamp.of(file);
        IOException e = FileFaults.changed(source, (fortran ? "the array's bytes " + fileOffset + " to " + (fileOffset + data.byteSize())
                        : "bytes " + at + " to " + (at + n * w) + " (elements " + from + " to " + (from + n) + ")")
                        + " of the file as opened (" + opened + ")",
                now == null ? "no readable file" : now.toString(), cause);
        return new UncheckedIOException(e.getMessage(), e);
    }

    /**
     * What a read of data bytes {@code [at, at + bytes)} may map when it goes through the mapping, or -1 for a positional
     * read: one more than {@link #NEAR} from the previous read's end (the same thread's), and the first near one after such a read (so a lone
     * pair of neighbours, e.g. a shuffled window of two rows, maps nothing), and one larger than {@link #UNLOAD_EVERY}
     * (it alone would map more); an array of at most {@link #SMALL} bytes is always mapped. The array's first read is mapped
     * (a whole small array, the start of a sequential scan). A read continuing a mapped one maps at most its bytes and the
     * gap it skipped, counted as at least {@link #NEAR} (the fault-around ahead of it); the first mapped read of a run at
     * most its bytes and the two folios around it.
     */
    long route(long at, long bytes) {
        Locality l = locality.get();   // this thread's: no lock, no other reader's position
        boolean first = l.lastEnd < 0;
        long gap = first ? 0 : Math.abs(at - l.lastEnd);
        boolean near = gap <= NEAR;
        boolean mapped = data.byteSize() <= SMALL || near && (l.lastNear || first) && bytes <= UNLOAD_EVERY, continues = l.lastMapped && near;
        l.lastEnd = at + bytes;
        l.lastNear = near;
        l.lastMapped = mapped;
        if (!mapped) return -1;
        return continues ? Math.max(bytes + gap, NEAR) : bytes + 2 * MAX_FOLIO;
    }

    /** The end (data byte) of a thread's last read of this array and whether it was near the one before and mapped. */
    private static final class Locality {
        long lastEnd = -1;
        boolean lastNear, lastMapped;
    }

    /**
     * Counts {@code bytes} as mapped by this array (no more than its mapping holds beyond what it counted since its last
     * unload); when the process-wide count passes {@link #UNLOAD_EVERY}, unloads first.
     */
    private void charge(long want) {
        long limit = data.byteSize() + 8192;   // the mapping's pages: its bytes and a partial page at each end
        long before = counted.getAndUpdate(c -> Math.min(limit, c + want)), bytes = Math.min(limit, before + want) - before;
        if (bytes == 0) return;
        if (MAPPED.addAndGet(bytes) >= UNLOAD_EVERY) {
            unloadTouched();
            MAPPED.addAndGet(bytes);   // what this read maps next counts toward the next unload
            counted.addAndGet(bytes);
        }
        if (!touched.getAndSet(true)) TOUCHED.add(new WeakReference<>(this));
    }

    /** Drops the mapped pages of every array read through its mapping since the last unload (only clean, read-only pages). */
    private static void unloadTouched() {
        synchronized (TOUCHED) {
            if (MAPPED.get() < UNLOAD_EVERY) return;   // another thread just did
            MAPPED.set(0);
            for (WeakReference<ArrayData> r; (r = TOUCHED.poll()) != null; ) {
                ArrayData a = r.get();
                if (a == null) continue;
                a.touched.set(false);
                a.counted.set(0);
                a.data.unload();   // a read after this faults the pages back in
                a.unloads.incrementAndGet();
            }
        }
    }

    /** Bytes counted as mapped since the last unload, process-wide (for tests). */
    static long mappedSinceUnload() { return MAPPED.get(); }

    /** Reads that went to the file by position instead of through the mapping (for tests). */
    long positionalReads() { return positionalReads.get(); }

    /** Times this array's mapped pages were dropped (for tests). */
    long unloads() { return unloads.get(); }

    /**
     * Reads {@code n} elements from data byte {@code at} by position, straight into {@code dst} when it is native float32 of
     * this byte order, else through this thread's direct buffer (at most 1 MiB) converted by {@link DType#toFloats}.
     */
    private void readAt(long at, long n, MemorySegment dst, long dstFloat) {
        positionalReads.incrementAndGet();
        int w = dtype.width();
        boolean direct = dtype == DType.FLOAT32 && order == ByteOrder.nativeOrder() && dst.isNative();
        long chunk = direct ? 1L << 30 : SCRATCH_BYTES / w;
        ByteBuffer buf = direct ? null : scratch(Math.min(n, chunk) * w);
        for (long done = 0; done < n; ) {
            long k = Math.min(n - done, chunk);
            ByteBuffer into = direct ? dst.asSlice((dstFloat + done) * 4, k * 4).asByteBuffer() : buf.clear().limit((int) (k * w));
            long pos = fileOffset + at + done * w;
            switch (channel.readFully(into, pos, source)) {
                case READ -> {}
                case SHORT -> throw shorter(at / w, n, null);
                case REPLACED -> {
                    // the path names another file now: read the one mapped, as a near read does (the next pass refuses it)
                    charge(k * w + 2 * MAX_FOLIO);
                    dtype.toFloats(data, at + done * w, order, dst, dstFloat + done, k);
                    done += k;
                    continue;
                }
            }
            if (!direct) dtype.toFloats(MemorySegment.ofBuffer(buf.flip()), 0, order, dst, dstFloat + done, k);
            done += k;
        }
    }

    private static final int SCRATCH_BYTES = 1 << 20;
    /** Each reading thread's buffer for positional reads that convert (a heap batch, another dtype): grown as needed. */
    private static final ThreadLocal<ByteBuffer> SCRATCH = new ThreadLocal<>();

    private static ByteBuffer scratch(long bytes) {
        ByteBuffer b = SCRATCH.get();
        if (b == null || b.capacity() < bytes) {
            b = ByteBuffer.allocateDirect((int) Math.max(bytes, Math.min(SCRATCH_BYTES, b == null ? 4096 : 2L * b.capacity())));
            SCRATCH.set(b);
        }
        return b;
    }

    /**
     * A Fortran-order copy, 128 elements at a time: each element may sit on a page (and a folio) of its own, so each
     * counts {@link #MAX_FOLIO} (an array counts no more than its mapping).
     */
    private void copyFortranCharged(boolean file, long from, long n, MemorySegment dst, long dstFloat) {
        long per = UNLOAD_EVERY / MAX_FOLIO;
        for (long done = 0; done < n; done += per) {
            long k = Math.min(per, n - done);
            if (file) charge(k * MAX_FOLIO);
            copyFortran(from + done, k, dst, dstFloat + done);
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

    /**
     * Throws FileFaults' "changed" when the file's size, modification time or identity differ from when it was mapped (a
     * file replaced by a rename keeping its size and time, as {@code cp -p} and {@code mv} leave it, included).
     */
    void check() throws IOException {
        if (file != null) FileFaults.requireUnchanged(source, file, opened);
    }

    /**
     * The mapped file, opened for positional reads at the first (after checking it is still the file mapped: its file key,
     * dev and inode on Unix; when the path names another file now, reads go through the mapping, which holds the one
     * mapped) and closed by the cleaner once the array is unreachable, or sooner to keep at most OPEN_MAX
     * open in the process (it opens again at its next read). A read clears the thread's interrupt
     * for its duration (an interrupted thread's read would close the channel for every reader; mapped reads ignore
     * interrupts too); an interrupt during a read still closes it (FileFaults' InterruptedIOException), and the next read
     * opens the file again.
     */
    private static final class Channel implements Runnable {
        /** The channels open now, least recently used first; the cleaner or OPEN_MAX closes them, not the GC alone. */
        private static final java.util.LinkedHashMap<Channel, Boolean> OPEN = new java.util.LinkedHashMap<>(16, 0.75f, true);
        static final int OPEN_MAX = 32;
        private final Path file;
        private final Object key;
        private volatile FileChannel ch;
        /** Set once the path was found to name another file than the one mapped. */
        private volatile boolean replaced;

        /** How a positional read ended: read in full, at the end of a shorter file, or not done (the path names another file). */
        enum Outcome { READ, SHORT, REPLACED }

        Channel(Path file, Object key) {
            this.file = file;
            this.key = key;
        }

        Outcome readFully(ByteBuffer into, long pos, String source) {
            boolean interrupted = Thread.interrupted();
            try {
                for (int attempt = 0; ; attempt++) {
                    FileChannel c = open();
                    if (c == null) return Outcome.REPLACED;
                    int from = into.position();
                    try {
                        while (into.hasRemaining()) {
                            if (c.read(into, pos + into.position()) < 0) return Outcome.SHORT;
                        }
                        return Outcome.READ;
                    } catch (ClosedByInterruptException e) {
                        throw FileFaults.readingInterrupted(source, e);   // this thread is being stopped (a stream's close)
                    } catch (ClosedChannelException e) {
                        // another reader's interrupt closed it, or it was closed to keep OPEN_MAX: open it again
                        if (into.position() > from) attempt = 0;   // a long read that moves on is never given up
                        else if (attempt >= 8) throw e;
                    }
                }
            } catch (IOException e) {
                String m = e.getMessage();
                throw new UncheckedIOException(m != null && m.startsWith(source) ? m : source + ": positional read failed: " + e, e);
            } finally {
                if (interrupted) Thread.currentThread().interrupt();
            }
        }

        /** The open channel, or null when the path names another file than the one mapped. */
        private FileChannel open() throws IOException {
            FileChannel evicted = null;
            FileChannel c;
            synchronized (OPEN) {
                c = ch;
                if (c != null && c.isOpen()) {
                    OPEN.get(this);   // most recently used
                    return c;
                }
                if (replaced) return null;
                try {
                    c = FileChannel.open(file, StandardOpenOption.READ);
                } catch (java.nio.file.NoSuchFileException e) {   // renamed away or deleted: read the mapping, as when replaced;
                    replaced = true;                               // the next pass's check() refuses the file
                    return null;
                }
                Object k = Files.readAttributes(file, BasicFileAttributes.class).fileKey();
                if (k != null && !k.equals(key)) {
                    c.close();
                    replaced = true;
                    return null;
                }
                ch = c;
                OPEN.put(this, Boolean.TRUE);
                if (OPEN.size() > OPEN_MAX) {   // a loop that opens dataset after dataset keeps OPEN_MAX descriptors
                    var eldest = OPEN.keySet().iterator();
                    Channel old = eldest.next();
                    eldest.remove();
                    evicted = old.ch;
                    old.ch = null;
                }
            }
            if (evicted != null) {   // closed outside the lock: a close waits for the reads in flight on that channel
                try {
                    evicted.close();
                } catch (IOException ignored) {
                    // nothing was written: a failed close loses nothing
                }
            }
            return c;
        }

        private void close() {
            try {
                FileChannel c = ch;
                ch = null;
                if (c != null) c.close();
            } catch (IOException ignored) {
                // nothing was written: a failed close loses nothing
            }
        }

        @Override
        public void run() {
            synchronized (OPEN) {
                OPEN.remove(this);
                close();
            }
        }
    }

    @Override
    public String toString() {
        return source + " " + dtype + Arrays.toString(shape);
    }
}
