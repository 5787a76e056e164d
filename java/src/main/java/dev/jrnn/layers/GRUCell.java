package dev.jrnn.layers;

import dev.jrnn.backend.Buf;
import dev.jrnn.backend.CellConfig;
import dev.jrnn.backend.CellStep;
import dev.jrnn.backend.RecurrentCell;

import static dev.jrnn.backend.BufAt.at;

/**
 * Keras' GRUCell, gates z, r, h, one state, {@code h = z * hPrev + (1 - z) * hh}. With reset_after = true (the
 * default): {@code z, r = recAct(x·W + b + hPrev·U + bRec)}, {@code hh = act(xh + r * (hPrev·Uh + bRec_h))}; the
 * bias is [2, G] (input and recurrent) and hPrev·U is kept apart from x·W + b. With reset_after = false (Keras 2's
 * default): {@code hh = act(xh + (r * hPrev)·Uh)}, bias [G]; r * hPrev is kept for Uh's gradient.
 */
final class GRUCell extends GatedCell {
    boolean resetAfter = true;

    @Override
    RecurrentCell kind() { return RecurrentCell.GRU; }

    @Override
    GRUCell fresh() { return new GRUCell(); }

    @Override
    GRUCell copy() {
        GRUCell c = (GRUCell) super.copy();
        c.resetAfter = resetAfter;
        return c;
    }

    @Override
    CellConfig config(int batch, int units) {
        return new CellConfig(kind(), activation, recurrentActivation, batch, units, !resetAfter);
    }

    @Override
    int[] biasShape(int units) { return resetAfter ? new int[] {2, gates() * units} : new int[] {gates() * units}; }

    @Override
    boolean separateRecurrentProjection() { return resetAfter; }

    @Override
    boolean keepsResetState() { return !resetAfter; }

    @Override
    void stepForward(RecurrentRun r, int s) {
        if (!resetAfter) {   // hPrev·U for z and r only: the candidate's product needs r first (inside the step)
            r.addRecurrentProjection(s, r.p, 1f, 2 * r.H);
            r.be.recurrentStepForward(r.config, CellStep.Forward.gruResetBefore(at(r.p, r.bg(s)), r.recurrentKernel(),
                    at(r.hs, r.bh(s)), r.maskAt(s), at(r.resetState, r.bh(s)), at(r.hs, r.bh(s + 1))));
            return;
        }
        // beta 0: every row of recurrentProj written (zeros at step 0 without an initial state)
        r.addRecurrentProjection(s, r.recurrentProj, 0f, r.G);
        r.be.recurrentStepForward(r.config, CellStep.Forward.gru(at(r.p, r.bg(s)), at(r.recurrentProj, r.bg(s)),
                r.recurrentBias(), at(r.hs, r.bh(s)), r.maskAt(s), at(r.hs, r.bh(s + 1))));
    }

    @Override
    void stepBackward(RecurrentRun r, int s, Buf dy, long dyOff) {
        if (!resetAfter) {
            r.be.recurrentStepBackward(r.config, CellStep.Backward.gruResetBefore(at(r.p, r.bg(s)), r.recurrentKernel(),
                    at(r.hs, r.bh(s)), at(r.dHiddenNext, 0), at(dy, dyOff), r.maskAt(s), at(r.dGates, r.bg(s)),
                    at(r.dResetState, 0), at(r.dHiddenPrev, 0)));
            r.addRecurrentGradient(s, r.dGates, 2 * r.H);
            return;
        }
        r.be.recurrentStepBackward(r.config, CellStep.Backward.gru(at(r.p, r.bg(s)), at(r.recurrentProj, r.bg(s)),
                at(r.hs, r.bh(s)), at(r.dHiddenNext, 0), at(dy, dyOff), r.maskAt(s), at(r.dGates, r.bg(s)),
                at(r.dRecurrent, r.bg(s)), at(r.dHiddenPrev, 0)));
        r.addRecurrentGradient(s, r.dRecurrent, r.G);
    }
}
