package dev.jrnn.backend.cuda;

import dev.jrnn.Jrnn;
import dev.jrnn.backend.Backend;
import dev.jrnn.backend.DTensor;
import dev.jrnn.backend.Precision;
import dev.jrnn.layers.GRU;
import dev.jrnn.layers.GlobalPooling1D;
import dev.jrnn.layers.GlobalMaxPooling1D;
import dev.jrnn.layers.GlobalAveragePooling1D;
import dev.jrnn.layers.LSTM;
import dev.jrnn.layers.Param;
import dev.jrnn.layers.RecurrentLayer;
import dev.jrnn.layers.SimpleRNN;
import dev.jrnn.layers.Trace;
import dev.jrnn.tensor.Tensor;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.function.Supplier;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Whole layers on CPU vs CUDA: SimpleRNN, LSTM and GRU (both reset_after variants) with masks, and the global 1D poolings, both directions (the two halves of a
 * Bidirectional), initial states, returned sequences and states, forward and backward (outputs, input
 * gradients, every parameter gradient). Same weights on both (copied), fresh random inputs per run.
 * Relative error (max difference over the largest CPU magnitude) under 1e-5 FP32, 5e-3 TF32, 2e-2 BF16.
 */
@Tag("gpu")
class CudaLayerParityTest extends CpuCudaBackends {
    static Stream<Arguments> cases() {
        List<Arguments> a = new ArrayList<>();
        for (boolean backwards : new boolean[] {false, true}) {
            String dir = backwards ? " go_backwards" : "";
            a.add(Arguments.of("SimpleRNN tanh seq masked" + dir, (Supplier<RecurrentLayer>)
                    () -> new SimpleRNN(11).returnSequences(true).goBackwards(backwards), true, false, Precision.FP32));
            a.add(Arguments.of("SimpleRNN relu state h0" + dir, (Supplier<RecurrentLayer>)
                    () -> new SimpleRNN(7).activation("relu").returnState(true).goBackwards(backwards), false, true,
                    Precision.FP32));
            a.add(Arguments.of("LSTM seq+state masked h0,c0" + dir, (Supplier<RecurrentLayer>)
                    () -> new LSTM(13).returnSequences(true).returnState(true).goBackwards(backwards), true, true,
                    Precision.FP32));
            a.add(Arguments.of("LSTM last masked hard_sigmoid_keras2" + dir, (Supplier<RecurrentLayer>)
                    () -> new LSTM(9).recurrentActivation("hard_sigmoid_keras2").goBackwards(backwards), true, false,
                    Precision.FP32));
            a.add(Arguments.of("GRU seq+state masked h0" + dir, (Supplier<RecurrentLayer>)
                    () -> new GRU(10).returnSequences(true).returnState(true).goBackwards(backwards), true, true,
                    Precision.FP32));
            a.add(Arguments.of("GRU no bias" + dir, (Supplier<RecurrentLayer>)
                    () -> new GRU(6).useBias(false).returnSequences(true).goBackwards(backwards), false, false,
                    Precision.FP32));
            // reset_after=false: the per-step kernels with the GEMM inside the step (no persistent kernel has it)
            a.add(Arguments.of("GRU reset_before seq+state masked h0" + dir, (Supplier<RecurrentLayer>)
                    () -> new GRU(10).resetAfter(false).returnSequences(true).returnState(true).goBackwards(backwards),
                    true, true, Precision.FP32));
            a.add(Arguments.of("GRU reset_before last no bias hard_sigmoid_keras2" + dir, (Supplier<RecurrentLayer>)
                    () -> new GRU(7).resetAfter(false).useBias(false).recurrentActivation("hard_sigmoid_keras2")
                            .goBackwards(backwards), false, false, Precision.FP32));
        }
        // gelu and swish keep their gates' pre-activations and take the per-step kernels
        a.add(Arguments.of("SimpleRNN gelu seq masked", (Supplier<RecurrentLayer>)
                () -> new SimpleRNN(11).activation("gelu").returnSequences(true), true, false, Precision.FP32));
        a.add(Arguments.of("LSTM gelu/swish seq+state masked h0,c0", (Supplier<RecurrentLayer>)
                () -> new LSTM(13).activation("gelu").recurrentActivation("swish").returnSequences(true).returnState(true),
                true, true, Precision.FP32));
        a.add(Arguments.of("GRU swish seq masked h0", (Supplier<RecurrentLayer>)
                () -> new GRU(10).activation("swish").returnSequences(true), true, true, Precision.FP32));
        a.add(Arguments.of("GRU reset_before gelu/swish last", (Supplier<RecurrentLayer>)
                () -> new GRU(7).resetAfter(false).activation("gelu").recurrentActivation("swish"), false, false,
                Precision.FP32));
        a.add(Arguments.of("LSTM tbptt 3 masked", (Supplier<RecurrentLayer>)
                () -> new LSTM(8).returnSequences(true).tbptt(3), true, false, Precision.FP32));
        for (Precision p : new Precision[] {Precision.TF32, Precision.BF16}) {
            a.add(Arguments.of("LSTM 64 seq masked", (Supplier<RecurrentLayer>)
                    () -> new LSTM(64).returnSequences(true), true, false, p));
            a.add(Arguments.of("GRU 64 seq go_backwards", (Supplier<RecurrentLayer>)
                    () -> new GRU(64).returnSequences(true).goBackwards(true), true, false, p));
            a.add(Arguments.of("GRU 64 reset_before seq", (Supplier<RecurrentLayer>)
                    () -> new GRU(64).resetAfter(false).returnSequences(true), true, false, p));
        }
        return a.stream();
    }

    @ParameterizedTest(name = "{0} {4}")
    @MethodSource("cases")
    void layerForwardBackward(String name, Supplier<RecurrentLayer> make, boolean masked, boolean initialState,
                              Precision precision) {
        long seed = System.nanoTime();
        SplittableRandom rnd = new SplittableRandom(seed);
        int batch = 5, steps = 9, features = 6;
        RecurrentLayer onCpu = make.get(), onGpu = make.get();
        int units = onCpu.units();
        List<Tensor> inputs = new ArrayList<>();
        inputs.add(rand(rnd, batch, steps, features));
        if (initialState) {
            for (int s = 0; s < onCpu.stateCount(); s++) inputs.add(rand(rnd, batch, units));
        }
        Tensor mask = null;
        if (masked) {
            float[] m = new float[batch * steps];
            for (int i = 0; i < m.length; i++) m[i] = rnd.nextDouble() < 0.3 ? 0f : 1f;
            m[0] = 0f;             // a masked first step: the state carries through, the output is 0
            m[steps - 1] = 0f;     // and a masked last step
            mask = Tensor.wrap(m, batch, steps);
        }
        List<int[]> shapes = new ArrayList<>();
        for (Tensor t : inputs) shapes.add(Arrays.copyOfRange(t.shape(), 1, t.shape().length));

        Jrnn.setPrecision(precision);
        try {
            Jrnn.setBackend(cpu);
            onCpu.build(shapes);
            Jrnn.setBackend(gpu);
            onGpu.build(shapes);
            onGpu.setWeights(onCpu.getWeights());
            Result want = run(onCpu, cpu, inputs, mask, seed);
            Result got = run(onGpu, gpu, inputs, mask, seed);
            double tol = CudaParityTest.tolerance(precision);
            String what = name + " " + precision;
            assertEquals(want.values.size(), got.values.size(), what + ": number of results");
            for (int i = 0; i < want.values.size(); i++) {
                Twins.assertClose(what + ": " + want.names.get(i), want.values.get(i), got.values.get(i), tol, seed);
            }
        } finally {
            Jrnn.setPrecision(Precision.FP32);
        }
    }

    /** Outputs, input gradients and parameter gradients, flattened, with names. */
    record Result(List<String> names, List<float[]> values) {}

    private static Result run(RecurrentLayer layer, Backend be, List<Tensor> inputs, Tensor mask, long seed) {
        List<String> names = new ArrayList<>();
        List<float[]> values = new ArrayList<>();
        List<DTensor> din = new ArrayList<>(), dOut = new ArrayList<>();
        DTensor dmask = mask == null ? null : DTensor.from(be, mask);
        SplittableRandom rnd = new SplittableRandom(seed ^ 0x5DEECE66DL);  // same output gradients on both
        try {
            for (Tensor t : inputs) din.add(DTensor.from(be, t));
            try (Trace tr = layer.forward(din, dmask, true)) {
                List<DTensor> outs = tr.outputs();
                for (int o = 0; o < outs.size(); o++) {
                    names.add("output " + o);
                    values.add(outs.get(o).toTensor().data());
                    dOut.add(DTensor.from(be, rand(rnd, outs.get(o).shape())));
                }
                layer.zeroGrads();
                List<DTensor> gIn = tr.backward(dOut);
                for (int i = 0; i < gIn.size(); i++) {
                    if (gIn.get(i) == null) continue;
                    names.add("gradient of input " + i);
                    values.add(gIn.get(i).toTensor().data());
                    gIn.get(i).close();
                }
                for (Param p : layer.params()) {
                    names.add("gradient of " + p.name());
                    values.add(p.getGrad().data());
                }
            }
        } finally {
            for (DTensor d : din) d.close();
            for (DTensor d : dOut) d.close();
            if (dmask != null) dmask.close();
        }
        return new Result(names, values);
    }

    private static Tensor rand(SplittableRandom r, int... shape) {
        float[] d = new float[(int) Tensor.size(shape)];
        for (int i = 0; i < d.length; i++) d[i] = (float) (2 * r.nextDouble() - 1);
        return Tensor.wrap(d, shape);
    }

    /**
     * GlobalAveragePooling1D (composed of backend operations) and GlobalMaxPooling1D (maxOverSteps): outputs and input
     * gradients, with and without a mask, with keepdims.
     */
    @Test
    void globalPoolingLayers() {
        long seed = System.nanoTime();
        SplittableRandom r = new SplittableRandom(seed);
        int b = 19, t = 23, f = 17;
        float[] x = new float[b * t * f], dy = new float[b * f], mask = new float[b * t];
        for (int i = 0; i < x.length; i++) x[i] = (float) r.nextDouble(-2, 2);
        for (int i = 0; i < dy.length; i++) dy[i] = (float) r.nextDouble(-1, 1);
        for (int i = 0; i < b; i++) for (int s = 0; s < t; s++) mask[i * t + s] = s < 1 + r.nextInt(t) ? 1 : 0;   // >= 1 valid step
        List<Supplier<GlobalPooling1D>> layers = List.of(GlobalAveragePooling1D::new, () -> new GlobalAveragePooling1D().keepdims(true),
                GlobalMaxPooling1D::new, () -> new GlobalMaxPooling1D().keepdims(true));
        for (Supplier<GlobalPooling1D> make : layers) {
            for (boolean masked : new boolean[] {false, true}) {
                String what = make.get().kerasClass() + (masked ? " masked" : "") + " seed " + seed;
                float[][] c = pool(cpu, make.get(), x, masked ? mask : null, dy, b, t, f);
                float[][] g = pool(gpu, make.get(), x, masked ? mask : null, dy, b, t, f);
                Twins.assertClose(what + " output", c[0], g[0], 1e-5, seed);
                Twins.assertClose(what + " input gradient", c[1], g[1], 1e-5, seed);
            }
        }
    }

    private static float[][] pool(Backend be, GlobalPooling1D layer, float[] x, float[] mask, float[] dy, int b, int t, int f) {
        dev.jrnn.Jrnn.setBackend(be);   // the layer builds on the current backend
        DTensor xt = DTensor.from(be, Tensor.of(x, b, t, f));
        DTensor mt = mask == null ? null : DTensor.from(be, Tensor.of(mask, b, t));
        int[] yShape = layer.keepdims() ? new int[] {b, 1, f} : new int[] {b, f};
        DTensor dyt = DTensor.from(be, Tensor.of(dy, yShape));
        try (Trace tr = layer.forward(List.of(xt), mt, true)) {
            float[] y = tr.outputs().get(0).toTensor().data();
            float[] dx = tr.backward(List.of(dyt)).get(0).toTensor().data();
            return new float[][] {y, dx};
        } finally {
            xt.close();
            dyt.close();
            if (mt != null) mt.close();
        }
    }
}
