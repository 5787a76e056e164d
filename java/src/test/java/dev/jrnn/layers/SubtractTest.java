package dev.jrnn.layers;

import dev.jrnn.Jrnn;
import dev.jrnn.model.Input;
import dev.jrnn.model.Model;
import dev.jrnn.tensor.Tensor;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertTrue;

/** Subtract: a - b with float64 gradients, exactly two inputs, summary as Keras. */
class SubtractTest {
    @BeforeAll
    static void cpu() {
        Jrnn.setBackend("cpu");
    }

    @Test
    void subtracts() {
        SplittableRandom rng = new SplittableRandom(1);
        List<Tensor> xs = List.of(LayerCheck.rand(rng, 1, 2, 3, 4), LayerCheck.rand(rng, 1, 2, 3, 4));
        LayerCheck.check(new Subtract(), xs, null, new boolean[] {true, true}, v -> {
            double[] y = new double[v[0].length];
            for (int i = 0; i < y.length; i++) y[i] = v[0][i] - v[1][i];
            return new double[][] {y};
        }, 2);
    }

    @Test
    void summaryAsKeras() {
        Input a = Input.shape(4).name("a"), b = Input.shape(4).name("b");
        Model m = new Model(List.of(a, b), List.of(new Subtract().name("sub").apply(a, b)));
        assertTrue(m.summaryString().contains(" sub (Subtract)                 (None, 4)            0           ['a[0][0]',"), m.summaryString());
        m.close();
    }
}
