package dev.jrnn.backend.cuda;

import dev.jrnn.backend.Buf;
import dev.jrnn.backend.CopyQueue;
import dev.jrnn.backend.Settings;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.lang.foreign.MemorySegment;
import java.util.Locale;

import static java.lang.foreign.ValueLayout.JAVA_FLOAT;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The copy queue on a GPU: a copy of 256 MB from page-locked memory runs on its own stream while the main
 * stream computes (timing events on both streams: the copy's span lies inside the compute's), lands intact,
 * and a main-stream wait on its marker orders a read after it. Skipped without a device.
 */
@Tag("gpu")
class CudaCopyQueueGpuTest {
    @Test
    void theCopyOverlapsTheComputeAndLandsIntact() {
        assumeTrue(CudaDriver.isAvailable(), "no CUDA device");
        int n = 64 << 20;   // 256 MB
        int m = 4096;
        try (CudaBackend be = CudaBackend.create(Settings.current());
             CopyQueue q = be.copyQueue();
             Buf a = be.alloc((long) m * m); Buf c = be.alloc((long) m * m);
             Buf dst = be.alloc(n); Buf check = be.alloc(n)) {
            CudaCopyQueue cq = (CudaCopyQueue) q;
            CudaDriver d = be.driver();
            MemorySegment host = q.allocHost(n);
            for (int i = 0; i < n; i += 4096) host.setAtIndex(JAVA_FLOAT, i, i * 0.5f);
            be.fill(a, 0, (long) m * m, 1e-3f);
            be.synchronize();
            long e0 = d.eventCreate(), e1 = d.eventCreate(), c0 = d.eventCreate(), c1 = d.eventCreate();
            try {
                d.eventRecord(e0, be.streamHandle());
                for (int i = 0; i < 12; i++) be.gemm(false, false, m, m, m, 1f, a, 0, m, a, 0, m, 0f, c, 0, m);   // ~1.6 TFLOP
                d.eventRecord(e1, be.streamHandle());
                d.eventRecord(c0, cq.stream());
                q.upload(host, dst, 0, n);
                d.eventRecord(c1, cq.stream());
                CopyQueue.Marker copied = q.marker();
                q.recordCopies(copied);
                q.mainWaits(copied);
                be.copy(dst, 0, check, 0, n);   // ordered after the copy by the marker
                be.synchronize();
                float compute = d.eventElapsedMs(e0, e1), copyStart = d.eventElapsedMs(e0, c0), copyEnd = d.eventElapsedMs(e0, c1);
                float copy = copyEnd - copyStart;
                double overlapped = Math.max(0, Math.min(copyEnd, compute) - Math.max(copyStart, 0)) / copy;
                System.out.printf(Locale.ROOT, "copy queue: compute %.2f ms, copy of 256 MB %.2f ms (%.1f GB/s) from %.2f to %.2f ms, %.0f%% overlapped%n",
                        compute, copy, 0.256 / (copy / 1e3), copyStart, copyEnd, 100 * overlapped);
                assertTrue(compute > 1.2 * copy, "the compute must outlast the copy for the check to mean anything: " + compute + " vs " + copy + " ms");
                assertTrue(overlapped >= 0.9, "copy from " + copyStart + " to " + copyEnd + " ms, compute to " + compute + " ms");
            } finally {
                for (long e : new long[] {e0, e1, c0, c1}) d.eventDestroy(e);
            }
            float[] got = new float[n];
            be.download(check, 0, got, 0, n);
            float[] want = host.asSlice(0, 4L * n).toArray(JAVA_FLOAT);
            assertArrayEquals(want, got);
        }
    }
}
