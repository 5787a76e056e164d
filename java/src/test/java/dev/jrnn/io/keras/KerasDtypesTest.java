package dev.jrnn.io.keras;

import dev.jrnn.Jrnn;
import dev.jrnn.LogCapture;
import dev.jrnn.model.Model;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Layer dtypes of a Keras 3 config as Keras 3.15.1's model_from_json takes or refuses them (keras3_real/dtype_names.py,
 * its output in its docstring): a name starting with a quantization mode ("int8", "float8_e4m3fn") is read there as a
 * malformed "<mode>_from_<dtype>" and refuses the model, as a string or a DTypePolicy object; jrnn loaded those with a
 * warning (the tester's D4).
 */
class KerasDtypesTest {
    @BeforeAll
    static void cpu() {
        Jrnn.setBackend("cpu");
    }

    /** Keras 3.15.1's to_json of Sequential([Input((5,)), Dropout(0.1), Dense(2)]), layer {@code layer}'s dtype set to {@code dtype}. */
    private static String json(int layer, String dtype) {
        String policy = "{\"module\": \"keras\", \"class_name\": \"DTypePolicy\", \"config\": {\"name\": \"float32\"}, \"registered_name\": null}";
        String[] d = {policy, policy};
        d[layer - 1] = dtype;
        return "{\"module\": \"keras\", \"class_name\": \"Sequential\", \"config\": {\"name\": \"sequential\", \"trainable\": true, \"dtype\": "
                + policy + ", \"layers\": [{\"module\": \"keras.layers\", \"class_name\": \"InputLayer\", \"config\": {\"batch_shape\": [null, 5], "
                + "\"dtype\": \"float32\", \"sparse\": false, \"ragged\": false, \"name\": \"input_layer\", \"optional\": false}, \"registered_name\": null}, "
                + "{\"module\": \"keras.layers\", \"class_name\": \"Dropout\", \"config\": {\"name\": \"dropout\", \"trainable\": true, \"dtype\": " + d[0]
                + ", \"rate\": 0.1, \"seed\": null, \"noise_shape\": null}, \"registered_name\": null}, {\"module\": \"keras.layers\", \"class_name\": "
                + "\"Dense\", \"config\": {\"name\": \"dense\", \"trainable\": true, \"dtype\": " + d[1] + ", \"units\": 2, \"activation\": \"linear\", "
                + "\"use_bias\": true, \"kernel_initializer\": {\"module\": \"keras.initializers\", \"class_name\": \"GlorotUniform\", \"config\": "
                + "{\"seed\": null, \"input_axes\": null, \"output_axes\": null}, \"registered_name\": null}, \"bias_initializer\": {\"module\": "
                + "\"keras.initializers\", \"class_name\": \"Zeros\", \"config\": {}, \"registered_name\": null}, \"kernel_regularizer\": null, "
                + "\"bias_regularizer\": null, \"kernel_constraint\": null, \"bias_constraint\": null, \"quantization_config\": null}, "
                + "\"registered_name\": null, \"build_config\": {\"input_shape\": [null, 5]}}], \"build_input_shape\": [null, 5]}, "
                + "\"registered_name\": null, \"build_config\": {\"input_shape\": [null, 5]}, \"compile_config\": {}}";
    }

    private static String dtype(String name, String form) {
        return form.equals("string") ? "\"" + name + "\""
                : "{\"module\": \"keras\", \"class_name\": \"DTypePolicy\", \"config\": {\"name\": \"" + name + "\"}, \"registered_name\": null}";
    }

    @ParameterizedTest
    @CsvSource({"1, int8, string", "2, int8, string", "1, int8, object", "2, int8, object",
            "1, float8_e4m3fn, string", "2, float8_e4m3fn, string", "1, float8_e4m3fn, object", "2, float8_e4m3fn, object",
            "1, float8_e5m2, string", "2, float8_e5m2, string", "1, float8_e5m2, object", "2, float8_e5m2, object"})
    void aDtypeStartingWithAQuantizationModeIsRefusedAsKerasRefusesIt(int layer, String name, String form) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> KerasImport.fromJson(json(layer, dtype(name, form))));
        assertTrue(e.getMessage().contains("dtype '" + name + "' starts with a quantization mode")
                && e.getMessage().contains("Cannot convert `policy` into a valid pair"), e.getMessage());
    }

    /**
     * A quantized policy's name in a DTypePolicy object: Keras 3.15.1 refuses the model (dtype_names.py: "Cannot convert
     * 'int8_from_float32' to a mixed precision DTypePolicy"), on a weightless layer too. It loaded before, warned of.
     */
    @ParameterizedTest
    @CsvSource({"1, int8_from_float32", "2, int8_from_float32", "2, int4_from_float32", "1, float8_from_float32"})
    void aQuantizedNameInADTypePolicyObjectIsRefused(int layer, String name) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> KerasImport.fromJson(json(layer, dtype(name, "object"))));
        assertTrue(e.getMessage().contains("quantized policy '" + name + "' in a DTypePolicy object")
                && e.getMessage().contains("Cannot convert '" + name + "' to a mixed precision DTypePolicy"), e.getMessage());
    }

    /** What Keras loads still loads: a quantized policy's string, an integer dtype on the weightless Dropout. */
    @ParameterizedTest
    @CsvSource({"1, int8_from_float32, string", "2, int8_from_float32, string", "1, int16, string", "1, int16, object",
            "1, uint8, string", "1, uint8, object"})
    void theDtypesKerasLoadsStillLoad(int layer, String name, String form) throws Exception {
        List<Model> loaded = new ArrayList<>();
        List<String> warned = LogCapture.warnings(KerasImport.class.getName(), () -> loaded.add(KerasImport.fromJson(json(layer, dtype(name, form)))));
        try (Model m = loaded.get(0)) {
            assertEquals(2, m.layers().size());
        }
        assertTrue(warned.toString().contains("(" + name + ")"), warned.toString());
    }

    /**
     * Each name of io/dtype_policy_names.json (Keras 3.15.1's dtype_policies.get, which a layer's constructor calls on its
     * dtype) as the weightless Dropout's dtype string: the model loads where Keras takes the name, and is refused naming
     * the layer and the dtype where Keras refuses it. Before, "int8_from_mixed_float16", "gptq/5/128_from_float32",
     * "int4/0_from_float32" and other quantized names Keras refuses loaded with a warning.
     */
    @org.junit.jupiter.api.Test
    void eachQuantizedNameLoadsOrIsRefusedAsKerasDoes() throws Exception {
        List<?> rows = (List<?>) dev.jrnn.io.Json.parse(java.nio.file.Files.readString(
                java.nio.file.Path.of(dev.jrnn.io.Json.class.getResource("dtype_policy_names.json").toURI())));
        for (Object o : rows) {
            java.util.Map<?, ?> row = (java.util.Map<?, ?>) o;
            String name = (String) row.get("name");
            String json = json(1, dev.jrnn.io.Json.write(name));
            if (Boolean.TRUE.equals(row.get("accepted"))) {
                List<Model> loaded = new ArrayList<>();
                LogCapture.warnings(KerasImport.class.getName(), () -> loaded.add(KerasImport.fromJson(json)));
                loaded.get(0).close();
            } else {
                IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> KerasImport.fromJson(json), name);
                assertTrue(e.getMessage().contains("Dropout") || e.getMessage().contains("dropout"), e.getMessage());
                assertTrue(e.getMessage().contains("dtype '" + name + "'"), e.getMessage());
            }
        }
    }

    /**
     * Each quantized policy object of io/dtype_policy_objects.json (Keras 3.15.1's dtype_policies.get of the object, its
     * class's constructor) as the weightless Dropout's dtype: loads where Keras takes it, refused naming the class where
     * Keras refuses it. Before, the object was checked by the name built from it: QuantizedDTypePolicy "gptq" refused,
     * QuantizedDTypePolicy "int4/128", GPTQDTypePolicy "int8" and Int4DTypePolicy "int4" taken.
     */
    @org.junit.jupiter.api.Test
    void eachQuantizedPolicyObjectLoadsOrIsRefusedAsItsClassDoes() throws Exception {
        List<?> rows = (List<?>) dev.jrnn.io.Json.parse(java.nio.file.Files.readString(
                java.nio.file.Path.of(dev.jrnn.io.Json.class.getResource("dtype_policy_objects.json").toURI())));
        for (Object o : rows) {
            java.util.Map<?, ?> row = (java.util.Map<?, ?>) o;
            String object = "{\"module\": \"keras.dtype_policies\", \"class_name\": \"" + row.get("class_name") + "\", \"config\": {\"mode\": "
                    + dev.jrnn.io.Json.write(row.get("mode")) + ", \"source_name\": \"" + row.get("source_name") + "\"}, \"registered_name\": null}";
            String json = json(1, object);
            String what = row.get("class_name") + " " + row.get("mode") + " " + row.get("source_name");
            if (Boolean.TRUE.equals(row.get("accepted"))) {
                List<Model> loaded = new ArrayList<>();
                LogCapture.warnings(KerasImport.class.getName(), () -> loaded.add(KerasImport.fromJson(json)));
                loaded.get(0).close();
            } else {
                IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> KerasImport.fromJson(json), what);
                assertTrue(e.getMessage().contains("dropout") || e.getMessage().contains("Dropout"), e.getMessage());
                assertTrue(e.getMessage().contains(row.get("class_name") + " with mode '" + row.get("mode") + "'"), e.getMessage());
            }
        }
    }

    /**
     * A Dense whose dtype is a GPTQ or AWQ policy object (io/quantized_layers.json from make_quantized_layers.py: Keras
     * 3.15.1 builds it with packed variables that only model.quantize fills; before that it cannot call or save the layer,
     * and a save after it does not load back in 3.15.1, whose save_own_variables leaves out kernel_zero) is refused naming
     * the layer, the dtype and why; an int8 one, which Keras calls, loads with the warning as before. Before, the GPTQ and
     * AWQ ones loaded with that warning too.
     */
    @org.junit.jupiter.api.Test
    void aWeightedLayerOfAGptqOrAwqPolicyIsRefused() throws Exception {
        List<?> rows = (List<?>) dev.jrnn.io.Json.parse(java.nio.file.Files.readString(
                java.nio.file.Path.of(dev.jrnn.io.Json.class.getResource("quantized_layers.json").toURI())));
        for (Object o : rows) {
            java.util.Map<?, ?> row = (java.util.Map<?, ?>) o;
            java.util.Map<?, ?> policy = (java.util.Map<?, ?>) row.get("policy");
            java.util.Map<?, ?> config = (java.util.Map<?, ?>) policy.get("config");
            String name = config.get("mode") + "_from_" + config.get("source_name");
            String json = json(2, dev.jrnn.io.Json.write(policy));
            if (row.get("call") == null) {   // Keras calls it: loaded, with the dropped policy's warning
                List<Model> loaded = new ArrayList<>();
                String warned = LogCapture.warnings(KerasImport.class.getName(), () -> loaded.add(KerasImport.fromJson(json))).toString();
                loaded.get(0).close();
                assertTrue(warned.contains("'dense' (" + name + ")"), warned);
                continue;
            }
            assertTrue(row.get("call").toString().contains("no attribute '_kernel'"), "" + row);
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> KerasImport.fromJson(json), name);
            assertTrue(e.getMessage().contains("layer 'dense' (Dense): dtype '" + name + "'"), e.getMessage());
            assertTrue(e.getMessage().contains(name.startsWith("gptq") ? "is a GPTQ-quantized" : "is an AWQ-quantized"), e.getMessage());
            assertTrue(e.getMessage().contains("does not load back in 3.15.1"), e.getMessage());
            assertTrue(e.getMessage().contains("no attribute '_kernel'") && e.getMessage().contains("'float32'"), e.getMessage());
        }
    }
}
