package dev.jrnn.model;

import dev.jrnn.Jrnn;
import dev.jrnn.layers.BatchNormalization;
import dev.jrnn.layers.Dense;
import dev.jrnn.layers.GlobalAveragePooling1D;
import dev.jrnn.layers.LSTM;
import dev.jrnn.layers.Node;
import dev.jrnn.tensor.Tensor;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Model.weights / trainableWeights / nonTrainableWeights against Keras 3.15.1's model.weights and its two filters. */
class WeightListsTest {
    @BeforeAll
    static void cpu() {
        Jrnn.setBackend("cpu");
    }

    /*
     * Keras 3.15.1 (JAX and TensorFlow alike), resources/dev/jrnn/model/apigap/weights_order.py: an LSTM, a
     * BatchNormalization, a frozen nested Sequential (Dense, BatchNormalization), a frozen Dense and a head. A: as built;
     * B: model.trainable = False; C: model.trainable = True again (Keras sets every layer's flag back). Keras' paths;
     * jrnn's names drop the recurrent cell's segment and a flattened nested model's (see Model.weightNames).
     */
    private static final String ALL = "lstm/lstm_cell/kernel (4, 24), lstm/lstm_cell/recurrent_kernel (6, 24), lstm/lstm_cell/bias (24), "
            + "bn/gamma (6), bn/beta (6), bn/moving_mean (6), bn/moving_variance (6), inner/inner_dense/kernel (6, 3), inner/inner_dense/bias (3), "
            + "inner/inner_bn/gamma (3), inner/inner_bn/beta (3), inner/inner_bn/moving_mean (3), inner/inner_bn/moving_variance (3), "
            + "frozen/kernel (3, 2), frozen/bias (2), head/kernel (2, 1), head/bias (1)";
    private static final String A_TRAINABLE = "lstm/lstm_cell/kernel (4, 24), lstm/lstm_cell/recurrent_kernel (6, 24), lstm/lstm_cell/bias (24), "
            + "bn/gamma (6), bn/beta (6), head/kernel (2, 1), head/bias (1)";
    private static final String A_NON_TRAINABLE = "bn/moving_mean (6), bn/moving_variance (6), inner/inner_dense/kernel (6, 3), "
            + "inner/inner_dense/bias (3), inner/inner_bn/gamma (3), inner/inner_bn/beta (3), inner/inner_bn/moving_mean (3), "
            + "inner/inner_bn/moving_variance (3), frozen/kernel (3, 2), frozen/bias (2)";
    private static final String C_TRAINABLE = "lstm/lstm_cell/kernel (4, 24), lstm/lstm_cell/recurrent_kernel (6, 24), lstm/lstm_cell/bias (24), "
            + "bn/gamma (6), bn/beta (6), inner/inner_dense/kernel (6, 3), inner/inner_dense/bias (3), inner/inner_bn/gamma (3), "
            + "inner/inner_bn/beta (3), frozen/kernel (3, 2), frozen/bias (2), head/kernel (2, 1), head/bias (1)";
    private static final String C_NON_TRAINABLE = "bn/moving_mean (6), bn/moving_variance (6), inner/inner_bn/moving_mean (3), "
            + "inner/inner_bn/moving_variance (3)";

    /** Keras' "path (shape)" list as jrnn names it: without the cell's segment and the nested model's. */
    private static String asJrnn(String keras) {
        return keras.replace("/lstm_cell/", "/").replace("inner/", "");
    }

    private static String listed(Map<String, Tensor> w) {
        List<String> r = new ArrayList<>();
        w.forEach((n, t) -> r.add(n + " " + Tensor.shapeString(t.shape()).replace("(", "(").replace(",)", ")")));
        return String.join(", ", r);
    }

    private static Model kerasScriptModel() {
        Sequential inner = new Sequential(Input.shape(6), new Dense(3).name("inner_dense"), new BatchNormalization().name("inner_bn"));
        inner.name("inner");
        Input in = Input.shape(5, 4);
        Node x = new LSTM(6).returnSequences(true).name("lstm").apply(in);
        x = new BatchNormalization().name("bn").apply(x);
        x = new GlobalAveragePooling1D().name("gap").apply(x);
        x = inner.apply(x);
        Dense frozen = new Dense(2).name("frozen");
        x = frozen.apply(x);
        Model m = new Model(in, new Dense(1).name("head").apply(x));
        frozen.trainable(false);
        inner.trainable(false);
        return m;
    }

    @Test
    void theListsAndTheirOrderAreKeras() {
        Model m = kerasScriptModel();
        assertEquals(asJrnn(ALL), listed(m.weights()));
        assertEquals(asJrnn(A_TRAINABLE), listed(m.trainableWeights()));
        assertEquals(asJrnn(A_NON_TRAINABLE), listed(m.nonTrainableWeights()));
        m.trainable(false);
        assertEquals(asJrnn(ALL), listed(m.weights()));
        assertEquals("", listed(m.trainableWeights()));
        assertEquals(asJrnn(ALL), listed(m.nonTrainableWeights()));
        m.trainable(true);
        assertEquals(asJrnn(C_TRAINABLE), listed(m.trainableWeights()));
        assertEquals(asJrnn(C_NON_TRAINABLE), listed(m.nonTrainableWeights()));
    }

    /** The names are weightNames', the values getWeights', each a copy (changing one changes nothing in the model). */
    @Test
    void consistentWithGetWeightsAndWeightNames() {
        Model m = kerasScriptModel();
        assertEquals(m.weightNames(), List.copyOf(m.weights().keySet()));
        List<Tensor> got = m.getWeights();
        List<Tensor> listed = List.copyOf(m.weights().values());
        for (int i = 0; i < got.size(); i++) assertEquals(got.get(i), listed.get(i));
        Tensor k = m.trainableWeights().get("head/kernel");
        float before = k.data()[0];
        k.data()[0] = before + 1;
        assertEquals(before, m.weights().get("head/kernel").data()[0]);
        assertThrows(UnsupportedOperationException.class, () -> m.weights().clear());
    }

    /** An unbuilt Sequential has none (Keras' []); a closed model is refused naming the call. */
    @Test
    void unbuiltIsEmptyAndClosedIsRefused() {
        Sequential s = new Sequential(new Dense(2));
        assertTrue(s.weights().isEmpty() && s.trainableWeights().isEmpty() && s.nonTrainableWeights().isEmpty());
        Model m = kerasScriptModel();
        m.close();
        IllegalStateException e = assertThrows(IllegalStateException.class, m::trainableWeights);
        assertTrue(e.getMessage().contains("trainableWeights"), e.getMessage());
    }
}
