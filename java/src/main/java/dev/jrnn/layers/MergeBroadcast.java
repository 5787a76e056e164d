package dev.jrnn.layers;

import dev.jrnn.backend.Backend;
import dev.jrnn.backend.DTensor;
import dev.jrnn.tensor.Tensor;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Keras' broadcasting in the elementwise merges (Add, Subtract, Multiply, Average, Maximum, Minimum): the per-sample
 * shapes aligned on the right (Keras expands a lower-rank input at axis 1), a dimension of 1 repeated to the other's
 * ({@code Multiply()([seq (None, T, F), weights (None, T, 1)])}). An input of another shape is expanded to the output's
 * by one row gather, and its gradient summed back by the matching scatter-add.
 */
final class MergeBroadcast {
    /** Gather indices are floats: exact below 2^24 (as Permute's). */
    private static final int MAX_INDEX = 1 << 24;

    private MergeBroadcast() {}

    /**
     * Keras' {@code _compute_elemwise_op_output_shape} of two per-sample shapes (-1: unknown), or null when they do not
     * broadcast. An unknown dimension against a known one above 1 is that one (the only size it can take there).
     */
    static int[] shape(int[] a, int[] b) {
        if (a.length < b.length) return shape(b, a);
        int[] out = a.clone();
        int off = a.length - b.length;
        for (int i = 0; i < b.length; i++) {
            int x = a[off + i], y = b[i];
            if (x == y || y == 1 || y == -1 && x != 1) out[off + i] = x;
            else if (x == 1 || x == -1) out[off + i] = y;
            else return null;
        }
        return out;
    }

    /**
     * A layer's gather indices by input and output shape, made and uploaded once and kept until {@link #release} (the
     * layer's releaseBuffers): a step neither rebuilds nor uploads them, so a CUDA graph can capture it and hold them.
     */
    static final class Indices {
        private final Map<String, DTensor> byShapes = new HashMap<>();

        synchronized DTensor get(Backend be, String key, java.util.function.Supplier<float[]> make) {
            DTensor d = byShapes.get(key);
            if (d == null) {
                float[] idx = make.get();
                d = DTensor.from(be, Tensor.wrap(idx, idx.length));
                byShapes.put(key, d);
            }
            return d;
        }

        synchronized void release() {
            for (DTensor d : byShapes.values()) d.close();
            byShapes.clear();
        }
    }

    /** {@code x} as the batch shape {@code out} (x itself when it has it), a new tensor to {@code owned} otherwise. */
    static DTensor expand(Backend be, String who, DTensor x, int[] out, List<DTensor> owned, Indices indices) {
        if (java.util.Arrays.equals(x.shape(), out)) return x;
        Rows r = Rows.of(who, x.shape(), out);
        DTensor y = DTensor.zeros(be, out);
        owned.add(y);
        r.run(be, x, y, indices, false);
        return y;
    }

    /** The gradient of {@code x} (shaped as x) from the gradient {@code dBig} of its expansion, a new tensor to {@code owned}. */
    static DTensor reduce(Backend be, String who, DTensor x, DTensor dBig, List<DTensor> owned, Indices indices) {
        if (java.util.Arrays.equals(x.shape(), dBig.shape())) return dBig;
        DTensor dx = DTensor.zeros(be, x.shape());
        owned.add(dx);
        Rows.of(who, x.shape(), dBig.shape()).run(be, dx, dBig, indices, true);
        return dx;
    }

    /** Which input row each output row reads, per sample: rows of the trailing dimensions both shapes share. */
    private record Rows(int width, int inRows, int outRows, float[] base) {
        static Rows of(String who, int[] inShape, int[] out) {
            int rank = out.length;
            int[] in = new int[rank];   // aligned on the right, leading 1s
            java.util.Arrays.fill(in, 1);
            System.arraycopy(inShape, 1, in, rank - inShape.length + 1, inShape.length - 1);
            int keep = rank;   // dimensions from here on are the same in both
            while (keep > 1 && in[keep - 1] == out[keep - 1]) keep--;
            long width = 1, outRows = 1, inRows = 1;
            for (int d = keep; d < rank; d++) width *= out[d];
            for (int d = 1; d < keep; d++) {
                outRows *= out[d];
                inRows *= in[d];
            }
            if (outRows > MAX_INDEX) {
                throw new IllegalArgumentException(who + ": broadcasting an input " + Tensor.shapeString(inShape) + " to "
                        + Tensor.shapeString(out) + " repeats it to " + outRows + " rows per sample, more than the " + MAX_INDEX
                        + " one gather indexes");
            }
            float[] base = new float[(int) outRows];
            int[] pos = new int[keep];   // the output's position over dimensions 1..keep-1
            for (int r = 0; r < outRows; r++) {
                long src = 0;
                for (int d = 1; d < keep; d++) src = src * in[d] + (in[d] == 1 ? 0 : pos[d]);
                base[r] = src;
                for (int d = keep - 1; d >= 1 && ++pos[d] == out[d]; d--) pos[d] = 0;
            }
            return new Rows((int) width, (int) inRows, (int) outRows, base);
        }

        /** {@code big = small} gathered, or with {@code back} {@code small += big} scattered back. */
        void run(Backend be, DTensor small, DTensor big, Indices indices, boolean back) {
            int batch = small.dim(0);
            if (batch == 0 || width == 0 || outRows == 0) return;
            int samples = Math.max(1, Math.min(batch, MAX_INDEX / outRows));
            String key = Tensor.shapeString(small.shape()) + Tensor.shapeString(big.shape()) + samples + back;
            DTensor ix = indices.get(be, key, () -> {
                float[] idx = new float[samples * outRows];
                for (int k = 0; k < samples; k++) {
                    for (int r = 0; r < outRows; r++) idx[k * outRows + r] = base[r] + (float) k * inRows;
                }
                return idx;
            });
            for (int b = 0; b < batch; b += samples) {
                int n = Math.min(samples, batch - b) * outRows;
                long in = (long) b * inRows * width, out = (long) b * outRows * width;
                if (back) be.scatterAddRows(n, width, ix.buf(), 0, big.buf(), out, small.buf(), in);
                else be.gatherRows(n, width, ix.buf(), 0, small.buf(), in, big.buf(), out);
            }
        }
    }
}
