package dev.jrnn.layers;

import dev.jrnn.backend.Backend;
import dev.jrnn.backend.Buf;

import java.util.List;

/**
 * Flat value and gradient buffers for a list of parameters, laid out one after another in list
 * order. Binding copies each parameter's current values (if it had a store) into the new buffers.
 * A store whose parameters have all moved to newer stores closes itself, so the buffers of a layer's
 * own store (or an older model's) are given back as soon as nothing reads them any more.
 * The gradients are allocated on first use: a model that only predicts never holds them. A store made
 * {@link #deferred} (a layer built for a loader, rebound into the model's store right after) allocates
 * its values on first use too.
 */
public final class ParamStore implements AutoCloseable {
    private final Backend backend;
    private volatile Buf values;   // null until first use in a deferred store
    private volatile Buf grads;    // null until first use
    private final long size;
    private final List<Param> params;
    private int bound;   // parameters still bound here; 0 after all moved on -> closed
    private boolean closed;
    private volatile String closedBy;   // the model whose close() freed this store, for messages

    /** Binds {@code params} into fresh flat buffers on {@code be}, keeping their current values. */
    public ParamStore(Backend be, List<Param> params) {
        this(be, params, false);
    }

    /**
     * Gives {@code layer} its weights back as a store of its own (freed by its {@link Layer#discardBuild}): those of its
     * parameters not in {@code shared} move out of the store they are in now. What a layer removed from a model keeps.
     */
    public static void detach(Layer layer, java.util.Set<Param> shared) {
        List<Param> own = new java.util.ArrayList<>();
        for (Param p : layer.params) if (!shared.contains(p) && !own.contains(p)) own.add(p);
        if (own.isEmpty()) return;
        ParamStore mine = new ParamStore(own.get(0).backend(), own);
        if (layer.store != null && layer.store != mine) layer.store.close();   // its first store: every value moved on already
        layer.store = mine;
    }

    /**
     * Binds {@code params} without allocating when none of them holds values yet: the values are then zeros
     * until first read or written. For layers built inside {@link Layer#buildForLoading}, whose parameters a
     * model's store takes over before anything reads them.
     */
    public static ParamStore deferred(Backend be, List<Param> params) {
        return new ParamStore(be, params, true);
    }

    private ParamStore(Backend be, List<Param> params, boolean deferred) {
        this.backend = be;
        this.params = List.copyOf(params);
        long n = 0;
        for (Param p : params) n += p.size();
        this.size = n;
        boolean keep = false;   // parameters whose values live in an older store are copied, never dropped
        for (Param p : params) keep |= p.isBound() && p.store().values != null;
        Buf v = deferred && !keep ? null : be.alloc(Math.max(1, n));
        this.values = v;   // before binding: a copy that fails half way leaves the bound parameters their values
        long off = 0;
        for (Param p : params) {
            ParamStore old = p.isBound() ? p.store() : null;
            Buf from = old == null || v == null ? null : old.values;
            if (from != null) {   // an old store whose values were never used holds zeros, as the new one
                if (old.backend == be) {
                    be.copy(from, p.offset(), v, off, p.size());
                } else {
                    float[] tmp = new float[(int) p.size()];
                    old.backend.download(from, p.offset(), tmp, 0, tmp.length);
                    be.upload(tmp, 0, v, off, tmp.length);
                }
            }
            p.bind(this, off);
            bound++;
            if (old != null && old != this) old.unbindOne();
            off += p.size();
        }
        if (bound == 0) {   // nothing to hold (Dropout, Masking, ...): closed placeholders, so values() and grads() never throw
            if (v == null) this.values = be.alloc(1);
            this.grads = be.alloc(1);
            close();
        }
    }

    private synchronized void unbindOne() {
        if (--bound == 0) close();
    }

    /** The backend its buffers live on. */
    public Backend backend() { return backend; }

    /** The name of the model whose close() freed this store, or null. */
    public String closedBy() { return closedBy; }

    /** Frees the buffers as {@link #close()}, remembering that model {@code owner} closed them (for messages). */
    public void closeFor(String owner) {
        closedBy = owner;
        close();
    }

    /** The values buffer (allocated, zero-filled, on first use in a deferred store). */
    public Buf values() {
        Buf v = values;
        return v != null ? v : allocated(true);
    }

    /** The gradient buffer, allocated (zero-filled) on first use. */
    public Buf grads() {
        Buf g = grads;
        return g != null ? g : allocated(false);
    }

    private synchronized Buf allocated(boolean forValues) {
        Buf b = forValues ? values : grads;
        if (b != null) return b;
        if (closed) {
            throw new dev.jrnn.backend.BufferClosedException("parameter store of " + size + " floats used after close()"
                    + (closedBy == null ? "" : " (freed when model " + closedBy + " was closed)"));
        }
        b = backend.alloc(Math.max(1, size));
        if (forValues) values = b;
        else grads = b;
        return b;
    }

    /** Number of floats across all parameters. */
    public long size() { return size; }

    /** The weights it holds, in order. */
    public List<Param> params() { return params; }

    /** Sets all gradients to zero. */
    public void zeroGrads() {
        if (size > 0) backend.fill(grads(), 0, size, 0f);
    }

    @Override
    public synchronized void close() {
        closed = true;
        if (values != null) values.close();
        if (grads != null) grads.close();
    }
}
