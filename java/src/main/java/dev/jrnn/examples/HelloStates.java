package dev.jrnn.examples;

import dev.jrnn.Jrnn;
import dev.jrnn.layers.SimpleRNN;
import dev.jrnn.tensor.Tensor;

import java.util.List;

/** One-hot "hello" through a SimpleRNN that returns its sequence and its last state. */
public final class HelloStates {
    private HelloStates() {}

    public static void main(String[] args) { run(); }

    public static void run() {
        Show.title("one-hot \"hello\" through SimpleRNN with states");
        Jrnn.clearSession();
        Jrnn.setSeed(1);
        String vocab = "helo";
        Tensor x = Data.oneHot("hello", vocab);
        Show.keras("h = [1, 0, 0, 0]; e = [0, 1, 0, 0]; l = [0, 0, 1, 0]; o = [0, 0, 0, 1]");
        Show.keras("x = np.array([[h, e, l, l, o]], dtype=np.float32)   # shape " + Show.shape(x));
        System.out.println(Show.array(x));
        Show.keras("outputs, state = SimpleRNN(2, return_sequences=True, return_state=True)(x)");
        List<Tensor> out = new SimpleRNN(2).returnSequences(true).returnState(true).callWithStates(x);
        System.out.println("outputs: shape " + Show.shape(out.get(0)));
        System.out.println(Show.array(out.get(0)));
        System.out.println("state: shape " + Show.shape(out.get(1)));
        System.out.println(Show.array(out.get(1)) + "   (= the last output)");
    }
}
