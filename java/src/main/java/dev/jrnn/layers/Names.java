package dev.jrnn.layers;

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

    public static synchronized void reset() { COUNTS.clear(); }

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
