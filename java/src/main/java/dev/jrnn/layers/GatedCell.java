package dev.jrnn.layers;

import dev.jrnn.backend.Activation;

/** A cell with gates (LSTM, GRU): their activation, Keras' {@code recurrent_activation}. */
abstract sealed class GatedCell extends Cell permits LSTMCell, GRUCell {
    Activation recurrentActivation = Activation.SIGMOID;

    @Override
    Activation recurrentActivation() { return recurrentActivation; }

    @Override
    GatedCell copy() {
        GatedCell c = (GatedCell) super.copy();
        c.recurrentActivation = recurrentActivation;
        return c;
    }
}
