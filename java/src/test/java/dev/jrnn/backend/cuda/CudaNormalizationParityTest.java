package dev.jrnn.backend.cuda;

import dev.jrnn.Jrnn;
import dev.jrnn.backend.Backend;
import dev.jrnn.backend.DTensor;
import dev.jrnn.layers.Normalization;
import dev.jrnn.layers.Trace;
import dev.jrnn.tensor.Tensor;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Normalization on CUDA against the CPU: the output and x's gradient, plain and inverted, with a feature of zero variance
 * (divided by Keras' epsilon 1e-7) and 37 features (the CPU kernels' vector body and tail).
 */
@Tag("gpu")
class CudaNormalizationParityTest extends CpuCudaBackends {
    static List<float[]> run(Backend be, Tensor adapt, Tensor x, Tensor dy, boolean invert) {
        Jrnn.setBackend(be);
        try {
            Normalization n = new Normalization().invert(invert).adapt(adapt);
            List<float[]> r = new ArrayList<>();
            try (DTensor dx = DTensor.from(be, x); DTensor ddy = DTensor.from(be, dy); Trace t = n.forward(List.of(dx), null, true)) {
                r.add(t.outputs().get(0).toTensor().data());
                r.add(t.backward(List.of(ddy)).get(0).toTensor().data());
            }
            return r;
        } finally {
            Jrnn.setBackend("cpu");
        }
    }

    @Test
    void forwardAndBackwardMatchTheCpu() {
        SplittableRandom r = new SplittableRandom(5);
        int b = 4, t = 6, f = 37;
        float[] a = new float[b * t * f], xs = new float[b * t * f], dys = new float[b * t * f];
        for (int i = 0; i < a.length; i++) {
            // feature 0 constant (variance 0, divided by 1e-7): x a few float32 steps off it and dy 1e-7 small, so its
            // outputs and gradients stay of the others' size and the relative comparison sees every feature
            boolean flat = i % f == 0;
            a[i] = flat ? 2.5f : (float) (1 + 3 * r.nextGaussian());
            xs[i] = flat ? 2.5f + Math.ulp(2.5f) * (i / f % 4) : (float) (1 + 3 * r.nextGaussian());
            dys[i] = (float) (r.nextDouble(-1, 1) * (flat ? 1e-7 : 1));
        }
        Tensor adapt = Tensor.wrap(a, b, t, f), x = Tensor.wrap(xs, b, t, f), dy = Tensor.wrap(dys, b, t, f);
        for (boolean invert : new boolean[] {false, true}) {
            List<float[]> want = run(cpu, adapt, x, dy, invert), got = run(gpu, adapt, x, dy, invert);
            CudaBatchNormalizationParityTest.close("output, invert " + invert, want.get(0), got.get(0), 1e-5);
            CudaBatchNormalizationParityTest.close("dx, invert " + invert, want.get(1), got.get(1), 1e-5);
        }
    }

    private static List<float[]> runWith(Backend be, java.util.function.Supplier<Normalization> make, Tensor x, Tensor dy) {
        Jrnn.setBackend(be);
        try {
            Normalization n = make.get();
            List<float[]> r = new ArrayList<>();
            for (int call = 0; call < 2; call++) {   // the second call reuses the cached index and constants buffers
                try (DTensor dx = DTensor.from(be, x); DTensor ddy = DTensor.from(be, dy); Trace t = n.forward(List.of(dx), null, true)) {
                    r.add(t.outputs().get(0).toTensor().data());
                    r.add(t.backward(List.of(ddy)).get(0).toTensor().data());
                }
            }
            n.releaseBuffers();
            return r;
        } finally {
            Jrnn.setBackend("cpu");
        }
    }

    /**
     * Other kept axes (trailing (1, 2, 3), none, and the gathered (1) and (1, 3)) and constant mean / variance broadcast
     * to them: output and x's gradient against the CPU, twice per layer, plain and inverted.
     */
    @Test
    void keptAxesAndConstantsMatchTheCpu() {
        SplittableRandom r = new SplittableRandom(6);
        int b = 3, s1 = 5, s2 = 4, f = 7;
        float[] a = new float[b * s1 * s2 * f], xs = new float[a.length], dys = new float[a.length];
        for (int i = 0; i < a.length; i++) {
            a[i] = (float) (2 + 3 * r.nextGaussian());
            xs[i] = (float) (2 + 3 * r.nextGaussian());
            dys[i] = (float) r.nextDouble(-1, 1);
        }
        Tensor adapt = Tensor.wrap(a, b, s1, s2, f), x = Tensor.wrap(xs, b, s1, s2, f), dy = Tensor.wrap(dys, b, s1, s2, f);
        float[] cm = new float[s1], cv = new float[s1];
        for (int i = 0; i < s1; i++) {
            cm[i] = i - 2;
            cv[i] = 0.5f + i;
        }
        for (boolean invert : new boolean[] {false, true}) {
            List<java.util.function.Supplier<Normalization>> layers = List.of(
                    () -> new Normalization().axis(1, 2, 3).invert(invert).adapt(adapt),
                    () -> new Normalization().axisNone().invert(invert).adapt(adapt),
                    () -> new Normalization().axis(1).invert(invert).adapt(adapt),
                    () -> new Normalization().axis(-1, 1).invert(invert).adapt(adapt),
                    () -> new Normalization().axis(1).invert(invert).meanAndVariance(Tensor.wrap(cm, s1), Tensor.wrap(cv, s1)),
                    () -> new Normalization().axis(1, 2).invert(invert).meanAndVariance(Tensor.wrap(cm, s1, 1), Tensor.wrap(cv, s1, 1)),
                    () -> new Normalization().invert(invert).meanAndVariance(3, 2));
            for (int k = 0; k < layers.size(); k++) {
                List<float[]> want = runWith(cpu, layers.get(k), x, dy), got = runWith(gpu, layers.get(k), x, dy);
                for (int j = 0; j < want.size(); j++) {
                    CudaBatchNormalizationParityTest.close("layer " + k + ", invert " + invert + ", result " + j, want.get(j), got.get(j), 1e-5);
                }
            }
        }
    }
}
