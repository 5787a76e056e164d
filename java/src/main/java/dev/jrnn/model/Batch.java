package dev.jrnn.model;

import dev.jrnn.backend.Backend;
import dev.jrnn.backend.Buf;
import dev.jrnn.backend.DTensor;
import dev.jrnn.tensor.Tensor;

import java.util.ArrayList;
import java.util.List;

/**
 * One {@link HostBatch} on the device: the inputs, the length mask (or null) and the targets (null for
 * an output without one, or when not asked for). Owned: closing it frees them. A captured train step
 * refills the same buffers with the next batch of the same size. Inputs staged by a {@link DeviceFeed} are
 * copied on the device from their slot (after their copy), the others uploaded from the host.
 */
final class Batch implements AutoCloseable {
    private final Backend backend;
    final List<DTensor> xs = new ArrayList<>();
    DTensor mask;
    final List<DTensor> ys = new ArrayList<>();

    /** Uploads {@code h}, its targets only when {@code targets}. */
    Batch(Backend backend, HostBatch h, boolean targets) {
        this.backend = backend;
        try {
            DeviceFeed.Staged st = h.staged();
            for (int i = 0; i < h.inputs(); i++) xs.add(st != null ? fromSlot(st, i) : upload(h.xs().get(i)));
            if (st != null) st.done();
            if (h.mask() != null) mask = upload(h.mask());
            for (Tensor y : h.ys()) ys.add(targets && y != null ? upload(y) : null);
        } catch (RuntimeException | Error e) {
            close();
            throw e;
        }
    }

    /** Copies {@code h} (of this batch's shapes) into this batch's buffers. */
    void refill(HostBatch h) {
        DeviceFeed.Staged st = h.staged();
        for (int i = 0; i < xs.size(); i++) {
            if (st != null) st.into(i, xs.get(i).buf());
            else put(xs.get(i), h.xs().get(i));
        }
        if (st != null) st.done();
        if (mask != null) put(mask, h.mask());
        for (int k = 0; k < ys.size(); k++) if (ys.get(k) != null) put(ys.get(k), h.ys().get(k));
    }

    private void put(DTensor d, Tensor t) {
        backend.upload(t.data(), 0, d.buf(), 0, t.size());
    }

    /** Input {@code i} of a staged batch, copied on the device out of its slot. */
    private DTensor fromSlot(DeviceFeed.Staged st, int i) {
        int[] shape = st.shape(i);
        Buf d = backend.alloc(Tensor.size(shape));
        try {
            st.into(i, d);
        } catch (RuntimeException | Error e) {
            d.close();
            throw e;
        }
        return new DTensor(backend, d, shape);
    }

    private DTensor upload(Tensor t) {
        Buf d = backend.alloc(t.size());
        try {
            backend.upload(t.data(), 0, d, 0, t.size());
        } catch (RuntimeException | Error e) {
            d.close();
            throw e;
        }
        return new DTensor(backend, d, t.shape());
    }

    @Override
    public void close() {
        for (DTensor x : xs) if (x != null) x.close();
        if (mask != null) mask.close();
        for (DTensor y : ys) if (y != null) y.close();
    }
}
