package dev.jrnn.data;

import dev.jrnn.tensor.Tensor;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Fills batches: from an indexable table, copying each sample straight from its file mapping into
 * the batch memory; or from {@link Sample}s (generators, mapped samples). Variable-length sequences
 * are zero-padded to the longest in the batch. With {@code checkFinite}, a NaN or Inf fails the
 * batch naming the sample it came from. With a {@code padding} (tf.data's padded_batch) the samples are padded to its
 * shapes and values first ({@link Batching#pad}).
 */
record Assembler(BatchMemory memory, boolean checkFinite, Batching.Padding padding) {

    Batch fromTable(Table t, long[] idx) {
        int n = idx.length, ni = t.inputs().size();
        List<Column> cols = t.columns();
        int[] lengths = null;
        int maxLen = 0;
        if (t.lengthColumn() != null) {
            lengths = new int[n];
            for (int r = 0; r < n; r++) maxLen = Math.max(maxLen, lengths[r] = t.length(idx[r]));
        }
        MemorySegment[] segs = new MemorySegment[cols.size()];
        int[][] shapes = new int[cols.size()][];
        try {
            for (int c = 0; c < cols.size(); c++) {
                Column col = cols.get(c);
                int[] unit = col.unitShape();
                int[] shape = col.ragged() ? concat(n, maxLen, unit) : concat(n, -1, unit);
                long row = Column.product(shape) / n;
                shapes[c] = shape;
                segs[c] = allocate(row * n);
                for (int r = 0; r < n; r++) {
                    long at = r * row;
                    long wrote;
                    try {
                        wrote = col.copy(idx[r], segs[c], at);
                    } catch (RuntimeException e) {
                        if (e instanceof java.io.UncheckedIOException) throw e;
                        throw new DataException(col.where(idx[r]), "could not be read: " + e, e);
                    }
                    if (wrote < row) segs[c].asSlice((at + wrote) * 4, (row - wrote) * 4).fill((byte) 0);
                    if (checkFinite) finite(segs[c], at, wrote, col.where(idx[r]), name(c, ni, t.targets().size()));
                }
            }
        } catch (RuntimeException | Error e) {
            for (MemorySegment s : segs) if (s != null) memory.release(s);
            throw e;
        }
        return new Batch(segs, shapes, ni, t.weights().size(), lengths, idx, r -> t.where(idx[r]), memory);
    }

    /**
     * {@code where}: names batch row r for messages, or null for the samples' own {@link Sample#where()}; {@code scalar}: the
     * parts (inputs then targets) that hold one value per sample in the table the samples were read from (a (1,) tensor there
     * batches to (B,), as the table does unmapped), or null.
     */
    Batch fromSamples(List<Sample> samples, java.util.function.IntFunction<String> where, boolean[] scalar) {
        int n = samples.size();
        Sample first = samples.get(0);
        int ni = first.inputs().size(), nt = first.targets().size(), nw = first.weights().size(), nc = ni + nt + nw;
        if (padding != null) samples = Batching.pad(samples, padding, scalar);
        else sameParts(samples);
        boolean seq = false;
        for (Sample s : samples) seq |= s.length() >= 0;
        int[] lengths = null;
        if (seq) {
            lengths = new int[n];
            for (int r = 0; r < n; r++) {
                Sample s = samples.get(r);
                lengths[r] = s.length() >= 0 ? s.length() : s.inputs().get(0).dim(0);
            }
        }
        MemorySegment[] segs = new MemorySegment[nc];
        int[][] shapes = new int[nc][];
        String[] names = new String[n];
        for (int r = 0; r < n; r++) names[r] = where != null ? where.apply(r) : samples.get(r).where();
        try {
            for (int c = 0; c < nc; c++) {
                int[] shape = batchShape(samples, c, ni, nt, scalar != null && c < scalar.length && scalar[c]);
                long row = Column.product(shape) / n;
                shapes[c] = shape;
                segs[c] = allocate(row * n);
                for (int r = 0; r < n; r++) {
                    Tensor x = part(samples.get(r), c, ni, nt);
                    long at = r * row;
                    MemorySegment.copy(x.data(), 0, segs[c], ValueLayout.JAVA_FLOAT_UNALIGNED, at * 4, x.size());
                    if (x.size() < row) segs[c].asSlice((at + x.size()) * 4, (row - x.size()) * 4).fill((byte) 0);
                    if (checkFinite) finite(segs[c], at, x.size(), names[r], name(c, ni, nt));
                }
            }
        } catch (RuntimeException | Error e) {
            for (MemorySegment s : segs) if (s != null) memory.release(s);
            throw e;
        }
        long[] original = new long[n];
        for (int r = 0; r < n; r++) original[r] = samples.get(r).index();
        return new Batch(segs, shapes, ni, nw, lengths, original, r -> names[r], memory);
    }

    /**
     * (n, ...shape) when all samples agree ((n) for a {@code scalar} part of shape (1,)), else (n, longest, ...rest) when only the
     * first axis differs and it is every sample's steps axis: at least as long as the sample's {@link Sample#length()}, so the
     * batch's lengths mask the padding. Anything else would be zero-padded unmasked and is refused.
     */
    static int[] batchShape(List<Sample> samples, int c, int ni, int nt, boolean scalar) {
        Sample s0 = samples.get(0);
        int[] s = part(s0, c, ni, nt).shape();
        int longest = s[0];
        Sample other = null;   // the first sample whose first axis differs from s0's
        for (Sample x : samples) {
            int[] t = part(x, c, ni, nt).shape();
            if (t.length != s.length || !Arrays.equals(t, 1, t.length, s, 1, s.length)) throw differs(x, t, s0, s, c, ni, nt);
            if (t[0] != s[0] && other == null) other = x;
            longest = Math.max(longest, t[0]);
        }
        if (other != null) {
            if (s0.length() < 0 || s0.length() > s[0]) throw differs(other, part(other, c, ni, nt).shape(), s0, s, c, ni, nt);
            for (Sample x : samples) {
                int[] t = part(x, c, ni, nt).shape();
                if (x.length() < 0 || x.length() > t[0]) {
                    throw new DataException(x.where(), name(c, ni, nt) + " has shape " + Tensor.shapeString(t) + " but the sequence has "
                            + (x.length() < 0 ? "no length (a fixed-shape Sample.of)" : "length " + x.length()) + "; in a batch of "
                            + "sequences of different lengths only the steps axis may differ between samples", null);
                }
            }
        }
        if (other == null && scalar && s.length == 1 && s[0] == 1) return new int[] {samples.size()};
        int[] unit = other != null ? Arrays.copyOfRange(s, 1, s.length) : s;
        return concat(samples.size(), other != null ? longest : -1, unit);
    }

    /** A batch of whole tensors (B, ...) (a map of batches' output), copied into the data set's memory; finite where asked. */
    Batch fromParts(List<Tensor> inputs, List<Tensor> targets, List<Tensor> weights, int[] lengths, long[] idx,
                    java.util.function.IntFunction<String> where) {
        List<Tensor> all = new ArrayList<>(inputs);
        all.addAll(targets);
        all.addAll(weights);
        MemorySegment[] segs = new MemorySegment[all.size()];
        int[][] shapes = new int[all.size()][];
        try {
            for (int c = 0; c < segs.length; c++) {
                Tensor t = all.get(c);
                shapes[c] = t.shape();
                segs[c] = allocate(t.size());
                MemorySegment.copy(t.data(), 0, segs[c], ValueLayout.JAVA_FLOAT_UNALIGNED, 0, t.size());
                int row = t.size() / idx.length;
                for (int r = 0; checkFinite && r < idx.length; r++) finite(segs[c], (long) r * row, row, where.apply(r), name(c, inputs.size(), targets.size()));
            }
        } catch (RuntimeException | Error e) {
            for (MemorySegment g : segs) if (g != null) memory.release(g);
            throw e;
        }
        return new Batch(segs, shapes, inputs.size(), weights.size(), lengths, idx, where, memory);
    }

    /** Refuses a batch whose samples give different numbers of inputs, targets or sample weights. */
    static void sameParts(List<Sample> samples) {
        Sample first = samples.get(0);
        int ni = first.inputs().size(), nt = first.targets().size(), nw = first.weights().size();
        for (Sample s : samples) {
            if (s.inputs().size() != ni || s.targets().size() != nt || s.weights().size() != nw) {
                throw new DataException(s.where(), s.inputs().size() + " inputs, " + s.targets().size() + " targets and "
                        + s.weights().size() + " sample weights, " + first.where() + " has " + ni + ", " + nt + " and " + nw, null);
            }
        }
    }

    /** A segment of the data set's memory, checked: a short or read-only one would fail as if the file were bad. */
    private MemorySegment allocate(long floats) {
        MemorySegment s = memory.allocate(floats);
        if (s == null || s.byteSize() < floats * 4 || s.isReadOnly()) {
            throw new IllegalStateException("Dataset.memory: the BatchMemory gave " + (s == null ? "null" : (s.isReadOnly() ? "a read-only segment of " : "")
                    + s.byteSize() + " bytes") + " for " + floats + " float32 values (" + floats * 4 + " bytes, writable)");
        }
        return s;
    }

    private static DataException differs(Sample x, int[] t, Sample s0, int[] s, int c, int ni, int nt) {
        return new DataException(x.where(), name(c, ni, nt) + " has shape " + Tensor.shapeString(t) + ", " + s0.where() + " has "
                + Tensor.shapeString(s) + " (only the steps axis of a sequence may differ; give variable-length samples as "
                + "Sample.sequence, whose padding is masked)", null);
    }

    /** The name of part {@code c} of a batch of {@code ni} inputs and {@code nt} targets (then the sample weights). */
    static String name(int c, int ni, int nt) {
        return c < ni ? "input " + c : c < ni + nt ? "target " + (c - ni) : "sample weight " + (c - ni - nt);
    }

    static Tensor part(Sample s, int c, int ni, int nt) {
        return c < ni ? s.inputs().get(c) : c < ni + nt ? s.targets().get(c - ni) : s.weights().get(c - ni - nt);
    }

    private static int[] concat(int n, int len, int[] unit) {
        int k = len >= 0 ? 2 : 1;
        int[] s = new int[unit.length + k];
        s[0] = n;
        if (len >= 0) s[1] = len;
        System.arraycopy(unit, 0, s, k, unit.length);
        return s;
    }

    private static void finite(MemorySegment s, long at, long n, String where, String what) {
        for (long i = 0; i < n; i++) {
            float v = s.getAtIndex(ValueLayout.JAVA_FLOAT_UNALIGNED, at + i);
            if (!Float.isFinite(v)) throw new DataException(where, what + " holds " + v + " at flat element " + i + " (checkFinite)", null);
        }
    }
}
