package dev.jrnn.layers;

import dev.jrnn.backend.Backend;
import dev.jrnn.backend.Buf;
import dev.jrnn.backend.DTensor;

/**
 * Which query step may attend to which key step, as the attention layers build it on the device: a (batch, Tq, Tv) of
 * exact 0 and 1 from the query mask (rows), the value and key masks (columns, broadcast over the query steps by a
 * batched product with a ones column), the causal triangle (broadcast over the batch) and an explicit attention mask
 * (batch, Tq, Tv), or one Keras broadcasts to it ((batch, 1, Tv), (batch, Tq, 1), (batch, 1, 1): rank-one products
 * with ones; a per-head (batch, heads, ...) one is spread by {@link #spread} over batch * heads), all multiplied
 * (Keras' logical and); and the scores' bias Keras' masked softmax adds.
 */
final class AttentionMasks {
    private AttentionMasks() {}

    /**
     * The keep matrix (B, Tq, Tv), or null when no mask is given and causal is false. Any mask may be null; pairs may be
     * (B, Tq, Tv) or have 1 for Tq or Tv (also (B, 1, .., ..)).
     */
    static DTensor keep(Backend be, int b, int tq, int tv, DTensor qMask, DTensor vMask, DTensor kMask, boolean causal, DTensor pairs) {
        if (qMask == null && vMask == null && kMask == null && !causal && pairs == null) return null;
        long n3 = (long) b * tq * tv;
        DTensor keep = DTensor.zeros(be, b, tq, tv);
        try (DTensor ones = DTensor.zeros(be, Math.max(b, tq)); DTensor tmp = DTensor.zeros(be, b, tq, tv)) {
            be.fill(ones.buf(), 0, ones.size(), 1f);
            be.fill(keep.buf(), 0, n3, 1f);
            if (pairs != null) spread(be, b, tq, tv, pairs, keep.buf());
            for (DTensor cols : new DTensor[] {vMask, kMask}) {
                if (cols == null) continue;
                be.gemmBatched(b, false, false, tq, tv, 1, 1f, ones.buf(), 0, 1, 0, cols.buf(), 0, tv, tv, 0f, tmp.buf(), 0, tv,
                        (long) tq * tv);
                be.mul(n3, keep.buf(), 0, tmp.buf(), 0, keep.buf(), 0);
            }
            if (causal) {
                try (DTensor tri = DTensor.zeros(be, tq, tv)) {   // row i: ones at j <= i
                    for (int i = 0; i < tq; i++) be.fill(tri.buf(), (long) i * tv, Math.min(i + 1, tv), 1f);
                    be.gemm(false, false, b, tq * tv, 1, 1f, ones.buf(), 0, 1, tri.buf(), 0, tq * tv, 0f, tmp.buf(), 0, tq * tv);
                    be.mul(n3, keep.buf(), 0, tmp.buf(), 0, keep.buf(), 0);
                }
            }
            if (qMask != null) be.maskedMulRows(b * tq, tv, keep.buf(), 0, qMask.buf(), 0, keep.buf(), 0);
            return keep;
        } catch (RuntimeException | Error e) {
            keep.close();
            throw e;
        }
    }

    /**
     * out (batches, Tq, Tv) = (pairs != 0) (Keras casts the attention mask to bool), pairs' last two axes (1 or Tq, 1 or
     * Tv) broadcast as Keras broadcasts them: a (Tq, 1) column times a ones row, ones times a (1, Tv) row, and (1, 1) first
     * made a row. Products of 0 and 1 are exact. A per-head (B, heads, ..) mask is B * heads batches.
     */
    static void spread(Backend be, int batches, int tq, int tv, DTensor pairs, Buf out) {
        int pq = pairs.dim(-2), pv = pairs.dim(-1);
        if (pq == tq && pv == tv) {
            be.maskFromValues(Math.toIntExact((long) batches * tq * tv), 1, pairs.buf(), 0, 0f, out, 0);
            return;
        }
        try (DTensor ones = DTensor.zeros(be, Math.max(tq, tv)); DTensor p = DTensor.zeros(be, batches, pq, pv);
             DTensor row = DTensor.zeros(be, batches, tv)) {
            be.fill(ones.buf(), 0, ones.size(), 1f);
            be.maskFromValues(batches * pq * pv, 1, pairs.buf(), 0, 0f, p.buf(), 0);
            if (pq == 1) {
                DTensor r = p;
                if (pv == 1) {   // (1, 1) -> (1, Tv)
                    be.gemmBatched(batches, false, false, 1, tv, 1, 1f, p.buf(), 0, 1, 1, ones.buf(), 0, tv, 0, 0f, row.buf(), 0, tv, tv);
                    r = row;
                }
                be.gemmBatched(batches, false, false, tq, tv, 1, 1f, ones.buf(), 0, 1, 0, r.buf(), 0, tv, tv, 0f, out, 0, tv,
                        (long) tq * tv);
            } else {   // (Tq, 1)
                be.gemmBatched(batches, false, false, tq, tv, 1, 1f, p.buf(), 0, 1, tq, ones.buf(), 0, tv, 0, 0f, out, 0, tv,
                        (long) tq * tv);
            }
        }
    }

    /** Elements per call of {@link #where}: the backend's row count is an int, the scores may hold more. */
    private static final long WHERE_CHUNK = 1L << 30;

    /**
     * {@code x = keep ? x : 0} over {@code n} elements (Keras' {@code where(mask, x, 0)}: a NaN or Inf where keep is 0 is
     * replaced, not multiplied), in chunks of {@link Backend#maskedMulRows} rows of one column.
     */
    static void where(Backend be, long n, DTensor x, DTensor keep) {
        where(be, n, x, keep, WHERE_CHUNK);
    }

    /** As {@link #where(Backend, long, DTensor, DTensor)} in chunks of {@code chunk} elements (a test's small ones). */
    static void where(Backend be, long n, DTensor x, DTensor keep, long chunk) {
        for (long at = 0; at < n; at += chunk) {
            int k = (int) Math.min(chunk, n - at);
            be.maskedMulRows(k, 1, x.buf(), at, keep.buf(), at, x.buf(), at);
        }
    }

    /** Keras' {@code where(mask, scores, scores - 1e9)} as {@code scores += 1e9 * keep - 1e9} (exactly 0 or -1e9); one size. */
    static void addBias(Backend be, DTensor keep, DTensor scores) {
        try (DTensor bias = DTensor.zeros(be, keep.shape())) {
            long n = keep.size();
            be.fill(bias.buf(), 0, n, -BaseDenseAttention.MASKED);
            be.axpy(n, BaseDenseAttention.MASKED, keep.buf(), 0, bias.buf(), 0);
            be.axpy(n, 1f, bias.buf(), 0, scores.buf(), 0);
        }
    }
}
