package dev.jrnn.layers;

import dev.jrnn.backend.Backend;
import dev.jrnn.backend.DTensor;

import java.util.List;

/**
 * {@link Dot}'s L2 normalization of the rows of a [..., d] tensor, as Keras' {@code normalize}:
 * {@code y = x * s} with {@code s = rsqrt(max(sum(x^2), eps^2))}; the gradient
 * {@code dx = g s - x s^3 sum(g x) [sum(x^2) > eps^2]} (the clamp passes none through the norm).
 */
final class DotNorm {
    /** Turns any positive float difference near eps^2 (at least 2^-70) into at least 1 before a clip to [0, 1]. */
    private static final float STEP = 1e30f;

    private DotNorm() {}

    /** The row sums of squares of x, a new [rows] tensor to {@code owned}. */
    private static DTensor squares(Backend be, DTensor x, List<DTensor> owned) {
        int d = x.dim(x.rank() - 1), rows = (int) (x.size() / d);
        DTensor sq = DTensor.zeros(be, x.shape()), q = DTensor.zeros(be, rows);
        owned.add(sq);
        owned.add(q);
        be.mul(x.size(), x.buf(), 0, x.buf(), 0, sq.buf(), 0);
        rowSums(be, sq, q, owned);
        return q;
    }

    /** {@code out[r] = sum over c of m[r, c]} for m [..., d]: one product with a column of ones. */
    private static void rowSums(Backend be, DTensor m, DTensor out, List<DTensor> owned) {
        int d = m.dim(m.rank() - 1), rows = (int) (m.size() / d);
        DTensor ones = DTensor.zeros(be, d);
        owned.add(ones);
        be.fill(ones.buf(), 0, d, 1f);
        be.gemm(false, false, rows, 1, d, 1f, m.buf(), 0, d, ones.buf(), 0, 1, 0f, out.buf(), 0, 1);
    }

    /** {@code rsqrt(max(q, eps^2))}, a new tensor to {@code owned}. */
    private static DTensor inverse(Backend be, DTensor q, float eps, List<DTensor> owned) {
        DTensor s = DTensor.zeros(be, q.shape());
        owned.add(s);
        be.copy(q.buf(), 0, s.buf(), 0, q.size());
        be.clip(s.size(), eps * eps, Float.POSITIVE_INFINITY, s.buf(), 0);
        be.rsqrt(s.size(), 0f, s.buf(), 0, s.buf(), 0);
        return s;
    }

    /** x with each row normalized, a new tensor to {@code owned}. */
    static DTensor forward(Backend be, DTensor x, float eps, List<DTensor> owned) {
        DTensor s = inverse(be, squares(be, x, owned), eps, owned);
        DTensor y = DTensor.zeros(be, x.shape());
        owned.add(y);
        be.mulRows((int) s.size(), x.dim(x.rank() - 1), x.buf(), 0, s.buf(), 0, y.buf(), 0);
        return y;
    }

    /** The gradient at x of the rows' normalization, given the gradient g at its output; a new tensor to {@code owned}. */
    static DTensor backward(Backend be, DTensor x, DTensor g, float eps, List<DTensor> owned) {
        int d = x.dim(x.rank() - 1), rows = (int) (x.size() / d);
        DTensor q = squares(be, x, owned), s = inverse(be, q, eps, owned);
        // [q > eps^2]: (q - eps^2) * STEP clipped to [0, 1]
        DTensor open = DTensor.zeros(be, rows);
        owned.add(open);
        be.fill(open.buf(), 0, rows, -eps * eps);
        be.axpy(rows, 1f, q.buf(), 0, open.buf(), 0);
        be.scale(rows, STEP, open.buf(), 0);
        be.clip(rows, 0f, 1f, open.buf(), 0);
        // coef = -sum(g x) s^3 [q > eps^2]
        DTensor gx = DTensor.zeros(be, x.shape()), coef = DTensor.zeros(be, rows);
        owned.add(gx);
        owned.add(coef);
        be.mul(x.size(), g.buf(), 0, x.buf(), 0, gx.buf(), 0);
        rowSums(be, gx, coef, owned);
        for (int i = 0; i < 3; i++) be.mul(rows, coef.buf(), 0, s.buf(), 0, coef.buf(), 0);
        be.mul(rows, coef.buf(), 0, open.buf(), 0, coef.buf(), 0);
        be.scale(rows, -1f, coef.buf(), 0);
        DTensor dx = DTensor.zeros(be, x.shape());
        owned.add(dx);
        be.mulRows(rows, d, g.buf(), 0, s.buf(), 0, dx.buf(), 0);
        be.mulRows(rows, d, x.buf(), 0, coef.buf(), 0, gx.buf(), 0);
        be.axpy(x.size(), 1f, gx.buf(), 0, dx.buf(), 0);
        return dx;
    }
}
