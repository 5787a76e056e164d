package dev.jrnn.layers;

import dev.jrnn.backend.Activation;
import dev.jrnn.backend.Backend;
import dev.jrnn.backend.Buf;
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

    /** {@code s[r] = sum_d w[d] * t[r, d]} over the rows of t {@code (B, Tq, Tv, D)}: w a D-vector (a scale, or ones). */
    static void rowDot(Backend be, DTensor t, Buf w, long wOff, DTensor s) {
        int d = t.dim(3), rows = (int) (t.size() / d);
        be.gemm(false, false, rows, 1, d, 1f, t.buf(), 0, d, w, wOff, 1, 0f, s.buf(), 0, 1);
    }

    /**
     * The backward of {@code rowDot} after a tanh that wrote t: {@code dE[r, d] = ds[r] * w[d] * (1 - t[r, d]^2)}, a new
     * tensor the caller closes.
     */
    static DTensor tanhRowDotBackward(Backend be, DTensor ds, DTensor t, Buf w, long wOff) {
        int d = t.dim(3), rows = (int) (t.size() / d);
        DTensor de = DTensor.zeros(be, t.shape());
        try {
            be.gemm(false, false, rows, d, 1, 1f, ds.buf(), 0, 1, w, wOff, d, 0f, de.buf(), 0, d);
            be.activateBackward(Activation.TANH, t.size(), d, t.buf(), 0, de.buf(), 0, de.buf(), 0);
            return de;
        } catch (RuntimeException | Error ex) {
            de.close();
            throw ex;
        }
    }
}
