package dev.jrnn.io;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The small JSON subset safetensors headers use: objects (insertion-ordered maps), arrays, strings,
 * integers (as Long), other numbers (as Double), true/false/null. Public for the Keras importer
 * ({@link dev.jrnn.io.keras}); not part of the user API.
 */
public final class Json {
    /** Deepest nesting accepted (safetensors headers nest 3 deep); deeper input is rejected, not a stack overflow. */
    static final int MAX_DEPTH = 64;
    private final String s;
    /** Whether Python's json.loads' literals NaN, Infinity and -Infinity are numbers here. */
    private final boolean python;
    private int i;
    private int depth;

    Json(String s) { this(s, false); }

    private Json(String s, boolean python) {
        this.s = s;
        this.python = python;
    }

    /** Parses a whole document; IllegalArgumentException (with the character position) when malformed or too deep. */
    public static Object parse(String s) { return new Json(s).parseDocument(); }

    /**
     * {@link #parse}, also taking what Python's {@code json.loads} takes beyond JSON and {@code json.dumps} writes for a
     * float nan or inf: {@code NaN}, {@code Infinity}, {@code -Infinity} (as Doubles). For files Python wrote (Keras').
     */
    public static Object parsePython(String s) { return new Json(s, true).parseDocument(); }

    /**
     * The encoding Python's {@code json.loads} reads JSON bytes in ({@code json.detect_encoding}): a UTF-32, UTF-16 or
     * UTF-8 byte-order mark says it, else the zero bytes of the first four give UTF-16 or UTF-32 (big or little endian),
     * else UTF-8. {@code charset} decodes from {@code skip} (a UTF-16 / UTF-32 mark is read and dropped by the charset, a
     * UTF-8 one skipped); {@code name} is Python's codec name in upper case ("UTF-16-LE"), as messages give it.
     */
    public record Encoding(java.nio.charset.Charset charset, int skip, String name) { }

    /** {@link Encoding}: what Python's {@code json.detect_encoding} finds in {@code b}. */
    public static Encoding detectEncoding(byte[] b) {
        if (b.length >= 4 && ((b[0] == 0 && b[1] == 0 && (b[2] & 0xff) == 0xfe && (b[3] & 0xff) == 0xff)
                || ((b[0] & 0xff) == 0xff && (b[1] & 0xff) == 0xfe && b[2] == 0 && b[3] == 0))) {
            return new Encoding(java.nio.charset.Charset.forName("UTF-32"), 0, "UTF-32");   // reads the mark, drops it
        }
        if (b.length >= 2 && (((b[0] & 0xff) == 0xfe && (b[1] & 0xff) == 0xff) || ((b[0] & 0xff) == 0xff && (b[1] & 0xff) == 0xfe))) {
            return new Encoding(java.nio.charset.StandardCharsets.UTF_16, 0, "UTF-16");   // reads the mark, drops it
        }
        if (b.length >= 3 && (b[0] & 0xff) == 0xef && (b[1] & 0xff) == 0xbb && (b[2] & 0xff) == 0xbf) {
            return new Encoding(java.nio.charset.StandardCharsets.UTF_8, 3, "UTF-8");   // Python's utf-8-sig
        }
        if (b.length >= 4 && b[0] == 0) {
            return b[1] != 0 ? new Encoding(java.nio.charset.StandardCharsets.UTF_16BE, 0, "UTF-16-BE")
                    : new Encoding(java.nio.charset.Charset.forName("UTF-32BE"), 0, "UTF-32-BE");
        }
        if (b.length >= 4 && b[1] == 0) {
            return b[2] != 0 || b[3] != 0 ? new Encoding(java.nio.charset.StandardCharsets.UTF_16LE, 0, "UTF-16-LE")
                    : new Encoding(java.nio.charset.Charset.forName("UTF-32LE"), 0, "UTF-32-LE");
        }
        if (b.length == 2 && b[0] == 0) return new Encoding(java.nio.charset.StandardCharsets.UTF_16BE, 0, "UTF-16-BE");
        if (b.length == 2 && b[1] == 0) return new Encoding(java.nio.charset.StandardCharsets.UTF_16LE, 0, "UTF-16-LE");
        return new Encoding(java.nio.charset.StandardCharsets.UTF_8, 0, "UTF-8");
    }

    /**
     * JSON bytes as text in the encoding {@link #detectEncoding} finds, leniently: malformed bytes become U+FFFD, as
     * {@code new String} makes them (for text Keras never parses on load, such as a .keras's metadata.json).
     */
    public static String decode(byte[] b) {
        Encoding e = detectEncoding(b);
        return new String(b, e.skip(), b.length - e.skip(), e.charset());
    }

    /** Parses one value followed only by whitespace (safetensors pads headers with spaces). */
    Object parseDocument() {
        Object v = value();
        skipWs();
        if (i != s.length()) throw error("trailing characters");
        return v;
    }

    private Object value() {
        skipWs();
        if (i >= s.length()) throw error("unexpected end");
        char c = s.charAt(i);
        return switch (c) {
            case '{' -> object();
            case '[' -> array();
            case '"' -> string();
            case 't' -> literal("true", Boolean.TRUE);
            case 'f' -> literal("false", Boolean.FALSE);
            case 'n' -> literal("null", null);
            default -> {
                if (python && c == 'N') yield literal("NaN", Double.NaN);
                if (python && c == 'I') yield literal("Infinity", Double.POSITIVE_INFINITY);
                if (python && s.startsWith("-Infinity", i)) yield literal("-Infinity", Double.NEGATIVE_INFINITY);
                if (c == '-' || (c >= '0' && c <= '9')) yield number();
                throw error("unexpected character '" + c + "'");
            }
        };
    }

    private Map<String, Object> object() {
        enter();
        Map<String, Object> m = new LinkedHashMap<>();
        i++;
        skipWs();
        if (peek() == '}') {
            i++;
            depth--;
            return m;
        }
        while (true) {
            skipWs();
            if (peek() != '"') throw error("expected a string key");
            String k = string();
            skipWs();
            if (peek() != ':') throw error("expected ':'");
            i++;
            if (m.containsKey(k)) throw error("duplicate key '" + k + "'");
            m.put(k, value());
            skipWs();
            char c = peek();
            i++;
            if (c == '}') {
                depth--;
                return m;
            }
            if (c != ',') throw error("expected ',' or '}'");
        }
    }

    private List<Object> array() {
        enter();
        List<Object> l = new ArrayList<>();
        i++;
        skipWs();
        if (peek() == ']') {
            i++;
            depth--;
            return l;
        }
        while (true) {
            l.add(value());
            skipWs();
            char c = peek();
            i++;
            if (c == ']') {
                depth--;
                return l;
            }
            if (c != ',') throw error("expected ',' or ']'");
        }
    }

    private void enter() {
        if (++depth > MAX_DEPTH) throw error("nesting deeper than " + MAX_DEPTH + " levels");
    }

    private String string() {
        i++;
        StringBuilder b = new StringBuilder();
        while (true) {
            if (i >= s.length()) throw error("unterminated string");
            char c = s.charAt(i++);
            if (c == '"') return b.toString();
            if (c != '\\') {
                b.append(c);
                continue;
            }
            if (i >= s.length()) throw error("unterminated escape");
            char e = s.charAt(i++);
            switch (e) {
                case '"', '\\', '/' -> b.append(e);
                case 'b' -> b.append('\b');
                case 'f' -> b.append('\f');
                case 'n' -> b.append('\n');
                case 'r' -> b.append('\r');
                case 't' -> b.append('\t');
                case 'u' -> {
                    if (i + 4 > s.length()) throw error("short \\u escape");
                    try {
                        b.append((char) Integer.parseInt(s.substring(i, i + 4), 16));
                    } catch (NumberFormatException ex) {
                        throw error("bad \\u escape");
                    }
                    i += 4;
                }
                default -> throw error("bad escape \\" + e);
            }
        }
    }

    private Object number() {
        int start = i;
        if (peek() == '-') i++;
        while (i < s.length() && Character.isDigit(s.charAt(i))) i++;
        boolean integral = true;
        if (i < s.length() && s.charAt(i) == '.') {
            integral = false;
            i++;
            while (i < s.length() && Character.isDigit(s.charAt(i))) i++;
        }
        if (i < s.length() && (s.charAt(i) == 'e' || s.charAt(i) == 'E')) {
            integral = false;
            i++;
            if (i < s.length() && (s.charAt(i) == '+' || s.charAt(i) == '-')) i++;
            while (i < s.length() && Character.isDigit(s.charAt(i))) i++;
        }
        String t = s.substring(start, i);
        try {
            return integral ? (Object) Long.parseLong(t) : (Object) Double.parseDouble(t);
        } catch (NumberFormatException ex) {
            throw error("bad number '" + t + "'");
        }
    }

    private Object literal(String word, Object v) {
        if (!s.startsWith(word, i)) throw error("unexpected token");
        i += word.length();
        return v;
    }

    private char peek() {
        if (i >= s.length()) throw error("unexpected end");
        return s.charAt(i);
    }

    private void skipWs() {
        while (i < s.length()) {
            char c = s.charAt(i);
            if (c == ' ' || c == '\n' || c == '\r' || c == '\t') i++;
            else break;
        }
    }

    private IllegalArgumentException error(String what) {
        return new IllegalArgumentException(what + " at character " + i);
    }

    /**
     * {@code v} as JSON: maps (string keys, in their order), lists, strings, booleans, null, integers (Long,
     * Integer) and other numbers (finite doubles, written so they parse back to the same double).
     */
    public static String write(Object v) {
        StringBuilder b = new StringBuilder();
        write(b, v, 0);
        return b.toString();
    }

    private static void write(StringBuilder b, Object v, int depth) {
        if (depth > MAX_DEPTH) throw new IllegalArgumentException("Json.write: nesting deeper than " + MAX_DEPTH);
        switch (v) {
            case null -> b.append("null");
            case String str -> quote(b, str);
            case Boolean bo -> b.append(bo);
            case Long l -> b.append(l);
            case Integer n -> b.append(n);
            case Number n -> {
                double d = n.doubleValue();
                if (!Double.isFinite(d)) throw new IllegalArgumentException("Json.write: " + d + " is not a JSON number");
                b.append(d);
            }
            case Map<?, ?> m -> {
                b.append('{');
                boolean first = true;
                for (var e : m.entrySet()) {
                    if (!first) b.append(", ");
                    first = false;
                    quote(b, String.valueOf(e.getKey()));
                    b.append(": ");
                    write(b, e.getValue(), depth + 1);
                }
                b.append('}');
            }
            case List<?> l -> {
                b.append('[');
                for (int k = 0; k < l.size(); k++) {
                    if (k > 0) b.append(", ");
                    write(b, l.get(k), depth + 1);
                }
                b.append(']');
            }
            default -> throw new IllegalArgumentException("Json.write: cannot write a " + v.getClass().getName());
        }
    }

    /** Appends {@code v} as a JSON string literal. */
    static void quote(StringBuilder b, String v) {
        b.append('"');
        for (int k = 0; k < v.length(); k++) {
            char c = v.charAt(k);
            switch (c) {
                case '"' -> b.append("\\\"");
                case '\\' -> b.append("\\\\");
                case '\n' -> b.append("\\n");
                case '\r' -> b.append("\\r");
                case '\t' -> b.append("\\t");
                default -> {
                    if (c < 0x20) b.append(String.format("\\u%04x", (int) c));
                    else b.append(c);
                }
            }
        }
        b.append('"');
    }
}
