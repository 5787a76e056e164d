package dev.jrnn.layers;

import dev.jrnn.Jrnn;
import dev.jrnn.model.Sequential;
import dev.jrnn.tensor.Tensor;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** RepeatVector: (batch, f) to (batch, n, f), gradients summed over the copies, summary as Keras. */
class RepeatVectorTest {
    @BeforeAll
    static void cpu() {
        Jrnn.setBackend("cpu");
    }

    @Test
    void repeatsAndSumsGradients() {
        Tensor x = LayerCheck.rand(new SplittableRandom(5), 1, 3, 4);
        LayerCheck.check(new RepeatVector(3), List.of(x), null, new boolean[] {true}, v -> {
            double[] y = new double[3 * 3 * 4];
            for (int b = 0; b < 3; b++) for (int t = 0; t < 3; t++) for (int f = 0; f < 4; f++) y[(b * 3 + t) * 4 + f] = v[0][b * 4 + f];
            return new double[][] {y};
        }, 6);
    }

    @Test
    void summaryShapesAndErrors() {
        Sequential m = new Sequential(new Dense(2).inputShape(5), new RepeatVector(4).name("rep"), new SimpleRNN(3));
        assertTrue(m.summaryString().contains(" rep (RepeatVector)          (None, 4, 2)              0"), m.summaryString());
        assertEquals(4, ((RepeatVector) m.getLayer("rep")).n());
        assertThrows(IllegalArgumentException.class, () -> new RepeatVector(0));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new RepeatVector(2).call(Tensor.zeros(1, 2, 3)));
        assertTrue(e.getMessage().contains("expected input (batch, features)"), e.getMessage());
    }
}
