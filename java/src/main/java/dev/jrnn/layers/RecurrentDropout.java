package dev.jrnn.layers;

import dev.jrnn.backend.Backend;
import dev.jrnn.backend.Buf;

/**
 * Keras' {@code dropout} and {@code recurrent_dropout} in one training call of a recurrent layer
 * ({@link RecurrentRun}), as Keras 3 computes them: the masks are drawn once per call and used at every step;
 * the input mask is per sample and input feature ([B, I]), the recurrent one per sample and unit ([B, H]),
 * kept values scaled by 1 / (1 - rate). With a recurrent dropout on LSTM or GRU, Keras switches to its
 * implementation 1, where each gate block (LSTM i, f, c, o; GRU z, r, h) gets its own input and recurrent
 * mask; otherwise one input mask serves all gates. The masked values go only into the products with the
 * kernels ({@code x·W}, {@code hPrev·U}); the cell itself (GRU's {@code z * hPrev}, LSTM's carry) sees the
 * unmasked state, as in Keras.
 *
 * <p>Everything is done with the backend's GEMMs and elementwise operations around the unchanged step
 * kernels, and the masks come from the layer's {@link MaskStream} ({@link Backend#dropoutMask}), so the CPU
 * and CUDA backends draw and apply the same masks. The CUDA persistent kernels compute {@code hPrev·U}
 * inside, so a recurrent dropout takes the per-step path; the input dropout works on both.
 */
final class RecurrentDropout {
    private final RecurrentRun r;
    private final Backend be;
    /** Masks per kind: 1 (shared by all gates) or the gate count (one per gate block). */
    final int masks;
    /** Gate columns served by each mask: G / masks. */
    final int width;
    /** [masks, B, I] input masks, or null without dropout. */
    final Buf input;
    /** [masks, B, H] recurrent masks, or null without recurrent dropout. */
    final Buf recurrent;
    /** [B, max(H, 1)]: one step's masked state, or its masked gradient. */
    private final Buf work;

    private RecurrentDropout(RecurrentRun r, int masks, Buf input, Buf recurrent) {
        this.r = r;
        this.be = r.be;
        this.masks = masks;
        this.width = r.G / masks;
        this.input = input;
        this.recurrent = recurrent;
        this.work = recurrent != null ? r.alloc((long) r.B * r.H) : null;
    }

    /** The masks of a training call of {@code r}'s layer, or null when it has neither dropout (nothing to do). */
    static RecurrentDropout draw(RecurrentRun r) {
        RecurrentLayer l = r.layer;
        if (l.dropout32 == 0 && l.recurrentDropout32 == 0) return null;
        int m = l.recurrentDropout32 > 0 ? r.cell.gates() : 1;
        Buf in = null, rec = null;
        if (l.dropout32 > 0) {
            long n = (long) m * r.B * r.I;
            in = r.alloc(n);
            l.masks.draw(r.be, n, l.dropout32, in, 0);
        }
        if (l.recurrentDropout32 > 0) {
            long n = (long) m * r.B * r.H;
            rec = r.alloc(n);
            l.masks.draw(r.be, n, l.recurrentDropout32, rec, 0);
        }
        return new RecurrentDropout(r, m, in, rec);
    }

    /** Offset of mask {@code k} of rows of {@code n} features. */
    private long maskAt(int k, int n) { return (long) k * r.B * n; }

    /** {@code dst[steps, B, n] = src[steps, B, n] * mask[B, n]} at every step ({@code dst} may be {@code src}). */
    private void masked(Buf src, long srcOff, int steps, int n, Buf mask, long maskOff, Buf dst, long dstOff) {
        long len = (long) steps * r.B * n;
        Buf spread = be.alloc(len);   // zeros
        try {
            be.addRowVector(steps, r.B * n, mask, maskOff, spread, 0);
            be.mul(len, src, srcOff, spread, 0, dst, dstOff);
        } finally {
            spread.close();
        }
    }

    /** {@code p} rows of steps [from, to) = per mask k: (x * m_k) · W[:, block k], the bias not yet added. */
    void project(int from, int to) {
        int steps = to - from, rows = steps * r.B;
        Param w = r.layer.kernel;
        Buf xd = be.alloc((long) rows * r.I);
        try {
            for (int k = 0; k < masks; k++) {
                masked(r.xT, r.xOff + (long) from * r.B * r.I, steps, r.I, input, maskAt(k, r.I), xd, 0);
                be.gemm(false, false, rows, width, r.I, 1f, xd, 0, r.I, w.value(), w.offset() + (long) k * width, r.G, 0f,
                        r.p, r.bg(from) + (long) k * width, r.G);
            }
        } finally {
            xd.close();
        }
    }

    /** {@code dst} rows of step s = per mask k: (h_s * r_k) · U[:, block k] + beta * dst. */
    void recurrentProjection(int s, Buf dst, float beta) {
        Param u = r.layer.recurrentKernel;
        long bh = (long) r.B * r.H;
        for (int k = 0; k < masks; k++) {
            be.mul(bh, r.hs, r.bh(s), recurrent, maskAt(k, r.H), work, 0);
            be.gemm(false, false, r.B, width, r.H, 1f, work, 0, r.H, u.value(), u.offset() + (long) k * width, r.G, beta,
                    dst, r.bg(s) + (long) k * width, r.G);
        }
    }

    /** {@code dHiddenPrev += sum_k (d[step s, block k] · U[:, block k]^T) * r_k}. */
    void recurrentGradient(int s, Buf d) {
        Param u = r.layer.recurrentKernel;
        long bh = (long) r.B * r.H;
        for (int k = 0; k < masks; k++) {
            be.gemm(false, true, r.B, r.H, width, 1f, d, r.bg(s) + (long) k * width, r.G, u.value(),
                    u.offset() + (long) k * width, r.G, 0f, work, 0, r.H);
            be.mul(bh, work, 0, recurrent, maskAt(k, r.H), work, 0);
            be.axpy(bh, 1f, work, 0, r.dHiddenPrev, 0);
        }
    }

    /**
     * The gradient of a kernel from steps [from, to): {@code grad[:, block k] += (src * m_k)^T · d[:, block k]},
     * src the rows of [T, B, n] at {@code srcOff} (the layer's input for W, its states for U), d [T, B, G].
     */
    void kernelGradient(Buf src, long srcOff, int n, Buf mask, Buf d, int from, int to, Param kernel) {
        int steps = to - from, rows = steps * r.B;
        Buf sd = be.alloc((long) rows * n);
        try {
            for (int k = 0; k < masks; k++) {
                masked(src, srcOff, steps, n, mask, maskAt(k, n), sd, 0);
                be.gemm(true, false, n, width, rows, 1f, sd, 0, n, d, r.bg(from) + (long) k * width, r.G, 1f,
                        kernel.grad(), kernel.offset() + (long) k * width, r.G);
            }
        } finally {
            sd.close();
        }
    }

    /** {@code dxT} rows of steps [from, to) = sum_k (dGates[:, block k] · W[:, block k]^T) * m_k. */
    void inputGradient(int from, int to, Buf dxT) {
        int steps = to - from, rows = steps * r.B;
        Param w = r.layer.kernel;
        long at = (long) from * r.B * r.I, len = (long) rows * r.I;
        Buf part = be.alloc(len);
        try {
            for (int k = 0; k < masks; k++) {
                be.gemm(false, true, rows, r.I, width, 1f, r.dGates, r.bg(from) + (long) k * width, r.G, w.value(),
                        w.offset() + (long) k * width, r.G, 0f, part, 0, r.I);
                masked(part, 0, steps, r.I, input, maskAt(k, r.I), part, 0);
                if (k == 0) be.copy(part, 0, dxT, at, len);
                else be.axpy(len, 1f, part, 0, dxT, at);
            }
        } finally {
            part.close();
        }
    }
}
