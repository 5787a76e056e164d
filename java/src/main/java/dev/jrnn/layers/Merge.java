package dev.jrnn.layers;

import dev.jrnn.backend.Backend;
import dev.jrnn.backend.DTensor;
import dev.jrnn.tensor.Tensor;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Base of Keras' merge layers ({@link Add}, {@link Multiply}, {@link Average}, {@link Concatenate}): no weights,
 * called on a list of nodes of one shape, or shapes that broadcast to one as in Keras ({@link MergeBroadcast}); the output mask is the OR of the input masks, none when an input has none,
 * as Keras 3.4 and later ({@code Merge.compute_mask}; Keras 3.0 to 3.3 ANDed them).
 *
 * <pre>{@code
 * Input a = Input.shape(4), b = Input.shape(4);
 * Node sum = new Add().apply(a, b);   // (None, 4)
 * }</pre>
 */
public abstract class Merge extends Layer {
    /** Broadcasting's gather indices (see MergeBroadcast.Indices), kept until {@link #releaseBuffers}. */
    final MergeBroadcast.Indices indices = new MergeBroadcast.Indices();

    /** Only jrnn's merge layers extend it: its merge operations are package-private. */
    Merge() {}

    @Override
    public void releaseBuffers() {
        indices.release();
        super.releaseBuffers();
    }

    @Override
    public List<int[]> computeOutputShapes(List<int[]> in) {
        checkCount(in);
        int[] out = in.get(0).clone();
        for (int i = 1; i < in.size(); i++) {
            int[] s = in.get(i), b = MergeBroadcast.shape(out, s);
            if (b == null) {
                throw new IllegalArgumentException(name() + ": " + kerasClass() + " expects inputs of one shape, got "
                        + Layers.withBatch(in.get(0)) + " and " + Layers.withBatch(s) + " (input " + i + "); as in Keras, a"
                        + " dimension of 1 (or one missing on the left) broadcasts");
            }
            out = b;
        }
        return List.of(out);
    }

    /** Whether inputs broadcast to the output's shape (the elementwise merges); Concatenate and Dot take theirs as they are. */
    boolean broadcasts() { return true; }

    /** Refuses an empty or null list of input shapes. */
    final void checkCount(List<int[]> in) {
        if (in == null || in.isEmpty()) {
            throw new IllegalArgumentException(name() + ": a merge layer is called on a list of at least 1 input, got "
                    + (in == null ? "null" : "none"));
        }
    }

    /** Refuses a count of inputs other than two (Subtract, Dot), as Keras' build does. */
    static void requireTwo(Layer l, int count) {
        if (count != 2) {
            throw new IllegalArgumentException(l.name() + ": a " + l.kerasClass() + " layer is called on exactly 2 inputs, got " + count);
        }
    }

    @Override
    protected boolean weightsFit(List<int[]> built, List<int[]> given) { return given.size() == built.size(); }

    @Override
    protected void createParams(List<int[]> in) {}

    @Override
    protected void initParams(SplittableRandom rng) {}

    /** With one mask only (the first input's); models pass every input's mask through {@link #forwardMasked}. */
    @Override
    public Trace forward(List<DTensor> inputs, DTensor mask, boolean training) {
        List<DTensor> masks = new ArrayList<>();
        for (int i = 0; inputs != null && i < inputs.size(); i++) masks.add(i == 0 ? mask : null);
        return forwardMasked(inputs, masks, training);
    }

    @Override
    public Trace forwardMasked(List<DTensor> inputs, List<DTensor> masks, boolean training) {
        if (inputs == null || inputs.isEmpty() || !Layers.noNulls(inputs)) {
            throw new IllegalArgumentException(name() + ": expected a list of input tensors without nulls, got " + inputs);
        }
        if (masks == null || masks.size() != inputs.size()) {
            throw new IllegalArgumentException(name() + ": expected one mask (or null) per input, " + inputs.size()
                    + " in all, got " + (masks == null ? "null" : masks.size()));
        }
        for (int i = 1; i < inputs.size(); i++) {
            if (inputs.get(i).rank() == 0 || inputs.get(0).rank() == 0 || inputs.get(i).dim(0) != inputs.get(0).dim(0)) {
                throw new IllegalArgumentException(name() + ": inputs must share the batch size, got "
                        + Tensor.shapeString(inputs.get(0).shape()) + " and " + Tensor.shapeString(inputs.get(i).shape()));
            }
        }
        build(Layers.perSample(inputs));
        Backend be = backend();
        Layers.sameBackend(this, be, inputs);
        List<DTensor> owned = new ArrayList<>();
        try {
            // inputs of another shape than the output's are expanded to it (Keras' broadcasting); not Concatenate's or Dot's
            List<DTensor> xs = new ArrayList<>(inputs), ms = new ArrayList<>(masks);
            if (broadcasts()) {
                int[] out = Layers.batchDims(computeOutputShapes(Layers.perSample(inputs)).get(0));
                out[0] = inputs.get(0).dim(0);
                for (int i = 0; i < xs.size(); i++) {
                    xs.set(i, MergeBroadcast.expand(be, name(), xs.get(i), out, owned, indices));
                    DTensor m = ms.get(i);   // a one-step input's mask repeats with it, as Keras broadcasts it
                    if (m != null && m.rank() == 2 && m.dim(1) == 1 && out.length > 2) {
                        ms.set(i, MergeBroadcast.expand(be, name(), m, new int[] {out[0], out[1]}, owned, indices));
                    }
                }
            }
            DTensor y = merge(be, xs, ms, owned);
            DTensor outMask = outputMask(be, xs, ms, owned);
            return Layers.trace(this, y, outMask, owned, dy -> {
                List<DTensor> dx = new ArrayList<>();
                for (DTensor x : xs) {
                    DTensor d = DTensor.zeros(be, x.shape());
                    owned.add(d);
                    dx.add(d);
                }
                if (dy != null) mergeBackward(be, xs, ms, dy, dx);
                for (int i = 0; i < dx.size(); i++) dx.set(i, MergeBroadcast.reduce(be, name(), inputs.get(i), dx.get(i), owned, indices));
                return dx;
            });
        } catch (RuntimeException e) {
            for (DTensor d : owned) d.close();
            throw e;
        }
    }

    /** The merged output, added to {@code owned}. Inputs have the shapes {@link #computeOutputShapes} accepted. */
    abstract DTensor merge(Backend be, List<DTensor> xs, List<DTensor> owned);

    /** Writes the input gradients into {@code dx} (zeroed, shaped as the inputs) from the output gradient {@code dy}. */
    abstract void mergeBackward(Backend be, List<DTensor> xs, DTensor dy, List<DTensor> dx);

    /** {@link #merge(Backend, List, List)} given every input's mask (each nullable); the values of most merges ignore them. */
    DTensor merge(Backend be, List<DTensor> xs, List<DTensor> masks, List<DTensor> owned) { return merge(be, xs, owned); }

    /** {@link #mergeBackward(Backend, List, DTensor, List)} given every input's mask, as the forward had them. */
    void mergeBackward(Backend be, List<DTensor> xs, List<DTensor> masks, DTensor dy, List<DTensor> dx) {
        mergeBackward(be, xs, dy, dx);
    }

    /**
     * The OR of the 0/1 masks (their sum clipped to 1); null when some input has no mask (Keras 3.4 and later: a step
     * is kept when any input keeps it); a new mask goes to {@code owned}.
     */
    DTensor outputMask(Backend be, List<DTensor> xs, List<DTensor> masks, List<DTensor> owned) {
        DTensor out = null;
        boolean copied = false;
        for (DTensor m : masks) if (m == null) return null;
        for (DTensor m : masks) {
            if (out == null) {
                out = m;
                continue;
            }
            if (!Arrays.equals(m.shape(), out.shape())) {
                throw new IllegalArgumentException(name() + ": input masks differ in shape: " + Tensor.shapeString(out.shape())
                        + " and " + Tensor.shapeString(m.shape()));
            }
            if (!copied) {
                DTensor c = DTensor.zeros(be, out.shape());
                owned.add(c);
                be.copy(out.buf(), 0, c.buf(), 0, out.size());
                out = c;
                copied = true;
            }
            be.axpy(m.size(), 1f, m.buf(), 0, out.buf(), 0);
        }
        if (copied) be.clip(out.size(), 0f, 1f, out.buf(), 0);
        return out;
    }

    /** A new tensor holding a copy of {@code x}, added to {@code owned}. */
    static DTensor copyOf(Backend be, DTensor x, List<DTensor> owned) {
        DTensor y = DTensor.zeros(be, x.shape());
        owned.add(y);
        be.copy(x.buf(), 0, y.buf(), 0, x.size());
        return y;
    }

    /** A new tensor holding the elementwise sum of {@code xs}, added to {@code owned}. */
    static DTensor sum(Backend be, List<DTensor> xs, List<DTensor> owned) {
        DTensor y = copyOf(be, xs.get(0), owned);
        for (int i = 1; i < xs.size(); i++) be.axpy(y.size(), 1f, xs.get(i).buf(), 0, y.buf(), 0);
        return y;
    }

    @Override
    public Merge name(String n) { super.name(n); return this; }

    @Override
    public Merge dtype(String policy) { super.dtype(policy); return this; }

    @Override
    public Merge seed(long s) { super.seed(s); return this; }

    @Override
    public Merge trainable(boolean t) { super.trainable(t); return this; }

    /** Keras 3's {@code supports_masking} is true here: a mask passes on where the steps stay. */
    @Override
    public boolean passesMask() { return true; }
}
