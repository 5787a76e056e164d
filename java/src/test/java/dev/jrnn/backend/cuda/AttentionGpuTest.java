package dev.jrnn.backend.cuda;

import dev.jrnn.Jrnn;
import dev.jrnn.backend.Backend;
import dev.jrnn.backend.DTensor;
import dev.jrnn.backend.Precision;
import dev.jrnn.layers.AdditiveAttention;
import dev.jrnn.layers.Attention;
import dev.jrnn.layers.BaseDenseAttention;
import dev.jrnn.layers.Concatenate;
import dev.jrnn.layers.Dense;
import dev.jrnn.layers.Embedding;
import dev.jrnn.layers.LSTM;
import dev.jrnn.layers.Layer;
import dev.jrnn.layers.Node;
import dev.jrnn.layers.Param;
import dev.jrnn.layers.Trace;
import dev.jrnn.model.FitOptions;
import dev.jrnn.model.Input;
import dev.jrnn.model.Model;
import dev.jrnn.tensor.Tensor;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.function.Supplier;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Attention and AdditiveAttention on CUDA give the CPU's outputs and gradients (gemmBatched through
 * cublasSgemmStridedBatched, the masked softmax, dropout masks drawn on the device), and a seq2seq fit with attention
 * gives the CPU's losses (a captured step included).
 */
@Tag("gpu")
class AttentionGpuTest extends CpuCudaBackends {
    @Test
    void attentionOutputsAndGradientsMatchTheCpu() {
        parity("dot", () -> new Attention(), false, false);
        parity("dot scaled, masks", () -> new Attention().useScale(true).returnAttentionScores(true), false, true);
        parity("concat scaled, key, causal", () -> new Attention().useScale(true).scoreMode("concat").useCausalMask(true), true, true);
        parity("dot, dropout", () -> new Attention().dropout(0.3).returnAttentionScores(true), false, false);
        parity("additive, key, masks", () -> new AdditiveAttention().returnAttentionScores(true), true, true);
        parity("additive unscaled, causal, dropout", () -> new AdditiveAttention().useScale(false).useCausalMask(true).dropout(0.2),
                false, false);
    }

    /** The layer {@code make} builds, on each backend with the same weights and inputs: outputs and every gradient. */
    private static void parity(String what, Supplier<BaseDenseAttention> make, boolean withKey, boolean masks) {
        long seed = System.nanoTime();
        int b = 5, tq = 7, tv = 9, d = 6, dv = withKey ? 4 : 6;
        SplittableRandom r = new SplittableRandom(seed);
        List<Tensor> in = new ArrayList<>(List.of(rand(r, b, tq, d), rand(r, b, tv, dv)));
        if (withKey) in.add(rand(r, b, tv, d));
        float[] qm = new float[b * tq], vm = new float[b * tv];
        for (int i = 0; i < qm.length; i++) qm[i] = r.nextInt(4) == 0 ? 0 : 1;
        for (int i = 0; i < vm.length; i++) vm[i] = i % tv == 0 || r.nextInt(3) > 0 ? 1 : 0;   // step 0 kept: no empty row
        List<Tensor> ms = new ArrayList<>();
        ms.add(masks ? Tensor.wrap(qm, b, tq) : null);
        ms.add(masks ? Tensor.wrap(vm, b, tv) : null);
        if (withKey) ms.add(null);
        layerParity(what, make, in, ms, seed);
    }

    /**
     * The layer {@code make} builds, on each backend from the same seed, called in training on {@code in} with
     * {@code masks} (one per input, or null): its outputs, its input gradients for random output gradients and its weight
     * gradients agree within FP32's tolerance.
     */
    static void layerParity(String what, Supplier<? extends Layer> make, List<Tensor> in, List<Tensor> masks, long seed) {
        List<float[]> want = null;
        for (Backend be : List.of(cpu, gpu)) {
            Jrnn.setBackend(be);
            Jrnn.setSeed(1);
            Layer l = make.get();
            List<int[]> shapes = new ArrayList<>();
            for (Tensor t : in) shapes.add(Arrays.copyOfRange(t.shape(), 1, t.shape().length));
            l.build(shapes);
            List<float[]> got = new ArrayList<>();
            List<DTensor> dins = new ArrayList<>(), dmasks = new ArrayList<>(), douts = new ArrayList<>();
            try {
                for (Tensor t : in) dins.add(DTensor.from(be, t));
                for (Tensor m : masks) dmasks.add(m == null ? null : DTensor.from(be, m));
                try (Trace tr = l.forwardMasked(dins, dmasks, true)) {
                    SplittableRandom g = new SplittableRandom(seed ^ 77);
                    for (DTensor o : tr.outputs()) {
                        got.add(o.toTensor().data());
                        douts.add(DTensor.from(be, rand(g, o.shape())));
                    }
                    l.zeroGrads();
                    for (DTensor dx : tr.backward(douts)) got.add(dx.toTensor().data());
                    for (Param p : l.params()) got.add(p.getGrad().data());
                }
            } finally {
                for (DTensor t : dins) t.close();
                for (DTensor t : dmasks) if (t != null) t.close();
                for (DTensor t : douts) t.close();
            }
            if (want == null) {
                want = got;
            } else {
                assertEquals(want.size(), got.size(), what);
                for (int i = 0; i < want.size(); i++) {
                    Twins.assertClose(what + " result " + i, want.get(i), got.get(i), CudaParityTest.tolerance(Precision.FP32), seed);
                }
            }
        }
    }

    /** Three epochs of a seq2seq model with Attention and AdditiveAttention, on each backend from the same seed. */
    @Test
    void aSeq2SeqFitWithAttentionMatchesTheCpu() {
        int n = 32, steps = 6, vocab = 9;
        SplittableRandom r = new SplittableRandom(4);
        float[] src = new float[n * steps], tin = new float[n * steps], y = new float[n * steps];
        for (int i = 0; i < src.length; i++) {
            src[i] = 1 + r.nextInt(vocab - 1);
            tin[i] = 1 + r.nextInt(vocab - 1);
            y[i] = r.nextInt(vocab);
        }
        List<Double> want = null;
        for (Backend be : List.of(cpu, gpu)) {
            Jrnn.setBackend(be);
            Jrnn.setSeed(9);
            Input s = Input.shape(steps), t = Input.shape(steps);
            Node enc = new LSTM(12).returnSequences(true).returnState(true).apply(new Embedding(vocab, 8).apply(s));
            Node dec = new LSTM(12).returnSequences(true).apply(List.of(new Embedding(vocab, 8).apply(t), enc.get(1), enc.get(2)));
            Node luong = new Attention().useScale(true).dropout(0.1).apply(dec, enc);
            Node bahdanau = new AdditiveAttention().useCausalMask(true).apply(dec, dec);
            Node out = new Dense(vocab).activation("softmax").apply(new Concatenate().apply(dec, luong, bahdanau));
            try (Model m = new Model(List.of(s, t), List.of(out))) {
                m.compile("adam", "sparse_categorical_crossentropy");
                List<Double> loss = m.fit(List.of(Tensor.wrap(src, n, steps), Tensor.wrap(tin, n, steps)), List.of(Tensor.wrap(y, n, steps)),
                        new FitOptions().epochs(3).batchSize(8).verbose(0).seed(1)).history().get("loss");
                if (want == null) want = loss;
                else for (int e = 0; e < loss.size(); e++) assertEquals(want.get(e), loss.get(e), 1e-5 * Math.abs(want.get(e)), "epoch " + e);
            }
        }
    }

    static Tensor rand(SplittableRandom r, int... shape) {
        float[] d = new float[(int) Tensor.size(shape)];
        for (int i = 0; i < d.length; i++) d[i] = (float) (2 * r.nextDouble() - 1);
        return Tensor.wrap(d, shape);
    }
}
