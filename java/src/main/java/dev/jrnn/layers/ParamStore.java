package dev.jrnn.layers;

import dev.jrnn.backend.Backend;
import dev.jrnn.backend.Buf;

import java.util.List;

/**
 * Flat value and gradient buffers for a list of parameters, laid out one after another in list
 * order. Binding copies each parameter's current values (if it had a store) into the new buffers.
 * A store whose parameters have all moved to newer stores closes itself, so the buffers of a layer's
 * own store (or an older model's) are given back as soon as nothing reads them any more.
 */
public final class ParamStore implements AutoCloseable {
    private final Backend backend;
    private final Buf values;
    private final Buf grads;
    private final long size;
    private final List<Param> params;
    private int bound;   // parameters still bound here; 0 after all moved on -> closed
    private volatile String closedBy;   // the model whose close() freed this store, for messages

    /** Binds {@code params} into fresh flat buffers on {@code be}, keeping their current values. */
    public ParamStore(Backend be, List<Param> params) {
        this.backend = be;
        this.params = List.copyOf(params);
        long n = 0;
        for (Param p : params) n += p.size();
        this.size = n;
        this.values = be.alloc(Math.max(1, n));
        Buf g = null;
        try {
            g = be.alloc(Math.max(1, n));
        } finally {
            if (g == null) values.close();   // out of memory for the gradients: give the values back
        }
        this.grads = g;
        long off = 0;
        for (Param p : params) {
            if (p.isBound()) {
                ParamStore old = p.store();
                if (old.backend == be) {
                    be.copy(old.values, p.offset(), values, off, p.size());
                } else {
                    float[] tmp = new float[(int) p.size()];
                    old.backend.download(old.values, p.offset(), tmp, 0, tmp.length);
                    be.upload(tmp, 0, values, off, tmp.length);
                }
            }
            ParamStore old = p.isBound() ? p.store() : null;
            p.bind(this, off);
            bound++;
            if (old != null && old != this) old.unbindOne();
            off += p.size();
        }
        if (bound == 0) close();   // nothing to hold (Dropout, Masking, ...): give the placeholder buffers back now
    }

    private synchronized void unbindOne() {
        if (--bound == 0) close();
    }

    public Backend backend() { return backend; }

    /** The name of the model whose close() freed this store, or null. */
    public String closedBy() { return closedBy; }

    /** Frees the buffers as {@link #close()}, remembering that model {@code owner} closed them (for messages). */
    public void closeFor(String owner) {
        closedBy = owner;
        close();
    }
    public Buf values() { return values; }
    public Buf grads() { return grads; }
    /** Number of floats across all parameters. */
    public long size() { return size; }
    public List<Param> params() { return params; }

    /** Sets all gradients to zero. */
    public void zeroGrads() {
        if (size > 0) backend.fill(grads, 0, size, 0f);
    }

    @Override
    public void close() {
        values.close();
        grads.close();
    }
}
