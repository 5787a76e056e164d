package dev.jrnn.layers;

import java.nio.charset.StandardCharsets;

/** Layer names: a user-given name checked, a class name in Keras' snake_case (the default names count in {@code dev.jrnn.backend.NameUids}). */
public final class Names {
    private Names() {}

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
