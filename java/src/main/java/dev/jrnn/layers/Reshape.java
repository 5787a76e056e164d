package dev.jrnn.layers;

import dev.jrnn.backend.Backend;
import dev.jrnn.backend.DTensor;

import java.util.Arrays;
import java.util.List;

/**
 * Keras Reshape: gives each sample the shape {@code targetShape} (the batch axis stays); one entry may be -1, inferred
 * from the input's size, as Keras. The values keep their row-major order. No weights; no mask passes on (as Keras 3).
 *
 * <pre>{@code
 * Input x = Input.shape(12);
 * Node y = new Reshape(3, 4).apply(x);       // (None, 3, 4)
 * Node z = new Reshape(-1, 2, 2).apply(x);   // (None, 3, 2, 2)
 * }</pre>
 */
public class Reshape extends Rearrangement {
    private final int[] targetShape;

    /** {@code targetShape}: the per-sample shape, positive entries and at most one -1 (inferred). */
    public Reshape(int... targetShape) {
        if (targetShape == null || targetShape.length == 0) {
            throw new IllegalArgumentException("Reshape: targetShape must hold at least one dimension, got "
                    + (targetShape == null ? "null" : "()"));
        }
        int unknown = 0;
        for (int d : targetShape) {
            if (d == -1) unknown++;
            else if (d <= 0) {
                throw new IllegalArgumentException("Reshape: targetShape entries must be positive or -1 (inferred), got "
                        + d + " in " + text(targetShape));
            }
        }
        if (unknown > 1) {
            throw new IllegalArgumentException("Reshape: targetShape may hold one -1 (inferred), got " + unknown + " in "
                    + text(targetShape));
        }
        this.targetShape = targetShape.clone();
    }

    @Override
    public String kerasClass() { return "Reshape"; }

    /** The per-sample target shape as given (with its -1, if any). */
    public int[] targetShape() { return targetShape.clone(); }

    /**
     * The target shape with -1 inferred from the input's per-sample size; an input with an unknown dimension leaves
     * the -1 unknown (Keras' None), and a target without -1 is then taken as given.
     */
    @Override
    public List<int[]> computeOutputShapes(List<int[]> in) {
        int[] s = Layers.singleShape(this, in);
        long size = 1;
        boolean known = true;
        for (int d : s) {
            if (d < 0) known = false;
            else size *= d;
        }
        int[] out = targetShape.clone();
        if (!known) return List.of(out);
        long fixed = 1;
        int free = -1;
        for (int i = 0; i < out.length; i++) {
            if (out[i] == -1) free = i;
            else fixed *= out[i];
        }
        if (free >= 0 ? size % fixed != 0 : size != fixed) {
            throw new IllegalArgumentException(name() + ": targetShape " + text(targetShape) + " cannot hold the " + size
                    + " values of an input " + Layers.withBatch(s) + " per sample"
                    + (free >= 0 ? " (" + size + " is not a multiple of " + fixed + ")" : " (it holds " + fixed + ")"));
        }
        if (free >= 0) out[free] = (int) (size / fixed);
        return List.of(out);
    }

    @Override
    void rearrange(Backend be, DTensor x, DTensor y, List<DTensor> owned) {
        be.copy(x.buf(), 0, y.buf(), 0, x.size());   // row-major: the same values in the same order
    }

    @Override
    void rearrangeBackward(Backend be, DTensor dy, DTensor dx, List<DTensor> owned) {
        be.copy(dy.buf(), 0, dx.buf(), 0, dy.size());
    }

    private static String text(int[] shape) {
        return Arrays.toString(shape).replace('[', '(').replace(']', ')');
    }

    @Override
    public Reshape name(String n) { super.name(n); return this; }

    @Override
    public Reshape dtype(String policy) { super.dtype(policy); return this; }

    @Override
    public Reshape seed(long s) { super.seed(s); return this; }

    @Override
    public Reshape inputShape(int... shape) { super.inputShape(shape); return this; }

    @Override
    public Reshape batchInputShape(int batch, int... shape) { super.batchInputShape(batch, shape); return this; }

    @Override
    public Reshape inputLength(int n) { super.inputLength(n); return this; }

    @Override
    public Reshape inputDim(int d) { super.inputDim(d); return this; }

    @Override
    public Reshape trainable(boolean t) { super.trainable(t); return this; }
}
