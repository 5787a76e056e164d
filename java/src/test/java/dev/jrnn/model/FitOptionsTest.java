package dev.jrnn.model;

import dev.jrnn.Jrnn;
import dev.jrnn.layers.Dense;
import dev.jrnn.layers.SimpleRNN;
import dev.jrnn.optim.Adam;
import dev.jrnn.tensor.Tensor;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Validation, callbacks, shuffling, progress output, History export. */
class FitOptionsTest {
    @BeforeAll
    static void cpu() {
        Jrnn.setBackend("cpu");
    }

    @BeforeEach
    void fresh() {
        Jrnn.clearSession();
        Jrnn.setSeed(12);
    }

    static Tensor[] data(int n) {
        SplittableRandom r = new SplittableRandom(8);
        float[] x = new float[n * 4 * 2];
        float[] y = new float[n];
        for (int i = 0; i < x.length; i++) x[i] = (float) r.nextDouble(-1, 1);
        for (int i = 0; i < n; i++) y[i] = x[i * 8] + 0.5f * x[i * 8 + 7];
        return new Tensor[] {Tensor.of(x, n, 4, 2), Tensor.of(y, n, 1)};
    }

    static Sequential model() {
        Sequential m = new Sequential(new SimpleRNN(5).inputShape(4, 2), new Dense(1));
        m.compile(new Adam(0.01), "mse", "mae");
        return m;
    }

    @Test
    void validationSplitUsesTheLastSamples() {
        Tensor[] d = data(20);
        Sequential m = model();
        History h = m.fit(d[0], d[1], new FitOptions().epochs(3).batchSize(4).verbose(0).validationSplit(0.25));
        assertEquals(List.of("loss", "mae", "val_loss", "val_mae"), new ArrayList<>(h.history().keySet()));
        double val = m.evaluate(d[0].slice(15, 20), d[1].slice(15, 20));
        assertEquals(val, h.last("val_loss"), 1e-6);
        Map<String, Double> ev = m.evaluateAll(List.of(d[0].slice(15, 20)), List.of(d[1].slice(15, 20)), 32, null);
        assertEquals(h.last("val_mae"), ev.get("mae"), 1e-6);
    }

    @Test
    void sameSeedSameHistoryAndValidationData() {
        Tensor[] d = data(12);
        List<List<Double>> runs = new ArrayList<>();
        for (int run = 0; run < 2; run++) {
            Jrnn.clearSession();
            Jrnn.setSeed(77);
            Sequential m = model();
            History h = m.fit(d[0], d[1], new FitOptions().epochs(4).batchSize(3).verbose(0).validationData(d[0], d[1]));
            runs.add(h.get("loss"));
            assertEquals(m.evaluate(d[0], d[1]), h.last("val_loss"), 1e-6);
        }
        assertEquals(runs.get(0), runs.get(1));
    }

    @Test
    void earlyStoppingAndListener() {
        Tensor[] d = data(8);
        Sequential m = model();
        EarlyStopping es = new EarlyStopping().monitor("loss").minDelta(1e9).patience(2);
        List<Integer> seen = new ArrayList<>();
        History h = m.fit(d[0], d[1], new FitOptions().epochs(50).batchSize(4).verbose(0).callbacks(es)
                .onEpochEnd((epoch, logs) -> {
                    assertNotNull(logs.get("loss"));
                    seen.add(epoch);
                }));
        assertEquals(2, es.stoppedEpoch());
        assertEquals(3, h.size());
        assertEquals(List.of(0, 1, 2), seen);
    }

    @Test
    void earlyStoppingRestoresBestWeights() {
        Tensor[] d = data(8);
        Sequential m = model();
        List<List<Tensor>> weights = new ArrayList<>();
        EarlyStopping es = new EarlyStopping().monitor("val_loss").patience(1).restoreBestWeights(true);
        m.fit(d[0], d[1], new FitOptions().epochs(6).batchSize(8).verbose(0).validationData(d[0], d[1])
                .callbacks(new Callback() {
                    @Override
                    public void onEpochEnd(int epoch, Map<String, Double> logs, Model model) {
                        weights.add(model.getWeights());
                    }
                }, es)
                .callbacks(new Callback() {
                    @Override
                    public void onEpochBegin(int epoch, Model model) {
                        if (epoch == 3) ((Adam) model.optimizer()).learningRate(5f);   // make epoch 3 worse
                    }
                }));
        if (es.stoppedEpoch() > 0) {
            List<Tensor> best = weights.get(es.bestEpoch());
            List<Tensor> now = m.getWeights();
            for (int i = 0; i < best.size(); i++) assertEquals(java.util.Arrays.toString(best.get(i).toArray()), java.util.Arrays.toString(now.get(i).toArray()));
        } else {
            throw new AssertionError("expected an early stop after the learning-rate jump");
        }
    }

    @Test
    void verboseOneDrawsAKerasProgressBar() {
        Tensor[] d = data(10);
        Sequential m = model();
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        m.fit(d[0], d[1], new FitOptions().epochs(2).batchSize(4).verbose(1).out(new PrintStream(buf, true, StandardCharsets.UTF_8)));
        String out = buf.toString(StandardCharsets.UTF_8);
        String[] lines = out.split("\n");
        assertEquals("Epoch 1/2", lines[0]);
        assertTrue(lines[1].matches("3/3 \\[={30}\\] - \\d+s \\d+(ms|us|s)/step - \\d+ samples/s - loss: \\d+\\.\\d{4} - mae: \\d+\\.\\d{4}"), lines[1]);
        assertEquals("Epoch 2/2", lines[2]);

        ByteArrayOutputStream b2 = new ByteArrayOutputStream();
        m.fit(d[0], d[1], new FitOptions().epochs(1).batchSize(4).verbose(2).validationSplit(0.2).out(new PrintStream(b2, true, StandardCharsets.UTF_8)));
        String[] l2 = b2.toString(StandardCharsets.UTF_8).split("\n");
        // one epoch: no "Epoch 1/1" line, as Keras' ProgbarLogger prints it only when epochs > 1
        assertTrue(l2[0].matches("2/2 - \\d+s - loss: \\S+ - mae: \\S+ - val_loss: \\S+ - val_mae: \\S+ - \\d+(ms|us|s)/epoch - \\d+(ms|us|s)/step - \\d+ samples/s"), l2[0]);
    }

    @Test
    void progressBarPiecesMatchKeras() {
        ProgressBar bar = new ProgressBar(System.out, 10, 1, false);
        assertEquals(" 3/10 [========>.....................]", bar.bar(3));
        assertEquals("10/10 [==============================]", bar.bar(10));
        assertEquals(" 0/10 [..............................]", bar.bar(0));
        assertEquals("7/Unknown", new ProgressBar(System.out, -1, 1, false).bar(7));
        Map<String, Double> v = new LinkedHashMap<>();
        v.put("loss", 0.123456);
        v.put("mae", 0.00012345);
        assertEquals(" - loss: 0.1235 - mae: 1.2345e-04", ProgressBar.values(v));
        assertEquals(" 3ms/step", ProgressBar.formatTime(0.003, "step"));
        assertEquals(" 2s/epoch", ProgressBar.formatTime(2.2, "epoch"));
    }

    @Test
    void historyCsvAndPlot(@TempDir Path dir) throws Exception {
        History h = new History();
        h.add(0, Map.of("loss", 1.5));
        h.add(1, Map.of("loss", 0.75));
        Path csv = dir.resolve("h.csv");
        h.toCsv(csv);
        assertEquals("epoch,loss\n0,1.5\n1,0.75\n", Files.readString(csv));
        Path png = dir.resolve("sub/loss.png");
        // a missing directory is not made (Python's open(), which matplotlib's savefig writes through, raises FileNotFoundError)
        assertThrows(java.nio.file.NoSuchFileException.class, () -> h.plot(png));
        assertFalse(Files.exists(dir.resolve("sub")));
        Files.createDirectory(dir.resolve("sub"));
        h.plot(png);
        BufferedImage img = ImageIO.read(png.toFile());
        assertEquals(800, img.getWidth());
        assertEquals(500, img.getHeight());
        // the curve is drawn in Keras/matplotlib blue somewhere inside the plot area
        boolean blue = false;
        for (int x = 80; x < 780 && !blue; x++) for (int y = 40; y < 450 && !blue; y++) blue = img.getRGB(x, y) == 0xff1f77b4;
        assertTrue(blue);
        try (var files = Files.list(dir.resolve("sub"))) {
            assertEquals(1, files.count(), "temp file left behind");
        }
        assertThrows(IllegalArgumentException.class, () -> h.get("val_loss"));
    }

    @Test
    void nanLossStopsWithAClearMessage() {
        Tensor[] d = data(4);
        Sequential m = new Sequential(new SimpleRNN(5).inputShape(4, 2), new Dense(1));
        m.compile(new Adam(1e30), "mse");
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> m.fit(d[0], Tensor.full(1e30f, 4, 1), new FitOptions().epochs(20).batchSize(1).verbose(0)));
        assertTrue(e.getMessage().contains("the loss became"), e.getMessage());
    }

    @Test
    void nullArgumentsAreRefusedNamingTheParameter() {
        FitOptions o = new FitOptions();
        String[][] cases = {
            {"callbacks is null", assertThrows(IllegalArgumentException.class,
                    () -> o.callbacks((Callback[]) null)).getMessage()},
            {"validationData x[1] is null", assertThrows(IllegalArgumentException.class,
                    () -> o.validationData(java.util.Arrays.asList(Tensor.zeros(1, 1), null), List.of(Tensor.zeros(1, 1)))).getMessage()},
            {"at least one non-null y", assertThrows(IllegalArgumentException.class,
                    () -> o.validationData(List.of(Tensor.zeros(1, 1)), java.util.Collections.singletonList(null))).getMessage()},
            {"onEpochEnd listener is null", assertThrows(IllegalArgumentException.class,
                    () -> o.onEpochEnd(null)).getMessage()},
            {"out is null", assertThrows(IllegalArgumentException.class, () -> o.out(null)).getMessage()},
        };
        for (String[] c : cases) assertTrue(c[1].contains(c[0]), c[0] + ": " + c[1]);
        // a null y among others still skips that output, as documented
        o.validationData(List.of(Tensor.zeros(1, 1)), java.util.Arrays.asList(Tensor.zeros(1, 1), null));
    }

    @Test
    void validationFreqValidatesEveryNthEpochOnly() {
        Jrnn.setSeed(6);
        Sequential m = new Sequential(new Dense(1).inputShape(2));
        m.compile("sgd", "mse");
        Tensor x = Tensor.of(new float[] {1, 2, -1, 0.5f, 0, 1, 2, -2, 1, 1}, 5, 2), y = Tensor.of(new float[] {1, 0, 0.5f, -1, 0.25f}, 5, 1);
        List<Boolean> seen = new ArrayList<>();
        History h = m.fit(x, y, new FitOptions().epochs(4).batchSize(2).verbose(0).shuffle(false).validationSplit(0.4)
                .validationFreq(2).onEpochEnd((e, logs) -> seen.add(logs.containsKey("val_loss"))));
        // Keras: (epoch + 1) % validation_freq == 0, so epochs 2 and 4 (from 1)
        assertEquals(List.of(false, true, false, true), seen);
        // as Keras' History: the val_ series hold the validated epochs' values only (Keras 3.15.1: 2 values for 4 epochs)
        assertEquals(2, h.get("val_loss").size());
        assertEquals(List.of(1, 3), h.epochs("val_loss"));
        assertEquals(List.of(0, 1, 2, 3), h.epochs("loss"));
        // the value logged is the model's loss on the held-out samples after that (here the last) epoch
        assertEquals(m.evaluate(Tensor.of(new float[] {2, -2, 1, 1}, 2, 2), Tensor.of(new float[] {-1, 0.25f}, 2, 1)),
                h.last("val_loss"), 1e-7);
        assertEquals("FitOptions: validationFreq must be >= 1, got 0",
                assertThrows(IllegalArgumentException.class, () -> new FitOptions().validationFreq(0)).getMessage());
    }

    /** Keras' validation_freq as a list ([1, 4]): _should_eval validates when the epoch, counted from 1, is in it. */
    @Test
    void validationFreqAsAListValidatesAfterTheEpochsItNames() {
        Sequential m = new Sequential(new Dense(1).inputShape(2));
        m.compile("sgd", "mse");
        Tensor x = Tensor.of(new float[] {1, 2, -1, 0.5f, 0, 1, 2, -2, 1, 1}, 5, 2), y = Tensor.of(new float[] {1, 0, 0.5f, -1, 0.25f}, 5, 1);
        List<Boolean> seen = new ArrayList<>();
        History h = m.fit(x, y, new FitOptions().epochs(5).batchSize(2).verbose(0).validationSplit(0.4)
                .validationFreq(List.of(1, 4, 9)).onEpochEnd((e, logs) -> seen.add(logs.containsKey("val_loss"))));
        assertEquals(List.of(true, false, false, true, false), seen);
        assertEquals(List.of(0, 3), h.epochs("val_loss"));   // Keras 3.15.1's History: 2 val_loss values for [1, 4]
        // an int after the list replaces it, as the last validation_freq given
        seen.clear();
        m.fit(x, y, new FitOptions().epochs(2).verbose(0).validationSplit(0.4).validationFreq(List.of(1)).validationFreq(2)
                .onEpochEnd((e, logs) -> seen.add(logs.containsKey("val_loss"))));
        assertEquals(List.of(false, true), seen);
        assertEquals("FitOptions: validationFreq epochs are counted from 1, got 0 in [0, 2]",
                assertThrows(IllegalArgumentException.class, () -> new FitOptions().validationFreq(List.of(0, 2))).getMessage());
    }
    /**
     * Keras' validation_batch_size: validation runs in batches of it, else of batch_size. A masked sequence's batch loss is
     * the mean over that batch's unmasked steps (Keras' apply_mask), so the batches show in val_loss: lengths 3 1 2 3 are
     * 9 steps in one batch of 4, or 4 and 5 steps in two of 2. Expected from the predictions (SGD 0: the weights stay).
     */
    @Test
    void validationBatchSizeIsTheBatchOfTheValidationAsKeras() {
        SplittableRandom r = new SplittableRandom(3);
        float[] xs = new float[4 * 3], ys = new float[4 * 3];
        for (int i = 0; i < xs.length; i++) {
            xs[i] = (float) r.nextDouble(-1, 1);
            ys[i] = (float) r.nextDouble(-1, 1);
        }
        Tensor x = Tensor.of(xs, 4, 3, 1), y = Tensor.of(ys, 4, 3, 1);
        int[] lengths = {3, 1, 2, 3};
        Sequential m = new Sequential(new SimpleRNN(2).returnSequences(true).inputShape(3, 1), new Dense(1));
        m.compile(new dev.jrnn.optim.SGD(0.0), "mse");
        float[] p = m.predict(x).data();
        double[] sum = new double[4];   // each sample's squared errors over its steps
        for (int i = 0; i < 4; i++) for (int t = 0; t < lengths[i]; t++) sum[i] += Math.pow((double) p[i * 3 + t] - ys[i * 3 + t], 2);
        double one = (sum[0] + sum[1] + sum[2] + sum[3]) / 9;
        double two = (2 * (sum[0] + sum[1]) / 4 + 2 * (sum[2] + sum[3]) / 5) / 4;
        FitOptions o = new FitOptions().epochs(1).batchSize(4).verbose(0).shuffle(false).validationData(x, y).validationLengths(lengths);
        assertEquals(one, m.fit(x, y, o).last("val_loss"), 1e-6);
        assertEquals(two, m.fit(x, y, o.validationBatchSize(2)).last("val_loss"), 1e-6);
        assertTrue(Math.abs(one - two) > 1e-3, one + " " + two);
        assertEquals("FitOptions: validationBatchSize must be >= 1, got 0",
                assertThrows(IllegalArgumentException.class, () -> new FitOptions().validationBatchSize(0)).getMessage());
    }
}
