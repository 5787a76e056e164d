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
     * holds hPrev·U and receives + {@code recurrentBias} [G] (nullable). GRU reset-before: {@code recurrent}
     * [B, H] receives r * hPrev and {@code recurrentKernel} is U [H, G]. {@code mask} [B] nullable.
     */
    public record Forward(BufAt gates, BufAt recurrent, BufAt recurrentBias, BufAt hPrev, BufAt cPrev, BufAt mask,
                          BufAt h, BufAt c, BufAt recurrentKernel) {
        /** SimpleRNN: {@code h = act(pre)}; masked rows copy hPrev. */
        public static Forward rnn(BufAt pre, BufAt hPrev, BufAt mask, BufAt h) {
            return new Forward(pre, null, null, hPrev, null, mask, h, null, null);
        }

        /** LSTM (gates i, f, c, o): {@code c = f*cPrev + i*g}, {@code h = o * act(c)}; masked rows copy the states. */
        public static Forward lstm(BufAt gates, BufAt cPrev, BufAt hPrev, BufAt mask, BufAt c, BufAt h) {
            return new Forward(gates, null, null, hPrev, cPrev, mask, h, c, null);
        }

        /** GRU (reset_after, gates z, r, h): xp = x·W + b_in, rp = hPrev·U; masked rows copy hPrev. */
        public static Forward gru(BufAt xp, BufAt rp, BufAt recurrentBias, BufAt hPrev, BufAt mask, BufAt h) {
            return new Forward(xp, rp, recurrentBias, hPrev, null, mask, h, null, null);
        }

        /**
         * GRU reset-before (Keras' reset_after=False, gates z, r, h): xp = x·W + b with hPrev·U added to its z and r
         * columns; {@code resetState} [B, H] receives r * hPrev, the input of the candidate's product with U's h
         * columns ({@code u} [H, 3H]); masked rows copy hPrev.
         */
        public static Forward gruResetBefore(BufAt xp, BufAt u, BufAt hPrev, BufAt mask, BufAt resetState, BufAt h) {
            return new Forward(xp, resetState, null, hPrev, null, mask, h, null, u);
        }

        /** This step with every buffer replaced by {@code f(buffer)}. */
        public Forward map(UnaryOperator<Buf> f) {
            return new Forward(BufAt.map(gates, f), BufAt.map(recurrent, f), BufAt.map(recurrentBias, f),
                    BufAt.map(hPrev, f), BufAt.map(cPrev, f), BufAt.map(mask, f), BufAt.map(h, f), BufAt.map(c, f),
                    BufAt.map(recurrentKernel, f));
        }
    }

    /**
     * One step backward. With {@code g = dhNext + dy} (dy nullable): writes {@code dGates} [B, G] (GRU: the
     * gradient of xp), {@code dRecurrent} (GRU: of hPrev·U + bRec), {@code dcPrev} (LSTM; may alias dcNext) and
     * {@code dhPrev} (0, or g for masked rows, GRU: g * z; the caller adds d · U^T). Masked rows: no gate gradient.
     * GRU reset-before: {@code dRecurrent} [B, H] receives the gradient of r * hPrev, {@code recurrentKernel} is U.
     */
    public record Backward(BufAt gates, BufAt recurrent, BufAt hPrev, BufAt h, BufAt cPrev, BufAt c, BufAt dhNext,
                           BufAt dcNext, BufAt dy, BufAt mask, BufAt dGates, BufAt dRecurrent, BufAt dhPrev,
                           BufAt dcPrev, BufAt recurrentKernel) {
        /**
         * SimpleRNN: {@code dpre = g * act'(pre)} from the step's output h, or for gelu, swish, mish...
         * ({@link Activation#needsInput()}) from its pre-activations, passed as {@code h}.
         */
        public static Backward rnn(BufAt h, BufAt dhNext, BufAt dy, BufAt mask, BufAt dpre, BufAt dhPrev) {
            return new Backward(null, null, null, h, null, null, dhNext, null, dy, mask, dpre, null, dhPrev, null, null);
        }

        /** LSTM, from the activated gates, cPrev and c of forward. */
        public static Backward lstm(BufAt gates, BufAt cPrev, BufAt c, BufAt dhNext, BufAt dy, BufAt dcNext,
                                    BufAt mask, BufAt dgates, BufAt dcPrev, BufAt dhPrev) {
            return new Backward(gates, null, null, null, cPrev, c, dhNext, dcNext, dy, mask, dgates, null, dhPrev,
                    dcPrev, null);
        }

        /** GRU, from xp (z, r, hh) and rp (hPrev·U + bRec) of forward. */
        public static Backward gru(BufAt xp, BufAt rp, BufAt hPrev, BufAt dhNext, BufAt dy, BufAt mask, BufAt dxp,
                                   BufAt drp, BufAt dhPrev) {
            return new Backward(xp, rp, hPrev, null, null, null, dhNext, null, dy, mask, dxp, drp, dhPrev, null, null);
        }

        /**
         * GRU reset-before, from xp (z, r, hh) of forward: dxp, {@code dResetState} [B, H] (the gradient of
         * r * hPrev, scratch) and dhPrev = g * z + dResetState * r; the caller adds dxp's z, r columns · U^T.
         * dxp must not alias xp.
         */
        public static Backward gruResetBefore(BufAt xp, BufAt u, BufAt hPrev, BufAt dhNext, BufAt dy, BufAt mask,
                                              BufAt dxp, BufAt dResetState, BufAt dhPrev) {
            return new Backward(xp, null, hPrev, null, null, null, dhNext, null, dy, mask, dxp, dResetState, dhPrev,
                    null, u);
        }

        /** This step with every buffer replaced by {@code f(buffer)}. */
        public Backward map(UnaryOperator<Buf> f) {
            return new Backward(BufAt.map(gates, f), BufAt.map(recurrent, f), BufAt.map(hPrev, f), BufAt.map(h, f),
                    BufAt.map(cPrev, f), BufAt.map(c, f), BufAt.map(dhNext, f), BufAt.map(dcNext, f),
                    BufAt.map(dy, f), BufAt.map(mask, f), BufAt.map(dGates, f), BufAt.map(dRecurrent, f),
                    BufAt.map(dhPrev, f), BufAt.map(dcPrev, f), BufAt.map(recurrentKernel, f));
        }
    }
}
