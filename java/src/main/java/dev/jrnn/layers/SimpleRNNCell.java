package dev.jrnn.layers;

import dev.jrnn.backend.Buf;
import dev.jrnn.backend.CellStep;
import dev.jrnn.backend.RecurrentCell;

import static dev.jrnn.backend.BufAt.at;

/** Keras' SimpleRNNCell: {@code h = act(x·W + b + hPrev·U)}; one gate block, one state. */
final class SimpleRNNCell extends Cell {

    @Override
    RecurrentCell kind() { return RecurrentCell.SIMPLE_RNN; }

    @Override
    SimpleRNNCell fresh() { return new SimpleRNNCell(); }

    /** Backward takes act' from h, or for gelu, swish, mish... from the pre-activations that p keeps. */
    @Override
    boolean backwardReadsGates() { return activation.needsInput(); }

    @Override
    void stepForward(RecurrentRun r, int s) {
        r.addRecurrentProjection(s, r.p, 1f);
        r.be.recurrentStepForward(r.config, CellStep.Forward.rnn(at(r.p, r.bg(s)), at(r.hs, r.bh(s)), r.maskAt(s),
                at(r.hs, r.bh(s + 1))));
    }

    @Override
    void stepBackward(RecurrentRun r, int s, Buf dy, long dyOff) {
        var kept = activation.needsInput() ? at(r.p, r.bg(s)) : at(r.hs, r.bh(s + 1));
        r.be.recurrentStepBackward(r.config, CellStep.Backward.rnn(kept, at(r.dHiddenNext, 0),
                at(dy, dyOff), r.maskAt(s), at(r.dGates, r.bg(s)), at(r.dHiddenPrev, 0)));
        r.addRecurrentGradient(s, r.dGates);
    }
}
