package dev.jrnn.model;

import dev.jrnn.layers.Node;
import dev.jrnn.Jrnn;
import dev.jrnn.layers.Concatenate;
import dev.jrnn.layers.Dense;
import dev.jrnn.layers.GRU;
import dev.jrnn.layers.LSTM;
import dev.jrnn.layers.SimpleRNN;
import dev.jrnn.optim.Adam;
import dev.jrnn.tensor.Tensor;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class FunctionalTest {
    @BeforeAll
    static void cpu() {
        Jrnn.setBackend("cpu");
    }

    @BeforeEach
    void fresh() {
        Jrnn.clearSession();
        Jrnn.setSeed(3);
    }

    static Tensor random(SplittableRandom r, int... shape) {
        float[] d = new float[(int) Tensor.size(shape)];
        for (int i = 0; i < d.length; i++) d[i] = (float) r.nextDouble(-1, 1);
        return Tensor.of(d, shape);
    }

    @Test
    void predictNeverDropsOutputs() {
        Input in = Input.shape(3, 1);
        Node seq = new LSTM(5).returnState(true).apply(in);
        Model m = new Model(in, List.of(new Dense(1).apply(seq), seq.get(1)));
        Tensor x = random(new SplittableRandom(2), 4, 3, 1);
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> m.predict(x));
        assertTrue(e.getMessage().contains("has 2 outputs") && e.getMessage().contains("predictAll(x)"), e.getMessage());
        List<Tensor> all = m.predictAll(x);
        assertEquals(2, all.size());
        assertArrayEquals(m.predictAll(List.of(x), 32, null).get(1).toArray(), all.get(1).toArray());
        assertArrayEquals(new int[] {4, 1}, all.get(0).shape());
        // a one-output model: predict and predictAll(Tensor) agree
        Model one = new Model(in, seq.get(1));
        assertArrayEquals(one.predict(x).toArray(), one.predictAll(x).get(0).toArray());
    }

    /**
     * Keras' {@code decoder_model.predict([target_seq] + states)} and {@code model.evaluate([enc, dec], y)}: several inputs
     * with Keras' default batch size of 32, as the one-input forms have; 70 samples run as batches of 32, 32 and 6.
     */
    @Test
    void severalInputsPredictAndEvaluateInBatchesOf32ByDefault() {
        Input a = Input.shape(3, 2), b = Input.shape(2);
        Node seq = new LSTM(4).returnState(true).apply(a);
        Model m = new Model(List.of(a, b), List.of(new Dense(1).apply(new Concatenate().apply(seq.get(1), b)), seq.get(2)));
        m.compile(new Adam(0.01), List.of("mse", "mse"));
        SplittableRandom r = new SplittableRandom(4);
        List<Tensor> xs = List.of(random(r, 70, 3, 2), random(r, 70, 2)), ys = List.of(random(r, 70, 1), random(r, 70, 4));
        List<Tensor> want = m.predictAll(xs, 32, null), got = m.predictAll(xs);
        for (int k = 0; k < 2; k++) assertArrayEquals(want.get(k).toArray(), got.get(k).toArray());
        assertEquals(m.evaluateAll(xs, ys, 32, null), m.evaluateAll(xs, ys));
    }

    @Test
    void twoLayersOfOneNameAreRefused() {
        Input in = Input.shape(3, 1);
        Node h = new LSTM(4).name("x").apply(in);
        Node out = new Dense(1).name("x").apply(h);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new Model(in, out));
        assertTrue(e.getMessage().contains("\"x\" is used by two layers, LSTM and Dense"), e.getMessage());

        // a Sequential refuses the second name at once, as Keras' add (session 22; it failed at summary or predict before)
        IllegalArgumentException se = assertThrows(IllegalArgumentException.class,
                () -> new Sequential(new LSTM(4).name("y").inputShape(3, 1), new Dense(1).name("y")));
        assertTrue(se.getMessage().contains("got 'y' (Dense), already the name of y (LSTM)"), se.getMessage());
    }

    @Test
    void lstmWithStatesFeedingDenseGivesThreeOutputs() {
        Input in = Input.shape(3, 1).name("input");
        Node seq = new LSTM(5).returnState(true).apply(in);
        Node out = new Dense(1).apply(seq);
        Model m = new Model(in, List.of(out, seq.get(1), seq.get(2)));
        Tensor x = random(new SplittableRandom(1), 4, 3, 1);
        List<Tensor> p = m.predictAll(List.of(x), 32, null);
        assertEquals(3, p.size());
        assertArrayEquals(new int[] {4, 1}, p.get(0).shape());
        assertArrayEquals(new int[] {4, 5}, p.get(1).shape());
        assertArrayEquals(new int[] {4, 5}, p.get(2).shape());
        // the Dense output is h · kernel + bias (h = the LSTM's last output = its state h)
        List<Tensor> w = m.getWeights();
        Tensor k = w.get(3), b = w.get(4);
        for (int s = 0; s < 4; s++) {
            double v = b.get(0);
            for (int j = 0; j < 5; j++) v += p.get(1).get(s, j) * k.get(j, 0);
            assertEquals(v, p.get(0).get(s, 0), 1e-5);
        }
        // train only the Dense output: the state outputs get no target
        m.compile(new Adam(0.05), "mse");
        Tensor y = random(new SplittableRandom(2), 4, 1);
        History h = m.fit(List.of(x), Arrays.asList(y, null, null), new FitOptions().epochs(30).batchSize(4).verbose(0));
        assertTrue(h.last("loss") < h.get("loss").get(0) / 2, h.toString());
        assertFalse(h.history().containsKey("dense_loss"));
    }

    @Test
    void encoderStatesSeedADecoderAndReceiveGradients() {
        Input enc = Input.shape(4, 2);
        Input dec = Input.shape(3, 2);
        Node encOut = new LSTM(6).returnState(true).name("encoder").apply(enc);
        Node decOut = new LSTM(6).returnSequences(true).name("decoder").apply(List.of(dec, encOut.get(1), encOut.get(2)));
        Node out = new Dense(2).apply(decOut);
        Model m = new Model(List.of(enc, dec), List.of(out));
        assertEquals(List.of("input_1", "input_2", "encoder", "decoder", "dense"), m.layers().stream().map(l -> l.name()).toList());
        m.compile(new Adam(0.01), "mse");
        SplittableRandom r = new SplittableRandom(4);
        Tensor xe = random(r, 8, 4, 2), xd = random(r, 8, 3, 2), y = random(r, 8, 3, 2);
        Tensor encKernel = m.getLayer("encoder").getWeights().get(0);
        m.fit(List.of(xe, xd), List.of(y), new FitOptions().epochs(1).batchSize(8).verbose(0));
        // the encoder's output y is unused: only the states carry gradient into it
        assertNotEquals(Arrays.toString(encKernel.toArray()), Arrays.toString(m.getLayer("encoder").getWeights().get(0).toArray()));
        String s = m.summaryString();
        assertTrue(s.contains("Connected to"), s);
        assertTrue(s.contains("['input_2[0][0]',"), s);
        assertTrue(s.contains("'encoder[0][1]',"), s);
    }

    @Test
    void sharedLayerIsCountedOnceAndGradientsAdd() {
        Input a = Input.shape(2);
        Input b = Input.shape(2);
        Dense shared = new Dense(1).useBias(false);
        Node ya = shared.apply(a);
        Node yb = shared.apply(b);
        Model m = new Model(List.of(a, b), List.of(ya, yb));
        assertEquals(2, m.countParams());
        assertEquals(1, m.getWeights().size());
        // one SGD step: dL/dk = sum over both outputs
        m.compile(new dev.jrnn.optim.SGD(0.5), "mse");
        m.setWeights(List.of(Tensor.of(new float[] {1, -1}, 2, 1)));
        Tensor xa = Tensor.of(new float[][] {{1, 2}}), xb = Tensor.of(new float[][] {{3, 0}});
        Tensor t0 = Tensor.of(new float[][] {{0}}), t1 = Tensor.of(new float[][] {{0}});
        m.fit(List.of(xa, xb), List.of(t0, t1), new FitOptions().epochs(1).batchSize(1).verbose(0).shuffle(false));
        // ya = 1 - 2 = -1, yb = 3; grads 2*ya*xa + 2*yb*xb = (-2, -4) + (18, 0) = (16, -4)
        Tensor k = m.getWeights().get(0);
        assertEquals(1 - 0.5 * 16, k.get(0, 0), 1e-5);
        assertEquals(-1 - 0.5 * -4, k.get(1, 0), 1e-5);
    }

    @Test
    void disconnectedGraphAndBadInputsAreRejected() {
        Input a = Input.shape(3, 1);
        Input b = Input.shape(3, 1);
        Node y = new SimpleRNN(2).apply(b);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new Model(a, y));
        assertTrue(e.getMessage().contains("graph disconnected"), e.getMessage());
        Model ok = new Model(b, y);
        IllegalArgumentException shape = assertThrows(IllegalArgumentException.class,
                () -> ok.predict(Tensor.zeros(2, 3, 4)));
        assertEquals("model_1.predict: x has shape (2, 3, 4), the model expects (None, 3, 1)", shape.getMessage());
        assertTrue(assertThrows(IllegalArgumentException.class, () -> new Model(y, y)).getMessage()
                .contains("output 0 is an intermediate input itself"));
        IllegalStateException nc = assertThrows(IllegalStateException.class, () -> ok.fit(Tensor.zeros(2, 3, 1), Tensor.zeros(2, 2), 1, 1));
        assertTrue(nc.getMessage().contains("compile"), nc.getMessage());
        ok.compile("adam", "mse");
        IllegalArgumentException ty = assertThrows(IllegalArgumentException.class,
                () -> ok.fit(Tensor.zeros(2, 3, 1), Tensor.zeros(2, 3), new FitOptions().verbose(0)));
        assertTrue(ty.getMessage().contains("needs 2 per sample"), ty.getMessage());
    }

    @Test
    void twoInputsToOneOutputPredictTheSameInEveryBatchSize() {
        // Keras: Model(inputs=[a, b], outputs=out); predict's batches (1, a prime, more than the data) change nothing
        Input a = Input.shape(4, 2).name("a");
        Input b = Input.shape(3, 3).name("b");
        Node out = new Dense(2).apply(new Concatenate().apply(List.of(new LSTM(3).apply(a), new GRU(2).apply(b))));
        Model m = new Model(List.of(a, b), out);
        assertEquals(List.of(a, b), m.inputs());
        SplittableRandom r = new SplittableRandom(4);
        Tensor xa = random(r, 11, 4, 2), xb = random(r, 11, 3, 3);
        Tensor whole = m.predictAll(List.of(xa, xb), 11, null).get(0);
        assertArrayEquals(new int[] {11, 2}, whole.shape());
        for (int batch : new int[] {1, 3, 7, 64}) assertEquals(whole, m.predictAll(List.of(xa, xb), batch, null).get(0), "batch " + batch);
        Tensor last = m.predictAll(List.of(xa.slice(-1, 11), xb.slice(-1, 11)), 1, null).get(0);
        assertEquals(whole.slice(-1, 11), last);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> m.predictAll(List.of(xb, xa), 4, null));
        assertTrue(e.getMessage().contains("x[0] (a) has shape (11, 3, 3)") && e.getMessage().contains("(None, 4, 2)"), e.getMessage());
    }

    /** Keras' get_layer(index=i) (negative from the end, as Python's list), and a null name named as such. */
    @Test
    void getLayerByIndexAndByName() {
        Input in = Input.shape(3, 1).name("x");
        Model m = new Model(in, new Dense(1).name("out").apply(new LSTM(2).name("rnn").apply(in)));
        assertEquals(List.of("x", "rnn", "out"), List.of(m.getLayer(0).name(), m.getLayer(1).name(), m.getLayer(-1).name()));
        assertEquals("rnn", m.getLayer(-2).name());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> m.getLayer(3));
        assertEquals(m.name() + ".getLayer: was asked for the layer at index 3 but the model has 3 layers (index in [-3, 3))", e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> m.getLayer(-4));
        e = assertThrows(IllegalArgumentException.class, () -> m.getLayer((String) null));
        assertTrue(e.getMessage().contains("getLayer: the layer name is null"), e.getMessage());
        Sequential s = new Sequential(new LSTM(2).inputShape(3, 1), new Dense(1).name("head"));
        assertEquals("head", s.getLayer(1).name());   // a Sequential lists no InputLayer, as Keras'
    }

    /**
     * Keras 3's Model(inputs=h, outputs=out) from an intermediate tensor (clone_graph_nodes): a new Input of h's shape,
     * the layers between applied again there with the same weights, the original graph left as it was. jrnn refused it
     * ("inputs must be Input nodes").
     */
    @Test
    void aModelFromAnIntermediateNodeClonesTheGraphFromThere() {
        Input in = Input.shape(3, 2);
        Node h = new LSTM(2).name("enc").apply(in);
        Dense mid = new Dense(2).name("mid"), top = new Dense(1).name("top");
        Node out = top.apply(mid.apply(h));
        Model full = new Model(in, out);
        mid.setWeights(List.of(Tensor.of(new float[] {1, -1, 0.5f, 2}, 2, 2), Tensor.of(new float[] {0.1f, 0}, 2)));
        top.setWeights(List.of(Tensor.of(new float[] {2, -3}, 2, 1), Tensor.of(new float[] {0.5f}, 1)));
        Tensor x = random(new SplittableRandom(3), 4, 3, 2);
        float[] before = full.predict(x).toArray();
        Model head = new Model(h, out);
        assertEquals(3, head.layers().size());
        assertTrue(head.layers().get(0) instanceof InputLayer);
        assertEquals(List.of("mid", "top"), List.of(head.layers().get(1).name(), head.layers().get(2).name()));
        assertArrayEquals(new int[] {2}, head.inputs().get(0).shape());
        // by hand: [h0, h1] -> mid [h0 + 0.5 h1 + 0.1, -h0 + 2 h1] -> top 2 m0 - 3 m1 + 0.5
        Tensor hx = Tensor.of(new float[] {1, 0, 0.5f, -2}, 2, 2);
        float[] p = head.predict(hx).toArray();
        assertEquals(2 * 1.1 - 3 * -1 + 0.5, p[0], 1e-6);
        assertEquals(2 * (0.5 - 1 + 0.1) - 3 * (-0.5 - 4) + 0.5, p[1], 1e-6);
        // the same layers: the full model is as it was, and training the head moves the full model's weights
        assertArrayEquals(before, full.predict(x).toArray());
        head.compile(new dev.jrnn.optim.SGD(0.1), "mse");
        head.trainOnBatch(hx, Tensor.of(new float[] {0, 0}, 2, 1));
        assertFalse(Arrays.equals(before, full.predict(x).toArray()));
        assertArrayEquals(head.getLayer("top").getWeights().get(0).toArray(), top.getWeights().get(0).toArray());
    }

    /**
     * Every output keeps its own log entries, even where two outputs' names would clash: Keras 3's output_names (the
     * layers' names: lstm, lstm, lstm_1) made unique as tf.keras' _set_output_names (lstm, lstm_1, lstm_1_1). jrnn named
     * a layer's several outputs by index before (lstm_1, lstm_2 for the states).
     */
    @Test
    void outputLogNamesAreUnique() {
        Input in = Input.shape(3, 2);
        Node enc = new LSTM(2).returnState(true).apply(in);   // lstm: its states log as lstm and lstm_1
        Node other = new LSTM(2).apply(in);                    // lstm_1, taken: lstm_1_1
        Model m = new Model(in, List.of(enc.get(1), enc.get(2), other));
        m.compile(new dev.jrnn.optim.SGD(0.1), "mse");
        SplittableRandom r = new SplittableRandom(5);
        Tensor x = random(r, 4, 3, 2), a = random(r, 4, 2), b = random(r, 4, 2), c = random(r, 4, 2);
        java.util.Map<String, Double> logs = m.evaluateAll(List.of(x), List.of(a, b, c), 4, null);
        assertEquals(List.of("loss", "lstm_1_1_loss", "lstm_1_loss", "lstm_loss"), List.copyOf(logs.keySet()));
        List<Tensor> p = m.predictAll(x);
        double[] want = new double[3];
        Tensor[] ys = {a, b, c};
        for (int k = 0; k < 3; k++) {
            for (int i = 0; i < 8; i++) want[k] += Math.pow(p.get(k).data()[i] - ys[k].data()[i], 2) / 8;
        }
        assertEquals(want[0], logs.get("lstm_loss"), 1e-6);
        assertEquals(want[1], logs.get("lstm_1_loss"), 1e-6);
        assertEquals(want[2], logs.get("lstm_1_1_loss"), 1e-6);
        assertEquals(want[0] + want[1] + want[2], logs.get("loss"), 1e-6);
        // one node listed twice as an output
        Node d = new Dense(2).apply(other);
        Model twice = new Model(in, List.of(d, d));
        twice.compile(new dev.jrnn.optim.SGD(0.1), "mse");
        assertEquals(3, twice.evaluateAll(List.of(x), List.of(a, b), 4, null).size());
    }

    /** Keras lists layers by depth: an input that joins deep in the graph comes after the layers before the join. */
    @Test
    void layersAreListedByDepthAsKerasListsThem() {
        Input a = Input.shape(5, 3).name("a"), b = Input.shape(4).name("b");
        Node c = new Concatenate().apply(new LSTM(6).name("enc").apply(a), b);
        Model m = new Model(List.of(a, b), List.of(new Dense(2).name("out1").apply(c), new Dense(1).name("out2").apply(c)));
        assertEquals(List.of("a", "enc", "b", "concatenate", "out1", "out2"), m.layers().stream().map(l -> l.name()).toList());
    }

    /** Keras' model(x): a model called on new nodes applies its layers there, sharing their weights (a siamese encoder). */
    @Test
    void aModelCalledOnNewNodesSharesItsLayers() {
        Input in = Input.shape(5, 3);
        Model encoder = new Model(in, new Dense(4).apply(new LSTM(6).apply(in)));
        Input a = Input.shape(5, 3).name("a"), b = Input.shape(5, 3).name("b");
        Node both = new Concatenate().apply(encoder.apply(a), encoder.apply(b));
        Model siamese = new Model(List.of(a, b), new Dense(1).apply(both));
        assertEquals(encoder.countParams() + 8 + 1, siamese.countParams());   // the encoder's weights once
        SplittableRandom r = new SplittableRandom(6);
        Tensor xa = random(r, 3, 5, 3), xb = random(r, 3, 5, 3);
        Tensor ea = encoder.predict(xa), eb = encoder.predict(xb), out = siamese.predictAll(List.of(xa, xb), 32, null).get(0);
        List<Tensor> head = siamese.getLayer(-1).getWeights();
        for (int s = 0; s < 3; s++) {
            double v = head.get(1).get(0);
            for (int j = 0; j < 4; j++) v += ea.get(s, j) * head.get(0).get(j, 0) + eb.get(s, j) * head.get(0).get(4 + j, 0);
            assertEquals(v, out.get(s, 0), 1e-5);
        }
        // training the outer model trains the encoder's weights
        Tensor before = encoder.getWeights().get(0);
        siamese.compile(new Adam(0.05), "mse");
        siamese.fit(List.of(xa, xb), List.of(random(r, 3, 1)), new FitOptions().epochs(1).batchSize(3).verbose(0));
        assertNotEquals(before, encoder.getWeights().get(0));
        // a Sequential too, built for the node it is called on; shapes and counts are checked
        Sequential seq = new Sequential(new SimpleRNN(2), new Dense(1));
        assertEquals("(None, 1)", seq.apply(Input.shape(4, 3)).shapeString());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> encoder.apply(Input.shape(5, 2)));
        assertEquals(encoder.name() + ".apply: the input has shape (None, 5, 2), the model expects (None, 5, 3)", e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> siamese.apply(a));
        assertEquals(siamese.name() + ".apply: expected 2 input node(s), got 1", e.getMessage());
        Model two = new Model(in, List.of(encoder.outputs().get(0), in));
        assertThrows(IllegalStateException.class, () -> two.apply(a));
        assertEquals(2, two.applyAll(List.of(a)).size());
    }

    /**
     * {@code new Model(Map, ...)}, Keras' {@code keras.Model({"price": a, "kind": b}, out)}: the inputs in sorted-key order,
     * a Map x read by the keys (the Inputs are named otherwise), the same tensors by position in that order giving the
     * same outputs; its JSON keeps the dict (Keras 3's input_layers {key: ref}), so {@code fromJson} and {@code cloneModel}
     * read by the keys again. A model of Input nodes reads by the names, as before.
     */
    @Test
    void aModelMadeFromADictOfInputsReadsAMapXByItsKeys() {
        Input a = Input.shape(2).name("price_in"), b = Input.shape(2).name("kind_in");
        Node out = new Dense(1).apply(new Concatenate().apply(List.of(a, new Dense(2).apply(b))));
        SplittableRandom r = new SplittableRandom(5);
        Tensor price = random(r, 3, 2), kind = random(r, 3, 2);
        try (Model m = new Model(Map.of("price", a, "kind", b), out); Model list = new Model(List.of(a, b), out)) {
            assertFalse(list.dictInputs());
            assertEquals(List.of("price_in", "kind_in"), list.inputNames());
            assertEquals(List.of(b, a), m.inputs());
            assertEquals(List.of("kind", "price"), m.inputNames());
            assertTrue(m.dictInputs() && m.singleOutput() && !m.singleInput());
            float[] byKey = m.predictAll(Map.of("price", price, "kind", kind)).get(0).toArray();
            assertArrayEquals(m.predictAll(List.of(kind, price)).get(0).toArray(), byKey);
            assertTrue(m.toJson().contains("\"input_layers\": {\"kind\": [\"kind_in\", 0, 0], \"price\": [\"price_in\", 0, 0]}"), m.toJson());
            for (Model again : List.of(Models.fromJson(m.toJson()), Models.cloneModel(m))) {
                try (again) {
                    again.setWeights(m.getWeights());
                    assertEquals(List.of("kind", "price"), again.inputNames());
                    assertArrayEquals(byKey, again.predictAll(Map.of("price", price, "kind", kind)).get(0).toArray());
                }
            }
        }
    }

    /**
     * {@code new Model(i, Map)}, Keras' {@code keras.Model(i, {"price": y, "kind": z})}: the outputs in sorted-key order,
     * maps by output read by the keys (the layers are named otherwise) and the logs named by them, as Keras names them
     * ({@code price_loss}); the loss is Keras' mean squared error and binary crossentropy of the predictions, computed
     * here in float64. Its JSON keeps the dict (output_layers {key: ref}, sorted), so {@code fromJson} and
     * {@code cloneModel} read by the keys again. From a dict of inputs too ({@code new Model(Map, Map)}).
     */
    @Test
    void aModelMadeToADictOfOutputsReadsMapsByOutputByItsKeys() {
        Input in = Input.shape(3).name("inp");
        Node y = new Dense(2).name("alpha").apply(in), z = new Dense(1).activation("sigmoid").name("zeta").apply(in);
        SplittableRandom r = new SplittableRandom(11);
        Tensor x = random(r, 4, 3), yPrice = random(r, 4, 2), yKind = Tensor.of(new float[] {0, 1, 1, 0}, 4, 1);
        try (Model m = new Model(in, Map.of("price", y, "kind", z)); Model both = new Model(Map.of("q", in), Map.of("price", y, "kind", z))) {
            assertEquals(List.of(z, y), m.outputs());
            assertEquals(List.of("kind", "price"), m.outputNames());
            assertTrue(m.dictOutputs() && m.singleInput() && !m.singleOutput() && !m.dictInputs());
            assertTrue(both.dictOutputs() && both.dictInputs());
            assertEquals(List.of("kind", "price"), both.outputNames());
            m.compile("sgd", Map.of("price", "mse", "kind", "binary_crossentropy"));
            List<Tensor> p = m.predictAll(List.of(x));
            double mse = 0, bce = 0;
            for (int i = 0; i < 8; i++) mse += Math.pow(p.get(1).data()[i] - yPrice.data()[i], 2) / 8;
            for (int i = 0; i < 4; i++) {
                double q = Math.min(Math.max(p.get(0).data()[i], 1e-7), 1 - 1e-7), t = yKind.data()[i];
                bce -= (t * Math.log(q) + (1 - t) * Math.log(1 - q)) / 4;
            }
            Map<String, Double> logs = m.evaluateAll(Map.of("inp", x), Map.of("price", yPrice, "kind", yKind));
            assertEquals(java.util.Set.of("loss", "kind_loss", "price_loss"), logs.keySet());
            assertEquals(mse, logs.get("price_loss"), 1e-6);
            assertEquals(bce, logs.get("kind_loss"), 1e-6);
            assertEquals(mse + bce, logs.get("loss"), 1e-6);
            assertTrue(m.toJson().contains("\"output_layers\": {\"kind\": [\"zeta\", 0, 0], \"price\": [\"alpha\", 0, 0]}"), m.toJson());
            for (Model again : List.of(Models.fromJson(m.toJson()), Models.cloneModel(m))) {
                try (again) {
                    again.setWeights(m.getWeights());
                    assertEquals(List.of("kind", "price"), again.outputNames());
                    assertTrue(again.dictOutputs(), again.toJson());
                    assertArrayEquals(p.get(1).toArray(), again.predictAll(List.of(x)).get(1).toArray());
                }
            }
        }
    }

    /**
     * {@code new Model(List, Map)}, Keras' {@code keras.Model([a, b], {"b_out": y, "a_out": z})}: the inputs a list (a
     * List x in their order), the outputs the dict's in sorted-key order, maps by output read by the keys; a .keras and an
     * .h5 save load back as the same dict-output model, predicting and evaluating alike.
     */
    @Test
    void aModelOfAListOfInputsToADictOfOutputsRoundTrips(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) throws Exception {
        Input a = Input.shape(3).name("a"), b = Input.shape(2).name("b");
        Node cat = new Concatenate().apply(a, b);
        Node y = new Dense(2).name("alpha").apply(cat), z = new Dense(1).activation("sigmoid").name("zeta").apply(cat);
        SplittableRandom r = new SplittableRandom(5);
        List<Tensor> xs = List.of(random(r, 4, 3), random(r, 4, 2));
        Map<String, Tensor> ys = Map.of("b_out", random(r, 4, 2), "a_out", Tensor.of(new float[] {0, 1, 1, 0}, 4, 1));
        try (Model m = new Model(List.of(a, b), Map.of("b_out", y, "a_out", z))) {
            assertEquals(List.of(z, y), m.outputs());
            assertEquals(List.of("a_out", "b_out"), m.outputNames());
            assertEquals(List.of("a", "b"), m.inputNames());
            assertTrue(m.dictOutputs() && !m.dictInputs() && !m.singleInput() && !m.singleOutput());
            m.compile("sgd", Map.of("b_out", "mse", "a_out", "binary_crossentropy"), Map.of("b_out", 2.0, "a_out", 0.5));
            List<Tensor> p = m.predictAll(xs);
            Map<String, Double> logs = m.evaluateAll(xs, ys);
            assertEquals(java.util.Set.of("loss", "a_out_loss", "b_out_loss"), logs.keySet());
            assertEquals(0.5 * logs.get("a_out_loss") + 2.0 * logs.get("b_out_loss"), logs.get("loss"), 1e-5);
            for (String ext : List.of(".keras", ".h5")) {
                java.nio.file.Path f = dir.resolve("m" + ext);
                m.save(f);
                try (Model back = Models.load(f)) {
                    assertTrue(back.dictOutputs() && !back.dictInputs(), ext);
                    assertEquals(List.of("a_out", "b_out"), back.outputNames(), ext);
                    assertEquals(List.of("zeta", "alpha"), back.outputs().stream().map(n -> n.layer().name()).toList(), ext);
                    assertTrue(back.isCompiled(), ext);
                    List<Tensor> q = back.predictAll(xs);
                    for (int i = 0; i < 2; i++) assertArrayEquals(p.get(i).toArray(), q.get(i).toArray(), ext);
                    Map<String, Double> again = back.evaluateAll(xs, ys);
                    assertEquals(logs.keySet(), again.keySet(), ext);
                    for (String k : logs.keySet()) assertEquals(logs.get(k), again.get(k), 1e-6, ext + " " + k);
                }
            }
        }
    }
}
