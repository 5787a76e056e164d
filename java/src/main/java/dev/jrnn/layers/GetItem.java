package dev.jrnn.layers;

import dev.jrnn.backend.Backend;
import dev.jrnn.backend.DTensor;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * NumPy basic indexing of each sample, {@code x[key]}: what Keras records for {@code h[:, -1]} on a Keras tensor (the
 * op {@code GetItem} of {@code keras.ops}; tf.keras 2's {@code SlicingOpLambda} of {@code __operators__.getitem}).
 * The key is a list of items, as NumPy's tuple: an {@link #index} (negative counts from the end; the axis goes), a
 * {@link #slice} (start:stop:step with NumPy's clamping, negative and reversed steps), {@link #newAxis} (None) and one
 * {@link #ellipsis}; items past the key's end take whole axes. The batch axis must be taken whole: the key's first item
 * is {@link #all} (or an ellipsis that spans it). Forward is NumPy's result exactly (a row gather), backward scatters
 * the gradient into zeros. No weights; no mask passes on, as in Keras 3, where an op's output carries none.
 *
 * <pre>{@code
 * Input x = Input.shape(10, 8);
 * Node h = new LSTM(64).returnSequences(true).apply(x);
 * Node last = new GetItem(GetItem.all(), GetItem.index(-1)).apply(h);   // h[:, -1]: (None, 64)
 * Node tail = new GetItem(GetItem.all(), GetItem.slice(-5, null)).apply(h);   // h[:, -5:]: (None, 5, 64)
 * }</pre>
 */
public class GetItem extends Rearrangement {
    /** One item of a key: an index, a slice (null bounds as NumPy's None), a new axis or the ellipsis. */
    public record Item(Kind kind, int index, Integer start, Integer stop, Integer step) {
        /** What an item is. */
        public enum Kind {
            /** An integer index, NumPy's {@code h[:, -1]}: the axis goes. */
            INDEX,
            /** A slice, NumPy's {@code start:stop:step}. */
            SLICE,
            /** NumPy's {@code None} / {@code np.newaxis}: a new axis of length 1. */
            NEW_AXIS,
            /** NumPy's {@code ...}: the axes not named, taken whole. */
            ELLIPSIS
        }

        /** Checks the kind is given and a slice's step is not 0. */
        public Item {
            Objects.requireNonNull(kind, "kind");
            if (kind == Kind.SLICE && step != null && step == 0) throw new IllegalArgumentException("GetItem: slice step must not be zero");
        }

        /** Whether this item takes an axis of the input (an index or a slice). */
        boolean consumes() { return kind == Kind.INDEX || kind == Kind.SLICE; }

        /** A slice taking its whole axis in order ({@code :}). */
        public boolean whole() {
            return kind == Kind.SLICE && (start == null || start == 0) && stop == null && (step == null || step == 1);
        }

        /** NumPy's spelling: {@code -1}, {@code 1:4}, {@code ::-1}, {@code None}, {@code ...}. */
        @Override
        public String toString() {
            return switch (kind) {
                case INDEX -> Integer.toString(index);
                case NEW_AXIS -> "None";
                case ELLIPSIS -> "...";
                case SLICE -> (start == null ? "" : start) + ":" + (stop == null ? "" : stop) + (step == null ? "" : ":" + step);
            };
        }
    }

    /** {@code :}, a whole axis. */
    public static Item all() { return new Item(Item.Kind.SLICE, 0, null, null, null); }

    /** {@code i}: one position of an axis (negative: from the end), which the result drops. */
    public static Item index(int i) { return new Item(Item.Kind.INDEX, i, null, null, null); }

    /** {@code start:stop} (null: NumPy's None, the end in the step's direction). */
    public static Item slice(Integer start, Integer stop) { return slice(start, stop, null); }

    /** {@code start:stop:step}; {@code step} non-zero, null as 1. */
    public static Item slice(Integer start, Integer stop, Integer step) { return new Item(Item.Kind.SLICE, 0, start, stop, step); }

    /** {@code None} / {@code np.newaxis}: a new axis of length 1. */
    public static Item newAxis() { return new Item(Item.Kind.NEW_AXIS, 0, null, null, null); }

    /** {@code ...}: as many whole axes as the other items leave (at most one per key). */
    public static Item ellipsis() { return new Item(Item.Kind.ELLIPSIS, 0, null, null, null); }

    private final List<Item> key;

    /**
     * {@code key}: the items of NumPy's index tuple, batch axis first; the first is {@link #all} or {@link #ellipsis}
     * (the batch is taken whole), at most one ellipsis.
     */
    public GetItem(Item... key) {
        if (key == null || key.length == 0) {
            throw new IllegalArgumentException("GetItem: key must start with all() (':', the batch axis), got " + (key == null ? "null" : "()"));
        }
        int ellipses = 0;
        for (int i = 0; i < key.length; i++) {
            if (key[i] == null) throw new IllegalArgumentException("GetItem: key item " + i + " is null");
            if (key[i].kind() == Item.Kind.ELLIPSIS) ellipses++;
        }
        this.key = List.of(key);
        if (ellipses > 1) throw new IllegalArgumentException("GetItem: key " + this.keyString() + " has " + ellipses + " ellipses; NumPy allows one");
        Item first = key[0];
        if (first.kind() != Item.Kind.ELLIPSIS && !first.whole()) {
            throw new IllegalArgumentException("GetItem: key " + keyString() + " must take the batch axis whole (first item ':'), got '"
                    + first + "' there: jrnn's layers keep every sample");
        }
    }

    @Override
    public String kerasClass() { return "GetItem"; }

    /** The key's items, batch axis first. */
    public List<Item> key() { return key; }

    /** The key in NumPy's syntax, {@code [:, -1]}. */
    public String keyString() {
        StringBuilder b = new StringBuilder("[");
        for (int i = 0; i < key.size(); i++) b.append(i > 0 ? ", " : "").append(key.get(i));
        return b.append(']').toString();
    }

    /**
     * The key resolved for a per-sample shape: per input axis of the sample, the positions it takes ({@code null}:
     * unknown length, a slice kept as unknown), whether it stays, and the output shape. Refuses what NumPy refuses.
     */
    private record Plan(int[][] take, boolean[] keeps, int[] out) {}

    private Plan plan(int[] s) {
        int consumed = 0;
        boolean ellipsis = false;
        for (Item it : key) {
            if (it.consumes()) consumed++;
            if (it.kind() == Item.Kind.ELLIPSIS) ellipsis = true;
        }
        int rank = s.length + 1;   // the batch included, as NumPy sees the array
        if (consumed > rank) {
            throw new IllegalArgumentException(name() + ": key " + keyString() + " indexes " + consumed + " axes, the input "
                    + Layers.withBatch(s) + " has " + rank);
        }
        List<Item> full = new ArrayList<>();
        for (Item it : key) {
            if (it.kind() == Item.Kind.ELLIPSIS) for (int i = 0; i < rank - consumed; i++) full.add(all());
            else full.add(it);
        }
        if (!ellipsis) for (int i = consumed; i < rank; i++) full.add(all());
        // the first item that takes an axis takes the batch: it must be ':' with no new axis before it
        int at = 0;
        while (at < full.size() && !full.get(at).consumes()) at++;
        if (at != 0 || !full.get(0).whole()) {
            throw new IllegalArgumentException(name() + ": key " + keyString() + " must take the batch axis whole (':'), it puts '"
                    + full.get(0) + "' there (input " + Layers.withBatch(s) + ")");
        }
        int[][] take = new int[s.length][];
        boolean[] keeps = new boolean[s.length];
        List<Integer> out = new ArrayList<>();
        int axis = 0;
        for (Item it : full.subList(1, full.size())) {
            if (it.kind() == Item.Kind.NEW_AXIS) {
                out.add(1);
                continue;
            }
            int n = s[axis];
            if (it.kind() == Item.Kind.INDEX) {
                if (n >= 0) {
                    int i = it.index() < 0 ? it.index() + n : it.index();
                    if (i < 0 || i >= n) {
                        throw new IllegalArgumentException(name() + ": index " + it.index() + " is out of range for axis " + (axis + 1)
                                + " of length " + n + " (key " + keyString() + ", input " + Layers.withBatch(s) + ")");
                    }
                    take[axis] = new int[] {i};
                }
            } else {
                keeps[axis] = true;
                if (n >= 0) {
                    take[axis] = range(it, n);
                    if (take[axis].length == 0) {   // NumPy gives an empty axis; jrnn's tensors have none
                        throw new IllegalArgumentException(name() + ": slice " + it + " of axis " + (axis + 1) + " (length " + n
                                + ") selects nothing (key " + keyString() + ", input " + Layers.withBatch(s) + "); jrnn's tensors have no empty axes");
                    }
                }
                out.add(n < 0 ? -1 : take[axis].length);
            }
            axis++;
        }
        return new Plan(take, keeps, out.stream().mapToInt(Integer::intValue).toArray());
    }

    /** Python's {@code range(*slice(start, stop, step).indices(n))}. */
    static int[] range(Item it, int n) {
        int step = it.step() == null ? 1 : it.step();
        int start, stop;
        if (step > 0) {
            start = it.start() == null ? 0 : clamp(it.start(), n, 0, n);
            stop = it.stop() == null ? n : clamp(it.stop(), n, 0, n);
        } else {
            start = it.start() == null ? n - 1 : clamp(it.start(), n, -1, n - 1);
            stop = it.stop() == null ? -1 : clamp(it.stop(), n, -1, n - 1);
        }
        long st = step;   // in long: a step near 2^31 overflows the int sums
        int len = (int) (st > 0 ? (stop > start ? (stop - start + st - 1) / st : 0) : (start > stop ? (start - stop - st - 1) / -st : 0));
        int[] r = new int[len];
        for (int i = 0; i < len; i++) r[i] = start + i * step;
        return r;
    }

    /** A slice bound as Python's slice.indices: negative from the end, then clamped to [lo, hi]. */
    private static int clamp(int v, int n, int lo, int hi) {
        long x = v < 0 ? (long) v + n : v;
        return (int) Math.max(lo, Math.min(hi, x));
    }

    @Override
    public List<int[]> computeOutputShapes(List<int[]> in) {
        return List.of(plan(Layers.singleShape(this, in)).out());
    }

    @Override
    void rearrange(Backend be, DTensor x, DTensor y, List<DTensor> owned) { gather(be, x, y, false); }

    @Override
    void rearrangeBackward(Backend be, DTensor dy, DTensor dx, List<DTensor> owned) { gather(be, dx, dy, true); }

    /**
     * {@code y} = the selection of {@code x}, or with {@code backward} {@code x +=} {@code y} put back where it was read
     * (each position is read once, so into zeros that is the scatter). Rows of the trailing axes taken whole are gathered
     * in one call for as many samples as float indices reach exactly.
     */
    private void gather(Backend be, DTensor x, DTensor y, boolean backward) {
        int[] s = Arrays.copyOfRange(x.shape(), 1, x.rank());
        Plan p = plan(s);
        int keep = s.length;   // axes from here on are taken whole and in order
        while (keep > 0 && p.keeps()[keep - 1] && p.take()[keep - 1].length == s[keep - 1] && isIdentity(p.take()[keep - 1])) keep--;
        long width = 1, inRows = 1, rows = 1;
        for (int i = keep; i < s.length; i++) width *= s[i];
        for (int i = 0; i < keep; i++) {
            inRows *= s[i];
            rows *= p.take()[i].length;
        }
        if (rows == 0 || width == 0) return;
        if (inRows > MAX_INDEX || width > Integer.MAX_VALUE) {
            throw new IllegalArgumentException(name() + ": indexing " + inRows + " rows per sample is more than the " + MAX_INDEX
                    + " a gather indexes; input " + Layers.withBatch(s));
        }
        int batch = x.dim(0), samples = (int) Math.max(1, Math.min(batch, MAX_INDEX / inRows));
        int k = keep, rowCount = (int) rows, inCount = (int) inRows;
        long[] stride = new long[k];   // strides of the leading axes, in rows
        long st = 1;
        for (int i = k - 1; i >= 0; i--) {
            stride[i] = st;
            st *= s[i];
        }
        DTensor ix = indices.get(be, Arrays.toString(s) + samples, () -> {
            float[] idx = new float[samples * rowCount];
            int[] pos = new int[k];
            for (int r = 0; r < rowCount; r++) {
                long src = 0;
                for (int i = 0; i < k; i++) src += p.take()[i][pos[i]] * stride[i];
                idx[r] = src;
                for (int i = k - 1; i >= 0 && ++pos[i] == p.take()[i].length; i--) pos[i] = 0;
            }
            for (int j = 1; j < samples; j++) {
                for (int r = 0; r < rowCount; r++) idx[j * rowCount + r] = idx[r] + (float) j * inCount;
            }
            return idx;
        });
        int w = (int) width;
        for (int b = 0; b < batch; b += samples) {
            int n = Math.min(samples, batch - b) * rowCount;
            long xAt = (long) b * inCount * w, yAt = (long) b * rowCount * w;
            if (backward) be.scatterAddRows(n, w, ix.buf(), 0, y.buf(), yAt, x.buf(), xAt);
            else be.gatherRows(n, w, ix.buf(), 0, x.buf(), xAt, y.buf(), yAt);
        }
    }

    private static boolean isIdentity(int[] t) {
        for (int i = 0; i < t.length; i++) if (t[i] != i) return false;
        return true;
    }

    @Override
    public GetItem name(String n) { super.name(n); return this; }

    @Override
    public GetItem dtype(String policy) { super.dtype(policy); return this; }

    @Override
    public GetItem seed(long s) { super.seed(s); return this; }

    @Override
    public GetItem inputShape(int... shape) { super.inputShape(shape); return this; }

    @Override
    public GetItem batchInputShape(int batch, int... shape) { super.batchInputShape(batch, shape); return this; }

    @Override
    public GetItem inputLength(int n) { super.inputLength(n); return this; }

    @Override
    public GetItem inputDim(int d) { super.inputDim(d); return this; }

    @Override
    public GetItem trainable(boolean t) { super.trainable(t); return this; }

    /** Keras 3 runs {@code h[:, -1]} as an op, which drops a mask without a warning. */
    @Override
    boolean warnsOnDroppedMask() { return false; }
}
