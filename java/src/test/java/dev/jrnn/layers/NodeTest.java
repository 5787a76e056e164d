package dev.jrnn.layers;

import dev.jrnn.Jrnn;
import dev.jrnn.model.Input;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class NodeTest {
    @BeforeAll
    static void cpu() {
        Jrnn.setBackend("cpu");
    }

    @BeforeEach
    void fresh() {
        Jrnn.clearSession();
    }

    @Test
    void applyingALayerRecordsTheCallOnTheLayer() {
        Input a = Input.batchShape(4, 3, 2), b = Input.shape(3, 2);
        LSTM lstm = new LSTM(5).returnState(true);
        Node y = lstm.apply(a);
        Node z = lstm.apply(b);
        assertEquals(List.of(y.call(), z.call()), lstm.calls());
        assertEquals(1, z.call().index());
        assertSame(a, y.call().inputs().get(0));
        assertEquals(3, y.all().size());
        assertSame(y.all().get(2), y.get(2));
        assertEquals(2, y.get(2).outputIndex());
        assertArrayEquals(new int[] {5}, y.shape());   // the last output, then h and c
        assertArrayEquals(new int[] {5}, y.get(1).shape());
        assertEquals(4, y.batchSize());
        assertEquals("(4, 5)", y.shapeString());
        assertEquals("(None, 5)", z.shapeString());
        assertFalse(y.call().isInput());
        assertTrue(a.call().isInput());
        assertEquals(List.of(a.call()), a.layer().calls());
    }

    @Test
    void rejectsWhatCannotBeApplied() {
        Input a = Input.batchShape(4, 3), b = Input.batchShape(5, 3);
        Dense d = new Dense(1);
        String mixed = assertThrows(IllegalArgumentException.class, () -> new LSTM(1).apply(List.of(a, b))).getMessage();
        assertTrue(mixed.contains("different fixed batch sizes 4 and 5"), mixed);
        String none = assertThrows(IllegalArgumentException.class, () -> d.apply(List.of())).getMessage();
        assertTrue(none.contains("expected at least one input node"), none);
        String input = assertThrows(IllegalArgumentException.class, () -> a.layer().apply(b)).getMessage();
        assertTrue(input.contains("an InputLayer cannot be applied"), input);
        assertThrows(IndexOutOfBoundsException.class, () -> d.apply(a).get(1));
        assertTrue(d.calls().size() == 1, "only the successful call is recorded");
    }
}
