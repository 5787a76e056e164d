package dev.jrnn.examples;

import dev.jrnn.Jrnn;
import dev.jrnn.data.Sequences;
import dev.jrnn.io.keras.KerasGoldens;
import dev.jrnn.layers.Activation;
import dev.jrnn.layers.BatchNormalization;
import dev.jrnn.layers.Bidirectional;
import dev.jrnn.layers.Dense;
import dev.jrnn.layers.Embedding;
import dev.jrnn.layers.GRU;
import dev.jrnn.layers.LSTM;
import dev.jrnn.layers.Layer;
import dev.jrnn.layers.Masking;
import dev.jrnn.layers.Node;
import dev.jrnn.layers.SimpleRNN;
import dev.jrnn.layers.Softmax;
import dev.jrnn.losses.Losses;
import dev.jrnn.model.FitOptions;
import dev.jrnn.model.History;
import dev.jrnn.model.Input;
import dev.jrnn.model.Model;
import dev.jrnn.model.Sequential;
import dev.jrnn.model.SummaryFormat;
import dev.jrnn.optim.Adam;
import dev.jrnn.optim.SGD;
import dev.jrnn.tensor.Tensor;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static dev.jrnn.io.keras.KerasGoldens.tensor;
import static dev.jrnn.io.keras.KerasGoldens.tensors;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * keras.io's guides "Working with RNNs" and "Understanding masking &amp; padding" as a Keras user ports them to jrnn's
 * Java API, against what Keras 3.15.1 itself computes (keras3_layers/make_rnn_guides.py, jax backend): the Keras 3
 * summaries of the guide's models, then each snippet at tiny sizes with Keras' seeded weights set layer by layer:
 * predictions, states, masks, {@code pad_sequences}, one optimizer step or a short fit. The guides' custom Python layers
 * and cells are out of scope; where a built-in layer does their work (Embedding for CustomEmbedding, Activation for
 * MyActivation, Softmax(axis=1) for TemporalSoftmax, LSTM(mask) for MyLayer), it is checked instead.
 */
class KerasRnnGuidesTest {
    static Map<String, Object> g;

    @BeforeAll
    static void load() throws IOException {
        Jrnn.setBackend("cpu");
        g = KerasGoldens.golden("rnn_guides");
        assertEquals("3.15.1", g.get("keras"));
    }

    private final List<String> bad = new ArrayList<>();

    @AfterEach
    void noDifferences() {
        assertTrue(bad.isEmpty(), () -> String.join("\n", bad));
    }

    @SuppressWarnings("unchecked")
    static Map<String, Object> section(String name) { return (Map<String, Object>) g.get(name); }

    @SuppressWarnings("unchecked")
    static List<Tensor> layerWeights(Map<String, Object> c, String key, String layer) {
        return tensors(((Map<String, Object>) c.get(key)).get(layer));
    }

    /** Each named layer of {@code m} gets the weights Keras' layer of that name had. */
    static void setWeights(Model m, Map<String, Object> c, String key, String... layerNames) {
        for (String n : layerNames) m.getLayer(n).setWeights(layerWeights(c, key, n));
    }

    void same(String what, Object want, Tensor got) {
        if (got == null) bad.add(what + ": none, Keras " + tensor(want));
        else KerasGoldens.compare(what, tensor(want), got, bad);
    }

    void sameAfter(Model m, Map<String, Object> c, String... layerNames) {
        for (String n : layerNames) {
            List<Tensor> want = layerWeights(c, "after", n), got = m.getLayer(n).getWeights();
            for (int i = 0; i < want.size(); i++) KerasGoldens.compare(n + " weight " + i + " after training", want.get(i), got.get(i), 2e-5, bad);
        }
    }

    void sameScalar(String what, double want, double got) {
        if (!(Math.abs(want - got) <= 1e-5 + 1e-5 * Math.abs(want))) bad.add(what + ": " + got + ", Keras " + want);
    }

    // ---------------------------------------------------------------------------------------- Working with RNNs

    /** The guide's models at its sizes, made in its order (default names count as Keras counts them): Keras 3's tables. */
    @Test
    void theGuidesModelsPrintKeras3Summaries() {
        Map<String, Object> want = section("summaries");
        Jrnn.clearSession();
        Sequential model = new Sequential();
        model.add(new Embedding(1000, 64));
        model.add(new LSTM(128));
        model.add(new Dense(10));
        assertEquals(want.get("builtin"), model.summaryString(SummaryFormat.KERAS_3));

        model = new Sequential();
        model.add(new Embedding(1000, 64));
        model.add(new GRU(256).returnSequences(true));
        model.add(new SimpleRNN(128));
        model.add(new Dense(10));
        assertEquals(want.get("outputs"), model.summaryString(SummaryFormat.KERAS_3));

        // jrnn's default names are tf.keras 2's ("model", "input_1"); Keras 3 names these "functional", "input_layer"
        Input encoderInput = Input.shape(-1).name("input_layer");
        Node encoderEmbedded = new Embedding(1000, 64).apply(encoderInput);
        Node encoder = new LSTM(64).returnState(true).name("encoder").apply(encoderEmbedded);
        Input decoderInput = Input.shape(-1).name("input_layer_1");
        Node decoderEmbedded = new Embedding(2000, 64).apply(decoderInput);
        Node decoderOutput = new LSTM(64).name("decoder").apply(List.of(decoderEmbedded, encoder.get(1), encoder.get(2)));
        Model encoderDecoder = new Model(List.of(encoderInput, decoderInput), List.of(new Dense(10).apply(decoderOutput)))
                .name("functional");
        assertEquals(want.get("encoder_decoder"), encoderDecoder.summaryString(SummaryFormat.KERAS_3));

        for (int i = 0; i < 3; i++) new LSTM(64).stateful(true);   // the statefulness sections' layers

        model = new Sequential();
        model.add(new Bidirectional(new LSTM(64).returnSequences(true)).inputShape(5, 10));
        model.add(new Bidirectional(new LSTM(32)));
        model.add(new Dense(10));
        assertEquals(want.get("bidirectional"), model.summaryString(SummaryFormat.KERAS_3));

        for (boolean cudnn : new boolean[] {true, false}) {
            LSTM lstm = cudnn ? new LSTM(64).inputShape(-1, 28) : new LSTM(64).asKerasRnn(true).inputShape(-1, 28);
            model = new Sequential(lstm, new BatchNormalization(), new Dense(10));
            assertEquals(want.get("build_model_" + cudnn), model.summaryString(SummaryFormat.KERAS_3));
        }
    }

    @Test
    void builtInLayersPredictAndFitAsKeras() {
        Map<String, Object> c = section("builtin");
        Tensor x = tensor(c.get("x")), y = tensor(c.get("y"));
        Sequential model = new Sequential(Input.shape(7), new Embedding(30, 4).name("emb"), new LSTM(5).name("lstm"),
                new Dense(3).name("dense"));
        setWeights(model, c, "weights", "emb", "lstm", "dense");
        same("Embedding, LSTM, Dense", c.get("pred"), model.predict(x));
        model.compile(new Adam(0.01), Losses.sparseCategoricalCrossentropy(true), "accuracy");
        History h = model.fit(x, y, new FitOptions().batchSize(4).epochs(2).shuffle(false).verbose(0));
        same("loss per epoch", c.get("loss"), perEpoch(h, "loss"));
        same("accuracy per epoch", c.get("accuracy"), perEpoch(h, "accuracy"));
        sameAfter(model, c, "emb", "lstm", "dense");
    }

    static Tensor perEpoch(History h, String key) {
        List<Double> v = h.get(key);
        float[] f = new float[v.size()];
        for (int i = 0; i < f.length; i++) f[i] = v.get(i).floatValue();
        return Tensor.of(f);
    }

    @Test
    void outputsAndStatesAsKeras() {
        Map<String, Object> c = section("outputs");
        Sequential model = new Sequential(Input.shape(7), new Embedding(30, 4).name("emb"),
                new GRU(6).returnSequences(true).name("gru"), new SimpleRNN(5).name("srnn"), new Dense(3).name("dense"));
        setWeights(model, c, "weights", "emb", "gru", "srnn", "dense");
        same("Embedding, GRU(return_sequences), SimpleRNN, Dense", c.get("pred"), model.predict(tensor(c.get("x"))));

        Tensor xs = tensor(c.get("xs"));
        LSTM lstm = new LSTM(5).returnState(true);
        GRU gru = new GRU(5).returnSequences(true).returnState(true);
        lstm.build(new int[] {7, 4});
        gru.build(new int[] {7, 4});
        lstm.setWeights(layerWeights(c, "state_weights", "lstm_state"));
        gru.setWeights(layerWeights(c, "state_weights", "gru_state"));
        List<Tensor> lo = lstm.callWithStates(xs), go = gru.callWithStates(xs);
        List<Tensor> lw = tensors(c.get("lstm_state")), gw = tensors(c.get("gru_state"));
        assertEquals(lw.size(), lo.size(), "LSTM: output, state_h, state_c");
        assertEquals(gw.size(), go.size(), "GRU: sequence, state");
        for (int i = 0; i < lw.size(); i++) KerasGoldens.compare("LSTM return_state " + i, lw.get(i), lo.get(i), bad);
        for (int i = 0; i < gw.size(); i++) KerasGoldens.compare("GRU return_state " + i, gw.get(i), go.get(i), bad);
    }

    @Test
    void encoderStatesAsTheDecodersInitialStateAsKeras() {
        Map<String, Object> c = section("encoder_decoder");
        Tensor src = tensor(c.get("src")), tgt = tensor(c.get("tgt"));
        Input encoderInput = Input.shape(-1).name("src");
        Node encoder = new LSTM(5).returnState(true).name("encoder").apply(new Embedding(30, 4).name("enc_emb").apply(encoderInput));
        Input decoderInput = Input.shape(-1).name("tgt");
        Node decoderEmbedded = new Embedding(40, 4).name("dec_emb").apply(decoderInput);
        Node decoderOutput = new LSTM(5).name("decoder").apply(List.of(decoderEmbedded, encoder.get(1), encoder.get(2)));
        Model model = new Model(List.of(encoderInput, decoderInput), List.of(new Dense(3).name("dense").apply(decoderOutput)));
        String[] names = {"enc_emb", "encoder", "dec_emb", "decoder", "dense"};
        setWeights(model, c, "weights", names);
        same("decoder output", c.get("pred"), model.predictAll(List.of(src, tgt)).get(0));
        Model states = new Model(List.of(encoderInput), List.of(encoder.get(1), encoder.get(2)));
        List<Tensor> s = states.predictAll(List.of(src)), want = tensors(c.get("states"));
        KerasGoldens.compare("state_h", want.get(0), s.get(0), bad);
        KerasGoldens.compare("state_c", want.get(1), s.get(1), bad);
        model.compile(new SGD(0.1), "mse");
        sameScalar("train_on_batch loss", ((Number) c.get("loss")).doubleValue(),
                model.trainOnBatch(List.of(src, tgt), List.of(Tensor.full(1, 3, 3))));
        sameAfter(model, c, names);
    }

    @Test
    void rnnOverEachCellAndStackedCellsAsKeras() {
        Map<String, Object> c = section("cells");
        Tensor x = tensor(c.get("x"));
        Map<String, Layer> rnns = Map.of("lstm", new LSTM(5).asKerasRnn(true).returnSequences(true),
                "gru", new GRU(5).asKerasRnn(true).returnSequences(true),
                "simple", new SimpleRNN(5).asKerasRnn(true).returnSequences(true));
        for (var e : rnns.entrySet()) {
            @SuppressWarnings("unchecked") Map<String, Object> cell = (Map<String, Object>) c.get(e.getKey());
            Layer rnn = e.getValue();
            rnn.build(new int[] {5, 4});
            rnn.setWeights(tensors(cell.get("weights")));
            same("RNN(" + e.getKey() + " cell)", cell.get("y"), rnn.call(x));
        }
        // RNN([LSTMCell(4), GRUCell(3)], return_sequences, return_state): a stack of layers, each returning its states
        @SuppressWarnings("unchecked") Map<String, Object> st = (Map<String, Object>) c.get("stacked");
        LSTM lower = new LSTM(4).returnSequences(true).returnState(true);
        GRU upper = new GRU(3).returnSequences(true).returnState(true);
        lower.build(new int[] {5, 4});
        upper.build(new int[] {5, 4});
        lower.setWeights(tensors(st.get("lstm")));
        upper.setWeights(tensors(st.get("gru")));
        List<Tensor> lo = lower.callWithStates(x), uo = upper.callWithStates(lo.get(0));
        List<Tensor> want = tensors(st.get("outputs"));
        assertEquals(4, want.size(), "Keras: the top sequence, then each cell's states, bottom first");
        KerasGoldens.compare("stacked cells: sequence", want.get(0), uo.get(0), bad);
        KerasGoldens.compare("stacked cells: LSTM h", want.get(1), lo.get(1), bad);
        KerasGoldens.compare("stacked cells: LSTM c", want.get(2), lo.get(2), bad);
        KerasGoldens.compare("stacked cells: GRU h", want.get(3), uo.get(1), bad);
    }

    @Test
    void crossBatchStatefulnessAsKeras() {
        Map<String, Object> c = section("stateful");
        List<Tensor> paragraphs = tensors(c.get("paragraphs"));
        List<Tensor> outputs = tensors(c.get("outputs"));
        LSTM lstmLayer = new LSTM(5).stateful(true);
        lstmLayer.build(new int[] {3, 6});
        lstmLayer.setWeights(tensors(c.get("weights")));
        for (int k = 0; k < 3; k++) {
            KerasGoldens.compare("output after paragraph " + (k + 1), outputs.get(k), lstmLayer.call(paragraphs.get(k)), bad);
            if (k == 1) {
                List<Tensor> existingState = lstmLayer.states(), want = tensors(c.get("states"));
                for (int i = 0; i < 2; i++) KerasGoldens.compare("states[" + i + "]", want.get(i), existingState.get(i), bad);
                LSTM newLstmLayer = new LSTM(5);
                newLstmLayer.build(new int[] {3, 6});
                newLstmLayer.setWeights(tensors(c.get("reuse_weights")));
                same("new_lstm_layer(paragraph3, initial_state=existing_state)", c.get("reused"),
                        newLstmLayer.callAll(List.of(paragraphs.get(2), existingState.get(0), existingState.get(1))).get(0));
            }
        }
        lstmLayer.resetStates();
        List<Tensor> reset = tensors(c.get("reset_states"));
        for (int i = 0; i < 2; i++) KerasGoldens.compare("reset state " + i, reset.get(i), lstmLayer.states().get(i), bad);
        same("paragraph 1 after reset_states", c.get("after_reset"), lstmLayer.call(paragraphs.get(0)));

        Sequential model = new Sequential(Input.batchShape(2, 3, 6), new LSTM(5).stateful(true).name("lstm"), new Dense(2).name("dense"));
        setWeights(model, c, "model_weights", "lstm", "dense");
        Tensor xm = tensor(c.get("model_x"));
        List<Tensor> preds = tensors(c.get("model_pred"));
        for (int k = 0; k < 2; k++) KerasGoldens.compare("stateful predict " + (k + 1), preds.get(k), model.predict(xm), bad);
        model.resetStates();
        same("stateful predict after reset_states", c.get("model_pred_reset"), model.predict(xm));
    }

    @Test
    void bidirectionalStackAsKeras() {
        Map<String, Object> c = section("bidirectional");
        Tensor x = tensor(c.get("x"));
        Sequential model = new Sequential(Input.shape(5, 3), new Bidirectional(new LSTM(4).returnSequences(true)).name("bi1"),
                new Bidirectional(new LSTM(3)).name("bi2"), new Dense(2).name("dense"));
        setWeights(model, c, "weights", "bi1", "bi2", "dense");
        same("Bidirectional stack", c.get("pred"), model.predict(x));
        model.compile(new Adam(0.01), "mse");
        sameScalar("train_on_batch loss", ((Number) c.get("loss")).doubleValue(), model.trainOnBatch(x, Tensor.full(1, 3, 2)));
        sameAfter(model, c, "bi1", "bi2", "dense");
    }

    static Sequential buildModel(boolean allowCudnnKernel) {
        LSTM lstm = allowCudnnKernel ? new LSTM(6).name("lstm") : new LSTM(6).asKerasRnn(true).name("rnn");
        return new Sequential(Input.shape(-1, 5), lstm, new BatchNormalization().name("bn"), new Dense(4).name("dense"));
    }

    @SuppressWarnings("unchecked")
    @Test
    void lstmAndRnnOverLstmCellTrainAsKeras() {
        Map<String, Object> c = section("build_model");
        Tensor x = tensor(c.get("x")), y = tensor(c.get("y"));
        FitOptions oneEpoch = new FitOptions().batchSize(4).epochs(1).shuffle(false).verbose(0);
        Sequential model = buildModel(true);
        model.setWeights(tensors(c.get("weights")));
        model.compile("sgd", Losses.sparseCategoricalCrossentropy(true), "accuracy");
        History h = model.fit(x, y, oneEpoch);
        List<Number> fit = (List<Number>) c.get("fit");
        sameScalar("loss", fit.get(0).doubleValue(), h.get("loss").get(0));
        sameScalar("accuracy", fit.get(1).doubleValue(), h.get("accuracy").get(0));
        same("predict_on_batch(sample)", c.get("sample_logits"), model.predictOnBatch(x.slice(0, 1)));

        Sequential noncudnn = buildModel(false);
        noncudnn.setWeights(model.getWeights());
        noncudnn.compile("sgd", Losses.sparseCategoricalCrossentropy(true), "accuracy");
        h = noncudnn.fit(x, y, oneEpoch);
        fit = (List<Number>) c.get("fit_noncudnn");
        sameScalar("RNN(LSTMCell) loss", fit.get(0).doubleValue(), h.get("loss").get(0));
        sameScalar("RNN(LSTMCell) accuracy", fit.get(1).doubleValue(), h.get("accuracy").get(0));
        same("RNN(LSTMCell) predict_on_batch(sample)", c.get("noncudnn_logits"), noncudnn.predictOnBatch(x.slice(0, 1)));
    }

    // ------------------------------------------------------------------------------ Understanding masking & padding

    static final List<int[]> RAW_INPUTS = List.of(new int[] {711, 632, 71}, new int[] {73, 8, 3215, 55, 927},
            new int[] {83, 91, 1, 645, 1253, 927});

    @Test
    void padSequencesAsKeras() {
        Map<String, Object> c = section("pad_sequences");
        same("padding post", c.get("post"), Sequences.pad(RAW_INPUTS, -1, "post", "pre", 0));
        same("defaults", c.get("default"), Sequences.pad(RAW_INPUTS));
        same("maxlen 4, truncating post", c.get("maxlen4_post_truncating"), Sequences.pad(RAW_INPUTS, 4, "pre", "post", 0));
        same("maxlen 4, padding post, value -1", c.get("maxlen4_value"), Sequences.pad(RAW_INPUTS, 4, "post", "pre", -1));
    }

    @Test
    void maskGeneratorsGiveKerasMasks() {
        Map<String, Object> c = section("masking");
        Tensor paddedInputs = Sequences.pad(RAW_INPUTS, -1, "post", "pre", 0);
        Embedding embedding = new Embedding(5000, 4).maskZero(true);
        same("Embedding(mask_zero).compute_mask", c.get("compute_mask"), embedding.computeMask(paddedInputs));
        same("embedding(padded)._keras_mask", c.get("embedding_mask"), embedding.call(paddedInputs).kerasMask());
        // the ids tiled to 3 features, as the guide's unmasked_embedding
        float[] ids = paddedInputs.data(), tiled = new float[ids.length * 3];
        for (int i = 0; i < tiled.length; i++) tiled[i] = ids[i / 3];
        Tensor unmaskedEmbedding = Tensor.of(tiled, 3, 6, 3);
        Masking maskingLayer = new Masking();
        same("Masking().compute_mask(x)", c.get("masking_mask"), maskingLayer.computeMask(unmaskedEmbedding));
        same("Masking()(x)._keras_mask", c.get("masking_mask"), maskingLayer.call(unmaskedEmbedding).kerasMask());
        same("Masking()(x)", c.get("masking_output"), maskingLayer.call(unmaskedEmbedding));
    }

    /** A padded id tensor's rows without their zeros, as token lists. */
    static List<int[]> rows(Tensor ids) {
        List<int[]> out = new ArrayList<>();
        int t = ids.shape()[1];
        float[] d = ids.data();
        for (int b = 0; b < ids.shape()[0]; b++) {
            int[] row = new int[t];
            int n = 0;
            for (int k = 0; k < t; k++) if (d[b * t + k] != 0) row[n++] = (int) d[b * t + k];
            out.add(java.util.Arrays.copyOf(row, n));
        }
        return out;
    }

    @Test
    void masksPropagateAsKeras() {
        Map<String, Object> c = section("masking");
        Tensor tok = tensor(c.get("tokens"));
        Sequential seq = new Sequential(Input.shape(6), new Embedding(10, 4).maskZero(true).name("emb"), new LSTM(3).name("lstm"));
        setWeights(seq, c, "weights", "emb", "lstm");
        same("Sequential Embedding(mask_zero), LSTM", c.get("sequential"), seq.predict(tok));
        Tensor pre = Sequences.pad(rows(tok), -1, "pre", "pre", 0);   // pad_sequences' default: leading padding
        same("pre-padded ids", c.get("pre_tokens"), pre);
        same("Sequential on pre-padded ids", c.get("sequential_pre"), seq.predict(pre));
        seq.compile(new Adam(0.01), "mse");
        sameScalar("masked train_on_batch loss", ((Number) c.get("train_loss")).doubleValue(), seq.trainOnBatch(tok, Tensor.full(1, 4, 3)));
        sameAfter(seq, c, "emb", "lstm");

        Input inputs = Input.shape(-1);
        Node x = new Embedding(10, 4).maskZero(true).name("emb").apply(inputs);
        x = new Activation("relu").name("relu").apply(x);   // passes the mask on, as the guide's MyActivation
        Model func = new Model(inputs, new LSTM(3).name("lstm").apply(x));
        setWeights(func, c, "weights", "emb", "lstm");
        same("functional Embedding(mask_zero), relu, LSTM", c.get("functional_relu"), func.predict(tok));
    }

    /**
     * The guide's MyLayer: {@code lstm(x, mask=embedding.compute_mask(inputs))}; and Keras' eager calls, where the mask
     * rides on the tensor ({@code _keras_mask}): {@code lstm(embedding(inputs))} skips the padding without {@code mask=}.
     */
    @Test
    void masksPassedDirectlyAsKeras() {
        Map<String, Object> c = section("masking");
        Embedding embedding = new Embedding(10, 4).maskZero(true);
        LSTM lstm = new LSTM(3);
        embedding.build(new int[] {6});
        lstm.build(new int[] {6, 4});
        embedding.setWeights(layerWeights(c, "weights", "emb"));
        lstm.setWeights(layerWeights(c, "weights", "lstm"));
        Tensor inputs = tensor(c.get("explicit_x"));
        Tensor x = embedding.call(inputs);
        Tensor mask = embedding.computeMask(inputs);
        same("embedding.compute_mask(inputs)", c.get("explicit_mask"), mask);
        same("lstm(x, mask=mask)", c.get("explicit"), lstm.call(x, mask));
        same("lstm(embedding(inputs)): the mask on the tensor", c.get("explicit"), lstm.call(x));
        same("lstm(x, mask=a hand-made mask)", c.get("hand"), lstm.call(x, tensor(c.get("hand_mask"))));
        // with initial states, as Keras 3's lstm(x, initial_state=[h0, c0]): the mask on x is not taken, an explicit one is
        Tensor h0 = tensor(c.get("h0")), c0 = tensor(c.get("c0"));
        same("lstm(x, initial_state=[h0, c0])", c.get("initial_attached"), lstm.callAll(List.of(x, h0, c0)).get(0));
        same("lstm(x, initial_state=[h0, c0], mask=mask)", c.get("initial_explicit"), lstm.callAll(List.of(x, h0, c0), mask).get(0));
        same("lstm(a plain array): no mask", c.get("unmasked"), lstm.call(x.withKerasMask(null)));
        Tensor relu = new Activation("relu").call(x);
        same("relu(embedding(inputs))._keras_mask", c.get("eager_relu_mask"), relu.kerasMask());
        Tensor chained = lstm.call(relu);
        same("lstm(relu(embedding(inputs)))", c.get("eager_chain"), chained);
        assertEquals(c.get("eager_chain_has_mask"), chained.kerasMask() != null, "an LSTM without return_sequences passes no mask");
    }

    /** Keras' eager call of a layer of several inputs takes each input's mask: Add keeps a step either keeps, Attention leaves padded keys out. */
    @Test
    void eachInputsMaskInDirectCallsAsKeras() {
        Map<String, Object> c = section("masking");
        Embedding embedding = new Embedding(10, 4).maskZero(true);
        embedding.build(new int[] {5});
        embedding.setWeights(layerWeights(c, "weights", "emb"));
        Tensor a = embedding.call(tensor(c.get("ta"))), b = embedding.call(tensor(c.get("tb"))), v = embedding.call(tensor(c.get("tv")));
        Tensor added = new dev.jrnn.layers.Add().callAll(List.of(a, b)).get(0);
        same("Add()([a, b])", c.get("add"), added);
        same("Add()([a, b])._keras_mask", c.get("add_mask"), added.kerasMask());
        Tensor attended = new dev.jrnn.layers.Attention().callAll(List.of(a, v)).get(0);
        same("Attention()([q, v])", c.get("attention"), attended);
        same("Attention()([q, v])._keras_mask", c.get("attention_mask"), attended.kerasMask());
        // ids with an inner axis: Embedding's (batch, sentences, words) mask reaches TimeDistributed(LSTM)'s words
        dev.jrnn.layers.TimeDistributed td = new dev.jrnn.layers.TimeDistributed(new LSTM(2));
        td.build(new int[] {3, 4, 4});
        td.setWeights(tensors(c.get("td_weights")));
        same("TimeDistributed(LSTM)(embedding(ids))", c.get("td"), td.call(embedding.call(tensor(c.get("td_ids")))));
    }

    /** The guide's TemporalSoftmax is Softmax(axis=1) over Dense(1) scores given the mask (Keras 3.15.1 refuses it). */
    @Test
    void softmaxOverTheStepsSkipsMaskedSteps() {
        Map<String, Object> c = section("masking");
        assertTrue(((String) c.get("softmax_refused")).startsWith("The `mask` must be broadcastable to `inputs`."));
        Input inputs = Input.shape(-1);
        Node x = new Embedding(10, 4).maskZero(true).name("emb").apply(inputs);
        x = new Dense(1).name("score").apply(x);
        Model model = new Model(inputs, new Softmax(1).apply(x));
        setWeights(model, c, "weights", "emb");
        model.getLayer("score").setWeights(tensors(c.get("score_weights")));
        same("Softmax(axis=1) with the mask", c.get("temporal_softmax"), model.predict(tensor(c.get("tokens"))));
    }

    /**
     * {@code layer.compute_mask(x, mask)} of the built-in layers as Keras 3.15.1 gives it, but for Conv1D: Keras' base
     * compute_mask returns the mask though Conv1D's call drops it; jrnn's is the mask the output carries (none).
     */
    @Test
    void computeMaskAsKeras() {
        Map<String, Object> c = section("compute_mask");
        Tensor x = tensor(c.get("x")), mask = tensor(c.get("mask"));
        Map<String, Layer> layers = new java.util.LinkedHashMap<>();
        layers.put("dense", new Dense(2));
        layers.put("gap", new dev.jrnn.layers.GlobalAveragePooling1D());
        layers.put("lstm_seq", new LSTM(2).returnSequences(true));
        layers.put("lstm", new LSTM(2));
        layers.put("lstm_state", new LSTM(2).returnSequences(true).returnState(true));
        layers.put("bi_seq", new Bidirectional(new GRU(2).returnSequences(true)));
        layers.put("bi", new Bidirectional(new GRU(2)));
        layers.put("masking", new Masking());
        layers.put("td", new dev.jrnn.layers.TimeDistributed(new Dense(2)));
        layers.put("dropout", new dev.jrnn.layers.Dropout(0.5));
        layers.put("stateful_seq", new LSTM(2).stateful(true).returnSequences(true));
        for (var e : layers.entrySet()) {
            Tensor got = e.getValue().computeMask(x, mask);
            Object want = c.get(e.getKey());
            if (want == null) assertEquals(null, got, e.getKey() + ": no mask");
            else same(e.getKey() + ".compute_mask", want, got);
        }
        assertEquals(false, c.get("conv_output_mask"));
        Tensor convOut = new dev.jrnn.layers.Conv1D(2, 2).padding("same").call(new Masking().call(x.withKerasMask(null)), mask);
        assertEquals(null, convOut.kerasMask(), "Conv1D drops the mask, as its Keras call");
        assertEquals(null, new dev.jrnn.layers.Conv1D(2, 2).padding("same").computeMask(x, mask));
    }
}
