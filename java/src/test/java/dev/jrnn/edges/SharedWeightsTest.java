package dev.jrnn.edges;

import dev.jrnn.Jrnn;
import dev.jrnn.backend.cpu.CpuBackend;
import dev.jrnn.layers.Dense;
import dev.jrnn.layers.LSTM;
import dev.jrnn.model.FitOptions;
import dev.jrnn.model.Model;
import dev.jrnn.model.Sequential;
import dev.jrnn.tensor.Tensor;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Two models over the same layers (Keras' "a second model on the trained layers"): each model binds
 * the weights into its own flat store when it runs, so training either one changes what both see and
 * nothing trains a stale copy; stores nobody uses any more are freed at once, and closing both models
 * leaves no buffer behind.
 */
class SharedWeightsTest {
    @Test
    void twoModelsOnTheSameLayersTrainTheSameWeights() {
        CpuBackend be = CpuBackend.create();
        Jrnn.setBackend(be);
        Jrnn.clearSession();
        Jrnn.setSeed(4);
        Tensor x = Fixture.x(8), y = Fixture.y(8);
        FitOptions once = new FitOptions().epochs(3).batchSize(4).verbose(0).seed(1);

        Sequential a = new Sequential(new LSTM(3).inputShape(3, 2), new Dense(1));
        a.compile("adam", "mse");
        a.fit(x, y, once);
        Model b = new Model(a.inputs().get(0), a.outputs().get(0));   // takes the weights over
        b.compile("adam", "mse");
        assertArrayEquals(a.predict(x).toArray(), b.predict(x).toArray());

        List<Tensor> before = b.getWeights();
        a.fit(x, y, once);   // must train the weights b sees, not a stale copy
        assertFalse(java.util.Arrays.equals(before.get(0).toArray(), b.getWeights().get(0).toArray()), "a's training reached b");
        assertArrayEquals(a.predict(x).toArray(), b.predict(x).toArray());

        b.fit(x, y, once);
        assertArrayEquals(a.predict(x).toArray(), b.predict(x).toArray());
        assertArrayEquals(a.getWeights().get(1).toArray(), b.getWeights().get(1).toArray());

        a.close();
        b.close();
        assertEquals(0, be.liveBuffers(), "buffers left after closing both models");
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> a.predict(x));
        assertTrue(e.getMessage().contains("closed"), e.getMessage());
    }
}
