package dev.jrnn.examples;

import dev.jrnn.Jrnn;
import dev.jrnn.layers.LSTM;
import dev.jrnn.layers.SimpleRNN;
import dev.jrnn.model.Sequential;
import dev.jrnn.tensor.Tensor;

import java.util.List;

/**
 * The seed notebook on SimpleRNN/LSTM shapes: the three ways to declare the input (42 params),
 * a deep SimpleRNN (27 + 21 params), and what return_sequences / return_state give back.
 */
public final class RnnShapes {
    private RnnShapes() {}

    public static void main(String[] args) { run(); }

    public static void run() {
        Show.title("SimpleRNN input shapes and summaries");
        Jrnn.clearSession();
        Show.keras("model = Sequential(); model.add(SimpleRNN(3, input_shape=(2, 10))); model.summary()");
        Sequential a = new Sequential();
        a.add(new SimpleRNN(3).inputShape(2, 10));
        a.summary();

        Jrnn.clearSession();
        Show.keras("model.add(SimpleRNN(3, input_length=2, input_dim=10))   # same model");
        new Sequential(new SimpleRNN(3).inputLength(2).inputDim(10)).summary();

        Jrnn.clearSession();
        Show.keras("model.add(SimpleRNN(3, batch_input_shape=(8, 2, 10)))");
        new Sequential(new SimpleRNN(3).batchInputShape(8, 2, 10)).summary();

        Jrnn.clearSession();
        Show.keras("model.add(SimpleRNN(3, batch_input_shape=(8, 2, 10), return_sequences=True))");
        new Sequential(new SimpleRNN(3).batchInputShape(8, 2, 10).returnSequences(true)).summary();

        Jrnn.clearSession();
        Show.keras("model.add(SimpleRNN(3, return_sequences=True, input_shape=(4, 5))); model.add(SimpleRNN(3))");
        new Sequential(new SimpleRNN(3).returnSequences(true).inputShape(4, 5), new SimpleRNN(3)).summary();

        Show.title("return_sequences and return_state on one (4, 5) sample");
        Jrnn.clearSession();
        Jrnn.setSeed(0);
        Tensor trainX = Tensor.of(new float[][][] {{
                {0.1f, 4.2f, 1.5f, 1.1f, 2.8f}, {1.0f, 3.1f, 2.5f, 0.7f, 1.1f},
                {0.3f, 2.1f, 1.5f, 2.1f, 0.1f}, {2.2f, 1.4f, 0.5f, 0.9f, 1.1f}}});
        Show.keras("train_X.shape");
        System.out.println(Show.shape(trainX));

        Show.keras("hidden_state = SimpleRNN(3)(train_X)");
        Tensor h = new SimpleRNN(3).call(trainX);
        System.out.println("hidden state : " + Show.array(h) + ", shape: " + Show.shape(h));

        Show.keras("hidden_states = SimpleRNN(3, return_sequences=True)(train_X)");
        Tensor hs = new SimpleRNN(3).returnSequences(true).call(trainX);
        System.out.println("hidden states : " + Show.array(hs) + ", shape: " + Show.shape(hs));

        Show.keras("hidden_states, last_state = SimpleRNN(3, return_sequences=True, return_state=True)(train_X)");
        List<Tensor> both = new SimpleRNN(3).returnSequences(true).returnState(true).callWithStates(trainX);
        System.out.println("hidden states : " + Show.array(both.get(0)) + ", shape: " + Show.shape(both.get(0)));
        System.out.println("last hidden state : " + Show.array(both.get(1)) + ", shape: " + Show.shape(both.get(1)));

        Show.keras("hidden_state, last_state, last_cell_state = LSTM(3, return_state=True)(train_X)");
        List<Tensor> lstm = new LSTM(3).returnState(true).callWithStates(trainX);
        System.out.println("hidden state : " + Show.array(lstm.get(0)) + ", shape: " + Show.shape(lstm.get(0)));
        System.out.println("last hidden state : " + Show.array(lstm.get(1)) + ", shape: " + Show.shape(lstm.get(1)));
        System.out.println("last cell state : " + Show.array(lstm.get(2)) + ", shape: " + Show.shape(lstm.get(2)));
    }
}
