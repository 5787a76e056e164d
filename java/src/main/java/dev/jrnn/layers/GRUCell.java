package dev.jrnn.layers;

import dev.jrnn.backend.Buf;
import dev.jrnn.backend.CellStep;
import dev.jrnn.backend.RecurrentCell;

import static dev.jrnn.backend.BufAt.at;

/**
 * Keras' GRUCell (reset_after = true), gates z, r, h: {@code z, r = recAct(x·W + b + hPrev·U + bRec)},
 * {@code hh = act(xh + r * (hPrev·Uh + bRec_h))}, {@code h = z * hPrev + (1 - z) * hh}; three gate
 * blocks, one state; the bias is [2, G] (input and recurrent) and hPrev·U is kept apart from x·W + b.
 */
final class GRUCell extends GatedCell {

    @Override
    RecurrentCell kind() { return RecurrentCell.GRU; }

    @Override
    GRUCell fresh() { return new GRUCell(); }

    @Override
    int[] biasShape(int units) { return new int[] {2, gates() * units}; }

    @Override
    boolean separateRecurrentProjection() { return true; }

    @Override
    void stepForward(RecurrentRun r, int s) {
        // recurrentProj is zero-filled at allocation: without initial state, step 0 has hPrev·U = 0
        r.addRecurrentProjection(s, r.recurrentProj, 0f);
        r.be.recurrentStepForward(r.config, CellStep.Forward.gru(at(r.p, r.bg(s)), at(r.recurrentProj, r.bg(s)),
                r.recurrentBias(), at(r.hs, r.bh(s)), r.maskAt(s), at(r.hs, r.bh(s + 1))));
    }

    @Override
    void stepBackward(RecurrentRun r, int s, Buf dy, long dyOff) {
        r.be.recurrentStepBackward(r.config, CellStep.Backward.gru(at(r.p, r.bg(s)), at(r.recurrentProj, r.bg(s)),
                at(r.hs, r.bh(s)), at(r.dHiddenNext, 0), at(dy, dyOff), r.maskAt(s), at(r.dGates, r.bg(s)),
                at(r.dRecurrent, r.bg(s)), at(r.dHiddenPrev, 0)));
        r.addRecurrentGradient(s, r.dRecurrent);
    }
}
