package dev.jrnn.layers;

import dev.jrnn.Jrnn;
import dev.jrnn.model.Sequential;
import dev.jrnn.tensor.Tensor;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Flatten: row-major reshape to (batch, features), gradients reshaped back, summary as Keras. */
class FlattenTest {
    @BeforeAll
    static void cpu() {
        Jrnn.setBackend("cpu");
    }

    @Test
    void flattensRowMajor() {
        Tensor x = LayerCheck.rand(new SplittableRandom(1), 1, 2, 3, 4);
        LayerCheck.check(new Flatten(), List.of(x), null, new boolean[] {true}, v -> new double[][] {v[0].clone()}, 2);
        assertArrayEquals(new int[] {2, 12}, new Flatten().call(x).shape());
        assertArrayEquals(new int[] {3, 1}, new Flatten().call(Tensor.zeros(3)).shape());
    }

    @Test
    void summaryAsKeras() {
        Sequential m = new Sequential(new SimpleRNN(3).returnSequences(true).inputShape(5, 2), new Flatten().name("flat"), new Dense(1));
        String s = m.summaryString();
        assertTrue(s.contains(" flat (Flatten)              (None, 15)                0         \n"), s);
        m.close();
    }
}
