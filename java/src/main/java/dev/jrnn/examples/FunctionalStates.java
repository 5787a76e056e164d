package dev.jrnn.examples;

import dev.jrnn.Jrnn;
import dev.jrnn.layers.Dense;
import dev.jrnn.layers.LSTM;
import dev.jrnn.model.Input;
import dev.jrnn.model.Model;
import dev.jrnn.layers.Node;
import dev.jrnn.tensor.Tensor;

import java.util.List;

/** The functional API: an LSTM that returns its states, feeding a Dense; the model has three outputs. */
public final class FunctionalStates {
    private FunctionalStates() {}

    public static void main(String[] args) { run(); }

    public static void run() {
        Show.title("functional model: LSTM states feeding a Dense");
        Jrnn.clearSession();
        Jrnn.setSeed(5);
        Show.keras("inputs = Input(shape=(3, 1), name='input')");
        Input inputs = Input.shape(3, 1).name("input");
        Show.keras("lstm_out, h, c = LSTM(5, return_state=True)(inputs)");
        Node lstm = new LSTM(5).returnState(true).apply(inputs);
        Show.keras("outputs = Dense(1)(lstm_out)");
        Node outputs = new Dense(1).apply(lstm);
        Show.keras("model = Model(inputs, [outputs, h, c]); model.summary()");
        Model model = new Model(inputs, List.of(outputs, lstm.get(1), lstm.get(2)));
        model.summary();
        Show.keras("y, h, c = model.predict([[[0.1], [0.2], [0.3]]])");
        List<Tensor> p = model.predictAll(List.of(Tensor.of(new float[][][] {{{0.1f}, {0.2f}, {0.3f}}})), 32, null);
        System.out.println("y " + Show.array(p.get(0)) + "  h " + Show.array(p.get(1)) + "  c " + Show.array(p.get(2)));
    }
}
