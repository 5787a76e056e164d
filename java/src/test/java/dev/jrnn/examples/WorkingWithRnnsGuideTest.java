package dev.jrnn.examples;

import dev.jrnn.Jrnn;
import dev.jrnn.layers.BatchNormalization;
import dev.jrnn.layers.Bidirectional;
import dev.jrnn.layers.Dense;
import dev.jrnn.layers.Embedding;
import dev.jrnn.layers.GRU;
import dev.jrnn.layers.LSTM;
import dev.jrnn.layers.Masking;
import dev.jrnn.layers.Node;
import dev.jrnn.layers.SimpleRNN;
import dev.jrnn.losses.Losses;
import dev.jrnn.model.FitOptions;
import dev.jrnn.model.History;
import dev.jrnn.model.Input;
import dev.jrnn.model.Model;
import dev.jrnn.model.Sequential;
import dev.jrnn.optim.SGD;
import dev.jrnn.tensor.Tensor;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static dev.jrnn.examples.TutorialReference.close;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * keras.io's guide "Working with RNNs" (keras-io {@code guides/working_with_rnns.py}), ported section by section as a
 * Keras user would write it with jrnn. References: the summary tables the guide prints ({@code guides/md/working_with_rnns.md},
 * tf.keras 2 output), and a float64 torch replay of Keras 3's semantics ({@code tutorials/make_rnn_guide_reference.py});
 * weights, ids and data come from an integer formula both sides compute ({@link #hashed}), the MNIST model trains on 16
 * such "images" instead of MNIST. Not ported: the guide's last section, a custom cell over nested inputs ({@code
 * RNN(NestedCell(...))}): jrnn's cells are its three built-in ones (see GUIDE, "Keras options jrnn does not support").
 */
class WorkingWithRnnsGuideTest {
    /** float32 forward passes against float64: ~1e-6 relative; one SGD epoch of two steps too. */
    static final double TOL = 2e-5;
    static Map<String, Tensor> ref;

    @BeforeAll
    static void load() throws IOException {
        Jrnn.setBackend("cpu");
        ref = TutorialReference.load("rnn_guide");
    }

    /** make_rnn_guide_reference.py's hashed(): values in [lo, hi] on a grid of 2001 from a multiplicative hash of the index. */
    static Tensor hashed(int seed, double lo, double hi, int... shape) {
        int n = 1;
        for (int d : shape) n *= d;
        float[] out = new float[n];
        for (int i = 0; i < n; i++) out[i] = (float) (lo + (hi - lo) * (hash(seed, i) % 2001) / 2000.0);
        return Tensor.of(out, shape);
    }

    /** make_rnn_guide_reference.py's ids(): token ids below {@code vocab}. */
    static Tensor ids(int seed, int vocab, int... shape) {
        int n = 1;
        for (int d : shape) n *= d;
        float[] out = new float[n];
        for (int i = 0; i < n; i++) out[i] = hash(seed, i) % vocab;
        return Tensor.of(out, shape);
    }

    private static long hash(int seed, long i) {
        return Math.floorMod(i * 2654435761L + seed * 97531L, 4294967296L) >> 8;
    }

    /** The replay's w(): weights in [-scale, scale]. */
    static Tensor w(int seed, double scale, int... shape) { return hashed(seed, -scale, scale, shape); }

    static Tensor w(int seed, int... shape) { return w(seed, 0.3, shape); }

    /** An LSTM's kernel, recurrent kernel and bias from seeds seed, seed + 1, seed + 2 (the replay's lstm_w). */
    static List<Tensor> lstmW(int seed, int in, int units) {
        return List.of(w(seed, in, 4 * units), w(seed + 1, units, 4 * units), w(seed + 2, 4 * units));
    }

    static List<Tensor> concat(List<?>... parts) {
        List<Tensor> all = new ArrayList<>();
        for (List<?> p : parts) for (Object o : p) all.add((Tensor) o);
        return all;
    }

    // ------------------------------------------------------------------------------------------------ summaries

    /** A summary table's rows, each as its cells (name and type, output shape, params, connected to), wrapped lines joined. */
    static List<List<String>> rows(String table) {
        String[] lines = table.split("\n");
        int start = 0;
        while (!lines[start].startsWith("===")) start++;
        int functional = lines[start].length() > 65 ? 1 : 0;
        int[] cuts = functional == 1 ? new int[] {0, 32, 53, 65, 98} : new int[] {0, 29, 55, 65};
        List<List<String>> rows = new ArrayList<>();
        List<StringBuilder> cur = null;
        for (int i = start + 1; !lines[i].startsWith("==="); i++) {
            String l = lines[i];
            if (l.isBlank() || l.startsWith("___")) {
                cur = null;
                continue;
            }
            if (cur == null) {
                cur = new ArrayList<>();
                for (int c = 1; c < cuts.length; c++) cur.add(new StringBuilder());
                List<StringBuilder> row = cur;
                rows.add(new java.util.AbstractList<>() {
                    public String get(int k) { return row.get(k).toString(); }
                    public int size() { return row.size(); }
                });
            }
            for (int c = 1; c < cuts.length; c++) {
                String cell = l.length() <= cuts[c - 1] ? "" : l.substring(cuts[c - 1], Math.min(l.length(), cuts[c])).trim();
                if (cell.isEmpty()) continue;
                StringBuilder b = cur.get(c - 1);
                if (!b.isEmpty() && c > 1) b.append(' ');
                b.append(cell);
            }
        }
        return rows;
    }

    /** The layers a "Connected to" cell names: tf.keras 2.2's bare {@code input_1[0][0]} or 2.9's {@code ['input_1[0][0]']}. */
    static List<String> connections(String cell) {
        List<String> out = new ArrayList<>();
        Matcher m = Pattern.compile("([A-Za-z0-9_]+\\[\\d+]\\[\\d+])").matcher(cell);
        while (m.find()) out.add(m.group(1));
        return out;
    }

    /**
     * jrnn's table against the guide's printed one: the model's name, each row's cells (a cell the guide's tf.keras 2.2
     * cut at its column width, e.g. {@code bidirectional (Bidirectional}, as a prefix), the totals.
     */
    static void sameTable(String guide, String jrnn) {
        assertEquals(guide.lines().findFirst().orElseThrow(), jrnn.lines().findFirst().orElseThrow(), "model name");
        List<List<String>> want = rows(guide), got = rows(jrnn);
        assertEquals(want.size(), got.size(), () -> "rows of\n" + jrnn);
        int[] widths = want.get(0).size() == 4 ? new int[] {32, 21, 12, 33} : new int[] {29, 26, 10};
        for (int r = 0; r < want.size(); r++) {
            for (int c = 0; c < want.get(r).size(); c++) {
                String w = want.get(r).get(c), g = got.get(r).get(c);
                String what = "row " + r + " cell " + c + " of\n" + jrnn;
                if (c == 3) assertEquals(connections(w), connections(g), what);
                else if (w.length() >= widths[c] - 2) assertTrue(g.startsWith(w), what + "\nexpected to start with: " + w);
                else assertEquals(w, g, what);
            }
        }
        List<String> totals = guide.lines().filter(l -> l.contains(" params: ")).toList();
        assertEquals(totals, jrnn.lines().filter(l -> l.contains(" params: ")).toList());
    }

    static final String SUMMARY_LSTM = """
            Model: "sequential"
            _________________________________________________________________
            Layer (type)                 Output Shape              Param #  \s
            =================================================================
            embedding (Embedding)        (None, None, 64)          64000    \s
            _________________________________________________________________
            lstm (LSTM)                  (None, 128)               98816    \s
            _________________________________________________________________
            dense (Dense)                (None, 10)                1290     \s
            =================================================================
            Total params: 164,106
            Trainable params: 164,106
            Non-trainable params: 0
            _________________________________________________________________
            """;

    static final String SUMMARY_GRU = """
            Model: "sequential_1"
            _________________________________________________________________
            Layer (type)                 Output Shape              Param #  \s
            =================================================================
            embedding_1 (Embedding)      (None, None, 64)          64000    \s
            _________________________________________________________________
            gru (GRU)                    (None, None, 256)         247296   \s
            _________________________________________________________________
            simple_rnn (SimpleRNN)       (None, 128)               49280    \s
            _________________________________________________________________
            dense_1 (Dense)              (None, 10)                1290     \s
            =================================================================
            Total params: 361,866
            Trainable params: 361,866
            Non-trainable params: 0
            _________________________________________________________________
            """;

    static final String SUMMARY_ENCODER_DECODER = """
            Model: "model"
            __________________________________________________________________________________________________
            Layer (type)                    Output Shape         Param #     Connected to                    \s
            ==================================================================================================
            input_1 (InputLayer)            [(None, None)]       0                                           \s
            __________________________________________________________________________________________________
            input_2 (InputLayer)            [(None, None)]       0                                           \s
            __________________________________________________________________________________________________
            embedding_2 (Embedding)         (None, None, 64)     64000       input_1[0][0]                   \s
            __________________________________________________________________________________________________
            embedding_3 (Embedding)         (None, None, 64)     128000      input_2[0][0]                   \s
            __________________________________________________________________________________________________
            encoder (LSTM)                  [(None, 64), (None,  33024       embedding_2[0][0]               \s
            __________________________________________________________________________________________________
            decoder (LSTM)                  (None, 64)           33024       embedding_3[0][0]               \s
                                                                             encoder[0][1]                   \s
                                                                             encoder[0][2]                   \s
            __________________________________________________________________________________________________
            dense_2 (Dense)                 (None, 10)           650         decoder[0][0]                   \s
            ==================================================================================================
            Total params: 258,698
            Trainable params: 258,698
            Non-trainable params: 0
            __________________________________________________________________________________________________
            """;

    static final String SUMMARY_BIDIRECTIONAL = """
            Model: "sequential_2"
            _________________________________________________________________
            Layer (type)                 Output Shape              Param #  \s
            =================================================================
            bidirectional (Bidirectional (None, 5, 128)            38400    \s
            _________________________________________________________________
            bidirectional_1 (Bidirection (None, 64)                41216    \s
            _________________________________________________________________
            dense_3 (Dense)              (None, 10)                650      \s
            =================================================================
            Total params: 80,266
            Trainable params: 80,266
            Non-trainable params: 0
            _________________________________________________________________
            """;

    /** The guide's four models, built in its order (Keras' default names count across it) with the tables it prints. */
    @Test
    void theGuidesModelsPrintTheGuidesSummaries() {
        Jrnn.clearSession();
        // Built-in RNN layers: a simple example
        Sequential model = new Sequential();
        model.add(new Embedding(1000, 64));   // no input shape: tf.keras 2's Embedding declares (None,)
        model.add(new LSTM(128));
        model.add(new Dense(10));
        sameTable(SUMMARY_LSTM, model.summaryString());

        // Outputs and states
        model = new Sequential();
        model.add(new Embedding(1000, 64));
        model.add(new GRU(256).returnSequences(true));
        model.add(new SimpleRNN(128));
        model.add(new Dense(10));
        sameTable(SUMMARY_GRU, model.summaryString());

        sameTable(SUMMARY_ENCODER_DECODER, encoderDecoder().summaryString());

        // Cross-batch statefulness makes layers of its own: lstm_1, lstm_2, lstm_3 (no summary)
        for (int i = 0; i < 3; i++) new LSTM(64);

        // Bidirectional RNNs
        model = new Sequential();
        model.add(new Bidirectional(new LSTM(64).returnSequences(true)).inputShape(5, 10));
        model.add(new Bidirectional(new LSTM(32)));
        model.add(new Dense(10));
        sameTable(SUMMARY_BIDIRECTIONAL, model.summaryString());
    }

    /**
     * An Embedding whose next layers need a fixed length stays unbuilt for summary, as before (fit builds it), and the
     * refusal is decided from the shapes alone (a trial build had moved the seeded stream).
     */
    @Test
    void anEmbeddingFlattenDenseStackStaysUnbuiltUntilFit() {
        Sequential model = new Sequential(new Embedding(10, 4), new dev.jrnn.layers.Flatten(), new Dense(1));
        IllegalStateException e = assertThrows(IllegalStateException.class, model::summaryString);
        assertTrue(e.getMessage().startsWith("This model has not yet been built."), e.getMessage());
        assertEquals(false, model.isBuilt());
        // the refused summary drew no weights: a seeded model builds the same weights with or without it
        dev.jrnn.Jrnn.setSeed(7);
        Sequential a = new Sequential(new Embedding(50, 4), new dev.jrnn.layers.Flatten(), new Dense(2));
        assertThrows(IllegalStateException.class, a::summaryString);
        a.build(6);
        dev.jrnn.Jrnn.setSeed(7);
        Sequential b = new Sequential(new Embedding(50, 4), new dev.jrnn.layers.Flatten(), new Dense(2));
        b.build(6);
        assertEquals(b.getWeights(), a.getWeights());
        // a summary built for ids of any length, a later build for a fixed length is that build (tf.keras 2)
        Sequential c = new Sequential(new Embedding(50, 4), new LSTM(3));
        assertTrue(c.summaryString().contains("(None, None, 4)"), c.summaryString());
        c.build(10);
        assertEquals(true, c.isBuilt());
        model.compile("sgd", "mse");
        model.fit(Tensor.zeros(2, 3), Tensor.zeros(2, 1), new FitOptions().epochs(1).verbose(0));
        assertTrue(model.summaryString().contains("(None, 12)"), model.summaryString());
    }

    // ------------------------------------------------------------------------------------------------ numbers

    /** The encoder-decoder of "Outputs and states": the encoder's two states are the decoder's initial_state. */
    static Model encoderDecoder() {
        Input encoderInput = Input.shape(-1);
        Node encoderEmbedded = new Embedding(1000, 64).apply(encoderInput);
        // Return states in addition to output: output, state_h, state_c
        Node encoder = new LSTM(64).returnState(true).name("encoder").apply(encoderEmbedded);
        List<Node> encoderState = List.of(encoder.get(1), encoder.get(2));

        Input decoderInput = Input.shape(-1);
        Node decoderEmbedded = new Embedding(2000, 64).apply(decoderInput);
        // Pass the 2 states to a new LSTM layer, as initial state
        List<Node> decoderArgs = new ArrayList<>(List.of(decoderEmbedded));
        decoderArgs.addAll(encoderState);
        Node decoderOutput = new LSTM(64).name("decoder").apply(decoderArgs);
        Node output = new Dense(10).apply(decoderOutput);
        return new Model(List.of(encoderInput, decoderInput), List.of(output));
    }

    @Test
    void builtInLayersComputeKerasNumbers() {
        Tensor x = ids(1, 1000, 3, 7);
        close("ids", ref.get("ids"), x, 0);
        Sequential model = new Sequential(new Embedding(1000, 64), new LSTM(128), new Dense(10));
        model.build(-1);
        model.setWeights(concat(List.of(w(10, 0.5, 1000, 64)), lstmW(11, 64, 128), List.of(w(14, 128, 10), w(15, 10))));
        close("Embedding, LSTM(128), Dense(10)", ref.get("lstm_model"), model.predict(x), TOL);

        Sequential gru = new Sequential(new Embedding(1000, 64), new GRU(256).returnSequences(true), new SimpleRNN(128), new Dense(10));
        gru.build(-1);
        gru.setWeights(List.of(w(20, 0.5, 1000, 64), w(21, 64, 768), w(22, 256, 768), w(23, 2, 768),
                w(24, 256, 128), w(25, 128, 128), w(26, 128), w(27, 128, 10), w(28, 10)));
        close("Embedding, GRU(256, return_sequences), SimpleRNN(128), Dense(10)", ref.get("gru_model"), gru.predict(x), TOL);
    }

    @Test
    void outputsAndStatesShapesAsTheGuideSays() {
        Tensor x = hashed(5, -1, 1, 4, 7, 3);
        // the last output (batch, units); return_sequences: (batch, timesteps, units)
        assertArrayEquals(new int[] {4, 16}, new LSTM(16).call(x).shape());
        assertArrayEquals(new int[] {4, 7, 16}, new GRU(16).returnSequences(true).call(x).shape());
        // return_state: LSTM has 2 state tensors, GRU only one
        List<Tensor> lstm = new LSTM(16).returnState(true).callWithStates(x);
        assertEquals(3, lstm.size());
        for (Tensor t : lstm) assertArrayEquals(new int[] {4, 16}, t.shape());
        List<Tensor> gru = new GRU(16).returnSequences(true).returnState(true).callWithStates(x);
        assertEquals(2, gru.size());
        assertArrayEquals(new int[] {4, 7, 16}, gru.get(0).shape());
        assertArrayEquals(new int[] {4, 16}, gru.get(1).shape());
        // the last output of an LSTM is its h state
        close("output = state_h", lstm.get(1), lstm.get(0), 0);
    }

    @Test
    void encoderStatesInitializeTheDecoderAsKeras() {
        Tensor src = ids(2, 1000, 3, 6), tgt = ids(3, 2000, 3, 4);
        close("src", ref.get("src"), src, 0);
        close("tgt", ref.get("tgt"), tgt, 0);
        Model model = encoderDecoder();
        // weights in the order of the model's layers: the two embeddings, encoder, decoder, dense
        model.setWeights(concat(List.of(w(30, 0.5, 1000, 64), w(31, 0.5, 2000, 64)), lstmW(32, 64, 64), lstmW(35, 64, 64),
                List.of(w(38, 64, 10), w(39, 10))));
        close("seq2seq", ref.get("seq2seq"), model.predictAll(List.of(src, tgt)).get(0), TOL);
        // the encoder's states as outputs of their own model
        Model encoder = new Model(model.inputs().get(0), model.getLayer("encoder").calls().get(0).outputs().subList(1, 3));
        List<Tensor> states = encoder.predictAll(List.of(src));
        close("state_h", ref.get("enc_h"), states.get(0), TOL);
        close("state_c", ref.get("enc_c"), states.get(1), TOL);
    }

    @Test
    void rnnOverLstmCellIsLstm() {
        // RNN(LSTMCell(10)) produces the same result as LSTM(10): jrnn's LSTM(10).asKerasRnn(true)
        Tensor x = hashed(7, -1, 1, 2, 5, 3);
        LSTM cell = new LSTM(10).asKerasRnn(true);
        LSTM lstm = new LSTM(10);
        cell.build(new int[] {5, 3});
        lstm.build(new int[] {5, 3});
        lstm.setWeights(cell.getWeights());
        close("RNN(LSTMCell(10)) = LSTM(10)", lstm.call(x), cell.call(x), 0);
        assertEquals("RNN", cell.kerasClass());
        assertTrue(cell.name().startsWith("rnn"), cell.name());
    }

    static Tensor paragraph(int k) { return hashed(40 + k, 0, 1, 20, 10, 50); }

    @Test
    void crossBatchStatefulnessAndStateReuse() {
        LSTM lstmLayer = new LSTM(64).stateful(true);
        lstmLayer.build(new int[] {10, 50});
        lstmLayer.setWeights(lstmW(43, 50, 64));
        Tensor want = ref.get("stateful_out");
        for (int k = 0; k < 3; k++) {
            Tensor output = lstmLayer.call(paragraph(k));
            close("output after paragraph " + (k + 1), want.slice(k, k + 1).reshape(20, 64), output, TOL);
            if (k == 1) {
                // RNN state reuse: existing_state = lstm_layer.states (not among the weights)
                List<Tensor> existingState = lstmLayer.states();
                assertEquals(3, lstmLayer.getWeights().size());
                close("states[0]", ref.get("state_h2"), existingState.get(0), TOL);
                close("states[1]", ref.get("state_c2"), existingState.get(1), TOL);
                LSTM newLstmLayer = new LSTM(64);
                newLstmLayer.build(new int[] {10, 50});
                newLstmLayer.setWeights(lstmW(46, 50, 64));
                // new_lstm_layer(paragraph3, initial_state=existing_state)
                Tensor newOutput = newLstmLayer.callAll(List.of(paragraph(2), existingState.get(0), existingState.get(1))).get(0);
                close("new_output", ref.get("reused"), newOutput, TOL);
            }
        }
        // reset_states(): zero states, so paragraph 1 gives its first output again
        lstmLayer.resetStates();
        for (Tensor s : lstmLayer.states()) close("reset state", new float[20 * 64], s.toArray(), 0);
        close("paragraph 1 after reset_states", want.slice(0, 1).reshape(20, 64), lstmLayer.call(paragraph(0)), TOL);
    }

    @Test
    void bidirectionalMergesTheReversedBackwardSequence() {
        Tensor x = hashed(60, -1, 1, 3, 5, 10);
        close("x", ref.get("bi_x"), x, 0);
        Sequential model = new Sequential();
        model.add(new Bidirectional(new LSTM(64).returnSequences(true)).inputShape(5, 10));
        model.add(new Bidirectional(new LSTM(32)));
        model.add(new Dense(10));
        model.setWeights(concat(lstmW(61, 10, 64), lstmW(64, 10, 64), lstmW(67, 128, 32), lstmW(70, 128, 32),
                List.of(w(73, 64, 10), w(74, 10))));
        close("Bidirectional stack", ref.get("bi_stack"), model.predict(x), TOL);

        // Keras' Bidirectional docstring: a custom backward_layer
        LSTM forwardLayer = new LSTM(10).returnSequences(true);
        LSTM backwardLayer = new LSTM(10).activation("relu").returnSequences(true).goBackwards(true);
        Sequential custom = new Sequential(Input.shape(5, 10), new Bidirectional(forwardLayer, backwardLayer),
                new Dense(5).activation("softmax"));
        custom.setWeights(concat(lstmW(75, 10, 10), lstmW(78, 10, 10), List.of(w(81, 20, 5), w(82, 5))));
        close("Bidirectional(backward_layer=...)", ref.get("bi_backward_layer"), custom.predict(x), TOL);
    }

    /** The guide's build_model: LSTM(64) or RNN(LSTMCell(64)) on (None, 28), BatchNormalization, Dense(10). */
    static Sequential buildModel(boolean allowCudnnKernel) {
        LSTM lstmLayer = new LSTM(64).inputShape(-1, 28);
        if (!allowCudnnKernel) lstmLayer = new LSTM(64).asKerasRnn(true).inputShape(-1, 28);
        return new Sequential(lstmLayer, new BatchNormalization(), new Dense(10));
    }

    @Test
    void cudnnAndNonCudnnModelsTrainAlikeAndKerasNumbers() {
        Tensor x = hashed(50, 0, 1, 16, 28, 28);
        Tensor y = ids(51, 10, 16);
        close("labels", ref.get("mnist_y"), y, 0);
        FitOptions oneEpoch = new FitOptions().batchSize(8).epochs(1).shuffle(false).verbose(0);

        Sequential model = buildModel(true);
        model.setWeights(concat(lstmW(52, 28, 64), List.of(Tensor.full(1, 64), Tensor.zeros(64), Tensor.zeros(64),
                Tensor.full(1, 64), w(55, 64, 10), w(56, 10))));
        model.compile(new SGD(), Losses.sparseCategoricalCrossentropy(true), "accuracy");
        History h = model.fit(x, y, oneEpoch);
        Tensor first = ref.get("first_fit");
        close("loss", first.slice(0, 1), h.get("loss"), TOL);
        close("accuracy", first.slice(1, 2), h.get("accuracy"), 0);

        // The same CuDNN-enabled model runs inference on the CPU
        Sequential cpuModel = buildModel(true);
        cpuModel.setWeights(model.getWeights());
        Tensor sample = x.slice(0, 1);
        close("cpu_model.predict_on_batch(sample)", ref.get("sample_logits").reshape(1, 10), cpuModel.predictOnBatch(sample), TOL);

        Sequential noncudnnModel = buildModel(false);
        noncudnnModel.setWeights(model.getWeights());
        noncudnnModel.compile(new SGD(), Losses.sparseCategoricalCrossentropy(true), "accuracy");
        History h2 = noncudnnModel.fit(x, y, oneEpoch);
        Tensor second = ref.get("second_fit");
        close("non-CuDNN loss", second.slice(0, 1), h2.get("loss"), TOL);
        close("non-CuDNN accuracy", second.slice(1, 2), h2.get("accuracy"), 0);
        close("non-CuDNN model after fit", ref.get("noncudnn_logits").reshape(1, 10), noncudnnModel.predictOnBatch(sample), TOL);
        assertEquals("rnn (RNN)", rows(noncudnnModel.summaryString()).get(0).get(0).replaceAll("_\\d+", ""));
        // hand count: 4 * 64 * (28 + 64) + 4 * 64 weights in LSTM and RNN(LSTMCell) alike; BatchNormalization 4 * 64
        assertEquals(List.of("23808", "256", "650"), rows(noncudnnModel.summaryString()).stream().map(r -> r.get(2)).toList());
    }

    /** Each default the guide says leaves Keras' CuDNN path, changed: jrnn computes them all, with Keras' numbers. */
    @Test
    void theOptionsOffTheCudnnPathComputeKerasNumbers() {
        Tensor x = hashed(90, -1, 1, 3, 5, 4);
        close("x", ref.get("off_x"), x, 0);
        Tensor k = w(91, 4, 32), r = w(92, 8, 32), b = w(93, 32);
        // activation, recurrent_activation, use_bias=False, unroll=True
        LSTM options = new LSTM(8).activation("relu").recurrentActivation("hard_sigmoid").useBias(false).unroll(true);
        options.build(new int[] {5, 4});
        options.setWeights(List.of(k, r));
        close("activation, recurrent_activation, use_bias, unroll", ref.get("off_options"), options.call(x), TOL);

        // masking of data that is not strictly right padded: 2 and 1 leading zero steps
        float[] xm = x.toArray();
        Arrays.fill(xm, 0, 2 * 4, 0f);
        Arrays.fill(xm, 5 * 4, 6 * 4, 0f);
        Sequential masked = new Sequential(new Masking(0.0).inputShape(5, 4), new LSTM(8));
        masked.setWeights(List.of(k, r, b));
        close("left-padded mask", ref.get("off_left_padded"), masked.predict(Tensor.of(xm, 3, 5, 4)), TOL);

        // recurrent_dropout > 0: none at inference
        Sequential dropped = new Sequential(new LSTM(8).recurrentDropout(0.2).inputShape(5, 4));
        dropped.setWeights(List.of(k, r, b));
        close("recurrent_dropout at inference", ref.get("off_recurrent_dropout"), dropped.predict(x), TOL);
    }
}
