package dev.jrnn.examples;

import dev.jrnn.tensor.Tensor;

/** The seed notebooks' toy data sets. */
public final class Data {
    private Data() {}

    /** Windows [i, i+1, i+2] -> i+3 for i = 1..n: x (n, 3, 1), y (n, 1). The first is [1, 2, 3] -> 4. */
    public static Tensor[] counting(int n) {
        float[][][] x = new float[n][3][1];
        float[][] y = new float[n][1];
        for (int i = 0; i < n; i++) {
            for (int t = 0; t < 3; t++) x[i][t][0] = i + 1 + t;
            y[i][0] = i + 4;
        }
        return new Tensor[] {Tensor.of(x), Tensor.of(y)};
    }

    /** Many-to-many windows [i, i+1, i+2] -> [i+1, i+2, i+3]: x (n, 3, 1), y (n, 3, 1). */
    public static Tensor[] countingSequences(int n) {
        float[][][] x = new float[n][3][1];
        float[][][] y = new float[n][3][1];
        for (int i = 0; i < n; i++) {
            for (int t = 0; t < 3; t++) {
                x[i][t][0] = i + 1 + t;
                y[i][t][0] = i + 2 + t;
            }
        }
        return new Tensor[] {Tensor.of(x), Tensor.of(y)};
    }

    /** Windows of 0.0, 0.1, 0.2, ...: [0.0, 0.1, 0.2, 0.3] -> 0.4 and the next {@code n - 1}. */
    public static Tensor[] tenths(int n) {
        float[][][] x = new float[n][4][1];
        float[][] y = new float[n][1];
        for (int i = 0; i < n; i++) {
            for (int t = 0; t < 4; t++) x[i][t][0] = (i + t) / 10f;
            y[i][0] = (i + 4) / 10f;
        }
        return new Tensor[] {Tensor.of(x), Tensor.of(y)};
    }

    /** One-hot encoding of {@code text} over {@code vocab}: (1, len, |vocab|). */
    public static Tensor oneHot(String text, String vocab) {
        float[][][] x = new float[1][text.length()][vocab.length()];
        for (int t = 0; t < text.length(); t++) {
            int k = vocab.indexOf(text.charAt(t));
            if (k < 0) throw new IllegalArgumentException("character '" + text.charAt(t) + "' is not in the vocabulary '" + vocab + "'");
            x[0][t][k] = 1;
        }
        return Tensor.of(x);
    }

    /** Sine windows: x[i] = sin(0.3 (i + t)) for t {@literal <} steps, y[i] = the next value. */
    public static Tensor[] sine(int n, int steps) {
        float[][][] x = new float[n][steps][1];
        float[][] y = new float[n][1];
        for (int i = 0; i < n; i++) {
            for (int t = 0; t < steps; t++) x[i][t][0] = (float) Math.sin(0.3 * (i + t));
            y[i][0] = (float) Math.sin(0.3 * (i + steps));
        }
        return new Tensor[] {Tensor.of(x), Tensor.of(y)};
    }
}
