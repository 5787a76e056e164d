package dev.jrnn.layers;

import dev.jrnn.backend.Activation;
import dev.jrnn.backend.Buf;
import dev.jrnn.backend.RecurrentCell;

/**
 * Keras' GRUCell (reset_after = true), gates z, r, h: {@code z, r = recAct(x·W + b + hPrev·U + bRec)},
 * {@code hh = act(xh + r * (hPrev·Uh + bRec_h))}, {@code h = z * hPrev + (1 - z) * hh}; three gate
 * blocks, one state; the bias is [2, G] (input and recurrent) and hPrev·U is kept apart from x·W + b.
 */
final class GRUCell extends Cell {
    Activation recurrentActivation = Activation.SIGMOID;

    @Override
    RecurrentCell kind() { return RecurrentCell.GRU; }

    @Override
    GRUCell copy() {
        GRUCell c = new GRUCell();
        c.activation = activation;
        c.recurrentActivation = recurrentActivation;
        return c;
    }

    @Override
    Activation recurrentActivation() { return recurrentActivation; }

    @Override
    int[] biasShape(int units) { return new int[] {2, gates() * units}; }

    @Override
    boolean separateRecurrentProjection() { return true; }

    @Override
    void stepForward(RecurrentLayer.Run r, int s) {
        // recurrentProj is zero-filled at allocation: without initial state, step 0 has hPrev·U = 0
        r.addRecurrentProjection(s, r.recurrentProj, 0f);
        r.be.gruStepForward(activation, recurrentActivation, r.B, r.H, r.p, r.bg(s), r.recurrentProj, r.bg(s),
                r.recurrentBias(), r.recurrentBiasOffset(), r.hs, r.bh(s), r.maskT, (long) s * r.B, r.hs, r.bh(s + 1));
    }

    @Override
    void stepBackward(RecurrentLayer.Run r, int s, Buf dy, long dyOff) {
        r.be.gruStepBackward(activation, recurrentActivation, r.B, r.H, r.p, r.bg(s), r.recurrentProj, r.bg(s),
                r.hs, r.bh(s), r.dHiddenNext, 0, dy, dyOff, r.maskT, (long) s * r.B, r.dGates, r.bg(s),
                r.dRecurrent, r.bg(s), r.dHiddenPrev, 0);
        r.addRecurrentGradient(s, r.dRecurrent);
    }
}
