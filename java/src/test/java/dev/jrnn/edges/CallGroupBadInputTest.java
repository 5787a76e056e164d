package dev.jrnn.edges;

import dev.jrnn.layers.CallGroup;
import dev.jrnn.layers.Dense;
import dev.jrnn.layers.Node;
import dev.jrnn.model.Input;
import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** CallGroup's refusals name the argument, what was expected and what came, and leave the open groups as they were. */
class CallGroupBadInputTest {
    @Test
    void refusesNullArguments() {
        Input in = Input.shape(3);
        var e = assertThrows(IllegalArgumentException.class, () -> CallGroup.open(null, "model 'enc'", List.of(in)));
        assertTrue(e.getMessage().contains("operation must be the nested model, got null"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> CallGroup.open("enc", "model 'enc'", null));
        assertTrue(e.getMessage().contains("inputs must be the nodes"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> CallGroup.open("enc", null, List.of(in)));
        assertTrue(e.getMessage().contains("name must name the nested model"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> CallGroup.open("enc", "model 'enc'", Arrays.asList(in, null)));
        assertTrue(e.getMessage().contains("inputs[1] is null"), e.getMessage());
        // nothing was left open: a call made now belongs to no group
        assertNull(new Dense(2).apply(in).call().group());
    }

    @Test
    void refusesClosingOutOfOrderAndKeepsTheGroupsOpen() {
        Input in = Input.shape(3);
        CallGroup outer = CallGroup.open(new Object(), "model 'outer'", List.of(in));
        CallGroup inner = CallGroup.open(new Object(), "model 'inner'", List.of(in));
        var e = assertThrows(IllegalStateException.class, () -> outer.close(List.of(in)));
        assertTrue(e.getMessage().contains("the group of model 'outer' is not the innermost open one on this thread (the innermost is the group of model 'inner')"),
                e.getMessage());
        Node made = new Dense(2).apply(in);
        assertSame(inner, made.call().group(), "the inner group is still open");
        var n = assertThrows(IllegalArgumentException.class, () -> inner.close(Arrays.asList(made, null)));
        assertTrue(n.getMessage().contains("outputs[1] is null"), n.getMessage());
        inner.close(List.of(made));
        assertEquals(List.of(made), inner.outputs());
        assertSame(outer, inner.parent());
        outer.close(null);
        assertNull(outer.outputs(), "a failed call's group has no outputs");
        var none = assertThrows(IllegalStateException.class, () -> outer.close(null));
        assertTrue(none.getMessage().contains("none is open"), none.getMessage());
    }
}
