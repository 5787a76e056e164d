package dev.jrnn.model;

import dev.jrnn.Jrnn;
import dev.jrnn.data.Dataset;
import dev.jrnn.layers.Concatenate;
import dev.jrnn.layers.Dense;
import dev.jrnn.layers.Node;
import dev.jrnn.optim.SGD;
import dev.jrnn.tensor.Tensor;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A Dataset of named parts (tf.data's dicts) matched to a model's inputs and outputs by name. */
class DatasetKeysTest {
    @BeforeAll
    static void cpu() { Jrnn.setBackend("cpu"); }

    private static Tensor random(long seed, int... shape) {
        SplittableRandom r = new SplittableRandom(seed);
        float[] d = new float[Math.toIntExact(Tensor.size(shape))];
        for (int i = 0; i < d.length; i++) d[i] = (float) (r.nextDouble() * 2 - 1);
        return Tensor.of(d, shape);
    }

    /** Both inputs one width, both outputs another: parts read under the wrong name change the numbers instead of failing on a shape. */
    private static final Tensor TITLE = random(1, 10, 3), BODY = random(2, 10, 3), PRIO = random(3, 10, 2), DEPT = random(4, 10, 2);

    /** Inputs [title, body] (sorted: body, title), outputs [priority, dept] (sorted: dept, priority): a map's order is not the model's. */
    private static Model model() {
        Input t = Input.shape(3).name("title"), b = Input.shape(3).name("body");
        Node h = new Dense(4).activation("tanh").apply(new Concatenate().apply(List.of(t, b)));
        Model m = new Model(List.of(t, b), List.of(new Dense(2).name("priority").apply(h), new Dense(2).name("dept").apply(h)));
        m.name("m");
        m.compile(new SGD(0.1), Map.of("priority", "mse", "dept", "mse"), Map.of("priority", 1.0, "dept", 0.5));
        return m;
    }

    private static Path fixture(String name) throws URISyntaxException {
        return Path.of(DatasetKeysTest.class.getResource("dict_dataset/" + name).toURI());
    }

    /**
     * Keras 3.15.1's fit on from_tensor_slices(({"body", "title", "unused"}, {"priority", "dept"}, {"priority": w1, "dept": w2}))
     * with a loss dict and a loss_weights dict, and its predict after (make_dict_dataset.py): the same losses per epoch, the
     * total and each output's (so each target and weight reached its output by key), from an .npz read by the model's names,
     * and the same predictions by key from a data set of inputs only. The inputs share a width, the outputs too, and "unused"
     * is an array of its own: a part read under another key would change the numbers.
     */
    @Test
    void fitAndPredictByNameMatchKeras() throws Exception {
        List<String> lines = Files.readAllLines(fixture("dict_history.txt")).stream().filter(l -> !l.startsWith("#")).toList();
        Path npz = fixture("dict_data.npz");
        try (Model m = Models.load(fixture("dict_model.keras"))) {
            // batches of 5, as the fixture: over a partial last batch Keras' tensorflow backend logs each output's loss as the
            // plain mean of the batches', its jax backend and jrnn weigh them by batch size (GUIDE, "Where Keras' own backends disagree")
            Dataset ds = Dataset.fromNpz(npz, Map.of("title", "x_title", "body", "x_body", "unused", "x_unused"),
                    Map.of("priority", "y_prio", "dept", "y_dept"), Map.of("priority", "w_prio", "dept", "w_dept")).batch(5);
            History h = m.fit(ds, new FitOptions().epochs(3).verbose(0));
            String[] logs = {"loss", "dept_loss", "priority_loss"};
            for (int e = 0; e < 3; e++) {
                String[] row = lines.get(e).trim().split(" ");
                for (int k = 0; k < 3; k++) {
                    double want = Double.parseDouble(row[k]);
                    assertEquals(want, h.get(logs[k]).get(e), 2e-6 * want, logs[k] + " epoch " + e);
                }
            }
            Map<String, Tensor> p = m.predictDict(Dataset.fromNpz(npz, Map.of("body", "x_body", "title", "x_title"), Map.of()).batch(4));
            String[] keys = {"dept", "priority"};
            for (int k = 0; k < 2; k++) {
                float[] got = p.get(keys[k]).data();
                double[] want = Arrays.stream(lines.get(3 + k).trim().split(" ")).mapToDouble(Double::parseDouble).toArray();
                assertEquals(want.length, got.length, keys[k]);
                for (int i = 0; i < got.length; i++) assertEquals(want[i], got[i], 1e-5, keys[k] + "[" + i + "]");
            }
        }
    }

    /**
     * The same fit, evaluate and predict, bit for bit, from a named data set (parts in sorted-key order, through shuffle, batch,
     * take, repeat, prefetch and cache) as from the positional one in the model's order through the same operations.
     */
    @Test
    void namedDatasetTrainsAsThePositionalOneInTheModelsOrder() throws IOException {
        Model a = model(), b = model();
        b.setWeights(a.getWeights());
        Dataset positional = Dataset.fromTensors(List.of(TITLE, BODY), List.of(PRIO, DEPT));
        Dataset named = Dataset.fromTensors(Map.of("title", TITLE, "body", BODY), Map.of("priority", PRIO, "dept", DEPT));
        assertEquals(List.of("body", "title"), named.inputNames());
        assertEquals(List.of("dept", "priority"), named.targetNames());
        java.util.function.UnaryOperator<Dataset> ops = d -> d.cache().shuffle(7, 4).batch(3).take(3).repeat(2).prefetch(1);
        History ha = a.fit(ops.apply(positional), new FitOptions().epochs(2).verbose(0));
        History hb = b.fit(ops.apply(named), new FitOptions().epochs(2).verbose(0));
        assertEquals(ha.history(), hb.history());
        assertEquals(a.getWeights(), b.getWeights());
        assertEquals(a.evaluateAll(positional.batch(4)), b.evaluateAll(named.batch(4)));
        assertEquals(a.predictAll(positional.batch(4), 3), b.predictAll(named.batch(4), 3));
        // named after the fact, over a stream of a map: the same
        Dataset renamed = Dataset.fromTensors(List.of(BODY, TITLE), List.of(DEPT, PRIO)).map(s -> s)
                .named(List.of("body", "title"), List.of("dept", "priority"), null).batch(4);
        assertEquals(a.evaluateAll(positional.batch(4)), b.evaluateAll(renamed));
    }

    /** A dict-input model reads a named data set by its dict keys, not its Inputs' names (Keras: "Missing data for input" otherwise). */
    @Test
    void aDictInputModelReadsTheDatasetByItsKeys() throws IOException {
        Input t = Input.shape(3).name("ia"), b = Input.shape(3).name("ib");
        Model m = new Model(Map.of("title", t, "body", b), new Dense(1).name("out").apply(new Concatenate().apply(List.of(t, b))));
        m.compile(new SGD(0.1), "mse");
        m.name("d");
        Tensor want = m.predictAll(Map.of("title", TITLE, "body", BODY)).get(0);
        assertEquals(want, m.predictAll(Dataset.fromTensors(Map.of("title", TITLE, "body", BODY, "zzz", TITLE), Map.of()).batch(4), 3).get(0));
        Dataset byInputNames = Dataset.fromTensors(Map.of("ia", TITLE, "ib", BODY), Map.of("out", PRIO)).batch(4);
        String msg = assertThrows(IllegalArgumentException.class, () -> m.fit(byInputNames, new FitOptions().verbose(0))).getMessage();
        assertEquals("d.fit: the dataset has no input 'body', 'title' of model 'd' (inputs: body, title; the dataset's input keys: ia, ib);"
                + " dataset key 'ia', 'ib' are not inputs of model 'd', as Keras refuses (\"Missing data for input\")", msg);
    }

    /**
     * Keras' from_tensor_slices((x, (None, None))) predicts and refuses fit ("None values not supported"): jrnn's
     * fromTensors(xs, [null, null]) is a data set of inputs only, which it was refused as ("targets[0] is null").
     */
    @Test
    void allNullTargetsAreADatasetOfInputsOnly() throws IOException {
        Model m = model();
        Dataset ds = Dataset.fromTensors(List.of(TITLE, BODY), Arrays.asList(null, null)).batch(4);
        assertEquals(m.predictAll(List.of(TITLE, BODY)), m.predictAll(ds, 3));
        List<Tensor> before = m.getWeights();
        String msg = assertThrows(IllegalArgumentException.class, () -> m.fit(ds, new FitOptions().verbose(0))).getMessage();
        assertTrue(msg.startsWith("m.fit: the dataset gives 0 target(s) per sample, the model has 2 output(s)"), msg);
        assertEquals(before, m.getWeights());
    }

    /** Rows {@code r} of a (n, w) tensor. */
    private static Tensor rows(Tensor t, int[] r) {
        int w = t.dim(1);
        float[] d = new float[r.length * w];
        for (int i = 0; i < r.length; i++) System.arraycopy(t.data(), r[i] * w, d, i * w, w);
        return Tensor.of(d, r.length, w);
    }

    private static <V> Map<String, V> withNull(String key, V value, String nullKey) {
        Map<String, V> m = new java.util.HashMap<>();
        m.put(key, value);
        m.put(nullKey, null);
        return m;
    }

    /**
     * Keras 3.15.1's fit, evaluate and predict on from_tensor_slices((x, {"priority": y1, "dept": None}, {"priority": w1,
     * "dept": None})) with loss={"priority": "mse", "dept": None} (make_dict_null_target.py): the same loss per epoch,
     * evaluate's loss and predictions, from an .npz read by name with a null target member and from tensors by name with a
     * null target. Both were refused ("targets['dept'] is null; give the member that holds it").
     */
    @Test
    void aNullTargetMatchesKerasNoneForAnOutputWithoutALoss() throws Exception {
        List<String> lines = Files.readAllLines(fixture("dict_null_target.txt")).stream().filter(l -> !l.startsWith("#")).toList();
        Path npz = fixture("dict_data.npz");
        Dataset fromFile = Dataset.fromNpz(npz, Map.of("title", "x_title", "body", "x_body"), withNull("priority", "y_prio", "dept"),
                withNull("priority", "w_prio", "dept")).batch(5);
        assertEquals(List.of("priority"), fromFile.targetNames());
        assertEquals(List.of("dept"), fromFile.nullTargetNames());
        List<Tensor> z;
        try (var all = Dataset.fromNpz(npz, List.of("x_title", "x_body", "y_prio", "w_prio"), List.of()).batch(10).epoch(0);
             var b = all.next()) {
            z = b.inputs();
        }
        Dataset fromTensors = Dataset.fromTensors(Map.of("title", z.get(0), "body", z.get(1)),
                withNull("priority", z.get(2), "dept"), withNull("priority", z.get(3), "dept")).batch(5);
        for (Dataset ds : List.of(fromFile, fromTensors)) {
            try (Model m = Models.load(fixture("dict_model.keras"))) {
                m.compile(new SGD(0.1), withNull("priority", "mse", "dept"));
                History h = m.fit(ds, new FitOptions().epochs(3).verbose(0));
                String[] row = lines.get(0).trim().split(" ");
                for (int e = 0; e < 3; e++) assertEquals(Double.parseDouble(row[e]), h.get("loss").get(e), 2e-6, "loss epoch " + e);
                assertEquals(java.util.Set.of("loss"), h.history().keySet(), "Keras logs the loss only");
                assertEquals(Double.parseDouble(lines.get(1).trim()), m.evaluateAll(ds).get("loss"), 2e-6, "evaluate");
                Map<String, Tensor> p = m.predictDict(ds);   // predict reads no target
                String[] keys = {"dept", "priority"};
                for (int k = 0; k < 2; k++) {
                    float[] got = p.get(keys[k]).data();
                    double[] want = Arrays.stream(lines.get(2 + k).trim().split(" ")).mapToDouble(Double::parseDouble).toArray();
                    for (int i = 0; i < got.length; i++) assertEquals(want[i], got[i], 1e-5, keys[k] + "[" + i + "]");
                }
            }
        }
    }

    /**
     * A null target of an output that has a loss leaves that output untrained, as the tensor calls' y map with a null value
     * (Keras refuses both: "None values not supported"): the same weights as fit(Map, Map) with that null; and predict reads
     * a data set with a null target as one of inputs only.
     */
    @Test
    void aNullTargetMeansWhatTheTensorCallsNullDoes() throws IOException {
        Model a = model(), b = model();
        b.setWeights(a.getWeights());
        Dataset ds = Dataset.fromTensors(Map.of("title", TITLE, "body", BODY), withNull("priority", PRIO, "dept"));
        History ha = a.fit(Map.of("title", TITLE, "body", BODY), withNull("priority", PRIO, "dept"),
                new FitOptions().epochs(2).batchSize(4).shuffle(false).verbose(0));
        History hb = b.fit(ds.batch(4), new FitOptions().epochs(2).verbose(0));
        assertEquals(a.getWeights(), b.getWeights());
        assertEquals(ha.history(), hb.history());
        assertEquals(a.predictAll(List.of(TITLE, BODY)), b.predictAll(List.of(TITLE, BODY)));
        assertEquals(b.predictAll(List.of(TITLE, BODY)), b.predictAll(ds.batch(4), 3));
    }

    /**
     * enumerate adds a part, so it drops the names (as interleave) and fit refuses the data set by saying so; it kept them and
     * was refused only at the first batch, by the part count. Named again after the counter is mapped away, it trains.
     */
    @Test
    void enumerateDropsTheNamesAndNamedAgainTrains() throws IOException {
        Model m = model();
        Dataset ds = Dataset.fromTensors(Map.of("title", TITLE, "body", BODY), Map.of("priority", PRIO, "dept", DEPT)).enumerate(0);
        assertEquals("enumerate", ds.namesDroppedBy());
        assertEquals(List.of(), ds.inputNames());
        assertEquals(List.of(), ds.targetNames());
        List<Tensor> before = m.getWeights();
        String msg = assertThrows(IllegalArgumentException.class, () -> m.fit(ds.batch(4), new FitOptions().verbose(0))).getMessage();
        assertEquals("m.fit: the dataset's names were dropped by enumerate (it adds a part, so the parts no longer follow the names),"
                + " and its parts, in sorted-key order, need not be in model 'm''s order; map the added part away and name the parts"
                + " again with Dataset.named(inputs, targets, sampleWeights)", msg);
        assertThrows(IllegalArgumentException.class, () -> m.predictAll(ds.batch(4), 3));
        assertEquals(before, m.getWeights());
        Dataset again = ds.filter(s -> s.inputs().get(2).data()[0] % 2 == 0).map(s -> s.with(s.inputs().subList(0, 2), s.targets()))
                .named(List.of("body", "title"), List.of("dept", "priority"), null);
        assertEquals(null, again.namesDroppedBy());
        Model p = model();
        p.setWeights(before);
        int[] even = {0, 2, 4, 6, 8};
        m.fit(again.batch(5), new FitOptions().verbose(0));
        p.fit(List.of(rows(TITLE, even), rows(BODY, even)), List.of(rows(PRIO, even), rows(DEPT, even)),
                new FitOptions().batchSize(5).shuffle(false).verbose(0));
        assertEquals(p.getWeights(), m.getWeights());
    }

    /**
     * A null target survives enumerate (no part holds it), so the set named again after the counter is mapped away trains as
     * the tensor fit(Map, Map) with that null; enumerate dropped it and named() could not state it again (a dead end).
     */
    @Test
    void aNullTargetSurvivesEnumerateAndNamedAgain() throws IOException {
        Model a = model(), b = model();
        b.setWeights(a.getWeights());
        Dataset ds = Dataset.fromTensors(Map.of("title", TITLE, "body", BODY), withNull("priority", PRIO, "dept")).enumerate(0)
                .filter(s -> s.inputs().get(2).data()[0] % 2 == 0).map(s -> s.with(s.inputs().subList(0, 2), s.targets()))
                .named(List.of("body", "title"), List.of("priority"), null);
        assertEquals(List.of("dept"), ds.nullTargetNames());
        int[] even = {0, 2, 4, 6, 8};
        History ha = a.fit(Map.of("title", rows(TITLE, even), "body", rows(BODY, even)), withNull("priority", rows(PRIO, even), "dept"),
                new FitOptions().epochs(2).batchSize(5).shuffle(false).verbose(0));
        History hb = b.fit(ds.batch(5), new FitOptions().epochs(2).verbose(0));
        assertEquals(a.getWeights(), b.getWeights());
        assertEquals(ha.history(), hb.history());
    }

    /** A data set named with other parts than its batches hold (a map after the names changed them) is refused at the first batch. */
    @Test
    void namesThatNoLongerFitThePartsAreRefused() {
        Model m = model();
        Dataset ds = Dataset.fromTensors(Map.of("title", TITLE, "body", BODY), Map.of("priority", PRIO, "dept", DEPT))
                .map(s -> s.with(List.of(s.inputs().get(0)), s.targets())).batch(4);
        String msg = assertThrows(IllegalArgumentException.class, () -> m.fit(ds, new FitOptions().verbose(0))).getMessage();
        assertEquals("m.fit: the dataset names 2 inputs [body, title], its batch holds 1 (a map after the names changed"
                + " the parts: name them again with Dataset.named)", msg);
    }

    /** A member missing from the file names the key it was read for; it named only the member and the file. */
    @Test
    void aMissingMemberNamesItsKey() throws Exception {
        Path npz = fixture("dict_data.npz");
        IOException e = assertThrows(IOException.class, () -> Dataset.fromNpz(npz, Map.of("title", "x_tittle", "body", "x_body"), Map.of()));
        assertTrue(e.getMessage().startsWith("Dataset.fromNpz: inputs['title']: ") && e.getMessage().contains("no array 'x_tittle'"), e.getMessage());
    }

    /** The unbuilt Sequential's keyed calls named the model as the others do; they said only Keras' "This model has not yet been built". */
    @Test
    void anUnbuiltSequentialsKeyedCallNamesTheModel() {
        Sequential s = new Sequential(new Dense(1).name("out"));
        s.compile(new SGD(0.1), "mse");
        s.name("u");
        String msg = assertThrows(IllegalStateException.class, () -> s.trainOnBatch(List.of(TITLE), Map.of("out", PRIO))).getMessage();
        assertTrue(msg.startsWith("u.trainOnBatch: y by output name needs the model's output names; this model has not yet been built."), msg);
        // Evaluator's keyed calls said only Keras' words too
        msg = assertThrows(IllegalStateException.class, () -> s.testOnBatch(List.of(TITLE), Map.of("out", PRIO))).getMessage();
        assertTrue(msg.startsWith("u.testOnBatch: y by output name needs the model's output names; this model has not yet been built."), msg);
        msg = assertThrows(IllegalStateException.class, () -> s.predictAll(Map.of("x", TITLE))).getMessage();
        assertTrue(msg.startsWith("u.predict: x by input name needs the model's input names; this model has not yet been built."), msg);
        assertTrue(!s.isBuilt() && s.getWeights().isEmpty(), "still unbuilt");
    }

    /**
     * A named data set on an unbuilt Sequential is refused before the build: it built the model, then refused its keys (Keras
     * 3.15.1 fails there too: a dict x to an unbuilt Sequential is a KeyError in Sequential.call); so is one whose names
     * enumerate dropped, which has no names and two inputs.
     */
    @Test
    void aNamedDatasetLeavesAnUnbuiltSequentialUnbuilt() {
        Sequential s = new Sequential(new Dense(2).name("out"));
        s.compile(new SGD(0.1), "mse");
        s.name("u");
        Dataset ds = Dataset.fromTensors(Map.of("x", TITLE), Map.of("out", PRIO)).batch(4);
        String msg = assertThrows(IllegalArgumentException.class, () -> s.fit(ds, new FitOptions().verbose(0))).getMessage();
        assertEquals("u.fit: the dataset's inputs are named [x], but model 'u' is not built yet, so it has no input names to match them;"
                + " declare the input shape (Input.shape(...).name(...) as its first layer) so its input names exist, or give a positional data set", msg);
        assertThrows(IllegalArgumentException.class, () -> s.predictAll(ds, 3));
        assertTrue(!s.isBuilt() && s.getWeights().isEmpty(), "still unbuilt");
        Dataset dropped = Dataset.fromTensors(Map.of("x", TITLE), Map.of("out", PRIO)).enumerate(0).batch(4);
        msg = assertThrows(IllegalArgumentException.class, () -> s.fit(dropped, new FitOptions().verbose(0))).getMessage();
        assertTrue(msg.startsWith("u.fit: the dataset's names were dropped by enumerate"), msg);
        assertTrue(!s.isBuilt() && s.getWeights().isEmpty(), "still unbuilt after enumerate's");
        // declared with a named Input, the same data set trains
        Sequential d = new Sequential(Input.shape(3).name("x"), new Dense(2).name("out"));
        d.compile(new SGD(0.1), "mse");
        assertDoesNotThrow(() -> d.fit(ds, new FitOptions().verbose(0)));
    }
}
