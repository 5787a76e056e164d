package dev.jrnn.layers;

import dev.jrnn.Jrnn;
import dev.jrnn.model.Input;
import dev.jrnn.model.Model;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * {@link Layer#weightName}: jrnn's name of a weight within its layer, the layer's entry of {@code Model.weightNames()} less
 * its name and "/". Against Keras 3.15.1's {@code w.path} of the same layers (JAX), which this is without a recurrent cell's
 * segment ("lstm_cell/"), made by:
 * <pre>
 * d = layers.Dense(2, name="d"); d.build((None, 3))
 * b = layers.Bidirectional(layers.LSTM(4, name="lstm"), name="bi"); b.build((None, 5, 3))
 * m = layers.MultiHeadAttention(num_heads=2, key_dim=3, name="mha"); m(ops.zeros((1, 4, 6)), ops.zeros((1, 4, 6)))
 * print([w.path for w in l.weights])   # for each
 * d   ['d/kernel', 'd/bias']
 * bi  ['bi/forward_lstm/lstm_cell/kernel', 'bi/forward_lstm/lstm_cell/recurrent_kernel', 'bi/forward_lstm/lstm_cell/bias',
 *      'bi/backward_lstm/lstm_cell/kernel', 'bi/backward_lstm/lstm_cell/recurrent_kernel', 'bi/backward_lstm/lstm_cell/bias']
 * mha ['mha/query/kernel', 'mha/query/bias', 'mha/key/kernel', 'mha/key/bias', 'mha/value/kernel', 'mha/value/bias',
 *      'mha/attention_output/kernel', 'mha/attention_output/bias']
 * </pre>
 */
class LayerWeightNameTest {
    @BeforeAll
    static void cpu() {
        Jrnn.setBackend("cpu");
    }

    private static List<String> names(Layer l) {
        return l.params().stream().map(l::weightName).toList();
    }

    @Test
    void denseBidirectionalAndMultiHeadAttentionNameTheirWeightsAsKerasWithoutTheCell() {
        Dense d = new Dense(2).name("d");
        d.build(List.of(new int[] {3}));
        assertEquals(List.of("kernel", "bias"), names(d));

        Bidirectional bi = new Bidirectional(new LSTM(4).name("lstm")).name("bi");
        bi.build(List.of(new int[] {5, 3}));
        assertEquals(List.of("forward_lstm/kernel", "forward_lstm/recurrent_kernel", "forward_lstm/bias",
                "backward_lstm/kernel", "backward_lstm/recurrent_kernel", "backward_lstm/bias"), names(bi));

        MultiHeadAttention mha = new MultiHeadAttention(2, 3).name("mha");
        Input q = Input.shape(4, 6), v = Input.shape(4, 6);
        Model m = new Model(List.of(q, v), mha.apply(q, v));
        List<String> keras = List.of("query/kernel", "query/bias", "key/kernel", "key/bias", "value/kernel", "value/bias",
                "attention_output/kernel", "attention_output/bias");
        assertEquals(keras, names(mha));
        // the layer's entries of Model.weightNames(), less "mha/"
        assertEquals(keras.stream().map(n -> "mha/" + n).toList(), m.weightNames());
    }
}
