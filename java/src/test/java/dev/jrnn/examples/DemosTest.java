package dev.jrnn.examples;

import dev.jrnn.Jrnn;
import dev.jrnn.backend.Settings;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static java.util.Map.entry;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Every demo of {@link Demos#all()} runs and what it prints holds: the losses fall, the predictions are
 * close to the values the Keras notebooks teach ([1, 2, 3] -> 4, 0.0..0.3 -> 0.4), the states are the
 * outputs they should equal, and the files the sine demo writes read back. A demo without its check here
 * fails {@link #everyDemoHasACheck()}.
 */
class DemosTest {
    private static final Pattern NUMBER = Pattern.compile("-?\\d+\\.\\d+(?:e[-+]?\\d+)?");

    /** What each demo's output must show (by demo name). */
    static final Map<String, Consumer<String>> CHECKS = Map.ofEntries(
            entry("shapes", DemosTest::shapes),
            entry("many-to-one", DemosTest::manyToOne),
            entry("sequence", DemosTest::sequence),
            entry("hello", DemosTest::hello),
            entry("bidirectional", DemosTest::bidirectional),
            entry("charlm", DemosTest::charLanguageModel),
            entry("functional", DemosTest::functional),
            entry("sine", DemosTest::sine),
            entry("keras", DemosTest::kerasImport));

    @BeforeAll
    static void cpu() {
        Jrnn.setBackend("cpu");
    }

    static Stream<String> demos() {
        return Demos.all().keySet().stream();
    }

    @Test
    void everyDemoHasACheck() {
        assertEquals(CHECKS.keySet(), Demos.all().keySet(), "a check for every demo of Demos.all(), and no other");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("demos")
    void demoOutputHolds(String name) {
        CHECKS.get(name).accept(run(Demos.all().get(name)));
    }

    /** What {@code demo} prints on stdout. */
    static String run(Runnable demo) {
        PrintStream saved = System.out;
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        System.setOut(new PrintStream(buf, true, StandardCharsets.UTF_8));
        try {
            demo.run();
        } finally {
            System.setOut(saved);
        }
        return buf.toString(StandardCharsets.UTF_8);
    }

    /**
     * The numbers printed after the first {@code label} at or after {@code from}: up to the end of an array
     * ("]]") when one starts on that line, else to the end of the line.
     */
    static List<Double> numbersAfter(String s, String label, int from) {
        int at = s.indexOf(label, from);
        assertTrue(from >= 0 && at >= 0, "'" + label + "' in\n" + s);
        int start = at + label.length();
        int eol = s.indexOf('\n', start) < 0 ? s.length() : s.indexOf('\n', start);
        int end = s.substring(start, eol).contains("[") ? s.indexOf("]]", start) : eol;
        List<Double> out = new ArrayList<>();
        Matcher m = NUMBER.matcher(s.substring(start, end));
        while (m.find()) out.add(Double.parseDouble(m.group()));
        return out;
    }

    /** Every "a -> b" loss pair in order, for lines starting with {@code prefix}. */
    static List<double[]> lossPairs(String s, String prefix) {
        List<double[]> out = new ArrayList<>();
        for (String line : s.split("\n")) {
            if (!line.startsWith(prefix)) continue;
            List<Double> v = new ArrayList<>();
            Matcher m = NUMBER.matcher(line.replaceAll("epoch \\d+", ""));
            while (m.find()) v.add(Double.parseDouble(m.group()));
            out.add(new double[] {v.get(0), v.get(v.size() - 1)});
        }
        return out;
    }

    static void shapes(String s) {
        assertTrue(s.contains(" simple_rnn (SimpleRNN)      (None, 3)                 42        \n"), s);
        assertTrue(s.contains(" simple_rnn (SimpleRNN)      (8, 2, 3)                 42        \n"), s);
        assertTrue(s.contains("Total params: 48\n"), s);
        assertTrue(s.contains("], shape: (1, 4, 3)\n"), s);
        // with return_state the last state is the last row of the sequence; an LSTM's h is its output
        int both = s.indexOf("SimpleRNN(3, return_sequences=True, return_state=True)");
        List<Double> seq = numbersAfter(s, "hidden states : ", both);
        List<Double> last = numbersAfter(s, "last hidden state : ", both);
        assertEquals(12, seq.size(), s);
        assertEquals(seq.subList(seq.size() - 3, seq.size()), last);
        int lstm = s.indexOf("LSTM(3, return_state=True)");
        assertEquals(numbersAfter(s, "hidden state : ", lstm), numbersAfter(s, "last hidden state : ", lstm));
        for (double v : seq) assertTrue(Math.abs(v) <= 1, "tanh outputs: " + seq);
    }

    static void manyToOne(String s) {
        List<double[]> losses = lossPairs(s, "loss: epoch 1");
        assertEquals(2, losses.size(), s);
        for (double[] l : losses) assertTrue(l[1] < l[0] / 10, "the loss falls tenfold: " + l[0] + " -> " + l[1]);
        int m2m = s.indexOf("many-to-many");
        List<Double> one = numbersAfter(s, "model.predict([[[1], [2], [3]]])\n", 0);
        assertEquals(1, one.size());
        assertEquals(4, one.get(0), 0.5, "[1, 2, 3] -> 4");
        List<Double> many = numbersAfter(s, "model.predict([[[1], [2], [3]]])\n", m2m);
        assertEquals(3, many.size(), s);
        for (int t = 0; t < 3; t++) assertEquals(2 + t, many.get(t), 0.5, "[1, 2, 3] -> [2, 3, 4] at step " + t);
    }

    static void sequence(String s) {
        List<Double> losses = new ArrayList<>();
        Matcher m = Pattern.compile("loss after 100 epochs: (\\S+)").matcher(s);
        while (m.find()) losses.add(Double.parseDouble(m.group(1)));
        assertEquals(3, losses.size(), s);
        for (double l : losses) assertTrue(l < 1e-3, "three models fit the six sequences: " + losses);
        int from = 0;
        for (int k = 0; k < 3; k++) {
            from = s.indexOf("model.predict([[[0.0], [0.1], [0.2], [0.3]]])", from) + 1;
            List<Double> p = numbersAfter(s, "]]])\n", from);
            assertEquals(0.4, p.get(0), 0.03, "model " + k + ": 0.0 0.1 0.2 0.3 -> 0.4");
        }
    }

    static void hello(String s) {
        assertTrue(s.contains("outputs: shape (1, 5, 2)"), s);
        assertTrue(s.contains("state: shape (1, 2)"), s);
        List<Double> outs = numbersAfter(s, "outputs: shape (1, 5, 2)\n", 0);
        List<Double> state = numbersAfter(s, "state: shape (1, 2)\n", 0);
        assertEquals(10, outs.size(), s);
        assertEquals(outs.subList(8, 10), state, "the state is the last output");
    }

    static void bidirectional(String s) {
        List<Double> acc = numbersAfter(s, "val_accuracy ", s.lastIndexOf("val_accuracy "));
        assertTrue(acc.get(0) >= 0.9, "finds the marked step (chance 0.2): " + acc);
    }

    static void charLanguageModel(String s) {
        List<double[]> losses = new ArrayList<>();
        Matcher m = Pattern.compile("epoch +\\d+ +loss (\\S+) +accuracy (\\S+)").matcher(s);
        while (m.find()) losses.add(new double[] {Double.parseDouble(m.group(1)), Double.parseDouble(m.group(2))});
        assertTrue(losses.size() >= 2, s);
        double[] last = losses.get(losses.size() - 1);
        assertTrue(last[0] < losses.get(0)[0] && last[0] < 0.05, "the loss falls below 0.05: " + last[0]);
        assertEquals(1.0, last[1], "every next character right");
        assertTrue(s.contains("'hell' -> 'ello'"), s);
        assertTrue(s.contains("generated from 'h': hello"), s);
    }

    static void functional(String s) {
        assertTrue(s.contains(" lstm (LSTM)                 [(None, 5),               140       \n"), s);
        List<Double> y = numbersAfter(s, "y [[", 0), h = numbersAfter(s, "h [[", 0), c = numbersAfter(s, "c [[", 0);
        assertEquals(1, y.size());
        assertEquals(5, h.size());
        assertEquals(5, c.size());
        // h = o * tanh(c) with 0 < o < 1: |h| < |tanh(c)| and the same sign (up to the printed 4 decimals)
        for (int j = 0; j < 5; j++) {
            assertTrue(Math.abs(h.get(j)) <= Math.abs(Math.tanh(c.get(j))) + 1e-4, "h " + h + " c " + c);
            assertTrue(h.get(j) * c.get(j) >= 0, "h " + h + " c " + c);
        }
    }

    static void sine(String s) {
        double[] loss = lossPairs(s, "loss ").get(0);
        assertTrue(loss[1] < loss[0] / 100, "the loss falls a hundredfold: " + loss[0] + " -> " + loss[1]);
        assertTrue(s.contains("reloaded model predicts identically: true"), s);
        Path dir = Path.of(Settings.current().demoOut());
        try {
            List<String> csv = Files.readAllLines(dir.resolve("sine_history.csv"));
            assertEquals("epoch,loss,mae,val_loss,val_mae", csv.get(0));
            assertEquals(loss[0], Double.parseDouble(csv.get(1).split(",")[1]), 1e-4, "the CSV holds the History");
            byte[] png = Files.readAllBytes(dir.resolve("sine_loss.png"));
            assertEquals((byte) 0x89, png[0]);
            assertEquals("PNG", new String(png, 1, 3, StandardCharsets.US_ASCII));
            assertTrue(Files.size(dir.resolve("sine.safetensors")) > 4 * (4 * 16 * (1 + 16 + 1) + 17));
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    static void kerasImport(String s) {
        assertTrue(s.contains(" lstm_1 (LSTM)"), s);
        assertTrue(s.contains("Total params: 10,451"), s);
        Matcher m = Pattern.compile("x = +(\\S+) +predicted +(\\S+) +\\(training target +(\\S+)\\)").matcher(s);
        int n = 0;
        while (m.find()) {
            double x = Double.parseDouble(m.group(1)), p = Double.parseDouble(m.group(2)), y = Double.parseDouble(m.group(3));
            assertTrue(Double.isFinite(x) && Math.abs(p - y) <= KERAS_FIT * Math.max(1, Math.abs(y)),
                    "the trained Keras model predicts near its training target: x " + x + " predicted " + p + " target " + y);
            n++;
        }
        assertEquals(5, n, s);
    }

    /** How close the Keras model's predictions come to its training targets (relative, as trained). */
    private static final double KERAS_FIT = 0.5;

    @Test
    void numpyStyleArrays() {
        assertEquals("[[4.0721]]", Show.array(dev.jrnn.tensor.Tensor.of(new float[] {4.07211f}, 1, 1)));
        assertEquals("[[ 0.5000 -0.2500]\n [10.0000  1.0000]]",
                Show.array(dev.jrnn.tensor.Tensor.of(new float[] {0.5f, -0.25f, 10f, 1f}, 2, 2)));
    }
}
