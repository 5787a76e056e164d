package dev.jrnn.layers;

/**
 * Keras LSTM with gates packed in the order i, f, c, o: {@code i, f, o = recAct(.)}, {@code g = act(.)},
 * {@code c_t = f * c_{t-1} + i * g}, {@code h_t = o * act(c_t)}.
 * Weights: kernel [I, 4H], recurrent_kernel [H, 4H], bias [4H]; {@code 4H * (I + H + 1)} params.
 * States: h and c (initial states input as [x, h0, c0]; returnState outputs [y, h, c]).
 *
 * <pre>{@code
 * LSTM lstm = new LSTM(50).inputShape(3, 1);
 * Tensor y = lstm.call(Tensor.zeros(8, 3, 1));   // (8, 50); lstm.countParams() == 10400
 * }</pre>
 */
public class LSTM extends RecurrentLayer {
    private final LSTMCell lstmCell;

    /** Keras' {@code LSTM(units)}: a state h and c of {@code units} (positive), Keras' defaults for the rest. */
    public LSTM(int units) {
        this(units, new LSTMCell());
    }

    private LSTM(int units, LSTMCell cell) {
        super(units, cell);
        this.lstmCell = cell;
    }

    @Override
    public String layerClass() { return "LSTM"; }

    /** Keras' {@code recurrent_activation} name; default "sigmoid". */
    public String recurrentActivation() { return lstmCell.recurrentActivation.kerasName(); }

    /**
     * Activation of the i, f, o gates (Keras default "sigmoid"); "hard_sigmoid" is Keras 3's x/6 + 1/2,
     * "hard_sigmoid_keras2" Keras 2's 0.2x + 1/2 (what a Keras 2 file's "hard_sigmoid" loads as).
     * <pre>{@code
     * LSTM l = new LSTM(8).recurrentActivation("hard_sigmoid");   // l.recurrentActivation() is "hard_sigmoid"
     * }</pre>
     */
    public LSTM recurrentActivation(String a) {
        requireUnwrapped("recurrentActivation");
        lstmCell.recurrentActivation = elementwise(a, "recurrentActivation");
        return this;
    }

    /** Keras' {@code unit_forget_bias}; default true. */
    public boolean unitForgetBias() { return lstmCell.unitForgetBias; }

    /** Keras unit_forget_bias: initialise the forget-gate bias to 1 (default true). */
    public LSTM unitForgetBias(boolean b) {
        requireUnwrapped("unitForgetBias");
        requireUnbuilt("unitForgetBias");
        lstmCell.unitForgetBias = b;
        return this;
    }

    @Override
    protected RecurrentLayer newInstance() { return copyConfig(new LSTM(units, lstmCell.copy())); }

    @Override
    public LSTM name(String n) { super.name(n); return this; }

    @Override
    public LSTM dtype(String policy) { super.dtype(policy); return this; }

    @Override
    public LSTM seed(long s) { super.seed(s); return this; }

    @Override
    public LSTM inputShape(int... shape) { super.inputShape(shape); return this; }

    @Override
    public LSTM batchInputShape(int batch, int... shape) { super.batchInputShape(batch, shape); return this; }

    @Override
    public LSTM inputLength(int n) { super.inputLength(n); return this; }

    @Override
    public LSTM inputDim(int d) { super.inputDim(d); return this; }

    @Override
    public LSTM trainable(boolean t) { super.trainable(t); return this; }

    @Override
    public LSTM activation(String a) { super.activation(a); return this; }

    @Override
    public LSTM useBias(boolean b) { super.useBias(b); return this; }

    @Override
    public LSTM returnSequences(boolean b) { super.returnSequences(b); return this; }

    @Override
    public LSTM returnState(boolean b) { super.returnState(b); return this; }

    @Override
    public LSTM goBackwards(boolean b) { super.goBackwards(b); return this; }

    @Override
    public LSTM unroll(boolean b) { super.unroll(b); return this; }

    @Override
    public LSTM zeroOutputForMask(boolean b) { super.zeroOutputForMask(b); return this; }

    @Override
    public LSTM asKerasRnn(boolean b) { super.asKerasRnn(b); return this; }

    @Override
    public LSTM cellName(String n) { super.cellName(n); return this; }

    @Override
    public LSTM tbptt(int k) { super.tbptt(k); return this; }

    @Override
    public LSTM dropout(double rate) { super.dropout(rate); return this; }

    @Override
    public LSTM recurrentDropout(double rate) { super.recurrentDropout(rate); return this; }

    @Override
    public LSTM maskStream(long seed, long drawn) { super.maskStream(seed, drawn); return this; }

    @Override
    public LSTM stateful(boolean b) { super.stateful(b); return this; }

    @Override
    public LSTM kernelRegularizer(dev.jrnn.regularizers.Regularizer x) { super.kernelRegularizer(x); return this; }

    @Override
    public LSTM recurrentRegularizer(dev.jrnn.regularizers.Regularizer x) { super.recurrentRegularizer(x); return this; }

    @Override
    public LSTM biasRegularizer(dev.jrnn.regularizers.Regularizer x) { super.biasRegularizer(x); return this; }

    @Override
    public LSTM activityRegularizer(dev.jrnn.regularizers.Regularizer x) { super.activityRegularizer(x); return this; }

    @Override
    public LSTM kernelConstraint(dev.jrnn.regularizers.Constraint x) { super.kernelConstraint(x); return this; }

    @Override
    public LSTM recurrentConstraint(dev.jrnn.regularizers.Constraint x) { super.recurrentConstraint(x); return this; }

    @Override
    public LSTM biasConstraint(dev.jrnn.regularizers.Constraint x) { super.biasConstraint(x); return this; }

    @Override
    public LSTM kernelInitializer(dev.jrnn.initializers.Initializer x) { super.kernelInitializer(x); return this; }

    @Override
    public LSTM kernelInitializer(String x) { super.kernelInitializer(x); return this; }

    @Override
    public LSTM recurrentInitializer(dev.jrnn.initializers.Initializer x) { super.recurrentInitializer(x); return this; }

    @Override
    public LSTM recurrentInitializer(String x) { super.recurrentInitializer(x); return this; }

    @Override
    public LSTM biasInitializer(dev.jrnn.initializers.Initializer x) { super.biasInitializer(x); return this; }

    @Override
    public LSTM biasInitializer(String x) { super.biasInitializer(x); return this; }
}
