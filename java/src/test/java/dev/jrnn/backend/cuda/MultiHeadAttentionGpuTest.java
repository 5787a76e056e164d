package dev.jrnn.backend.cuda;

import dev.jrnn.Jrnn;
import dev.jrnn.backend.Backend;
import dev.jrnn.layers.Dense;
import dev.jrnn.layers.Embedding;
import dev.jrnn.layers.LSTM;
import dev.jrnn.layers.MultiHeadAttention;
import dev.jrnn.layers.Node;
import dev.jrnn.model.FitOptions;
import dev.jrnn.model.Input;
import dev.jrnn.model.Model;
import dev.jrnn.tensor.Tensor;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.function.Supplier;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * MultiHeadAttention on CUDA gives the CPU's outputs and gradients (per-head gemmBatched on strided head columns through
 * cublasSgemmStridedBatched, the keep matrix copied over the heads, the masked softmax, dropout masks drawn on the
 * device), and a fit with it between LSTMs gives the CPU's losses (a captured step included).
 */
@Tag("gpu")
class MultiHeadAttentionGpuTest extends CpuCudaBackends {
    @Test
    void outputsAndGradientsMatchTheCpu() {
        parity("self", () -> new MultiHeadAttention(3, 4), 0, false);
        parity("self, masks, causal, scores", () -> new MultiHeadAttention(2, 5).useCausalMask(true).returnAttentionScores(true), 0, true);
        parity("key, value dim, output shape, masks", () -> new MultiHeadAttention(4, 3).valueDim(2).outputShape(7)
                .returnAttentionScores(true), 1, true);
        parity("attention mask, no bias", () -> new MultiHeadAttention(2, 3).useBias(false).attentionMaskInput(true), 2, false);
        parity("dropout", () -> new MultiHeadAttention(3, 2).dropout(0.3).returnAttentionScores(true), 0, true);
        parity("broadcast attention masks, masks, causal", () -> new MultiHeadAttention(2, 3).attentionMaskInput(true).useCausalMask(true)
                .returnAttentionScores(true), 3, true);
        parity("attention mask (batch, Tq, 1)", () -> new MultiHeadAttention(2, 3).attentionMaskInput(true).returnAttentionScores(true),
                4, false);
        parity("per-head attention mask (batch, 2, 1, Tv), causal", () -> new MultiHeadAttention(2, 3).attentionMaskInput(true)
                .useCausalMask(true).returnAttentionScores(true), 5, false);
        parity("per-head attention mask (batch, 2, Tq, Tv), masks", () -> new MultiHeadAttention(2, 3).attentionMaskInput(true)
                .returnAttentionScores(true), 6, true);
    }

    /**
     * extra: 0 none, 1 a key, 2 an attention mask input (batch, Tq, Tv), 3 one of (batch, 1, Tv), 4 one of (batch, Tq, 1),
     * 5 one per head of two (batch, 2, 1, Tv), 6 (batch, 2, Tq, Tv). The layer on each backend, same weights and inputs.
     */
    private static void parity(String what, Supplier<MultiHeadAttention> make, int extra, boolean masks) {
        long seed = System.nanoTime();
        int b = 5, tq = 7, tv = 9, d = 6, dv = extra == 1 ? 4 : 6;
        SplittableRandom r = new SplittableRandom(seed);
        List<Tensor> in = new ArrayList<>(List.of(rand(r, b, tq, d), rand(r, b, tv, dv)));
        if (extra == 1) in.add(rand(r, b, tv, 3));
        if (extra >= 2) {
            int pq = extra == 3 || extra == 5 ? 1 : tq, pv = extra == 4 ? 1 : tv;
            float[] am = new float[b * pq * pv * (extra >= 5 ? 2 : 1)];
            for (int i = 0; i < am.length; i++) am[i] = r.nextInt(3) == 0 ? 0 : 1;
            in.add(extra >= 5 ? Tensor.wrap(am, b, 2, pq, pv) : Tensor.wrap(am, b, pq, pv));
        }
        float[] qm = new float[b * tq], vm = new float[b * tv];
        for (int i = 0; i < qm.length; i++) qm[i] = r.nextInt(4) == 0 ? 0 : 1;
        for (int i = 0; i < vm.length; i++) vm[i] = r.nextInt(3) > 0 ? 1 : 0;
        java.util.Arrays.fill(vm, 0, tv, 0f);   // sample 0's keys all masked: its rows take the 1/Tv (or zero) weights
        List<Tensor> ms = new ArrayList<>();
        ms.add(masks ? Tensor.wrap(qm, b, tq) : null);
        ms.add(masks ? Tensor.wrap(vm, b, tv) : null);
        if (extra > 0) ms.add(null);
        AttentionGpuTest.layerParity(what, make, in, ms, seed);
    }

    /** Three epochs of Embedding(maskZero) -> LSTM -> MultiHeadAttention (causal, dropout) -> LSTM -> Dense on each backend. */
    @Test
    void aFitWithMultiHeadAttentionMatchesTheCpu() {
        int n = 32, steps = 6, vocab = 9;
        SplittableRandom r = new SplittableRandom(4);
        float[] x = new float[n * steps], y = new float[n * 3];
        for (int i = 0; i < n; i++) {
            int len = 1 + r.nextInt(steps);
            for (int s = 0; s < len; s++) x[i * steps + s] = 1 + r.nextInt(vocab - 1);
        }
        for (int i = 0; i < y.length; i++) y[i] = (float) r.nextDouble();
        List<Double> want = null;
        for (Backend be : List.of(cpu, gpu)) {
            Jrnn.setBackend(be);
            Jrnn.setSeed(9);
            Input s = Input.shape(steps);
            Node seq = new LSTM(12).returnSequences(true).apply(new Embedding(vocab, 8).maskZero(true).apply(s));
            Node att = new MultiHeadAttention(3, 4).useCausalMask(true).dropout(0.1).apply(seq, seq);
            Node out = new Dense(3).apply(new LSTM(8).apply(att));
            try (Model m = new Model(s, out)) {
                m.compile("adam", "mse");
                List<Double> loss = m.fit(List.of(Tensor.wrap(x, n, steps)), List.of(Tensor.wrap(y, n, 3)),
                        new FitOptions().epochs(3).batchSize(8).verbose(0).seed(1)).history().get("loss");
                if (want == null) want = loss;
                else for (int e = 0; e < loss.size(); e++) assertEquals(want.get(e), loss.get(e), 1e-5 * Math.abs(want.get(e)), "epoch " + e);
            }
        }
    }

    private static Tensor rand(SplittableRandom r, int... shape) { return AttentionGpuTest.rand(r, shape); }
}
