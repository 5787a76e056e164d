package dev.jrnn.backend;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * {@link RecordingBackend}'s {@link CopyQueue}: a copy runs as late as a device could run it, when the main
 * queue or the host waits for a marker recorded after it, and it reads its host memory only then. So a main
 * queue that reads a slot before waiting for its copy, or a loader that refills host memory whose copy has not
 * run, gives different numbers than in-memory training. The main queue runs eagerly (RecordingBackend outside a
 * capture), so waits of the copies for the main queue are satisfied at once. Counts what it did, for tests.
 */
public final class DeferredCopyQueue implements CopyQueue {
    private final RecordingBackend be;
    /** Copies queued and not run yet, in order; {@link #done} of all queued so far have run. */
    private final List<Runnable> pending = new ArrayList<>();
    private long queued, done;
    private final Map<Long, Arena> host = new HashMap<>();
    private final List<Mark> markers = new ArrayList<>();
    public int uploads, hostAllocs, hostFrees, mainWaits, copyWaits, hostWaits;
    public boolean closed;

    DeferredCopyQueue(RecordingBackend be) { this.be = be; }

    private final class Mark implements Marker {
        long at;   // copies queued before the last recordCopies (0: recorded on the main queue or never)

        @Override
        public void await() {
            synchronized (DeferredCopyQueue.this) {
                hostWaits++;
                runUpTo(at);
            }
        }
    }

    private void runUpTo(long n) {
        while (done < n) {
            pending.removeFirst().run();
            done++;
        }
    }

    /** Host segments not freed yet. */
    public synchronized int liveHost() { return host.size(); }

    @Override
    public synchronized MemorySegment allocHost(long floats) {
        if (closed) throw new IllegalStateException("DeferredCopyQueue: closed");
        Arena a = Arena.ofShared();
        MemorySegment s = a.allocate(4L * floats, 64);
        host.put(s.address(), a);
        hostAllocs++;
        return s;
    }

    @Override
    public synchronized void freeHost(MemorySegment s) {
        Arena a = host.remove(s.address());
        if (a == null) {
            if (closed) return;
            throw new IllegalArgumentException("freeHost: not host memory of this queue: " + s);
        }
        hostFrees++;
        a.close();
    }

    @Override
    public synchronized Marker marker() {
        Mark m = new Mark();
        markers.add(m);
        return m;
    }

    @Override
    public synchronized void upload(MemorySegment src, Buf dst, long dstOff, long floats) {
        if (!src.isNative() || !host.containsKey(src.address())) throw new IllegalArgumentException("upload: src is not host memory of this queue");
        Buf in = be.innerBuf(dst);
        uploads++;
        queued++;
        pending.add(() -> {
            float[] v = src.asSlice(0, 4 * floats).toArray(ValueLayout.JAVA_FLOAT);   // read now, as a DMA would
            be.inner().upload(v, 0, in, dstOff, v.length);
        });
    }

    private Mark own(Marker m) {
        if (!(m instanceof Mark k) || !markers.contains(k)) throw new IllegalArgumentException("marker of another queue: " + m);
        return k;
    }

    @Override
    public synchronized void recordCopies(Marker m) { own(m).at = queued; }

    @Override
    public synchronized void recordMain(Marker m) { own(m).at = 0; }

    @Override
    public synchronized void copiesWait(Marker m) {
        own(m);
        copyWaits++;
    }

    @Override
    public synchronized void mainWaits(Marker m) {
        mainWaits++;
        runUpTo(own(m).at);
    }

    @Override
    public synchronized void close() {
        if (closed) return;
        runUpTo(queued);
        closed = true;
        for (Arena a : host.values()) {
            a.close();
            hostFrees++;
        }
        host.clear();
    }
}
