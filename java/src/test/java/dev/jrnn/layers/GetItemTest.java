package dev.jrnn.layers;

import dev.jrnn.Jrnn;
import dev.jrnn.backend.Backend;
import dev.jrnn.backend.DTensor;
import dev.jrnn.backend.NameUids;
import dev.jrnn.io.Json;
import dev.jrnn.model.Input;
import dev.jrnn.model.Model;
import dev.jrnn.model.Sequential;
import dev.jrnn.tensor.Tensor;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

import static dev.jrnn.layers.GetItem.all;
import static dev.jrnn.layers.GetItem.ellipsis;
import static dev.jrnn.layers.GetItem.index;
import static dev.jrnn.layers.GetItem.newAxis;
import static dev.jrnn.layers.GetItem.slice;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * GetItem: forward and input gradient of every key of get_item_golden.json (NumPy's x[key] and the gradient put back
 * where it was read, torch autograd agreeing where torch takes the key), the static shapes as NumPy's, the refusals, the
 * mask dropped as in Keras 3 and the summary row as Keras 3 prints an op.
 */
class GetItemTest {
    @BeforeAll
    static void cpu() {
        Jrnn.setBackend("cpu");
    }

    @SuppressWarnings("unchecked")
    static List<Map<String, Object>> golden() throws IOException {
        try (InputStream in = GetItemTest.class.getResourceAsStream("get_item_golden.json")) {
            if (in == null) throw new AssertionError("get_item_golden.json missing: run get_item_golden.py");
            return (List<Map<String, Object>>) ((Map<String, Object>) Json.parse(new String(in.readAllBytes(), StandardCharsets.UTF_8))).get("cases");
        }
    }

    /** A golden case's items ([kind, ...] as the generator writes them) as the layer's key. */
    static GetItem.Item[] items(List<?> spec) {
        List<GetItem.Item> r = new ArrayList<>();
        for (Object o : spec) {
            List<?> it = (List<?>) o;
            r.add(switch ((String) it.get(0)) {
                case "index" -> index(num(it.get(1)));
                case "newaxis" -> newAxis();
                case "ellipsis" -> ellipsis();
                default -> slice(num(it.get(1)), num(it.get(2)), num(it.get(3)));
            });
        }
        return r.toArray(GetItem.Item[]::new);
    }

    private static Integer num(Object o) { return o == null ? null : ((Number) o).intValue(); }

    static int[] ints(Object o) { return ((List<?>) o).stream().mapToInt(v -> ((Number) v).intValue()).toArray(); }

    static float[] floats(Object o) {
        List<?> l = (List<?>) o;
        float[] r = new float[l.size()];
        for (int i = 0; i < r.length; i++) r[i] = ((Number) l.get(i)).floatValue();
        return r;
    }

    @Test
    void everyGoldenKeyGivesNumpysValuesAndGradient() throws IOException {
        List<Map<String, Object>> cases = golden();
        assertEquals(15, cases.size());
        for (Map<String, Object> c : cases) {
            GetItem g = new GetItem(items((List<?>) c.get("items")));
            String key = (String) c.get("key");
            assertEquals(key, g.keyString());
            int[] shape = ints(c.get("shape")), yShape = ints(c.get("y_shape"));
            assertArrayEquals(Arrays.copyOfRange(yShape, 1, yShape.length),
                    g.computeOutputShapes(List.of(Arrays.copyOfRange(shape, 1, shape.length))).get(0), key + ": static shape");
            g.build(List.of(Arrays.copyOfRange(shape, 1, shape.length)));
            Backend be = g.backend();
            try (DTensor x = DTensor.from(be, Tensor.wrap(floats(c.get("x")), shape));
                 Trace t = g.forward(List.of(x), null, true)) {
                DTensor y = t.outputs().get(0);
                assertArrayEquals(yShape, y.shape(), key + ": shape");
                assertArrayEquals(floats(c.get("y")), y.toTensor().data(), key + ": y");
                assertEquals(null, t.outputMask(), key + ": no mask passes on");
                try (DTensor dy = DTensor.from(be, Tensor.wrap(floats(c.get("g")), yShape))) {
                    List<DTensor> dx = t.backward(List.of(dy));
                    assertArrayEquals(shape, dx.get(0).shape(), key + ": dx shape");
                    assertArrayEquals(floats(c.get("dx")), dx.get(0).toTensor().data(), key + ": dx");
                }
            }
        }
    }

    /** Keras' compute_output_spec: a slice of an unknown length stays unknown, an index drops it without a check. */
    @Test
    void unknownStepsStayUnknown() {
        Input x = Input.shape(-1, 4);
        assertArrayEquals(new int[] {4}, new GetItem(all(), index(-1)).apply(x).shape());
        assertArrayEquals(new int[] {-1, 4}, new GetItem(all(), slice(-5, null)).apply(x).shape());
        assertArrayEquals(new int[] {-1, 2}, new GetItem(ellipsis(), slice(null, 2)).apply(x).shape());
    }

    /** numpy: x[:, ::2**31-1] and x[:, ::-2**31] of a length 10 are [x0] and [x9] (the length's sums overflowed an int). */
    @Test
    void stepsNearTheIntLimitsSelectOneStep() {
        assertArrayEquals(new int[] {1, 4}, new GetItem(all(), slice(null, null, Integer.MAX_VALUE)).apply(Input.shape(10, 4)).shape());
        assertArrayEquals(new int[] {1, 4}, new GetItem(all(), slice(null, null, Integer.MIN_VALUE)).apply(Input.shape(10, 4)).shape());
    }

    @Test
    void refusesWhatNumpyOrTheBatchForbids() {
        String m = assertThrows(IllegalArgumentException.class, () -> new GetItem(all(), index(6)).apply(Input.shape(6, 4))).getMessage();
        assertTrue(m.contains("index 6") && m.contains("axis 1") && m.contains("length 6"), m);
        m = assertThrows(IllegalArgumentException.class, () -> new GetItem(all(), all(), index(-5)).apply(Input.shape(6, 4))).getMessage();
        assertTrue(m.contains("index -5") && m.contains("axis 2") && m.contains("length 4"), m);
        m = assertThrows(IllegalArgumentException.class, () -> new GetItem(index(0))).getMessage();
        assertTrue(m.contains("batch") && m.contains("'0'"), m);
        m = assertThrows(IllegalArgumentException.class, () -> new GetItem(newAxis(), all())).getMessage();
        assertTrue(m.contains("batch") && m.contains("'None'"), m);
        m = assertThrows(IllegalArgumentException.class, () -> new GetItem(slice(1, null))).getMessage();
        assertTrue(m.contains("batch") && m.contains("'1:'"), m);
        m = assertThrows(IllegalArgumentException.class, () -> new GetItem(all(), ellipsis(), ellipsis())).getMessage();
        assertTrue(m.contains("2 ellipses"), m);
        m = assertThrows(IllegalArgumentException.class, () -> new GetItem(ellipsis(), index(0), index(0)).apply(Input.shape(6))).getMessage();
        assertTrue(m.contains("batch") && m.contains("'0'"), m);
        m = assertThrows(IllegalArgumentException.class, () -> new GetItem(all(), index(0), index(0), index(0)).apply(Input.shape(6, 4))).getMessage();
        assertTrue(m.contains("indexes 4 axes") && m.contains("has 3"), m);
        m = assertThrows(IllegalArgumentException.class, () -> new GetItem(all(), slice(4, 2)).apply(Input.shape(6, 4))).getMessage();
        assertTrue(m.contains("slice 4:2 of axis 1 (length 6) selects nothing"), m);
        m = assertThrows(IllegalArgumentException.class, () -> slice(null, null, 0)).getMessage();
        assertTrue(m.contains("step must not be zero"), m);
        m = assertThrows(IllegalArgumentException.class, () -> new GetItem((GetItem.Item[]) null)).getMessage();
        assertTrue(m.contains("key must start with all()"), m);
        m = assertThrows(IllegalArgumentException.class, () -> new GetItem(all(), null)).getMessage();
        assertTrue(m.contains("key item 1 is null"), m);
    }

    /** Keras 3's summary row for an op: name (class), shape, 0 params; its output carries no mask (Keras 3's ops drop it). */
    @Test
    void summaryAsKerasAndTheMaskIsDropped() {
        Input x = Input.shape(5, 3);
        Node h = new LSTM(2).returnSequences(true).apply(x);
        Node last = new GetItem(all(), index(-1)).name("get_item").apply(h);
        try (Model m = new Model(x, new Dense(1).apply(last))) {
            String s = m.summaryString();
            assertTrue(s.contains(" get_item (GetItem)          (None, 2)                 0 "), s);
        }
        LayerCheck.assertMaskEndsAt(() -> new GetItem(all(), slice(null, null, -1)), 4, 2);
    }

    /** Default names as Keras' ops: get_item, get_item_1. */
    @Test
    void defaultNamesAsKeras() {
        NameUids.reset();
        assertEquals("get_item", new GetItem(all()).name());
        assertEquals("get_item_1", new GetItem(all()).name());
        try (Sequential s = new Sequential(Input.shape(3, 2), new GetItem(all(), index(0)))) {
            assertArrayEquals(new float[] {1, 2, 7, 8}, s.predict(Tensor.wrap(new float[] {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12}, 2, 3, 2)).data());
        }
    }
}
