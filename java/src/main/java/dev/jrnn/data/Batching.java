package dev.jrnn.data;

import dev.jrnn.tensor.Tensor;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * How samples become batches: {@link Dataset#batch}, {@link Dataset#bucketByLength} and {@link Dataset#paddedBatch}'s checks,
 * and tf.data's {@code padded_batch} padding (a part padded to fixed lengths or to the batch's longest, with its own value),
 * which {@link Assembler} applies to a batch's samples and {@link Dataset#unbatch} keeps, as tf.data's.
 */
final class Batching {
    private Batching() {}

    /**
     * {@code padded_batch}'s {@code padded_shapes} and {@code padding_values}, one per part (inputs, targets, then sample
     * weights); null: every part to the batch's longest on every axis / padded with 0. A shape's -1 (or a null shape) is the
     * batch's longest on that axis; {} is a part of one value per sample.
     */
    record Padding(int[][] shapes, float[] values, Interleave.Learned inner) {
        int parts() { return shapes != null ? shapes.length : values != null ? values.length : -1; }

        float value(int c) { return values == null ? 0 : values[c]; }
    }

    /** Batching once: tf.data nests {@code batch(4).batch(2)} into batches of batches, which a model does not take. */
    static Dataset batch(Dataset d, String op, int n, boolean dropRemainder) {
        if (d.batched) {
            throw new IllegalStateException("Dataset." + op + ": the dataset is already batched (" + (d.boundaries != null ? "bucketByLength(" : "batch(")
                    + d.batchSize + ")); batch once, after the sample operations");
        }
        if (n < 1) throw new IllegalArgumentException("Dataset." + op + ": size must be >= 1, got " + n);
        Dataset b = d.copy();
        b.batchSize = n;
        b.dropRemainder = dropRemainder;
        b.boundaries = null;
        b.padding = null;
        b.batched = true;
        return b;
    }

    static Dataset bucketByLength(Dataset d, int n, boolean dropRemainder, int[] boundaries) {
        Dataset b = batch(d, "bucketByLength", n, dropRemainder);
        if (boundaries == null || boundaries.length == 0) throw new IllegalArgumentException("Dataset.bucketByLength: give at least one boundary");
        for (int i = 0; i < boundaries.length; i++) {
            if (boundaries[i] < 1 || i > 0 && boundaries[i] <= boundaries[i - 1]) {
                throw new IllegalArgumentException("Dataset.bucketByLength: boundaries must be positive and increasing, got "
                        + Arrays.toString(boundaries));
            }
        }
        if (d.table != null && d.table.lengthColumn() == null) {
            throw new IllegalStateException("Dataset.bucketByLength: the samples all have one length; bucketing needs ragged sequences (fromRagged...)");
        }
        b.boundaries = boundaries.clone();
        return b;
    }

    /** {@link Dataset#rebatch}: {@code unbatch().batch(n, dropRemainder)}, its count unknown as tf.data's (even of an endless set). */
    static Dataset rebatch(Dataset d, int n, boolean dropRemainder) {
        if (!d.batched) throw new IllegalStateException("Dataset.rebatch: the data set is not batched; call batch(" + n + ")");
        Dataset u = d.unbatch();
        u.streamSize = -1;
        return batch(u, "rebatch", n, dropRemainder);
    }

    /** {@link Dataset#paddedBatch}: the arguments checked, and against a table's columns where they are known at the call. */
    static Dataset padded(Dataset d, int n, int[][] shapes, float[] values, boolean dropRemainder) {
        Dataset b = batch(d, "paddedBatch", n, dropRemainder);
        if (shapes != null && values != null && shapes.length != values.length) {
            throw new IllegalArgumentException("Dataset.paddedBatch: paddingValues: expected one value per part, as paddedShapes' "
                    + shapes.length + ", got " + values.length);
        }
        int[][] copy = shapes == null ? null : new int[shapes.length][];
        for (int c = 0; shapes != null && c < shapes.length; c++) {
            if (shapes[c] == null) continue;
            copy[c] = shapes[c].clone();
            for (int a = 0; a < copy[c].length; a++) {
                if (copy[c][a] < -1 || copy[c][a] == 0) {   // 0: no sample fits (a jrnn tensor has no empty axis)
                    throw new IllegalArgumentException("Dataset.paddedBatch: paddedShapes[" + c + "][" + a + "] must be >= 1, or -1 for the"
                            + " batch's longest, got " + copy[c][a]);
                }
            }
        }
        for (int c = 0; values != null && c < values.length; c++) {
            if (!Float.isFinite(values[c])) throw new IllegalArgumentException("Dataset.paddedBatch: paddingValues[" + c + "] must be finite, got " + values[c]);
        }
        // a stream after interleave / flatMap: its parts' ranks are checked at the first batch, once an inner data set opened
        Padding p = new Padding(copy, values == null ? null : values.clone(), d.table == null && d.scalar == null ? d.innerScalars : null);
        if (d.table != null && d.mapper == null) check(p, d.table);
        b.padding = p;
        return b;
    }

    /** What tf.data checks at the call from the element spec: the parts, each padded shape's rank and fixed axes, the values' dtype. */
    private static void check(Padding p, Table t) {
        List<Column> cols = t.columns();
        int ni = t.inputs().size(), nt = t.targets().size();
        if (p.parts() >= 0 && p.parts() != cols.size()) {
            throw new IllegalArgumentException("Dataset.paddedBatch: " + (p.shapes != null ? "paddedShapes" : "paddingValues") + ": expected "
                    + cols.size() + " parts (" + ni + " inputs, " + nt + " targets, " + (cols.size() - ni - nt) + " sample weights), got " + p.parts());
        }
        for (int c = 0; c < cols.size(); c++) {
            Column col = cols.get(c);
            String part = Assembler.name(c, ni, nt);
            int[] unit = col.unitShape(), shape = col.ragged() ? concat(-1, unit) : unit;
            int[] want = p.shapes == null ? null : p.shapes[c];
            if (want != null) {
                int[] w = want;   // ranks compared exactly: {} only for a one-value-per-sample part, as tf.data's [] for a scalar
                boolean fits = w.length == shape.length;
                for (int a = 0; fits && a < w.length; a++) fits = w[a] < 0 || shape[a] <= w[a];
                if (!fits) {
                    throw new IllegalArgumentException("Dataset.paddedBatch: paddedShapes[" + c + "]: expected a shape that " + part + "'s "
                            + (col.ragged() ? "sequences of steps " + Tensor.shapeString(unit) : "samples of shape " + Tensor.shapeString(unit))
                            + " fit in (tf.data: not compatible with the element's shape), got " + Tensor.shapeString(want));
                }
            }
            float v = p.value(c);
            if (v != Math.rint(v) && !col.dtypes().isEmpty() && col.dtypes().stream().allMatch(DType::isInteger)) {
                throw new IllegalArgumentException("Dataset.paddedBatch: paddingValues[" + c + "]: " + part + " holds " + col.dtypes().get(0)
                        + ", so tf.data pads it with a whole number of its dtype; got " + v);
            }
        }
    }

    /**
     * The samples of one batch padded to the batch's shapes, part by part, each keeping its sequence length (so a batch made of
     * them again masks the padding): {@code p}'s padded shapes and values, or (null) a sequence's steps to the longest with 0.
     * What a batch holds, and what {@link Dataset#unbatch} gives back.
     */
    static List<Sample> pad(List<Sample> group, Padding p, boolean[] scalar) {
        Sample first = group.get(0);
        int ni = first.inputs().size(), nt = first.targets().size(), nc = ni + nt + first.weights().size();
        Assembler.sameParts(group);
        if (p != null && p.parts() >= 0 && p.parts() != nc) {
            throw new DataException(first.where(), "Dataset.paddedBatch: " + (p.shapes != null ? "paddedShapes" : "paddingValues") + " gives "
                    + p.parts() + " parts, the sample has " + nc + " (" + ni + " inputs, " + nt + " targets, " + (nc - ni - nt) + " sample weights)", null);
        }
        int[][] units = new int[nc][];
        boolean[] known = scalar != null || p == null || p.inner() == null ? scalar : p.inner().flags();
        for (int c = 0; c < nc; c++) {
            if (p != null && p.shapes != null && p.shapes[c] != null && known != null && c < known.length && (p.shapes[c].length == 0) != known[c]) {
                throw new DataException(first.where(), "Dataset.paddedBatch: paddedShapes[" + c + "]: " + Assembler.name(c, ni, nt) + " holds "
                        + (known[c] ? "one value per sample (tf.data: rank 0), so its padded shape is {}" : "samples of shape "
                        + Tensor.shapeString(Assembler.part(first, c, ni, nt).shape()) + ", so its padded shape has their rank")
                        + "; got " + Tensor.shapeString(p.shapes[c]), null);
            }
            units[c] = p == null ? unpadded(group, c, ni, nt, scalar) : unit(group, c, ni, nt, p);
        }
        List<Sample> out = new ArrayList<>(group.size());
        for (Sample s : group) {
            List<Tensor> in = new ArrayList<>(), tg = new ArrayList<>(), w = new ArrayList<>();
            for (int c = 0; c < nc; c++) {
                Tensor t = Assembler.part(s, c, ni, nt), x = Arrays.equals(t.shape(), units[c]) ? t : pad(t, units[c], p == null ? 0 : p.value(c));
                (c < ni ? in : c < ni + nt ? tg : w).add(x);
            }
            out.add(new Sample(in, tg, w, s.length(), s.index(), s.source()));
        }
        return out;
    }

    /** Part {@code c}'s sample shape in a plain batch (a sequence's steps to the longest), refused as the batch refuses it. */
    private static int[] unpadded(List<Sample> group, int c, int ni, int nt, boolean[] scalar) {
        int[] b = Assembler.batchShape(group, c, ni, nt, scalar != null && c < scalar.length && scalar[c]);
        return b.length == 1 ? new int[] {1} : Arrays.copyOfRange(b, 1, b.length);
    }

    /** Part {@code c}'s padded sample shape: the padded shape's fixed axes, the batch's longest where -1. */
    private static int[] unit(List<Sample> group, int c, int ni, int nt, Padding p) {
        int[] rank = Assembler.part(group.get(0), c, ni, nt).shape();
        int[] want = p.shapes == null || p.shapes[c] == null ? null : p.shapes[c].length == 0 ? new int[] {1} : p.shapes[c];
        int[] u = new int[want == null ? rank.length : want.length];
        for (int a = 0; a < u.length; a++) u[a] = want == null ? -1 : want[a];
        int[] longest = new int[u.length];
        for (Sample s : group) {
            int[] t = Assembler.part(s, c, ni, nt).shape();
            String what = "Dataset.paddedBatch: " + Assembler.name(c, ni, nt) + " has shape " + Tensor.shapeString(t);
            if (t.length != u.length) {
                throw new DataException(s.where(), what + (want == null ? ", " + group.get(0).where() + "'s has rank " + u.length
                        : ", its padded shape " + Tensor.shapeString(want) + " has rank " + u.length) + "; give a padded shape of the sample's rank", null);
            }
            for (int a = 0; a < u.length; a++) {
                if (u[a] >= 0 && t[a] > u[a]) {
                    throw new DataException(s.where(), what + ", longer than its padded shape " + Tensor.shapeString(want) + " on axis " + a
                            + " (tf.data: 'Attempted to pad to a smaller size than the input element')", null);
                }
                longest[a] = Math.max(longest[a], t[a]);
            }
        }
        for (int a = 0; a < u.length; a++) if (u[a] < 0) u[a] = longest[a];
        return u;
    }

    /** {@code t} in the corner of a tensor of shape {@code shape} (each axis at least t's), the rest {@code value}. */
    static Tensor pad(Tensor t, int[] shape, float value) {
        int[] from = t.shape();
        float[] out = new float[Math.toIntExact(Column.product(shape))];
        if (value != 0) Arrays.fill(out, value);
        int rank = shape.length, inner = rank == 0 ? 1 : from[rank - 1];
        int rows = rank == 0 ? 1 : t.size() / Math.max(1, inner);
        float[] src = t.data();
        int[] idx = new int[Math.max(0, rank - 1)];
        for (int r = 0; r < rows && inner > 0; r++) {
            int at = 0;   // row r's offset in the padded tensor: its index over the outer axes, strided by the padded shape
            for (int a = 0; a < rank - 1; a++) at = at * shape[a] + idx[a];
            System.arraycopy(src, r * inner, out, at * (rank == 0 ? 1 : shape[rank - 1]), inner);
            for (int a = rank - 2; a >= 0; a--) {   // the next row's index, the last outer axis fastest
                if (++idx[a] < from[a]) break;
                idx[a] = 0;
            }
        }
        return Tensor.wrap(out, shape);
    }

    private static int[] concat(int first, int[] unit) {
        int[] s = new int[unit.length + 1];
        s[0] = first;
        System.arraycopy(unit, 0, s, 1, unit.length);
        return s;
    }
}
