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
 * batch naming the sample it came from.
 */
record Assembler(BatchMemory memory, boolean checkFinite) {

    Batch fromTable(Table t, long[] idx) {
        int n = idx.length, ni = t.inputs().size();
        List<Column> cols = new ArrayList<>(t.inputs());
        cols.addAll(t.targets());
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
                segs[c] = memory.allocate(row * n);
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
                    if (checkFinite) finite(segs[c], at, wrote, col.where(idx[r]), c < ni ? "input " + c : "target " + (c - ni));
                }
            }
        } catch (RuntimeException | Error e) {
            for (MemorySegment s : segs) if (s != null) memory.release(s);
            throw e;
        }
        return new Batch(segs, shapes, ni, lengths, idx, r -> t.where(idx[r]), memory);
    }

    /** {@code where}: names batch row r for messages, or null for the samples' own {@link Sample#where()}. */
    Batch fromSamples(List<Sample> samples, java.util.function.IntFunction<String> where) {
        int n = samples.size();
        Sample first = samples.get(0);
        int ni = first.inputs().size(), nc = ni + first.targets().size();
        boolean seq = false;
        for (Sample s : samples) {
            if (s.inputs().size() != ni || s.inputs().size() + s.targets().size() != nc) {
                throw new DataException(s.where(), s.inputs().size() + " inputs and " + s.targets().size() + " targets, "
                        + first.where() + " has " + ni + " and " + (nc - ni), null);
            }
            seq |= s.length() >= 0;
        }
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
                int[] shape = batchShape(samples, c, ni, seq);
                long row = Column.product(shape) / n;
                shapes[c] = shape;
                segs[c] = memory.allocate(row * n);
                for (int r = 0; r < n; r++) {
                    Tensor x = part(samples.get(r), c, ni);
                    long at = r * row;
                    MemorySegment.copy(x.data(), 0, segs[c], ValueLayout.JAVA_FLOAT_UNALIGNED, at * 4, x.size());
                    if (x.size() < row) segs[c].asSlice((at + x.size()) * 4, (row - x.size()) * 4).fill((byte) 0);
                    if (checkFinite) finite(segs[c], at, x.size(), names[r], c < ni ? "input " + c : "target " + (c - ni));
                }
            }
        } catch (RuntimeException | Error e) {
            for (MemorySegment s : segs) if (s != null) memory.release(s);
            throw e;
        }
        long[] original = new long[n];
        for (int r = 0; r < n; r++) original[r] = samples.get(r).index();
        return new Batch(segs, shapes, ni, lengths, original, r -> names[r], memory);
    }

    /**
     * (n, ...shape) when all samples agree, else for sequences ({@code seq}: the batch has lengths, which mask the
     * padding) (n, longest, ...rest) when only the first axis differs.
     */
    private static int[] batchShape(List<Sample> samples, int c, int ni, boolean seq) {
        Sample s0 = samples.get(0);
        int[] s = part(s0, c, ni).shape();
        int longest = s[0];
        boolean differ = false;
        for (Sample x : samples) {
            int[] t = part(x, c, ni).shape();
            boolean tailSame = t.length == s.length && Arrays.equals(t, 1, t.length, s, 1, s.length);
            if (!tailSame || (t[0] != s[0] && (s.length < 2 || !seq))) {
                throw new DataException(x.where(), (c < ni ? "input " + c : "target " + (c - ni)) + " has shape "
                        + Tensor.shapeString(t) + ", " + s0.where() + " has " + Tensor.shapeString(s)
                        + " (only the first axis of a sequence may differ; give variable-length samples as Sample.sequence,"
                        + " whose padding is masked)", null);
            }
            differ |= t[0] != s[0];
            longest = Math.max(longest, t[0]);
        }
        int[] unit = differ ? Arrays.copyOfRange(s, 1, s.length) : s;
        return concat(samples.size(), differ ? longest : -1, unit);
    }

    private static Tensor part(Sample s, int c, int ni) {
        return c < ni ? s.inputs().get(c) : s.targets().get(c - ni);
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
