package dev.jrnn.model;

import dev.jrnn.Jrnn;
import dev.jrnn.layers.BatchNormalization;
import dev.jrnn.layers.Bidirectional;
import dev.jrnn.layers.Concatenate;
import dev.jrnn.layers.Dense;
import dev.jrnn.layers.Dropout;
import dev.jrnn.layers.Embedding;
import dev.jrnn.layers.Flatten;
import dev.jrnn.layers.GRU;
import dev.jrnn.layers.GlobalAveragePooling1D;
import dev.jrnn.layers.LSTM;
import dev.jrnn.layers.Layer;
import dev.jrnn.layers.Node;
import dev.jrnn.layers.SimpleRNN;
import dev.jrnn.layers.Subtract;
import dev.jrnn.layers.TimeDistributed;
import dev.jrnn.optim.Adam;
import dev.jrnn.optim.SGD;
import dev.jrnn.tensor.Tensor;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * summary(SummaryFormat.KERAS_3) against the text Keras 3.15.1 itself printed for the same models (not a terminal:
 * print_fn, COLUMNS=80), written by keras3_summary/make_keras3_summaries.py.
 */
class Keras3SummaryTest {
    @BeforeAll
    static void cpu() {
        Jrnn.setBackend("cpu");
    }

    @BeforeEach
    void fresh() {
        Jrnn.clearSession();
        Jrnn.setSeed(1);
    }

    static String golden(String name) throws IOException {
        try (InputStream in = Keras3SummaryTest.class.getResourceAsStream("keras3_summary/" + name + ".txt")) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    @Test
    void rnnStack() throws IOException {
        Sequential m = new Sequential(Input.shape(5, 3), new LSTM(4).returnSequences(true), new GRU(3), new Dense(2));
        assertEquals(golden("rnn_stack"), m.summaryString(SummaryFormat.KERAS_3));
    }

    @Test
    void embeddingMaskThousandsAndMegabytes() throws IOException {
        Sequential m = new Sequential(Input.shape(7), new Embedding(20000, 128).maskZero(true), new LSTM(256),
                new Dense(10).activation("softmax")).name("text_classifier");
        assertEquals(golden("embedding_mask"), m.summaryString(SummaryFormat.KERAS_3));
    }

    @Test
    void bidirectionalTimeDistributedBatchNormAndAFrozenLayer() throws IOException {
        Layer frozen = new SimpleRNN(5).returnSequences(true).name("frozen_rnn");
        Sequential m = new Sequential(Input.shape(6, 4), frozen, new Bidirectional(new LSTM(5).returnSequences(true)),
                new TimeDistributed(new Dense(3)), new BatchNormalization(), new Dropout(0.1), new Flatten(),
                new Dense(1)).name("tagger");
        frozen.trainable(false);
        assertEquals(golden("bidirectional_frozen"), m.summaryString(SummaryFormat.KERAS_3));
    }

    @Test
    void twoInputsConnectedToAndWrappedCells() throws IOException {
        Input a = Input.shape(5, 3).name("input_a");
        Input b = Input.shape(4, 2).name("input_b");
        Node x = new LSTM(4).returnState(true).name("encoder_lstm").apply(a);
        Node y = new GRU(4).name("a_rather_long_layer_name_that_wraps_in_its_cell").apply(b);
        Node z = new Concatenate().name("joined").apply(x, x.get(1), x.get(2), y);
        Model m = new Model(List.of(a, b), new Dense(1).name("score").apply(z)).name("two_inputs");
        assertEquals(golden("two_inputs"), m.summaryString(SummaryFormat.KERAS_3));
    }

    /** A slice's rank-1 output as Keras' format_shape writes it, "(None)"; a name of no-break spaces wraps at them. */
    @Test
    void rankOneShapeAndNoBreakSpaces() throws IOException {
        Input in = Input.shape(4, 3).name("feats");
        Node d = new Dense(1).name("alpha\u00a0beta\u00a0gamma\u00a0delta\u00a0epsilon\u00a0zeta").apply(in);
        Node last = new dev.jrnn.layers.GetItem(dev.jrnn.layers.GetItem.all(), dev.jrnn.layers.GetItem.index(0),
                dev.jrnn.layers.GetItem.index(0)).apply(d);
        Model m = new Model(in, last).name("rank_one");
        assertEquals(golden("rank_one_nbsp"), m.summaryString(SummaryFormat.KERAS_3));
    }

    /**
     * Keras 3's op layers among the layers (its {@code h[:, -1]}, {@code a + b}, {@code a - b}, {@code a * b}: GetItem and
     * the ops Add, Subtract, Multiply), as jrnn builds them (GetItem, the merge layers Add, Subtract, Multiply, which a
     * Keras file's ops load as): a row each, 0 params, both operands under Connected to, in Keras' order.
     */
    @Test
    void opLayersOfSlicingAndArithmetic() throws IOException {
        Input in = Input.shape(6, 3).name("seq");
        Node h = new LSTM(4).returnSequences(true).name("enc").apply(in);
        Node last = new dev.jrnn.layers.GetItem(dev.jrnn.layers.GetItem.all(), dev.jrnn.layers.GetItem.index(-1)).name("get_item").apply(h);
        Node s = new dev.jrnn.layers.Add().name("add").apply(new Dense(4).name("proj").apply(last), last);
        Node g = new Dense(4).activation("sigmoid").name("gate").apply(last);
        Node out = new Dense(1).name("out").apply(new dev.jrnn.layers.Multiply().name("multiply").apply(new Subtract().name("subtract").apply(s, g), g));
        Model m = new Model(in, out).name("ops");
        assertEquals(golden("op_layers"), m.summaryString(SummaryFormat.KERAS_3));
    }

    @Test
    void functionalSequentialLikeFrozenModel() throws IOException {
        Input in = Input.shape(3, 2).name("series");
        Model m = new Model(in, new Dense(2).name("head").apply(new GRU(8).name("gru").apply(in))).name("forecaster");
        m.trainable(false);
        assertEquals(golden("functional_frozen"), m.summaryString(SummaryFormat.KERAS_3));
    }

    @Test
    void bidirectionalStatesEllipsisAndTwoHeads() throws IOException {
        Input t = Input.shape(9).name("tokens");
        Node e = new Embedding(5000, 16).name("embed").apply(t);
        Node outs = new Bidirectional(new LSTM(8).returnSequences(true).returnState(true)).name("bi_encoder").apply(e);
        Node p = new GlobalAveragePooling1D().name("pool").apply(outs);
        Node c = new Concatenate().name("cat").apply(p, outs.get(1), outs.get(3));
        Model m = new Model(List.of(t), List.of(new Dense(3).activation("softmax").name("label").apply(c),
                new Dense(1).name("value").apply(c))).name("two_heads");
        assertEquals(golden("bidirectional_states_two_heads"), m.summaryString(SummaryFormat.KERAS_3));
    }

    @Test
    void sharedLayerLastShapeEveryCallsInputs() throws IOException {
        Input left = Input.shape(5, 3).name("left"), right = Input.shape(5, 3).name("right");
        Layer enc = new LSTM(4).name("shared_encoder");
        Node d = new Subtract().name("diff").apply(enc.apply(left), enc.apply(right));
        Model m = new Model(List.of(left, right), new Dense(1).name("out").apply(d)).name("siamese");
        assertEquals(golden("shared_layer"), m.summaryString(SummaryFormat.KERAS_3));
    }

    @Test
    void optimizerParamsAfterATrainingStepNotBefore() throws IOException {
        Sequential m = new Sequential(Input.shape(5, 3), new LSTM(4), new Dense(2)).name("trained");
        m.compile(new Adam(0.01), "mse");
        assertEquals(golden("compiled_not_trained"), m.summaryString(SummaryFormat.KERAS_3));
        m.trainOnBatch(Tensor.zeros(2, 5, 3), Tensor.zeros(2, 2));
        assertEquals(golden("trained_adam"), m.summaryString(SummaryFormat.KERAS_3));

        Jrnn.clearSession();
        Sequential g = new Sequential(Input.shape(5, 3), new GRU(3), new Dense(1)).name("trained_sgd");
        g.compile(new SGD(0.1).momentum(0.9), "mse");
        g.trainOnBatch(Tensor.zeros(2, 5, 3), Tensor.zeros(2, 1));
        assertEquals(golden("trained_sgd_momentum"), g.summaryString(SummaryFormat.KERAS_3));
    }

    /**
     * Keras' load of a compiled model builds its optimizer, so the loaded model's summary counts its variables: a stepped
     * plain SGD (no slot; iteration and learning_rate, iteration only under a schedule) and an Adam never stepped (2 + 2
     * per weight); jrnn left the line out for both.
     */
    @Test
    void loadedSlotlessOptimizerCountsItsVariables() throws IOException {
        for (String f : List.of("trained_sgd_plain.keras", "trained_sgd_plain.h5", "trained_sgd_schedule.keras", "loaded_not_trained.keras")) {
            Jrnn.clearSession();
            java.nio.file.Path p;
            try {
                p = java.nio.file.Path.of(Keras3SummaryTest.class.getResource("keras3_summary/" + f).toURI());
            } catch (java.net.URISyntaxException e) {
                throw new IOException(e);
            }
            Model m = Models.load(p);
            assertEquals(golden(f.substring(0, f.indexOf('.'))), m.summaryString(SummaryFormat.KERAS_3), f);
        }
    }

    @Test
    void unbuiltSequential() throws IOException {
        Sequential m = new Sequential().name("unbuilt");
        m.add(new LSTM(4));
        m.add(new Dropout(0.1));
        m.add(new Dense(2));
        assertEquals(golden("unbuilt"), m.summaryString(SummaryFormat.KERAS_3));
        assertTrue(!m.isBuilt(), "Keras 3's summary builds nothing");
    }

    @Test
    void defaultStaysTfKeras2() {
        Sequential m = new Sequential(Input.shape(5, 3), new LSTM(4).returnSequences(true), new GRU(3), new Dense(2));
        assertEquals(m.summaryString(), m.summaryString(SummaryFormat.TF_KERAS_2));
        assertTrue(m.summaryString().startsWith("Model: \"sequential\"\n" + "_".repeat(65)), m.summaryString());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> m.summaryString(null));
        assertTrue(e.getMessage().contains("format") && e.getMessage().contains("null"), e.getMessage());
    }

    /** summary(KERAS_3) to System.out as {@code cs} encodes it: what it printed (and returned), and what summaryString gave. */
    private static String[] printedTo(java.nio.charset.Charset cs, Model m) {
        java.io.PrintStream out = System.out;
        java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();
        try {
            System.setOut(new java.io.PrintStream(bytes, true, cs));
            String returned = m.summary(SummaryFormat.KERAS_3);
            return new String[] {bytes.toString(cs), returned, m.summaryString(SummaryFormat.KERAS_3)};
        } finally {
            System.setOut(out);
        }
    }

    /**
     * A stdout that cannot encode the box characters (US-ASCII: a container without LANG; ISO-8859-1) gets rich's ASCII box,
     * as Keras 3.15.1 prints under PYTHONIOENCODING=ascii (keras3_summary/make_keras3_ascii_summaries.py); it printed "?"
     * for every box character. summaryString keeps the Unicode boxes, and a UTF-8 stdout gets them.
     */
    @Test
    void anAsciiStdoutGetsRichsAsciiBox() throws IOException {
        Sequential seq = new Sequential(Input.shape(4, 2), new LSTM(3), new Dense(1));
        Input a = Input.shape(5, 3).name("a"), b = Input.shape(5, 2).name("b");
        Node h = new Concatenate().name("cat").apply(new GRU(4).name("g").apply(a), new SimpleRNN(2).name("s").apply(b));
        Model two = new Model(List.of(a, b), new Dense(1).name("out").apply(h)).name("two_in");
        // GBK can encode the boxes, but rich goes by the encoding's name (not "utf"): ASCII there too
        for (java.nio.charset.Charset cs : List.of(StandardCharsets.US_ASCII, StandardCharsets.ISO_8859_1, java.nio.charset.Charset.forName("GBK"))) {
            String[] seqOut = printedTo(cs, seq), twoOut = printedTo(cs, two);
            assertEquals(golden("ascii_sequential"), seqOut[0], cs.name());
            assertEquals(golden("ascii_functional"), twoOut[0], cs.name());
            assertEquals(seqOut[0], seqOut[1], "summary returns what it printed");
            assertTrue(seqOut[2].startsWith("Model: \"sequential\"\n┏━━"), seqOut[2]);
        }
        String[] utf8 = printedTo(StandardCharsets.UTF_8, seq);
        assertEquals(utf8[2], utf8[0]);
        assertEquals(utf8[2], utf8[1]);
    }
}
