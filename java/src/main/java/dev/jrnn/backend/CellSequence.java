package dev.jrnn.backend;

/**
 * The buffers of a whole recurrent sequence in a layer's time-major layout, for a backend's fused
 * whole-sequence path ({@link Backend#recurrentSequenceForward}, {@link Backend#recurrentSequenceBackward}):
 * each field a {@link BufAt}, null where the cell kind has no such buffer or an optional one is absent.
 *
 * <pre>{@code
 * boolean done = be.recurrentSequenceForward(config, new CellSequence.Forward(T, false, BufAt.at(u, 0), null,
 *         BufAt.at(p, 0), null, BufAt.at(hs, 0), BufAt.at(cs, 0), null));
 * }</pre>
 */
public final class CellSequence {
    private CellSequence() {}

    /**
     * {@code u} [H, G] the recurrent kernel; {@code recurrentBias} [G] (GRU, nullable); {@code gates} [T, B, G]
     * x·W + b on entry, the gates as a step keeps them on exit (SimpleRNN: the pre-activations x·W + b + hPrev·U);
     * {@code recurrent} [T, B, G] (GRU) receives hPrev·U + bRec; {@code hs}, {@code cs} (LSTM) [T+1, B, H] with slot 0 the initial state (read only when
     * {@code hasInitial}); {@code mask} [T, B] nullable.
     */
    public record Forward(int steps, boolean hasInitial, BufAt u, BufAt recurrentBias, BufAt gates, BufAt recurrent,
                          BufAt hs, BufAt cs, BufAt mask) {}

    /**
     * Buffers of {@link Forward} as forward left them (gates: null for SimpleRNN, but for gelu, swish, mish... whose
     * backward reads the pre-activations), plus {@code dy} [T, B, H]
     * nullable; {@code dh}, {@code dc} (LSTM) [B, H] the gradient into the last state on entry and, when
     * {@code hasInitial}, into the initial state on return; {@code dGates} [T, B, G] receives the gate
     * pre-activation gradients (GRU: of xp), {@code dRecurrent} (GRU) those of hPrev·U + bRec. {@code tbptt}
     * &gt; 0 cuts the state gradient before step s whenever (s + 1) % tbptt == 0 and s + 1 &lt; T.
     */
    public record Backward(int steps, int tbptt, boolean hasInitial, BufAt u, BufAt gates, BufAt recurrent,
                           BufAt hs, BufAt cs, BufAt mask, BufAt dy, BufAt dh, BufAt dc, BufAt dGates,
                           BufAt dRecurrent) {}
}
