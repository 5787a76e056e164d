package dev.jrnn.layers;

/**
 * Keras GRU with gates in the order z, r, h. With {@code reset_after = true} (the default of tf.keras 2 and
 * Keras 3, cuDNN's variant): {@code z = recAct(x·Wz + bz + h·Uz + rz)}, {@code r = recAct(x·Wr + br + h·Ur + rr)},
 * {@code hh = act(x·Wh + bh + r * (h·Uh + rh))}, {@code h_t = z * h_{t-1} + (1 - z) * hh}; weights kernel
 * [I, 3H], recurrent_kernel [H, 3H], bias [2, 3H] (row 0 input bias, row 1 recurrent bias),
 * {@code 3H * (I + H + 2)} params. With {@link #resetAfter(boolean) resetAfter(false)} (Keras 2.2 and older's
 * default): {@code z, r = recAct(x·W + b + h·U)}, {@code hh = act(x·Wh + bh + (r * h)·Uh)}, bias [3H],
 * {@code 3H * (I + H + 1)} params.
 *
 * <pre>{@code
 * GRU gru = new GRU(3).returnSequences(true);
 * Tensor y = gru.call(Tensor.zeros(4, 5, 2));   // (4, 5, 3); gru.countParams() == 63
 * GRU keras2 = new GRU(3).resetAfter(false);    // countParams() == 54 on 2 features
 * }</pre>
 */
public class GRU extends RecurrentLayer {
    private final GRUCell gruCell;

    /** Keras' {@code GRU(units)}: a state h of {@code units} (positive), Keras 3's defaults for the rest (resetAfter true). */
    public GRU(int units) {
        this(units, new GRUCell());
    }

    private GRU(int units, GRUCell cell) {
        super(units, cell);
        this.gruCell = cell;
    }

    @Override
    public String layerClass() { return "GRU"; }

    /** Keras' {@code recurrent_activation} name; default "sigmoid". */
    public String recurrentActivation() { return gruCell.recurrentActivation.kerasName(); }

    /**
     * Activation of the z and r gates (Keras default "sigmoid"); "hard_sigmoid" is Keras 3's x/6 + 1/2,
     * "hard_sigmoid_keras2" Keras 2's 0.2x + 1/2 (what a Keras 2 file's "hard_sigmoid" loads as).
     */
    public GRU recurrentActivation(String a) {
        requireUnwrapped("recurrentActivation");
        gruCell.recurrentActivation = elementwise(a, "recurrentActivation");
        return this;
    }

    /** Keras' {@code reset_after}: true (default) applies the reset gate after the recurrent product. */
    public boolean resetAfter() { return gruCell.resetAfter; }

    /**
     * Keras' {@code reset_after} (default true): false applies the reset gate to h before its product with U's
     * candidate columns and has one bias row ([3H]), as Keras 2.2 and older saved GRUs. Set before the layer is built.
     * On CUDA such a layer runs the per-step path (the persistent whole-sequence kernels are reset_after only).
     */
    public GRU resetAfter(boolean b) {
        requireUnwrapped("resetAfter");
        requireUnbuilt("resetAfter");
        requireSupported(b, recurrentDropout());
        gruCell.resetAfter = b;
        return this;
    }

    /** A recurrent dropout on a reset-before GRU would mask h inside the candidate's (r * h)·Uh: not built yet. */
    private void requireSupported(boolean resetAfter, double recurrentDropout) {
        if (!resetAfter && recurrentDropout > 0) {
            throw new IllegalArgumentException(name() + ": recurrentDropout " + recurrentDropout + " with resetAfter(false) is not "
                    + "supported (Keras' reset_after=False with recurrent_dropout); use resetAfter(true) or recurrentDropout(0)");
        }
    }

    @Override
    protected RecurrentLayer newInstance() { return copyConfig(new GRU(units, (GRUCell) gruCell.copy())); }

    @Override
    public GRU name(String n) { super.name(n); return this; }

    @Override
    public GRU dtype(String policy) { super.dtype(policy); return this; }

    @Override
    public GRU seed(long s) { super.seed(s); return this; }

    @Override
    public GRU inputShape(int... shape) { super.inputShape(shape); return this; }

    @Override
    public GRU batchInputShape(int batch, int... shape) { super.batchInputShape(batch, shape); return this; }

    @Override
    public GRU inputLength(int n) { super.inputLength(n); return this; }

    @Override
    public GRU inputDim(int d) { super.inputDim(d); return this; }

    @Override
    public GRU trainable(boolean t) { super.trainable(t); return this; }

    @Override
    public GRU activation(String a) { super.activation(a); return this; }

    @Override
    public GRU useBias(boolean b) { super.useBias(b); return this; }

    @Override
    public GRU returnSequences(boolean b) { super.returnSequences(b); return this; }

    @Override
    public GRU returnState(boolean b) { super.returnState(b); return this; }

    @Override
    public GRU goBackwards(boolean b) { super.goBackwards(b); return this; }

    @Override
    public GRU unroll(boolean b) { super.unroll(b); return this; }

    @Override
    public GRU zeroOutputForMask(boolean b) { super.zeroOutputForMask(b); return this; }

    @Override
    public GRU asKerasRnn(boolean b) { super.asKerasRnn(b); return this; }

    @Override
    public GRU cellName(String n) { super.cellName(n); return this; }

    @Override
    public GRU tbptt(int k) { super.tbptt(k); return this; }

    @Override
    public GRU dropout(double rate) { super.dropout(rate); return this; }

    @Override
    public GRU recurrentDropout(double rate) {
        requireSupported(resetAfter(), rate);
        super.recurrentDropout(rate);
        return this;
    }

    @Override
    public GRU maskStream(long seed, long drawn) { super.maskStream(seed, drawn); return this; }

    @Override
    public GRU stateful(boolean b) { super.stateful(b); return this; }

    @Override
    public GRU kernelRegularizer(dev.jrnn.regularizers.Regularizer x) { super.kernelRegularizer(x); return this; }

    @Override
    public GRU recurrentRegularizer(dev.jrnn.regularizers.Regularizer x) { super.recurrentRegularizer(x); return this; }

    @Override
    public GRU biasRegularizer(dev.jrnn.regularizers.Regularizer x) { super.biasRegularizer(x); return this; }

    @Override
    public GRU activityRegularizer(dev.jrnn.regularizers.Regularizer x) { super.activityRegularizer(x); return this; }

    @Override
    public GRU kernelConstraint(dev.jrnn.regularizers.Constraint x) { super.kernelConstraint(x); return this; }

    @Override
    public GRU recurrentConstraint(dev.jrnn.regularizers.Constraint x) { super.recurrentConstraint(x); return this; }

    @Override
    public GRU biasConstraint(dev.jrnn.regularizers.Constraint x) { super.biasConstraint(x); return this; }

    @Override
    public GRU kernelInitializer(dev.jrnn.initializers.Initializer x) { super.kernelInitializer(x); return this; }

    @Override
    public GRU kernelInitializer(String x) { super.kernelInitializer(x); return this; }

    @Override
    public GRU recurrentInitializer(dev.jrnn.initializers.Initializer x) { super.recurrentInitializer(x); return this; }

    @Override
    public GRU recurrentInitializer(String x) { super.recurrentInitializer(x); return this; }

    @Override
    public GRU biasInitializer(dev.jrnn.initializers.Initializer x) { super.biasInitializer(x); return this; }

    @Override
    public GRU biasInitializer(String x) { super.biasInitializer(x); return this; }
}
