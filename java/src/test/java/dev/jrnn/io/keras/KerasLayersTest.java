package dev.jrnn.io.keras;

import dev.jrnn.Jrnn;
import dev.jrnn.layers.GlobalAveragePooling1D;
import dev.jrnn.layers.GlobalMaxPooling1D;
import dev.jrnn.layers.Layer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.LinkedHashMap;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@link KerasLayers} on the global 1D pooling layers' configs as Keras 3 writes them (BaseGlobalPooling.get_config). */
class KerasLayersTest {
    @BeforeAll
    static void cpu() { Jrnn.setBackend("cpu"); }

    private static Map<String, Object> spec(String cls, String format, boolean keepdims) {
        Map<String, Object> c = new LinkedHashMap<>();
        c.put("name", "pool");
        c.put("trainable", true);
        c.put("dtype", "float32");
        c.put("data_format", format);
        c.put("keepdims", keepdims);
        Map<String, Object> s = new LinkedHashMap<>();
        s.put("module", "keras.layers");
        s.put("class_name", cls);
        s.put("config", c);
        s.put("registered_name", null);
        return s;
    }

    @Test
    void globalPoolingImportsAndExportsAsKeras() {
        KerasLayers k = new KerasLayers(3, "m.keras");
        Layer a = k.build(new KerasConfig(spec("GlobalAveragePooling1D", "channels_last", true), "layers[0]"));
        assertInstanceOf(GlobalAveragePooling1D.class, a);
        assertTrue(((GlobalAveragePooling1D) a).keepdims());
        assertEquals("pool", a.name());
        Layer m = k.build(new KerasConfig(spec("GlobalMaxPooling1D", "channels_last", false), "layers[1]"));
        assertInstanceOf(GlobalMaxPooling1D.class, m);
        assertFalse(((GlobalMaxPooling1D) m).keepdims());
        assertEquals(spec("GlobalMaxPooling1D", "channels_last", false), KerasLayers.config(m));
        KerasFormatException e = assertThrows(KerasFormatException.class,
                () -> k.build(new KerasConfig(spec("GlobalAveragePooling1D", "channels_first", false), "layers[2]")));
        assertTrue(e.getMessage().contains("data_format='channels_first' is not supported"), e.getMessage());
    }
}
