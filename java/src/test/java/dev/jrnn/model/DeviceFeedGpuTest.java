package dev.jrnn.model;

import dev.jrnn.Jrnn;
import dev.jrnn.backend.Precision;
import dev.jrnn.backend.cuda.CudaDriver;
import dev.jrnn.data.Dataset;
import dev.jrnn.data.Npy;
import dev.jrnn.layers.Dense;
import dev.jrnn.layers.LSTM;
import dev.jrnn.tensor.Tensor;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.SplittableRandom;

import static dev.jrnn.model.DatasetBatchesTest.random;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * fit on a memory-mapped {@code .npy} data set on CUDA goes through the {@link DeviceFeed} (page-locked memory,
 * the copy stream, CUDA graphs reading the slots' copies) and trains as fit on the same Tensors does: the same
 * losses and weights to float rounding, with and without graphs, for full and ragged (bucketed) batches.
 * Skipped without a device.
 */
@Tag("gpu")
class DeviceFeedGpuTest {
    @TempDir Path dir;

    @AfterEach
    void cpu() {
        Jrnn.setBackend("cpu");
    }

    private static Sequential lstm(int t, int i) {
        Jrnn.setSeed(3);
        Sequential m = new Sequential(new LSTM(64).inputShape(t, i), new Dense(1));
        m.compile("adam", "mse");
        return m;
    }

    private static void assertClose(List<Double> want, List<Double> got, String what) {
        assertEquals(want.size(), got.size());
        for (int i = 0; i < want.size(); i++) assertEquals(want.get(i), got.get(i), 1e-5 * Math.max(1, Math.abs(want.get(i))), what + " epoch " + i);
    }

    private static void assertCloseWeights(Model a, Model b, double tol) {
        List<Tensor> wa = a.getWeights(), wb = b.getWeights();
        for (int i = 0; i < wa.size(); i++) {
            float[] x = wa.get(i).data(), y = wb.get(i).data();
            for (int j = 0; j < x.length; j++) assertEquals(x[j], y[j], tol * Math.max(1, Math.abs(x[j])), "weight " + i + "[" + j + "]");
        }
    }

    /** classWeight on a data set's batches through the feed (weighted batches run eagerly) as on the same Tensors. */
    @Test
    void classWeightThroughTheFeedWeighsAsOnTensors() throws IOException {
        assumeTrue(CudaDriver.isAvailable(), "no CUDA device");
        Jrnn.setBackend("cuda");
        Jrnn.setPrecision(Precision.FP32);
        int n = 100, t = 12, in = 8, b = 32;
        Tensor x = random(3, n, t, in), y = Tensor.zeros(n, 1);
        for (int i = 0; i < n; i++) y.data()[i] = i % 3 == 0 ? 1 : 0;
        java.util.Map<Integer, Double> cw = java.util.Map.of(0, 0.5, 1, 2.0);
        Npy.write(dir.resolve("x.npy"), x);
        Npy.write(dir.resolve("y.npy"), y);
        Sequential viaTensors = lstm(t, in), viaFeed = lstm(t, in);
        History h = viaTensors.fit(x, y, new FitOptions().verbose(0).shuffle(false).epochs(2).batchSize(b).classWeight(cw));
        History hf = viaFeed.fit(Dataset.fromNpy(dir.resolve("x.npy"), dir.resolve("y.npy")).batch(b),
                new FitOptions().verbose(0).epochs(2).classWeight(cw));
        assertClose(h.get("loss"), hf.get("loss"), "class weights");
        assertCloseWeights(viaTensors, viaFeed, 1e-5);
    }

    private static Tensor doubled(Tensor t) {
        float[] d = t.data().clone();
        for (int i = 0; i < d.length; i++) d[i] *= 2;
        return Tensor.of(d, t.shape());
    }

    /** map after batch builds each batch in the data set's memory, which the feed copies into its page-locked slots. */
    @Test
    void aMapAfterBatchThroughTheFeedTrainsAsTheMappedTensors() throws IOException {
        assumeTrue(CudaDriver.isAvailable(), "no CUDA device");
        Jrnn.setBackend("cuda");
        Jrnn.setPrecision(Precision.FP32);
        int n = 100, t = 12, in = 8, b = 32;
        Tensor x = random(5, n, t, in), y = random(6, n, 1);
        Npy.write(dir.resolve("x.npy"), x);
        Npy.write(dir.resolve("y.npy"), y);
        for (boolean graphs : new boolean[] {true, false}) {
            Sequential viaTensors = lstm(t, in), viaFeed = lstm(t, in);
            History h = viaTensors.fit(x, doubled(y), new FitOptions().verbose(0).shuffle(false).epochs(2).batchSize(b).cudaGraphs(graphs));
            Dataset mapped = Dataset.fromNpy(dir.resolve("x.npy"), dir.resolve("y.npy")).batch(b)
                    .map(s -> s.with(s.inputs(), List.of(doubled(s.targets().get(0)))));
            History hf = viaFeed.fit(mapped, new FitOptions().verbose(0).epochs(2).cudaGraphs(graphs));
            assertClose(h.get("loss"), hf.get("loss"), "map after batch, graphs " + graphs);
            assertCloseWeights(viaTensors, viaFeed, 1e-5);
        }
    }

    /** Text files read and vectorized per batch (TextDirectory's computed column) through the feed, as the same tensors. */
    @Test
    void textFilesThroughTheFeedTrainAsTheirTensors() throws IOException {
        assumeTrue(CudaDriver.isAvailable(), "no CUDA device");
        Jrnn.setBackend("cuda");
        Jrnn.setPrecision(Precision.FP32);
        SplittableRandom r = new SplittableRandom(9);
        String[] words = {"good", "bad", "film", "plot", "dull", "great", "long", "fun"};
        for (String c : List.of("neg", "pos")) {
            java.nio.file.Files.createDirectories(dir.resolve("texts").resolve(c));
            for (int i = 0; i < 40; i++) {
                StringBuilder text = new StringBuilder();
                for (int k = 0; k < 3 + r.nextInt(10); k++) text.append(words[r.nextInt(words.length)]).append(' ');
                java.nio.file.Files.writeString(dir.resolve("texts").resolve(c).resolve(i + ".txt"), text);
            }
        }
        dev.jrnn.data.TextDirectory d = dev.jrnn.data.TextDirectory.read(dir.resolve("texts"),
                new dev.jrnn.data.TextDirectory.Options().verbose(false).shuffle(false).batchSize(16).labelMode("binary"));
        dev.jrnn.data.TextVectorization v = new dev.jrnn.data.TextVectorization().maxTokens(12).outputSequenceLength(10);
        v.adapt(d.texts());
        Sequential[] m = new Sequential[2];
        for (int k = 0; k < 2; k++) {
            Jrnn.setSeed(4);
            m[k] = new Sequential(Input.shape(10), new dev.jrnn.layers.Embedding(12, 8).maskZero(true), new LSTM(16),
                    new Dense(1).activation("sigmoid"));
            m[k].compile("adam", "binary_crossentropy");
        }
        History h = m[0].fit(v.call(d.texts()), d.labelTensor(), new FitOptions().verbose(0).shuffle(false).epochs(2).batchSize(16));
        History hf = m[1].fit(d.dataset(v), new FitOptions().verbose(0).epochs(2));
        assertClose(h.get("loss"), hf.get("loss"), "text files");
        assertCloseWeights(m[0], m[1], 1e-5);
    }

    @Test
    void mappedNpyThroughTheFeedTrainsAsTensors() throws IOException {
        assumeTrue(CudaDriver.isAvailable(), "no CUDA device");
        Jrnn.setBackend("cuda");
        Jrnn.setPrecision(Precision.FP32);
        try (DeviceFeed f = DeviceFeed.open(Jrnn.backend())) {
            assertNotNull(f, "the CUDA backend has a copy queue");
        }
        int n = 200, t = 30, in = 48, b = 32;   // 6 full batches and one of 8
        Tensor x = random(1, n, t, in), y = random(2, n, 1);
        Npy.write(dir.resolve("x.npy"), x);
        Npy.write(dir.resolve("y.npy"), y);
        for (boolean graphs : new boolean[] {true, false}) {
            Sequential viaTensors = lstm(t, in), viaFeed = lstm(t, in);
            History h = viaTensors.fit(x, y, new FitOptions().verbose(0).shuffle(false).epochs(3).batchSize(b).cudaGraphs(graphs));
            History hf = viaFeed.fit(Dataset.fromNpy(dir.resolve("x.npy"), dir.resolve("y.npy")).batch(b),
                    new FitOptions().verbose(0).epochs(3).cudaGraphs(graphs));
            assertClose(h.get("loss"), hf.get("loss"), "graphs " + graphs);
            assertCloseWeights(viaTensors, viaFeed, 1e-5);
        }
    }

    @Test
    void raggedBucketsThroughTheFeedMatchPaddedTensors() throws IOException {
        assumeTrue(CudaDriver.isAvailable(), "no CUDA device");
        Jrnn.setBackend("cuda");
        Jrnn.setPrecision(Precision.FP32);
        int n = 96, in = 8, max = 40;
        SplittableRandom r = new SplittableRandom(9);
        int[] lens = new int[n];
        long[] off = new long[n + 1];
        for (int i = 0; i < n; i++) off[i + 1] = off[i] + (lens[i] = r.nextInt(5, max + 1));
        Tensor values = random(7, (int) off[n], in), y = random(8, n, 1);
        Tensor padded = Tensor.zeros(n, max, in);
        for (int i = 0; i < n; i++) System.arraycopy(values.data(), (int) off[i] * in, padded.data(), i * max * in, lens[i] * in);
        Sequential a = lstm(-1, in), c = lstm(-1, in);
        // batches of 16 padded to their longest (each its own shapes, so graphs and slot sizes) vs all padded to 40
        History ha = a.fit(padded, y, new FitOptions().verbose(0).shuffle(false).epochs(2).batchSize(16).lengths(lens));
        History hc = c.fit(Dataset.fromRagged(values, off, y).batch(16), new FitOptions().verbose(0).epochs(2));
        assertClose(ha.get("loss"), hc.get("loss"), "ragged");
        assertCloseWeights(a, c, 1e-4);   // other GEMM shapes: other rounding
    }
}
