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

/** Keras 3's Identity layer: its output and gradient are its input's, summary. */
class IdentityTest {
    @BeforeAll
    static void cpu() {
        Jrnn.setBackend("cpu");
    }

    @Test
    void outputAndGradientAreTheInputs() {
        Tensor x = LayerCheck.rand(new SplittableRandom(1), 2, 2, 3, 4);
        assertArrayEquals(x.data(), new Identity().call(x).data());
        LayerCheck.check(new Identity(), List.of(x), null, new boolean[] {true}, v -> new double[][] {v[0].clone()}, 2);
    }

    @Test
    void summaryRow() {
        Sequential m = new Sequential(new Dense(4).inputShape(3), new Identity().name("identity"));
        assertTrue(m.summaryString().contains(" identity (Identity)         (None, 4)                 0"), m.summaryString());
    }
}
