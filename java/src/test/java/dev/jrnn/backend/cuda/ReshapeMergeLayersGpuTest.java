package dev.jrnn.backend.cuda;

import dev.jrnn.Jrnn;
import dev.jrnn.backend.Backend;
import dev.jrnn.backend.DTensor;
import dev.jrnn.backend.Precision;
import dev.jrnn.initializers.Initializer;
import dev.jrnn.layers.Cropping1D;
import dev.jrnn.layers.ELU;
import dev.jrnn.layers.Identity;
import dev.jrnn.layers.LeakyReLU;
import dev.jrnn.layers.Masking;
import dev.jrnn.layers.PReLU;
import dev.jrnn.layers.ReLU;
import dev.jrnn.layers.Softmax;
import dev.jrnn.layers.Dense;
import dev.jrnn.layers.Dot;
import dev.jrnn.layers.GaussianDropout;
import dev.jrnn.layers.GaussianNoise;
import dev.jrnn.layers.Maximum;
import dev.jrnn.layers.Minimum;
import dev.jrnn.layers.Subtract;
import dev.jrnn.layers.UpSampling1D;
import dev.jrnn.layers.ZeroPadding1D;
import dev.jrnn.layers.LSTM;
import dev.jrnn.layers.Layer;
import dev.jrnn.layers.GetItem;
import dev.jrnn.layers.Permute;
import dev.jrnn.layers.Reshape;
import dev.jrnn.layers.SpatialDropout1D;
import dev.jrnn.layers.Trace;
import dev.jrnn.model.FitOptions;
import dev.jrnn.model.Sequential;
import dev.jrnn.tensor.Tensor;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.function.Supplier;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The reshaping, merge and noise layers of phase 12, and the activation layers (ReLU, LeakyReLU, ELU, PReLU, Softmax,
 * Identity), on CUDA give the CPU's outputs and input gradients (copy,
 * gatherRows / scatterAddRows, copy2d, maxOverSteps, gemm, dropoutMask, normalNoise there; the noise layers in
 * training, drawing the same values from the same seed), and models using them fit to the CPU's losses. The noise's
 * mean and variance on CUDA are BackendContractTest's (CudaBackendContractTest).
 */
@Tag("gpu")
class ReshapeMergeLayersGpuTest extends CpuCudaBackends {
    @Test
    void reshapeAndPermuteMatchTheCpu() {
        parity("Reshape", () -> new Reshape(-1, 4), new int[] {6, 6});
        parity("Permute (2, 1)", () -> new Permute(2, 1), new int[] {7, 5});
        parity("Permute (3, 1, 2)", () -> new Permute(3, 1, 2), new int[] {3, 4, 5});
        parity("ZeroPadding1D", () -> new ZeroPadding1D(2, 1), new int[] {5, 3});
        parity("Cropping1D", () -> new Cropping1D(1, 2), new int[] {6, 3});
        parity("UpSampling1D", () -> new UpSampling1D(3), new int[] {4, 5});
    }

    /** GetItem's row gather and its scatter back on CUDA: the CPU's outputs and input gradients for NumPy keys. */
    @Test
    void getItemMatchesTheCpu() {
        parity("GetItem [:, -1]", () -> new GetItem(GetItem.all(), GetItem.index(-1)), new int[] {6, 5});
        parity("GetItem [:, ::-1]", () -> new GetItem(GetItem.all(), GetItem.slice(null, null, -1)), new int[] {6, 5});
        parity("GetItem [..., 1:4]", () -> new GetItem(GetItem.ellipsis(), GetItem.slice(1, 4)), new int[] {6, 5});
        parity("GetItem [:, 1, None, 5:0:-2]", () -> new GetItem(GetItem.all(), GetItem.index(1), GetItem.newAxis(),
                GetItem.slice(5, 0, -2)), new int[] {3, 7, 2});
    }

    @Test
    void mergeLayersMatchTheCpu() {
        parity("Subtract", Subtract::new, new int[] {5, 4}, new int[] {5, 4});
        parity("Maximum", Maximum::new, new int[] {5, 4}, new int[] {5, 4}, new int[] {5, 4});
        parity("Minimum", Minimum::new, new int[] {5, 4}, new int[] {5, 4});
        parity("Dot vectors", () -> new Dot(1), new int[] {6}, new int[] {6});
        parity("Dot (2, 2)", () -> new Dot(2), new int[] {5, 3}, new int[] {4, 3});
        parity("Dot (1, 2) normalized", () -> new Dot(1, 2).normalize(true), new int[] {3, 5}, new int[] {4, 3});
        parity("Dot vector-matrix normalized", () -> new Dot(1, 1).normalize(true), new int[] {3}, new int[] {3, 4});
    }

    /**
     * Maximum and Minimum of three and four inputs drawn from {0, 1, 2}, so most elements tie: the gradient shares of the
     * left fold (1/4, 1/4, 1/2 for three equal inputs, as Keras on JAX and torch; ExtremumTest's goldens) on CUDA as on
     * the CPU, and exactly those shares where all inputs are equal.
     */
    @Test
    void tiedMaximumAndMinimumShareAsTheCpu() {
        for (int k : new int[] {3, 4}) {
            for (boolean max : new boolean[] {true, false}) {
                List<float[]> want = null;
                for (Backend be : List.of(cpu, gpu)) {
                    Jrnn.setBackend(be);
                    SplittableRandom r = new SplittableRandom(11);
                    List<Tensor> xs = new ArrayList<>();
                    for (int j = 0; j < k; j++) {
                        float[] d = new float[24 * 5];
                        for (int i = 0; i < d.length; i++) d[i] = i < 5 ? 1 : r.nextInt(3);   // sample 0: all equal
                        xs.add(Tensor.wrap(d, 24, 5));
                    }
                    List<float[]> got = run(max ? new Maximum() : new Minimum(), be, xs, r);
                    if (want == null) want = got;
                    else for (int i = 0; i < want.size(); i++) assertArrayEquals(want.get(i), got.get(i), 0f, (max ? "max" : "min") + k + " result " + i);
                }
                float total = 0;
                for (int j = 0; j < k; j++) total += want.get(1 + j)[0];
                for (int j = 0; j < k; j++) {
                    double share = j == 0 ? 1.0 / (1 << (k - 1)) : 1.0 / (1 << (k - j));   // k = 3: 1/4, 1/4, 1/2
                    assertEquals(share, want.get(1 + j)[0] / total, 1e-6, (max ? "max" : "min") + k + " share of input " + j);
                }
            }
        }
    }

    /** Keras' broadcasting in the elementwise merges: a gather forward, a scatter-add (repeated rows) backward. */
    @Test
    void broadcastingMergesMatchTheCpu() {
        parity("Multiply (5, 4) by (5, 1)", dev.jrnn.layers.Multiply::new, new int[] {5, 4}, new int[] {5, 1});
        parity("Subtract (4) from (5, 4)", Subtract::new, new int[] {5, 4}, new int[] {4});
        parity("Maximum (1, 4) and (5, 1)", Maximum::new, new int[] {1, 4}, new int[] {5, 1});
        parity("Add (3, 2, 4) and (2, 1)", dev.jrnn.layers.Add::new, new int[] {3, 2, 4}, new int[] {2, 1});
    }

    @Test
    void aMergingFitMatchesTheCpu() {
        fitParity(() -> {
            dev.jrnn.model.Input in = dev.jrnn.model.Input.shape(6, 4);
            dev.jrnn.layers.Node a = new Dense(4).apply(in), b = new Dense(4).apply(in);
            dev.jrnn.layers.Node m = new Subtract().apply(new Maximum().apply(a, b), new Minimum().apply(a, in));
            dev.jrnn.layers.Node s = new Dot(2).normalize(true).apply(m, in);
            return new dev.jrnn.model.Model(in, new Dense(1).apply(new LSTM(3).apply(s)));
        }, new int[] {6, 4});
    }

    @Test
    void noiseLayersDrawTheCpusNoise() {
        parity("SpatialDropout1D", () -> new SpatialDropout1D(0.4), new int[] {9, 7});
        parity("GaussianNoise", () -> new GaussianNoise(0.5), new int[] {9, 7});
        parity("GaussianDropout", () -> new GaussianDropout(0.3), new int[] {9, 7});
    }

    /**
     * The activation layers, composed of relu, relu6, elu, clip, fill, axpy, mul, mulRowVector, gatherRows / scatterAddRows
     * (PReLU's shared alpha), softmax and Permute's gathers (Softmax over other axes): the CPU's outputs and input gradients.
     */
    @Test
    void activationLayersMatchTheCpu() {
        parity("ReLU", () -> new ReLU().maxValue(0.6).negativeSlope(0.1).threshold(0.2), new int[] {5, 4});
        parity("ReLU max 6", () -> new ReLU().maxValue(6.0), new int[] {5, 4});
        parity("LeakyReLU", LeakyReLU::new, new int[] {5, 4});
        parity("ELU", () -> new ELU(0.7), new int[] {5, 4});
        parity("PReLU shared", () -> new PReLU().sharedAxes(1).alphaInitializer(Initializer.randomNormal(0, 0.5, 3)), new int[] {5, 4});
        parity("PReLU", () -> new PReLU().alphaInitializer(Initializer.randomNormal(0, 0.5, 3)), new int[] {5, 4});
        parity("Softmax axis 1", () -> new Softmax(1), new int[] {5, 4});
        parity("Softmax axes (1, 2)", () -> new Softmax(new int[] {1, 2}), new int[] {3, 4, 5});
        parity("Identity", Identity::new, new int[] {5, 4});
    }

    /** A fit through every activation layer (Softmax over the steps under a Masking mask, PReLU's alpha trained): the CPU's losses. */
    @Test
    void anActivationLayersFitMatchesTheCpu() {
        fitParity(() -> new Sequential(new Masking(0).inputShape(6, 4), new Dense(5), new PReLU().sharedAxes(1),
                new ReLU().maxValue(2.0).negativeSlope(0.1), new ELU(0.5), new Softmax(1), new LeakyReLU(), new Identity(),
                new LSTM(3), new Dense(1)), new int[] {6, 4});
    }

    @Test
    void aNoisyFitMatchesTheCpu() {
        fitParity(() -> new Sequential(new GaussianNoise(0.2).inputShape(6, 4), new SpatialDropout1D(0.25), new LSTM(5),
                new GaussianDropout(0.1), new Dense(1)), new int[] {6, 4});
    }

    @Test
    void aReshapingFitMatchesTheCpu() {
        fitParity(() -> new Sequential(new Reshape(6, 4).inputShape(24), new Permute(2, 1),
                new ZeroPadding1D(1), new UpSampling1D(2), new Cropping1D(1, 2), new LSTM(5), new Dense(1)),
                new int[] {24});
    }

    /** The layer {@code make} builds, on each backend, called on random inputs of the per-sample {@code shapes}. */
    static void parity(String what, Supplier<Layer> make, int[]... shapes) {
        long seed = System.nanoTime();
        List<float[]> want = null;
        for (Backend be : List.of(cpu, gpu)) {
            Jrnn.setBackend(be);
            Jrnn.setSeed(1);
            SplittableRandom r = new SplittableRandom(seed);
            List<Tensor> xs = new ArrayList<>();
            for (int[] s : shapes) xs.add(rand(r, batched(s)));
            List<float[]> got = run(make.get(), be, xs, r);
            if (want == null) {
                want = got;
            } else {
                for (int i = 0; i < want.size(); i++) {
                    Twins.assertClose(what + " result " + i, want.get(i), got.get(i), CudaParityTest.tolerance(Precision.FP32), seed);
                }
            }
        }
    }

    /** Three epochs of the model {@code make} builds, on each backend from the same seed: the same losses. */
    static void fitParity(Supplier<? extends dev.jrnn.model.Model> make, int[] shape) {
        SplittableRandom r = new SplittableRandom(4);
        Tensor x = rand(r, batched(shape)), y = rand(r, 24, 1);
        List<Double> want = null;
        for (Backend be : List.of(cpu, gpu)) {
            Jrnn.setBackend(be);
            Jrnn.setSeed(9);
            try (dev.jrnn.model.Model m = make.get()) {
                m.compile("adam", "mse");
                List<Double> loss = m.fit(x, y, new FitOptions().epochs(3).batchSize(8).verbose(0).seed(1)).history().get("loss");
                if (want == null) want = loss;
                else for (int e = 0; e < loss.size(); e++) assertEquals(want.get(e), loss.get(e), 1e-5 * Math.abs(want.get(e)), "epoch " + e);
            }
        }
    }

    private static int[] batched(int[] s) {
        int[] b = new int[s.length + 1];
        b[0] = 24;
        System.arraycopy(s, 0, b, 1, s.length);
        return b;
    }

    /** The output and every input's gradient, for an output gradient drawn from {@code r}. */
    private static List<float[]> run(Layer l, Backend be, List<Tensor> xs, SplittableRandom r) {
        List<float[]> out = new ArrayList<>();
        List<DTensor> ins = new ArrayList<>();
        try {
            for (Tensor x : xs) ins.add(DTensor.from(be, x));
            try (Trace tr = l.forwardMasked(ins, Arrays.asList(new DTensor[ins.size()]), true)) {
                DTensor y = tr.outputs().get(0);
                out.add(y.toTensor().data());
                try (DTensor dy = DTensor.from(be, rand(r, y.shape()))) {
                    for (DTensor g : tr.backward(List.of(dy))) out.add(g.toTensor().data());
                }
            }
        } finally {
            for (DTensor d : ins) d.close();
        }
        return out;
    }

    static Tensor rand(SplittableRandom r, int... shape) {
        float[] d = new float[(int) Tensor.size(shape)];
        for (int i = 0; i < d.length; i++) d[i] = (float) (2 * r.nextDouble() - 1);
        return Tensor.wrap(d, shape);
    }
}
