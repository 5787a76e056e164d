package dev.jrnn.backend.cuda;

import dev.jrnn.backend.Buf;
import dev.jrnn.backend.Cleanup;
import dev.jrnn.backend.CopyQueue;

import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * {@link CudaBackend#copyQueue()}: a second, non-blocking stream for {@code cuMemcpyHtoDAsync_v2} from
 * page-locked host memory ({@code cuMemHostAlloc}, portable, so the loader thread may allocate it), ordered
 * against the backend's main stream by events ({@code cuEventRecord} / {@code cuStreamWaitEvent}, timing
 * off). Host memory may be allocated and freed from any thread; the rest is called by the thread that
 * drives the backend. Closing synchronizes the stream, then frees the host memory still allocated, the
 * events and the stream, also when one of those fails.
 */
final class CudaCopyQueue implements CopyQueue {
    /** The device address of {@code floats} values of {@code b} at {@code off}, checked against the backend. */
    @FunctionalInterface
    interface Pointers {
        long ptr(Buf b, long off, long floats);
    }

    private final CudaDriver driver;
    private final long mainStream;
    private final Pointers pointers;
    private final long stream;
    /** Host memory not freed yet, by address (guarded by itself). */
    private final Map<Long, MemorySegment> host = new HashMap<>();
    private final List<Event> markers = new ArrayList<>();
    private volatile boolean closed;

    CudaCopyQueue(CudaDriver driver, long mainStream, Pointers pointers) {
        this.driver = driver;
        this.mainStream = mainStream;
        this.pointers = pointers;
        this.stream = driver.streamCreate(CudaDriver.STREAM_NON_BLOCKING);
    }

    /** The copy stream (for timing events in tests). */
    long stream() { return stream; }

    /** Host segments allocated and not freed yet. */
    int liveHost() {
        synchronized (host) {
            return host.size();
        }
    }

    private final class Event implements Marker {
        final long handle;

        Event(long handle) { this.handle = handle; }

        @Override
        public void await() {
            if (!closed) driver.eventSynchronize(handle);
        }
    }

    private void open(String op) {
        if (closed) throw new IllegalStateException("CopyQueue." + op + ": the queue is closed");
    }

    private Event event(String op, Marker m) {
        open(op);
        if (!(m instanceof Event e) || !markers.contains(e)) {
            throw new IllegalArgumentException("CopyQueue." + op + ": the marker was not made by this queue (got " + m + ")");
        }
        return e;
    }

    @Override
    public MemorySegment allocHost(long floats) {
        if (floats <= 0) throw new IllegalArgumentException("CopyQueue.allocHost: floats must be > 0, got " + floats);
        open("allocHost");
        MemorySegment s = driver.hostAlloc(4L * floats, CudaDriver.HOST_ALLOC_PORTABLE);
        synchronized (host) {
            if (!closed) {
                host.put(s.address(), s);
                return s;
            }
        }
        driver.freeHost(s);   // closed meanwhile: nobody would free it
        throw new IllegalStateException("CopyQueue.allocHost: the queue is closed");
    }

    @Override
    public void freeHost(MemorySegment s) {
        MemorySegment own;
        synchronized (host) {
            own = s == null ? null : host.remove(s.address());
        }
        if (own == null) {
            if (closed) return;   // close freed it already
            throw new IllegalArgumentException("CopyQueue.freeHost: not host memory of this queue, or freed already: " + s);
        }
        driver.freeHost(own);
    }

    @Override
    public Marker marker() {
        open("marker");
        Event e = new Event(driver.eventCreate(CudaDriver.EVENT_DISABLE_TIMING));
        markers.add(e);
        return e;
    }

    @Override
    public void upload(MemorySegment src, Buf dst, long dstOff, long floats) {
        open("upload");
        if (src == null || !src.isNative()) {
            throw new IllegalArgumentException("CopyQueue.upload: src must be host memory from allocHost, got " + src);
        }
        if (floats < 0 || 4L * floats > src.byteSize()) {
            throw new IllegalArgumentException("CopyQueue.upload: " + floats + " floats requested, src holds " + src.byteSize() / 4);
        }
        long d = pointers.ptr(dst, dstOff, floats);
        driver.copyHtoD(d, src, 4L * floats, stream);
    }

    @Override
    public void recordCopies(Marker m) { driver.eventRecord(event("recordCopies", m).handle, stream); }

    @Override
    public void recordMain(Marker m) { driver.eventRecord(event("recordMain", m).handle, mainStream); }

    @Override
    public void copiesWait(Marker m) { driver.streamWaitEvent(stream, event("copiesWait", m).handle); }

    @Override
    public void mainWaits(Marker m) { driver.streamWaitEvent(mainStream, event("mainWaits", m).handle); }

    @Override
    public void close() {
        if (closed) return;
        List<Runnable> steps = new ArrayList<>();
        steps.add(() -> driver.streamSynchronize(stream));
        steps.add(() -> closed = true);
        steps.add(() -> {
            List<MemorySegment> left;
            synchronized (host) {
                closed = true;
                left = new ArrayList<>(host.values());
                host.clear();
            }
            Cleanup.each(left, driver::freeHost);
        });
        steps.add(() -> Cleanup.each(markers, e -> driver.eventDestroy(e.handle)));
        steps.add(markers::clear);
        steps.add(() -> driver.streamDestroy(stream));
        Cleanup.each(steps, Runnable::run);
    }
}
