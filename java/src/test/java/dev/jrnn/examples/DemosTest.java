package dev.jrnn.examples;

import dev.jrnn.Jrnn;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The quick demos print what the Keras notebooks printed. */
class DemosTest {
    private PrintStream saved;
    private ByteArrayOutputStream buf;

    @BeforeAll
    static void cpu() {
        Jrnn.setBackend("cpu");
    }

    @BeforeEach
    void capture() {
        saved = System.out;
        buf = new ByteArrayOutputStream();
        System.setOut(new PrintStream(buf, true, StandardCharsets.UTF_8));
    }

    @AfterEach
    void restore() {
        System.setOut(saved);
    }

    private String out() { return buf.toString(StandardCharsets.UTF_8); }

    @Test
    void shapesDemoPrintsTheSeedSummariesAndShapes() {
        RnnShapes.run();
        String s = out();
        assertTrue(s.contains(" simple_rnn (SimpleRNN)      (None, 3)                 42        \n"), s);
        assertTrue(s.contains(" simple_rnn (SimpleRNN)      (8, 2, 3)                 42        \n"), s);
        assertTrue(s.contains("Total params: 48\n"), s);
        assertTrue(s.contains("], shape: (1, 4, 3)\n"), s);
        assertTrue(s.contains("last cell state : "), s);
    }

    @Test
    void helloDemosLearnAndShowStates() {
        HelloStates.run();
        CharLanguageModel.run();
        String s = out();
        assertTrue(s.contains("outputs: shape (1, 5, 2)"), s);
        assertTrue(s.contains("state: shape (1, 2)"), s);
        assertTrue(s.contains("'hell' -> 'ello'"), s);
        assertTrue(s.contains("generated from 'h': hello"), s);
    }

    @Test
    void functionalDemoHasThreeOutputs() {
        FunctionalStates.run();
        String s = out();
        assertTrue(s.contains(" lstm (LSTM)                 [(None, 5),               140       \n"), s);
        assertTrue(s.contains("y [["), s);
    }

    @Test
    void kerasDemoLoadsARealKerasFileAndPredicts() {
        KerasModelImport.run();
        String s = out();
        assertTrue(s.contains(" lstm_1 (LSTM)"), s);
        assertTrue(s.contains("Total params: 10,451"), s);
        assertTrue(s.contains("x =   9.8554   predicted"), s);
    }

    @Test
    void everyDemoIsRegistered() {
        assertEquals(java.util.List.of("shapes", "many-to-one", "sequence", "hello", "bidirectional", "charlm", "functional", "sine", "keras"),
                java.util.List.copyOf(Demos.all().keySet()));
    }

    @Test
    void numpyStyleArrays() {
        assertEquals("[[4.0721]]", Show.array(dev.jrnn.tensor.Tensor.of(new float[] {4.07211f}, 1, 1)));
        assertEquals("[[ 0.5000 -0.2500]\n [10.0000  1.0000]]",
                Show.array(dev.jrnn.tensor.Tensor.of(new float[] {0.5f, -0.25f, 10f, 1f}, 2, 2)));
    }
}
