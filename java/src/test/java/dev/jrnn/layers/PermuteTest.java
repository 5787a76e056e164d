package dev.jrnn.layers;

import dev.jrnn.Jrnn;
import dev.jrnn.model.Input;
import dev.jrnn.model.Sequential;
import dev.jrnn.tensor.Tensor;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Permute: Keras' docstring shape, every permutation of rank 3 against a float64 transpose, gradients, summary. */
class PermuteTest {
    @BeforeAll
    static void cpu() {
        Jrnn.setBackend("cpu");
    }

    @Test
    void shapeAsKerasDocstring() {
        assertArrayEquals(new int[] {64, 10}, new Permute(2, 1).apply(Input.shape(10, 64)).shape());
    }

    /** numpy's transpose(x, (0,) + dims) for a [2, 2, 3, 4] input, written out with strides. */
    private static LayerCheck.RefFn transpose(int[] s, int[] dims) {
        return v -> {
            double[] y = new double[v[0].length];
            int per = s[0] * s[1] * s[2];
            int[] o = {s[dims[0] - 1], s[dims[1] - 1], s[dims[2] - 1]};
            int[] stride = {s[1] * s[2], s[2], 1};
            for (int b = 0; b < 2; b++) {
                int k = 0;
                for (int i = 0; i < o[0]; i++) for (int j = 0; j < o[1]; j++) for (int l = 0; l < o[2]; l++) {
                    int[] at = {i, j, l};
                    int src = 0;
                    for (int a = 0; a < 3; a++) src += at[a] * stride[dims[a] - 1];
                    y[b * per + k++] = v[0][b * per + src];
                }
            }
            return new double[][] {y};
        };
    }

    @Test
    void everyPermutationOfRank3() {
        int[][] perms = {{1, 2, 3}, {1, 3, 2}, {2, 1, 3}, {2, 3, 1}, {3, 1, 2}, {3, 2, 1}};
        int[] s = {2, 3, 4};
        for (int[] p : perms) {
            Tensor x = LayerCheck.rand(new SplittableRandom(p[0] * 10 + p[1]), 1, 2, 2, 3, 4);
            LayerCheck.check(new Permute(p), List.of(x), null, new boolean[] {true}, transpose(s, p), 5);
        }
    }

    /** (2, 1) on (T, F): numpy's golden values for arange(12).reshape(2, 2, 3). */
    @Test
    void swapsStepsAndFeatures() {
        float[] d = new float[12];
        for (int i = 0; i < 12; i++) d[i] = i;
        Tensor y = new Permute(2, 1).call(Tensor.wrap(d, 2, 2, 3));
        assertArrayEquals(new int[] {2, 3, 2}, y.shape());
        assertArrayEquals(new float[] {0, 3, 1, 4, 2, 5, 6, 9, 7, 10, 8, 11}, y.data());
    }

    @Test
    void summaryAsKerasAndTheMaskIsDropped() {
        Sequential m = new Sequential(Input.shape(5, 3), new Permute(2, 1).name("perm"), new LSTM(2));
        String s = m.summaryString();
        assertTrue(s.contains(" perm (Permute)              (None, 3, 5)              0         \n"), s);
        m.close();
        LayerCheck.assertMaskEndsAt(() -> new Permute(1, 2), 4, 2);
    }
}
