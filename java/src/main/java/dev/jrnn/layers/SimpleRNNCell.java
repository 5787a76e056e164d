package dev.jrnn.layers;

import dev.jrnn.backend.Buf;
import dev.jrnn.backend.RecurrentCell;

/** Keras' SimpleRNNCell: {@code h = act(x·W + b + hPrev·U)}; one gate block, one state. */
final class SimpleRNNCell extends Cell {

    @Override
    RecurrentCell kind() { return RecurrentCell.SIMPLE_RNN; }

    @Override
    SimpleRNNCell copy() {
        SimpleRNNCell c = new SimpleRNNCell();
        c.activation = activation;
        return c;
    }

    @Override
    boolean backwardReadsGates() { return false; }

    @Override
    void stepForward(RecurrentLayer.Run r, int s) {
        r.addRecurrentProjection(s, r.p, 1f);
        r.be.rnnStepForward(activation, r.B, r.H, r.p, r.bg(s), r.hs, r.bh(s),
                r.maskT, (long) s * r.B, r.hs, r.bh(s + 1));
    }

    @Override
    void stepBackward(RecurrentLayer.Run r, int s, Buf dy, long dyOff) {
        r.be.rnnStepBackward(activation, r.B, r.H, r.hs, r.bh(s + 1), r.dHiddenNext, 0, dy, dyOff,
                r.maskT, (long) s * r.B, r.dGates, r.bg(s), r.dHiddenPrev, 0);
        r.addRecurrentGradient(s, r.dGates);
    }
}
