package dev.jrnn.layers;

import dev.jrnn.backend.Activation;
import dev.jrnn.backend.Backend;
import dev.jrnn.backend.Buf;
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
 * Keras Dense: {@code y = act(x · kernel + bias)} on the last axis of an input of any rank (so a
 * (batch, timesteps, features) input is handled directly, as in Keras 2). Weights: kernel [I, O],
 * bias [O]; {@code I * O + O} params. "softmax" normalises over the last axis.
 *
 * <pre>{@code
 * Dense d = new Dense(3).activation("softmax");
 * Tensor p = d.call(Tensor.zeros(4, 5));   // (4, 3), rows sum to 1
 * }</pre>
 */
public class Dense extends Layer {
    private final int units;
    private Activation activation = Activation.LINEAR;
    private boolean useBias = true;
    private Param kernel;
    private Param bias;
    private final WeightInitializers inits = new WeightInitializers(this)
            .with("kernel", "kernelInitializer", 2, Initializer.glorotUniform()).with("bias", "biasInitializer", 1, Initializer.zeros());

    /** Keras' {@code Dense(units)}: {@code units} outputs (positive), linear activation, with a bias. */
    public Dense(int units) {
        if (units <= 0) throw new IllegalArgumentException("Dense: units must be positive, got " + units);
        this.units = units;
    }

    @Override
    public String kerasClass() { return "Dense"; }

    /** Keras' {@code units}: the output's last axis. */
    public int units() { return units; }

    /** Keras' {@code activation} name; default "linear". */
    public String activation() { return activation.kerasName(); }

    /**
     * Keras' activation name: "linear" (default), "tanh", "sigmoid", "relu", "softmax", ... (every name
     * {@link dev.jrnn.backend.Activation#of} takes; "hard_sigmoid" is Keras 3's x/6 + 1/2, "hard_sigmoid_keras2"
     * Keras 2's 0.2x + 1/2).
     */
    public Dense activation(String a) {
        this.activation = Activation.of(a);
        return this;
    }

    /** Keras' {@code use_bias}; default true. */
    public boolean useBias() { return useBias; }

    /** Keras' {@code use_bias}: whether the layer has a bias [units]; default true. Set it before the build. */
    public Dense useBias(boolean b) {
        if (isBuilt()) throw new IllegalStateException(name() + ": cannot change useBias after the layer is built");
        this.useBias = b;
        return this;
    }

    /**
     * Keras' {@code kernel_initializer} (default glorot_uniform), drawn at the build: set it before.
     * <pre>{@code
     * Dense d = new Dense(1).kernelInitializer(Initializer.randomNormal(0.0, 0.01, 3));
     * }</pre>
     */
    public Dense kernelInitializer(Initializer i) { inits.set("kernel", i); return this; }

    /** Keras' {@code kernel_initializer} by Keras' name ("he_normal", "orthogonal", ...; {@link Initializer#of}). */
    public Dense kernelInitializer(String name) { return kernelInitializer(inits.named("kernel", name)); }

    /** Keras' {@code kernel_initializer}; default glorot_uniform. */
    public Initializer kernelInitializer() { return inits.get("kernel"); }

    /** Keras' {@code bias_initializer} (default zeros), drawn at the build: set it before. */
    public Dense biasInitializer(Initializer i) { inits.set("bias", i); return this; }

    /** Keras' {@code bias_initializer} by Keras' name ({@link Initializer#of}). */
    public Dense biasInitializer(String name) { return biasInitializer(inits.named("bias", name)); }

    /** Keras' {@code bias_initializer}; default zeros. */
    public Initializer biasInitializer() { return inits.get("bias"); }

    /** Keras' {@code kernel_regularizer}: its penalty on the kernel joins the loss (null: none). */
    public Dense kernelRegularizer(Regularizer r) { weightRules().regularizer("kernel", r); return this; }

    /** Keras' {@code bias_regularizer} (null: none; no penalty without a bias). */
    public Dense biasRegularizer(Regularizer r) { weightRules().regularizer("bias", r); return this; }

    /** Keras' {@code kernel_constraint}: applied to the kernel after each update (null: none). */
    public Dense kernelConstraint(Constraint c) { weightRules().constraint("kernel", c); return this; }

    /** Keras' {@code bias_constraint} (null: none). */
    public Dense biasConstraint(Constraint c) { weightRules().constraint("bias", c); return this; }

    /** Keras' {@code activity_regularizer}: a penalty on the output (divided by the batch size) joins the loss (null: none). */
    public Dense activityRegularizer(Regularizer r) { weightRules().activity(r); return this; }

    /** The kernel param [I, O] (null before build). */
    public Param kernel() { return kernel; }

    /** The bias param [O] (null before build or without bias). */
    public Param bias() { return bias; }

    @Override
    protected int[] defaultShapeForInputDim(int dim) { return new int[] {dim}; }

    @Override
    public List<int[]> computeOutputShapes(List<int[]> in) {
        Layers.singleShape(this, in);
        int[] x = in.get(0);
        if (x.length < 1) throw new IllegalArgumentException(name() + ": expected input (batch, ..., features), got (batch,)");
        if (x[x.length - 1] <= 0) {
            throw new IllegalArgumentException(name() + ": the last input dimension must be known and positive, got "
                    + Layers.withBatch(x));
        }
        int[] out = x.clone();
        out[out.length - 1] = units;
        return List.of(out);
    }

    /** Any rank with the same features: Keras applies one Dense (or LayerNormalization) to vectors and sequences alike. */
    @Override
    protected boolean weightsFit(List<int[]> built, List<int[]> given) { return Layers.sameLastAxis(built, given); }

    @Override
    protected void createParams(List<int[]> in) {
        int[] x = in.get(0);
        kernel = addParam("kernel", x[x.length - 1], units);
        bias = useBias ? addParam("bias", units) : null;
    }

    @Override
    protected void initParams(SplittableRandom rng) {
        if (!initialValuesNeeded()) return;
        kernel.set(Tensor.wrap(inits.draw("kernel", kernel.shape(), rng), kernel.shape()));
        if (bias != null) bias.set(Tensor.wrap(inits.draw("bias", bias.shape(), rng), bias.shape()));
    }

    @Override
    public Trace forward(List<DTensor> inputs, DTensor mask, boolean training) {
        DTensor x = Layers.lastAxisInput(this, inputs);
        Backend be = backend();
        int in = x.dim(-1);
        int rows = (int) (x.size() / in);
        int[] outShape = x.shape();
        outShape[outShape.length - 1] = units;
        DTensor y = DTensor.zeros(be, outShape);
        DTensor pre = y;   // what backward takes the derivative from: y, or x·W + b for gelu, swish, mish...
        try {
            if (activation.needsInput()) pre = DTensor.zeros(be, outShape);
            be.gemm(false, false, rows, units, in, 1f, x.buf(), 0, in, kernel.value(), kernel.offset(), units, 0f, pre.buf(), 0, units);
            if (bias != null) be.addRowVector(rows, units, bias.value(), bias.offset(), pre.buf(), 0);
            if (activation != Activation.LINEAR) be.activate(activation, (long) rows * units, units, pre.buf(), 0, y.buf(), 0);
        } catch (RuntimeException | Error e) {
            if (pre != y) pre.close();
            y.close();
            throw e;
        }
        return new DenseTrace(be, x, y, pre, mask, rows, in);
    }

    private final class DenseTrace implements Trace {
        final Backend be;
        final DTensor x, y, pre, mask;
        final int rows, in;
        final List<DTensor> owned = new ArrayList<>();

        DenseTrace(Backend be, DTensor x, DTensor y, DTensor pre, DTensor mask, int rows, int in) {
            this.be = be;
            this.x = x;
            this.y = y;
            this.pre = pre;
            this.mask = mask;
            this.rows = rows;
            this.in = in;
            owned.add(y);
            if (pre != y) owned.add(pre);
        }

        @Override
        public List<DTensor> outputs() { return List.of(y); }

        @Override
        public DTensor outputMask() { return mask; }

        @Override
        public List<DTensor> backward(List<DTensor> dOut) {
            DTensor dy = Layers.gradient(Dense.this, dOut, List.of(y));
            DTensor dx = DTensor.zeros(be, x.shape());
            owned.add(dx);
            if (dy == null) return Arrays.asList(dx);
            long n = (long) rows * units;
            Buf dz = dy.buf();
            Buf tmp = null;
            try {
                if (activation != Activation.LINEAR) {
                    tmp = be.alloc(n);
                    be.activateBackward(activation, n, units, pre.buf(), 0, dy.buf(), 0, tmp, 0);
                    dz = tmp;
                }
                if (trainable()) {
                    be.gemm(true, false, in, units, rows, 1f, x.buf(), 0, in, dz, 0, units, 1f, kernel.grad(), kernel.offset(), units);
                    if (bias != null) be.sumRows(rows, units, dz, 0, bias.grad(), bias.offset(), true);
                }
                be.gemm(false, true, rows, in, units, 1f, dz, 0, units, kernel.value(), kernel.offset(), units, 0f, dx.buf(), 0, in);
            } finally {
                if (tmp != null) tmp.close();
            }
            return Arrays.asList(dx);
        }

        @Override
        public void close() {
            for (DTensor d : owned) d.close();
            owned.clear();
        }
    }

    @Override
    public Dense name(String n) { super.name(n); return this; }

    @Override
    public Dense dtype(String policy) { super.dtype(policy); return this; }

    @Override
    public Dense seed(long s) { super.seed(s); return this; }

    @Override
    public Dense inputShape(int... shape) { super.inputShape(shape); return this; }

    @Override
    public Dense batchInputShape(int batch, int... shape) { super.batchInputShape(batch, shape); return this; }

    @Override
    public Dense inputLength(int n) { super.inputLength(n); return this; }

    @Override
    public Dense inputDim(int d) { super.inputDim(d); return this; }

    @Override
    public Dense trainable(boolean t) { super.trainable(t); return this; }

    /** Keras 3's {@code supports_masking} is true here: a mask passes on where the steps stay. */
    @Override
    public boolean passesMask() { return true; }
}
