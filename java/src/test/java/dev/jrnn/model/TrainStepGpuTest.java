package dev.jrnn.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.jrnn.Jrnn;
import dev.jrnn.backend.cuda.CudaDriver;
import dev.jrnn.layers.Dense;
import dev.jrnn.layers.LSTM;
import dev.jrnn.layers.Masking;
import dev.jrnn.layers.TimeDistributed;
import dev.jrnn.optim.SGD;
import dev.jrnn.tensor.Tensor;

import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The loss under a (batch, sentences, words) mask on CUDA against the CPU (TrainStepTest pins the CPU to Keras): the
 * mask's row weights scaled on the device (scaleToSum) and fed to the fused loss kernel, in captured and (with
 * per-sample weights) eager steps; the fit's logs, evaluate and the weights after, to float32 rounding.
 */
@Tag("gpu")
class TrainStepGpuTest {
    private static Model model() {
        Jrnn.setSeed(35);
        Input in = Input.shape(3, 4, 5);
        var h = new TimeDistributed(new LSTM(6).returnSequences(true)).apply(new Masking(0.0).apply(in));
        Model m = new Model(in, new Dense(2).apply(h));
        m.compile(new SGD(0.1f), "mse", "mae");   // SGD: Adam's first step, ~lr * sign(g), would move a weight by lr on a rounding
        return m;
    }

    @Test
    void aWordMaskedLossMatchesTheCpu() {
        assumeTrue(CudaDriver.isAvailable(), "no CUDA device");
        SplittableRandom r = new SplittableRandom(35);
        int n = 16;
        Tensor x = FunctionalTest.random(r, n, 3, 4, 5), y = FunctionalTest.random(r, n, 3, 4, 2);
        float[] xd = x.data(), wd = new float[n];
        for (int s = 0; s < n; s++) {
            int sentence = r.nextInt(3), words = r.nextInt(5);   // pad the last `words` words of one sentence (4: all)
            int at = (s * 3 + sentence) * 4;
            Arrays.fill(xd, (at + 4 - words) * 5, (at + 4) * 5, 0f);
            wd[s] = 0.5f + r.nextInt(3);
        }
        x = Tensor.of(xd, n, 3, 4, 5);
        for (Tensor sw : new Tensor[] {null, Tensor.of(wd, n)}) {
            FitOptions o = new FitOptions().epochs(2).batchSize(4).verbose(0).shuffle(false);
            if (sw != null) o.sampleWeight(sw);
            Map<String, List<Double>> hc, hg;
            Map<String, Double> ec, eg;
            List<Tensor> wc, wg;
            Jrnn.setBackend("cpu");
            try (Model m = model()) {
                hc = m.fit(List.of(x), List.of(y), o).history();
                ec = m.evaluateAll(List.of(x), List.of(y), 4, null, sw);
                wc = m.getWeights();
            }
            Jrnn.setBackend("cuda");
            try (Model m = model()) {
                hg = m.fit(List.of(x), List.of(y), o).history();
                eg = m.evaluateAll(List.of(x), List.of(y), 4, null, sw);
                wg = m.getWeights();
            } finally {
                Jrnn.setBackend("cpu");
            }
            String what = sw == null ? "unweighted" : "per-sample weights";
            assertEquals(hc.keySet(), hg.keySet(), what);
            for (String key : hc.keySet()) {
                for (int e = 0; e < 2; e++) {
                    double a = hc.get(key).get(e);
                    assertEquals(a, hg.get(key).get(e), 1e-4 * Math.max(1, Math.abs(a)), what + ": " + key + " of epoch " + e);
                }
            }
            for (String key : ec.keySet()) assertEquals(ec.get(key), eg.get(key), 1e-4, what + ": evaluate's " + key);
            for (int k = 0; k < wc.size(); k++) {
                float[] a = wc.get(k).data(), b = wg.get(k).data();
                for (int i = 0; i < a.length; i++) assertEquals(a[i], b[i], 1e-4, what + ": weight " + k + "[" + i + "]");
            }
        }
    }
}
