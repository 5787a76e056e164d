package dev.jrnn.layers;

import dev.jrnn.backend.Backend;
import dev.jrnn.backend.Buf;
import dev.jrnn.backend.DTensor;
import dev.jrnn.tensor.Tensor;

import java.util.List;

/**
 * Where the windows of a 1-D convolution or pooling over (batch, steps, channels) lie, as Keras computes them: the
 * input padded to {@code tp = q · strides} steps per sample ({@code left} pad steps, the input, pad steps), so that
 * output row {@code b·q + t} of a window's step at {@code offset} is padded row {@code (b·q + t)·strides + offset}:
 * one strided row set for the whole batch. Rows {@code t >= out} of a sample mix samples and are dropped.
 */
final class Windows1D {
    final int b, t, c, out, left, q, tp, strides;

    /**
     * {@code span}: the steps one window covers ((k-1)·dilation + 1); {@code padding} "valid", "same" or "causal";
     * {@code layer} begins the messages.
     */
    Windows1D(String layer, int b, int t, int c, int span, int strides, String padding) {
        this.b = b;
        this.t = t;
        this.c = c;
        this.strides = strides;
        this.out = outLength(t, span, strides, padding);
        // in long: a window near the int range pads past it
        long total = padding.equals("same") ? Math.max((long) (out - 1) * strides + span - t, 0) : 0;
        long l = switch (padding) {
            case "valid" -> 0;
            case "causal" -> span - 1;
            default -> total / 2;   // TensorFlow's SAME: the odd step goes on the right
        };
        long right = padding.equals("same") ? total - l : 0;
        long steps = Math.floorDiv(l + t + right + strides - 1, strides) * strides;
        if (steps * Math.max(b, 1) * Math.max(c, 1) > Tensor.MAX_SIZE) {
            throw new IllegalArgumentException(layer + ": input " + Tensor.shapeString(new int[] {b, t, c})
                    + (steps != t ? " padded to " + steps + " steps (windows of " + span + " steps, strides " + strides + ", padding \""
                    + padding + "\")" : "") + " is too large for one call");
        }
        this.left = (int) l;
        this.q = (int) (steps / strides);
        this.tp = (int) steps;
    }

    /** Keras' compute_conv_output_shape (and the pooling layers') for a known length {@code t}. */
    static int outLength(int t, int span, int strides, String padding) {
        return padding.equals("valid") ? Math.floorDiv(t - span, strides) + 1 : Math.floorDiv(t - 1, strides) + 1;
    }

    /** Whether the input needs a padded copy (any padding, or a length not a multiple of strides). */
    boolean pads() { return tp != t; }

    /** The input as {@code tp} steps per sample, pad steps set to {@code pad} (0 for convolutions, -inf for max pooling). */
    DTensor padded(Backend be, DTensor x, float pad, List<DTensor> owned) {
        if (!pads()) return x;
        DTensor xp = DTensor.zeros(be, b, tp, c);
        owned.add(xp);
        if (pad != 0) be.fill(xp.buf(), 0, (long) b * tp * c, pad);
        if (b > 0 && t > 0) be.copy2d(b, t * c, x.buf(), 0, t * c, xp.buf(), (long) left * c, tp * c);
        return xp;
    }

    /** The rows a window step at {@code offset} covers: those whose padded row r·strides + offset exists. */
    int rows(int offset) {
        long last = (long) b * tp - 1 - offset;
        return last < 0 ? 0 : (int) Math.min((long) b * q, last / strides + 1);
    }

    /** The outputs' rows {@code y} [b, out, f] laid out as the full rows [b·q, f]: the dropped rows get zeros. */
    DTensor full(Backend be, DTensor y, int f, List<DTensor> owned) {
        DTensor full = DTensor.zeros(be, b * q, f);
        owned.add(full);
        if (b > 0 && out > 0) be.copy2d(b, out * f, y.buf(), 0, out * f, full.buf(), 0, q * f);
        return full;
    }

    /** The samples' outputs [b, out, f] from the full rows [b·q, f]. */
    DTensor valid(Backend be, Buf full, int f, List<DTensor> owned) {
        DTensor y = DTensor.zeros(be, b, out, f);
        owned.add(y);
        if (b > 0 && out > 0) be.copy2d(b, out * f, full, 0, q * f, y.buf(), 0, out * f);
        return y;
    }

    /** The input's gradient [b, t, c] from the padded one (the same tensor when nothing was padded). */
    DTensor unpad(Backend be, DTensor dxp, List<DTensor> owned) {
        if (!pads()) return dxp;
        DTensor dx = DTensor.zeros(be, b, t, c);
        owned.add(dx);
        if (b > 0 && t > 0) be.copy2d(b, t * c, dxp.buf(), (long) left * c, tp * c, dx.buf(), 0, t * c);
        return dx;
    }

    /** {@code dst[r] += src[r·strides + offset]} ([·, c] rows) for the rows {@code offset} covers; {@code tmp} holds b·q rows. */
    void gatherAdd(Backend be, Buf src, int offset, Buf dst, Buf tmp) {
        int m = rows(offset);
        if (m == 0) return;
        if (strides == 1) {
            be.axpy((long) m * c, 1f, src, (long) offset * c, dst, 0);
        } else {
            be.copy2d(m, c, src, (long) offset * c, strides * c, tmp, 0, c);
            be.axpy((long) m * c, 1f, tmp, 0, dst, 0);
        }
    }

    /**
     * The input's gradient [b, t, c] from the gradients of {@code span}-step windows: window step j of output row r takes
     * {@code src[r·srcLd + j·stepOff ...]} (stepOff 0: one row for every step) and adds it to the padded input row
     * r·strides + j. Windows that do not overlap (span <= strides, Keras' default for pooling) are copied straight in.
     */
    DTensor windowsBack(Backend be, Buf src, int stepOff, int srcLd, int span, List<DTensor> owned) {
        DTensor dxp = DTensor.zeros(be, b, tp, c);
        owned.add(dxp);
        boolean disjoint = span <= strides;
        DTensor spread = disjoint ? null : DTensor.zeros(be, b, tp, c);
        if (spread != null) owned.add(spread);
        for (int j = 0; j < span; j++) scatterAdd(be, src, (long) j * stepOff, srcLd, j, dxp.buf(), spread == null ? null : spread.buf(), disjoint);
        return unpad(be, dxp, owned);
    }

    /**
     * {@code dst[r·strides + offset] += src[srcOff + r·srcLd ...]} (the padded input's rows, [·, c]) for the rows
     * {@code offset} covers; {@code tmp} holds b·tp rows. Overlapping windows add; {@code disjoint} windows (span <=
     * strides, dst zero before the first offset) are copied straight in.
     */
    private void scatterAdd(Backend be, Buf src, long srcOff, int srcLd, int offset, Buf dst, Buf tmp, boolean disjoint) {
        int m = rows(offset);
        if (m == 0) return;
        if (disjoint) {
            be.copy2d(m, c, src, srcOff, srcLd, dst, (long) offset * c, strides * c);
        } else if (strides == 1 && srcLd == c) {
            be.axpy((long) m * c, 1f, src, srcOff, dst, (long) offset * c);
        } else {
            long n = (long) b * tp * c;
            be.fill(tmp, 0, n, 0f);
            be.copy2d(m, c, src, srcOff, srcLd, tmp, (long) offset * c, strides * c);
            be.axpy(n, 1f, tmp, 0, dst, 0);
        }
    }
}
