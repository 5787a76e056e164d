package dev.jrnn.layers;

import dev.jrnn.backend.Backend;
import dev.jrnn.backend.DTensor;

/**
 * The part Keras' "concat" scores ({@link Attention} with {@code score_mode="concat"}, {@link AdditiveAttention})
 * share: every query step plus every key step, {@code E[b, i, j, :] = q[b, i, :] + k[b, j, :]} of shape
 * {@code (B, Tq, Tv, D)} (Keras' {@code expand_dims(query, -2) + expand_dims(key, -3)}), and its gradient back to
 * q and k. Both broadcasts are batched products with a column of ones (k = 1), one call each, so that neither
 * backend loops over the batch; in FP32 a product with one is exact.
 */
final class PairSums {
    private PairSums() {}

    /** E as above; {@code ones} holds at least max(Tq, Tv) ones. */
    static DTensor forward(Backend be, DTensor q, DTensor k, DTensor ones) {
        int b = q.dim(0), tq = q.dim(1), tv = k.dim(1), d = q.dim(2);
        DTensor e = DTensor.zeros(be, b, tq, tv, d);
        try {
            long row = (long) tv * d;
            // E[b] (Tq x Tv*D) = ones (Tq x 1) · k[b] (1 x Tv*D)
            be.gemmBatched(b, false, false, tq, (int) row, 1, 1f, ones.buf(), 0, 1, 0, k.buf(), 0, (int) row, row, 0f, e.buf(), 0,
                    (int) row, tq * row);
            // E[b, i] (Tv x D) += ones (Tv x 1) · q[b, i] (1 x D)
            be.gemmBatched(b * tq, false, false, tv, d, 1, 1f, ones.buf(), 0, 1, 0, q.buf(), 0, d, d, 1f, e.buf(), 0, d, row);
            return e;
        } catch (RuntimeException | Error ex) {
            e.close();
            throw ex;
        }
    }

    /** {@code dq[b, i] += sum_j dE[b, i, j]} and {@code dk[b, j] += sum_i dE[b, i, j]}: ones rows times dE. */
    static void backward(Backend be, DTensor dE, DTensor dq, DTensor dk, DTensor ones) {
        int b = dE.dim(0), tq = dE.dim(1), tv = dE.dim(2), d = dE.dim(3);
        long row = (long) tv * d;
        be.gemmBatched(b * tq, false, false, 1, d, tv, 1f, ones.buf(), 0, tv, 0, dE.buf(), 0, d, row, 1f, dq.buf(), 0, d, d);
        be.gemmBatched(b, false, false, 1, (int) row, tq, 1f, ones.buf(), 0, tq, 0, dE.buf(), 0, (int) row, tq * row, 1f, dk.buf(),
                0, (int) row, row);
    }
}
