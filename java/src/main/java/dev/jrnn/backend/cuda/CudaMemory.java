package dev.jrnn.backend.cuda;

import dev.jrnn.backend.Buf;
import dev.jrnn.backend.Checks;

import java.lang.foreign.MemorySegment;

/**
 * {@link CudaBackend}'s memory operations (alloc, upload, download, copy, fill, copy2d, transpose01): arguments
 * checked, then a pool allocation, a host/device copy or one launch on the current stream; and the reduction
 * workspaces ({@link CudaBackend#workspace}).
 */
final class CudaMemory {
    private final CudaBackend be;
    private final CudaDriver driver;
    private final DevicePool pool;
    private final CudaKernels k;
    private final CudaStreams streams;
    /** Reduction workspaces of the main and the second stream. */
    private final Workspace mainWork = new Workspace(), sideWork = new Workspace();

    CudaMemory(CudaBackend be, CudaDriver driver, DevicePool pool, CudaKernels k, CudaStreams streams) {
        this.be = be;
        this.driver = driver;
        this.pool = pool;
        this.k = k;
        this.streams = streams;
    }

    /** Device workspace of at least {@code bytes} for work on the current stream; its content is undefined. */
    long workspace(long bytes) {
        // each stream its own, so that work on the two never shares one
        return (streams.onMain() ? mainWork : sideWork).atLeast(bytes);
    }

    /** A growable pool block (sumRows partials, clipping sums), cached for the backend's lifetime. */
    private final class Workspace {
        private long ptr, bytes;

        long atLeast(long want) {
            if (want > bytes) {
                long size = Math.max(want, Math.min(2 * bytes, want + (64L << 20)));
                if (ptr != 0) pool.free(ptr);
                ptr = 0;
                bytes = 0;
                ptr = pool.allocate(size);
                bytes = size;
            }
            return ptr;
        }
    }

    private static void nonNegative(String op, String what, long v) {
        Checks.nonNegative(op, what, v);
    }

    Buf alloc(long n) {
        nonNegative("alloc", "n", n);
        be.enter();
        long bytes = 4L * Math.max(1, n);
        long p;
        try {
            p = pool.allocate(bytes);
        } catch (CudaException e) {
            if (!e.isOutOfMemory()) throw e;
            throw new CudaException("CudaBackend.alloc(" + n + " floats)", e.code(), e.errorName(),
                    "out of device memory on " + driver.deviceName() + ": " + e.getMessage(), e);
        }
        k.fill(be.g1(Math.max(1, n)), p, Math.max(1, n), 0f);
        return new CudaBuf(be, p, n);
    }

    void upload(float[] src, int srcOff, Buf dst, long dstOff, int len) {
        Checks.arraySpan("upload", "src", src, srcOff, len);
        long d = be.ptr("upload", "dst", dst, dstOff, len);
        be.enter();
        be.training.refuseInCapture("upload");
        if (len == 0) return;
        driver.copyHtoD(d, MemorySegment.ofArray(src).asSlice(4L * srcOff, 4L * len), 4L * len, streams.current());
    }

    void download(Buf src, long srcOff, float[] dst, int dstOff, int len) {
        Checks.arraySpan("download", "dst", dst, dstOff, len);
        long s = be.ptr("download", "src", src, srcOff, len);
        be.enter();
        be.training.refuseInCapture("download");
        streams.refuseSyncInFork("download");
        if (len > 0) {
            driver.copyDtoH(MemorySegment.ofArray(dst).asSlice(4L * dstOff, 4L * len), s, 4L * len, streams.current());
        } else {
            driver.streamSynchronize(streams.current());
        }
        be.checkIds();
    }

    void copy(Buf src, long srcOff, Buf dst, long dstOff, long n) {
        nonNegative("copy", "n", n);
        long s = be.ptr("copy", "src", src, srcOff, n), d = be.ptr("copy", "dst", dst, dstOff, n);
        be.enter();
        if (n > 0) k.copy(be.g1(n), s, d, n);
    }

    void fill(Buf dst, long off, long n, float value) {
        nonNegative("fill", "n", n);
        long d = be.ptr("fill", "dst", dst, off, n);
        be.enter();
        if (n > 0) k.fill(be.g1(n), d, n, value);
    }

    void copy2d(int rows, int cols, Buf src, long srcOff, int srcLd, Buf dst, long dstOff, int dstLd) {
        long s = be.mat("copy2d", "src", src, srcOff, rows, cols, srcLd);
        long d = be.mat("copy2d", "dst", dst, dstOff, rows, cols, dstLd);
        be.enter();
        if ((long) rows * cols > 0) k.copy2d(be.g1((long) rows * cols), rows, cols, s, srcLd, d, dstLd);
    }

    void transpose01(int d0, int d1, int d2, Buf x, long xOff, Buf y, long yOff) {
        nonNegative("transpose01", "d0", d0);
        nonNegative("transpose01", "d1", d1);
        nonNegative("transpose01", "d2", d2);
        long n = (long) d0 * d1 * d2;
        long xp = be.ptr("transpose01", "x", x, xOff, n), yp = be.ptr("transpose01", "y", y, yOff, n);
        be.enter();
        if (n > 0) k.transpose01(be.g1(n), d0, d1, d2, xp, yp);
    }
}
