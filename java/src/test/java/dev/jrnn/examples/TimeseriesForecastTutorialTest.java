package dev.jrnn.examples;

import dev.jrnn.Jrnn;
import dev.jrnn.data.Batch;
import dev.jrnn.data.BatchStream;
import dev.jrnn.data.Dataset;
import dev.jrnn.data.NpyWriter;
import dev.jrnn.data.Timeseries;
import dev.jrnn.layers.Dense;
import dev.jrnn.layers.LSTM;
import dev.jrnn.layers.Node;
import dev.jrnn.layers.Normalization;
import dev.jrnn.model.BatchLogs;
import dev.jrnn.model.Callback;
import dev.jrnn.model.EarlyStopping;
import dev.jrnn.model.FitOptions;
import dev.jrnn.model.History;
import dev.jrnn.model.Input;
import dev.jrnn.model.Model;
import dev.jrnn.model.ModelCheckpoint;
import dev.jrnn.model.Models;
import dev.jrnn.optim.Adam;
import dev.jrnn.tensor.Tensor;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static dev.jrnn.examples.TutorialReference.close;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * keras.io's "Timeseries forecasting for weather prediction", ported: a CSV of weather-like readings written to disk,
 * normalized with the training split's mean and std, {@code timeseries_dataset_from_array} windows (every 3rd step of
 * the past 36 predict the temperature 6 steps after), {@code LSTM(8) -> Dense(1)}, Adam, mse, {@code ModelCheckpoint}
 * and {@code EarlyStopping}, save and load. Reference: the same run replayed in float64 torch with Keras' rules
 * ({@code tutorials/make_reference.py}).
 */
class TimeseriesForecastTutorialTest {
    static final int ROWS = 3000, TRAIN_SPLIT = (int) (0.715 * ROWS), STEP = 3, PAST = 36, FUTURE = 6, SEQ = PAST / STEP;
    /** float32 training for 3 epochs of 33 Adam steps against float64: the losses agree to ~1e-5 relative. */
    static final double TOL = 2e-4;

    @TempDir static Path dir;
    static Map<String, Tensor> ref;
    static Path csv;
    static float[][] data;

    @BeforeAll
    static void writeAndReadCsv() throws IOException {
        Jrnn.setBackend("cpu");   // the references' tolerances are the CPU's; and no backend notice in the test log
        ref = TutorialReference.load("timeseries");
        csv = dir.resolve("jena_like.csv");
        Files.writeString(csv, csvText());
        // as the tutorial: read the CSV, keep the feature columns, normalize with the training split's mean and std
        List<String> lines = Files.readAllLines(csv);
        double[][] raw = new double[lines.size() - 1][3];
        for (int r = 1; r < lines.size(); r++) {
            String[] f = lines.get(r).split(",");
            for (int j = 0; j < 3; j++) raw[r - 1][j] = Double.parseDouble(f[j + 1]);
        }
        double[] mean = new double[3], std = new double[3];
        for (int j = 0; j < 3; j++) {
            for (int r = 0; r < TRAIN_SPLIT; r++) mean[j] += raw[r][j];
            mean[j] /= TRAIN_SPLIT;
            for (int r = 0; r < TRAIN_SPLIT; r++) std[j] += (raw[r][j] - mean[j]) * (raw[r][j] - mean[j]);
            std[j] = Math.sqrt(std[j] / TRAIN_SPLIT);
        }
        close("mean", ref.get("mean").toArray(), toFloat(mean), 1e-6);
        close("std", ref.get("std").toArray(), toFloat(std), 1e-6);
        data = new float[raw.length][3];
        for (int r = 0; r < raw.length; r++) for (int j = 0; j < 3; j++) data[r][j] = (float) ((raw[r][j] - mean[j]) / std[j]);
    }

    /** The formula make_reference.py writes too: triangle waves plus an LCG's noise, in integer thousandths. */
    static String csvText() {
        StringBuilder sb = new StringBuilder("Date Time,p (mbar),T (degC),rh (%)\n");
        long state = 12345;
        int[] amp = {3, 8, 5}, period = {500, 144, 72}, base = {990000, 10000, 60000};
        long sum = 0;
        for (int t = 0; t < ROWS; t++) {
            sb.append(String.format("%02d.01.2009 %02d:%02d:00", 1 + t / 144, t % 144 / 6, t % 6 * 10));
            for (int j = 0; j < 3; j++) {
                state = state * 6364136223846793005L + 1442695040888963407L;
                long noise = (state >>> 33) % 2001 - 1000;
                long tri = Math.abs((t % period[j]) * 2L - period[j]);
                long k = base[j] + amp[j] * 1000L * tri / period[j] * 4 + noise;
                sum += k;
                sb.append(',').append(k / 1000).append('.').append(String.format("%03d", k % 1000));
            }
            sb.append('\n');
        }
        assertEquals(ref.get("checksum").get(0), (float) (sum % 65536), "the CSV formula differs from make_reference.py's");
        return sb.toString();
    }

    /** Python's f"{v:.5f}": the exact binary value rounded half to even. */
    static String py5f(double v) {
        return new java.math.BigDecimal(v).setScale(5, java.math.RoundingMode.HALF_EVEN).toPlainString();
    }

    static float[] toFloat(double[] d) {
        float[] f = new float[d.length];
        for (int i = 0; i < d.length; i++) f[i] = (float) d[i];
        return f;
    }

    /** Rows [from, to) of the normalized data, columns [c0, c1). */
    static Tensor rows(int from, int to, int c0, int c1) {
        to = Math.min(to, data.length);
        float[] out = new float[(to - from) * (c1 - c0)];
        for (int r = from; r < to; r++) for (int c = c0; c < c1; c++) out[(r - from) * (c1 - c0) + c - c0] = data[r][c];
        return Tensor.of(out, to - from, c1 - c0);
    }

    static Timeseries trainWindows() {
        // x_train = train_data[:x_end]; y_train = features[past + future : past + future + train_split][[1]]
        return Timeseries.of(rows(0, TRAIN_SPLIT - PAST - FUTURE, 0, 3), rows(PAST + FUTURE, PAST + FUTURE + TRAIN_SPLIT, 1, 2), SEQ)
                .samplingRate(STEP).batchSize(64);
    }

    static Timeseries valWindows() {
        return Timeseries.of(rows(TRAIN_SPLIT, ROWS - PAST - FUTURE, 0, 3), rows(TRAIN_SPLIT + PAST + FUTURE, ROWS, 1, 2), SEQ)
                .samplingRate(STEP).batchSize(64);
    }

    static Model model() {
        Input inputs = Input.shape(SEQ, 3);
        Node lstm = new LSTM(8).apply(inputs);
        Model m = new Model(inputs, new Dense(1).apply(lstm));
        m.compile(new Adam(0.01), "mse");
        m.setWeights(List.of(ref.get("kernel"), ref.get("recurrent"), ref.get("bias"), ref.get("dense_kernel"), ref.get("dense_bias")));
        return m;
    }

    @Test
    void windowsAreKerasTimeseriesDatasetFromArray() throws IOException {
        assertEquals((long) ref.get("windows").get(0), trainWindows().windows());
        assertEquals((long) ref.get("windows").get(1), valWindows().windows());
        List<Batch> kept = new ArrayList<>();
        Tensor firstX, firstY, lastX = null, lastY = null;
        int batches = 0;
        try (BatchStream s = trainWindows().dataset().epoch(0)) {
            Batch b = s.next();
            firstX = b.input(0);
            firstY = b.target(0);
            batches++;
            while (s.hasNext()) {
                try (Batch n = s.next()) {
                    lastX = n.input(0);
                    lastY = n.target(0);
                    batches++;
                }
            }
            b.close();
        }
        assertEquals(33, batches, "2070 windows in batches of 64");
        assertArrayEquals(new int[] {64, SEQ, 3}, firstX.shape());
        assertArrayEquals(new int[] {2070 - 32 * 64, SEQ, 3}, lastX.shape());
        close("x_train[0]", ref.get("x_train0").toArray(), firstX.slice(0, 1).toArray(), 0);
        close("y_train[0]", ref.get("y_train0").toArray(), firstY.slice(0, 1).toArray(), 0);
        close("x_train[-1]", ref.get("x_train_last").toArray(), lastX.slice(lastX.dim(0) - 1, lastX.dim(0)).toArray(), 0);
        close("y_train[-1]", ref.get("y_train_last").toArray(), lastY.slice(lastY.dim(0) - 1, lastY.dim(0)).toArray(), 0);
        assertTrue(kept.isEmpty());
    }

    @Test
    void normalizationAdaptGivesTheTrainingSplitsMeanAndPopulationVariance() {
        Normalization norm = new Normalization();
        norm.adapt(rows(0, TRAIN_SPLIT, 0, 3));
        // adapted on the normalized features: mean 0 and variance 1 up to float32 rounding
        List<Tensor> w = norm.getWeights();
        close("adapted mean", new float[] {0, 0, 0}, w.get(0).toArray(), 1e-5);
        close("adapted variance", new float[] {1, 1, 1}, w.get(1).toArray(), 1e-5);
    }

    @Test
    void fitWithCheckpointAndEarlyStoppingMatchesTheFloat64Replay() throws IOException {
        Model m = model();
        Path best = dir.resolve("model_checkpoint.weights.h5");
        ModelCheckpoint bestOnly = new ModelCheckpoint(best.toString()).monitor("val_loss").verbose(1).saveWeightsOnly(true).saveBestOnly(true);
        ModelCheckpoint every = new ModelCheckpoint(dir.resolve("ckpt-{epoch:02d}.keras").toString());
        EarlyStopping es = new EarlyStopping().monitor("val_loss").minDelta(0).patience(5);
        List<Double> lastBatchLogLoss = new ArrayList<>();
        Callback batchLogs = new Callback() {
            double running;

            @Override
            public void onBatchEnd(int batch, BatchLogs logs, Model model) { running = logs.logs().get("loss"); }

            @Override
            public void onEpochEnd(int epoch, Map<String, Double> logs, Model model) { lastBatchLogLoss.add(running); }
        };
        java.io.ByteArrayOutputStream printed = new java.io.ByteArrayOutputStream();
        History h = m.fit(trainWindows().dataset(), new FitOptions().epochs(3).validationData(valWindows().dataset())
                .callbacks(bestOnly, every, es, batchLogs).verbose(0).out(new java.io.PrintStream(printed, true, java.nio.charset.StandardCharsets.UTF_8)));
        // the tutorial's verbose=1 checkpoint: Keras 3's lines, with the logged val_loss to 5 decimals (the values are
        // checked against the replay below; formatting them from it could flip a fifth decimal at a rounding boundary)
        double[] v = h.get("val_loss").stream().mapToDouble(Double::doubleValue).toArray();
        StringBuilder want = new StringBuilder();
        for (int e = 0; e < 3; e++) {
            want.append("\nEpoch " + (e + 1) + ": val_loss improved from " + (e == 0 ? "None" : py5f(v[e - 1])) + " to " + py5f(v[e])
                    + ", saving model to " + best + "\n\nEpoch " + (e + 1) + ": finished saving model to " + best + "\n");
        }
        assertEquals(want.toString(), printed.toString(java.nio.charset.StandardCharsets.UTF_8).replace("\r\n", "\n"));
        close("loss", ref.get("loss"), h.get("loss"), TOL);
        close("val_loss", ref.get("val_loss"), h.get("val_loss"), TOL);
        // Keras' batch-end logs hold the epoch's running mean: at the last batch, the epoch's loss
        close("last batch's logged loss", ref.get("loss"), lastBatchLogLoss, TOL);
        assertEquals(0, es.stoppedEpoch(), "EarlyStopping with patience 5 does not stop a run that keeps improving");
        assertEquals(2, es.bestEpoch());
        // the epoch-2 checkpoint holds the weights after two epochs of the replay
        Model second = Models.load(dir.resolve("ckpt-02.keras"));
        List<Tensor> w2 = second.getWeights();
        String[] names = {"kernel2", "recurrent2", "bias2", "dense_kernel2", "dense_bias2"};
        for (int i = 0; i < names.length; i++) close(names[i], ref.get(names[i]), w2.get(i), TOL);
        // save_best_only on a falling val_loss: the best file holds the last epoch's weights
        Model fromBest = model();
        fromBest.loadWeights(best);
        assertEquals(m.getWeights(), fromBest.getWeights());
        assertEquals(bestOnly.best(), h.last("val_loss"), 0);
        close("predictions", ref.get("pred"), predict(m, valWindows().dataset()), TOL);
    }

    @Test
    void resumingFromTheEpochTwoCheckpointGivesTheUninterruptedThirdEpoch() throws IOException {
        Path ckpt = dir.resolve("resume");
        Model m = model();
        History full = m.fit(trainWindows().dataset(), new FitOptions().epochs(3).validationData(valWindows().dataset()).verbose(0)
                .callbacks(new ModelCheckpoint(ckpt.resolve("e{epoch}-{val_loss:.4f}.keras").toString())));
        Path two = Files.list(ckpt).filter(f -> f.getFileName().toString().startsWith("e2-")).findFirst().orElseThrow();
        assertEquals("e2-" + new java.math.BigDecimal(full.get("val_loss").get(1)).setScale(4, java.math.RoundingMode.HALF_EVEN).toPlainString()
                + ".keras", two.getFileName().toString());
        Model again = Models.load(two);
        History rest = again.fit(trainWindows().dataset(), new FitOptions().epochs(3).initialEpoch(2)
                .validationData(valWindows().dataset()).verbose(0));
        assertEquals(List.of(2), rest.epochs());
        assertEquals(full.get("loss").get(2), rest.get("loss").get(0), 0, "resumed epoch 3's loss");
        assertEquals(full.get("val_loss").get(2), rest.get("val_loss").get(0), 0, "resumed epoch 3's val_loss");
        assertEquals(m.getWeights(), again.getWeights());
        // and model.save / load_model of the trained model predicts the same, bit for bit
        Path saved = dir.resolve("trained.keras");
        m.save(saved);
        Model loaded = Models.load(saved);
        assertEquals(predict(m, valWindows().dataset()), predict(loaded, valWindows().dataset()));
    }

    @Test
    void aSeriesStreamedFromNpyFilesTrainsAsTheTensors() throws IOException {
        Path x = dir.resolve("x_train.npy"), y = dir.resolve("y_train.npy");
        try (NpyWriter wx = NpyWriter.open(x, 3); NpyWriter wy = NpyWriter.open(y, 1)) {
            wx.append(rows(0, TRAIN_SPLIT - PAST - FUTURE, 0, 3));
            wy.append(rows(PAST + FUTURE, PAST + FUTURE + TRAIN_SPLIT, 1, 2));
        }
        Dataset fromFiles = Timeseries.of(x, y, SEQ).samplingRate(STEP).batchSize(64).dataset();
        Model m = model();
        History h = m.fit(fromFiles, new FitOptions().epochs(1).verbose(0));
        close("loss", Tensor.of(new float[] {ref.get("loss").get(0)}), h.get("loss"), TOL);
        Model t = model();
        assertEquals(h.get("loss"), t.fit(trainWindows().dataset(), new FitOptions().epochs(1).verbose(0)).get("loss"));
        assertEquals(m.getWeights(), t.getWeights());
    }

    @Test
    void evaluateAndPredictDoNotDependOnTheBatchSize() throws IOException {
        Model m = model();
        Tensor want = ref.get("pred");   // after 3 epochs: train first
        m.fit(trainWindows().dataset(), new FitOptions().epochs(3).verbose(0));
        Tensor x = windowsTensor(valWindows()), y = targetsTensor(valWindows());
        // Keras' evaluate: the batch losses' mean weighted by the batch sizes, i.e. the mean over all windows
        double v7 = m.evaluateAll(List.of(x), List.of(y), 7, null).get("loss");
        double v1000 = m.evaluateAll(List.of(x), List.of(y), 1000, null).get("loss");
        double vDs = m.evaluate(valWindows().batchSize(13).dataset());
        double wantLoss = ref.get("val_loss").get(2);
        for (double v : new double[] {v7, v1000, vDs}) assertEquals(wantLoss, v, TOL * wantLoss);
        Tensor p5 = m.predictAll(List.of(x), 5, null).get(0), pAll = m.predict(x);
        close("predict batch 5", want, p5, TOL);
        close("predict batch 32", want, pAll, TOL);
        close("predict dataset batch 64", want, predict(m, valWindows().dataset()), TOL);
    }

    @Test
    void earlyStoppingStopsAsKerasAfterPatienceEpochsWithoutAMinDeltaImprovement() throws IOException {
        Model m = model();
        EarlyStopping es = new EarlyStopping().monitor("loss").minDelta(10).patience(1);
        History h = m.fit(trainWindows().dataset().take(2), new FitOptions().epochs(10).verbose(0).callbacks(es));
        // epoch 1 is the first best (Keras starts from inf), epoch 2 improves by less than 10: wait 1 >= patience 1
        assertEquals(List.of(0, 1), h.epochs());
        assertEquals(1, es.stoppedEpoch());
    }

    /** The tutorial's own model at its own sizes (120 steps of 7 features, LSTM(32)): keras.io's printed summary. */
    @Test
    void summaryIsTheTutorialsTable() {
        dev.jrnn.Jrnn.clearSession();   // keras.backend.clear_session(): names numbered afresh, as in the tutorial's run
        Input inputs = Input.shape(120, 7);
        Model m = new Model(inputs, new Dense(1).apply(new LSTM(32).apply(inputs)));
        String want = String.join("\n",
                "Model: \"model\"",
                "_________________________________________________________________",
                " Layer (type)                Output Shape              Param #   ",
                "=================================================================",
                " input_1 (InputLayer)        [(None, 120, 7)]          0         ",
                "                                                                 ",
                " lstm (LSTM)                 (None, 32)                5120      ",
                "                                                                 ",
                " dense (Dense)               (None, 1)                 33        ",
                "                                                                 ",
                "=================================================================",
                "Total params: 5,153",
                "Trainable params: 5,153",
                "Non-trainable params: 0",
                "_________________________________________________________________", "");
        assertEquals(want, m.summaryString());
    }

    static Tensor windowsTensor(Timeseries t) throws IOException {
        List<Tensor> parts = new ArrayList<>();
        try (BatchStream s = t.dataset().epoch(0)) {
            while (s.hasNext()) try (Batch b = s.next()) { parts.add(b.input(0)); }
        }
        return concat(parts);
    }

    static Tensor targetsTensor(Timeseries t) throws IOException {
        List<Tensor> parts = new ArrayList<>();
        try (BatchStream s = t.dataset().epoch(0)) {
            while (s.hasNext()) try (Batch b = s.next()) { parts.add(b.target(0)); }
        }
        return concat(parts);
    }

    static Tensor concat(List<Tensor> parts) {
        int n = 0, len = 0;
        for (Tensor p : parts) { n += p.dim(0); len += p.size(); }
        float[] all = new float[len];
        int at = 0;
        for (Tensor p : parts) { System.arraycopy(p.toArray(), 0, all, at, p.size()); at += p.size(); }
        int[] shape = parts.get(0).shape();
        shape[0] = n;
        return Tensor.of(all, shape);
    }

    /** Keras' {@code model.predict(dataset)}: the outputs of every batch, in order (the targets ignored). */
    static Tensor predict(Model m, Dataset ds) throws IOException {
        List<float[]> parts = new ArrayList<>();
        m.predict(ds, outs -> parts.add(outs.get(0).toArray()));
        int n = parts.stream().mapToInt(a -> a.length).sum(), at = 0;
        float[] all = new float[n];
        for (float[] a : parts) {
            System.arraycopy(a, 0, all, at, a.length);
            at += a.length;
        }
        return Tensor.of(all, n, 1);
    }
}
