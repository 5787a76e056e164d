package dev.jrnn.io.keras;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Typed reads of one parsed Keras config object (a JSON map), with errors that name the file, the layer
 * and the key. {@link KerasFormatException} is what a malformed config raises; the importer turns it into
 * an IOException naming the file.
 */
final class KerasConfig {
    private final Map<?, ?> map;
    private final String where;

    KerasConfig(Object map, String where) {
        if (!(map instanceof Map<?, ?> m)) throw new KerasFormatException(where + ": expected a JSON object, got " + describe(map));
        this.map = m;
        this.where = where;
    }

    String where() { return where; }

    boolean has(String key) { return map.containsKey(key) && map.get(key) != null; }

    /** Whether {@code key} is there at all, null or not (Keras' axis=None differs from a missing axis). */
    boolean hasKey(String key) { return map.containsKey(key); }

    Object raw(String key) { return map.get(key); }

    /** The object's entries by key (a JSON object's keys are strings). */
    Map<String, Object> entries() {
        Map<String, Object> m = new java.util.LinkedHashMap<>();
        map.forEach((k, v) -> m.put(String.valueOf(k), v));
        return m;
    }

    String string(String key) {
        Object v = map.get(key);
        if (!(v instanceof String s)) throw new KerasFormatException(where + ": '" + key + "' should be a string, got " + describe(v));
        return s;
    }

    String string(String key, String dflt) { return has(key) ? string(key) : dflt; }

    boolean bool(String key, boolean dflt) {
        Object v = map.get(key);
        if (v == null) return dflt;
        if (!(v instanceof Boolean b)) throw new KerasFormatException(where + ": '" + key + "' should be true or false, got " + describe(v));
        return b;
    }

    double number(String key, double dflt) {
        Object v = map.get(key);
        if (v == null) return dflt;
        if (!(v instanceof Number n)) throw new KerasFormatException(where + ": '" + key + "' should be a number, got " + describe(v));
        return n.doubleValue();
    }

    int integer(String key) {
        Object v = map.get(key);
        if (v == null) throw new KerasFormatException(where + ": '" + key + "' is missing");
        return toInt(v, key);
    }

    int toInt(Object v, String key) {
        if (!(v instanceof Long l) || l < 0 || l > Integer.MAX_VALUE) {
            throw new KerasFormatException(where + ": '" + key + "' should be a non-negative integer, got " + describe(v));
        }
        return (int) (long) l;
    }

    KerasConfig object(String key) { return new KerasConfig(map.get(key), where + "." + key); }

    List<?> list(String key) {
        Object v = map.get(key);
        if (!(v instanceof List<?> l)) throw new KerasFormatException(where + ": '" + key + "' should be a list, got " + describe(v));
        return l;
    }

    /** A shape list with null (any size) as -1; the batch dimension included as written. */
    int[] shape(String key) {
        List<?> l = list(key);
        int[] r = new int[l.size()];
        for (int i = 0; i < r.length; i++) {
            Object d = l.get(i);
            r[i] = d == null ? -1 : toInt(d, key + "[" + i + "]");
            if (r[i] == 0) throw new KerasFormatException(where + ": '" + key + "' has a zero dimension: " + l);
        }
        return r;
    }

    /** Keys whose value is set (not null, false, 0 or an empty list): for options jrnn cannot honour. */
    List<String> setAmong(String... keys) {
        List<String> r = new ArrayList<>();
        for (String k : keys) {
            Object v = map.get(k);
            boolean set = v != null && !Boolean.FALSE.equals(v) && !(v instanceof Number n && n.doubleValue() == 0)
                    && !(v instanceof List<?> li && li.isEmpty());
            if (set) r.add(k);
        }
        return r;
    }

    static String describe(Object v) {
        if (v == null) return "null";
        String s = v instanceof String str ? "\"" + str + "\"" : v.toString();
        return s.length() > 80 ? s.substring(0, 77) + "..." : s;
    }
}
