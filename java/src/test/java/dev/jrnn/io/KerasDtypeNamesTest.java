package dev.jrnn.io;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link KerasDtypeNames#refusal} against Keras 3.15.1's {@code keras.dtype_policies.get} on each name of
 * make_dtype_policy_names.py (its verdicts in dtype_policy_names.json beside it): the quantized names' modes, numbers and
 * sources as Keras' classes check them. Before, jrnn took "int8_from_mixed_float16", "gptq/5/128_from_float32",
 * "int4/0_from_float32", "awq/8/128_from_float32", "gptq_from_float32" and "float8_e4m3fn_from_float32", which Keras refuses.
 */
class KerasDtypeNamesTest {
    static List<?> kerasVerdicts() throws IOException, URISyntaxException {
        Path p = Path.of(KerasDtypeNamesTest.class.getResource("dtype_policy_names.json").toURI());
        return (List<?>) Json.parse(Files.readString(p));
    }

    @Test
    void eachNameIsTakenOrRefusedAsKerasDoes() throws Exception {
        List<?> rows = kerasVerdicts();
        assertTrue(rows.size() > 60, "the table: " + rows.size());
        int refused = 0;
        for (Object o : rows) {
            Map<?, ?> row = (Map<?, ?>) o;
            String name = (String) row.get("name");
            String why = KerasDtypeNames.refusal(name);
            if (Boolean.TRUE.equals(row.get("accepted"))) {
                assertEquals(null, why, name);
            } else {
                refused++;
                assertNotNull(why, name + ": Keras refuses it (" + row.get("error") + ")");
                assertTrue(why.startsWith("'" + name + "'"), why);
            }
        }
        assertTrue(refused > 25, "refused " + refused);
    }

    /** The refusal quotes Keras' own words for the rule it breaks. */
    @Test
    void aRefusalSaysKerasWords() {
        assertTrue(KerasDtypeNames.refusal("int8_from_mixed_float16").contains("doesn't work well with compute_dtype='float16'"));
        assertTrue(KerasDtypeNames.refusal("gptq/5/128_from_float32").contains("weight_bits 5"));
        assertTrue(KerasDtypeNames.refusal("int4/0_from_float32").contains("block_size 0 should be -1 or a positive integer"));
        assertTrue(KerasDtypeNames.refusal("gptq_from_float32").contains("'gptq/<weight_bits>/<group_size>'"));
        assertTrue(KerasDtypeNames.refusal("int8").contains("Cannot convert `policy` into a valid pair"));
        assertTrue(KerasDtypeNames.refusal("bogus").contains("Cannot convert 'bogus' to a mixed precision DTypePolicy"));
    }

    /** The class Keras' get_config names for a quantized name, which its from_config needs to read the mode back. */
    @Test
    void aQuantizedNamesClassIsKeras() {
        assertEquals("QuantizedDTypePolicy", KerasDtypeNames.quantizedClass("int8_from_float32"));
        assertEquals("QuantizedDTypePolicy", KerasDtypeNames.quantizedClass("int4_from_float32"));
        assertEquals("Int4DTypePolicy", KerasDtypeNames.quantizedClass("int4/128_from_float32"));
        assertEquals("GPTQDTypePolicy", KerasDtypeNames.quantizedClass("gptq/4/128_from_float32"));
        assertEquals("AWQDTypePolicy", KerasDtypeNames.quantizedClass("awq/4/128_from_float32"));
        assertEquals("QuantizedFloat8DTypePolicy", KerasDtypeNames.quantizedClass("float8_from_float32"));
        assertEquals("gptq/4/128", KerasDtypeNames.mode("gptq/4/128_from_float32"));
        assertEquals("mixed_bfloat16", KerasDtypeNames.source("int8_from_mixed_bfloat16"));
    }

    /**
     * {@link KerasDtypeNames#objectRefusal} and {@link KerasDtypeNames#writtenMode} against Keras 3.15.1's verdict on each
     * quantized policy object of dtype_policy_objects.json (make_dtype_policy_names.py): checked by its class's
     * constructor, not by the name built from it. Before there was no such check (the built name's was used).
     */
    @Test
    void eachObjectIsTakenOrRefusedAsItsClassDoes() throws Exception {
        Path p = Path.of(KerasDtypeNamesTest.class.getResource("dtype_policy_objects.json").toURI());
        List<?> rows = (List<?>) Json.parse(Files.readString(p));
        assertTrue(rows.size() > 25, "the table: " + rows.size());
        for (Object o : rows) {
            Map<?, ?> row = (Map<?, ?>) o;
            String cls = (String) row.get("class_name"), mode = (String) row.get("mode"), source = (String) row.get("source_name");
            String why = KerasDtypeNames.objectRefusal(cls, mode, source);
            if (Boolean.TRUE.equals(row.get("accepted"))) {
                assertEquals(null, why, cls + " " + mode);
                assertEquals(row.get("written"), KerasDtypeNames.writtenMode(cls, mode), cls + " " + mode);
            } else {
                assertNotNull(why, cls + " " + mode + ": Keras refuses it (" + row.get("error") + ")");
                assertTrue(why.startsWith(cls + " with mode '" + mode + "'"), why);
            }
        }
    }

    /** Null arguments are refused naming the parameter; before, refusal alone checked, the others threw NullPointerException. */
    @Test
    void nullArgumentsAreRefusedNamingTheParameter() {
        for (var call : List.<Map.Entry<String, org.junit.jupiter.api.function.Executable>>of(
                Map.entry("name", () -> KerasDtypeNames.mode(null)), Map.entry("name", () -> KerasDtypeNames.source(null)),
                Map.entry("name", () -> KerasDtypeNames.plain(null)), Map.entry("name", () -> KerasDtypeNames.quantizedClass(null)),
                Map.entry("className", () -> KerasDtypeNames.objectRefusal(null, "int8", "float32")),
                Map.entry("mode", () -> KerasDtypeNames.objectRefusal("QuantizedDTypePolicy", null, "float32")),
                Map.entry("sourceName", () -> KerasDtypeNames.objectRefusal("QuantizedDTypePolicy", "int8", null)))) {
            IllegalArgumentException e = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class, call.getValue());
            assertTrue(e.getMessage().contains(call.getKey() + " should not be null"), e.getMessage());
        }
    }
}
