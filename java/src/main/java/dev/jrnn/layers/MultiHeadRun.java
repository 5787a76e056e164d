package dev.jrnn.layers;

import dev.jrnn.backend.Activation;
import dev.jrnn.backend.Backend;
import dev.jrnn.backend.Buf;
import dev.jrnn.backend.Cleanup;
import dev.jrnn.backend.DTensor;
import dev.jrnn.tensor.Tensor;

import java.util.ArrayList;
import java.util.List;

/**
 * One call of a {@link MultiHeadAttention}: the projections are products over all rows ({@code (B*T, dim) x (dim,
 * heads*size)}: the [dim, heads, size] kernel is that matrix), each head's scores and weighted values one
 * {@link Backend#gemmBatched} over the batch (a head's columns of the projected rows, strided by the heads), the
 * masked softmax over the (B, heads, Tq, Tv) scores, and the output projection of the concatenated heads.
 */
final class MultiHeadRun {
    private final MultiHeadAttention l;
    private final Backend be;
    private final List<DTensor> inputs;
    private final DTensor q, v, k, qMask, vMask, kMask, pairs;
    private final boolean keyGiven;
    private final int b, tq, tv, n, h, dv, out;
    private final List<DTensor> owned = new ArrayList<>();

    MultiHeadRun(MultiHeadAttention l, Backend be, List<DTensor> inputs, List<DTensor> masks, int tensors) {
        this.l = l;
        this.be = be;
        this.inputs = inputs;
        this.keyGiven = tensors > 2;
        q = inputs.get(0);
        v = inputs.get(1);
        k = keyGiven ? inputs.get(2) : v;
        pairs = tensors < inputs.size() ? inputs.get(tensors) : null;
        qMask = masks == null ? null : masks.get(0);
        vMask = masks == null ? null : masks.get(1);
        kMask = masks == null || !keyGiven ? null : masks.get(2);   // Keras: no key, no key mask
        b = q.dim(0);
        tq = q.dim(1);
        tv = v.dim(1);
        n = l.numHeads();
        h = l.keyDim();
        dv = l.valueDim();
        out = l.kernels[3].shape()[2];
    }

    /** Refuses inputs of other ranks, batch or steps, masks of other shapes and scores too big for one call. */
    static void check(MultiHeadAttention l, List<DTensor> inputs, List<DTensor> masks, int tensors) {
        DTensor q = inputs.get(0), v = inputs.get(1);
        for (int i = 0; i < tensors; i++) {
            DTensor x = inputs.get(i);
            if (x.rank() != 3 || x.dim(0) != q.dim(0)) {
                throw new IllegalArgumentException(l.name() + ": query, value and key must be (batch, steps, dim) with one batch size, got "
                        + shapes(inputs));
            }
        }
        if (tensors > 2 && inputs.get(2).dim(1) != v.dim(1)) {
            throw new IllegalArgumentException(l.name() + ": value and key must have the same steps, got " + shapes(inputs));
        }
        if (tensors < inputs.size()) {
            DTensor m = inputs.get(tensors);
            // Keras broadcasts a 1 for Tq or Tv (its padding mask (batch, 1, Tv)), and takes one per head
            boolean heads = m.rank() == 4 && (m.dim(1) == l.numHeads() || m.dim(1) == 1);
            if (m.rank() != 3 && !heads || m.dim(0) != q.dim(0) || m.dim(-2) != q.dim(1) && m.dim(-2) != 1
                    || m.dim(-1) != v.dim(1) && m.dim(-1) != 1) {
                throw new IllegalArgumentException(l.name() + ": attention_mask must be (batch, Tq, Tv) = " + Tensor.shapeString(
                        new int[] {q.dim(0), q.dim(1), v.dim(1)}) + " or broadcast to it (1 for Tq or Tv), or (batch, heads = "
                        + l.numHeads() + " or 1, Tq, Tv) likewise, got " + Tensor.shapeString(m.shape()));
            }
        }
        String[] names = {"query", "value", "key"};
        for (int i = 0; masks != null && i < tensors; i++) {
            DTensor m = masks.get(i), x = inputs.get(i);
            if (m != null && (m.rank() != 2 || m.dim(0) != x.dim(0) || m.dim(1) != x.dim(1))) {
                throw new IllegalArgumentException(l.name() + ": the " + names[i] + " mask must be (batch, steps) = (" + x.dim(0) + ", "
                        + x.dim(1) + "), got " + Tensor.shapeString(m.shape()));
            }
        }
        long scores = (long) q.dim(0) * l.numHeads() * q.dim(1) * v.dim(1);
        if (scores > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException(l.name() + ": the scores of batch " + q.dim(0) + ", " + l.numHeads() + " heads, " + q.dim(1)
                    + " query and " + v.dim(1) + " value steps hold " + scores + " values, more than one call takes (2^31 - 9): split the batch");
        }
    }

    private static String shapes(List<DTensor> xs) {
        List<String> s = new ArrayList<>();
        for (DTensor x : xs) s.add(Tensor.shapeString(x.shape()));
        return s.toString();
    }

    private DTensor own(DTensor t) { return BaseDenseAttention.own(owned, t); }

    /** x (rows, in) times part i's kernel (in, cols) plus its bias, into a new (rows, cols) tensor. */
    private DTensor project(int i, DTensor x, int rows, int cols) {
        Param w = l.kernels[i], bias = l.biases[i];
        int in = (int) (w.size() / cols);
        DTensor y = own(DTensor.zeros(be, i == 3 ? new int[] {b, tq, cols} : new int[] {rows, cols}));
        be.gemm(false, false, rows, cols, in, 1f, x.buf(), 0, in, w.value(), w.offset(), cols, 0f, y.buf(), 0, cols);
        if (bias != null) be.addRowVector(rows, cols, bias.value(), bias.offset(), y.buf(), 0);
        return y;
    }

    /** The backward of {@link #project}: the kernel's and bias' gradients (when trainable), dx += dy · kernel^T. */
    private void projectBackward(int i, DTensor x, DTensor dy, DTensor dx, int rows, int cols) {
        Param w = l.kernels[i], bias = l.biases[i];
        int in = (int) (w.size() / cols);
        if (l.trainable()) {
            be.gemm(true, false, in, cols, rows, 1f, x.buf(), 0, in, dy.buf(), 0, cols, 1f, w.grad(), w.offset(), cols);
            if (bias != null) be.sumRows(rows, cols, dy.buf(), 0, bias.grad(), bias.offset(), true);
        }
        be.gemm(false, true, rows, in, cols, 1f, dy.buf(), 0, cols, w.value(), w.offset(), cols, 1f, dx.buf(), 0, in);
    }

    /**
     * One operand of the per-head products: a (B, heads, Tq, Tv) weights tensor, or projected rows (B, steps, heads, cols)
     * of which head j's (steps, cols) block starts at column j * cols.
     */
    private record Op(Buf buf, boolean scores, int steps, int cols) {}

    private Op scores(DTensor t) { return new Op(t.buf(), true, 0, 0); }

    private Op rows(DTensor t, int steps, int cols) { return new Op(t.buf(), false, steps, cols); }

    private long off(Op o, int j) { return o.scores ? (long) j * tq * tv : (long) j * o.cols; }

    private int ld(Op o) { return o.scores ? tv : n * o.cols; }

    private long stride(Op o) { return o.scores ? (long) n * tq * tv : (long) o.steps * n * o.cols; }

    /** For each head j, over the batch: C (m, c) = alpha * op(A) op(B), head j's blocks of each. */
    private void heads(boolean ta, boolean tb, int m, int c, int kk, float alpha, Op a, Op bb, Op cc) {
        for (int j = 0; j < n; j++) {
            be.gemmBatched(b, ta, tb, m, c, kk, alpha, a.buf, off(a, j), ld(a), stride(a), bb.buf, off(bb, j), ld(bb), stride(bb),
                    0f, cc.buf, off(cc, j), ld(cc), stride(cc));
        }
    }

    /** keepN (B, N, Tq, Tv) = the per-head attention mask spread over (Tq, Tv), and with the other masks when joined. */
    private void perHead(DTensor keepN, boolean joined) {
        if (!joined) {
            AttentionMasks.spread(be, b * n, tq, tv, pairs, keepN.buf());
            return;
        }
        try (DTensor heads = DTensor.zeros(be, b, n, tq, tv)) {
            AttentionMasks.spread(be, b * n, tq, tv, pairs, heads.buf());
            be.mul(keepN.size(), keepN.buf(), 0, heads.buf(), 0, keepN.buf(), 0);
        }
    }

    Trace forward(MaskStream drops, float rate, boolean causal, boolean returnScores) {
        try {
            return run(drops, rate, causal, returnScores);
        } catch (RuntimeException | Error e) {
            Cleanup.each(owned, DTensor::close);
            throw e;
        }
    }

    private Trace run(MaskStream drops, float rate, boolean causal, boolean returnScores) {
        long n4 = (long) b * n * tq * tv;
        DTensor qp = project(0, q, b * tq, n * h), kp = project(1, k, b * tv, n * h), vp = project(2, v, b * tv, n * dv);
        DTensor w = own(DTensor.zeros(be, b, n, tq, tv));   // the scores, then their softmax in place
        heads(false, true, tq, tv, h, (float) (1 / Math.sqrt(h)), rows(qp, tq, h), rows(kp, tv, h), scores(w));
        DTensor keepN = null;
        boolean perHead = pairs != null && pairs.rank() == 4 && pairs.dim(1) > 1;
        try (DTensor keep = AttentionMasks.keep(be, b, tq, tv, qMask, vMask, kMask, causal, perHead ? null : pairs)) {
            if (keep != null || perHead) {   // over the heads: (B, Tq, Tv) -> (B, N, Tq, Tv)
                keepN = own(DTensor.zeros(be, b, n, tq, tv));
                if (keep != null) {
                    for (int j = 0; j < n; j++) be.copy2d(b, tq * tv, keep.buf(), 0, tq * tv, keepN.buf(), (long) j * tq * tv, n * tq * tv);
                }
                if (perHead) perHead(keepN, keep != null);
                // Keras' where(mask, scores, -1e9): a masked score is replaced, so a NaN or Inf of a masked key stays out
                AttentionMasks.where(be, n4, w, keepN);
                AttentionMasks.addBias(be, keepN, w);
            }
        }
        be.activate(Activation.SOFTMAX, n4, tv, w.buf(), 0, w.buf(), 0);
        // A row with every key masked: Keras 3 takes ops.dot_product_attention, whose softmax spreads it evenly over all
        // keys, unless dropout > 0 or the scores are returned: then its Softmax layer's where(mask, weights, 0) gives 0
        if (keepN != null && (rate > 0 || returnScores)) AttentionMasks.where(be, n4, w, keepN);
        DTensor drop = null, wd = w;
        if (drops != null) {
            drop = own(DTensor.zeros(be, b, n, tq, tv));
            drops.draw(be, n4, rate, drop.buf(), 0);
            wd = own(DTensor.zeros(be, b, n, tq, tv));
            be.mul(n4, w.buf(), 0, drop.buf(), 0, wd.buf(), 0);
        }
        DTensor ctx = own(DTensor.zeros(be, b * tq, n * dv));
        heads(false, false, tq, dv, tv, 1f, scores(wd), rows(vp, tv, dv), rows(ctx, tq, dv));
        DTensor y = project(3, ctx, b * tq, out);
        List<DTensor> outs = returnScores ? List.of(y, w) : List.of(y);
        return trace(outs, qp, kp, vp, w, wd, drop, keepN, ctx);
    }

    private Trace trace(List<DTensor> outs, DTensor qp, DTensor kp, DTensor vp, DTensor w, DTensor wd, DTensor drop, DTensor keepN,
                        DTensor ctx) {
        return new Trace() {
            @Override
            public List<DTensor> outputs() { return outs; }

            @Override
            public DTensor outputMask() { return qMask; }

            @Override
            public List<DTensor> backward(List<DTensor> dOut) {
                Layers.checkGradients(l, dOut, outs);
                List<DTensor> grads = new ArrayList<>();
                for (DTensor x : inputs) grads.add(own(DTensor.zeros(be, x.shape())));
                DTensor dy = dOut.get(0), dScores = outs.size() > 1 ? dOut.get(1) : null;
                if (dy == null && dScores == null) return grads;
                long n4 = (long) b * n * tq * tv;
                // the intermediates are freed here, not with the trace: only the input gradients outlive backward
                try (DTensor dw = DTensor.zeros(be, b, n, tq, tv); DTensor dvp = DTensor.zeros(be, b * tv, n * dv)) {
                    if (dy != null) {
                        try (DTensor dctx = DTensor.zeros(be, b * tq, n * dv)) {
                            projectBackward(3, ctx, dy, dctx, b * tq, out);
                            heads(false, true, tq, tv, dv, 1f, rows(dctx, tq, dv), rows(vp, tv, dv), scores(dw));
                            heads(true, false, tv, dv, tq, 1f, scores(wd), rows(dctx, tq, dv), rows(dvp, tv, dv));
                        }
                        if (drop != null) be.mul(n4, dw.buf(), 0, drop.buf(), 0, dw.buf(), 0);
                    }
                    if (dScores != null) be.axpy(n4, 1f, dScores.buf(), 0, dw.buf(), 0);
                    // where's gradient: none to a masked weight, also where a masked value row holds NaN (0 * NaN)
                    if (keepN != null) AttentionMasks.where(be, n4, dw, keepN);
                    be.activateBackward(Activation.SOFTMAX, n4, tv, w.buf(), 0, dw.buf(), 0, dw.buf(), 0);
                    float alpha = (float) (1 / Math.sqrt(h));
                    try (DTensor dqp = DTensor.zeros(be, b * tq, n * h); DTensor dkp = DTensor.zeros(be, b * tv, n * h)) {
                        heads(false, false, tq, h, tv, alpha, scores(dw), rows(kp, tv, h), rows(dqp, tq, h));
                        heads(true, false, tv, h, tq, alpha, scores(dw), rows(qp, tq, h), rows(dkp, tv, h));
                        projectBackward(0, q, dqp, grads.get(0), b * tq, n * h);
                        projectBackward(1, k, dkp, grads.get(keyGiven ? 2 : 1), b * tv, n * h);
                    }
                    projectBackward(2, v, dvp, grads.get(1), b * tv, n * dv);
                }
                return grads;
            }

            @Override
            public void close() {
                Cleanup.each(owned, DTensor::close);
                owned.clear();
            }
        };
    }
}
