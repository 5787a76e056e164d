package dev.jrnn;

import dev.jrnn.layers.Dense;
import dev.jrnn.layers.LSTM;
import dev.jrnn.layers.SimpleRNN;
import dev.jrnn.model.Sequential;
import dev.jrnn.model.SummaryFormat;
import dev.jrnn.tensor.Tensor;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The README's ten-line example, as written there, with the shapes and counts it promises. */
class ReadmeExampleTest {
    @BeforeAll
    static void cpu() {
        Jrnn.setBackend("cpu");
        Jrnn.setSeed(7);
    }

    @Test
    void theReadmeExampleRunsAndGivesTheShapesItPromises() {
        Tensor xTrain = Tensor.of(new float[][][] {{{.1f}, {.2f}, {.3f}}, {{.2f}, {.3f}, {.4f}}, {{.3f}, {.4f}, {.5f}}});
        Tensor yTrain = Tensor.of(new float[][] {{.4f}, {.5f}, {.6f}});

        Tensor x = Tensor.of(new float[][][] {{{1}, {2}, {3}}});
        LSTM lstm = new LSTM(4).returnSequences(true).returnState(true);
        List<Tensor> out = lstm.callWithStates(x);
        assertEquals(3, out.size());
        assertArrayEquals(new int[] {1, 3, 4}, out.get(0).shape());
        assertArrayEquals(new int[] {1, 4}, out.get(1).shape());
        assertArrayEquals(new int[] {1, 4}, out.get(2).shape());
        // return_state's h is the last step of the sequence
        for (int j = 0; j < 4; j++) assertEquals(out.get(0).get(0, 2, j), out.get(1).get(0, j), 0f);

        Sequential model = new Sequential(new SimpleRNN(10).inputShape(3, 1), new Dense(1));
        model.compile("adam", "mse");
        // verbose 1 as in the README; its 100 epoch lines go to a buffer here, not to the test output
        ByteArrayOutputStream printed = new ByteArrayOutputStream();
        PrintStream stdout = System.out;
        System.setOut(new PrintStream(printed, true, StandardCharsets.UTF_8));
        try {
            model.fit(xTrain, yTrain, 100, 1);
        } finally {
            System.setOut(stdout);
        }
        String bars = printed.toString(StandardCharsets.UTF_8);
        assertTrue(bars.contains("Epoch 100/100\n3/3 [==============================]"), bars);
        assertFalse(bars.contains("\r") || bars.contains("\u001b"), "no redraws or ANSI codes off a terminal");
        Tensor y = model.predict(x);
        assertArrayEquals(new int[] {1, 1}, y.shape());
        assertTrue(y.isFinite());
        assertEquals(131, model.countParams());
        assertTrue(model.summaryString().contains("Total params: 131"), model.summaryString());
        // Keras 3 after fit: the weights and Adam's iteration, learning_rate and two slots per weight (2 + 2 * 131)
        String k3 = model.summaryString(SummaryFormat.KERAS_3);
        assertTrue(k3.contains("\n Total params: 395 (1.54 KB)\n") && k3.contains("\n Optimizer params: 264 (1.03 KB)\n"), k3);
    }
}
