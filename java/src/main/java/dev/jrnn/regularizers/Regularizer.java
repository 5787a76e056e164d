package dev.jrnn.regularizers;

import dev.jrnn.backend.Backend;
import dev.jrnn.backend.Buf;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A weight or activity penalty as Keras 3's {@code keras.regularizers}: {@code l1 * sum(|x|) + l2 * sum(x^2)}
 * ({@code L1}, {@code L2} and {@code L1L2} are this with the other factor 0). The penalty of a layer's weights is
 * added to the training loss (the logged "loss", and "val_loss"/evaluate as well, as Keras' {@code compute_loss}
 * adds {@code model.losses} in training and testing alike) and its gradient to the weights' gradients; an activity
 * regularizer's penalty on a layer's output is divided by the output's batch size, as Keras' {@code Layer.__call__}.
 * Make one with {@link Regularizers}:
 *
 * <pre>{@code
 * model.add(new LSTM(8).kernelRegularizer(Regularizers.l2(1e-4)).activityRegularizer(Regularizers.l1(1e-5)));
 * }</pre>
 */
public final class Regularizer {
    /** Scales a weight so every normal float32 becomes at least 1 in magnitude: clipped to [-1, 1] it is sign(x). */
    private static final float SIGN_SCALE = 0x1p126f;

    private final String kerasClass;
    private final double l1, l2;

    Regularizer(String kerasClass, double l1, double l2) {
        this.kerasClass = kerasClass;
        this.l1 = l1;
        this.l2 = l2;
    }

    /** Keras' class name: "L1", "L2" or "L1L2". */
    public String kerasClass() { return kerasClass; }

    /** The L1 factor (0 for an L2). */
    public double l1() { return l1; }

    /** The L2 factor (0 for an L1). */
    public double l2() { return l2; }

    /** Keras' {@code get_config()}: {@code {"l2": 0.0001}} for an L2, both factors for an L1L2. */
    public Map<String, Object> kerasConfig() {
        Map<String, Object> m = new LinkedHashMap<>();
        if (!kerasClass.equals("L2")) m.put("l1", l1);
        if (!kerasClass.equals("L1")) m.put("l2", l2);
        return m;
    }

    /**
     * Adds {@code scale} times the penalty of {@code x[xOff, xOff + n)} to {@code out[outOff]} (when {@code out} is not null) and, when {@code grad} is
     * not null, {@code scale} times its gradient ({@code l1 * sign(x) + 2 * l2 * x}, sign(0) = 0 as TensorFlow's) to
     * {@code grad[gradOff, ...)}; asynchronous device operations only, so a CUDA graph captures them. The penalty's sums
     * are matrix products, at the backend's precision (TF32 or BF16 on CUDA round the logged value; the gradient is exact).
     */
    public void apply(Backend be, long n, Buf x, long xOff, float scale, Buf out, long outOff, Buf grad, long gradOff) {
        if (n > Integer.MAX_VALUE) throw new IllegalArgumentException(this + ": at most " + Integer.MAX_VALUE + " values, got " + n);
        int k = (int) n;
        float a1 = (float) l1 * scale, a2 = (float) l2 * scale;
        if (a2 != 0) {
            if (out != null) be.gemm(false, true, 1, 1, k, a2, x, xOff, k, x, xOff, k, 1f, out, outOff, 1);   // out += a2 * x.x
            if (grad != null) be.axpy(n, 2 * a2, x, xOff, grad, gradOff);
        }
        if (a1 != 0) {
            try (Buf sign = be.alloc(n)) {
                be.copy(x, xOff, sign, 0, n);
                be.scale(n, SIGN_SCALE, sign, 0);
                be.clip(n, -1f, 1f, sign, 0);
                if (out != null) be.gemm(false, true, 1, 1, k, a1, x, xOff, k, sign, 0, k, 1f, out, outOff, 1);   // out += a1 * sum |x|
                if (grad != null) be.axpy(n, a1, sign, 0, grad, gradOff);
            }
        }
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Regularizer r && r.kerasClass.equals(kerasClass) && r.l1 == l1 && r.l2 == l2;
    }

    @Override
    public int hashCode() { return kerasClass.hashCode() * 31 + Double.hashCode(l1) * 7 + Double.hashCode(l2); }

    @Override
    public String toString() {
        return switch (kerasClass) {
            case "L1" -> "L1(l1=" + l1 + ")";
            case "L2" -> "L2(l2=" + l2 + ")";
            default -> "L1L2(l1=" + l1 + ", l2=" + l2 + ")";
        };
    }
}
