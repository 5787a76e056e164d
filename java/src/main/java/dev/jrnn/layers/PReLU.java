package dev.jrnn.layers;

import dev.jrnn.backend.Activation;
import dev.jrnn.backend.Backend;
import dev.jrnn.backend.BufAt;
import dev.jrnn.backend.DTensor;
import dev.jrnn.initializers.Initializer;
import dev.jrnn.regularizers.Constraint;
import dev.jrnn.regularizers.Regularizer;
import dev.jrnn.tensor.Tensor;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Keras' PReLU layer: {@code relu(x) - alpha * relu(-x)} with a trained {@code alpha} of Keras' shape, the input's
 * per-sample shape with each of {@link #sharedAxes} (counted with the batch as 0) set to 1, so those axes share their
 * slopes (and may vary in size between calls). Keras' defaults: alpha starts at zeros, no regularizer or constraint, no
 * shared axes. The input mask is passed on.
 *
 * <pre>{@code
 * Node y = new PReLU().sharedAxes(1).apply(seq);   // (None, T, 8): one slope per feature, shared over the steps
 * }</pre>
 */
public class PReLU extends Layer {
    /** Gather indices are floats: exact below 2^24. */
    private static final int MAX_INDEX = 1 << 24;

    private int[] sharedAxes = new int[0];
    private Param alpha;
    private final WeightInitializers inits = new WeightInitializers(this).with("alpha", "alphaInitializer", 0, Initializer.zeros());
    private final MergeBroadcast.Indices indices = new MergeBroadcast.Indices();

    /** Keras' {@code PReLU()} at its defaults (the class comment). */
    public PReLU() {}

    @Override
    public String kerasClass() { return "PReLU"; }

    /** Keras' {@code shared_axes}: axes counted with the batch as 0, each at least 1; set before the build. */
    public PReLU sharedAxes(int... axes) {
        if (isBuilt()) throw new IllegalStateException(name() + ": shared_axes must be set before the layer is built");
        int[] a = axes == null ? new int[0] : axes.clone();
        for (int x : a) {
            if (x < 1) {
                throw new IllegalArgumentException(name() + ": shared_axes of a PReLU layer must be input axes >= 1 (0 is the batch),"
                        + " got " + Arrays.toString(a));
            }
        }
        this.sharedAxes = a;
        return this;
    }

    /** Keras' {@code shared_axes} (a copy); default none. */
    public int[] sharedAxes() { return sharedAxes.clone(); }

    /** Keras' {@code alpha_initializer} (default "zeros"), drawn at the build: set it before. */
    public PReLU alphaInitializer(Initializer i) { inits.set("alpha", i); return this; }

    /** Keras' {@code alpha_initializer} by Keras' name ({@link Initializer#of}). */
    public PReLU alphaInitializer(String name) { return alphaInitializer(inits.named("alpha", name)); }

    /** Keras' {@code alpha_initializer}; default zeros. */
    public Initializer alphaInitializer() { return inits.get("alpha"); }

    /** Keras' {@code alpha_regularizer}: its penalty on alpha joins the loss (null: none). */
    public PReLU alphaRegularizer(Regularizer r) { weightRules().regularizer("alpha", r); return this; }

    /** Keras' {@code alpha_constraint}: applied to alpha after each update (null: none). */
    public PReLU alphaConstraint(Constraint c) { weightRules().constraint("alpha", c); return this; }

    /** The alpha param (null before the build). */
    public Param alpha() { return alpha; }

    /** Alpha's shape for per-sample input shape {@code s}: Keras' {@code input_shape[1:]} with the shared axes 1. */
    private int[] alphaShape(int[] s) {
        int[] shape = s.clone();
        for (int a : sharedAxes) {
            if (a > s.length) {
                throw new IllegalArgumentException(name() + ": shared_axes " + Arrays.toString(sharedAxes) + " of a PReLU layer must be"
                        + " axes of its input " + Layers.withBatch(s) + ": expected values in 1.." + s.length + ", got " + a);
            }
            shape[a - 1] = 1;
        }
        for (int i = 0; i < shape.length; i++) {
            if (shape[i] <= 0) {
                throw new IllegalArgumentException(name() + ": axis " + (i + 1) + " of input " + Layers.withBatch(s) + " has no fixed size;"
                        + " a PReLU layer needs one for alpha, or the axis in shared_axes");
            }
        }
        return shape;
    }

    @Override
    public List<int[]> computeOutputShapes(List<int[]> in) {
        int[] s = Layers.singleShape(this, in);
        alphaShape(s);
        return List.of(s.clone());
    }

    /** As Keras' input spec: the same rank, and the same size on every axis alpha does not share. */
    @Override
    protected boolean weightsFit(List<int[]> built, List<int[]> given) {
        if (given.size() != 1) return false;
        int[] a = built.get(0), b = given.get(0);
        if (a.length != b.length) return false;
        int[] shape = alpha.shape();
        for (int i = 0; i < a.length; i++) if (shape[i] != 1 && a[i] != b[i]) return false;
        return true;
    }

    @Override
    protected void createParams(List<int[]> in) {
        alpha = addParam("alpha", alphaShape(in.get(0)));
    }

    @Override
    protected void initParams(SplittableRandom rng) {
        if (!initialValuesNeeded()) return;
        alpha.set(Tensor.wrap(inits.draw("alpha", alpha.shape(), rng), alpha.shape()));
    }

    @Override
    public void releaseBuffers() {
        indices.release();
        super.releaseBuffers();
    }

    @Override
    public Trace forward(List<DTensor> inputs, DTensor mask, boolean training) {
        DTensor x = Layers.singleBuilt(this, inputs, 2);
        Backend be = backend();
        long n = x.size();
        int batch = x.dim(0), per = (int) (n / Math.max(1, batch));
        List<DTensor> owned = new ArrayList<>();
        try {
            BufAt slopes = slopes(be, x, owned);
            DTensor y = Layers.tensor(be, owned, x.shape());
            be.activate(Activation.RELU, n, 1, x.buf(), 0, y.buf(), 0);
            DTensor neg = Layers.tensor(be, owned, x.shape());   // relu(-x)
            be.axpy(n, -1f, x.buf(), 0, neg.buf(), 0);
            be.activate(Activation.RELU, n, 1, neg.buf(), 0, neg.buf(), 0);
            DTensor t = Layers.tensor(be, owned, x.shape());
            if (n > 0) mulSlopes(be, batch, per, neg, slopes, t);
            be.axpy(n, -1f, t.buf(), 0, y.buf(), 0);
            return Layers.trace(this, y, mask, owned, dy -> {
                DTensor dx = Layers.tensor(be, owned, x.shape());
                if (dy == null || n == 0) return List.of(dx);
                // dx = dy * (x > 0) + alpha * dy * (x < 0), relu's derivatives as Keras' composition takes them
                be.activate(Activation.RELU, n, 1, x.buf(), 0, t.buf(), 0);
                be.activateBackward(Activation.RELU, n, 1, t.buf(), 0, dy.buf(), 0, dx.buf(), 0);
                be.activateBackward(Activation.RELU, n, 1, neg.buf(), 0, dy.buf(), 0, t.buf(), 0);
                mulSlopes(be, batch, per, t, slopes, t);
                be.axpy(n, 1f, t.buf(), 0, dx.buf(), 0);
                if (trainable()) {
                    // d alpha = -sum over the batch (and the shared axes) of relu(-x) * dy
                    be.mul(n, neg.buf(), 0, dy.buf(), 0, t.buf(), 0);
                    be.scale(n, -1f, t.buf(), 0);
                    if (per == alpha.size()) {
                        be.sumRows(batch, per, t.buf(), 0, alpha.grad(), alpha.offset(), true);
                    } else {
                        DTensor sums = Layers.tensor(be, owned, per);
                        be.sumRows(batch, per, t.buf(), 0, sums.buf(), 0, false);
                        be.scatterAddRows(per, 1, index(be, x).buf(), 0, sums.buf(), 0, alpha.grad(), alpha.offset());
                    }
                }
                return List.of(dx);
            });
        } catch (RuntimeException e) {
            for (DTensor d : owned) d.close();
            throw e;
        }
    }

    /** {@code out[b, i] = v[b, i] * slopes[i]} over the batch's rows ({@code out} may alias {@code v}). */
    private static void mulSlopes(Backend be, int batch, int per, DTensor v, BufAt slopes, DTensor out) {
        be.mulRowVector(batch, per, v.buf(), 0, slopes.buf(), slopes.offset(), out.buf(), 0);
    }

    /** Alpha spread over one sample's values: alpha itself when nothing is shared, else a gather to {@code owned}. */
    private BufAt slopes(Backend be, DTensor x, List<DTensor> owned) {
        int per = (int) (x.size() / Math.max(1, x.dim(0)));
        if (alpha.size() == per) return BufAt.at(alpha.value(), alpha.offset());
        DTensor s = Layers.tensor(be, owned, per);
        if (per > 0) be.gatherRows(per, 1, index(be, x).buf(), 0, alpha.value(), alpha.offset(), s.buf(), 0);
        return BufAt.at(s.buf(), 0);
    }

    /** Which alpha each of one sample's values takes, made and uploaded once per shape (kept until {@link #releaseBuffers}). */
    private DTensor index(Backend be, DTensor x) {
        int[] s = Arrays.copyOfRange(x.shape(), 1, x.rank());
        int[] a = alpha.shape();
        long per = Tensor.size(s);
        if (per > MAX_INDEX) {
            throw new IllegalArgumentException(name() + ": " + per + " values per sample are more than the " + MAX_INDEX
                    + " a shared alpha indexes; input " + Layers.withBatch(s));
        }
        return indices.get(be, Arrays.toString(s), () -> {
            float[] idx = new float[(int) per];
            int[] pos = new int[s.length];
            for (int i = 0; i < idx.length; i++) {
                long at = 0;
                for (int d = 0; d < s.length; d++) at = at * a[d] + (a[d] == 1 ? 0 : pos[d]);
                idx[i] = at;
                for (int d = s.length - 1; d >= 0 && ++pos[d] == s[d]; d--) pos[d] = 0;
            }
            return idx;
        });
    }

    @Override
    public PReLU name(String n) { super.name(n); return this; }

    @Override
    public PReLU dtype(String policy) { super.dtype(policy); return this; }

    @Override
    public PReLU seed(long s) { super.seed(s); return this; }

    @Override
    public PReLU inputShape(int... shape) { super.inputShape(shape); return this; }

    @Override
    public PReLU batchInputShape(int batch, int... shape) { super.batchInputShape(batch, shape); return this; }

    @Override
    public PReLU inputLength(int n) { super.inputLength(n); return this; }

    @Override
    public PReLU inputDim(int d) { super.inputDim(d); return this; }

    @Override
    public PReLU trainable(boolean t) { super.trainable(t); return this; }

    /** Keras 3's {@code supports_masking} is true here: a mask passes on where the steps stay. */
    @Override
    public boolean passesMask() { return true; }
}
