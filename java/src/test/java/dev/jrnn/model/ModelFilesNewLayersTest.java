package dev.jrnn.model;

import dev.jrnn.Jrnn;
import dev.jrnn.layers.AdditiveAttention;
import dev.jrnn.layers.Attention;
import dev.jrnn.layers.AveragePooling1D;
import dev.jrnn.layers.BaseDenseAttention;
import dev.jrnn.layers.BatchNormalization;
import dev.jrnn.layers.Concatenate;
import dev.jrnn.layers.Conv1D;
import dev.jrnn.layers.Cropping1D;
import dev.jrnn.layers.Dense;
import dev.jrnn.layers.Dot;
import dev.jrnn.layers.Dropout;
import dev.jrnn.layers.Embedding;
import dev.jrnn.layers.Flatten;
import dev.jrnn.layers.GaussianDropout;
import dev.jrnn.layers.GaussianNoise;
import dev.jrnn.layers.GlobalAveragePooling1D;
import dev.jrnn.layers.GlobalMaxPooling1D;
import dev.jrnn.layers.LSTM;
import dev.jrnn.layers.Layer;
import dev.jrnn.layers.LayerNormalization;
import dev.jrnn.layers.Masking;
import dev.jrnn.layers.MaxPooling1D;
import dev.jrnn.layers.Maximum;
import dev.jrnn.layers.Minimum;
import dev.jrnn.layers.Node;
import dev.jrnn.layers.Permute;
import dev.jrnn.layers.Reshape;
import dev.jrnn.layers.SpatialDropout1D;
import dev.jrnn.layers.Subtract;
import dev.jrnn.layers.UpSampling1D;
import dev.jrnn.layers.ZeroPadding1D;
import dev.jrnn.losses.Auc;
import dev.jrnn.optim.Adam;
import dev.jrnn.optim.schedules.ExponentialDecay;
import dev.jrnn.tensor.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

import static dev.jrnn.model.ModelFilesTest.assertBitIdentical;
import static dev.jrnn.model.ModelFilesTest.ids;
import static dev.jrnn.model.ModelFilesTest.random;
import static org.junit.jupiter.api.Assertions.assertEquals;

/** The layers of sessions 11 and 12 through save / load, JSON, clone and the weights files. */
class ModelFilesNewLayersTest {
    @TempDir
    Path dir;

    static Model everyNewLayer() {
        Input ids = Input.shape(6).name("ids");
        Input sig = Input.shape(6, 4).name("sig");
        Node e = new Embedding(10, 4).maskZero(true).apply(ids);
        Node s = new Masking(0.0).apply(sig);
        Dense shared = new Dense(4).name("shared");
        Node ds = shared.apply(s);
        Node att = new Attention().useScale(true).scoreMode("concat").apply(e, ds);
        Node add = new AdditiveAttention().apply(shared.apply(e), e);
        Node sub = new Subtract().apply(att, add);
        Node mx = new Maximum().apply(att, add);
        Node mn = new Minimum().apply(att, add);
        Node ln = new LayerNormalization().apply(sub);
        Node bn = new BatchNormalization().apply(mx);
        Node dot = new Dot(2).normalize(true).apply(att, add);
        Node gn = new GaussianNoise(0.1).apply(mn);
        Node gd = new GaussianDropout(0.2).apply(ln);
        Node sd = new SpatialDropout1D(0.2).apply(bn);
        Node cat = new Concatenate().apply(gn, gd, sd);
        Node lstm = new LSTM(5).returnSequences(true).apply(cat);
        Node conv = new Conv1D(4, 3).padding("same").apply(lstm);
        Node zp = new ZeroPadding1D(1, 2).apply(conv);
        Node crop = new Cropping1D(2, 1).apply(zp);
        Node up = new UpSampling1D(2).apply(crop);
        Node mp = new MaxPooling1D(2).apply(up);
        Node ap = new AveragePooling1D(3).strides(1).padding("same").apply(mp);
        Node perm = new Permute(2, 1).apply(ap);
        Node out1 = new Dense(2).name("out1").apply(new Reshape(-1).apply(perm));
        Node out2 = new Dense(1).activation("sigmoid").name("out2").apply(new GlobalMaxPooling1D().apply(lstm));
        Node out3 = new Dense(1).name("out3").apply(new Flatten().apply(dot));
        return new Model(List.of(ids, sig), List.of(out1, out2, out3));
    }

    /**
     * Two inputs (a masked Embedding, a Masking), a shared Dense, every layer of sessions 11-12, three outputs; compiled with
     * loss weights, metrics per output, weighted metrics and a schedule: the loaded file predicts, logs and trains on as the
     * model in memory; its JSON and clone rebuild it, and both weights files load into the clone.
     */
    @Test
    void everyNewLayerInAFunctionalModelSavesLoadsClonesAndTrainsOn() throws IOException {
        Jrnn.setSeed(3);
        SplittableRandom r = new SplittableRandom(5);
        Tensor idx = ids(r, 10, 8, 6);
        idx.data()[5] = 0; idx.data()[4] = 0;
        List<Tensor> xs = List.of(idx, random(r, 8, 6, 4));
        List<Tensor> ys = List.of(random(r, 8, 2), Tensor.full(1f, 8, 1), random(r, 8, 1));
        try (Model m = everyNewLayer()) {
            m.compile(new Adam(new ExponentialDecay(0.01, 3, 0.9)), List.of("mse", "binary_crossentropy", "mse"), List.of(1.0, 0.5, 0.2),
                    Map.of("out2", List.of("accuracy", new Auc()), "out1", List.of("mae")), WeightedMetrics.of("mse"));
            m.fit(xs, ys, new FitOptions().epochs(2).batchSize(4).verbose(0).seed(1).sampleWeight(Tensor.of(new float[] {1, 0.5f, 2, 1, 0.25f, 1, 3, 1})));
            Path f = dir.resolve("all.keras");
            m.save(f);
            try (Model back = Models.load(f)) {
                assertEquals(m.summaryString(), back.summaryString());
                assertBitIdentical(m.predictAll(xs, 4, null), back.predictAll(xs, 4, null));
                assertEquals(m.metricKeys(), back.metricKeys());
                assertEquals(m.metricsConfig(), back.metricsConfig());
                assertEquals(m.lossWeights(), back.lossWeights());
                assertEquals(m.optimizer().iterations(), back.optimizer().iterations());
                List<Double> a = m.fit(xs, ys, new FitOptions().epochs(2).batchSize(4).verbose(0).seed(2)).get("loss");
                List<Double> b = back.fit(xs, ys, new FitOptions().epochs(2).batchSize(4).verbose(0).seed(2)).get("loss");
                assertEquals(a, b);
            }
            try (Model j = Models.fromJson(m.toJson()); Model c = Models.cloneModel(m)) {
                assertEquals(m.summaryString(), j.summaryString());
                assertEquals(m.summaryString(), c.summaryString());
                for (String name : List.of("w.safetensors", "w.weights.h5")) {
                    m.saveWeights(dir.resolve(name));
                    c.loadWeights(dir.resolve(name));
                    assertBitIdentical(m.predictAll(xs, 4, null), c.predictAll(xs, 4, null));
                }
            }
        }
    }

    static Model attentionGraph() {
        Input q = Input.shape(5, 4).name("q");
        Input v = Input.shape(7, 4).name("v");
        Node k = new Dense(4).name("key").apply(v);
        BaseDenseAttention att = new Attention().useCausalMask(false).returnAttentionScores(true).name("att");
        Node a = att.apply(q, v, k);
        Node c = new AdditiveAttention().useCausalMask(true).name("causal").apply(q, q);
        Node d = new Dot(1, 1).name("dot11").apply(c, q);
        Node d2 = new Dot(-1).name("dotneg").apply(a.get(0), c);
        Node o1 = new Dense(1).name("o1").apply(new Flatten().apply(d));
        Node o2 = new Dense(1).name("o2").apply(new Flatten().apply(d2));
        Node o3 = new Dense(2).name("o3").apply(new GlobalAveragePooling1D().apply(a.get(1)));
        return new Model(List.of(q, v), List.of(o1, o2, o3));
    }

    /** Attention's call arguments (key input, scores returned, causal mask) and Dot's axis pairs through a file and JSON. */
    @Test
    void attentionCallArgumentsAndDotAxes() throws IOException {
        Jrnn.setSeed(8);
        SplittableRandom r = new SplittableRandom(9);
        List<Tensor> xs = List.of(random(r, 3, 5, 4), random(r, 3, 7, 4));
        try (Model m = attentionGraph()) {
            Path f = dir.resolve("att.keras");
            m.save(f);
            try (Model back = Models.load(f); Model j = Models.fromJson(m.toJson())) {
                assertEquals(m.summaryString(), back.summaryString());
                assertEquals(m.summaryString(), j.summaryString());
                assertBitIdentical(m.predictAll(xs, 4, null), back.predictAll(xs, 4, null));
                j.setWeights(m.getWeights());
                assertBitIdentical(m.predictAll(xs, 4, null), j.predictAll(xs, 4, null));
            }
        }
    }

    static Sequential sequentialNew() {
        return new Sequential(new Conv1D(4, 3).padding("causal").dilationRate(2).inputShape(8, 2), new MaxPooling1D(2).padding("same"),
                new BatchNormalization().momentum(0.5), new SpatialDropout1D(0.3), new GaussianNoise(0.2), new GaussianDropout(0.2),
                new ZeroPadding1D(2), new Cropping1D(1, 0), new UpSampling1D(3), new AveragePooling1D(2), new LayerNormalization(),
                new Permute(2, 1), new Reshape(-1, 2), new LSTM(3), new Dense(2));
    }

    /** Two new layers frozen after training (a BatchNormalization then on its moving statistics): kept frozen, trained on alike. */
    @Test
    void sequentialOfNewLayersSavesFreezesAndResumes() throws IOException {
        Jrnn.setSeed(11);
        SplittableRandom r = new SplittableRandom(12);
        Tensor x = random(r, 9, 8, 2), y = random(r, 9, 2);
        try (Sequential m = sequentialNew()) {
            m.compile("rmsprop", "mse", "mae", new dev.jrnn.losses.R2Score());
            m.fit(x, y, new FitOptions().epochs(1).batchSize(4).verbose(0).seed(3));
            m.getLayer(2).trainable(false);
            m.getLayer(0).trainable(false);
            m.fit(x, y, new FitOptions().epochs(1).batchSize(4).verbose(0).seed(4));
            Path f = dir.resolve("seq.keras");
            m.save(f);
            try (Model back = Models.load(f)) {
                assertEquals(m.summaryString(), back.summaryString());
                assertEquals(false, back.getLayer(0).trainable());
                assertEquals(false, back.getLayer(2).trainable());
                assertBitIdentical(List.of(m.predict(x)), List.of(back.predict(x)));
                assertEquals(m.metricKeys(), back.metricKeys());
                assertEquals(m.evaluate(x, y), back.evaluate(x, y));
                List<Double> a = m.fit(x, y, new FitOptions().epochs(2).batchSize(4).verbose(0).seed(2)).get("loss");
                List<Double> b = back.fit(x, y, new FitOptions().epochs(2).batchSize(4).verbose(0).seed(2)).get("loss");
                assertEquals(a, b);
                assertBitIdentical(m.getWeights(), back.getWeights());
            }
            try (Model c = Models.cloneModel(m)) {
                assertEquals(m.summaryString(), c.summaryString());
                assertEquals(false, c.getLayer(2).trainable());
            }
        }
    }

    /** A fit killed after epoch 2 and run again with BackupAndRestore ends bit for bit as the fit that never stopped. */
    @Test
    void backupAndRestoreResumesTheNewLayersExactly() {
        SplittableRandom r = new SplittableRandom(21);
        Tensor idx = ids(r, 10, 8, 6);
        idx.data()[5] = 0;
        List<Tensor> xs = List.of(idx, random(r, 8, 6, 4));
        List<Tensor> ys = List.of(random(r, 8, 2), Tensor.full(1f, 8, 1), random(r, 8, 1));
        java.util.function.Supplier<Model> make = () -> {
            Jrnn.setSeed(17);
            Model m = everyNewLayer();
            m.compile(new Adam(0.01), List.of("mse", "binary_crossentropy", "mse"), List.of(1.0, 0.5, 0.2), "mae");
            return m;
        };
        Model straight = make.get();
        List<Double> all = straight.fit(xs, ys, new FitOptions().epochs(4).batchSize(3).verbose(0).seed(5)).get("loss");
        Path bdir = dir.resolve("backup");
        Model first = make.get();
        Callback kill = new Callback() {
            @Override
            public void onEpochEnd(int epoch, Map<String, Double> logs, Model model) {
                if (epoch == 1) throw new IllegalStateException("killed");
            }
        };
        org.junit.jupiter.api.Assertions.assertThrows(IllegalStateException.class,
                () -> first.fit(xs, ys, new FitOptions().epochs(4).batchSize(3).verbose(0).seed(5).callbacks(new BackupAndRestore(bdir), kill)));
        Jrnn.setSeed(999);
        Model again = make.get();
        List<Double> rest = again.fit(xs, ys, new FitOptions().epochs(4).batchSize(3).verbose(0).seed(5).callbacks(new BackupAndRestore(bdir))).get("loss");
        assertEquals(all.subList(2, 4), rest);
        assertBitIdentical(straight.getWeights(), again.getWeights());
    }

    /** The newer metric objects per output, weighted metrics by output name, loss weights and a schedule, restored as compiled. */
    @Test
    void newerMetricKindsPerOutputAreSavedAndRestored() throws IOException {
        Jrnn.setSeed(12);
        SplittableRandom r = new SplittableRandom(13);
        Input in = Input.shape(4, 3).name("in");
        Node h = new LSTM(4).apply(in);
        Node p = new Dense(1).activation("sigmoid").name("p").apply(h);
        Node q = new Dense(3).name("q").apply(h);
        Tensor x = random(r, 10, 4, 3);
        Tensor yp = Tensor.zeros(10, 1);
        for (int i = 0; i < 10; i += 2) yp.data()[i] = 1;
        Tensor yq = random(r, 10, 3);
        try (Model m = new Model(in, List.of(p, q))) {
            m.compile(new Adam(new dev.jrnn.optim.schedules.CosineDecay(0.01, 10)), Map.of("p", "binary_crossentropy", "q", "mse"),
                    Map.of("p", 2.0, "q", 0.5),
                    Map.of("p", List.of(new dev.jrnn.losses.PrecisionAtRecall(0.5), new dev.jrnn.losses.TruePositives().thresholds(0.3, 0.7),
                            new Auc().curve("PR").numThresholds(50), dev.jrnn.losses.FBetaScore.f1().threshold(0.5)),
                            "q", List.of(new dev.jrnn.losses.R2Score(), "cosine_similarity")),
                    WeightedMetrics.of(Map.of("p", List.of("accuracy"), "q", List.of("mae"))));
            m.fit(List.of(x), List.of(yp, yq), new FitOptions().epochs(2).batchSize(4).verbose(0).seed(1));
            Path f = dir.resolve("metrics.keras");
            m.save(f);
            try (Model back = Models.load(f)) {
                assertEquals(m.metricKeys(), back.metricKeys());
                assertEquals(m.metricsConfig(), back.metricsConfig());
                assertEquals(m.lossWeights(), back.lossWeights());
                assertEquals(m.losses(), back.losses());
                assertEquals(m.evaluateAll(List.of(x), List.of(yp, yq), 4, null), back.evaluateAll(List.of(x), List.of(yp, yq), 4, null));
                assertEquals(m.optimizer().learningRate(), back.optimizer().learningRate());
            }
        }
    }

    /** A variable time axis (None) through convolution, padding, cropping, upsampling and pooling: loaded, any length predicts alike. */
    @Test
    void variableTimeThroughTheReshapingLayers() throws IOException {
        Jrnn.setSeed(31);
        Input in = Input.shape(-1, 3).name("in");
        Node c = new Conv1D(4, 2).apply(in);
        Node z = new ZeroPadding1D(1, 2).apply(c);
        Node cr = new Cropping1D(1).apply(z);
        Node u = new UpSampling1D(2).apply(cr);
        Node mp = new MaxPooling1D(2).padding("same").apply(u);
        Node bn = new BatchNormalization().apply(mp);
        Node at = new Attention().apply(bn, bn);
        Node sd = new SpatialDropout1D(0.3).apply(at);
        Node g = new GlobalAveragePooling1D().apply(sd);
        Node out = new Dense(2).apply(g);
        SplittableRandom r = new SplittableRandom(32);
        try (Model m = new Model(in, out)) {
            m.compile("adam", "mse");
            m.fit(random(r, 6, 7, 3), random(r, 6, 2), new FitOptions().epochs(1).batchSize(3).verbose(0).seed(1));
            Path f = dir.resolve("var.keras");
            m.save(f);
            try (Model back = Models.load(f); Model j = Models.fromJson(m.toJson())) {
                for (int t : new int[] {5, 9}) {
                    Tensor x = random(r, 3, t, 3);
                    assertBitIdentical(List.of(m.predict(x)), List.of(back.predict(x)));
                }
                assertEquals(m.summaryString(), j.summaryString());
            }
        }
    }

    /** Weights-only checkpoints (.weights.h5, safetensors) and a best-only .keras load into a model built again. */
    @Test
    void checkpointsOfWeightsOnlyLoadIntoAFreshModel() throws IOException {
        SplittableRandom r = new SplittableRandom(41);
        Tensor x = random(r, 9, 8, 2), y = random(r, 9, 2);
        Jrnn.setSeed(5);
        try (Sequential m = sequentialNew()) {
            m.compile("adam", "mse");
            m.fit(x, y, new FitOptions().epochs(2).batchSize(4).verbose(0).seed(3).validationSplit(0.3)
                    .callbacks(new ModelCheckpoint(dir.resolve("w-{epoch:02d}.weights.h5").toString()).saveWeightsOnly(true),
                            new ModelCheckpoint(dir.resolve("w-{epoch:02d}.safetensors").toString()).saveWeightsOnly(true),
                            new ModelCheckpoint(dir.resolve("best.keras").toString()).saveBestOnly(true)));
            for (String name : List.of("w-02.weights.h5", "w-02.safetensors")) {
                try (Sequential fresh = sequentialNew()) {
                    fresh.loadWeights(dir.resolve(name));
                    assertBitIdentical(List.of(m.predict(x)), List.of(fresh.predict(x)));
                }
            }
            try (Model best = Models.load(dir.resolve("best.keras")); Sequential fresh = sequentialNew()) {
                fresh.loadWeights(dir.resolve("best.keras"));
                assertBitIdentical(List.of(best.predict(x)), List.of(fresh.predict(x)));
            }
        }
    }

    /** A sub-model (Conv1D, Attention, Subtract, BatchNormalization) applied twice to masked embeddings: saved, loaded, cloned. */
    @Test
    void aSubModelAppliedTwiceWithMasksSavesAndClones() throws IOException {
        Jrnn.setSeed(51);
        Input ei = Input.shape(6, 4).name("enc_in");
        Node h = new Conv1D(4, 1).name("proj").apply(ei);
        Node a = new Attention().useScale(true).name("self_att").apply(h, ei);
        Node n = new BatchNormalization().name("bn").apply(new Subtract().name("res").apply(a, ei));
        Model enc = new Model(ei, n);
        Input x1 = Input.shape(6).name("x1");
        Input x2 = Input.shape(6).name("x2");
        Embedding emb = new Embedding(9, 4).maskZero(true).name("emb");
        Node e1 = enc.apply(emb.apply(x1));
        Node e2 = enc.apply(emb.apply(x2));
        Node d = new Dot(-1).normalize(true).name("sim").apply(new GlobalAveragePooling1D().apply(e1), new GlobalMaxPooling1D().apply(e2));
        Node o2 = new LSTM(3).name("rnn").apply(new Maximum().name("mx").apply(e1, e2));
        SplittableRandom r = new SplittableRandom(52);
        Tensor i1 = ids(r, 9, 5, 6), i2 = ids(r, 9, 5, 6);
        i1.data()[5] = 0; i1.data()[4] = 0; i2.data()[0] = 0;
        List<Tensor> xs = List.of(i1, i2);
        try (Model m = new Model(List.of(x1, x2), List.of(d, o2))) {
            m.compile("adam", List.of("mse", "mse"));
            m.fit(xs, List.of(random(r, 5, 1), random(r, 5, 3)), new FitOptions().epochs(1).batchSize(2).verbose(0).seed(1));
            Path f = dir.resolve("sub.keras");
            m.save(f);
            try (Model back = Models.load(f); Model c = Models.cloneModel(m)) {
                assertEquals(m.weightNames(), back.weightNames());
                assertBitIdentical(m.predictAll(xs, 4, null), back.predictAll(xs, 4, null));
                c.setWeights(m.getWeights());
                assertBitIdentical(m.predictAll(xs, 4, null), c.predictAll(xs, 4, null));
            }
        }
    }

    /** A checkpoint of every new layer, loaded in a fresh process and resumed with initialEpoch: the uninterrupted run's logs. */
    @Test
    void aCheckpointResumesTheNewLayersWithTheirCompileSettings() throws IOException {
        SplittableRandom r = new SplittableRandom(61);
        Tensor idx = ids(r, 10, 8, 6);
        idx.data()[3] = 0;
        List<Tensor> xs = List.of(idx, random(r, 8, 6, 4));
        List<Tensor> ys = List.of(random(r, 8, 2), Tensor.of(new float[] {1, 0, 1, 1, 0, 0, 1, 0}, 8, 1), random(r, 8, 1));
        java.util.function.Supplier<Model> make = () -> {
            Jrnn.clearSession();   // the run repeated as a new process: the same metric names (auc, not auc_1)
            Model m = everyNewLayer();
            m.compile(new Adam(new dev.jrnn.optim.schedules.PolynomialDecay(0.02, 6)), List.of("mse", "binary_crossentropy", "mse"),
                    List.of(0.5, 1.0, 0.25), Map.of("out2", List.of(new Auc(), new dev.jrnn.losses.PrecisionAtRecall(0.5))), WeightedMetrics.of("mae"));
            return m;
        };
        FitOptions o = new FitOptions().batchSize(3).verbose(0).sampleWeight(Tensor.of(new float[] {1, 2, 1, 0.5f, 1, 1, 3, 1}));
        Jrnn.setSeed(11);
        Map<String, List<Double>> straight;
        try (Model m = make.get()) {
            History h = m.fit(xs, ys, o.epochs(4).seed(21));
            straight = new java.util.TreeMap<>();
            for (String k : m.metricKeys()) straight.put(k, h.get(k));
            straight.put("loss", h.get("loss"));
        }
        Jrnn.setSeed(11);
        try (Model m = make.get()) {
            m.fit(xs, ys, o.epochs(2).seed(21).callbacks(new ModelCheckpoint(dir.resolve("ck-{epoch}.keras").toString())));
        }
        Jrnn.setSeed(999);
        try (Model back = Models.load(dir.resolve("ck-2.keras"))) {
            History h = back.fit(xs, ys, new FitOptions().batchSize(3).verbose(0).sampleWeight(Tensor.of(new float[] {1, 2, 1, 0.5f, 1, 1, 3, 1}))
                    .epochs(4).initialEpoch(2));
            for (var e : straight.entrySet()) assertEquals(e.getValue().subList(2, 4), h.get(e.getKey()), e.getKey());
        }
    }

    /** A Sequential without an input shape (built by its first fit), its head popped and replaced. */
    @Test
    void aSequentialBuiltFromTheDataThenPoppedAndExtendedSavesAndTrainsOn() throws IOException {
        Jrnn.setSeed(3);
        SplittableRandom r = new SplittableRandom(1);
        Tensor x = random(r, 6, 8, 2), y = random(r, 6, 3);
        try (Sequential m = new Sequential(new Conv1D(4, 3), new BatchNormalization(), new GaussianNoise(0.1), new GlobalMaxPooling1D(), new Dense(2))) {
            m.compile("adam", "mse");
            m.fit(x, random(r, 6, 2), new FitOptions().epochs(1).batchSize(3).verbose(0).seed(1));
            m.pop();
            m.add(new Dense(3));
            m.compile("adam", "mse");
            m.fit(x, y, new FitOptions().epochs(1).batchSize(3).verbose(0).seed(1));
            m.save(dir.resolve("p.keras"));
            try (Model back = Models.load(dir.resolve("p.keras")); Model j = Models.fromJson(m.toJson())) {
                assertBitIdentical(List.of(m.predict(x)), List.of(back.predict(x)));
                assertEquals(m.summaryString(), back.summaryString());
                assertEquals(m.summaryString(), j.summaryString());
                List<Double> a = m.fit(x, y, new FitOptions().epochs(2).batchSize(3).verbose(0).seed(2)).get("loss");
                List<Double> b = back.fit(x, y, new FitOptions().epochs(2).batchSize(3).verbose(0).seed(2)).get("loss");
                assertEquals(a, b);
            }
        }
    }

    /**
     * An Attention seeded in code draws its dropout masks from that seed; its JSON (Keras' "seed", which the importer
     * reads) keeps it, so a clone or a model from the JSON given the same weights trains as the original, as Keras'
     * clone_model keeps a layer's seed.
     */
    @Test
    void anAttentionsSeedGoesThroughItsJsonAndClone() {
        SplittableRandom r = new SplittableRandom(71);
        List<Tensor> xs = List.of(random(r, 6, 4, 3));
        List<Tensor> ys = List.of(random(r, 6, 4, 2));
        Input in = Input.shape(4, 3);
        Node seq = new LSTM(3).returnSequences(true).apply(in);
        Node ctx = new Attention().dropout(0.4).seed(7).name("att").apply(seq, seq);
        try (Model m = new Model(in, new Dense(2).apply(ctx)); Model c = Models.cloneModel(m)) {
            assertEquals(7L, ((Map<?, ?>) ((Map<?, ?>) layerConfig(m.toJson(), "att")).get("config")).get("seed"));
            c.setWeights(m.getWeights());
            m.compile("sgd", "mse");
            c.compile("sgd", "mse");
            FitOptions o = new FitOptions().epochs(2).batchSize(3).verbose(0).seed(1);
            assertEquals(m.fit(xs, ys, o).get("loss"), c.fit(xs, ys, o).get("loss"));
        }
    }

    /**
     * The layers that draw masks or noise keep a seed given in code through their JSON (Keras writes "seed" for Dropout,
     * SpatialDropout1D, GaussianNoise, GaussianDropout and the recurrent layers) and a saved file: a clone given the same
     * weights trains as the original, and the loaded layer answers the seed. Before, the seed was dropped and the clone
     * drew other masks.
     */
    @ParameterizedTest
    @ValueSource(strings = {"Dropout", "SpatialDropout1D", "GaussianNoise", "GaussianDropout", "LSTM"})
    void aNoiseLayersSeedGoesThroughItsJsonCloneAndFile(String cls, @TempDir Path dir) throws IOException {
        SplittableRandom r = new SplittableRandom(72);
        List<Tensor> xs = List.of(random(r, 6, 4, 3));
        List<Tensor> ys = List.of(random(r, 6, 2));
        Input in = Input.shape(4, 3);
        Layer noisy = switch (cls) {
            case "Dropout" -> new Dropout(0.4);
            case "SpatialDropout1D" -> new SpatialDropout1D(0.4);
            case "GaussianNoise" -> new GaussianNoise(0.5);
            case "GaussianDropout" -> new GaussianDropout(0.4);
            default -> new LSTM(3).returnSequences(true).dropout(0.4).recurrentDropout(0.3);
        };
        Node h = noisy.seed(7).name("noisy").apply(in);
        try (Model m = new Model(in, new Dense(2).apply(new LSTM(3).apply(h))); Model c = Models.cloneModel(m)) {
            assertEquals(7L, ((Map<?, ?>) ((Map<?, ?>) layerConfig(m.toJson(), "noisy")).get("config")).get("seed"));
            c.setWeights(m.getWeights());
            Path file = dir.resolve("m.keras");
            m.save(file);
            try (Model back = Models.load(file)) {
                assertEquals(7L, back.getLayer("noisy").seed());
            }
            m.compile("sgd", "mse");
            c.compile("sgd", "mse");
            FitOptions o = new FitOptions().epochs(2).batchSize(3).verbose(0).seed(1);
            assertEquals(m.fit(xs, ys, o).get("loss"), c.fit(xs, ys, o).get("loss"));
        }
    }

    /**
     * An adapted Normalization saves and loads: its statistics come back as weights (count as Keras' int scalar), its
     * config as Keras 3 writes it (axis [-1], no constant mean or variance), and the loaded model predicts bit for bit.
     */
    @Test
    void anAdaptedNormalizationRoundTrips(@TempDir Path dir) throws IOException {
        SplittableRandom r = new SplittableRandom(73);
        Tensor x = random(r, 6, 5, 2);
        for (boolean invert : new boolean[] {false, true}) {
            dev.jrnn.layers.Normalization norm = new dev.jrnn.layers.Normalization().invert(invert).name("norm");
            norm.adapt(x);
            Input in = Input.shape(5, 2);
            try (Model m = new Model(in, new Dense(1).apply(new LSTM(3).apply(norm.apply(in))))) {
                Map<?, ?> cfg = (Map<?, ?>) ((Map<?, ?>) layerConfig(m.toJson(), "norm")).get("config");
                assertEquals(List.of(-1L), cfg.get("axis"));
                assertEquals(invert, cfg.get("invert"));
                assertEquals(null, cfg.get("mean"));
                Path f = dir.resolve("norm-" + invert + ".keras");
                m.save(f);
                try (Model back = Models.load(f)) {
                    assertBitIdentical(List.of(m.predict(x)), List.of(back.predict(x)));
                    for (int i = 0; i < 3; i++) {
                        assertEquals(java.util.Arrays.toString(norm.getWeights().get(i).data()),
                                java.util.Arrays.toString(back.getLayer("norm").getWeights().get(i).data()));
                    }
                }
            }
        }
    }

    /** The layer called {@code name} in a model's JSON. */
    private static Object layerConfig(String json, String name) {
        Map<?, ?> model = (Map<?, ?>) dev.jrnn.io.Json.parse(json);
        for (Object l : (List<?>) ((Map<?, ?>) model.get("config")).get("layers")) {
            if (name.equals(((Map<?, ?>) ((Map<?, ?>) l).get("config")).get("name"))) return l;
        }
        throw new AssertionError("no layer " + name);
    }
}
