package dev.jrnn.layers;

import dev.jrnn.backend.Activation;
import dev.jrnn.backend.Buf;
import dev.jrnn.backend.RecurrentCell;

/**
 * Keras' LSTMCell, gates packed i, f, c, o: {@code i, f, o = recAct(.)}, {@code g = act(.)},
 * {@code c = f * cPrev + i * g}, {@code h = o * act(c)}; four gate blocks, two states (h, c).
 */
final class LSTMCell extends Cell {
    Activation recurrentActivation = Activation.SIGMOID;
    boolean unitForgetBias = true;

    @Override
    RecurrentCell kind() { return RecurrentCell.LSTM; }

    @Override
    LSTMCell copy() {
        LSTMCell c = new LSTMCell();
        c.activation = activation;
        c.recurrentActivation = recurrentActivation;
        c.unitForgetBias = unitForgetBias;
        return c;
    }

    @Override
    Activation recurrentActivation() { return recurrentActivation; }

    @Override
    float[] initialBias(int units) {
        return unitForgetBias ? Initializers.unitForgetBias(units) : super.initialBias(units);
    }

    @Override
    void stepForward(RecurrentLayer.Run r, int s) {
        r.addRecurrentProjection(s, r.p, 1f);
        r.be.lstmStepForward(activation, recurrentActivation, r.B, r.H, r.p, r.bg(s), r.cs, r.bh(s), r.hs, r.bh(s),
                r.maskT, (long) s * r.B, r.cs, r.bh(s + 1), r.hs, r.bh(s + 1));
    }

    @Override
    void stepBackward(RecurrentLayer.Run r, int s, Buf dy, long dyOff) {
        r.be.lstmStepBackward(activation, recurrentActivation, r.B, r.H, r.p, r.bg(s), r.cs, r.bh(s), r.cs, r.bh(s + 1),
                r.dHiddenNext, 0, dy, dyOff, r.dCellNext, 0, r.maskT, (long) s * r.B, r.dGates, r.bg(s),
                r.dCellNext, 0, r.dHiddenPrev, 0);
        r.addRecurrentGradient(s, r.dGates);
    }
}
