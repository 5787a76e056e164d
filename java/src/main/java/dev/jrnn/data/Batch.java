package dev.jrnn.data;

import dev.jrnn.tensor.Tensor;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.List;
import java.util.function.IntFunction;

/**
 * One batch as a training loop consumes it: inputs, targets and sample weights, if the data set has them (batch axis
 * first; variable-length sequences zero-padded to the longest in the batch, with their {@link #lengths()}), and for error
 * messages the samples' indices and files. The data lives in segments from the data set's
 * {@link BatchMemory}; {@link #close()} returns them.
 *
 * <pre>{@code
 * try (BatchStream s = ds.epoch(0)) {
 *     while (s.hasNext()) try (Batch b = s.next()) {
 *         Tensor x = b.input(0);      // (B, T, F), T = the longest sequence in the batch
 *         int[] len = b.lengths();    // null unless the data set has ragged sequences
 *     }
 * }
 * }</pre>
 */
public final class Batch implements AutoCloseable {
    private final MemorySegment[] segments;   // inputs, targets, then sample weights
    private final int[][] shapes;
    private final int inputs;
    private final int weights;
    private final int[] lengths;
    private final long[] indices;
    private final IntFunction<String> where;   // by batch row
    private final BatchMemory memory;
    private final Batch whole;                  // the batch a select() view picks from: closing the view closes it
    private boolean closed;

    Batch(MemorySegment[] segments, int[][] shapes, int inputs, int weights, int[] lengths, long[] indices,
          IntFunction<String> where, BatchMemory memory) {
        this.segments = segments;
        this.shapes = shapes;
        this.inputs = inputs;
        this.weights = weights;
        this.lengths = lengths;
        this.indices = indices;
        this.where = where;
        this.memory = memory;
        this.whole = null;
    }

    private Batch(Batch whole, MemorySegment[] segments, int[][] shapes, int inputs, int weights) {
        this.segments = segments;
        this.shapes = shapes;
        this.inputs = inputs;
        this.weights = weights;
        this.lengths = whole.lengths;
        this.indices = whole.indices;
        this.where = whole.where;
        this.memory = whole.memory;
        this.whole = whole;
    }

    /**
     * This batch's inputs, targets and sample weights picked by index and in that order (the others left out), sharing its
     * memory: what a model reads of a data set whose parts it matches by name ({@link Dataset#inputNames()}). Closing either
     * closes both; reading a view of a closed batch throws (its memory may already hold another batch). A target or weight
     * index of -1 is a part the view has none of: its {@link #target}, {@link #targetShape}, {@link #targetSegment} and
     * {@link #sampleWeight} are null (an output without a target, as a null target of a named data set,
     * {@link Dataset#nullTargetNames()}).
     * <pre>{@code
     * Batch b = stream.next();                                              // inputs body, title; targets dept, priority
     * try (Batch forModel = b.select(new int[] {1, 0}, new int[] {1, 0}, new int[0])) {
     *     Tensor title = forModel.input(0);
     * }
     * }</pre>
     */
    public Batch select(int[] inputIndices, int[] targetIndices, int[] weightIndices) {
        if (inputIndices == null || targetIndices == null || weightIndices == null) {
            throw new IllegalArgumentException("Batch.select: " + (inputIndices == null ? "inputIndices" : targetIndices == null
                    ? "targetIndices" : "weightIndices") + " is null; give an int[] of indices (new int[0] for none)");
        }
        if (isClosed()) throw new IllegalStateException("Batch: closed; its memory was handed back");
        int n = inputIndices.length + targetIndices.length + weightIndices.length;
        MemorySegment[] seg = new MemorySegment[n];
        int[][] sh = new int[n][];
        int at = 0;
        for (int k : inputIndices) { seg[at] = segments[checkIndex(k, inputs, "input")]; sh[at++] = shapes[k]; }
        for (int k : targetIndices) {   // -1: none (seg and shape null)
            if (k != -1) { seg[at] = segments[inputs + checkIndex(k, targetCount(), "target")]; sh[at] = shapes[inputs + k]; }
            at++;
        }
        int w0 = inputs + targetCount();
        for (int k : weightIndices) {
            if (k != -1) { seg[at] = segments[w0 + checkIndex(k, weights, "sample weight")]; sh[at] = shapes[w0 + k]; }
            at++;
        }
        return new Batch(this, seg, sh, inputIndices.length, weightIndices.length);
    }

    /** Samples in this batch. */
    public int size() { return indices.length; }

    /** How many input tensors each sample has. */
    public int inputCount() { return inputs; }

    /** How many target tensors each sample has (0 for a data set of inputs only). */
    public int targetCount() { return segments.length - inputs - weights; }

    /** Sample-weight tensors per sample (0: the data set has none; 1: one for every output; else one per output). */
    public int sampleWeightCount() { return weights; }

    /** Sample weights {@code k}, as Keras' sample_weight of this batch: shape (B) or (B, 1), or (B, T) per timestep. */
    public Tensor sampleWeight(int k) { return tensor(inputs + targetCount() + checkIndex(k, weights, "sample weight")); }

    /** Every sample-weight tensor of this batch (empty when the data set has none). */
    public List<Tensor> sampleWeights() {
        List<Tensor> l = new ArrayList<>();
        for (int k = 0; k < weights; k++) l.add(sampleWeight(k));
        return l;
    }

    /** Input {@code k} as a Tensor: the batch's own memory when it is a heap array, else a copy. */
    public Tensor input(int k) { return tensor(checkIndex(k, inputs, "input")); }

    /** Target {@code k} as a Tensor. */
    public Tensor target(int k) { return tensor(inputs + checkIndex(k, targetCount(), "target")); }

    /** Every input of this batch, as {@link #input(int)} gives them. */
    public List<Tensor> inputs() {
        List<Tensor> l = new ArrayList<>();
        for (int k = 0; k < inputs; k++) l.add(input(k));
        return l;
    }

    /** Every target of this batch, as {@link #target(int)} gives them. */
    public List<Tensor> targets() {
        List<Tensor> l = new ArrayList<>();
        for (int k = 0; k < targetCount(); k++) l.add(target(k));
        return l;
    }

    /** Input {@code k}'s memory as filled (float32, row-major; may be longer than the shape needs). */
    public MemorySegment inputSegment(int k) { return segments[checkIndex(k, inputs, "input")]; }

    /** Target {@code k}'s memory as filled (float32, row-major; may be longer than the shape needs). */
    public MemorySegment targetSegment(int k) { return segments[inputs + checkIndex(k, targetCount(), "target")]; }

    /** The shape of input {@code k} in this batch (a copy). */
    public int[] inputShape(int k) { return shapes[checkIndex(k, inputs, "input")].clone(); }

    /** The shape of target {@code k} in this batch (a copy). */
    public int[] targetShape(int k) {
        int[] s = shapes[inputs + checkIndex(k, targetCount(), "target")];
        return s == null ? null : s.clone();
    }

    /** The sequence length of each sample, or null when the data has no variable-length sequences. */
    public int[] lengths() { return lengths == null ? null : lengths.clone(); }

    /** The samples' indices in the data set (before shuffling), batch row by row. */
    public long[] indices() { return indices.clone(); }

    /** The file and in-file index of row {@code row}, e.g. {@code "x.npy sample 17"}. */
    public String where(int row) {
        if (row < 0 || row >= indices.length) throw new IndexOutOfBoundsException("Batch: row " + row + " outside [0, " + indices.length + ")");
        return where.apply(row);
    }

    /** Returns the memory to the data set's {@link BatchMemory}; the tensors must not be used after. */
    @Override
    public void close() {
        if (closed) return;
        closed = true;
        if (whole != null) whole.close();
        else for (MemorySegment s : segments) memory.release(s);
    }

    /** A view is closed with the batch it picks from, whichever was closed first. */
    private boolean isClosed() { return closed || whole != null && whole.isClosed(); }

    private Tensor tensor(int k) {
        if (isClosed()) throw new IllegalStateException("Batch: closed; its memory was handed back");
        int[] shape = shapes[k];
        if (shape == null) return null;   // a view's part it has none of
        long n = Column.product(shape);
        MemorySegment s = segments[k];
        Object base = s.heapBase().orElse(null);
        if (base instanceof float[] a && a.length == n && s.address() == 0) return Tensor.wrap(a, shape);
        return Tensor.wrap(s.asSlice(0, n * 4).toArray(ValueLayout.JAVA_FLOAT), shape);
    }

    private int checkIndex(int k, int n, String what) {
        if (k < 0 || k >= n) throw new IndexOutOfBoundsException("Batch: " + what + " " + k + " outside [0, " + n + ")");
        return k;
    }
}
