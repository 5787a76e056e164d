package dev.jrnn.tensor;

import java.util.Arrays;

/**
 * A float32, row-major, host-side array with a shape: what users pass to layers and models and
 * what they get back.
 *
 * <pre>{@code
 * Tensor x = Tensor.of(new float[][][] {{{1}, {2}, {3}}});   // shape (1, 3, 1)
 * float v = x.get(0, 2, 0);                                  // 3.0
 * }</pre>
 *
 * Tensors are immutable from the outside: factories copy their input and {@link #toArray()} returns
 * a copy.
 */
public final class Tensor {
    /** Most elements a tensor holds: one Java float[] (2^31 - 9, the largest array every JVM allocates). */
    public static final int MAX_SIZE = Integer.MAX_VALUE - 8;

    private final int[] shape;
    private final float[] data;
    /** Keras' {@code _keras_mask}: attached by a layer's direct call, read by the next one; null for none. */
    private final Tensor kerasMask;

    private Tensor(int[] shape, float[] data) {
        this(shape, data, null);
    }

    private Tensor(int[] shape, float[] data, Tensor kerasMask) {
        this.shape = shape;
        this.data = data;
        this.kerasMask = kerasMask;
    }

    /**
     * The mask that goes with this tensor, Keras' {@code x._keras_mask}: (batch, timesteps), 1 for a step to use and 0
     * for one to skip, or null. A layer's direct call ({@code layer.call(x)}) attaches the mask its output carries
     * (Embedding with maskZero, Masking, and the layers that pass a mask on) and the next direct call uses it, so
     * {@code lstm.call(embedding.call(ids))} skips the padding, as Keras' eager calls do. Other operations give none.
     */
    public Tensor kerasMask() { return kerasMask; }

    /**
     * This tensor (its values shared, not copied) with {@code mask} attached (null: none), as Keras' {@code
     * x._keras_mask = mask}; the layer that reads it checks it against the input. Ignored by {@link #equals}.
     */
    public Tensor withKerasMask(Tensor mask) {
        return new Tensor(shape, data, mask);
    }

    /** A rank-1 tensor over a copy of {@code values}: {@code Tensor.of(new float[] {1, 2, 3})} has shape (3,). */
    public static Tensor of(float[] values) {
        if (values == null) throw new IllegalArgumentException("Tensor.of: data is null");
        return of(values, values.length);
    }

    /** A tensor of the given shape over a copy of {@code data} (row-major). */
    public static Tensor of(float[] data, int... shape) {
        if (data == null) throw new IllegalArgumentException("Tensor.of: data is null");
        int[] s = checkShape(shape);
        long n = size(s);
        if (n != data.length) {
            throw new IllegalArgumentException("Tensor.of: shape " + shapeString(s) + " holds " + n
                    + " values, got " + data.length);
        }
        return new Tensor(s, data.clone());
    }

    /** A rank-2 tensor (rows, cols); rejects ragged rows. */
    public static Tensor of(float[][] rows) {
        if (rows == null) throw new IllegalArgumentException("Tensor.of: data is null");
        if (rows.length == 0) throw new IllegalArgumentException("Tensor.of: empty array, expected at least one row");
        int cols = requireRow(rows[0], "[0]").length;
        int[] shape = checkShape(new int[] {rows.length, cols});   // before allocating: the shape names an overflow
        float[] d = new float[(int) size(shape)];
        for (int i = 0; i < rows.length; i++) {
            float[] r = requireRow(rows[i], "[" + i + "]");
            if (r.length != cols) {
                throw new IllegalArgumentException("Tensor.of: ragged array: row [" + i + "] has " + r.length
                        + " values, expected " + cols + " like row [0]");
            }
            System.arraycopy(r, 0, d, i * cols, cols);
        }
        return new Tensor(shape, d);
    }

    /** A rank-3 tensor (batch, timesteps, features); rejects ragged arrays. */
    public static Tensor of(float[][][] x) {
        if (x == null) throw new IllegalArgumentException("Tensor.of: data is null");
        if (x.length == 0) throw new IllegalArgumentException("Tensor.of: empty array, expected at least one sample");
        if (x[0] == null) throw new IllegalArgumentException("Tensor.of: sample [0] is null");
        if (x[0].length == 0) throw new IllegalArgumentException("Tensor.of: sample [0] has no timesteps");
        int t = x[0].length;
        int f = requireRow(x[0][0], "[0][0]").length;
        int[] shape = checkShape(new int[] {x.length, t, f});   // before allocating: the shape names an overflow
        float[] d = new float[(int) size(shape)];
        int k = 0;
        for (int i = 0; i < x.length; i++) {
            if (x[i] == null) throw new IllegalArgumentException("Tensor.of: sample [" + i + "] is null");
            if (x[i].length != t) {
                throw new IllegalArgumentException("Tensor.of: ragged array: sample [" + i + "] has " + x[i].length
                        + " timesteps, expected " + t + " like sample [0]");
            }
            for (int j = 0; j < t; j++) {
                float[] r = requireRow(x[i][j], "[" + i + "][" + j + "]");
                if (r.length != f) {
                    throw new IllegalArgumentException("Tensor.of: ragged array: [" + i + "][" + j + "] has "
                            + r.length + " features, expected " + f + " like [0][0]");
                }
                System.arraycopy(r, 0, d, k, f);
                k += f;
            }
        }
        return new Tensor(shape, d);
    }

    /** A tensor of zeros. */
    public static Tensor zeros(int... shape) {
        int[] s = checkShape(shape);
        return new Tensor(s, new float[(int) size(s)]);
    }

    /** A tensor filled with {@code value}. */
    public static Tensor full(float value, int... shape) {
        Tensor t = zeros(shape);
        Arrays.fill(t.data, value);
        return t;
    }

    /** Wraps {@code data} without copying; for library code that hands over a fresh array. */
    public static Tensor wrap(float[] data, int... shape) {
        if (data == null) throw new IllegalArgumentException("Tensor.wrap: data is null");
        int[] s = checkShape(shape);
        if (size(s) != data.length) {
            throw new IllegalArgumentException("Tensor.wrap: shape " + shapeString(s) + " holds " + size(s)
                    + " values, got " + data.length);
        }
        return new Tensor(s, data);
    }

    /** A copy of the shape. */
    public int[] shape() { return shape.clone(); }

    /** Size of dimension {@code axis} (negative counts from the end). */
    public int dim(int axis) {
        int a = axis < 0 ? shape.length + axis : axis;
        if (a < 0 || a >= shape.length) {
            throw new IndexOutOfBoundsException("axis " + axis + " out of range for rank " + shape.length);
        }
        return shape[a];
    }

    /** The number of axes (NumPy's {@code ndim}). */
    public int rank() { return shape.length; }

    /** Number of elements. */
    public int size() { return data.length; }

    /** The element at the given indices (one per dimension; negative ones count from the end, as NumPy's). */
    public float get(int... idx) {
        if (idx == null) throw new IllegalArgumentException("Tensor.get: indices are null, expected " + shape.length + " for shape " + shapeString(shape));
        if (idx.length != shape.length) {
            throw new IllegalArgumentException("Tensor.get: expected " + shape.length + " indices for shape "
                    + shapeString(shape) + ", got " + idx.length);
        }
        int off = 0;
        for (int i = 0; i < idx.length; i++) {
            int j = idx[i] < 0 ? idx[i] + shape[i] : idx[i];
            if (j < 0 || j >= shape[i]) {
                throw new IndexOutOfBoundsException("Tensor.get: index " + idx[i] + " of dimension " + i
                        + " is outside [0, " + shape[i] + ") for shape " + shapeString(shape) + " (negative ones count from the end)");
            }
            off = off * shape[i] + j;
        }
        return data[off];
    }

    /** A copy of the elements, row-major. */
    public float[] toArray() { return data.clone(); }

    /** The backing array, not copied: library-internal fast path, do not modify. */
    public float[] data() { return data; }

    /**
     * Same data, another shape with the same number of elements; one dimension may be -1 and is then
     * inferred, as NumPy's: {@code Tensor.zeros(2, 3).reshape(-1, 2)} has shape (3, 2).
     */
    public Tensor reshape(int... newShape) {
        int[] s = checkShape(inferred(newShape));
        if (size(s) != data.length) {
            throw new IllegalArgumentException("Tensor.reshape: cannot view " + shapeString(shape) + " as "
                    + shapeString(s));
        }
        return new Tensor(s, data);
    }

    /**
     * {@code newShape} with its one -1 replaced by what the other dimensions leave; unchanged without a -1 or with
     * another bad dimension.
     */
    private int[] inferred(int[] newShape) {
        if (newShape == null) return null;
        int at = -1;
        long known = 1;
        for (int i = 0; i < newShape.length; i++) {
            if (newShape[i] == -1) {
                if (at >= 0) throw new IllegalArgumentException("Tensor.reshape: only one dimension can be -1, got " + Arrays.toString(newShape));
                at = i;
            } else if (newShape[i] <= 0) {
                return newShape;   // checkShape names it
            } else {
                known = Math.multiplyHigh(known, newShape[i]) != 0 ? Long.MAX_VALUE : known * newShape[i];
            }
        }
        if (at < 0) return newShape;
        if (data.length % known != 0) {
            throw new IllegalArgumentException("Tensor.reshape: cannot view " + shapeString(shape) + " as "
                    + Arrays.toString(newShape).replace('[', '(').replace(']', ')'));
        }
        int[] s = newShape.clone();
        s[at] = (int) (data.length / known);
        return s;
    }

    /**
     * Rows {@code [from, to)} of the first dimension, copied; negative indices count from the end, as
     * NumPy's {@code x[from:to]} ({@code slice(-1, n)} is the last row). Indices past either end throw.
     */
    public Tensor slice(int from, int to) {
        int n = shape[0];
        int f = from < 0 ? from + n : from;
        int t = to < 0 ? to + n : to;
        if (f < 0 || t < 0 || t > n) {
            throw new IndexOutOfBoundsException("Tensor.slice: [" + from + ", " + to + ") outside [0, " + n
                    + ") (negative indices count from the end)");
        }
        if (f >= t) {
            throw new IndexOutOfBoundsException("Tensor.slice: [" + from + ", " + to + ") of [0, " + n
                    + ") holds no rows; a tensor needs at least one");
        }
        int row = data.length / n;
        int[] s = shape.clone();
        s[0] = t - f;
        return new Tensor(s, Arrays.copyOfRange(data, f * row, t * row));
    }

    /** Rank-2 view as nested arrays. */
    public float[][] toArray2() {
        if (shape.length != 2) throw new IllegalStateException("toArray2: tensor has shape " + shapeString(shape));
        float[][] r = new float[shape[0]][shape[1]];
        for (int i = 0; i < shape[0]; i++) System.arraycopy(data, i * shape[1], r[i], 0, shape[1]);
        return r;
    }

    /** Rank-3 view as nested arrays. */
    public float[][][] toArray3() {
        if (shape.length != 3) throw new IllegalStateException("toArray3: tensor has shape " + shapeString(shape));
        float[][][] r = new float[shape[0]][shape[1]][shape[2]];
        int k = 0;
        for (int i = 0; i < shape[0]; i++)
            for (int j = 0; j < shape[1]; j++, k += shape[2]) System.arraycopy(data, k, r[i][j], 0, shape[2]);
        return r;
    }

    /**
     * True for a tensor of the same shape and values, compared as {@link Float#equals}: NaN equals NaN,
     * 0.0 differs from -0.0 (NumPy's {@code array_equal(a, b, equal_nan=True)} but for the zero sign).
     */
    @Override
    public boolean equals(Object o) {
        return o instanceof Tensor t && Arrays.equals(shape, t.shape) && Arrays.equals(data, t.data);
    }

    /** Consistent with {@link #equals}: from the shape and every value. */
    @Override
    public int hashCode() {
        return 31 * Arrays.hashCode(shape) + Arrays.hashCode(data);
    }

    /** True when every element is finite (no NaN, no Inf). */
    public boolean isFinite() {
        for (float v : data) if (!Float.isFinite(v)) return false;
        return true;
    }

    /** Shape as Keras prints it, e.g. {@code (4, 3, 1)}. */
    public static String shapeString(int... shape) {
        if (shape == null) return "null";
        StringBuilder b = new StringBuilder("(");
        for (int i = 0; i < shape.length; i++) {
            if (i > 0) b.append(", ");
            b.append(shape[i] < 0 ? "None" : Integer.toString(shape[i]));
        }
        if (shape.length == 1) b.append(',');
        return b.append(')').toString();
    }

    /** Product of the dimensions; saturates at {@code Long.MAX_VALUE} instead of overflowing. */
    public static long size(int... shape) {
        if (shape == null) throw new IllegalArgumentException("Tensor.size: shape is null");
        long n = 1;
        for (int d : shape) {
            if (d > 0 && n > Long.MAX_VALUE / d) return Long.MAX_VALUE;
            n *= d;
        }
        return n;
    }

    private static int[] checkShape(int[] shape) {
        checkedSize("Tensor", shape);
        return shape.clone();
    }

    /**
     * The element count of {@code shape}, checked before anything is allocated: an IllegalArgumentException
     * naming {@code who} and the shape when a dimension is not positive or the count exceeds {@link #MAX_SIZE}.
     */
    public static int checkedSize(String who, int... shape) {
        if (shape == null || shape.length == 0) {
            throw new IllegalArgumentException(who + ": a shape needs at least one dimension, got " + (shape == null ? "null" : "()"));
        }
        for (int d : shape) {
            if (d <= 0) throw new IllegalArgumentException(who + ": dimensions must be positive, got " + Arrays.toString(shape));
        }
        long n = size(shape);
        if (n > MAX_SIZE) {
            throw new IllegalArgumentException(who + ": shape " + shapeString(shape) + " holds "
                    + (n == Long.MAX_VALUE ? "more than 2^63" : Long.toString(n))
                    + " elements, which exceeds the 2^31 - 9 = " + MAX_SIZE + " a tensor can hold (one Java array)");
        }
        return (int) n;
    }

    private static float[] requireRow(float[] r, String where) {
        if (r == null) throw new IllegalArgumentException("Tensor.of: row " + where + " is null");
        if (r.length == 0) throw new IllegalArgumentException("Tensor.of: row " + where + " is empty");
        return r;
    }

    /** Tensors with more elements than this print only the first and last {@value #EDGE} entries of each long axis. */
    private static final int PRINT_THRESHOLD = 1000;
    private static final int EDGE = 3;

    /**
     * The shape and the values nested by axis, as numpy prints them, e.g. {@code Tensor(2, 2) [[1.0, 2.0],
     * [3.0, 4.0]]} with one row per line; above 1000 elements each axis longer than 6 shows its first and
     * last 3 entries around "...".
     */
    @Override
    public String toString() {
        StringBuilder b = new StringBuilder("Tensor").append(shapeString(shape)).append(' ');
        appendNested(b, 0, 0, data.length > PRINT_THRESHOLD);
        return b.toString();
    }

    /** Appends axis {@code axis} starting at element {@code off}; rows of a rank-r tensor break lines, indented. */
    private void appendNested(StringBuilder b, int axis, int off, boolean elide) {
        int n = shape[axis];
        int stride = data.length / (int) size(Arrays.copyOf(shape, axis + 1));
        boolean cut = elide && n > 2 * EDGE;
        String sep = axis == shape.length - 1 ? ", "
                : "," + "\n".repeat(shape.length - 1 - axis) + " ".repeat("Tensor".length() + shapeString(shape).length() + 2 + axis);
        b.append('[');
        for (int i = 0; i < n; i++) {
            if (cut && i == EDGE) {
                b.append("...").append(sep);
                i = n - EDGE;
            }
            if (axis == shape.length - 1) b.append(data[off + i]);
            else appendNested(b, axis + 1, off + i * stride, elide);
            if (i < n - 1) b.append(sep);
        }
        b.append(']');
    }
}
