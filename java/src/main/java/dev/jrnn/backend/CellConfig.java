package dev.jrnn.backend;

import java.util.Objects;

/**
 * What a recurrent operation needs to know about the cell: its kind, its activations (the gate activation
 * is unused by SIMPLE_RNN), the batch rows and units of one step, and for GRU which variant: Keras'
 * {@code reset_after=True} (the default, {@code resetBefore} false) or {@code reset_after=False}
 * ({@code resetBefore} true: the reset gate scales hPrev before the candidate's recurrent product). The backends
 * check the values (with the operation's name in the message).
 *
 * <pre>{@code
 * CellConfig lstm = new CellConfig(RecurrentCell.LSTM, Activation.TANH, Activation.SIGMOID, 32, 64);
 * CellConfig keras2Gru = new CellConfig(RecurrentCell.GRU, Activation.TANH, Activation.HARD_SIGMOID, 32, 64, true);
 * }</pre>
 */
public record CellConfig(RecurrentCell kind, Activation activation, Activation recurrentActivation, int batch,
                         int units, boolean resetBefore) {
    public CellConfig {
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(activation, "activation");
        Objects.requireNonNull(recurrentActivation, "recurrentActivation");
        if (resetBefore && kind != RecurrentCell.GRU) {
            throw new IllegalArgumentException("CellConfig: resetBefore applies to GRU only, got kind " + kind);
        }
    }

    /** A cell without the reset-before variant (every LSTM and SimpleRNN; GRU with reset_after=True). */
    public CellConfig(RecurrentCell kind, Activation activation, Activation recurrentActivation, int batch, int units) {
        this(kind, activation, recurrentActivation, batch, units, false);
    }
}
