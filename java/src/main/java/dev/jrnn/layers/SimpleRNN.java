package dev.jrnn.layers;

import dev.jrnn.backend.Buf;

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

    public SimpleRNN(int units) {
        super(units);
    }

    @Override
    public String kerasClass() { return "SimpleRNN"; }

    @Override
    protected int gateBlocks() { return 1; }

    @Override
    public int stateCount() { return 1; }

    @Override
    protected RecurrentLayer newInstance() { return copyConfig(new SimpleRNN(units)); }

    @Override
    dev.jrnn.backend.RecurrentCell cell() { return dev.jrnn.backend.RecurrentCell.SIMPLE_RNN; }

    @Override
    void stepForward(Run r, int s) {
        if (s > 0 || r.hasInitial) {
            r.be.gemm(false, false, r.B, r.G, r.H, 1f, r.hs, r.bh(s), r.H,
                    recurrentKernel.value(), recurrentKernel.offset(), r.G, 1f, r.p, r.bg(s), r.G);
        }
        r.be.rnnStepForward(activation, r.B, r.H, r.p, r.bg(s), r.hs, r.bh(s),
                r.maskT, (long) s * r.B, r.hs, r.bh(s + 1));
    }

    @Override
    void stepBackward(Run r, int s, Buf dy, long dyOff) {
        r.be.rnnStepBackward(activation, r.B, r.H, r.hs, r.bh(s + 1), r.dhN, 0, dy, dyOff,
                r.maskT, (long) s * r.B, r.dG, r.bg(s), r.dhP, 0);
        if (s > 0 || r.hasInitial) {
            r.be.gemm(false, true, r.B, r.H, r.G, 1f, r.dG, r.bg(s), r.G,
                    recurrentKernel.value(), recurrentKernel.offset(), r.G, 1f, r.dhP, 0, r.H);
        }
    }

    @Override
    public SimpleRNN name(String n) { super.name(n); return this; }

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
    public SimpleRNN tbptt(int k) { super.tbptt(k); return this; }
}
