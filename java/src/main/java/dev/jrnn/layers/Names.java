package dev.jrnn.layers;

import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;

/** Keras' default names: the first "lstm", then "lstm_1", "lstm_2", ... per base name. */
public final class Names {
    private static final Map<String, Integer> COUNTS = new HashMap<>();

    private Names() {}

    public static synchronized String unique(String base) {
        int n = COUNTS.merge(base, 1, Integer::sum) - 1;
        return n == 0 ? base : base + "_" + n;
    }

    public static synchronized void reset() {
        COUNTS.clear();
        session++;
    }

    private static long session;

    /** A default name drawn by {@link #draw}: what {@link #giveBack} needs to return its number. */
    public record Drawn(String base, String name, long session) {}

    /** Draws a default name from {@code base}, as {@link #unique}, keeping what {@link #giveBack} needs. */
    public static synchronized Drawn draw(String base) {
        return new Drawn(base, unique(base), session);
    }

    /**
     * Returns {@code d}'s number when it is the last one drawn for its base in this session (a layer renamed right after
     * it was made, as Keras' {@code LSTM(4, name="enc")}, takes no number); later numbers are left as they are.
     */
    public static synchronized void giveBack(Drawn d) {
        Integer n = COUNTS.get(d.base());
        if (n == null || d.session() != session) return;
        String last = n == 1 ? d.base() : d.base() + "_" + (n - 1);
        if (!last.equals(d.name())) return;
        if (n == 1) COUNTS.remove(d.base());
        else COUNTS.put(d.base(), n - 1);
    }

    /**
     * Checks a user-given name: not blank, no '/' (it separates layer and weight in files, as Keras
     * forbids it) and valid Unicode (a lone surrogate would be written as '?' and not load back).
     */
    public static String check(String what, String n) {
        if (n == null || n.isBlank()) throw new IllegalArgumentException(what + " must not be empty, got " + (n == null ? "null" : "'" + n + "'"));
        if (n.indexOf('/') >= 0) throw new IllegalArgumentException(what + " must not contain '/', got '" + n + "'");
        if (!StandardCharsets.UTF_8.newEncoder().canEncode(n)) {
            throw new IllegalArgumentException(what + " is not valid Unicode (a lone surrogate), got " + n.codePoints()
                    .mapToObj(c -> String.format("U+%04X", c)).toList());
        }
        return n;
    }

    /** CamelCase class name to Keras snake_case: SimpleRNN -> simple_rnn, LSTM -> lstm, TimeDistributed -> time_distributed. */
    public static String snake(String camel) {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < camel.length(); i++) {
            char c = camel.charAt(i);
            if (Character.isUpperCase(c)) {
                boolean prevLower = i > 0 && Character.isLowerCase(camel.charAt(i - 1));
                boolean nextLower = i + 1 < camel.length() && Character.isLowerCase(camel.charAt(i + 1));
                boolean prevUpper = i > 0 && Character.isUpperCase(camel.charAt(i - 1));
                if (i > 0 && (prevLower || (prevUpper && nextLower))) b.append('_');
                b.append(Character.toLowerCase(c));
            } else {
                b.append(c);
            }
        }
        return b.toString();
    }
}
