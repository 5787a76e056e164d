package dev.jrnn.data;

import dev.jrnn.tensor.Tensor;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.UnaryOperator;

/**
 * tf.data's {@code map} after {@code batch}: a function of whole batches, given as one {@link Sample} whose tensors carry
 * the batch axis ((B, ...); a part of one value per sample (B,)). It runs as each batch is assembled: a map is one batch
 * in, one batch out, so it commutes with the batch-level take, skip, repeat and shuffle after it, and tf.data's order
 * holds; an unbatch after it splits the mapped batches. The batch keeps its rows and, for sequences, its steps and lengths.
 */
final class BatchMap {
    private BatchMap() {}

    /** {@link Dataset#map} of a batched data set: composed with a map of batches before it. */
    static Dataset map(Dataset d, UnaryOperator<Sample> f) {
        Dataset m = d.copy();
        UnaryOperator<Sample> g = d.batchMapper;
        m.batchMapper = g == null ? f : s -> f.apply(StreamOps.apply(g, s));
        return m;
    }

    /** {@code b} as one sample: its parts whole, named for messages by its first and last rows. */
    static Sample asSample(Batch b) {
        return new Sample(b.inputs(), b.targets(), b.sampleWeights(), -1, -1, "the batch of " + b.where(0)
                + (b.size() > 1 ? " .. " + b.where(b.size() - 1) : ""));
    }

    /** The batch of {@code f} applied to {@code b}, in {@code asm}'s memory; {@code b} is closed. */
    static Batch apply(Batch b, UnaryOperator<Sample> f, Assembler asm) {
        try {
            Sample in = asSample(b), out = StreamOps.apply(f, in);
            check(in, out, b.size(), b.lengths());
            long[] idx = b.indices();
            String[] where = new String[idx.length];
            for (int r = 0; r < where.length; r++) where[r] = b.where(r);
            return asm.fromParts(out.inputs(), out.targets(), out.weights(), b.lengths(), idx, r -> where[r]);
        } finally {
            b.close();
        }
    }

    /**
     * A batch's samples, as the batch holds them, through {@code f}: stacked into one sample, mapped, split into rows again
     * (each keeping its sequence length), for an unbatch after the map.
     */
    static List<Sample> apply(List<Sample> padded, UnaryOperator<Sample> f, boolean[] scalar) {
        Sample s0 = padded.get(0);
        int ni = s0.inputs().size(), nt = s0.targets().size(), nc = ni + nt + s0.weights().size();
        List<List<Tensor>> parts = List.of(new ArrayList<>(), new ArrayList<>(), new ArrayList<>());
        for (int c = 0; c < nc; c++) {
            boolean one = scalar != null && c < scalar.length && scalar[c];
            parts.get(c < ni ? 0 : c < ni + nt ? 1 : 2).add(stack(padded, c, ni, nt, one));
        }
        int[] lengths = null;
        if (padded.stream().anyMatch(s -> s.length() >= 0)) lengths = padded.stream().mapToInt(EpochPlan::length).toArray();
        Sample in = new Sample(parts.get(0), parts.get(1), parts.get(2), -1, -1, "the batch of " + s0.where()), out = StreamOps.apply(f, in);
        check(in, out, padded.size(), lengths);
        List<Sample> rows = new ArrayList<>(padded.size());
        for (int r = 0; r < padded.size(); r++) {
            int k = r;
            java.util.function.Function<List<Tensor>, List<Tensor>> row = l -> l.stream().map(t -> row(t, k)).toList();
            Sample s = padded.get(r);
            rows.add(new Sample(row.apply(out.inputs()), row.apply(out.targets()), row.apply(out.weights()), s.length(), s.index(), s.source()));
        }
        return rows;
    }

    /** A mapped batch keeps its rows (every part (B, ...)) and, with lengths, input 0's steps, so its mask stays true. */
    private static void check(Sample in, Sample out, int rows, int[] lengths) {
        List<Tensor> all = new ArrayList<>(out.inputs());
        all.addAll(out.targets());
        all.addAll(out.weights());
        for (int c = 0; c < all.size(); c++) {
            if (all.get(c).dim(0) != rows) {
                throw new DataException(in.where(), "Dataset.map of batches: " + Assembler.name(c, out.inputs().size(), out.targets().size())
                        + " has shape " + Tensor.shapeString(all.get(c).shape()) + "; expected the batch's " + rows + " rows first", null);
            }
        }
        Tensor x = in.inputs().get(0), y = out.inputs().get(0);
        if (lengths != null && (y.rank() < 2 || y.dim(1) != x.dim(1))) {
            throw new DataException(in.where(), "Dataset.map of batches: input 0 has shape " + Tensor.shapeString(y.shape()) + "; a batch of"
                    + " sequences keeps its lengths, so expected its " + x.dim(1) + " steps on axis 1 as in " + Tensor.shapeString(x.shape()), null);
        }
    }

    private static Tensor stack(List<Sample> l, int c, int ni, int nt, boolean one) {
        int[] unit = Assembler.part(l.get(0), c, ni, nt).shape();
        int[] shape = one && unit.length == 1 && unit[0] == 1 ? new int[] {l.size()} : concat(l.size(), unit);
        int size = Math.toIntExact(Column.product(unit));
        float[] v = new float[size * l.size()];
        for (int r = 0; r < l.size(); r++) System.arraycopy(Assembler.part(l.get(r), c, ni, nt).data(), 0, v, r * size, size);
        return Tensor.wrap(v, shape);
    }

    /** Row {@code k} of {@code t}: a (B,) part gives a (1,) tensor, as a table's column of one value per sample. */
    private static Tensor row(Tensor t, int k) {
        int[] shape = t.shape();
        int[] unit = shape.length == 1 ? new int[] {1} : Arrays.copyOfRange(shape, 1, shape.length);
        int size = t.size() / shape[0];
        return Tensor.wrap(Arrays.copyOfRange(t.data(), k * size, (k + 1) * size), unit);
    }

    private static int[] concat(int n, int[] unit) {
        int[] s = new int[unit.length + 1];
        s[0] = n;
        System.arraycopy(unit, 0, s, 1, unit.length);
        return s;
    }
}
