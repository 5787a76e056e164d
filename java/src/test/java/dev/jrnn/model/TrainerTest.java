package dev.jrnn.model;

import dev.jrnn.Jrnn;
import dev.jrnn.layers.Dense;
import dev.jrnn.layers.Embedding;
import dev.jrnn.layers.LSTM;
import dev.jrnn.layers.TimeDistributed;
import dev.jrnn.layers.Node;
import dev.jrnn.layers.SimpleRNN;
import dev.jrnn.optim.Adam;
import dev.jrnn.optim.SGD;
import dev.jrnn.tensor.Tensor;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@link Trainer}'s compile options as Keras takes them: names, the keys they give in History and evaluate. */
class TrainerTest {
    @BeforeEach
    void freshCpuSession() {
        Jrnn.setBackend("cpu");
        Jrnn.clearSession();
        Jrnn.setSeed(4);
    }

    /** Keras names a string metric by the string given (compile_utils.get_metric): "acc" logs "acc", not "accuracy". */
    @Test
    void metricsAreLoggedUnderTheNamesGiven() {
        Tensor[] d = FitOptionsTest.data(8);
        d[1] = Tensor.of(new float[] {1, 0, 1, 1, 0, 0, 1, 0}, 8, 1);   // 0/1 targets, so accuracy is not 0 whatever it computes
        Sequential m = new Sequential(new SimpleRNN(3).inputShape(4, 2), new Dense(1));
        m.compile(new Adam(0.01), "mse", "acc", "mean_absolute_error", "mae");
        assertEquals(List.of("acc", "mean_absolute_error", "mae"), m.metricNames());
        History h = m.fit(d[0], d[1], new FitOptions().epochs(1).batchSize(4).verbose(0).validationSplit(0.5));
        assertEquals(List.of("acc", "loss", "mae", "mean_absolute_error", "val_acc", "val_loss", "val_mae", "val_mean_absolute_error"),
                new ArrayList<>(h.history().keySet()));
        Tensor p = m.predict(d[0]);
        double mae = 0, acc = 0;
        for (int i = 0; i < 8; i++) {
            mae += Math.abs(p.get(i, 0) - d[1].get(i, 0)) / 8;
            acc += d[1].get(i, 0) == (p.get(i, 0) > 0.5f ? 1f : 0f) ? 1.0 / 8 : 0;
        }
        Map<String, Double> ev = m.evaluateAll(List.of(d[0]), List.of(d[1]), 8, null);
        assertEquals(List.of("acc", "loss", "mae", "mean_absolute_error"), new ArrayList<>(ev.keySet()));
        assertEquals(mae, ev.get("mean_absolute_error"), 1e-6);
        assertEquals(mae, ev.get("mae"), 1e-6);
        assertEquals(acc, ev.get("acc"), 1e-9);
        assertTrue(acc > 0 && acc < 1, "the check tells binary accuracy from a constant: " + acc);
    }

    @Test
    void kerasMetricsBesideTheLossOverAnEpochOfSeveralBatches() {
        Jrnn.setBackend("cpu");
        Jrnn.setSeed(12);
        Sequential m = new Sequential(new Dense(2).inputShape(3));
        m.compile("sgd", "mse", "mse", "root_mean_squared_error", "mape", "precision");
        Tensor x = Tensor.of(new float[] {1, 2, 0, -1, 0.5f, 2, 0, 1, 1, 2, -2, 0.5f, 1, 1, 1}, 5, 3);
        // targets from the predictions: of those above 0.5 only the first is a positive, so precision is a fraction
        float[] p = m.predict(x).toArray(), t = {1, 0, 0, 1, 1, 1, 0.5f, 0, 2, 1};
        boolean first = true;
        for (int i = 0; i < p.length; i++) {
            if (p[i] > 0.5f) {
                t[i] = first ? 1 : 0;
                first = false;
            }
        }
        Tensor y = Tensor.of(t, 5, 2);
        Map<String, Double> r = m.evaluateAll(List.of(x), List.of(y), 2, null);
        // over the epoch, not per batch: RMSE is the root of the epoch's MSE (batches of 2, 2 and 1 samples)
        assertEquals(Math.sqrt(r.get("mse")), r.get("root_mean_squared_error"), 1e-7);   // each logged as a float32, as Keras
        double ape = 0, tp = 0, pos = 0;
        for (int i = 0; i < p.length; i++) {
            ape += 100 * Math.abs((double) p[i] - t[i]) / Math.max(Math.abs(t[i]), 1e-7);
            if (p[i] > 0.5f) {
                pos++;
                if (t[i] != 0) tp++;
            }
        }
        assertEquals(ape / p.length, r.get("mape"), 1e-6 * Math.max(1, ape / p.length));
        assertTrue(pos > 0 && tp > 0 && tp < pos, "the data must make precision a fraction: " + tp + " of " + pos);
        assertEquals(tp / pos, r.get("precision"), 1e-12);
        assertEquals(List.of("loss", "mape", "mse", "precision", "root_mean_squared_error"), new ArrayList<>(r.keySet()));
    }

    /**
     * Keras' {@code d_loss, d_acc = model.train_on_batch(x, y)}: the loss and the metrics of the batch before the update,
     * as test_on_batch gives them on a twin, and the update fit makes; weighted as the loss is.
     */
    @Test
    void trainOnBatchAllGivesTheMetricsOfTheBatchBeforeItsUpdate() {
        java.util.function.Supplier<Sequential> make = () -> {
            Jrnn.setSeed(13);
            Sequential m = new Sequential(new SimpleRNN(3).inputShape(4, 2), new Dense(1).activation("sigmoid"));
            m.compile(new dev.jrnn.optim.SGD(0.5), "binary_crossentropy", "accuracy", "mae", WeightedMetrics.of("mae"));
            return m;
        };
        java.util.SplittableRandom r = new java.util.SplittableRandom(5);
        Tensor x = FunctionalTest.random(r, 6, 4, 2), y = Tensor.of(new float[] {0, 1, 1, 0, 1, 0}, 6, 1);
        Tensor w = Tensor.of(new float[] {1, 2, 0.5f, 1, 3, 1}, 6);
        Sequential m = make.get(), ref = make.get();
        Map<String, Double> expected = ref.testOnBatch(List.of(x), List.of(y), w);
        Map<String, Double> got = m.trainOnBatchAll(List.of(x), List.of(y), w, null);
        assertEquals(List.of("accuracy", "loss", "mae", "weighted_mae"), List.copyOf(got.keySet()));
        for (String k : expected.keySet()) assertEquals(expected.get(k), got.get(k), 1e-6, k);
        ref.fit(x, y, new FitOptions().epochs(1).batchSize(6).shuffle(false).verbose(0).sampleWeight(w));
        assertEquals(ref.getWeights(), m.getWeights());
        // the next batch's metrics start afresh (Keras resets them per call); the loss is trainOnBatch's
        Sequential twin = make.get();
        twin.trainOnBatch(List.of(x), List.of(y), w, null);
        Map<String, Double> second = twin.testOnBatch(List.of(x), List.of(y));
        double loss = twin.trainOnBatch(x, y);
        got = m.trainOnBatchAll(List.of(x), List.of(y));
        for (String k : second.keySet()) assertEquals(second.get(k), got.get(k), 1e-6, k);
        assertEquals(loss, got.get("loss"), 1e-6);
        assertEquals(twin.getWeights(), m.getWeights());
    }

    /** Keras' train_on_batch / test_on_batch / predict_on_batch on a model of two inputs and two outputs. */
    @Test
    void onBatchCallsTakeSeveralInputsAndOutputs() {
        java.util.function.Supplier<Model> make = () -> {
            Jrnn.setSeed(11);
            Input a = Input.shape(4, 2), b = Input.shape(3);
            Node h = new dev.jrnn.layers.Concatenate().apply(new SimpleRNN(3).apply(a), b);
            return new Model(List.of(a, b), List.of(new Dense(2).apply(h), new Dense(1).apply(h)));
        };
        Model m = make.get(), ref = make.get();
        m.compile(new dev.jrnn.optim.SGD(0.1), "mse", "mae");
        ref.compile(new dev.jrnn.optim.SGD(0.1), "mse", "mae");
        java.util.SplittableRandom r = new java.util.SplittableRandom(2);
        List<Tensor> xs = List.of(FunctionalTest.random(r, 5, 4, 2), FunctionalTest.random(r, 5, 3));
        List<Tensor> ys = List.of(FunctionalTest.random(r, 5, 2), FunctionalTest.random(r, 5, 1));
        Map<String, Double> before = m.testOnBatch(xs, ys);
        // ref's layers have other names: its keys mapped onto m's (its first output's dense is m's dense, its second m's dense_1)
        Map<String, Double> want = ref.evaluateAll(xs, ys, 5, null);
        List<String> theirs = ref.layers().stream().filter(l -> l instanceof Dense).map(dev.jrnn.layers.Layer::name).toList();
        List<String> mine = m.layers().stream().filter(l -> l instanceof Dense).map(dev.jrnn.layers.Layer::name).toList();
        assertEquals(want.get("loss"), before.get("loss"));
        for (int o = 0; o < 2; o++) {
            for (String k : List.of("_loss", "_mae")) assertEquals(want.get(theirs.get(o) + k), before.get(mine.get(o) + k), mine.get(o) + k);
        }
        assertEquals(List.of("dense_1_loss", "dense_1_mae", "dense_loss", "dense_mae", "loss"), List.copyOf(before.keySet()));
        assertEquals(ref.predictAll(xs, 5, null), m.predictOnBatch(xs));
        // one step: the loss before it, and the weights of one epoch of fit on the same batch
        assertEquals(before.get("loss"), m.trainOnBatch(xs, ys), 1e-6);
        ref.fit(xs, ys, new FitOptions().epochs(1).batchSize(5).shuffle(false).verbose(0));
        assertEquals(ref.getWeights(), m.getWeights());
        IllegalStateException e = org.junit.jupiter.api.Assertions.assertThrows(IllegalStateException.class, () -> m.predictOnBatch(xs.get(0)));
        assertTrue(e.getMessage().contains("predictOnBatch(List.of(x))"), e.getMessage());
        // one input and one output
        Sequential s = new Sequential(new SimpleRNN(2).inputShape(4, 2), new Dense(1));
        s.compile(new dev.jrnn.optim.SGD(0.1), "mse");
        assertEquals(s.predict(xs.get(0)), s.predictOnBatch(xs.get(0)));
        assertEquals(s.evaluate(xs.get(0), ys.get(1)), s.testOnBatch(xs.get(0), ys.get(1)), 1e-6);
    }

    /** Keras names a metric of a model with several outputs by its output, whichever outputs have targets. */
    @Test
    void metricsOfSeveralOutputsAreNamedByTheirOutputEvenWhenOneTrains() {
        Input in = Input.shape(4, 2);
        Node h = new SimpleRNN(3).apply(in);
        Model m = new Model(in, List.of(new Dense(2).name("a").apply(h), new Dense(1).name("b").apply(h)));
        m.compile(new dev.jrnn.optim.SGD(0.1), "mse", "mae");
        java.util.SplittableRandom r = new java.util.SplittableRandom(3);
        Tensor x = FunctionalTest.random(r, 6, 4, 2), ya = FunctionalTest.random(r, 6, 2);
        Map<String, Double> logs = m.evaluateAll(List.of(x), java.util.Arrays.asList(ya, null), 3, null);
        assertEquals(List.of("a_mae", "loss"), List.copyOf(logs.keySet()));
        Tensor p = m.predictAll(x).get(0);
        double mae = 0;
        for (int i = 0; i < 12; i++) mae += Math.abs(p.data()[i] - ya.data()[i]) / 12;
        assertEquals(mae, logs.get("a_mae"), 1e-6);
        History hist = m.fit(List.of(x), java.util.Arrays.asList(ya, null), new FitOptions().epochs(1).batchSize(3).verbose(0)
                .validationData(List.of(x), java.util.Arrays.asList(ya, null)));
        assertEquals(List.of("a_mae", "loss", "val_a_mae", "val_loss"), List.copyOf(hist.history().keySet()));
    }

    /** Keras' compile(loss=[...]) and compile(loss={...}): each output its own loss, the total their sum. */
    @Test
    void oneLossPerOutputAsAListOrByName() throws Exception {
        java.util.function.Supplier<Model> make = () -> {
            Jrnn.setSeed(8);
            Input in = Input.shape(4, 2);
            Node h = new SimpleRNN(3).apply(in);
            return new Model(in, List.of(new Dense(2).name("reg").apply(h), new Dense(3).activation("softmax").name("cls").apply(h)));
        };
        Model m = make.get();
        java.util.SplittableRandom r = new java.util.SplittableRandom(5);
        Tensor x = FunctionalTest.random(r, 6, 4, 2), yr = FunctionalTest.random(r, 6, 2);
        Tensor yc = Tensor.of(new float[] {0, 2, 1, 1, 0, 2}, 6);
        // one loss for both cannot train a regression and a classification head together
        m.compile(new dev.jrnn.optim.SGD(0.1), "mse");
        IllegalArgumentException one = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> m.evaluateAll(List.of(x), List.of(yr, yc), 6, null));
        assertTrue(one.getMessage().contains("y[1] has shape (6,)"), one.getMessage());
        m.compile(new dev.jrnn.optim.SGD(0.1), List.of("mse", "sparse_categorical_crossentropy"), "accuracy");
        assertEquals(List.of(dev.jrnn.losses.Losses.mse(), dev.jrnn.losses.Losses.of("sparse_categorical_crossentropy")), m.losses());
        Map<String, Double> logs = m.evaluateAll(List.of(x), List.of(yr, yc), 4, null);
        assertEquals(List.of("cls_accuracy", "cls_loss", "loss", "reg_accuracy", "reg_loss"), List.copyOf(logs.keySet()));
        List<Tensor> p = m.predictAll(x);
        double mse = 0, sce = 0;
        for (int i = 0; i < 12; i++) mse += Math.pow(p.get(0).data()[i] - yr.data()[i], 2) / 12;
        for (int i = 0; i < 6; i++) sce -= Math.log(p.get(1).get(i, (int) yc.data()[i])) / 6;
        assertEquals(mse, logs.get("reg_loss"), 1e-6);
        assertEquals(sce, logs.get("cls_loss"), 1e-5);
        assertEquals(mse + sce, logs.get("loss"), 1e-5);
        // by output name: the same losses
        Model byName = make.get();
        byName.compile("sgd", Map.of("cls", "sparse_categorical_crossentropy", "reg", "mse"));
        assertEquals(m.losses(), byName.losses());
        assertEquals(logs.get("loss"), byName.evaluateAll(List.of(x), List.of(yr, yc), 4, null).get("loss"), 1e-6);
        assertEquals(logs.get("loss"), m.trainOnBatch(List.of(x), List.of(yr, yc)), 1e-5);
        // saved with the model as Keras writes a list of losses
        java.nio.file.Path dir = java.nio.file.Files.createTempDirectory("jrnn-losses");
        java.nio.file.Path file = dir.resolve("m.keras");
        m.save(file);
        try (java.util.zip.ZipFile z = new java.util.zip.ZipFile(file.toFile())) {
            String cfg = new String(z.getInputStream(z.getEntry("config.json")).readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
            assertTrue(cfg.replace(" ", "").contains("\"loss\":[\"mean_squared_error\"") || cfg.replace(" ", "").contains("\"loss\":[{"), cfg);
            try (Model back = Models.load(file)) {   // and read back compiled with them
                assertEquals(m.losses(), back.losses());
                assertEquals(m.evaluateAll(List.of(x), List.of(yr, yc), 4, null), back.evaluateAll(List.of(x), List.of(yr, yc), 4, null));
            }
            // Keras' other form, a map by output name (compile(loss={...})), reads back too
            @SuppressWarnings("unchecked")
            Map<String, Object> json = (Map<String, Object>) dev.jrnn.io.Json.parse(cfg);
            @SuppressWarnings("unchecked")
            Map<String, Object> cc = (Map<String, Object>) json.get("compile_config");
            List<?> list = (List<?>) cc.get("loss");
            cc.put("loss", Map.of("cls", list.get(1), "reg", list.get(0)));
            java.nio.file.Path mapped = dir.resolve("mapped.keras");
            try (java.util.zip.ZipOutputStream out = new java.util.zip.ZipOutputStream(java.nio.file.Files.newOutputStream(mapped))) {
                for (java.util.zip.ZipEntry e : java.util.Collections.list(z.entries())) {
                    out.putNextEntry(new java.util.zip.ZipEntry(e.getName()));
                    out.write(e.getName().equals("config.json") ? dev.jrnn.io.Json.write(json).getBytes(java.nio.charset.StandardCharsets.UTF_8)
                            : z.getInputStream(e).readAllBytes());
                    out.closeEntry();
                }
            }
            try (Model back = Models.load(mapped)) {
                assertEquals(m.losses(), back.losses());
            } finally {
                java.nio.file.Files.deleteIfExists(mapped);
            }
        } finally {
            java.nio.file.Files.deleteIfExists(file);
            java.nio.file.Files.deleteIfExists(dir);
        }
        // what is refused, naming the outputs
        IllegalArgumentException e = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> m.compile("adam", List.of("mse")));
        assertEquals(m.name() + ".compile: expected one loss per output (2: [reg, cls]), got 1", e.getMessage());
        e = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class, () -> m.compile("adam", Map.of("reg", "mse", "out", "mse")));
        assertEquals(m.name() + ".compile: the loss map's keys must be the output names [reg, cls], got [out, reg]", e.getMessage());
        e = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> m.compile("adam", java.util.Arrays.asList(null, null)));
        assertEquals(m.name() + ".compile: every loss is null ([reg, cls]): at least one output needs a loss", e.getMessage());
        e = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> m.compile("adam", List.of("mse", "sparse_categorical_crossentropy"), "mae"));
        assertTrue(e.getMessage().contains("metric mae needs dense targets"), e.getMessage());
        assertEquals(List.of("accuracy"), m.metricNames());   // a refused compile changes nothing
    }

    @Test
    void lossWeightsWeighTheTotalAndItsGradientNotTheLoggedOutputLosses() throws Exception {
        java.util.function.Supplier<Model> make = () -> {
            Jrnn.setSeed(9);
            Input in = Input.shape(3);
            return new Model(in, List.of(new Dense(2).name("a").apply(in), new Dense(1).name("b").apply(in)));
        };
        java.util.SplittableRandom r = new java.util.SplittableRandom(3);
        Tensor x = FunctionalTest.random(r, 5, 3), ya = FunctionalTest.random(r, 5, 2), yb = FunctionalTest.random(r, 5, 1);
        Model plain = make.get(), weighted = make.get();
        plain.compile(new dev.jrnn.optim.SGD(0.1), List.of("mse", "mse"));
        weighted.compile(new dev.jrnn.optim.SGD(0.1), List.of("mse", "mse"), List.of(1.0, 0.25));
        assertEquals(List.of(1.0, 0.25), weighted.lossWeights());
        Map<String, Double> logs = weighted.evaluateAll(List.of(x), List.of(ya, yb), 5, null);
        // Keras 3: each output's loss logged unweighted, the total weighted
        assertEquals(plain.evaluateAll(List.of(x), List.of(ya, yb), 5, null).get("b_loss"), logs.get("b_loss"), 0);
        assertEquals(logs.get("a_loss") + 0.25 * logs.get("b_loss"), logs.get("loss"), 1e-6);
        // one SGD step: head b (its own weights, on the input) moves a quarter as far; head a as without weights
        List<float[]> before = new java.util.ArrayList<>();
        for (Tensor t : plain.getWeights()) before.add(t.toArray());
        plain.trainOnBatch(List.of(x), List.of(ya, yb));
        weighted.trainOnBatch(List.of(x), List.of(ya, yb));
        List<Tensor> wp = plain.getWeights(), ww = weighted.getWeights();
        for (int t = 0; t < wp.size(); t++) {
            boolean headB = weighted.weightNames().get(t).startsWith("b/");
            float[] p = wp.get(t).toArray(), w = ww.get(t).toArray(), b0 = before.get(t);
            for (int i = 0; i < p.length; i++) {
                double dp = p[i] - b0[i], dw = w[i] - b0[i];
                assertEquals(headB ? 0.25 * dp : dp, dw, 1e-6 + 1e-4 * Math.abs(dp), weighted.weightNames().get(t) + "[" + i + "]");
            }
        }
        // saved as Keras' loss_weights, read back compiled with them; by output name as Keras' dict
        java.nio.file.Path file = java.nio.file.Files.createTempDirectory("jrnn-lw").resolve("m.keras");
        weighted.save(file);
        try (Model back = Models.load(file)) {
            assertEquals(List.of(1.0, 0.25), back.lossWeights());
        }
        try (java.util.zip.ZipFile z = new java.util.zip.ZipFile(file.toFile())) {
            // Keras matches loss_weights to a list of losses one for one: the two equal losses are written as a list
            String cfg = new String(z.getInputStream(z.getEntry("config.json")).readAllBytes(), java.nio.charset.StandardCharsets.UTF_8)
                    .replace(" ", "");
            assertTrue(cfg.contains("\"loss\":[") && cfg.contains("\"loss_weights\":[1.0,0.25]"), cfg);
        }
        Model byName = make.get();
        byName.compile(new dev.jrnn.optim.SGD(0.1), Map.of("b", "mse", "a", "mse"), Map.of("b", 0.25, "a", 1.0));
        assertEquals(List.of(1.0, 0.25), byName.lossWeights());
        // compile again without them: all 1
        weighted.compile(new dev.jrnn.optim.SGD(0.1), List.of("mse", "mse"));
        assertEquals(List.of(), weighted.lossWeights());
        IllegalArgumentException e = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> plain.compile(new dev.jrnn.optim.SGD(0.1), List.of("mse", "mse"), List.of(1.0)));
        assertEquals(plain.name() + ".compile: expected one loss weight per output (2: [a, b]), got 1 [1.0]", e.getMessage());
        e = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> plain.compile(new dev.jrnn.optim.SGD(0.1), List.of("mse", "mse"), List.of(1.0, Double.NaN)));
        assertEquals(plain.name() + ".compile: the loss weight of output 1 (b) must be a finite number, got NaN", e.getMessage());
    }

    /**
     * Keras validates in batches of batch_size (validation_batch_size defaults to it), however few the training samples:
     * with 1 training sample and batch size 2 the 2 validation samples are one batch, and a masked output's loss divides
     * by the valid steps of that batch (Keras' apply_mask: sum(loss) / valid). jrnn validated in batches of 1 (the batch
     * size clipped to the training set), averaging per-sample masked means instead.
     */
    @Test
    void validationRunsInBatchesOfBatchSizeEvenWithFewerTrainingSamples() {
        Input in = Input.shape(4);
        Node seq = new LSTM(2).returnSequences(true).apply(new Embedding(5, 2).maskZero(true).apply(in));
        Model m = new Model(in, new TimeDistributed(new Dense(1)).apply(seq));
        m.compile(new SGD(0.0), "mse");   // lr 0: the weights validation sees are the ones predict sees
        Tensor xt = Tensor.of(new float[] {1, 2, 0, 0}, 1, 4), yt = Tensor.of(new float[4], 1, 4, 1);
        float[] xv = {3, 4, 1, 0, 2, 0, 0, 0}, yv = {1, 1, 1, 1, 0, 1, 0, 1};
        History h = m.fit(xt, yt, new FitOptions().epochs(1).batchSize(2).verbose(0)
                .validationData(Tensor.of(xv, 2, 4), Tensor.of(yv, 2, 4, 1)));
        float[] p = m.predict(Tensor.of(xv, 2, 4)).toArray();
        double sum = 0, valid = 0;
        for (int i = 0; i < 8; i++) {
            if (xv[i] != 0) { sum += (p[i] - yv[i]) * (p[i] - yv[i]); valid++; }
        }
        assertEquals(sum / valid, h.last("val_loss"), 1e-6);   // one batch of 2: 4 valid steps
    }

    /**
     * With stepsPerEpoch and no batchSize, Keras validates in batches of 32 (validation_batch_size and batch_size None),
     * not in the ceil(samples / steps) training batches: a masked output's val_loss is that of one batch of 3 here,
     * where 3 batches of 1 (3 training samples in 3 steps) averaged the samples' own means.
     */
    @Test
    void withStepsPerEpochAndNoBatchSizeValidationRunsInBatchesOf32() {
        Input in = Input.shape(4);
        Node seq = new LSTM(2).returnSequences(true).apply(new Embedding(5, 2).maskZero(true).apply(in));
        Model m = new Model(in, new TimeDistributed(new Dense(1)).apply(seq));
        m.compile(new SGD(0.0), "mse");
        Tensor xt = Tensor.of(new float[] {1, 2, 0, 0, 3, 0, 0, 0, 4, 4, 1, 0}, 3, 4), yt = Tensor.of(new float[12], 3, 4, 1);
        float[] xv = {3, 4, 1, 0, 2, 0, 0, 0, 1, 1, 1, 1}, yv = {1, 1, 1, 1, 0, 1, 0, 1, 2, 0, 1, 0};
        History h = m.fit(xt, yt, new FitOptions().epochs(1).stepsPerEpoch(3).verbose(0)
                .validationData(Tensor.of(xv, 3, 4), Tensor.of(yv, 3, 4, 1)));
        float[] p = m.predict(Tensor.of(xv, 3, 4)).toArray();
        double sum = 0, valid = 0;
        for (int i = 0; i < 12; i++) {
            if (xv[i] != 0) { sum += (p[i] - yv[i]) * (p[i] - yv[i]); valid++; }
        }
        assertEquals(sum / valid, h.last("val_loss"), 1e-6);   // one batch of 3: 8 valid steps
    }

    /** A model of outputs [zz, aa], in that order (their sorted order is aa, zz). */
    private static Model zzAa() {
        Input in = Input.shape(3).name("x");
        return new Model(in, List.of(new Dense(1).name("zz").apply(in), new Dense(1).name("aa").apply(in)));
    }

    /**
     * Losses by name with loss weights by position, as Keras' {@code compile(loss={...}, loss_weights=[0.3, 2.0])}: the
     * positions follow the output order, [zz, aa], not the keys' sorted order, as Keras 3.15.1 weighs them
     * (KerasCallsTest holds Keras' losses for such a file); the other way round, weights by name beside a loss list, where
     * Keras 3 reads the map by position in sorted-key order, is taken where that order is the output order and refused where
     * Keras would weigh other outputs than the keys name. {@code isCompiled} says whether compile ran.
     */
    @Test
    void lossWeightsByPositionBesideLossesByNameAndTheOtherWayRound() {
        try (Model m = zzAa()) {
            assertFalse(m.isCompiled());
            assertEquals(List.of("zz", "aa"), m.outputNames());
            m.compile(new SGD(0.1), Map.of("aa", "binary_crossentropy", "zz", "mse"), List.of(0.3, 2.0));
            assertTrue(m.isCompiled());
            assertEquals(List.of(0.30000001192092896, 2.0), m.lossWeights());   // float32, as the step weighs them
            assertEquals(List.of("mean_squared_error", "binary_crossentropy"), m.losses().stream().map(dev.jrnn.losses.Losses::kerasName).toList());
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> m.compile("sgd", List.of("mse", "mse"), Map.of("zz", 0.3, "aa", 2.0)));
            assertEquals(m.name() + ".compile: loss weights by output name beside losses by position need the output names [zz, aa] to be"
                    + " in sorted order, got the keys in sorted order [aa, zz]: Keras 3 pairs such a map with the outputs by position in"
                    + " sorted-key order, so it would weigh output zz by aa's weight; give the losses and their weights both by name or"
                    + " both by position (the weights as List.of(0.3, 2.0) in output order [zz, aa])", e.getMessage());
            assertEquals(List.of(0.30000001192092896, 2.0), m.lossWeights(), "a refused compile changes nothing");
        }
        Input in = Input.shape(3).name("x");
        try (Model m = new Model(in, List.of(new Dense(1).name("a_out").apply(in), new Dense(1).name("b_out").apply(in)))) {
            m.compile("sgd", List.of("mse", "mae"), Map.of("b_out", 2.0, "a_out", 0.5));
            assertEquals(List.of(0.5, 2.0), m.lossWeights());
        }
    }
}
