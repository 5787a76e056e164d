package dev.jrnn.backend;

import java.lang.foreign.MemorySegment;

/**
 * Host-to-device copies on a queue of their own, from host memory the device reads directly, so that the
 * copy of the next batch runs while the backend computes on the current one. Made by
 * {@link Backend#copyQueue()} (CUDA: a second stream, page-locked memory from {@code cuMemHostAlloc}, events);
 * the two queues are ordered only by {@link Marker}s: the copy queue must not overwrite a buffer before
 * the backend's main queue has read it, and the main queue must not read it before its copy is done.
 * Closing waits for the queued copies and frees every host segment and marker it made.
 *
 * <pre>{@code
 * try (CopyQueue q = be.copyQueue()) {                // null on a backend without one (the CPU's)
 *     if (q == null) return;
 *     MemorySegment host = q.allocHost(n);            // filled by a loader thread
 *     CopyQueue.Marker copied = q.marker(), read = q.marker();
 *     q.copiesWait(read);                             // the main queue is done with dst's last content
 *     q.upload(host, dst, 0, n);                      // overlaps what the main queue runs now
 *     q.recordCopies(copied);
 *     q.mainWaits(copied);                            // main-queue work from here on sees the data
 *     be.copy(dst, 0, input, 0, n);
 *     q.recordMain(read);
 * }
 * }</pre>
 */
public interface CopyQueue extends AutoCloseable {
    /** A point in one queue's work, recorded again and again; the other queue or the host can wait for it. */
    interface Marker {
        /** Blocks the calling thread until the work before the marker's last recording is done (at once if never recorded). */
        void await();
    }

    /** Host memory of {@code floats} float32 values that the copies read directly (CUDA: page-locked); any thread. */
    MemorySegment allocHost(long floats);

    /** Frees memory from {@link #allocHost}; wait for the copies that read it first. Any thread. */
    void freeHost(MemorySegment host);

    /** A new marker, owned by this queue. */
    Marker marker();

    /** Queues the copy of {@code floats} values from {@code src} (from {@link #allocHost}) into {@code dst} at {@code dstOff}. */
    void upload(MemorySegment src, Buf dst, long dstOff, long floats);

    /** Records {@code m} after the copies queued so far. */
    void recordCopies(Marker m);

    /** Records {@code m} after the work queued on the backend's main queue so far. */
    void recordMain(Marker m);

    /** Copies queued from now on wait for {@code m}'s last recording (the host does not wait). */
    void copiesWait(Marker m);

    /** Main-queue work queued from now on waits for {@code m}'s last recording (the host does not wait). */
    void mainWaits(Marker m);

    /** Waits for the queued copies, then frees the host memory and markers this queue made. */
    @Override
    void close();
}
