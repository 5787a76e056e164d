package dev.jrnn.model;

import dev.jrnn.layers.Node;
import dev.jrnn.Jrnn;
import dev.jrnn.layers.Dense;
import dev.jrnn.layers.LSTM;
import dev.jrnn.layers.SimpleRNN;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * summary() against the text tf.keras 2.9-2.12 prints for the seed notebooks' models. The expected
 * strings were produced by a Python port of Keras' print_summary/print_row (tf.keras 2.9), not by
 * jrnn's formatter.
 */
class SummaryTest {
    @BeforeAll
    static void cpu() {
        Jrnn.setBackend("cpu");
    }

    @BeforeEach
    void fresh() {
        Jrnn.clearSession();
        Jrnn.setSeed(1);
    }

    @Test
    void simpleRnnDeclaredThreeWays() {
        Sequential a = new Sequential();
        a.add(new SimpleRNN(3).inputShape(2, 10));
        assertEquals(RNN_42, a.summaryString());
        assertEquals(42, a.countParams());

        Jrnn.clearSession();
        Sequential b = new Sequential();
        b.add(new SimpleRNN(3).inputLength(2).inputDim(10));
        assertEquals(RNN_42, b.summaryString());

        Jrnn.clearSession();
        Sequential c = new Sequential();
        c.add(new SimpleRNN(3).batchInputShape(8, 2, 10));
        assertEquals(RNN_42_BATCH, c.summaryString());

        Jrnn.clearSession();
        Sequential d = new Sequential();
        d.add(new SimpleRNN(3).batchInputShape(8, 2, 10).returnSequences(true));
        assertEquals(RNN_42_SEQ, d.summaryString());
    }

    @Test
    void stackedSimpleRnn27Plus21() {
        Sequential m = new Sequential(
                new SimpleRNN(3).returnSequences(true).inputShape(4, 5),
                new SimpleRNN(3));
        assertEquals(RNN_27_21, m.summaryString());
        assertEquals(48, m.countParams());
    }

    @Test
    void simpleRnnDense120Plus11() {
        Sequential m = new Sequential();
        m.add(new SimpleRNN(10).inputShape(3, 1));
        m.add(new Dense(1));
        assertEquals(RNN_120_11, m.summaryString());
    }

    @Test
    void hundredUnitModels() {
        Sequential m = new Sequential(new SimpleRNN(100).inputShape(4, 1), new Dense(1));
        assertEquals(RNN_10200, m.summaryString());

        Jrnn.clearSession();
        Sequential s = new Sequential(new SimpleRNN(100).returnSequences(true).inputShape(4, 1),
                new SimpleRNN(100), new Dense(1));
        assertEquals(RNN_10200_20100, s.summaryString());
        assertEquals(10200 + 20100 + 101, s.countParams());

        Jrnn.clearSession();
        Sequential l = new Sequential(new LSTM(100).inputShape(4, 1), new Dense(1));
        assertEquals(LSTM_40800, l.summaryString());
    }

    @Test
    void functionalWithReturnStateIsSequentialLike() {
        Input in = Input.shape(3, 1).name("input");
        Node seq = new LSTM(5).returnState(true).apply(in);
        Node out = new Dense(1).apply(seq);
        Model m = new Model(in, List.of(out, seq.get(1), seq.get(2)));
        assertEquals(FUNCTIONAL_STATES, m.summaryString());
        assertEquals(3, seq.all().size());
    }

    @Test
    void functionalWithInitialStatesHasConnectedTo() {
        Input x = Input.shape(3, 1);
        Input h0 = Input.shape(5);
        Input c0 = Input.shape(5);
        Node y = new LSTM(5).apply(List.of(x, h0, c0));
        Node out = new Dense(1).apply(y);
        Model m = new Model(List.of(x, h0, c0), List.of(out));
        assertEquals(FUNCTIONAL_INITIAL_STATE, m.summaryString());
    }

    @Test
    void everyLineHasKerasWidth() {
        Sequential m = new Sequential(new SimpleRNN(3).inputShape(2, 10));
        for (String line : m.summaryString().split("\n")) {
            assertTrue(line.length() == 65 || line.startsWith("Model:") || line.contains("params:"), line);
        }
    }

    @Test
    void defaultNamesCountLikeKeras() {
        Sequential a = new Sequential(new SimpleRNN(2).returnSequences(true).inputShape(3, 1), new SimpleRNN(2), new Dense(1));
        Sequential b = new Sequential(new Dense(1).inputShape(2));
        assertEquals("sequential", a.name());
        assertEquals("sequential_1", b.name());
        assertEquals("simple_rnn_1", a.layers().get(1).name());
        assertEquals("dense_1", b.layers().get(0).name());
    }

    @Test
    void frozenLayerIsNonTrainableAndDoesNotMove() {
        Sequential m = new Sequential(new SimpleRNN(3).inputShape(2, 10).trainable(false), new Dense(1));
        String s = m.summaryString();
        assertTrue(s.contains("Total params: 46\nTrainable params: 4\nNon-trainable params: 42\n"), s);
        m.compile(new dev.jrnn.optim.Adam(0.1), "mse");
        dev.jrnn.tensor.Tensor frozen = m.layers().get(0).getWeights().get(0);
        dev.jrnn.tensor.Tensor dense = m.layers().get(1).getWeights().get(0);
        m.fit(dev.jrnn.tensor.Tensor.full(0.5f, 4, 2, 10), dev.jrnn.tensor.Tensor.full(1f, 4, 1), new FitOptions().epochs(2).verbose(0));
        org.junit.jupiter.api.Assertions.assertArrayEquals(frozen.toArray(), m.layers().get(0).getWeights().get(0).toArray());
        assertTrue(!java.util.Arrays.equals(dense.toArray(), m.layers().get(1).getWeights().get(0).toArray()));
        // unfreezing takes effect at the next compile, as in Keras
        m.layers().get(0).trainable(true);
        m.compile("adam", "mse");
        assertTrue(m.summaryString().contains("Trainable params: 46\n"));
    }

    @Test
    void aFrozenLayerInsideAWrapperIsNonTrainableAndDoesNotMove() {
        // Keras: a wrapper's weights train only where the wrapped layer does too (Bidirectional(LSTM(trainable=False)))
        Sequential m = new Sequential(
                new dev.jrnn.layers.Bidirectional(new SimpleRNN(2).returnSequences(true).trainable(false)).inputShape(3, 1),
                new dev.jrnn.layers.TimeDistributed(new Dense(2).trainable(false)),
                new dev.jrnn.layers.Flatten(), new Dense(1));
        // bidirectional 2 * (2 + 4 + 2) = 16, time_distributed 4 * 2 + 2 = 10, dense 6 + 1 = 7
        String s = m.summaryString();
        assertTrue(s.contains("Total params: 33\nTrainable params: 7\nNon-trainable params: 26\n"), s);
        // Keras' get_weights order is layer by layer, frozen or not: the trainable last Dense comes last
        int n = m.weightNames().size();
        assertEquals(List.of("dense_1/kernel", "dense_1/bias"), m.weightNames().subList(n - 2, n));
        assertEquals("bidirectional/forward_simple_rnn/kernel", m.weightNames().get(0));
        // a weight decay must not reach them either
        m.compile(new dev.jrnn.optim.AdamW(0.1).weightDecay(0.5), "mse");
        List<dev.jrnn.tensor.Tensor> before = m.getWeights();
        m.fit(dev.jrnn.tensor.Tensor.full(0.5f, 2, 3, 1), dev.jrnn.tensor.Tensor.full(1f, 2, 1), new FitOptions().epochs(1).verbose(0));
        List<dev.jrnn.tensor.Tensor> after = m.getWeights();
        for (int i = 0; i < n - 2; i++) {
            org.junit.jupiter.api.Assertions.assertArrayEquals(before.get(i).toArray(), after.get(i).toArray(), m.weightNames().get(i));
        }
        assertTrue(!java.util.Arrays.equals(before.get(n - 2).toArray(), after.get(n - 2).toArray()));
        // unfreezing one direction alone takes effect at the next compile
        ((dev.jrnn.layers.Bidirectional) m.layers().get(0)).backwardLayer().trainable(true);
        m.compile("adam", "mse");
        assertTrue(m.summaryString().contains("Trainable params: 15\n"), m.summaryString());
    }

    @Test
    void unbuiltSequentialRefusesSummary() {
        Sequential m = new Sequential(new SimpleRNN(3), new Dense(1));
        IllegalStateException e = assertThrows(IllegalStateException.class, m::summaryString);
        assertTrue(e.getMessage().contains("not yet been built"), e.getMessage());
        m.build(4, 2);
        assertEquals(3 * (2 + 3 + 1) + 4, m.countParams());
    }

    @Test
    void returnStateLayerRejectedBySequential() {
        Sequential m = new Sequential(new SimpleRNN(3).returnSequences(true).inputShape(2, 4));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> m.add(new LSTM(2).returnState(true)));
        assertTrue(e.getMessage().contains("single output"), e.getMessage());
    }

    static final String RNN_42 = String.join("\n",
            "Model: \"sequential\"",
            "_________________________________________________________________",
            " Layer (type)                Output Shape              Param #   ",
            "=================================================================",
            " simple_rnn (SimpleRNN)      (None, 3)                 42        ",
            "                                                                 ",
            "=================================================================",
            "Total params: 42",
            "Trainable params: 42",
            "Non-trainable params: 0",
            "_________________________________________________________________") + "\n";

    static final String RNN_42_BATCH = String.join("\n",
            "Model: \"sequential\"",
            "_________________________________________________________________",
            " Layer (type)                Output Shape              Param #   ",
            "=================================================================",
            " simple_rnn (SimpleRNN)      (8, 3)                    42        ",
            "                                                                 ",
            "=================================================================",
            "Total params: 42",
            "Trainable params: 42",
            "Non-trainable params: 0",
            "_________________________________________________________________") + "\n";

    static final String RNN_42_SEQ = String.join("\n",
            "Model: \"sequential\"",
            "_________________________________________________________________",
            " Layer (type)                Output Shape              Param #   ",
            "=================================================================",
            " simple_rnn (SimpleRNN)      (8, 2, 3)                 42        ",
            "                                                                 ",
            "=================================================================",
            "Total params: 42",
            "Trainable params: 42",
            "Non-trainable params: 0",
            "_________________________________________________________________") + "\n";

    static final String RNN_27_21 = String.join("\n",
            "Model: \"sequential\"",
            "_________________________________________________________________",
            " Layer (type)                Output Shape              Param #   ",
            "=================================================================",
            " simple_rnn (SimpleRNN)      (None, 4, 3)              27        ",
            "                                                                 ",
            " simple_rnn_1 (SimpleRNN)    (None, 3)                 21        ",
            "                                                                 ",
            "=================================================================",
            "Total params: 48",
            "Trainable params: 48",
            "Non-trainable params: 0",
            "_________________________________________________________________") + "\n";

    static final String RNN_120_11 = String.join("\n",
            "Model: \"sequential\"",
            "_________________________________________________________________",
            " Layer (type)                Output Shape              Param #   ",
            "=================================================================",
            " simple_rnn (SimpleRNN)      (None, 10)                120       ",
            "                                                                 ",
            " dense (Dense)               (None, 1)                 11        ",
            "                                                                 ",
            "=================================================================",
            "Total params: 131",
            "Trainable params: 131",
            "Non-trainable params: 0",
            "_________________________________________________________________") + "\n";

    static final String RNN_10200 = String.join("\n",
            "Model: \"sequential\"",
            "_________________________________________________________________",
            " Layer (type)                Output Shape              Param #   ",
            "=================================================================",
            " simple_rnn (SimpleRNN)      (None, 100)               10200     ",
            "                                                                 ",
            " dense (Dense)               (None, 1)                 101       ",
            "                                                                 ",
            "=================================================================",
            "Total params: 10,301",
            "Trainable params: 10,301",
            "Non-trainable params: 0",
            "_________________________________________________________________") + "\n";

    static final String RNN_10200_20100 = String.join("\n",
            "Model: \"sequential\"",
            "_________________________________________________________________",
            " Layer (type)                Output Shape              Param #   ",
            "=================================================================",
            " simple_rnn (SimpleRNN)      (None, 4, 100)            10200     ",
            "                                                                 ",
            " simple_rnn_1 (SimpleRNN)    (None, 100)               20100     ",
            "                                                                 ",
            " dense (Dense)               (None, 1)                 101       ",
            "                                                                 ",
            "=================================================================",
            "Total params: 30,401",
            "Trainable params: 30,401",
            "Non-trainable params: 0",
            "_________________________________________________________________") + "\n";

    static final String LSTM_40800 = String.join("\n",
            "Model: \"sequential\"",
            "_________________________________________________________________",
            " Layer (type)                Output Shape              Param #   ",
            "=================================================================",
            " lstm (LSTM)                 (None, 100)               40800     ",
            "                                                                 ",
            " dense (Dense)               (None, 1)                 101       ",
            "                                                                 ",
            "=================================================================",
            "Total params: 40,901",
            "Trainable params: 40,901",
            "Non-trainable params: 0",
            "_________________________________________________________________") + "\n";

    static final String FUNCTIONAL_STATES = String.join("\n",
            "Model: \"model\"",
            "_________________________________________________________________",
            " Layer (type)                Output Shape              Param #   ",
            "=================================================================",
            " input (InputLayer)          [(None, 3, 1)]            0         ",
            "                                                                 ",
            " lstm (LSTM)                 [(None, 5),               140       ",
            "                              (None, 5),                         ",
            "                              (None, 5)]                         ",
            "                                                                 ",
            " dense (Dense)               (None, 1)                 6         ",
            "                                                                 ",
            "=================================================================",
            "Total params: 146",
            "Trainable params: 146",
            "Non-trainable params: 0",
            "_________________________________________________________________") + "\n";

    static final String FUNCTIONAL_INITIAL_STATE = String.join("\n",
            "Model: \"model\"",
            "__________________________________________________________________________________________________",
            " Layer (type)                   Output Shape         Param #     Connected to                     ",
            "==================================================================================================",
            " input_1 (InputLayer)           [(None, 3, 1)]       0           []                               ",
            "                                                                                                  ",
            " input_2 (InputLayer)           [(None, 5)]          0           []                               ",
            "                                                                                                  ",
            " input_3 (InputLayer)           [(None, 5)]          0           []                               ",
            "                                                                                                  ",
            " lstm (LSTM)                    (None, 5)            140         ['input_1[0][0]',                ",
            "                                                                  'input_2[0][0]',                ",
            "                                                                  'input_3[0][0]']                ",
            "                                                                                                  ",
            " dense (Dense)                  (None, 1)            6           ['lstm[0][0]']                   ",
            "                                                                                                  ",
            "==================================================================================================",
            "Total params: 146",
            "Trainable params: 146",
            "Non-trainable params: 0",
            "__________________________________________________________________________________________________") + "\n";
}
