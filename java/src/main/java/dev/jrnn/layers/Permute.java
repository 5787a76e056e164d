package dev.jrnn.layers;

import dev.jrnn.backend.Backend;
import dev.jrnn.backend.DTensor;

import java.util.Arrays;
import java.util.List;

/**
 * Keras Permute: reorders each sample's axes by {@code dims}, a permutation of 1..rank numbered from 1 as Keras (the
 * batch axis stays first). No weights; no mask passes on (as Keras 3).
 *
 * <pre>{@code
 * Input x = Input.shape(10, 64);
 * Node y = new Permute(2, 1).apply(x);   // (None, 64, 10)
 * }</pre>
 */
public class Permute extends Rearrangement {
    private final int[] dims;

    /** {@code dims}: a permutation of 1..n (n the per-sample rank), 1-based as Keras. */
    public Permute(int... dims) {
        if (dims == null || dims.length == 0) {
            throw new IllegalArgumentException("Permute: dims must be a permutation of 1..n, got " + (dims == null ? "null" : "()"));
        }
        boolean[] seen = new boolean[dims.length + 1];
        for (int d : dims) {
            if (d < 1 || d > dims.length || seen[d]) {
                throw new IllegalArgumentException("Permute: dims must be a permutation of 1.." + dims.length
                        + " (indices start at 1), got " + Arrays.toString(dims));
            }
            seen[d] = true;
        }
        this.dims = dims.clone();
    }

    @Override
    public String kerasClass() { return "Permute"; }

    /** The permutation, 1-based. */
    public int[] dims() { return dims.clone(); }

    @Override
    public List<int[]> computeOutputShapes(List<int[]> in) {
        int[] s = Layers.singleShape(this, in);
        if (s.length != dims.length) {
            throw new IllegalArgumentException(name() + ": dims " + Arrays.toString(dims) + " permute inputs of rank "
                    + (dims.length + 1) + " (batch included), got " + Layers.withBatch(s));
        }
        int[] out = new int[dims.length];
        for (int i = 0; i < dims.length; i++) out[i] = s[dims[i] - 1];
        return List.of(out);
    }

    @Override
    void rearrange(Backend be, DTensor x, DTensor y, List<DTensor> owned) {
        permute(be, name(), dims, x, y, indices, false);
    }

    @Override
    void rearrangeBackward(Backend be, DTensor dy, DTensor dx, List<DTensor> owned) {
        permute(be, name(), dims, dx, dy, indices, true);
    }

    /**
     * {@code y} = {@code x} with each sample's axes reordered by {@code dims} (1-based), or with {@code backward}
     * {@code x += } that rearrangement undone on {@code y}. One gather (scatter) over rows of the trailing axes the
     * permutation keeps in place, for as many samples at a time as float indices reach exactly (the same relative
     * indices serve every chunk); {@code who} names the caller in errors. Dot reuses it.
     */
    static void permute(Backend be, String who, int[] dims, DTensor x, DTensor y, MergeBroadcast.Indices indices, boolean backward) {
        int[] s = Arrays.copyOfRange(x.shape(), 1, x.rank());
        int keep = dims.length;   // axes from here on stay in place
        while (keep > 0 && dims[keep - 1] == keep) keep--;
        int width = 1;
        for (int i = keep; i < s.length; i++) width *= s[i];
        long perSample = Arrays.stream(s).asLongStream().reduce(1, (a, c) -> a * c);
        if (perSample == 0) return;
        int rows = (int) (perSample / width);
        if (rows > MAX_INDEX) {
            throw new IllegalArgumentException(who + ": permuting " + rows + " rows per sample is more than the "
                    + MAX_INDEX + " a permutation indexes; input " + Layers.withBatch(s));
        }
        int batch = x.dim(0), samples = Math.max(1, Math.min(batch, MAX_INDEX / rows));
        long[] stride = new long[keep];   // strides of the input's leading (moved) axes, in rows
        long st = 1;
        for (int i = keep - 1; i >= 0; i--) {
            stride[i] = st;
            st *= s[i];
        }
        int keptAxes = keep;
        // made and uploaded once per shapes, kept until releaseBuffers: a step uploads nothing, so a CUDA graph captures it
        DTensor ix = indices.get(be, Arrays.toString(dims) + Arrays.toString(s) + samples, () -> {
            float[] idx = new float[samples * rows];
            int[] pos = new int[keptAxes];   // the output's position over its leading axes
            for (int r = 0; r < rows; r++) {
                long src = 0;
                for (int i = 0; i < keptAxes; i++) src += pos[i] * stride[dims[i] - 1];
                idx[r] = src;
                for (int i = keptAxes - 1; i >= 0 && ++pos[i] == s[dims[i] - 1]; i--) pos[i] = 0;
            }
            for (int k = 1; k < samples; k++) {
                for (int r = 0; r < rows; r++) idx[k * rows + r] = idx[r] + (float) k * rows;
            }
            return idx;
        });
        for (int b = 0; b < batch; b += samples) {
            int n = Math.min(samples, batch - b) * rows;
            long at = (long) b * rows * width;
            if (backward) be.scatterAddRows(n, width, ix.buf(), 0, y.buf(), at, x.buf(), at);
            else be.gatherRows(n, width, ix.buf(), 0, x.buf(), at, y.buf(), at);
        }
    }

    @Override
    public Permute name(String n) { super.name(n); return this; }

    @Override
    public Permute dtype(String policy) { super.dtype(policy); return this; }

    @Override
    public Permute seed(long s) { super.seed(s); return this; }

    @Override
    public Permute inputShape(int... shape) { super.inputShape(shape); return this; }

    @Override
    public Permute batchInputShape(int batch, int... shape) { super.batchInputShape(batch, shape); return this; }

    @Override
    public Permute inputLength(int n) { super.inputLength(n); return this; }

    @Override
    public Permute inputDim(int d) { super.inputDim(d); return this; }

    @Override
    public Permute trainable(boolean t) { super.trainable(t); return this; }
}
