package dev.jrnn.data;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.util.Arrays;
import java.util.List;

/**
 * One input or target of an indexable data set: sample {@code i} is a fixed-shape row of an array
 * ({@link Dense}), a run of timesteps of a values array delimited by offsets ({@link Ragged}), a
 * sample of one of several shards ({@link Concat}), a window of rows of a time series ({@link Windows}), or the floats a
 * function makes for the sample when a batch needs it ({@link Computed}, e.g. a text file read and vectorized).
 * Columns copy straight into a batch buffer.
 */
sealed interface Column permits Column.Dense, Column.Ragged, Column.Concat, Column.Windows, Column.Computed {
    long samples();

    /** Shape of one sample (dense) or of one timestep (ragged). */
    int[] unitShape();

    boolean ragged();

    /** Timesteps of sample {@code i} (ragged only). */
    int length(long i);

    /** Writes sample {@code i}'s floats to {@code dst} at float {@code at}; returns how many. */
    long copy(long i, MemorySegment dst, long at);

    /** What error messages name for sample {@code i}: the file and the sample's index in it. */
    String where(long i);

    /** The element types of the underlying arrays. */
    List<DType> dtypes();

    /** The files this column reads, one column each (a shard directory's shards), for messages that name one. */
    default List<Column> shards() { return List.of(this); }

    /** Throws when a file changed since it was opened. */
    void check() throws IOException;

    static long product(int[] s) {
        long n = 1;
        for (int d : s) n *= d;
        return n;
    }

    /** Sample {@code i} is row {@code i} of {@code a}. */
    record Dense(ArrayData a, int[] unitShape, long rowElements) implements Column {
        Dense(ArrayData a) throws IOException {
            this(a, unit(a), a.rowElements());
        }

        private static int[] unit(ArrayData a) throws IOException {
            if (a.shape.length == 0) throw new IOException(a.source + ": a 0-d array has no sample axis");
            int[] s = Npy.toInts(Arrays.copyOfRange(a.shape, 1, a.shape.length), a.source);
            for (int d : s) {
                if (d == 0) throw new IOException(a.source + ": samples of shape " + Npy.shapeString(Arrays.copyOfRange(a.shape, 1, a.shape.length))
                        + " hold no values (the array is " + Npy.shapeString(a.shape) + ")");
            }
            if (product(s) > Integer.MAX_VALUE - 8) throw new IOException(a.source + ": one sample holds more than 2^31 - 9 values");
            return s;
        }

        public long samples() { return a.shape[0]; }
        public int[] unitShape() { return unitShape.clone(); }
        public boolean ragged() { return false; }
        public int length(long i) { throw new IllegalStateException("dense column"); }
        public long copy(long i, MemorySegment dst, long at) {
            a.copyFloats(i * rowElements, rowElements, dst, at);
            return rowElements;
        }
        public String where(long i) { return a.source + " sample " + i; }
        public List<DType> dtypes() { return List.of(a.dtype); }
        public void check() throws IOException { a.check(); }
    }

    /** Sample {@code i} is rows {@code [offsets[i], offsets[i+1])} of {@code values}. */
    record Ragged(ArrayData values, long[] offsets, int[] unitShape, long stepElements) implements Column {
        Ragged(ArrayData values, long[] offsets, String offsetsSource) throws IOException {
            this(values, offsets, new Dense(values).unitShape, values.rowElements());
            if (offsets.length < 2) throw new IOException(offsetsSource + ": offsets need at least 2 entries (N + 1 for N sequences), got " + offsets.length);
            if (offsets[0] != 0) throw new IOException(offsetsSource + ": offsets must start at 0, got " + offsets[0]);
            for (int i = 1; i < offsets.length; i++) {
                long len = offsets[i] - offsets[i - 1];
                if (len <= 0) {
                    throw new IOException(offsetsSource + ": " + (len < 0 ? "offsets decrease" : "an empty sequence") + " at index " + i
                            + " (" + offsets[i - 1] + " -> " + offsets[i] + "); sequences need at least one step");
                }
                if (len > Integer.MAX_VALUE) throw new IOException(offsetsSource + ": sequence " + (i - 1) + " has " + len + " steps, more than 2^31 - 1");
            }
            long last = offsets[offsets.length - 1];
            if (last != values.shape[0]) {
                throw new IOException(offsetsSource + ": offsets end at " + last + " but " + values.source + " has " + values.shape[0] + " rows");
            }
        }

        public long samples() { return offsets.length - 1; }
        public int[] unitShape() { return unitShape.clone(); }
        public boolean ragged() { return true; }
        public int length(long i) { return (int) (offsets[(int) i + 1] - offsets[(int) i]); }
        public long copy(long i, MemorySegment dst, long at) {
            long n = length(i) * stepElements;
            values.copyFloats(offsets[(int) i] * stepElements, n, dst, at);
            return n;
        }
        public String where(long i) {
            return values.source + " sequence " + i + " (rows " + offsets[(int) i] + ".." + offsets[(int) i + 1] + ")";
        }
        public List<DType> dtypes() { return List.of(values.dtype); }
        public void check() throws IOException { values.check(); }
    }

    /** The shards one after another. */
    record Concat(List<Column> parts, long[] starts) implements Column {
        static Column of(List<Column> all) throws IOException {
            List<Column> parts = all.stream().filter(c -> c.samples() > 0).toList();
            if (parts.isEmpty()) return all.get(0);
            if (parts.size() == 1) return parts.get(0);
            long[] starts = new long[parts.size() + 1];
            Column first = parts.get(0);
            for (int k = 0; k < parts.size(); k++) {
                Column c = parts.get(k);
                if (c.ragged() != first.ragged() || !Arrays.equals(c.unitShape(), first.unitShape())) {
                    throw new IOException(c.where(0) + ": shard sample shape " + Arrays.toString(c.unitShape())
                             + (c.ragged() ? " (ragged)" : "") + " differs from " + first.where(0) + "'s " + Arrays.toString(first.unitShape()));
                }
                starts[k + 1] = starts[k] + c.samples();
            }
            return new Concat(List.copyOf(parts), starts);
        }

        private int part(long i) {
            int k = Arrays.binarySearch(starts, i);
            return k >= 0 ? k : -k - 2;
        }

        public long samples() { return starts[starts.length - 1]; }
        public int[] unitShape() { return parts.get(0).unitShape(); }
        public boolean ragged() { return parts.get(0).ragged(); }
        public int length(long i) { int k = part(i); return parts.get(k).length(i - starts[k]); }
        public long copy(long i, MemorySegment dst, long at) { int k = part(i); return parts.get(k).copy(i - starts[k], dst, at); }
        public String where(long i) { int k = part(i); return parts.get(k).where(i - starts[k]); }
        public List<DType> dtypes() { return parts.stream().flatMap(c -> c.dtypes().stream()).distinct().toList(); }
        public List<Column> shards() { return parts.stream().flatMap(c -> c.shards().stream()).toList(); }
        public void check() throws IOException { for (Column c : parts) c.check(); }
    }

    /**
     * Sample {@code i} is the window of {@code steps} rows of {@code a} starting at row {@code first + i * stride}, the
     * rows {@code rate} apart (shape (steps, row shape)); with {@code steps} 0 the one row at that start, without a time
     * axis (a window's target). Nothing is copied until a batch is assembled, so a mapped file's series stays on disk.
     */
    record Windows(ArrayData a, long first, long stride, int steps, long rate, long count, int[] unitShape, long rowElements)
            implements Column {
        Windows(ArrayData a, long first, long stride, int steps, long rate, long count) throws IOException {
            this(a, first, stride, steps, rate, count, windowShape(new Dense(a).unitShape, steps), a.rowElements());
        }

        private static int[] windowShape(int[] row, int steps) throws IOException {
            if (steps == 0) return row;
            if (product(row) * steps > Integer.MAX_VALUE - 8) throw new IOException("a window of " + steps + " steps holds more than 2^31 - 9 values");
            int[] s = new int[row.length + 1];
            s[0] = steps;
            System.arraycopy(row, 0, s, 1, row.length);
            return s;
        }

        private long row(long i, int k) { return first + i * stride + k * rate; }

        public long samples() { return count; }
        public int[] unitShape() { return unitShape.clone(); }
        public boolean ragged() { return false; }
        public int length(long i) { throw new IllegalStateException("dense column"); }
        public long copy(long i, MemorySegment dst, long at) {
            int rows = Math.max(1, steps);
            for (int k = 0; k < rows; k++) a.copyFloats(row(i, k) * rowElements, rowElements, dst, at + k * rowElements);
            return rows * rowElements;
        }
        public String where(long i) {
            return a.source + (steps == 0 ? " row " + row(i, 0) : " window " + i + " (rows " + row(i, 0) + ".." + row(i, steps - 1) + " every " + rate + ")");
        }
        public List<DType> dtypes() { return List.of(a.dtype); }
        public void check() throws IOException { a.check(); }
    }

    /**
     * Sample {@code i} is what {@code row} makes of it when a batch is assembled (possibly on a prefetch thread), so
     * nothing is held between batches: e.g. a text file read and vectorized ({@link TextDirectory}). Every row must
     * have {@code unitShape}'s values; one that does not is refused naming {@code where(i)}.
     */
    record Computed(long samples, int[] unitShape, java.util.function.LongFunction<float[]> row,
                    java.util.function.LongFunction<String> describe) implements Column {
        public int[] unitShape() { return unitShape.clone(); }
        public boolean ragged() { return false; }
        public int length(long i) { throw new IllegalStateException("dense column"); }
        public long copy(long i, MemorySegment dst, long at) {
            float[] v = row.apply(i);
            long n = product(unitShape);
            if (v.length != n) {
                throw new IllegalStateException(where(i) + ": expected " + n + " values (a sample of shape "
                        + Arrays.toString(unitShape) + "), got " + v.length);
            }
            MemorySegment.copy(v, 0, dst, java.lang.foreign.ValueLayout.JAVA_FLOAT_UNALIGNED, at * 4, v.length);
            return n;
        }
        public String where(long i) { return describe.apply(i); }
        public List<DType> dtypes() { return List.of(DType.FLOAT32); }
        public void check() {}
    }
}
