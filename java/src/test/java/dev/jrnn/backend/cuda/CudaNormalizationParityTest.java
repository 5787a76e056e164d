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
}
