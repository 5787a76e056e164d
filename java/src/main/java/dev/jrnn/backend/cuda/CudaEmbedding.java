package dev.jrnn.backend.cuda;

import dev.jrnn.backend.Buf;
import dev.jrnn.backend.Checks;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * {@link CudaBackend}'s embedding operations (gatherRows, scatterAddRows): arguments checked, then one launch on
 * the current stream; an id outside the table sets the backend's device flag ({@code small + 16}), reported by its
 * next synchronizing call ({@link #checkIds}).
 */
final class CudaEmbedding {
    private final CudaBackend be;
    private final CudaDriver driver;
    private final CudaKernels k;
    private final CudaStreams streams;
    /** The backend's 64 bytes of device scratch ([16,20): embedding id error). */
    private final long small;
    /** Host side of reads of {@code small}. */
    private final MemorySegment host;

    CudaEmbedding(CudaBackend be, CudaDriver driver, CudaKernels k, CudaStreams streams, long small,
                  MemorySegment host) {
        this.be = be;
        this.driver = driver;
        this.k = k;
        this.streams = streams;
        this.small = small;
        this.host = host;
    }

    void gatherRows(int n, int dim, Buf idx, long idxOff, Buf table, long tableOff, Buf out, long outOff) {
        Checks.rows("gatherRows", n, dim);
        long ip = be.ptr("gatherRows", "idx", idx, idxOff, n);
        long vocab = vocab("gatherRows", table, tableOff, dim);
        long tp = be.ptr("gatherRows", "table", table, tableOff, vocab * dim);
        long op = be.ptr("gatherRows", "out", out, outOff, (long) n * dim);
        be.enter();
        be.refuseConcurrent("gatherRows");
        if (n == 0) return;
        if ((long) n * dim > 0) k.gatherRows(be.g1((long) n * dim), n, dim, ip, tp, vocab, op, small + 16);
        be.idsPending = true;
    }

    void scatterAddRows(int n, int dim, Buf idx, long idxOff, Buf dOut, long dOutOff, Buf dTable, long dTableOff) {
        Checks.rows("scatterAddRows", n, dim);
        long ip = be.ptr("scatterAddRows", "idx", idx, idxOff, n);
        long dp = be.ptr("scatterAddRows", "dOut", dOut, dOutOff, (long) n * dim);
        long vocab = vocab("scatterAddRows", dTable, dTableOff, dim);
        long tp = be.ptr("scatterAddRows", "dTable", dTable, dTableOff, vocab * dim);
        be.enter();
        be.refuseConcurrent("scatterAddRows");
        if (n == 0) return;
        if ((long) n * dim > 0) k.scatterAddRows(be.g1((long) n * dim), n, dim, ip, dp, vocab, tp, small + 16);
        be.idsPending = true;
    }

    /** Rows of {@code dim} floats the table buffer holds after {@code off}. */
    private static long vocab(String op, Buf table, long off, int dim) {
        if (table == null) throw new IllegalArgumentException(op + ": table is null");
        if (off < 0 || off > table.size()) {
            throw new IllegalArgumentException(op + ": table offset " + off + " is outside its buffer of "
                    + table.size() + " floats");
        }
        return (table.size() - off) / dim;
    }

    /** Copies the first {@code bytes} of {@code small} to {@link #host} (synchronizes). */
    private void readSmall(long offset, long bytes) {
        driver.copyDtoH(host, small + offset, bytes, streams.current());
    }

    /** Throws if an embedding kernel met an id outside its table since the last check. */
    void checkIds() {
        RuntimeException deferred = be.training.takeDeferredError();   // checkIds / lossAsync reports
        if (deferred != null) {
            if (be.idsPending) {   // the ids it rejected were also flagged by the lookups: one report is enough
                be.idsPending = false;
                k.fill(be.g1(1), small + 16, 1L, 0f);
            }
            throw deferred;
        }
        if (!be.idsPending) return;
        be.idsPending = false;
        readSmall(16, 4);
        if (host.get(ValueLayout.JAVA_INT, 0) != 0) {
            k.fill(be.g1(1), small + 16, 1L, 0f);
            throw new IllegalArgumentException("gatherRows/scatterAddRows: an id is not an integer in [0, vocab)"
                    + " of its table (vocab = rows of the table buffer); its row was zeroed/skipped");
        }
    }
}
