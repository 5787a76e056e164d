package dev.jrnn.edges;

import dev.jrnn.Jrnn;
import dev.jrnn.layers.GetItem;
import dev.jrnn.layers.LSTM;
import dev.jrnn.model.Input;
import dev.jrnn.model.Model;
import dev.jrnn.tensor.Tensor;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.List;
import java.util.stream.Stream;

import static dev.jrnn.layers.GetItem.all;
import static dev.jrnn.layers.GetItem.ellipsis;
import static dev.jrnn.layers.GetItem.index;
import static dev.jrnn.layers.GetItem.newAxis;
import static dev.jrnn.layers.GetItem.slice;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Bad keys and inputs of GetItem: each an exception naming the key or layer, what was expected and what came. */
class GetItemBadInputTest {
    @BeforeEach
    void cpu() {
        Jrnn.setBackend("cpu");
    }

    static Stream<Arguments> cases() {
        return Stream.of(
                Arguments.of("no key", (Executable) () -> new GetItem(), List.of("GetItem: key must start with all()", "got ()")),
                Arguments.of("null key", (Executable) () -> new GetItem((GetItem.Item[]) null), List.of("GetItem: key", "got null")),
                Arguments.of("null item", (Executable) () -> new GetItem(all(), null), List.of("GetItem: key item 1 is null")),
                Arguments.of("index on the batch", (Executable) () -> new GetItem(index(-1)), List.of("key [-1]", "batch axis whole", "'-1'")),
                Arguments.of("slice of the batch", (Executable) () -> new GetItem(slice(null, null, 2), index(0)),
                        List.of("key [::2, 0]", "batch axis whole", "'::2'")),
                Arguments.of("new axis before the batch", (Executable) () -> new GetItem(newAxis()), List.of("key [None]", "batch axis whole", "'None'")),
                Arguments.of("two ellipses", (Executable) () -> new GetItem(ellipsis(), index(0), ellipsis()), List.of("key [..., 0, ...]", "2 ellipses")),
                Arguments.of("zero step", (Executable) () -> slice(1, 3, 0), List.of("GetItem: slice step must not be zero")),
                Arguments.of("index past the end", (Executable) () -> new GetItem(all(), index(4)).name("gi").apply(Input.shape(4, 2)),
                        List.of("gi: index 4 is out of range for axis 1 of length 4", "key [:, 4]", "(None, 4, 2)")),
                Arguments.of("negative index past the start", (Executable) () -> new GetItem(all(), all(), index(-3)).name("gi").apply(Input.shape(4, 2)),
                        List.of("gi: index -3 is out of range for axis 2 of length 2")),
                Arguments.of("more items than axes", (Executable) () -> new GetItem(all(), index(0), index(0), index(0)).name("gi").apply(Input.shape(4, 2)),
                        List.of("gi: key [:, 0, 0, 0] indexes 4 axes", "(None, 4, 2) has 3")),
                Arguments.of("ellipsis leaving the batch to an index", (Executable) () -> new GetItem(ellipsis(), index(0), index(1)).name("gi")
                        .apply(Input.shape(4)), List.of("gi: key [..., 0, 1] must take the batch axis whole", "'0'")),
                Arguments.of("empty slice", (Executable) () -> new GetItem(all(), slice(3, 1)).name("gi").apply(Input.shape(4, 2)),
                        List.of("gi: slice 3:1 of axis 1 (length 4) selects nothing", "no empty axes")),
                Arguments.of("index past the steps of a call", (Executable) () -> new GetItem(all(), index(5)).name("gi").call(Tensor.zeros(2, 3, 2)),
                        List.of("gi: index 5 is out of range for axis 1 of length 3")),
                Arguments.of("index past the steps of a variable-length input", (Executable) () -> {
                    Input x = Input.shape(-1, 2);
                    try (Model m = new Model(x, new GetItem(all(), index(-4)).name("gi").apply(x))) {
                        m.predict(Tensor.zeros(2, 3, 2));
                    }
                }, List.of("gi: index -4 is out of range for axis 1 of length 3")));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void refusedNamingTheKey(String name, Executable call, List<String> words) {
        RefusalCases.assertRefused(name, call, words);
    }

    @Test
    void casesAreDistinct() {
        RefusalCases.assertDistinctArguments(cases());
    }

    /** A refused call leaves the layer as it was: uncalled, and callable on an input it fits. */
    @Test
    void aRefusedApplyLeavesTheLayerUncalled() {
        GetItem g = new GetItem(all(), index(5)).name("gi");
        RefusalCases.assertRefused("apply", () -> g.apply(new LSTM(2).returnSequences(true).apply(Input.shape(3, 2))), List.of("gi: index 5"));
        assertTrue(g.calls().isEmpty());
        assertEquals(1, g.apply(Input.shape(6, 2)).shape().length);
    }
}
