package dev.jrnn.io.keras;

import dev.jrnn.Jrnn;
import dev.jrnn.layers.Layer;
import dev.jrnn.model.Model;
import dev.jrnn.model.Models;
import dev.jrnn.tensor.Tensor;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Every real Keras file in the shared fixtures loads and predicts what {@link KerasReference} (float64 loops over the
 * file's own config and weights) computes: |jrnn - reference| &lt;= 1e-5 * max(1, |reference|) everywhere.
 */
class KerasImportTest {
    static final double TOL = 1e-5;

    @BeforeAll
    static void cpu() {
        Jrnn.setBackend("cpu");
    }

    /**
     * Random inputs of the model's input shapes (batch 3; a variable time dimension gets 4 steps). Sequences have
     * all-zero steps (sample 0 the last, sample 1 the first), which a Masking layer masks; with {@code vocab} > 0 the
     * inputs are ids in [1, vocab) with sample 0 padded by trailing 0s (Embedding mask_zero).
     */
    static List<Tensor> inputs(List<int[]> shapes, int vocab, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        List<Tensor> xs = new ArrayList<>();
        for (int[] s : shapes) {
            int[] full = new int[s.length + 1];
            full[0] = 3;
            for (int i = 0; i < s.length; i++) full[i + 1] = s[i] < 0 ? 4 : s[i];
            float[] d = new float[(int) Tensor.size(full)];
            for (int i = 0; i < d.length; i++) d[i] = vocab > 0 ? 1 + r.nextInt(vocab - 1) : (float) (r.nextDouble() * 2 - 1);
            if (vocab > 0) {
                for (int t = full[1] - 2; t < full[1]; t++) d[t] = 0;
            } else if (full.length == 3 && full[1] > 1) {
                int f = full[2], t = full[1];
                java.util.Arrays.fill(d, (t - 1) * f, t * f, 0f);
                java.util.Arrays.fill(d, t * f, (t + 1) * f, 0f);
            }
            xs.add(Tensor.of(d, full));
        }
        return xs;
    }

    /** Largest |a - ref| / max(1, |ref|) over the outputs, after checking shapes. */
    static double compare(List<Tensor> got, List<KerasReference.Arr> want, String what) {
        assertEquals(want.size(), got.size(), what + ": output count");
        double worst = 0;
        for (int k = 0; k < got.size(); k++) {
            assertArrayEquals(want.get(k).shape(), got.get(k).shape(), what + ": output " + k + " shape");
            float[] g = got.get(k).data();
            double[] w = want.get(k).d();
            for (int i = 0; i < g.length; i++) worst = Math.max(worst, Math.abs(g[i] - w[i]) / Math.max(1, Math.abs(w[i])));
        }
        return worst;
    }

    static double checkAgainstReference(Path file, Model m) {
        KerasReference ref = new KerasReference(file);
        List<Tensor> xs = inputs(ref.inputShapes(), ref.idVocabulary(), file.getFileName().toString().hashCode());
        List<KerasReference.Arr> rin = new ArrayList<>();
        for (Tensor x : xs) {
            double[] d = new double[x.size()];
            for (int i = 0; i < d.length; i++) d[i] = x.data()[i];
            rin.add(new KerasReference.Arr(x.shape(), d));
        }
        List<Tensor> got = m.predictAll(xs, 32, null);
        double err = compare(got, ref.predict(rin), file.getFileName().toString());
        assertTrue(err <= TOL, file.getFileName() + ": relative error " + err + " over " + TOL);
        return err;
    }

    /**
     * Keras saves its optimizer's variables beside the weights; where they do not fit the compiled optimizer (one variable
     * where Adam over a Dense keeps six) jrnn says so once, naming why, instead of resuming silently from fresh moments at
     * update 0 (KerasOptimizerStateTest reads the ones that fit).
     */
    @Test
    void optimizerStateKerasSavedIsReportedAsNotRestored(@org.junit.jupiter.api.io.TempDir Path dir) throws Exception {
        Path jrnn = dir.resolve("jrnn.keras"), keras = dir.resolve("keras.keras"), h5 = dir.resolve("w.h5");
        float[][] kernel = {{0.5f}, {-0.25f}};
        try (dev.jrnn.model.Sequential m = new dev.jrnn.model.Sequential(new dev.jrnn.layers.Dense(1).inputShape(2))) {
            m.compile("adam", "mse");
            m.save(jrnn);
        }
        try (io.jhdf.WritableHdfFile h = io.jhdf.HdfFile.write(h5)) {   // as Keras 3 writes a compiled model's weights
            io.jhdf.api.WritableGroup vars = h.putGroup("layers").putGroup("dense").putGroup("vars");
            vars.putDataset("0", kernel);
            vars.putDataset("1", new float[] {0.125f});
            h.putGroup("optimizer").putGroup("vars").putDataset("0", new float[] {7});
        }
        try (java.util.zip.ZipFile in = new java.util.zip.ZipFile(jrnn.toFile());
             java.util.zip.ZipOutputStream out = new java.util.zip.ZipOutputStream(java.nio.file.Files.newOutputStream(keras))) {
            out.putNextEntry(new java.util.zip.ZipEntry("metadata.json"));
            out.write("{\"keras_version\": \"3.3.3\"}".getBytes());
            out.putNextEntry(new java.util.zip.ZipEntry("config.json"));
            out.write(in.getInputStream(in.getEntry("config.json")).readAllBytes());
            out.putNextEntry(new java.util.zip.ZipEntry("model.weights.h5"));
            out.write(java.nio.file.Files.readAllBytes(h5));
        }
        List<String> warnings = dev.jrnn.LogCapture.warnings(KerasImport.class.getName(), () -> {
            try (Model m = Models.load(keras)) {
                assertEquals(0, m.optimizer().iterations());
                assertArrayEquals(new float[] {0.5f, -0.25f}, m.getWeights().get(0).data());
            }
        });
        assertEquals(1, warnings.size(), warnings.toString());
        assertTrue(warnings.get(0).contains("optimizer state Keras saved is not restored"), warnings.get(0));
        assertTrue(warnings.get(0).contains("holds 1 variables, Adam over 2 trainable weights has 6"), warnings.get(0));
    }

    /** Keras 3 names weight groups by layer class: a model of other classes is told which groups the file has. */
    @Test
    void aKeras3FileOfOtherLayerClassesNamesTheGroupsOnBothSides(@org.junit.jupiter.api.io.TempDir Path dir) throws Exception {
        Path f = dir.resolve("lstm.weights.h5");
        try (dev.jrnn.model.Sequential m = new dev.jrnn.model.Sequential(new dev.jrnn.layers.LSTM(2).inputShape(4, 3),
                new dev.jrnn.layers.Dense(1))) {
            m.saveWeights(f);
        }
        try (dev.jrnn.model.Sequential m = new dev.jrnn.model.Sequential(new dev.jrnn.layers.GRU(2).inputShape(4, 3),
                new dev.jrnn.layers.Dense(1))) {
            IllegalArgumentException e = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class, () -> m.loadWeights(f));
            assertTrue(e.getMessage().contains("groups [layers/dense, layers/lstm]") && e.getMessage().contains("model's [layers/gru, layers/dense]"),
                    e.getMessage());
        }
    }

    @Test
    void everyRealKerasFileLoadsAndPredictsAsTheFloat64Reference() throws Exception {
        List<Path> files = KerasFixtures.models();
        assertEquals(41, files.size(), "fixture count in " + KerasFixtures.dir());
        double worst = 0;
        for (Path f : files) {
            try (Model m = Models.load(f)) {
                worst = Math.max(worst, checkAgainstReference(f, m));
                String summary = m.summaryString();
                for (Layer l : m.layers()) assertTrue(summary.contains(l.name()), f + ": summary lacks " + l.name() + "\n" + summary);
                assertTrue(m.layers().size() >= configLayerCount(new KerasReference(f).config()), f + ": layers lost");
            }
        }
        if (Boolean.getBoolean("jrnn.printKerasError")) System.err.println("max relative error over the fixtures: " + worst);
    }

    /** Keras 2.0.6's simple_lstm_model.h5 has an LSTM with dropout 0.2: it comes in, and a saved model keeps both rates. */
    @Test
    void recurrentDropoutsAreReadAndWritten(@org.junit.jupiter.api.io.TempDir Path dir) throws Exception {
        try (Model m = Models.load(KerasFixtures.dir().resolve("simple_lstm_model.h5"))) {
            dev.jrnn.layers.RecurrentLayer lstm = (dev.jrnn.layers.RecurrentLayer) m.layers().stream()
                    .filter(l -> l instanceof dev.jrnn.layers.RecurrentLayer).findFirst().orElseThrow();
            assertEquals(0.2, lstm.dropout());
            assertEquals(0.0, lstm.recurrentDropout());
        }
        Path f = dir.resolve("drop.keras");
        try (Model m = new dev.jrnn.model.Sequential(new dev.jrnn.layers.GRU(3).dropout(0.25).recurrentDropout(0.125)
                .inputShape(4, 2), new dev.jrnn.layers.Dense(1))) {
            m.save(f);
        }
        try (Model m = Models.load(f)) {
            dev.jrnn.layers.RecurrentLayer gru = (dev.jrnn.layers.RecurrentLayer) m.layers().get(0);
            assertEquals(0.25, gru.dropout());
            assertEquals(0.125, gru.recurrentDropout());
        }
    }

    /** gelu and swish (Keras 3: silu) come back from a saved model, predicting the same, in Dense, Activation and recurrent layers. */
    @Test
    void geluAndSwishAreWrittenAndRead(@org.junit.jupiter.api.io.TempDir Path dir) throws Exception {
        Path f = dir.resolve("act.keras");
        Tensor x = inputs(List.of(new int[] {5}), 0, 4).get(0);
        float[] before;
        try (Model m = new dev.jrnn.model.Sequential(new dev.jrnn.layers.Dense(4).activation("gelu").inputShape(5),
                new dev.jrnn.layers.Activation("silu"), new dev.jrnn.layers.Dense(2).activation("swish"))) {
            before = m.predict(x).data();
            m.save(f);
        }
        try (Model m = Models.load(f)) {
            assertEquals("gelu", ((dev.jrnn.layers.Dense) m.layers().get(0)).activation());
            assertEquals("swish", ((dev.jrnn.layers.Activation) m.layers().get(1)).activation());
            assertArrayEquals(before, m.predict(x).data());
        }
        Path r = dir.resolve("recurrent.keras");
        Tensor xs = inputs(List.of(new int[] {4, 3}), 0, 3).get(0);
        try (Model m = new dev.jrnn.model.Sequential(new dev.jrnn.layers.LSTM(4).activation("gelu").recurrentActivation("swish")
                .returnSequences(true).inputShape(4, 3), new dev.jrnn.layers.GRU(3).activation("swish"),
                new dev.jrnn.layers.Dense(1))) {
            before = m.predict(xs).data();
            m.save(r);
        }
        try (Model m = Models.load(r)) {
            dev.jrnn.layers.LSTM lstm = (dev.jrnn.layers.LSTM) m.layers().get(0);
            assertEquals("gelu", lstm.activation());
            assertEquals("swish", lstm.recurrentActivation());
            assertEquals("swish", ((dev.jrnn.layers.GRU) m.layers().get(1)).activation());
            assertArrayEquals(before, m.predict(xs).data());
        }
    }

    /** Keras 3's activations come back from a saved model under their Keras names, predicting the same. */
    @Test
    void keras3ActivationsAreWrittenAndRead(@org.junit.jupiter.api.io.TempDir Path dir) throws Exception {
        String[] names = {"relu6", "mish", "hard_silu", "celu", "log_sigmoid", "hard_tanh", "tanh_shrink", "soft_shrink",
            "hard_shrink", "squareplus", "sparse_plus", "sparse_sigmoid"};
        Tensor x = inputs(List.of(new int[] {5}), 0, 4).get(0);
        Path f = dir.resolve("keras3.keras");
        float[] before;
        try (dev.jrnn.model.Sequential m = new dev.jrnn.model.Sequential(new dev.jrnn.layers.Dense(4).inputShape(5))) {
            for (String n : names) m.add(new dev.jrnn.layers.Dense(4).activation(n));
            m.add(new dev.jrnn.layers.Activation("hard_swish"));   // Keras' alias
            before = m.predict(x).data();
            m.save(f);
        }
        try (Model m = Models.load(f)) {
            for (int i = 0; i < names.length; i++) {
                assertEquals(names[i], ((dev.jrnn.layers.Dense) m.layers().get(1 + i)).activation());
            }
            assertEquals("hard_silu", ((dev.jrnn.layers.Activation) m.layers().get(1 + names.length)).activation());
            assertArrayEquals(before, m.predict(x).data());
        }
        Path r = dir.resolve("recurrent3.keras");
        Tensor xs = inputs(List.of(new int[] {4, 3}), 0, 3).get(0);
        try (Model m = new dev.jrnn.model.Sequential(new dev.jrnn.layers.LSTM(4).activation("mish")
                .recurrentActivation("hard_silu").returnSequences(true).inputShape(4, 3),
                new dev.jrnn.layers.GRU(3).activation("squareplus").recurrentActivation("sparse_sigmoid"))) {
            before = m.predict(xs).data();
            m.save(r);
        }
        try (Model m = Models.load(r)) {
            dev.jrnn.layers.LSTM lstm = (dev.jrnn.layers.LSTM) m.layers().get(0);
            assertEquals("mish", lstm.activation());
            assertEquals("hard_silu", lstm.recurrentActivation());
            assertEquals("sparse_sigmoid", ((dev.jrnn.layers.GRU) m.layers().get(1)).recurrentActivation());
            assertArrayEquals(before, m.predict(xs).data());
        }
    }

    /** A Keras 3 config naming them, as a string or a serialised function, loads; glu is refused by name. */
    @Test
    void keras3ActivationNamesInAConfig() throws Exception {
        String json = "{\"class_name\": \"Sequential\", \"config\": {\"name\": \"s\", \"layers\": ["
                + "{\"class_name\": \"InputLayer\", \"config\": {\"batch_shape\": [null, 4], \"name\": \"in\"}}, "
                + "{\"class_name\": \"Dense\", \"config\": {\"name\": \"a\", \"units\": 3, \"activation\": \"relu6\"}}, "
                + "{\"class_name\": \"Dense\", \"config\": {\"name\": \"b\", \"units\": 2, \"activation\": %s}}]}}";
        String mish = "{\"module\": \"keras.activations\", \"class_name\": \"function\", \"config\": \"mish\", "
                + "\"registered_name\": \"function\"}";
        try (Model m = Models.fromJson(json.formatted(mish))) {
            assertEquals("relu6", ((dev.jrnn.layers.Dense) m.layers().get(0)).activation());
            assertEquals("mish", ((dev.jrnn.layers.Dense) m.layers().get(1)).activation());
        }
        try (Model m = Models.fromJson(json.formatted("\"hard_swish\""))) {
            assertEquals("hard_silu", ((dev.jrnn.layers.Dense) m.layers().get(1)).activation());
        }
        Exception e = org.junit.jupiter.api.Assertions.assertThrows(Exception.class,
                () -> Models.fromJson(json.formatted("\"glu\"")));
        assertTrue(e.getMessage().contains("activation='glu' is not supported"), e.getMessage());
        try (Model m = Models.fromJson(json.formatted("\"log_softmax\""))) {
            assertEquals("log_softmax", ((dev.jrnn.layers.Dense) m.layers().get(1)).activation());
        }
    }

    private static int configLayerCount(Map<?, ?> config) {
        Object c = config.get("config");
        List<?> l = c instanceof List<?> li ? li : (List<?>) ((Map<?, ?>) c).get("layers");
        int n = 0;
        for (Object o : l) if (!"InputLayer".equals(((Map<?, ?>) o).get("class_name")) || !"Sequential".equals(config.get("class_name"))) n++;
        return n;
    }
}
