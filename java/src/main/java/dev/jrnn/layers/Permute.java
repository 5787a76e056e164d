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
    /** Gather indices are floats: exact below 2^24. */
    private static final int MAX_INDEX = 1 << 24;

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

    /**
     * One gather: {@code y[j] = x[idx[j]]} over rows of the trailing axes the permutation keeps in place, for as many
     * samples at a time as float indices reach exactly (the same relative indices serve every chunk).
     */
    @Override
    void rearrange(Backend be, DTensor x, DTensor y, List<DTensor> owned) {
        Plan p = plan(x, be, owned);
        for (int b = 0; b < x.dim(0); b += p.samples) {
            int n = Math.min(p.samples, x.dim(0) - b) * p.rows;
            long at = (long) b * p.rows * p.width;
            be.gatherRows(n, p.width, p.idx.buf(), 0, x.buf(), at, y.buf(), at);
        }
    }

    @Override
    void rearrangeBackward(Backend be, DTensor dy, DTensor dx, List<DTensor> owned) {
        Plan p = plan(dx, be, owned);
        for (int b = 0; b < dx.dim(0); b += p.samples) {
            int n = Math.min(p.samples, dx.dim(0) - b) * p.rows;
            long at = (long) b * p.rows * p.width;
            be.scatterAddRows(n, p.width, p.idx.buf(), 0, dy.buf(), at, dx.buf(), at);
        }
    }

    /** The gather of input x: rows of {@code width} floats, {@code rows} per sample, {@code samples} per call. */
    private record Plan(DTensor idx, int width, int rows, int samples) {}

    private Plan plan(DTensor x, Backend be, List<DTensor> owned) {
        int[] s = Arrays.copyOfRange(x.shape(), 1, x.rank());
        int keep = dims.length;   // axes from here on stay in place
        while (keep > 0 && dims[keep - 1] == keep) keep--;
        int width = 1;
        for (int i = keep; i < s.length; i++) width *= s[i];
        int rows = (int) (Arrays.stream(s).asLongStream().reduce(1, (a, c) -> a * c) / width);
        if (rows > MAX_INDEX) {
            throw new IllegalArgumentException(name() + ": permuting " + rows + " rows per sample is more than the "
                    + MAX_INDEX + " this layer indexes; input " + Layers.withBatch(s));
        }
        int samples = Math.max(1, Math.min(x.dim(0), MAX_INDEX / Math.max(1, rows)));
        // strides of the input's leading (moved) axes, in rows
        long[] stride = new long[keep];
        long st = 1;
        for (int i = keep - 1; i >= 0; i--) {
            stride[i] = st;
            st *= s[i];
        }
        float[] idx = new float[samples * rows];
        int[] pos = new int[keep];   // the output's position, over its leading axes dims[0..keep)
        for (int r = 0; r < rows; r++) {
            long src = 0;
            for (int i = 0; i < keep; i++) src += pos[i] * stride[dims[i] - 1];
            idx[r] = src;
            for (int i = keep - 1; i >= 0 && ++pos[i] == s[dims[i] - 1]; i--) pos[i] = 0;
        }
        for (int k = 1; k < samples; k++) {
            for (int r = 0; r < rows; r++) idx[k * rows + r] = idx[r] + (float) k * rows;
        }
        DTensor d = DTensor.from(be, dev.jrnn.tensor.Tensor.wrap(idx, idx.length));
        owned.add(d);
        return new Plan(d, width, rows, samples);
    }

    @Override
    public Permute name(String n) { super.name(n); return this; }

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
