package dev.jrnn.model;

import dev.jrnn.Jrnn;
import dev.jrnn.io.Json;
import dev.jrnn.layers.BatchNormalization;
import dev.jrnn.layers.Bidirectional;
import dev.jrnn.layers.Conv1D;
import dev.jrnn.layers.Dense;
import dev.jrnn.layers.Dropout;
import dev.jrnn.layers.GRU;
import dev.jrnn.layers.GlobalMaxPooling1D;
import dev.jrnn.layers.LSTM;
import dev.jrnn.layers.Node;
import dev.jrnn.regularizers.Regularizers;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Models.layerConfig against Keras 3.15.1's layer.get_config(): resources/dev/jrnn/model/apigap/layer_config.py's output. */
class LayerConfigTest {
    @BeforeAll
    static void cpu() {
        Jrnn.setBackend("cpu");
    }

    /** Keras' output, one "name json" line per layer (JAX; TensorFlow writes the same). */
    private static Map<String, Object> keras() throws IOException { return keras("apigap/layer_config.txt"); }

    private static Map<String, Object> keras(String resource) throws IOException {
        Map<String, Object> r = new LinkedHashMap<>();
        try (InputStream in = LayerConfigTest.class.getResourceAsStream(resource)) {
            for (String line : new String(in.readAllBytes(), StandardCharsets.UTF_8).split("\n")) {
                if (line.isBlank()) continue;
                int sp = line.indexOf(' ');
                r.put(line.substring(0, sp), Json.parse(line.substring(sp + 1)));
            }
        }
        return r;
    }

    /** The script's model. */
    private static Model model() {
        Input in = Input.shape(5, 4);
        Node x = new LSTM(6).returnSequences(true).dropout(0.1).name("lstm").apply(in);
        x = new BatchNormalization().momentum(0.9).name("bn").apply(x);
        x = new Bidirectional(new GRU(3).returnSequences(true).name("gru")).mergeMode("sum").name("bidi").apply(x);
        x = new Dropout(0.25).name("drop").apply(x);
        x = new Conv1D(2, 3).padding("same").name("conv").apply(x);
        x = new GlobalMaxPooling1D().name("gmp").apply(x);
        return new Model(in, new Dense(1).activation("sigmoid").kernelRegularizer(Regularizers.l2(0.01)).name("head").apply(x));
    }

    /**
     * Keras' config as jrnn writes it (the GUIDE's differences): a dtype policy as its name (Keras 3.0's form), and
     * without the keys Keras 3.15.1 writes at their defaults that jrnn's configs leave out: GlorotUniform's null
     * {@code input_axes} / {@code output_axes}, BatchNormalization's {@code renorm} (false) with its null clipping and
     * momentum 0.99, Dropout's null {@code noise_shape}, Dense's null {@code quantization_config}, a wrapped layer's
     * {@code build_config}, and InputLayer's {@code ragged} and {@code optional} (false). Each left-out key must hold that default in Keras' output.
     */
    @SuppressWarnings("unchecked")
    private static Object asJrnnWrites(Object o) {
        if (o instanceof Map<?, ?> m) {
            Map<String, Object> r = new LinkedHashMap<>();
            for (Map.Entry<?, ?> e : m.entrySet()) {
                String k = (String) e.getKey();
                Object v = e.getValue();
                if (k.equals("dtype") && v instanceof Map<?, ?> d && "DTypePolicy".equals(d.get("class_name"))) {
                    v = ((Map<String, Object>) d.get("config")).get("name");
                }
                Object dflt = switch (k) {
                    case "input_axes", "output_axes", "renorm_clipping", "noise_shape", "quantization_config" -> "null";
                    case "renorm", "ragged", "optional" -> false;
                    case "renorm_momentum" -> 0.99;
                    case "build_config" -> Map.of("input_shape", java.util.Arrays.asList(null, 5L, 6L));
                    default -> "keep";
                };
                if (!"keep".equals(dflt)) {
                    assertEquals("null".equals(dflt) ? null : dflt, v, k + " in Keras' output");
                    continue;
                }
                r.put(k, asJrnnWrites(v));
            }
            return r;
        }
        return o;
    }

    @Test
    void eachLayersConfigIsKeras() throws IOException {
        Model m = model();
        Map<String, Object> keras = keras();
        assertEquals(6, keras.size());
        for (Map.Entry<String, Object> e : keras.entrySet()) {
            Object ours = Json.parse(Models.layerConfig(m.getLayer(e.getKey())));
            assertEquals(asJrnnWrites(e.getValue()), ours, e.getKey());
        }
    }

    /**
     * The InputLayer a functional model's layers() starts with (Keras' {@code for l in model.layers: l.get_config()})
     * was refused as a layer that "cannot be saved": now its config is Keras' (input_layer_config.py), batch size and
     * dtype included.
     */
    @Test
    void inputLayersConfigIsKeras() throws IOException {
        Input seq = Input.shape(5, 4).name("seq");
        Model m = new Model(seq, new Dense(1).name("head").apply(seq));
        Input ids = Input.batchShape(3, 7).dtype("int32").name("ids");
        Model m2 = new Model(ids, new dev.jrnn.layers.Embedding(10, 2).name("emb").apply(ids));
        Map<String, Object> keras = keras("apigap/input_layer_config.txt");
        assertEquals(2, keras.size());
        for (Model model : new Model[] {m, m2}) {
            dev.jrnn.layers.Layer first = model.layers().get(0);
            assertTrue(first instanceof InputLayer, first.toString());
            assertEquals(asJrnnWrites(keras.get(first.name())), Json.parse(Models.layerConfig(first)), first.name());
        }
    }

    /** A null layer is refused naming the parameter; a layer of the user's own (alone or wrapped), naming the call and the layer. */
    @Test
    void badInputIsRefused() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Models.layerConfig(null));
        assertTrue(e.getMessage().contains("Models.layerConfig") && e.getMessage().contains("layer"), e.getMessage());
        CustomLayerTest.Scale own = new CustomLayerTest.Scale();
        own.name("scale_1");
        assertEquals("Models.layerConfig: layer 'scale_1' (Scale) is a layer of your own (a subclass of Layer), which a Keras"
                + " config cannot describe, so jrnn has no config to give for it (in Keras, its own get_config gives it)",
                assertThrows(IllegalArgumentException.class, () -> Models.layerConfig(own)).getMessage());
        dev.jrnn.layers.TimeDistributed td = new dev.jrnn.layers.TimeDistributed(own).name("td");
        assertEquals("Models.layerConfig: layer 'scale_1' (Scale) inside TimeDistributed 'td' is a layer of your own (a"
                + " subclass of Layer), which a Keras config cannot describe, so jrnn has no config to give for it (in Keras,"
                + " its own get_config gives it)", assertThrows(IllegalArgumentException.class, () -> Models.layerConfig(td)).getMessage());
    }
}
