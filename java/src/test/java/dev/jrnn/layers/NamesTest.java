package dev.jrnn.layers;

import dev.jrnn.Jrnn;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@link Names}: Keras' snake_case class names, its per-base counters, and the checks of user-given names. */
class NamesTest {
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
                List.of(Names.unique("lstm"), Names.unique("lstm"), Names.unique("dense"), Names.unique("lstm")));
        assertEquals("lstm_3", new LSTM(2).name(), "layers draw from the same counters");
        Jrnn.clearSession();
        assertEquals("lstm", new LSTM(2).name());
        Names.reset();
        assertEquals("gru", Names.unique("gru"));
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
