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
import java.util.Locale;
import java.util.SplittableRandom;

/**
 * Keras Conv1D over the time axis of (batch, timesteps, channels) input (channels_last): {@code filters} kernels of
 * {@code kernelSize} steps, {@code y[t] = act(bias + sum_j x[t * strides + j * dilationRate - padLeft] · kernel[j])}.
 * Weights as Keras lays them out: kernel [kernelSize, channels, filters], bias [filters]. Padding "valid" (none),
 * "same" (output length ceil(T / strides), the padding split as TensorFlow splits it, the extra step on the right) or
 * "causal" ({@code (kernelSize - 1) * dilationRate} zeros on the left, so step t sees no later step). As in Keras 3,
 * a mask arriving here is not passed on (Keras warns that the layer destroys it).
 *
 * <pre>{@code
 * Sequential m = new Sequential(new Conv1D(32, 3).padding("causal").activation("relu").inputShape(100, 8),
 *         new LSTM(16), new Dense(1));                      // a CNN-LSTM, as in Keras
 * }</pre>
 */
public class Conv1D extends Layer {
    private final int filters;
    private final int kernelSize;
    private int strides = 1;
    private int dilation = 1;
    private String padding = "valid";
    private Activation activation = Activation.LINEAR;
    private boolean useBias = true;
    private Param kernel;
    private Param bias;
    private final WeightInitializers inits = new WeightInitializers(this)
            .with("kernel", "kernelInitializer", 3, Initializer.glorotUniform()).with("bias", "biasInitializer", 1, Initializer.zeros());

    /** {@code filters} output channels, each a kernel of {@code kernelSize} steps (Keras' Conv1D(filters, kernel_size)). */
    public Conv1D(int filters, int kernelSize) {
        if (filters <= 0) throw new IllegalArgumentException("Conv1D: filters must be positive, got " + filters);
        if (kernelSize <= 0) throw new IllegalArgumentException("Conv1D: kernelSize must be positive, got " + kernelSize);
        this.filters = filters;
        this.kernelSize = kernelSize;
    }

    @Override
    public String kerasClass() { return "Conv1D"; }

    /** Keras' {@code filters}: the output channels. */
    public int filters() { return filters; }

    /** Keras' {@code kernel_size}: the steps one kernel covers (before dilation). */
    public int kernelSize() { return kernelSize; }

    /** Keras' {@code strides}; default 1. */
    public int strides() { return strides; }

    /** The step between outputs (Keras strides; default 1). Keras refuses strides above 1 with a dilation above 1. */
    public Conv1D strides(int s) {
        requireUnbuilt("strides");
        if (s <= 0) throw new IllegalArgumentException(name() + ": strides must be positive, got " + s);
        if (s > 1 && dilation > 1) throw stridesAndDilation(s, dilation);
        this.strides = s;
        return this;
    }

    /** Keras' {@code dilation_rate}; default 1. */
    public int dilationRate() { return dilation; }

    /** The step between a kernel's taps (Keras dilation_rate; default 1). */
    public Conv1D dilationRate(int d) {
        requireUnbuilt("dilationRate");
        if (d <= 0) throw new IllegalArgumentException(name() + ": dilationRate must be positive, got " + d);
        if (d > 1 && strides > 1) throw stridesAndDilation(strides, d);
        long span = (long) (kernelSize - 1) * d + 1;   // the steps one kernel covers, an int for the windows
        if (span > Integer.MAX_VALUE) {
            throw new IllegalArgumentException(name() + ": kernelSize " + kernelSize + " with dilationRate " + d + " covers " + span
                    + " steps, more than " + Integer.MAX_VALUE);
        }
        this.dilation = d;
        return this;
    }

    private IllegalArgumentException stridesAndDilation(int s, int d) {
        return new IllegalArgumentException(name() + ": strides > 1 is not supported with dilationRate > 1 (as in Keras), got strides "
                + s + " and dilationRate " + d);
    }

    /** Keras' {@code padding}: "valid" (default), "same" or "causal", lower case. */
    public String padding() { return padding; }

    /** "valid" (default), "same" or "causal" (case-insensitive, as Keras). */
    public Conv1D padding(String p) {
        requireUnbuilt("padding");
        String v = p == null ? null : p.toLowerCase(Locale.ROOT);
        if (!"valid".equals(v) && !"same".equals(v) && !"causal".equals(v)) {
            throw new IllegalArgumentException(name() + ": padding must be \"valid\", \"same\" or \"causal\", got " + (p == null ? "null" : "\"" + p + "\""));
        }
        this.padding = v;
        return this;
    }

    /** Keras' {@code activation} name; default "linear". */
    public String activation() { return activation.kerasName(); }

    /**
     * Keras' {@code kernel_initializer} (default glorot_uniform), drawn at the build: set it before. The kernel
     * [kernelSize, channels, filters] has Keras' fans kernelSize * channels in and kernelSize * filters out.
     */
    public Conv1D kernelInitializer(Initializer i) { inits.set("kernel", i); return this; }

    /** Keras' {@code kernel_initializer} by Keras' name ({@link Initializer#of}). */
    public Conv1D kernelInitializer(String name) { return kernelInitializer(inits.named("kernel", name)); }

    /** Keras' {@code kernel_initializer}; default glorot_uniform. */
    public Initializer kernelInitializer() { return inits.get("kernel"); }

    /** Keras' {@code bias_initializer} (default zeros), drawn at the build: set it before. */
    public Conv1D biasInitializer(Initializer i) { inits.set("bias", i); return this; }

    /** Keras' {@code bias_initializer} by Keras' name ({@link Initializer#of}). */
    public Conv1D biasInitializer(String name) { return biasInitializer(inits.named("bias", name)); }

    /** Keras' {@code bias_initializer}; default zeros. */
    public Initializer biasInitializer() { return inits.get("bias"); }

    /**
     * Keras' {@code kernel_regularizer}: its penalty on the kernel [kernelSize, channels, filters] joins the loss
     * (null: none).
     */
    public Conv1D kernelRegularizer(Regularizer r) { weightRules().regularizer("kernel", r); return this; }

    /** Keras' {@code bias_regularizer} (null: none; no penalty without a bias). */
    public Conv1D biasRegularizer(Regularizer r) { weightRules().regularizer("bias", r); return this; }

    /** Keras' {@code kernel_constraint}, after each update (null: none); Keras' axis 0 is the kernel's taps. */
    public Conv1D kernelConstraint(Constraint c) { weightRules().constraint("kernel", c); return this; }

    /** Keras' {@code bias_constraint} (null: none). */
    public Conv1D biasConstraint(Constraint c) { weightRules().constraint("bias", c); return this; }

    /** Keras' {@code activity_regularizer}: a penalty on the output (divided by the batch size) joins the loss (null: none). */
    public Conv1D activityRegularizer(Regularizer r) { weightRules().activity(r); return this; }

    /** Keras' activation name ("linear" by default; every name {@link Activation#of} takes). */
    public Conv1D activation(String a) {
        this.activation = Activation.of(a);
        return this;
    }

    /** Keras' {@code use_bias}; default true. */
    public boolean useBias() { return useBias; }

    /** Keras' {@code use_bias}: whether the layer has a bias [filters]; default true. Set it before the build. */
    public Conv1D useBias(boolean b) {
        requireUnbuilt("useBias");
        this.useBias = b;
        return this;
    }

    /** The kernel param [kernelSize, channels, filters] (null before build). */
    public Param kernel() { return kernel; }

    /** The bias param [filters] (null before build or without bias). */
    public Param bias() { return bias; }

    private void requireUnbuilt(String what) {
        if (isBuilt()) throw new IllegalStateException(name() + ": cannot change " + what + " after the layer is built");
    }

    /** The steps one kernel covers: (k-1)·d + 1. */
    private int span() { return (kernelSize - 1) * dilation + 1; }

    private int outLength(int t) { return Windows1D.outLength(t, span(), strides, padding); }

    @Override
    public List<int[]> computeOutputShapes(List<int[]> in) {
        Layers.singleShape(this, in);
        int[] x = in.get(0);
        if (x.length != 2) throw new IllegalArgumentException(name() + ": expected input (batch, timesteps, channels), got " + Layers.withBatch(x));
        if (x[1] <= 0) throw new IllegalArgumentException(name() + ": the channels (last input dimension) must be known and positive, got " + Layers.withBatch(x));
        int t = x[0] > 0 ? outLength(x[0]) : x[0];
        if (x[0] > 0 && t <= 0) throw tooShort(x[0]);
        return List.of(new int[] {t, filters});
    }

    private IllegalArgumentException tooShort(int t) {
        return new IllegalArgumentException(name() + ": " + t + " timesteps are fewer than the kernel covers (" + span()
                + " with kernelSize " + kernelSize + " and dilationRate " + dilation + ") with padding \"valid\"");
    }

    /** The same channels at any length: the kernel does not depend on the timesteps. */
    @Override
    protected boolean weightsFit(List<int[]> built, List<int[]> given) { return Layers.sameLastAxis(built, given); }

    @Override
    protected void createParams(List<int[]> in) {
        int c = in.get(0)[1];
        kernel = addParam("kernel", kernelSize, c, filters);
        bias = useBias ? addParam("bias", filters) : null;
    }

    @Override
    protected void initParams(SplittableRandom rng) {
        if (!initialValuesNeeded()) return;
        kernel.set(Tensor.wrap(inits.draw("kernel", kernel.shape(), rng), kernel.shape()));
        if (bias != null) bias.set(Tensor.wrap(inits.draw("bias", bias.shape(), rng), bias.shape()));
    }

    @Override
    public Trace forward(List<DTensor> inputs, DTensor mask, boolean training) {
        DTensor x = Layers.single(this, inputs);
        if (x.rank() != 3) throw new IllegalArgumentException(name() + ": expected input (batch, timesteps, channels), got " + Tensor.shapeString(x.shape()));
        build(Layers.perSample(inputs));
        Backend be = backend();
        Layers.sameBackend(this, be, inputs);
        if (outLength(x.dim(1)) <= 0) throw tooShort(x.dim(1));
        Windows1D g = new Windows1D(name(), x.dim(0), x.dim(1), x.dim(2), span(), strides, padding);
        List<DTensor> owned = new ArrayList<>();
        try {
            DTensor xp = g.padded(be, x, 0f, owned);
            // one product per tap over every row at once: output row r of tap j reads padded row r·s + j·d; rows
            // past a sample's outputs mix samples and are dropped by the copy below
            DTensor full = DTensor.zeros(be, g.b * g.q, filters);
            owned.add(full);
            for (int j = 0; j < kernelSize; j++) {
                int m = g.rows(j * dilation);
                if (m > 0) {
                    be.gemm(false, false, m, filters, g.c, 1f, xp.buf(), (long) j * dilation * g.c, strides * g.c,
                            kernel.value(), kernel.offset() + (long) j * g.c * filters, filters, 1f, full.buf(), 0, filters);
                }
            }
            DTensor pre = g.valid(be, full.buf(), filters, owned);
            long n = (long) g.b * g.out * filters;
            if (bias != null) be.addRowVector(g.b * g.out, filters, bias.value(), bias.offset(), pre.buf(), 0);
            DTensor y = pre;
            if (activation != Activation.LINEAR) {
                y = DTensor.zeros(be, g.b, g.out, filters);
                owned.add(y);
                be.activate(activation, n, filters, pre.buf(), 0, y.buf(), 0);
            }
            DTensor out = y;
            Buf back = activation.needsInput() ? pre.buf() : y.buf();
            return Layers.trace(this, y, null, owned, dy -> List.of(backward(be, g, x, xp, out, back, dy, owned)));
        } catch (RuntimeException | Error e) {
            for (DTensor d : owned) d.close();
            throw e;
        }
    }

    /** dx for {@code dy} (null: no gradient reaches the output), adding to the kernel's and bias' gradients. */
    private DTensor backward(Backend be, Windows1D g, DTensor x, DTensor xp, DTensor y, Buf act, DTensor dy, List<DTensor> owned) {
        if (dy == null || g.b == 0 || g.out == 0) {
            DTensor dx = DTensor.zeros(be, x.shape());
            owned.add(dx);
            return dx;
        }
        long n = (long) g.b * g.out * filters;
        DTensor dz = dy;
        if (activation != Activation.LINEAR) {
            dz = DTensor.zeros(be, y.shape());
            owned.add(dz);
            be.activateBackward(activation, n, filters, act, 0, dy.buf(), 0, dz.buf(), 0);
        }
        DTensor dFull = g.full(be, dz, filters, owned);   // the rows the forward dropped get zeros
        DTensor dxp = DTensor.zeros(be, g.b, g.tp, g.c);
        owned.add(dxp);
        for (int j = 0; j < kernelSize; j++) {
            int m = g.rows(j * dilation);
            if (m == 0) continue;
            long xo = (long) j * dilation * g.c, ko = kernel.offset() + (long) j * g.c * filters;
            if (trainable()) {
                be.gemm(true, false, g.c, filters, m, 1f, xp.buf(), xo, strides * g.c, dFull.buf(), 0, filters, 1f, kernel.grad(), ko, filters);
            }
            be.gemm(false, true, m, g.c, filters, 1f, dFull.buf(), 0, filters, kernel.value(), ko, filters, 1f, dxp.buf(), xo, strides * g.c);
        }
        if (trainable() && bias != null) be.sumRows(g.b * g.out, filters, dz.buf(), 0, bias.grad(), bias.offset(), true);
        return g.unpad(be, dxp, owned);
    }

    /** Keras 3's Conv1D does not support masking: a mask ends here even where "same" or "causal" keeps the steps. */
    @Override
    public boolean passesMask() { return false; }

    /** Under TimeDistributed a mask of inner steps ends here too (a step kept where any of its inner steps is). */
    @Override
    boolean keepsInnerMask() { return false; }

    @Override
    public Conv1D name(String n) { super.name(n); return this; }

    @Override
    public Conv1D dtype(String policy) { super.dtype(policy); return this; }

    @Override
    public Conv1D seed(long s) { super.seed(s); return this; }

    @Override
    public Conv1D inputShape(int... shape) { super.inputShape(shape); return this; }

    @Override
    public Conv1D batchInputShape(int batch, int... shape) { super.batchInputShape(batch, shape); return this; }

    @Override
    public Conv1D inputLength(int n) { super.inputLength(n); return this; }

    @Override
    public Conv1D inputDim(int d) { super.inputDim(d); return this; }

    @Override
    public Conv1D trainable(boolean t) { super.trainable(t); return this; }
}
