package dev.jrnn.data;

import dev.jrnn.tensor.Tensor;

import java.util.Arrays;
import java.util.List;

/**
 * Keras' preparation utilities for sequence data: {@link #pad} ({@code keras.utils.pad_sequences}) and
 * {@link #toCategorical} ({@code keras.utils.to_categorical}).
 *
 * <pre>{@code
 * Tensor x = Sequences.pad(List.of(new int[] {5, 8}, new int[] {3, 1, 4, 7}));   // [[0, 0, 5, 8], [3, 1, 4, 7]]
 * Tensor y = Sequences.toCategorical(new int[] {0, 2}, 3);                        // [[1, 0, 0], [0, 0, 1]]
 * }</pre>
 */
public final class Sequences {
    private Sequences() {}

    /** The largest integer magnitude a float32 holds exactly, with every integer below it: 2^24. */
    private static final long EXACT = 1L << 24;

    /** Token sequences padded and truncated at the front to the longest one's length with 0, Keras' defaults: shape (n, longest). */
    public static Tensor pad(List<int[]> sequences) {
        return pad(sequences, -1, "pre", "pre", 0f);
    }

    /**
     * Token sequences as one (n, {@code maxlen}) tensor, as Keras' {@code pad_sequences(sequences, maxlen, padding,
     * truncating, value)}: a longer sequence loses steps at the front ({@code truncating} "pre") or the back ("post"), a
     * shorter one is filled with {@code value} before ({@code padding} "pre") or after it ("post"); as Keras' default
     * {@code dtype="int32"} the value is a whole number, a fraction cut toward 0 (0.5 pads with 0, -1.5 with -1; padTensors
     * keeps it, as Keras' float dtypes). {@code maxlen} -1:
     * the longest sequence's length. An empty sequence is all {@code value}; where Keras returns an array with an axis of
     * 0 (no sequences, or all empty without {@code maxlen}) this throws, as a tensor has no empty axes. The result is float32
     * (jrnn's one tensor type), which holds integers exactly up to 2^24: an id beyond +-2^24 is refused, not rounded.
     */
    public static Tensor pad(List<int[]> sequences, int maxlen, String padding, String truncating, float value) {
        if (sequences == null) throw new IllegalArgumentException("Sequences.pad: sequences is null");
        if (!(value >= -0x1p31f && value < 0x1p31f)) {   // int32's range; NaN fails
            throw new IllegalArgumentException("Sequences.pad: value must be a finite int32 (Keras' int32 output), got " + value);
        }
        float[][] steps = new float[sequences.size()][];
        for (int i = 0; i < steps.length; i++) {
            int[] s = sequences.get(i);
            if (s == null) throw new IllegalArgumentException("Sequences.pad: sequences[" + i + "] is null");
            steps[i] = new float[s.length];
            for (int k = 0; k < s.length; k++) {
                // a float32 tensor holds integers exactly up to 2^24: a larger id would come out as another one
                if (Math.abs((long) s[k]) > EXACT) {
                    throw new IllegalArgumentException("Sequences.pad: sequences[" + i + "][" + k + "] is " + s[k] + ", beyond +-2^24 = "
                            + EXACT + ", the integers a float32 tensor holds exactly (it would become " + (long) (float) s[k]
                            + "); jrnn's tensors are float32, so token ids must stay within 2^24");
                }
                steps[i][k] = s[k];
            }
        }
        return padRows("Sequences.pad", steps, new int[0], maxlen, padding, truncating, (int) value);
    }

    /**
     * Sequences of feature vectors, each a tensor (steps, features...) of the same feature shape, as one (n, {@code maxlen},
     * features...) tensor, padded and truncated as {@link #pad(List, int, String, String, float)}.
     */
    public static Tensor padTensors(List<Tensor> sequences, int maxlen, String padding, String truncating, float value) {
        if (sequences == null) throw new IllegalArgumentException("Sequences.padTensors: sequences is null");
        int[] feature = null;
        float[][] steps = new float[sequences.size()][];
        for (int i = 0; i < steps.length; i++) {
            Tensor t = sequences.get(i);
            if (t == null) throw new IllegalArgumentException("Sequences.padTensors: sequences[" + i + "] is null");
            if (t.rank() < 1) throw new IllegalArgumentException("Sequences.padTensors: sequences[" + i + "] needs a time axis, got a scalar");
            int[] f = Arrays.copyOfRange(t.shape(), 1, t.rank());
            if (feature == null && t.dim(0) > 0) feature = f;   // as Keras: the first non-empty sequence sets the step shape
            else if (t.dim(0) > 0 && !Arrays.equals(f, feature)) {
                throw new IllegalArgumentException("Sequences.padTensors: sequences[" + i + "] has steps of shape " + Tensor.shapeString(f)
                        + ", expected " + Tensor.shapeString(feature) + " as the first non-empty sequence");
            }
            steps[i] = t.data();
        }
        return padRows("Sequences.padTensors", steps, feature == null ? new int[0] : feature, maxlen, padding, truncating, value);
    }

    private static Tensor padRows(String who, float[][] rows, int[] feature, int maxlen, String padding, String truncating, float value) {
        boolean padPre = side(who, "padding", padding), truncPre = side(who, "truncating", truncating);
        int width = Math.toIntExact(Tensor.size(feature));
        if (maxlen == -1) {
            maxlen = 0;
            for (float[] r : rows) maxlen = Math.max(maxlen, r.length / Math.max(1, width));
        } else if (maxlen < 1) {
            throw new IllegalArgumentException(who + ": maxlen must be >= 1 (or -1 for the longest), got " + maxlen);
        }
        // Keras returns an array with a 0 axis here; a jrnn tensor needs at least one element per axis
        if (rows.length == 0) throw new IllegalArgumentException(who + ": sequences is empty; a padded tensor needs at least one sequence");
        if (maxlen == 0) {
            throw new IllegalArgumentException(who + ": every sequence is empty, so the longest has 0 steps; give maxlen >= 1 for a tensor of "
                    + "padding only");
        }
        int[] shape = new int[feature.length + 2];
        shape[0] = rows.length;
        shape[1] = maxlen;
        System.arraycopy(feature, 0, shape, 2, feature.length);
        Tensor out = Tensor.full(value, shape);
        float[] d = out.data();
        for (int i = 0; i < rows.length; i++) {
            int len = rows[i].length / Math.max(1, width), keep = Math.min(len, maxlen);
            int from = truncPre ? len - keep : 0, to = padPre ? maxlen - keep : 0;
            System.arraycopy(rows[i], from * width, d, (i * maxlen + to) * width, keep * width);   // Tensor.full checked the size fits
        }
        return out;
    }

    private static boolean side(String who, String what, String s) {
        if ("pre".equals(s)) return true;
        if ("post".equals(s)) return false;
        throw new IllegalArgumentException(who + ": " + what + " must be \"pre\" or \"post\", got " + (s == null ? "null" : "\"" + s + "\""));
    }

    /** Class indices as one-hot rows, as Keras' {@code to_categorical(y, num_classes)}: shape (n, {@code numClasses}). */
    public static Tensor toCategorical(int[] labels, int numClasses) {
        if (labels == null) throw new IllegalArgumentException("Sequences.toCategorical: labels is null");
        if (labels.length == 0) throw new IllegalArgumentException("Sequences.toCategorical: labels is empty; a one-hot tensor needs at least one label");
        float[] f = new float[labels.length];
        for (int i = 0; i < f.length; i++) f[i] = labels[i];
        return toCategorical(Tensor.of(f, labels.length), numClasses);
    }

    /**
     * Class indices (whole numbers in [0, numClasses)) as one-hot vectors along a new last axis, as Keras'
     * {@code to_categorical}: shape (..., numClasses), a trailing axis of 1 dropped first ((n, 1) gives (n, C)).
     * {@code numClasses} 0: the largest index + 1.
     */
    public static Tensor toCategorical(Tensor labels, int numClasses) {
        if (labels == null) throw new IllegalArgumentException("Sequences.toCategorical: labels is null");
        if (numClasses < 0) throw new IllegalArgumentException("Sequences.toCategorical: numClasses must be >= 1 (or 0 for the largest index + 1), got " + numClasses);
        float[] y = labels.data();
        int classes = numClasses;
        for (int i = 0; i < y.length; i++) {
            float v = y[i];
            if (!(v >= 0) || v != Math.rint(v) || v >= (numClasses > 0 ? numClasses : Integer.MAX_VALUE)) {
                throw new IllegalArgumentException("Sequences.toCategorical: labels[" + i + "] is " + v + "; class indices must be whole numbers in [0, "
                        + (numClasses > 0 ? numClasses + ")" : "2^31 - 1)"));
            }
            if (numClasses == 0) classes = Math.max(classes, (int) v + 1);
        }
        if (classes == 0) throw new IllegalArgumentException("Sequences.toCategorical: no labels to count the classes from; give numClasses");
        int[] s = labels.shape();
        int keep = s.length > 1 && s[s.length - 1] == 1 ? s.length - 1 : s.length;
        int[] shape = Arrays.copyOf(s, keep + 1);
        shape[keep] = classes;
        Tensor out = Tensor.zeros(shape);
        float[] d = out.data();
        for (int i = 0; i < y.length; i++) d[i * classes + (int) y[i]] = 1f;
        return out;
    }
}
