package dev.jrnn.layers;

import dev.jrnn.backend.Activation;
import dev.jrnn.backend.Buf;

/**
 * Keras LSTM with gates packed in the order i, f, c, o: {@code i, f, o = recAct(.)}, {@code g = act(.)},
 * {@code c_t = f * c_{t-1} + i * g}, {@code h_t = o * act(c_t)}.
 * Weights: kernel [I, 4H], recurrent_kernel [H, 4H], bias [4H]; {@code 4H * (I + H + 1)} params.
 * States: h and c (initial states input as [x, h0, c0]; returnState outputs [y, h, c]).
 *
 * <pre>{@code
 * LSTM lstm = new LSTM(50).inputShape(3, 1);
 * Tensor y = lstm.call(Tensor.zeros(8, 3, 1));   // (8, 50); lstm.countParams() == 10200
 * }</pre>
 */
public class LSTM extends RecurrentLayer {
    private Activation recurrentActivation = Activation.SIGMOID;
    private boolean unitForgetBias = true;

    public LSTM(int units) {
        super(units);
    }

    @Override
    public String kerasClass() { return "LSTM"; }

    @Override
    protected int gateBlocks() { return 4; }

    @Override
    public int stateCount() { return 2; }

    public String recurrentActivation() { return recurrentActivation.kerasName(); }

    /** Activation of the i, f, o gates (Keras default "sigmoid"). */
    public LSTM recurrentActivation(String a) {
        this.recurrentActivation = elementwise(a, "recurrentActivation");
        return this;
    }

    public boolean unitForgetBias() { return unitForgetBias; }

    /** Keras unit_forget_bias: initialise the forget-gate bias to 1 (default true). */
    public LSTM unitForgetBias(boolean b) {
        requireUnbuilt("unitForgetBias");
        this.unitForgetBias = b;
        return this;
    }

    @Override
    protected RecurrentLayer newInstance() {
        LSTM l = new LSTM(units);
        l.recurrentActivation = recurrentActivation;
        l.unitForgetBias = unitForgetBias;
        return copyConfig(l);
    }

    @Override
    protected float[] initialBias() {
        return unitForgetBias ? Initializers.unitForgetBias(units) : Initializers.zeros(4 * units);
    }

    @Override
    dev.jrnn.backend.RecurrentCell cell() { return dev.jrnn.backend.RecurrentCell.LSTM; }

    @Override
    Activation recurrentAct() { return recurrentActivation; }

    @Override
    void stepForward(Run r, int s) {
        if (s > 0 || r.hasInitial) {
            r.be.gemm(false, false, r.B, r.G, r.H, 1f, r.hs, r.bh(s), r.H,
                    recurrentKernel.value(), recurrentKernel.offset(), r.G, 1f, r.p, r.bg(s), r.G);
        }
        r.be.lstmStepForward(activation, recurrentActivation, r.B, r.H, r.p, r.bg(s), r.cs, r.bh(s), r.hs, r.bh(s),
                r.maskT, (long) s * r.B, r.cs, r.bh(s + 1), r.hs, r.bh(s + 1));
    }

    @Override
    void stepBackward(Run r, int s, Buf dy, long dyOff) {
        r.be.lstmStepBackward(activation, recurrentActivation, r.B, r.H, r.p, r.bg(s), r.cs, r.bh(s), r.cs, r.bh(s + 1),
                r.dhN, 0, dy, dyOff, r.dcN, 0, r.maskT, (long) s * r.B, r.dG, r.bg(s), r.dcN, 0, r.dhP, 0);
        if (s > 0 || r.hasInitial) {
            r.be.gemm(false, true, r.B, r.H, r.G, 1f, r.dG, r.bg(s), r.G,
                    recurrentKernel.value(), recurrentKernel.offset(), r.G, 1f, r.dhP, 0, r.H);
        }
    }

    @Override
    public LSTM name(String n) { super.name(n); return this; }

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
    public LSTM tbptt(int k) { super.tbptt(k); return this; }
}
