package dev.jrnn.model;

import dev.jrnn.backend.Backend;
import dev.jrnn.backend.Buf;
import dev.jrnn.backend.DTensor;
import dev.jrnn.tensor.Tensor;

import java.util.ArrayList;
import java.util.List;

/**
 * One batch on the device: the inputs, the length mask (or null) and the targets (null for an output
 * without one, or when not asked for), gathered from rows {@code order[from, to)} of {@link Data}.
 * Owned: closing it frees them. A captured train step refills the same buffers with the next batch.
 */
final class Batch implements AutoCloseable {
    private final Backend backend;
    final List<DTensor> xs = new ArrayList<>();
    DTensor mask;
    final List<DTensor> ys = new ArrayList<>();

    /** Uploads rows order[from, to) of {@code d}, with targets for its {@code outputs} outputs when {@code targets}. */
    Batch(Backend backend, int outputs, Data d, int[] order, int from, int to, boolean targets) {
        this.backend = backend;
        try {
            for (Tensor x : d.xs()) xs.add(upload(x, order, from, to));
            float[] m = lengthMask(d, order, from, to);
            if (m != null) mask = upload(Tensor.wrap(m, to - from, m.length / (to - from)), identity(to - from), 0, to - from);
            for (int k = 0; k < outputs; k++) {
                Tensor y = targets && d.ys() != null ? d.ys().get(k) : null;
                ys.add(y == null ? null : upload(y, order, from, to));
            }
        } catch (RuntimeException e) {
            close();
            throw e;
        }
    }

    /** Copies rows order[from, to) of {@code d} into this batch's buffers (same batch size). */
    void refill(Data d, int[] order, int from, int to) {
        for (int i = 0; i < xs.size(); i++) put(xs.get(i), gatherRows(d.xs().get(i), order, from, to));
        float[] m = lengthMask(d, order, from, to);
        if (m != null) put(mask, m);
        for (int k = 0; k < ys.size(); k++) if (ys.get(k) != null) put(ys.get(k), gatherRows(d.ys().get(k), order, from, to));
    }

    private void put(DTensor t, float[] data) {
        backend.upload(data, 0, t.buf(), 0, data.length);
    }

    private DTensor upload(Tensor t, int[] order, int from, int to) {
        float[] buf = gatherRows(t, order, from, to);
        int[] shape = t.shape();
        shape[0] = to - from;
        Buf d = backend.alloc(buf.length);
        try {
            backend.upload(buf, 0, d, 0, buf.length);
        } catch (RuntimeException e) {
            d.close();
            throw e;
        }
        return new DTensor(backend, d, shape);
    }

    /** Rows {@code order[from, to)} of {@code t} (samples first), one after another. */
    static float[] gatherRows(Tensor t, int[] order, int from, int to) {
        int row = t.size() / t.dim(0);
        int b = to - from;
        float[] buf = new float[b * row];
        float[] src = t.data();
        for (int i = 0; i < b; i++) System.arraycopy(src, order[from + i] * row, buf, i * row, row);
        return buf;
    }

    /** The [b, T] 1/0 mask of post-padded sequences with per-sample lengths, or null without lengths. */
    private static float[] lengthMask(Data d, int[] order, int from, int to) {
        if (d.lengths() == null) return null;
        int t = d.xs().get(0).dim(1);
        int b = to - from;
        float[] m = new float[b * t];
        for (int i = 0; i < b; i++) {
            int len = d.lengths()[order[from + i]];
            for (int s = 0; s < len; s++) m[i * t + s] = 1f;
        }
        return m;
    }

    private static int[] identity(int n) {
        int[] r = new int[n];
        for (int i = 0; i < n; i++) r[i] = i;
        return r;
    }

    @Override
    public void close() {
        for (DTensor x : xs) if (x != null) x.close();
        if (mask != null) mask.close();
        for (DTensor y : ys) if (y != null) y.close();
    }
}
