package dev.jrnn.backend.cuda;

import dev.jrnn.backend.Backend;
import dev.jrnn.backend.Backends;
import dev.jrnn.backend.DTensor;
import dev.jrnn.layers.GlobalAveragePooling1D;
import dev.jrnn.layers.GlobalMaxPooling1D;
import dev.jrnn.layers.GlobalPooling1D;
import dev.jrnn.layers.Trace;
import dev.jrnn.tensor.Tensor;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.SplittableRandom;
import java.util.function.Supplier;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * GlobalAveragePooling1D (composed of backend operations) and GlobalMaxPooling1D (maxOverSteps) on CPU vs CUDA: outputs
 * and input gradients, with and without a mask, with keepdims. Relative error under 1e-5 (FP32).
 */
@Tag("gpu")
class GlobalPoolingParityTest {
    static Backend cpu;
    static CudaBackend gpu;

    @BeforeAll
    static void backends() {
        assumeTrue(CudaDriver.isAvailable(), "no CUDA device");
        gpu = CudaBackend.create();
        cpu = Backends.cpu();
    }

    @AfterAll
    static void closeBackends() {
        if (cpu != null) dev.jrnn.Jrnn.setBackend(Backends.cpu());
        if (gpu != null) gpu.close();
        if (cpu != null) cpu.close();
    }

    @Test
    void cpuAndCudaAgree() {
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
                float[][] c = run(cpu, make.get(), x, masked ? mask : null, dy, b, t, f);
                float[][] g = run(gpu, make.get(), x, masked ? mask : null, dy, b, t, f);
                Twins.assertClose(what + " output", c[0], g[0], 1e-5, seed);
                Twins.assertClose(what + " input gradient", c[1], g[1], 1e-5, seed);
            }
        }
    }

    private static float[][] run(Backend be, GlobalPooling1D layer, float[] x, float[] mask, float[] dy, int b, int t, int f) {
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
