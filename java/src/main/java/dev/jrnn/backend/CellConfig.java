package dev.jrnn.backend;

import java.util.Objects;

/**
 * What a recurrent operation needs to know about the cell: its kind, its activations (the gate activation
 * is unused by SIMPLE_RNN), and the batch rows and units of one step. The backends check the values (with
 * the operation's name in the message).
 *
 * <pre>{@code
 * CellConfig lstm = new CellConfig(RecurrentCell.LSTM, Activation.TANH, Activation.SIGMOID, 32, 64);
 * }</pre>
 */
public record CellConfig(RecurrentCell kind, Activation activation, Activation recurrentActivation, int batch,
                         int units) {
    public CellConfig {
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(activation, "activation");
        Objects.requireNonNull(recurrentActivation, "recurrentActivation");
    }
}
