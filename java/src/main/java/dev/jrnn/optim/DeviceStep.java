package dev.jrnn.optim;

import dev.jrnn.backend.Backend;
import dev.jrnn.backend.Buf;
import dev.jrnn.backend.CounterRng;

/**
 * The step count t of a counted optimizer in device memory (t as lo, hi floats, then scratch), so that a replayed
 * CUDA graph of a train step advances it on the device, with a host mirror of the t it holds. When the mirror
 * disagrees with the optimizer's iterations (iterations set, a step undone) the next update reloads it.
 */
final class DeviceStep implements AutoCloseable {
    private final Buf buf;
    /** The t the device holds, or -2 when unknown. */
    private long held;

    DeviceStep(Backend be, int floats) {
        this.buf = be.alloc(floats);
    }

    /** The counter for the update of step {@code t}: t - 1 is loaded first unless the device holds it already. */
    Buf before(Backend be, long t) {
        if (held != t - 1) be.upload(new float[] {CounterRng.lo(t - 1), CounterRng.hi(t - 1)}, 0, buf, 0, 2);
        return buf;
    }

    /** The update of step {@code t} was queued: the device holds t. */
    void after(long t) { held = t; }

    /** The iterations changed behind the mirror's back: reload before the next update. */
    void invalidate() { held = -2; }

    /** A captured update was replayed: the device counter moved on by one. */
    void replayed() {
        if (held >= 0) held++;
    }

    @Override
    public void close() { buf.close(); }
}
