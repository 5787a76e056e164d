package dev.jrnn.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.jrnn.Jrnn;
import dev.jrnn.backend.cuda.CudaDriver;
import dev.jrnn.layers.Dense;
import dev.jrnn.layers.LSTM;
import dev.jrnn.layers.Node;
import dev.jrnn.losses.Auc;
import dev.jrnn.tensor.Tensor;

import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Metrics per output and weighted metrics on CUDA against the CPU: the predictions come from the device, the metrics'
 * states are summed on the host from them; a masked sequence output with per-timestep weights and a class output with
 * per-sample weights, fit (with validation) and evaluate, every log to float32 rounding.
 */
@Tag("gpu")
class CompileMetricsGpuTest {
    private static Model model() {
        Jrnn.setSeed(21);
        Input in = Input.shape(6, 3);
        Node h = new LSTM(8).returnSequences(true).apply(in);
        Node seq = new dev.jrnn.layers.TimeDistributed(new Dense(2)).name("seq").apply(h);
        Node kind = new Dense(1).activation("sigmoid").name("kind").apply(new LSTM(4).apply(h));
        Model m = new Model(in, List.of(seq, kind));
        m.compile("adam", List.of("mse", "binary_crossentropy"), Map.of("kind", List.of(new Auc(), "accuracy"), "seq", "mae"),
                WeightedMetrics.of(List.of(List.of("mae", "root_mean_squared_error"), List.of("auc", "precision", "recall"))));
        return m;
    }

    @Test
    void perOutputAndWeightedMetricsMatchTheCpu() {
        assumeTrue(CudaDriver.isAvailable(), "no CUDA device");
        SplittableRandom r = new SplittableRandom(8);
        int n = 40;
        Tensor x = FunctionalTest.random(r, n, 6, 3), ys = FunctionalTest.random(r, n, 6, 2);
        float[] k = new float[n], wt = new float[n * 6], wk = new float[n];
        int[] lengths = new int[n];
        for (int i = 0; i < n; i++) {
            k[i] = r.nextInt(2);
            wk[i] = 0.5f + r.nextInt(3);
            lengths[i] = 1 + r.nextInt(6);
        }
        for (int i = 0; i < wt.length; i++) wt[i] = r.nextInt(3) * 0.5f;
        Tensor yk = Tensor.of(k, n, 1);
        List<Tensor> sw = List.of(Tensor.of(wt, n, 6), Tensor.of(wk, n));
        FitOptions o = new FitOptions().epochs(2).batchSize(8).verbose(0).shuffle(false).lengths(lengths).sampleWeight(sw)
                .validationSplit(0.25);
        Map<String, List<Double>> hc, hg;
        Map<String, Double> ec, eg;
        Jrnn.setBackend("cpu");
        try (Model m = model()) {
            hc = m.fit(List.of(x), List.of(ys, yk), o).history();
            ec = m.evaluateAll(List.of(x), List.of(ys, yk), 8, lengths, sw);
        }
        Jrnn.setBackend("cuda");
        try (Model m = model()) {
            hg = m.fit(List.of(x), List.of(ys, yk), o).history();
            eg = m.evaluateAll(List.of(x), List.of(ys, yk), 8, lengths, sw);
        } finally {
            Jrnn.setBackend("cpu");
        }
        assertEquals(hc.keySet(), hg.keySet());
        assertEquals(ec.keySet(), eg.keySet());
        for (String key : hc.keySet()) {
            for (int e = 0; e < 2; e++) {
                double a = hc.get(key).get(e);
                assertEquals(a, hg.get(key).get(e), 1e-4 * Math.max(1, Math.abs(a)), key + " of epoch " + e);
            }
        }
        for (String key : ec.keySet()) assertEquals(ec.get(key), eg.get(key), 1e-4 * Math.max(1, Math.abs(ec.get(key))), key);
        assertEquals(Arrays.asList("loss", "seq_loss", "kind_loss", "seq_mae", "kind_auc", "kind_accuracy", "seq_weighted_mae",
                "seq_root_mean_squared_error", "kind_weighted_auc", "kind_precision", "kind_recall"), List.copyOf(ec.keySet()));
    }
}
