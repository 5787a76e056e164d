package dev.jrnn.layers;

import dev.jrnn.backend.Activation;
import dev.jrnn.backend.Buf;

/**
 * Keras GRU (version 2, reset_after = true) with gates in the order z, r, h:
 * {@code z = recAct(x·Wz + bz + h·Uz + rz)}, {@code r = recAct(x·Wr + br + h·Ur + rr)},
 * {@code hh = act(x·Wh + bh + r * (h·Uh + rh))}, {@code h_t = z * h_{t-1} + (1 - z) * hh}.
 * Weights: kernel [I, 3H], recurrent_kernel [H, 3H], bias [2, 3H] (row 0 input bias, row 1 recurrent
 * bias); {@code 3H * (I + H + 2)} params.
 *
 * <pre>{@code
 * GRU gru = new GRU(3).returnSequences(true);
 * Tensor y = gru.call(Tensor.zeros(4, 5, 2));   // (4, 5, 3); gru.countParams() == 63
 * }</pre>
 */
public class GRU extends RecurrentLayer {
    private Activation recurrentActivation = Activation.SIGMOID;

    public GRU(int units) {
        super(units);
    }

    @Override
    public String kerasClass() { return "GRU"; }

    @Override
    protected int gateBlocks() { return 3; }

    @Override
    public int stateCount() { return 1; }

    @Override
    protected int[] biasShape() { return new int[] {2, 3 * units}; }

    public String recurrentActivation() { return recurrentActivation.kerasName(); }

    /** Activation of the z and r gates (Keras default "sigmoid"). */
    public GRU recurrentActivation(String a) {
        this.recurrentActivation = elementwise(a, "recurrentActivation");
        return this;
    }

    /** Always true: only Keras' reset_after = true variant (the cuDNN-compatible default) exists. */
    public boolean resetAfter() { return true; }

    @Override
    protected RecurrentLayer newInstance() {
        GRU g = new GRU(units);
        g.recurrentActivation = recurrentActivation;
        return copyConfig(g);
    }

    @Override
    dev.jrnn.backend.RecurrentCell cell() { return dev.jrnn.backend.RecurrentCell.GRU; }

    @Override
    Activation recurrentAct() { return recurrentActivation; }

    @Override
    void stepForward(Run r, int s) {
        // rp is zero-filled at allocation: without initial state, step 0 has hPrev·U = 0
        if (s > 0 || r.hasInitial) {
            r.be.gemm(false, false, r.B, r.G, r.H, 1f, r.hs, r.bh(s), r.H,
                    recurrentKernel.value(), recurrentKernel.offset(), r.G, 0f, r.rp, r.bg(s), r.G);
        }
        r.be.gruStepForward(activation, recurrentActivation, r.B, r.H, r.p, r.bg(s), r.rp, r.bg(s),
                bias == null ? null : bias.value(), bias == null ? 0 : bias.offset() + r.G,
                r.hs, r.bh(s), r.maskT, (long) s * r.B, r.hs, r.bh(s + 1));
    }

    @Override
    void stepBackward(Run r, int s, Buf dy, long dyOff) {
        r.be.gruStepBackward(activation, recurrentActivation, r.B, r.H, r.p, r.bg(s), r.rp, r.bg(s), r.hs, r.bh(s),
                r.dhN, 0, dy, dyOff, r.maskT, (long) s * r.B, r.dG, r.bg(s), r.dRP, r.bg(s), r.dhP, 0);
        if (s > 0 || r.hasInitial) {
            r.be.gemm(false, true, r.B, r.H, r.G, 1f, r.dRP, r.bg(s), r.G,
                    recurrentKernel.value(), recurrentKernel.offset(), r.G, 1f, r.dhP, 0, r.H);
        }
    }

    @Override
    public GRU name(String n) { super.name(n); return this; }

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
    public GRU tbptt(int k) { super.tbptt(k); return this; }
}
