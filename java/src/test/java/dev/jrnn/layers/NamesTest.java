package dev.jrnn.layers;

import dev.jrnn.Jrnn;
import dev.jrnn.backend.NameUids;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@link Names}: Keras' snake_case class names, its per-base counters, and the checks of user-given names. */
class NamesTest {
    @org.junit.jupiter.api.BeforeAll
    static void cpu() {
        Jrnn.setBackend("cpu");
    }

    @AfterEach
    void fresh() {
        Jrnn.clearSession();
    }

    @Test
    void snakeCaseAsKeras() {
        assertEquals("simple_rnn", Names.snake("SimpleRNN"));
        assertEquals("lstm", Names.snake("LSTM"));
        assertEquals("gru", Names.snake("GRU"));
        assertEquals("time_distributed", Names.snake("TimeDistributed"));
        assertEquals("bidirectional", Names.snake("Bidirectional"));
        assertEquals("repeat_vector", Names.snake("RepeatVector"));
        assertEquals("html_parser", Names.snake("HTMLParser"), "an acronym ends before the next word");
        assertEquals("dense", Names.snake("dense"));
    }

    @Test
    void countersPerBaseNameUntilTheSessionIsCleared() {
        Jrnn.clearSession();
        assertEquals(List.of("lstm", "lstm_1", "dense", "lstm_2"),
                List.of(NameUids.unique("lstm"), NameUids.unique("lstm"), NameUids.unique("dense"), NameUids.unique("lstm")));
        assertEquals("lstm_3", new LSTM(2).name(), "layers draw from the same counters");
        Jrnn.clearSession();
        assertEquals("lstm", new LSTM(2).name());
        NameUids.reset();
        assertEquals("gru", NameUids.unique("gru"));
    }

    @Test
    void layersAreNumberedInTheOrderTheyAreMadeAsKeras() {
        Jrnn.clearSession();
        // Keras: Sequential([LSTM(4, return_sequences=True), Bidirectional(LSTM(2)), Dense(1)]) -> lstm, forward_lstm_1, dense
        dev.jrnn.model.Sequential s = new dev.jrnn.model.Sequential(new LSTM(4).returnSequences(true).inputShape(3, 2),
                new Bidirectional(new LSTM(2)), new Dense(1));
        assertEquals(List.of("lstm/kernel", "bidirectional/forward_lstm_1/kernel", "bidirectional/backward_lstm_1/kernel", "dense/kernel"),
                s.weightNames().stream().filter(n -> n.endsWith("/kernel")).toList());
        // the Dense inside a TimeDistributed is made after the one before it and before the one after it
        Dense first = new Dense(4);
        TimeDistributed td = new TimeDistributed(new Dense(2));
        Dense last = new Dense(1);
        assertEquals(List.of("dense_1", "dense_2", "dense_3"), List.of(first.name(), td.layer().name(), last.name()));
        // a name given right away takes no number (Keras' name=...); the backward copy of a Bidirectional neither
        assertEquals("enc", new LSTM(2).dropout(0.1).name("enc").name());
        assertEquals("backward_lstm_2", new Bidirectional(new LSTM(2)).backwardLayer().name());
        assertEquals("lstm_3", new LSTM(2).name());
        // one renamed after another layer of its kind was made keeps its number taken
        LSTM a = new LSTM(2);
        LSTM b = new LSTM(2);
        a.name("a");
        assertEquals(List.of("a", "lstm_5", "lstm_6"), List.of(a.name(), b.name(), new LSTM(2).name()));
    }

    @Test
    void inputsCountFromOneAndANameGivenRightAwayTakesNoNumber() {
        Jrnn.clearSession();
        // Keras: Input(shape, name="x") leaves the count alone; the unnamed ones are input_1, input_2, ...
        assertEquals("x", dev.jrnn.model.Input.shape(2).name("x").name());
        assertEquals("input_1", dev.jrnn.model.Input.shape(2).name());
        assertEquals("y", dev.jrnn.model.Input.shape(2).name("y").name());
        assertEquals("input_2", dev.jrnn.model.Input.shape(2).name());
    }

    @Test
    void userNamesAreChecked() {
        assertEquals("my_layer", Names.check("name", "my_layer"));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Names.check("name", " "));
        assertEquals("name must not be empty, got ' '", e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> Names.check("name", null));
        assertEquals("name must not be empty, got null", e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> Names.check("name", "a/b"));
        assertTrue(e.getMessage().contains("'/'"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> Names.check("name", "x\ud800"));
        assertTrue(e.getMessage().contains("U+D800"), e.getMessage());
    }
}
