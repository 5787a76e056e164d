package dev.jrnn.backend.cuda;

import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import dev.jrnn.backend.Backend;
import dev.jrnn.backend.Buf;
import dev.jrnn.backend.Communicator;
import dev.jrnn.backend.DistributedException;
import java.lang.foreign.FunctionDescriptor;
import java.lang.invoke.MethodHandle;
import java.util.ArrayDeque;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;

/**
 * A {@link Communicator} over NCCL for one rank on a {@link CudaBackend}. The collectives run on a stream of their
 * own: each waits (by an event) for what the backend queued before it, so a bucket of gradients is reduced while the
 * backward pass goes on with earlier layers; {@link #join()} makes the backend's stream wait for them. Inside a
 * captured CUDA graph the same event pattern forks the NCCL stream into the capture and joins it back.
 *
 * <p>A watchdog thread polls {@code ncclCommGetAsyncError} and the {@link #fence} events; an error, or a fence not
 * reached within the timeout (a rank stuck or lost), aborts the communicator ({@code ncclCommAbort}, which makes
 * unfinished NCCL kernels return) and calls the abort listener, which tells the other ranks.
 *
 * <pre>{@code
 * byte[] id = NcclCommunicator.uniqueId();            // rank 0, handed to the others by the rendezvous
 * Communicator c = NcclCommunicator.create(backend, id, rank, size, 300_000);
 * }</pre>
 */
public final class NcclCommunicator implements Communicator {
    private static final int CUDA_SUCCESS = 0, CUDA_ERROR_NOT_READY = 600;
    private static final long POLL_MS = 100;

    private final CudaBackend be;
    private final CudaDriver driver;
    private final Nccl nccl;
    private final int rank, size;
    private final long timeoutMs;
    private final long comm;
    private final long stream;
    private final long before, after;   // backend -> NCCL stream, NCCL stream -> backend
    private final MethodHandle eventQuery;
    private final ArrayDeque<long[]> fences = new ArrayDeque<>();   // {event, nanoTime recorded}
    private final ArrayDeque<Long> freeFences = new ArrayDeque<>();
    private final AtomicReference<String> aborted = new AtomicReference<>();
    private volatile Consumer<String> onAbort = r -> {};
    private final Thread watchdog;
    /**
     * Guards the communicator handle between the watchdog's polls, abort and close, apart from the monitor the
     * caller's collectives hold: a collective can block on the host (NCCL connects to its peers at first use), and
     * {@code ncclCommAbort} from another thread is what unblocks it.
     */
    private final Object handleLock = new Object();
    private boolean freed;   // under handleLock: ncclCommAbort or ncclCommDestroy ran
    private boolean pending;
    private volatile boolean closed;

    /** NCCL's version (e.g. 22805) of the library {@link CudaLibraries#nccl()} finds. */
    public static int version() { return Nccl.load().version(); }

    /** A fresh {@code ncclUniqueId} (rank 0 makes it and hands it to the others). */
    public static byte[] uniqueId() {
        Nccl nccl = Nccl.load();   // a missing NCCL is named before a missing driver
        CudaDriver.get().ensureCurrent();
        return nccl.uniqueId();
    }

    /**
     * Joins the communicator {@code id} as {@code rank} of {@code size} on {@code backend} (a CUDA backend), waiting
     * at most {@code timeoutMs} for the other ranks ({@code ncclCommInitRank} blocks until all have called it).
     */
    public static Communicator create(Backend backend, byte[] id, int rank, int size, long timeoutMs) {
        if (!(backend instanceof CudaBackend cb)) {
            throw new IllegalArgumentException("NCCL needs the CUDA backend, got " + (backend == null ? "null" : backend.name()));
        }
        if (size < 1 || rank < 0 || rank >= size) {
            throw new IllegalArgumentException("NCCL: rank must be in [0, size) and size >= 1, got rank " + rank + " of " + size);
        }
        Nccl nccl = Nccl.load();
        // ncclCommInitRank has no timeout of its own: it runs on a daemon thread, so a rank that never comes
        // leaves that thread waiting, not the caller.
        long[] comm = new long[1];
        RuntimeException[] failure = new RuntimeException[1];
        Thread init = Thread.ofPlatform().daemon().name("jrnn-nccl-init-" + rank).start(() -> {
            try {
                cb.driver().ensureCurrent();
                comm[0] = nccl.commInitRank(size, id, rank);
            } catch (RuntimeException e) {
                failure[0] = e;
            }
        });
        try {
            if (!init.join(java.time.Duration.ofMillis(timeoutMs))) {
                throw new DistributedException("rank " + rank + ": ncclCommInitRank did not complete within " + timeoutMs / 1000
                        + " s: not every one of the " + size + " ranks joined the communicator");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new DistributedException("rank " + rank + ": interrupted in ncclCommInitRank", e);
        }
        if (failure[0] != null) throw new DistributedException("rank " + rank + ": " + failure[0].getMessage(), failure[0]);
        return new NcclCommunicator(cb, nccl, comm[0], rank, size, timeoutMs);
    }

    private NcclCommunicator(CudaBackend be, Nccl nccl, long comm, int rank, int size, long timeoutMs) {
        this.be = be;
        this.driver = be.driver();
        this.nccl = nccl;
        this.comm = comm;
        this.rank = rank;
        this.size = size;
        this.timeoutMs = timeoutMs;
        driver.ensureCurrent();
        this.stream = driver.streamCreate();
        this.before = driver.eventCreate(CudaDriver.EVENT_DISABLE_TIMING);
        this.after = driver.eventCreate(CudaDriver.EVENT_DISABLE_TIMING);
        this.eventQuery = CudaLibraries.cuda().lib().downcall(FunctionDescriptor.of(JAVA_INT, JAVA_LONG), "cuEventQuery");
        this.watchdog = Thread.ofPlatform().daemon().name("jrnn-nccl-watchdog-" + rank).start(this::watch);
    }

    @Override
    public void onAbort(Consumer<String> listener) { this.onAbort = listener == null ? r -> {} : listener; }

    @Override
    public int rank() { return rank; }

    @Override
    public int size() { return size; }

    @Override
    public Backend backend() { return be; }

    @Override
    public synchronized void allReduce(Buf buf, long off, long count, Op op) {
        long p = start("allReduce", buf, off, count);
        if (count == 0) return;
        nccl.allReduce(p, p, count, op == Op.AVG ? Nccl.AVG : Nccl.SUM, comm, stream);
    }

    @Override
    public synchronized void broadcast(Buf buf, long off, long count, int root) {
        if (root < 0 || root >= size) throw new IllegalArgumentException("broadcast: root must be in [0, " + size + "), got " + root);
        long p = start("broadcast", buf, off, count);
        if (count == 0) return;
        nccl.broadcast(p, p, count, root, comm, stream);
    }

    /** Checks the state and the span, and makes the NCCL stream wait for the backend's work so far. */
    private long start(String op, Buf buf, long off, long count) {
        healthy();
        long p = be.ptr(op, "buf", buf, off, count);
        driver.ensureCurrent();
        driver.eventRecord(before, be.currentStream());
        driver.streamWaitEvent(stream, before);
        pending = true;
        return p;
    }

    @Override
    public synchronized void group(Runnable starts) {
        healthy();
        nccl.groupStart();
        try {
            starts.run();
        } finally {
            nccl.groupEnd();
        }
    }

    @Override
    public synchronized void join() {
        healthy();
        if (!pending) return;
        driver.eventRecord(after, stream);
        driver.streamWaitEvent(be.currentStream(), after);
        pending = false;
    }

    @Override
    public synchronized void fence() {
        healthy();
        synchronized (handleLock) {
            Long ev = freeFences.poll();
            long e = ev != null ? ev : driver.eventCreate(CudaDriver.EVENT_DISABLE_TIMING);
            driver.eventRecord(e, stream);
            fences.add(new long[] {e, System.nanoTime()});
        }
    }

    private void healthy() {
        if (closed) throw new IllegalStateException("NcclCommunicator (rank " + rank + ") is closed");
        String r = aborted.get();
        if (r != null) throw new DistributedException(r);
    }

    @Override
    public void abort(String reason) {
        if (!aborted.compareAndSet(null, reason)) return;
        synchronized (handleLock) {   // not while the watchdog polls the handle; a blocked collective may hold the monitor
            if (!freed) {
                freed = true;
                try {
                    nccl.commAbort(comm);
                } catch (CudaException e) {
                    // the communicator is gone either way; the reason stays the first failure
                }
            }
        }
        onAbort.accept(reason);
    }

    @Override
    public String abortReason() { return aborted.get(); }

    private void watch() {
        while (aborted.get() == null) {
            try {
                Thread.sleep(POLL_MS);
            } catch (InterruptedException e) {
                return;
            }
            synchronized (handleLock) {
                if (freed || closed || aborted.get() != null) return;
                int err = nccl.asyncError(comm);
                if (err != Nccl.SUCCESS && err != Nccl.IN_PROGRESS) {
                    abortLater("rank " + rank + ": NCCL reported " + Nccl.resultName(err) + " (" + nccl.errorString(err)
                            + "): a peer failed or the network broke");
                    return;
                }
                long[] oldest;
                while ((oldest = fences.peek()) != null) {
                    int q = query(oldest[0]);
                    if (q == CUDA_SUCCESS) {
                        freeFences.add(fences.poll()[0]);
                    } else if (q == CUDA_ERROR_NOT_READY) {
                        long waited = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - oldest[1]);
                        if (waited > timeoutMs) {
                            abortLater("rank " + rank + ": a collective queued " + waited / 1000 + " s ago has not completed"
                                    + " (timeout " + timeoutMs / 1000 + " s): another rank is stuck or lost");
                            return;
                        }
                        break;
                    } else {
                        abortLater("rank " + rank + ": cuEventQuery of a collective's fence failed with CUDA error " + q);
                        return;
                    }
                }
            }
        }
    }

    // Outside the monitor: ncclCommAbort waits for nothing the caller's thread holds, but the listener may do I/O.
    private void abortLater(String reason) {
        Thread.ofPlatform().daemon().name("jrnn-nccl-abort-" + rank).start(() -> abort(reason));
    }

    private int query(long ev) {
        try {
            driver.ensureCurrent();
            return (int) eventQuery.invokeExact(ev);
        } catch (Throwable t) {
            throw CudaDriver.rethrow(t);
        }
    }

    @Override
    public synchronized void close() {
        if (closed) return;
        closed = true;
        watchdog.interrupt();
        try {
            if (aborted.get() == null) driver.streamSynchronize(stream);   // an abort from another thread ends a hang here
        } finally {
            synchronized (handleLock) {
                if (!freed) {
                    freed = true;
                    nccl.commDestroy(comm);
                }
                driver.streamDestroy(stream);
                driver.eventDestroy(before);
                driver.eventDestroy(after);
                for (long[] f : fences) driver.eventDestroy(f[0]);
                for (long e : freeFences) driver.eventDestroy(e);
            }
        }
    }

    @Override
    public String toString() {
        return "NcclCommunicator{rank " + rank + " of " + size + ", NCCL " + nccl.libraryPath() + "}";
    }
}
