package dev.jrnn.model;

import dev.jrnn.Jrnn;
import dev.jrnn.layers.Dense;
import dev.jrnn.layers.Embedding;
import dev.jrnn.layers.LSTM;
import dev.jrnn.layers.SimpleRNN;
import dev.jrnn.layers.Node;
import dev.jrnn.layers.TimeDistributed;
import dev.jrnn.losses.Losses;
import dev.jrnn.optim.SGD;
import dev.jrnn.tensor.Tensor;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class InputCheckTest {
    @BeforeAll
    static void cpu() {
        Jrnn.setBackend("cpu");
    }

    @BeforeEach
    void fresh() {
        Jrnn.clearSession();
    }

    private static String fails(Runnable r) {
        return assertThrows(IllegalArgumentException.class, r::run).getMessage();
    }

    /**
     * Only an output whose targets are read by their shape ("accuracy" without a loss) or as class indices needs its
     * targets' values checked per batch (a Dataset's later batches); one whose metrics read dense targets ("mse") does not
     * (it was checked for nothing before).
     */
    @Test
    void readsTargetsOnlyWhereTheirValuesAreClassIndicesOrMayBe() {
        Input in = Input.shape(3);
        Model m = new Model(in, List.of(new Dense(2).name("a").apply(in), new Dense(1).name("b").apply(in)));
        m.compile("sgd", java.util.Arrays.asList(null, "mse"), List.of(List.of("mse"), List.of()));
        assertTrue(!m.check().readsTargets(), "dense targets only");
        m.compile("sgd", java.util.Arrays.asList(null, "mse"), List.of(List.of("accuracy"), List.of()));
        assertTrue(m.check().readsTargets(), "accuracy by the targets' shape");
        m.compile("sgd", java.util.Arrays.asList(null, "mse"), List.of(List.of("sparse_categorical_accuracy"), List.of()));
        assertTrue(m.check().readsTargets(), "class indices");
        m.close();
    }

    @Test
    void acceptsFittingDataAndKeepsEveryRow() {
        Input in = Input.shape(3, 2);
        Node out = new Dense(1).apply(new LSTM(4).apply(in));
        InputCheck c = new InputCheck("m", Graph.of("m", List.of(in), List.of(out)), List.of(Losses.of("mse")), (k, yShape, outShape) -> Losses.of("mse"), k -> false);
        Data d = c.prepare(List.of(Tensor.zeros(5, 3, 2)), List.of(Tensor.zeros(5, 1)), new int[] {3, 2, 1, 0, 3}, "fit", true, true);
        assertArrayEquals(new int[] {0, 1, 2, 3, 4}, d.rows());
        assertArrayEquals(new int[] {2, 3}, d.subset(2, 4).rows());
        assertArrayEquals(new int[] {3, 2, 1, 0, 3}, d.lengths());
    }

    /** As Keras' functional models (Functional._adjust_input_rank): an input one rank off in a trailing axis of 1 is taken. */
    @Test
    void takesAnInputOneRankOffInATrailingOne() {
        Jrnn.setSeed(4);
        Sequential m = new Sequential(new SimpleRNN(3).inputShape(4, 1), new Dense(1));
        float[] v = {0.1f, -0.2f, 0.3f, 0.4f, -0.5f, 0.6f, 0.7f, -0.8f};
        Tensor flat = Tensor.of(v, 2, 4), full = Tensor.of(v, 2, 4, 1), y = Tensor.of(new float[] {1, -1}, 2, 1);
        assertArrayEquals(m.predict(full).toArray(), m.predict(flat).toArray());   // Keras: x (2, 4) for input (None, 4, 1)
        m.compile(new SGD(0.1), "mse");
        assertEquals(m.evaluate(full, y), m.evaluate(flat, y));
        m.fit(flat, y, new FitOptions().epochs(1).batchSize(2).verbose(0).validationData(flat, y));
        // an extra trailing 1: x (2, 3, 1) for input (None, 3)
        Input in = Input.shape(3);
        Model d = new Model(in, new Dense(2).apply(in));
        float[] u = {1, 2, 3, 4, 5, 6};
        assertArrayEquals(d.predict(Tensor.of(u, 2, 3)).toArray(), d.predict(Tensor.of(u, 2, 3, 1)).toArray());
        // anything else is still refused, naming the shape as given; NaN at the caller's index
        assertEquals("sequential.predict: x has shape (2, 4, 2), the model expects (None, 4, 1)",
                fails(() -> m.predict(Tensor.zeros(2, 4, 2))));
        assertEquals("sequential.predict: x has shape (2, 2), the model expects (None, 4, 1)",
                fails(() -> m.predict(Tensor.zeros(2, 2))));
        float[] nan = v.clone();
        nan[6] = Float.NaN;
        assertEquals("sequential.fit: x holds NaN at (1, 2)", fails(() -> m.fit(Tensor.of(nan, 2, 4), y, new FitOptions().verbose(0))));
    }

    @Test
    void namesWhatIsWrongWithTheData() {
        Input in = Input.shape(3, 2);
        Node out = new Dense(2).apply(new LSTM(4).apply(in));
        InputCheck c = new InputCheck("m", Graph.of("m", List.of(in), List.of(out)), List.of(Losses.of("mse")), (k, yShape, outShape) -> Losses.of("mse"), k -> false);
        List<Tensor> x = List.of(Tensor.zeros(4, 3, 2));
        assertEquals("m.fit: x has shape (4, 3, 5), the model expects (None, 3, 2)",
                fails(() -> c.prepare(List.of(Tensor.zeros(4, 3, 5)), null, null, "fit", false, true)));
        assertEquals("m.fit: y has 3 samples, x has 4",
                fails(() -> c.prepare(x, List.of(Tensor.zeros(3, 2)), null, "fit", true, true)));
        String shape = fails(() -> c.prepare(x, List.of(Tensor.zeros(4, 3)), null, "fit", true, true));
        assertEquals("m.fit: y has shape (4, 3) (3 values per sample), output " + out.layer().name()
                + " (None, 2) needs 2 per sample for loss mean_squared_error", shape);
        assertEquals("m.fit: lengths[1] = 4 is outside [0, 3]",
                fails(() -> c.prepare(x, null, new int[] {1, 4, 0, 0}, "fit", false, true)));
        Tensor nan = Tensor.zeros(4, 3, 2);
        nan.data()[7] = Float.NaN;
        assertEquals("m.predict: x holds NaN at (1, 0, 1)", fails(() -> c.prepare(List.of(nan), null, null, "predict", false, true)));
        assertEquals("m.fit: targets are null", fails(() -> c.prepare(x, null, null, "fit", true, true)));
    }

    @Test
    void checksIdsFedToALayerThatTakesIds() {
        Input in = Input.shape(3);
        Embedding e = new Embedding(5, 2);
        Node out = e.apply(in);
        InputCheck c = new InputCheck("m", Graph.of("m", List.of(in), List.of(out)), null, null, null);
        c.prepare(List.of(Tensor.of(new float[] {0, 4, 2}, 1, 3)), null, null, "predict", false, true);
        assertEquals("m.predict: " + e.name() + ": id 5.0 at (0, 1) of x is not an integer in [0, 5) (the vocabulary size)",
                fails(() -> c.prepare(List.of(Tensor.of(new float[] {0, 5, 2}, 1, 3)), null, null, "predict", false, true)));
    }

    /** Ids reaching an Embedding through a wrapper are checked before the first update (were: after three). */
    @Test
    void checksIdsFedThroughAWrapperBeforeAnyUpdate() {
        Jrnn.setSeed(2);
        Embedding e = new Embedding(5, 2);
        TimeDistributed td = new TimeDistributed(e);
        try (Sequential m = new Sequential(td.inputShape(3, 2))) {
            m.compile(new SGD(0.1), "mse");
            float[] ids = new float[4 * 3 * 2];
            for (int i = 0; i < ids.length; i++) ids[i] = i % 5;
            ids[ids.length - 1] = 7;   // in the last of four batches
            List<Tensor> before = m.getWeights();
            String msg = fails(() -> m.fit(Tensor.of(ids, 4, 3, 2), Tensor.zeros(4, 3, 2, 2),
                    new FitOptions().epochs(1).batchSize(1).shuffle(false).verbose(0)));
            assertEquals(m.name() + ".fit: " + td.name() + ": id 7.0 at (3, 2, 1) of x is not an integer in [0, 5) (the vocabulary size)",
                    msg);
            assertEquals(0, m.optimizer().iterations(), "updates before the check");
            assertArrayEquals(before.get(0).data(), m.getWeights().get(0).data());
        }
    }

    @Test
    void indexStringsAndNonFiniteLookups() {
        assertEquals("(3,)", InputCheck.indexString(new int[] {5}, 3));
        assertEquals("(1, 2, 0)", InputCheck.indexString(new int[] {2, 3, 4}, 20));
        assertNull(InputCheck.nonFiniteAt(Tensor.zeros(2, 2)));
        assertEquals("holds Infinity at (1, 0)", InputCheck.nonFiniteAt(Tensor.of(new float[] {0, 0, Float.POSITIVE_INFINITY, 0}, 2, 2)));
    }

    /**
     * A Map x: a model made from a dict of inputs reads it by the dict's keys (Keras' Functional._standardize_inputs), in
     * sorted-key order, whatever the Inputs' names; a model made from Input nodes by their names, as before. An extra key
     * is left unread, also one that sorts before one of the dict's keys, where Keras 3 (pairing by position in sorted-key
     * order) would feed another input: the model warns of that once.
     */
    @Test
    void aMapXIsReadByTheDictKeysOfADictInputModel() throws Exception {
        Input p = Input.shape(1).name("kind"), k = Input.shape(1).name("price");   // the names cross the keys
        Graph dict = Graph.of("m", List.of(k, p), List.of(new dev.jrnn.layers.Subtract().apply(List.of(k, p))), List.of("kind", "price"), null);
        Tensor one = Tensor.full(1, 2, 1), two = Tensor.full(2, 2, 1), three = Tensor.full(3, 2, 1);
        assertEquals(List.of(one, two), InputCheck.byInputName("m.predict", dict, Map.of("kind", one, "price", two)));
        assertEquals(List.of(one, two), InputCheck.byInputName("m.predict", dict, Map.of("kind", one, "price", two, "zz", three)));
        java.util.Map<String, Tensor> nullKey = new java.util.HashMap<>(Map.of("kind", one, "price", two));
        nullKey.put(null, three);   // a key no input has, left unread as before
        assertEquals(List.of(one, two), InputCheck.byInputName("m.predict", dict, nullKey));
        List<String> warnings = dev.jrnn.LogCapture.warnings(InputCheck.class.getName(), () -> {
            assertEquals(List.of(one, two), InputCheck.byInputName("m.predict", dict, Map.of("kind", one, "price", two, "a", three)));
            assertEquals(List.of(one, two), InputCheck.byInputName("m.fit", dict, Map.of("kind", one, "price", two, "b", three)));
        });
        assertEquals(List.of("m.predict: x has the keys [a] beside the model's input dict keys [kind, price]: jrnn reads x by"
                + " its keys, as tf.keras 2; Keras 3 pairs a dict x with dict inputs by position in sorted-key order, so it would"
                + " feed x['a'] to input 'kind' and x['kind'] to input 'price' there (warned once per model)"), warnings);
        String e = fails(() -> InputCheck.byInputName("m.predict", dict, Map.of("kind", one)));
        assertTrue(e.startsWith("m.predict: x needs the keys [kind, price] (the model's input dict keys), got [kind], without [price];"
                + " the Inputs' names [price, kind] are not its keys, as in Keras"), e);
        assertEquals("x[0] (kind)", dict.inputLabel(0));
        Graph list = Graph.of("m", List.of(k, p), List.of(new dev.jrnn.layers.Subtract().apply(List.of(k, p))));
        assertEquals(List.of(two, one), InputCheck.byInputName("m.predict", list, Map.of("kind", one, "price", two, "a", three)));
        assertEquals("x[0] (price)", list.inputLabel(0));
    }

    /**
     * Keras' recommended dict-input form, keys equal to the Inputs' names ({"age": Input(name="age"), "price":
     * Input(name="price")}), called with an extra column {"age", "id", "price"}: read by key, as before this session
     * (tf.keras 2 reads it so; Keras 3 would feed x['id'] to 'price', with a warning), with one warning saying so.
     */
    @Test
    void aDictInputModelWhoseKeysAreItsInputNamesReadsAnExtraColumnByKey() throws Exception {
        Input age = Input.shape(1).name("age"), price = Input.shape(1).name("price");
        Model m = new Model(Map.of("age", age, "price", price), new dev.jrnn.layers.Subtract().apply(List.of(age, price))).name("m");
        Map<String, Tensor> x = Map.of("age", Tensor.full(5, 2, 1), "id", Tensor.full(100, 2, 1), "price", Tensor.full(2, 2, 1));
        List<String> warnings = dev.jrnn.LogCapture.warnings(InputCheck.class.getName(), () -> {
            assertArrayEquals(new float[] {3, 3}, m.predictAll(x).get(0).toArray());
            assertArrayEquals(new float[] {3, 3}, m.predictAll(x).get(0).toArray());
        });
        assertEquals(1, warnings.size(), warnings.toString());
        assertTrue(warnings.get(0).contains("it would feed x['id'] to input 'price' there"), warnings.get(0));
    }

    /**
     * A null key in an x or y map that also misses a real key: refused with the keys listed, the null one first (the message
     * put them in a TreeSet, which threw a NullPointerException).
     */
    @Test
    void aMapWithANullKeyMissingARealOneIsRefusedByName() {
        Input t = Input.shape(1).name("title"), b = Input.shape(1).name("body");
        Node h = new dev.jrnn.layers.Subtract().apply(List.of(t, b));
        Graph g = Graph.of("m", List.of(t, b), List.of(new Dense(1).name("priority").apply(h), new Dense(1).name("dept").apply(h)));
        Tensor one = Tensor.full(1, 2, 1);
        java.util.Map<String, Tensor> xs = new java.util.HashMap<>(Map.of("title", one));
        xs.put(null, one);
        assertEquals("m.predict: x by input name needs the keys [title, body] (the Inputs' names), got [null, title], without [body]",
                fails(() -> InputCheck.byInputName("m.predict", g, xs)));
        java.util.Map<String, Tensor> ys = new java.util.HashMap<>(Map.of("priority", one));
        ys.put(null, one);
        assertEquals("m.fit: y by output name needs the keys [priority, dept] (the outputs' names), got [null, priority], without [dept],"
                + " with [null] that name no output (a null value: no target for that output)", fails(() -> InputCheck.byOutputName("m.fit", g, ys)));
    }
}
