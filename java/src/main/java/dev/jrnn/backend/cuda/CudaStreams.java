package dev.jrnn.backend.cuda;

import dev.jrnn.backend.Fork;
import dev.jrnn.backend.Precision;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/**
 * The streams of a {@link CudaBackend}: the main one, the second one of {@link #fork} (made on first use), which of
 * them calls are queued on now, the cuBLAS handle of each, and the events and open forks that order them.
 */
final class CudaStreams {
    private final CudaDriver driver;
    private final DevicePool pool;
    private final boolean on;
    private final BooleanSupplier closed;
    private final Supplier<Precision> precision;
    /** The backend's stream and cuBLAS handle. */
    private final long mainStream;
    private final Cublas cublas;
    /** Where calls are queued now: mainStream, or sideStream while a forked task runs, and that stream's handle. */
    private long stream;
    private Cublas blas;
    /** The second stream of fork and its cuBLAS handle (made on first use). */
    private long sideStream;
    private Cublas sideBlas;
    /** Events ordering the two streams: every one made, and those free for reuse. */
    private final List<Long> allEvents = new ArrayList<>();
    private final ArrayDeque<Long> freeEvents = new ArrayDeque<>();
    /** Forks not joined yet, including the one whose task is being queued. */
    private final List<CudaFork> openForks = new ArrayList<>();

    CudaStreams(CudaDriver driver, DevicePool pool, boolean on, long mainStream, Cublas cublas, BooleanSupplier closed,
                Supplier<Precision> precision) {
        this.driver = driver;
        this.pool = pool;
        this.on = on;
        this.mainStream = mainStream;
        this.cublas = cublas;
        this.stream = mainStream;
        this.blas = cublas;
        this.closed = closed;
        this.precision = precision;
    }

    /** The stream calls are queued on now. */
    long current() { return stream; }

    /** The cuBLAS handle of {@link #current()}. */
    Cublas blas() { return blas; }

    /** Whether calls go to the main stream now (not inside a forked task). */
    boolean onMain() { return stream == mainStream; }

    /** Whether work may run on the second stream beside a call made now (a forked task, or forks still open). */
    boolean forksActive() { return stream != mainStream || !openForks.isEmpty(); }

    /** Sets the math mode of the second stream's handle too (the backend sets the main one's). */
    void setMathMode(Precision p) {
        if (sideBlas != null) sideBlas.setMathMode(p);
    }

    /** Waits for the second stream (if made). */
    void synchronizeSide() {
        if (sideStream != 0) driver.streamSynchronize(sideStream);
    }

    /** Gives back the second stream, its handle and every event (the backend closes the main ones). */
    void close() {
        if (sideBlas != null) sideBlas.close();
        driver.streamDestroy(sideStream);
        for (long ev : allEvents) driver.eventDestroy(ev);
    }

    /**
     * Runs {@code task} now; with two streams (the default) its calls are queued on a second stream that
     * first waits for everything queued on the main stream so far, so that on the device they overlap
     * the calls made after this returns, until {@link Fork#join()} makes the main stream wait for them.
     * While a fork is outstanding, freed pool blocks are not reused (either stream may still read them);
     * each stream has its own cuBLAS handle and reduction workspace; inside the task the calls whose device
     * flags are shared ({@code gatherRows}, {@code scatterAddRows}, {@code checkIds}, {@code lossAsync}) and
     * {@code capture} are refused. Inside a capture both streams are captured into the one graph (join
     * before the step ends). A fork inside a forked task runs in order on the second stream.
     */
    Fork fork(Runnable task) {
        if (task == null) throw new IllegalArgumentException("fork: task is null");
        if (!on || stream == sideStream) {
            task.run();
            return Fork.DONE;
        }
        openSideStream();
        long start = event();
        driver.eventRecord(start, mainStream);
        driver.streamWaitEvent(sideStream, start);
        freeEvents.push(start);   // the wait has captured it: reusable at once
        pool.beginDeferredFrees();
        CudaFork f = new CudaFork();
        openForks.add(f);
        Throwable failure = null;
        stream = sideStream;
        blas = sideBlas;
        try {
            task.run();
        } catch (RuntimeException | Error e) {
            failure = e;
        } finally {
            stream = mainStream;
            blas = cublas;
        }
        try {
            long done = event();
            driver.eventRecord(done, sideStream);
            f.done = done;
        } catch (RuntimeException e) {
            if (failure == null) failure = e; else failure.addSuppressed(e);
        }
        if (failure != null) {
            try {
                f.join();
            } catch (RuntimeException e) {
                failure.addSuppressed(e);
            }
            if (failure instanceof Error er) throw er;
            throw (RuntimeException) failure;
        }
        return f;
    }

    /** A fork of this backend: joining makes the main stream wait for the event recorded after its task. */
    private final class CudaFork implements Fork {
        /** The event recorded after the task (0 until then, or when recording it failed). */
        private long done;
        private boolean joined;

        @Override
        public void join() {
            if (joined) return;
            joined = true;
            try {
                if (!closed.getAsBoolean() && done != 0) {
                    driver.streamWaitEvent(mainStream, done);
                    freeEvents.push(done);
                }
            } finally {
                done = 0;
                openForks.remove(this);
                if (!closed.getAsBoolean()) pool.endDeferredFrees();
            }
        }
    }

    /** An event from the free list, or a new one (timing off: they only order the streams). */
    private long event() {
        Long e = freeEvents.poll();
        if (e != null) return e;
        long ev = driver.eventCreate(CudaDriver.EVENT_DISABLE_TIMING);
        allEvents.add(ev);
        return ev;
    }

    /** Forks not joined yet (a captured step must end with none). */
    int outstandingForks() { return openForks.size(); }

    /**
     * Joins every fork not joined yet (a failed capture leaves none behind): all of them, also when one join
     * fails (each still ends its deferred frees); then throws the first failure.
     */
    void joinOutstandingForks() {
        RuntimeException first = null;
        for (CudaFork f : List.copyOf(openForks)) {
            try {
                f.join();
            } catch (RuntimeException e) {
                if (first == null) first = e; else first.addSuppressed(e);
            }
        }
        if (first != null) throw first;
    }


    /** Makes the second stream and its cuBLAS handle, once. */
    void openSideStream() {
        if (sideStream != 0) return;
        long s = driver.streamCreate();
        Cublas b = null;
        try {
            b = cublas.sibling();
            b.setStream(s);
            b.setMathMode(precision.get());
        } catch (RuntimeException | Error e) {
            Cublas made = b;
            CudaBackend.releaseQuietly(e, () -> { if (made != null) made.close(); }, () -> driver.streamDestroy(s));
            throw e;
        }
        sideBlas = b;
        sideStream = s;
    }

    /** Refuses {@code op} inside a forked task: it uses device flags both streams would share. */
    void refuseConcurrent(String op) {
        if (stream != mainStream) {
            throw new IllegalStateException(op + " cannot run inside a forked task (Backend.fork, runConcurrently):"
                    + " it uses device flags shared by both streams");
        }
    }

    /** Refuses a synchronizing call inside a forked task (the Backend contract: forked work never waits for the host). */
    void refuseSyncInFork(String op) {
        if (stream != mainStream) {
            throw new IllegalStateException(op + " synchronizes: it cannot run inside a forked task (Backend.fork,"
                    + " runConcurrently)");
        }
    }
}
