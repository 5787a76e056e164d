package dev.jrnn.layers;

import dev.jrnn.backend.Activation;

/**
 * Independent double-precision references for the layers: plain loops over batch, time and units,
 * written from the Keras equations (not from the backend kernels).
 */
final class Ref {
    private Ref() {}

    /** What a recurrent reference run returns. */
    static final class Out {
        double[] seq;        // [B, T, H] in processing order
        double[] y;          // [B, H]: the last output (0 for a sample without a real step)
        double[] h, c;       // [B, H]: the last states
        double[][] hHist, cHist; // [T+1][B*H]: state before each step (slot 0 = initial)
    }

    /**
     * A recurrent layer on x [B, T, I]. cell: "rnn", "lstm", "gru". W [I, G], U [H, G], bias [G] / [2G]
     * (nullable). mask [B, T] nullable; h0/c0 nullable. tbptt k > 0 with frozen != null: before a real step that follows a
     * positive multiple of k real steps of its sample, the previous state is taken from {@code frozen} (stop-gradient semantics).
     * As Keras' RNN loop, a masked step keeps the states and repeats the previous output, which starts
     * at zeros (not at h0): leading masked steps output 0 even with an initial state.
     */
    static Out recurrent(String cell, Activation act, Activation rec, int B, int T, int I, int H,
                         double[] W, double[] U, double[] bias, double[] x, double[] mask,
                         double[] h0, double[] c0, boolean back, int k, Out frozen) {
        int G = switch (cell) { case "rnn" -> H; case "lstm" -> 4 * H; case "gru" -> 3 * H; default -> throw new IllegalArgumentException(cell); };
        Out o = new Out();
        o.seq = new double[B * T * H];
        o.y = new double[B * H];
        o.h = new double[B * H];
        o.c = new double[B * H];
        o.hHist = new double[T + 1][B * H];
        o.cHist = new double[T + 1][B * H];
        for (int b = 0; b < B; b++) {
            double[] h = new double[H], c = new double[H];
            boolean seen = false;   // until the first real step the output is 0; then the carried state h
            for (int j = 0; j < H; j++) {
                if (h0 != null) h[j] = h0[b * H + j];
                if (c0 != null) c[j] = c0[b * H + j];
            }
            int realBefore = 0;   // tbptt windows count the sample's real steps: padding never moves a cut
            for (int s = 0; s < T; s++) {
                int t = back ? T - 1 - s : s;
                boolean real = mask == null || mask[b * T + t] != 0;
                if (k > 0 && frozen != null && real && realBefore > 0 && realBefore % k == 0) {
                    for (int j = 0; j < H; j++) {
                        h[j] = frozen.hHist[s][b * H + j];
                        c[j] = frozen.cHist[s][b * H + j];
                    }
                }
                for (int j = 0; j < H; j++) {
                    o.hHist[s][b * H + j] = h[j];
                    o.cHist[s][b * H + j] = c[j];
                }
                if (real) {
                    realBefore++;
                    double[] xp = new double[G], rp = new double[G];
                    for (int g = 0; g < G; g++) {
                        double a = 0, r = 0;
                        for (int i = 0; i < I; i++) a += x[(b * T + t) * I + i] * W[i * G + g];
                        for (int i = 0; i < H; i++) r += h[i] * U[i * G + g];
                        if (bias != null) {
                            a += bias[g];
                            if (cell.equals("gru")) r += bias[G + g];
                        }
                        xp[g] = a;
                        rp[g] = r;
                    }
                    double[] nh = new double[H], nc = new double[H];
                    for (int j = 0; j < H; j++) {
                        switch (cell) {
                            case "rnn" -> nh[j] = act.apply(xp[j] + rp[j]);
                            case "lstm" -> {
                                double ig = rec.apply(xp[j] + rp[j]);
                                double fg = rec.apply(xp[H + j] + rp[H + j]);
                                double gg = act.apply(xp[2 * H + j] + rp[2 * H + j]);
                                double og = rec.apply(xp[3 * H + j] + rp[3 * H + j]);
                                nc[j] = fg * c[j] + ig * gg;
                                nh[j] = og * act.apply(nc[j]);
                            }
                            default -> {
                                double z = rec.apply(xp[j] + rp[j]);
                                double r = rec.apply(xp[H + j] + rp[H + j]);
                                double hh = act.apply(xp[2 * H + j] + r * rp[2 * H + j]);
                                nh[j] = z * h[j] + (1 - z) * hh;
                            }
                        }
                    }
                    h = nh;
                    if (cell.equals("lstm")) c = nc;
                    seen = true;
                }
                for (int j = 0; j < H; j++) o.seq[(b * T + s) * H + j] = seen ? h[j] : 0;
            }
            for (int j = 0; j < H; j++) {
                o.y[b * H + j] = seen ? h[j] : 0;
                o.h[b * H + j] = h[j];
                o.c[b * H + j] = c[j];
                o.hHist[T][b * H + j] = h[j];
                o.cHist[T][b * H + j] = c[j];
            }
        }
        return o;
    }

    /** Dense on x [rows, I]: act(x · W + b); softmax over each row. */
    static double[] dense(Activation act, int rows, int I, int O, double[] W, double[] bias, double[] x) {
        double[] y = new double[rows * O];
        for (int r = 0; r < rows; r++) {
            for (int o = 0; o < O; o++) {
                double a = bias == null ? 0 : bias[o];
                for (int i = 0; i < I; i++) a += x[r * I + i] * W[i * O + o];
                y[r * O + o] = a;
            }
            if (act == Activation.SOFTMAX) {
                double mx = Double.NEGATIVE_INFINITY, sum = 0;
                for (int o = 0; o < O; o++) mx = Math.max(mx, y[r * O + o]);
                for (int o = 0; o < O; o++) sum += Math.exp(y[r * O + o] - mx);
                for (int o = 0; o < O; o++) y[r * O + o] = Math.exp(y[r * O + o] - mx) / sum;
            } else {
                for (int o = 0; o < O; o++) y[r * O + o] = act.apply(y[r * O + o]);
            }
        }
        return y;
    }

    static double[] d(float[] f) {
        if (f == null) return null;
        double[] r = new double[f.length];
        for (int i = 0; i < f.length; i++) r[i] = f[i];
        return r;
    }

    static float[] f(double[] d) {
        float[] r = new float[d.length];
        for (int i = 0; i < d.length; i++) r[i] = (float) d[i];
        return r;
    }

    static double dot(double[] a, double[] b) {
        double s = 0;
        for (int i = 0; i < a.length; i++) s += a[i] * b[i];
        return s;
    }

    /**
     * A 1-D pooling by Keras' definition: {@code reduce} over the steps of each window of {@code p} steps every {@code s}
     * that lie inside the input (TensorFlow's SAME split: the odd pad step on the right), on x [B, T, C].
     */
    static double[] pool1d(int B, int T, int C, int p, int s, String padding, double[] x,
                           java.util.function.ToDoubleFunction<double[]> reduce) {
        int out = padding.equals("valid") ? (T - p) / s + 1 : (T - 1) / s + 1;
        int left = padding.equals("valid") ? 0 : Math.max((out - 1) * s + p - T, 0) / 2;
        double[] y = new double[B * out * C];
        for (int b = 0; b < B; b++) {
            for (int t = 0; t < out; t++) {
                for (int c = 0; c < C; c++) {
                    double[] w = new double[p];
                    int n = 0;
                    for (int j = 0; j < p; j++) {
                        int i = t * s + j - left;
                        if (i >= 0 && i < T) w[n++] = x[(b * T + i) * C + c];
                    }
                    y[(b * out + t) * C + c] = reduce.applyAsDouble(java.util.Arrays.copyOf(w, n));
                }
            }
        }
        return y;
    }

    /** {@code layer} on the golden test input sin(1.7 i) of shape (2, 7, 2) gives {@code out} steps of {@code golden} (comma-separated). */
    static void assertPoolsGolden(Pooling1D layer, int out, String golden) {
        float[] x = new float[2 * 7 * 2];
        for (int i = 0; i < x.length; i++) x[i] = (float) Math.sin(i * 1.7);
        dev.jrnn.tensor.Tensor y = layer.call(dev.jrnn.tensor.Tensor.of(x, 2, 7, 2));
        org.junit.jupiter.api.Assertions.assertArrayEquals(new int[] {2, out, 2}, y.shape());
        String[] want = golden.split(",\\s*");
        for (int i = 0; i < want.length; i++) {
            org.junit.jupiter.api.Assertions.assertEquals(Double.parseDouble(want[i]), y.data()[i], 1e-6, "element " + i);
        }
    }
}
