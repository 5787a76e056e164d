package dev.jrnn.layers;

import dev.jrnn.backend.Buf;
import dev.jrnn.backend.CellStep;
import dev.jrnn.backend.RecurrentCell;

import static dev.jrnn.backend.BufAt.at;

/**
 * Keras' LSTMCell, gates packed i, f, c, o: {@code i, f, o = recAct(.)}, {@code g = act(.)},
 * {@code c = f * cPrev + i * g}, {@code h = o * act(c)}; four gate blocks, two states (h, c).
 */
final class LSTMCell extends GatedCell {
    boolean unitForgetBias = true;

    @Override
    RecurrentCell kind() { return RecurrentCell.LSTM; }

    @Override
    LSTMCell fresh() { return new LSTMCell(); }

    @Override
    LSTMCell copy() {
        LSTMCell c = (LSTMCell) super.copy();
        c.unitForgetBias = unitForgetBias;
        return c;
    }

    /** Keras' LSTMCell with unit_forget_bias: {@code [init(units), ones(units), init(2 * units)]}, each part drawn with its own shape. */
    @Override
    float[] initialBias(int units, java.util.function.Function<int[], float[]> draw) {
        if (!unitForgetBias) return super.initialBias(units, draw);
        float[] b = new float[4 * units];
        System.arraycopy(draw.apply(new int[] {units}), 0, b, 0, units);
        java.util.Arrays.fill(b, units, 2 * units, 1f);
        System.arraycopy(draw.apply(new int[] {2 * units}), 0, b, 2 * units, 2 * units);
        return b;
    }

    @Override
    void stepForward(RecurrentRun r, int s) {
        r.addRecurrentProjection(s, r.p, 1f);
        r.be.recurrentStepForward(r.config, CellStep.Forward.lstm(at(r.p, r.bg(s)), at(r.cs, r.bh(s)),
                at(r.hs, r.bh(s)), r.maskAt(s), at(r.cs, r.bh(s + 1)), at(r.hs, r.bh(s + 1))));
    }

    @Override
    void stepBackward(RecurrentRun r, int s, Buf dy, long dyOff) {
        r.be.recurrentStepBackward(r.config, CellStep.Backward.lstm(at(r.p, r.bg(s)), at(r.cs, r.bh(s)),
                at(r.cs, r.bh(s + 1)), at(r.dHiddenNext, 0), at(dy, dyOff), at(r.dCellNext, 0), r.maskAt(s),
                at(r.dGates, r.bg(s)), at(r.dCellNext, 0), at(r.dHiddenPrev, 0)));
        r.addRecurrentGradient(s, r.dGates);
    }
}
