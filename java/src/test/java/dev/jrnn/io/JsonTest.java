package dev.jrnn.io;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link Json}, the parser of safetensors headers: a real header's shape, every value kind and escape,
 * quoting that parses back to the same string, and malformed input as an error naming where it broke.
 */
class JsonTest {
    private static Object parse(String s) { return new Json(s).parseDocument(); }

    @Test
    void aSafetensorsHeader() {
        String h = "{\"__metadata__\":{\"format\":\"pt\"},\"lstm/kernel\":{\"dtype\":\"F32\",\"shape\":[3,400],"
                + "\"data_offsets\":[0,4800]},\"dense/bias\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[4800,4804]}}   ";
        @SuppressWarnings("unchecked")
        Map<String, Object> m = (Map<String, Object>) parse(h);
        assertEquals(List.of("__metadata__", "lstm/kernel", "dense/bias"), new ArrayList<>(m.keySet()), "insertion order");
        @SuppressWarnings("unchecked")
        Map<String, Object> k = (Map<String, Object>) m.get("lstm/kernel");
        assertEquals("F32", k.get("dtype"));
        assertEquals(List.of(3L, 400L), k.get("shape"));
        assertEquals(List.of(0L, 4800L), k.get("data_offsets"));
    }

    @Test
    void everyKindOfValue() {
        Map<String, Object> want = new LinkedHashMap<>();
        want.put("i", -12L);
        want.put("d", 2.5e-3);
        want.put("t", true);
        want.put("f", false);
        want.put("n", null);
        want.put("a", List.of());
        want.put("o", Map.of());
        assertEquals(want, parse(" { \"i\" : -12 , \"d\":2.5e-3,\"t\":true,\"f\":false,\"n\":null,\"a\":[ ],\"o\":{}}\n"));
        assertEquals(9007199254740993L, parse("9007199254740993"), "integers stay exact Longs");
        assertNull(parse("null"));
    }

    @Test
    void escapesAndQuotingRoundTrip() {
        assertEquals("a\"b\\c/d\b\f\n\r\t\u00e9\ud83d\ude00", parse("\"a\\\"b\\\\c\\/d\\b\\f\\n\\r\\t\\u00e9\\ud83d\\ude00\""));
        for (String s : new String[] {"plain", "quote \" and \\ back", "tab\tnew\nline", "\u0001 control", "ünïcödé 😀", ""}) {
            StringBuilder b = new StringBuilder();
            Json.quote(b, s);
            assertEquals(s, parse(b.toString()), b.toString());
        }
    }

    @Test
    void malformedInputNamesTheProblemAndWhere() {
        Map<String, String> bad = new LinkedHashMap<>();
        bad.put("{\"a\":1} x", "trailing characters at character 8");
        bad.put("{\"a\" 1}", "expected ':'");
        bad.put("{\"a\":1,\"a\":2}", "duplicate key 'a'");
        bad.put("[1 2]", "expected ',' or ']'");
        bad.put("{\"a\":1 \"b\":2}", "expected ',' or '}'");
        bad.put("\"open", "unterminated string");
        bad.put("\"\\q\"", "bad escape \\q");
        bad.put("\"\\u12\"", "\\u escape");
        bad.put("tru", "unexpected token");
        bad.put("-", "bad number '-'");
        bad.put("", "unexpected end");
        bad.put("{1:2}", "expected a string key");
        for (Map.Entry<String, String> e : bad.entrySet()) {
            IllegalArgumentException x = assertThrows(IllegalArgumentException.class, () -> parse(e.getKey()), e.getKey());
            assertTrue(x.getMessage().contains(e.getValue()) && x.getMessage().contains("at character"),
                    e.getKey() + " -> " + x.getMessage());
        }
    }

    @Test
    void deepNestingIsAnErrorNotAStackOverflow() {
        char[] open = new char[Json.MAX_DEPTH + 1], close = new char[Json.MAX_DEPTH + 1];
        Arrays.fill(open, '[');
        Arrays.fill(close, ']');
        String deep = new String(open) + new String(close);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> parse(deep));
        assertTrue(e.getMessage().contains("nesting deeper than " + Json.MAX_DEPTH), e.getMessage());
        String ok = deep.substring(1, deep.length() - 1);
        assertTrue(parse(ok) instanceof List);
    }

    /**
     * Python's json.loads: NaN, Infinity and -Infinity are numbers ({@code json.loads('[NaN, Infinity, -Infinity, -1]')}
     * is {@code [nan, inf, -inf, -1]}); the plain parser (safetensors headers, as Rust's serde_json) still refuses them.
     */
    @Test
    void pythonLiterals() {
        assertEquals(Arrays.asList(Double.NaN, Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY, -1L),
                Json.parsePython("[NaN, Infinity, -Infinity, -1]"));
        assertEquals("unexpected character 'N' at character 1", assertThrows(IllegalArgumentException.class, () -> Json.parse("[NaN]")).getMessage());
        assertEquals("unexpected token at character 1", assertThrows(IllegalArgumentException.class, () -> Json.parsePython("[Nan]")).getMessage());
    }

    /**
     * Bytes decoded as Python's json.detect_encoding decodes them: each of these is {@code {"a": "\u00e9"}} to
     * {@code json.loads} (the BOMs of UTF-8, UTF-16 and UTF-32 dropped; without one, the zero bytes say UTF-16 or 32).
     */
    @Test
    void bytesDecodedAsPythonsJsonLoads() {
        String text = "{\"a\": \"\u00e9\"}";
        byte[][] forms = {
            cat(new byte[] {(byte) 0xef, (byte) 0xbb, (byte) 0xbf}, text.getBytes(java.nio.charset.StandardCharsets.UTF_8)),
            cat(new byte[] {(byte) 0xff, (byte) 0xfe}, text.getBytes(java.nio.charset.StandardCharsets.UTF_16LE)),
            cat(new byte[] {(byte) 0xfe, (byte) 0xff}, text.getBytes(java.nio.charset.StandardCharsets.UTF_16BE)),
            text.getBytes(java.nio.charset.StandardCharsets.UTF_16LE),
            text.getBytes(java.nio.charset.StandardCharsets.UTF_16BE),
            cat(new byte[] {(byte) 0xff, (byte) 0xfe, 0, 0}, text.getBytes(java.nio.charset.Charset.forName("UTF-32LE"))),
            text.getBytes(java.nio.charset.Charset.forName("UTF-32BE")),
            text.getBytes(java.nio.charset.Charset.forName("UTF-32LE")),
            text.getBytes(java.nio.charset.StandardCharsets.UTF_8),
        };
        for (byte[] b : forms) assertEquals(text, Json.decode(b), Arrays.toString(b));
        assertEquals("1", Json.decode(new byte[] {'1'}));
    }

    private static byte[] cat(byte[] a, byte[] b) {
        byte[] r = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, r, a.length, b.length);
        return r;
    }
}
