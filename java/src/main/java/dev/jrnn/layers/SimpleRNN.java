package dev.jrnn.layers;

/**
 * Keras SimpleRNN: {@code h_t = act(x_t · kernel + h_{t-1} · recurrent_kernel + bias)}.
 * Weights: kernel [I, H], recurrent_kernel [H, H], bias [H]; {@code H * (I + H + 1)} params.
 *
 * <pre>{@code
 * SimpleRNN rnn = new SimpleRNN(3).activation("relu").returnSequences(true);
 * Tensor y = rnn.call(Tensor.zeros(2, 10, 2));   // (2, 10, 3); rnn.countParams() == 18
 * }</pre>
 */
public class SimpleRNN extends RecurrentLayer {

    /** Keras' {@code SimpleRNN(units)}: a state h of {@code units} (positive), Keras' defaults for the rest. */
    public SimpleRNN(int units) {
        this(units, new SimpleRNNCell());
    }

    private SimpleRNN(int units, SimpleRNNCell cell) {
        super(units, cell);
    }

    @Override
    public String layerClass() { return "SimpleRNN"; }

    @Override
    protected RecurrentLayer newInstance() { return copyConfig(new SimpleRNN(units, (SimpleRNNCell) cell.copy())); }

    @Override
    public SimpleRNN name(String n) { super.name(n); return this; }

    @Override
    public SimpleRNN dtype(String policy) { super.dtype(policy); return this; }

    @Override
    public SimpleRNN seed(long s) { super.seed(s); return this; }

    @Override
    public SimpleRNN inputShape(int... shape) { super.inputShape(shape); return this; }

    @Override
    public SimpleRNN batchInputShape(int batch, int... shape) { super.batchInputShape(batch, shape); return this; }

    @Override
    public SimpleRNN inputLength(int n) { super.inputLength(n); return this; }

    @Override
    public SimpleRNN inputDim(int d) { super.inputDim(d); return this; }

    @Override
    public SimpleRNN trainable(boolean t) { super.trainable(t); return this; }

    @Override
    public SimpleRNN activation(String a) { super.activation(a); return this; }

    @Override
    public SimpleRNN useBias(boolean b) { super.useBias(b); return this; }

    @Override
    public SimpleRNN returnSequences(boolean b) { super.returnSequences(b); return this; }

    @Override
    public SimpleRNN returnState(boolean b) { super.returnState(b); return this; }

    @Override
    public SimpleRNN goBackwards(boolean b) { super.goBackwards(b); return this; }

    @Override
    public SimpleRNN unroll(boolean b) { super.unroll(b); return this; }

    @Override
    public SimpleRNN zeroOutputForMask(boolean b) { super.zeroOutputForMask(b); return this; }

    @Override
    public SimpleRNN asKerasRnn(boolean b) { super.asKerasRnn(b); return this; }

    @Override
    public SimpleRNN cellName(String n) { super.cellName(n); return this; }

    @Override
    public SimpleRNN tbptt(int k) { super.tbptt(k); return this; }

    @Override
    public SimpleRNN dropout(double rate) { super.dropout(rate); return this; }

    @Override
    public SimpleRNN recurrentDropout(double rate) { super.recurrentDropout(rate); return this; }

    @Override
    public SimpleRNN maskStream(long seed, long drawn) { super.maskStream(seed, drawn); return this; }

    @Override
    public SimpleRNN stateful(boolean b) { super.stateful(b); return this; }

    @Override
    public SimpleRNN kernelRegularizer(dev.jrnn.regularizers.Regularizer x) { super.kernelRegularizer(x); return this; }

    @Override
    public SimpleRNN recurrentRegularizer(dev.jrnn.regularizers.Regularizer x) { super.recurrentRegularizer(x); return this; }

    @Override
    public SimpleRNN biasRegularizer(dev.jrnn.regularizers.Regularizer x) { super.biasRegularizer(x); return this; }

    @Override
    public SimpleRNN activityRegularizer(dev.jrnn.regularizers.Regularizer x) { super.activityRegularizer(x); return this; }

    @Override
    public SimpleRNN kernelConstraint(dev.jrnn.regularizers.Constraint x) { super.kernelConstraint(x); return this; }

    @Override
    public SimpleRNN recurrentConstraint(dev.jrnn.regularizers.Constraint x) { super.recurrentConstraint(x); return this; }

    @Override
    public SimpleRNN biasConstraint(dev.jrnn.regularizers.Constraint x) { super.biasConstraint(x); return this; }

    @Override
    public SimpleRNN kernelInitializer(dev.jrnn.initializers.Initializer x) { super.kernelInitializer(x); return this; }

    @Override
    public SimpleRNN kernelInitializer(String x) { super.kernelInitializer(x); return this; }

    @Override
    public SimpleRNN recurrentInitializer(dev.jrnn.initializers.Initializer x) { super.recurrentInitializer(x); return this; }

    @Override
    public SimpleRNN recurrentInitializer(String x) { super.recurrentInitializer(x); return this; }

    @Override
    public SimpleRNN biasInitializer(dev.jrnn.initializers.Initializer x) { super.biasInitializer(x); return this; }

    @Override
    public SimpleRNN biasInitializer(String x) { super.biasInitializer(x); return this; }
}
