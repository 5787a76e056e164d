package dev.jrnn.data;

import dev.jrnn.tensor.Tensor;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;

/**
 * The indexable columns of a data set: inputs, targets and sample weights (none, or one per sample or per timestep) with
 * the same sample count; the ragged columns of a sample agree on its length. {@code source} names the first input's file
 * (or "input 0"), computed once: each {@link #sample} carries it.
 */
record Table(List<Column> inputs, List<Column> targets, List<Column> weights, Column lengthColumn, String source) {
    static Table of(List<Column> inputs, List<Column> targets) throws IOException {
        return of(inputs, targets, List.of());
    }

    static Table of(List<Column> inputs, List<Column> targets, List<Column> weights) throws IOException {
        if (inputs.isEmpty()) throw new IllegalArgumentException("Dataset: at least one input is needed");
        long n = inputs.get(0).samples();
        Column ragged = null;
        List<Column> all = new ArrayList<>(inputs);
        all.addAll(targets);
        all.addAll(weights);
        for (Column c : all) {
            if (c.samples() != n) {
                throw new IOException("Dataset: sample counts differ: " + describe(inputs.get(0)) + " has " + n + ", "
                        + describe(c) + " has " + c.samples());
            }
            if (c.ragged()) {
                if (ragged == null) ragged = c;
                else for (long i = 0; i < n; i++) {
                    if (c.length(i) != ragged.length(i)) {
                        throw new IOException("Dataset: " + c.where(i) + " has " + c.length(i) + " steps, "
                                + ragged.where(i) + " has " + ragged.length(i));
                    }
                }
            }
        }
        if (n == 0) throw new IOException("Dataset: " + describe(inputs.get(0)) + " holds no samples");
        return new Table(List.copyOf(inputs), List.copyOf(targets), List.copyOf(weights), ragged, describe(inputs.get(0)));
    }

    private static String describe(Column c) {
        String w = c.where(0);   // names the file also when it holds no sample
        int cut = Math.max(Math.max(w.lastIndexOf(" sample "), w.lastIndexOf(" sequence ")),
                Math.max(w.lastIndexOf(" window "), w.lastIndexOf(" row ")));   // a Timeseries column names windows or rows
        return w.substring(0, cut > 0 ? cut : w.length());
    }

    long samples() { return inputs.get(0).samples(); }

    /** Sequence length of sample {@code i}, or -1 when no column is ragged. */
    int length(long i) { return lengthColumn == null ? -1 : lengthColumn.length(i); }

    String where(long i) { return inputs.get(0).where(i); }

    /** Every column: the inputs, the targets, then the sample weights (a batch's parts in order). */
    List<Column> columns() {
        List<Column> all = new ArrayList<>(inputs);
        all.addAll(targets);
        all.addAll(weights);
        return all;
    }

    /**
     * Sample {@code i} as Tensors (for a map, a filter, a concatenation): a column of one value per sample gives a (1,) tensor.
     * It is named by its file ("x.npy sample 17", "input 0 sample 17" for tensors), so a map's failure says where.
     */
    Sample sample(long i) {
        List<Tensor> in = new ArrayList<>(), out = new ArrayList<>(), ws = new ArrayList<>();
        for (Column c : inputs) in.add(read(c, i));
        for (Column c : targets) out.add(read(c, i));
        for (Column c : weights) ws.add(read(c, i));
        return new Sample(in, out, ws, length(i), i, source);
    }

    private static Tensor read(Column c, long i) {
        int[] unit = c.unitShape();
        int[] shape;
        if (c.ragged()) {
            shape = new int[unit.length + 1];
            shape[0] = c.length(i);
            System.arraycopy(unit, 0, shape, 1, unit.length);
        } else {
            shape = unit.length == 0 ? new int[] {1} : unit;
        }
        float[] d = new float[Math.toIntExact(Column.product(shape))];
        c.copy(i, MemorySegment.ofArray(d), 0);
        return Tensor.wrap(d, shape);
    }

    void check() throws IOException {
        for (Column c : columns()) c.check();
    }

    /** Throws unless every column holds float32 (or {@code convert} allows converting). */
    void checkDtypes(boolean convert) throws IOException {
        if (convert) return;
        for (Column c : columns()) {
            for (Column shard : c.shards()) for (DType t : shard.dtypes()) {   // names the shard that holds it
                if (t != DType.FLOAT32) {
                    throw new IOException(describe(shard) + " holds " + t + "; jrnn trains in float32: call Dataset.asFloat32() "
                            + "to convert on read" + (t.isInteger() ? " (integer class labels convert exactly up to 2^24)" : ""));
                }
            }
        }
    }
}
