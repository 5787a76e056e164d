package dev.jrnn.backend;

import java.util.function.UnaryOperator;

/**
 * The buffers of one timestep of a recurrent cell, for {@link Backend#recurrentStepForward} and
 * {@link Backend#recurrentStepBackward}: each field a {@link BufAt} named by its role, null where the cell
 * kind has no such buffer or an optional one is absent. Build them with the factory of the cell kind.
 *
 * <pre>{@code
 * be.recurrentStepForward(new CellConfig(RecurrentCell.SIMPLE_RNN, Activation.TANH, Activation.TANH, B, H),
 *         CellStep.Forward.rnn(BufAt.at(pre, 0), BufAt.at(hPrev, 0), null, BufAt.at(h, 0)));
 * }</pre>
 */
public final class CellStep {
    private CellStep() {}

    /**
     * One step forward. {@code gates} [B, G]: x·W + b (+ hPrev·U, not for GRU) on entry, the activated
     * gates on exit (SimpleRNN: its pre-activations, unchanged; GRU: xp). GRU: {@code recurrent} [B, G]
     * holds hPrev·U and receives + {@code recurrentBias} [G] (nullable). {@code mask} [B] nullable.
     */
    public record Forward(BufAt gates, BufAt recurrent, BufAt recurrentBias, BufAt hPrev, BufAt cPrev, BufAt mask,
                          BufAt h, BufAt c) {
        /** SimpleRNN: {@code h = act(pre)}; masked rows copy hPrev. */
        public static Forward rnn(BufAt pre, BufAt hPrev, BufAt mask, BufAt h) {
            return new Forward(pre, null, null, hPrev, null, mask, h, null);
        }

        /** LSTM (gates i, f, c, o): {@code c = f*cPrev + i*g}, {@code h = o * act(c)}; masked rows copy the states. */
        public static Forward lstm(BufAt gates, BufAt cPrev, BufAt hPrev, BufAt mask, BufAt c, BufAt h) {
            return new Forward(gates, null, null, hPrev, cPrev, mask, h, c);
        }

        /** GRU (reset_after, gates z, r, h): xp = x·W + b_in, rp = hPrev·U; masked rows copy hPrev. */
        public static Forward gru(BufAt xp, BufAt rp, BufAt recurrentBias, BufAt hPrev, BufAt mask, BufAt h) {
            return new Forward(xp, rp, recurrentBias, hPrev, null, mask, h, null);
        }

        /** This step with every buffer replaced by {@code f(buffer)}. */
        public Forward map(UnaryOperator<Buf> f) {
            return new Forward(BufAt.map(gates, f), BufAt.map(recurrent, f), BufAt.map(recurrentBias, f),
                    BufAt.map(hPrev, f), BufAt.map(cPrev, f), BufAt.map(mask, f), BufAt.map(h, f), BufAt.map(c, f));
        }
    }

    /**
     * One step backward. With {@code g = dhNext + dy} (dy nullable): writes {@code dGates} [B, G] (GRU: the
     * gradient of xp), {@code dRecurrent} (GRU: of hPrev·U + bRec), {@code dcPrev} (LSTM; may alias dcNext) and
     * {@code dhPrev} (0, or g for masked rows, GRU: g * z; the caller adds d · U^T). Masked rows: no gate gradient.
     */
    public record Backward(BufAt gates, BufAt recurrent, BufAt hPrev, BufAt h, BufAt cPrev, BufAt c, BufAt dhNext,
                           BufAt dcNext, BufAt dy, BufAt mask, BufAt dGates, BufAt dRecurrent, BufAt dhPrev,
                           BufAt dcPrev) {
        /** SimpleRNN: {@code dpre = g * act'(h)} from the step's output h. */
        public static Backward rnn(BufAt h, BufAt dhNext, BufAt dy, BufAt mask, BufAt dpre, BufAt dhPrev) {
            return new Backward(null, null, null, h, null, null, dhNext, null, dy, mask, dpre, null, dhPrev, null);
        }

        /** LSTM, from the activated gates, cPrev and c of forward. */
        public static Backward lstm(BufAt gates, BufAt cPrev, BufAt c, BufAt dhNext, BufAt dy, BufAt dcNext,
                                    BufAt mask, BufAt dgates, BufAt dcPrev, BufAt dhPrev) {
            return new Backward(gates, null, null, null, cPrev, c, dhNext, dcNext, dy, mask, dgates, null, dhPrev,
                    dcPrev);
        }

        /** GRU, from xp (z, r, hh) and rp (hPrev·U + bRec) of forward. */
        public static Backward gru(BufAt xp, BufAt rp, BufAt hPrev, BufAt dhNext, BufAt dy, BufAt mask, BufAt dxp,
                                   BufAt drp, BufAt dhPrev) {
            return new Backward(xp, rp, hPrev, null, null, null, dhNext, null, dy, mask, dxp, drp, dhPrev, null);
        }

        /** This step with every buffer replaced by {@code f(buffer)}. */
        public Backward map(UnaryOperator<Buf> f) {
            return new Backward(BufAt.map(gates, f), BufAt.map(recurrent, f), BufAt.map(hPrev, f), BufAt.map(h, f),
                    BufAt.map(cPrev, f), BufAt.map(c, f), BufAt.map(dhNext, f), BufAt.map(dcNext, f),
                    BufAt.map(dy, f), BufAt.map(mask, f), BufAt.map(dGates, f), BufAt.map(dRecurrent, f),
                    BufAt.map(dhPrev, f), BufAt.map(dcPrev, f));
        }
    }
}
