package dev.jrnn.layers;

import dev.jrnn.backend.Activation;
import dev.jrnn.backend.Backend;
import dev.jrnn.backend.DTensor;

import java.util.List;

/**
 * Keras' {@code relu(x, negative_slope, max_value, threshold)} and {@code elu(x, alpha)} (the ReLU, LeakyReLU and ELU
 * layers) composed of backend operations in Keras' own order, so both backends run them without kernels of their own.
 * The steps ({@code x > t}, {@code x < max}) are relu's derivative at a difference: {@code fl(x - t) > 0} exactly when
 * {@code x > t}. Derivatives are TensorFlow's: 0 at a kink of relu, the slope at 0 of leaky_relu, alpha at 0 of elu.
 */
final class ReluOps {
    private ReluOps() {}

    /** Whether Keras takes its leaky_relu path: a slope without max_value or threshold. */
    private static boolean leaky(double slope, Double max, double t) { return slope != 0 && max == null && t == 0; }

    /**
     * {@code y = (x > t ? min(x, max) : 0) - slope * relu(t - x)}, as Keras' {@code activations.relu} computes it
     * ({@code x * (x > t)} for a threshold, relu6 for max 6, a clip for another max); {@code max} null: none.
     */
    static void relu(Backend be, DTensor x, double slope, Double max, double t, DTensor y, List<DTensor> owned) {
        long n = x.size();
        int cols = ElementwiseLayer.cols(x);
        DTensor s = Layers.tensor(be, owned, x.shape());
        boolean clip = max != null;
        if (t != 0) {
            step(be, x, (float) t, s, y, cols);   // y = (x > t), then x * (x > t)
            be.mul(n, x.buf(), 0, y.buf(), 0, y.buf(), 0);
        } else if (max != null && max == 6) {
            be.activate(Activation.RELU6, n, cols, x.buf(), 0, y.buf(), 0);
            clip = false;
        } else {
            be.activate(Activation.RELU, n, cols, x.buf(), 0, y.buf(), 0);
        }
        if (clip) be.clip(n, 0f, (float) (double) max, y.buf(), 0);
        if (slope != 0) {
            difference(be, x, -1f, (float) t, s);   // relu(t - x)
            be.axpy(n, (float) -slope, s.buf(), 0, y.buf(), 0);
        }
    }

    /**
     * The gradient of {@link #relu} into {@code dx}: {@code dy * (t < x <= max) + slope * dy * (x < t)} (leaky: x <= 0;
     * relu6, max 6 without a threshold: x < 6), TensorFlow's at the kinks.
     */
    static void reluBackward(Backend be, DTensor x, double slope, Double max, double t, DTensor dy, DTensor dx, List<DTensor> owned) {
        long n = x.size();
        int cols = ElementwiseLayer.cols(x);
        DTensor s = Layers.tensor(be, owned, x.shape());
        DTensor gate = Layers.tensor(be, owned, x.shape());
        step(be, x, (float) t, s, gate, cols);   // (x > t)
        if (max != null && max == 6 && t == 0) {   // nn.relu6: 0 at x = 6
            difference(be, x, -1f, (float) (double) max, s);   // relu(max - x): its derivative is (x < max)
            be.activateBackward(Activation.RELU, n, cols, s.buf(), 0, gate.buf(), 0, gate.buf(), 0);
        } else if (max != null) {   // clip_by_value passes the gradient at x = max: (x <= max) = 1 - (x > max)
            DTensor above = Layers.tensor(be, owned, x.shape());
            step(be, x, (float) (double) max, s, above, cols);
            be.mul(n, gate.buf(), 0, above.buf(), 0, above.buf(), 0);
            be.axpy(n, -1f, above.buf(), 0, gate.buf(), 0);
        }
        be.mul(n, dy.buf(), 0, gate.buf(), 0, dx.buf(), 0);
        if (slope == 0) return;
        if (leaky(slope, max, t)) {
            // leaky_relu's slope holds at 0 too: (x <= 0) = 1 - (x > 0)
            be.fill(s.buf(), 0, n, 1f);
            be.axpy(n, -1f, gate.buf(), 0, s.buf(), 0);
            be.mul(n, dy.buf(), 0, s.buf(), 0, gate.buf(), 0);
        } else {
            difference(be, x, -1f, (float) t, s);   // relu(t - x): its derivative is (x < t)
            be.activateBackward(Activation.RELU, n, cols, s.buf(), 0, dy.buf(), 0, gate.buf(), 0);
        }
        be.axpy(n, (float) slope, gate.buf(), 0, dx.buf(), 0);
    }

    /** {@code s = relu(c + sign * x)}. */
    private static void difference(Backend be, DTensor x, float sign, float c, DTensor s) {
        be.fill(s.buf(), 0, x.size(), c);
        be.axpy(x.size(), sign, x.buf(), 0, s.buf(), 0);
        be.activate(Activation.RELU, x.size(), ElementwiseLayer.cols(x), s.buf(), 0, s.buf(), 0);
    }

    /** {@code out = (x > t)}: relu's derivative at {@code relu(x - t)} ({@code s} scratch). */
    private static void step(Backend be, DTensor x, float t, DTensor s, DTensor out, int cols) {
        difference(be, x, 1f, -t, s);
        be.fill(out.buf(), 0, x.size(), 1f);
        be.activateBackward(Activation.RELU, x.size(), cols, s.buf(), 0, out.buf(), 0, out.buf(), 0);
    }

    /** Keras' elu with alpha: {@code x > 0 ? x : alpha * (exp(x) - 1)}, as {@code relu(x) + alpha * (elu(x) - relu(x))} (exact). */
    static void elu(Backend be, DTensor x, double alpha, DTensor y, List<DTensor> owned) {
        long n = x.size();
        int cols = ElementwiseLayer.cols(x);
        be.activate(Activation.ELU, n, cols, x.buf(), 0, y.buf(), 0);
        if (alpha == 1) return;
        DTensor r = Layers.tensor(be, owned, x.shape());
        be.activate(Activation.RELU, n, cols, x.buf(), 0, r.buf(), 0);
        be.axpy(n, -1f, r.buf(), 0, y.buf(), 0);   // elu(x) - relu(x): 0 where x > 0
        be.scale(n, (float) alpha, y.buf(), 0);
        be.axpy(n, 1f, r.buf(), 0, y.buf(), 0);
    }

    /** The gradient of {@link #elu}: {@code dy} where x > 0, else {@code alpha * dy * exp(x)} (alpha at 0, as TensorFlow). */
    static void eluBackward(Backend be, DTensor x, double alpha, DTensor dy, DTensor dx, List<DTensor> owned) {
        long n = x.size();
        int cols = ElementwiseLayer.cols(x);
        DTensor s = Layers.tensor(be, owned, x.shape());
        DTensor de = Layers.tensor(be, owned, x.shape());
        be.activate(Activation.ELU, n, cols, x.buf(), 0, s.buf(), 0);
        be.copy(dy.buf(), 0, de.buf(), 0, n);
        be.activateBackward(Activation.ELU, n, cols, s.buf(), 0, de.buf(), 0, de.buf(), 0);
        if (alpha == 1) {
            be.copy(de.buf(), 0, dx.buf(), 0, n);
            return;
        }
        be.activate(Activation.RELU, n, cols, x.buf(), 0, s.buf(), 0);
        be.activateBackward(Activation.RELU, n, cols, s.buf(), 0, dy.buf(), 0, dx.buf(), 0);
        be.axpy(n, -1f, dx.buf(), 0, de.buf(), 0);   // elu' - relu': 0 where x > 0
        be.axpy(n, (float) alpha, de.buf(), 0, dx.buf(), 0);
    }
}
