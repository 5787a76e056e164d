package dev.jrnn.data;

import java.util.ArrayList;
import java.util.List;

/**
 * The text side of {@link TextVectorization}: Keras' standardization and splitting of one string into tokens, as
 * Keras 3's {@code TextVectorization._preprocess} does it through TensorFlow's string ops.
 */
final class TextTokens {
    private TextTokens() {}

    static final String LOWER_AND_STRIP_PUNCTUATION = "lower_and_strip_punctuation";
    static final String LOWER = "lower";
    static final String STRIP_PUNCTUATION = "strip_punctuation";
    static final String WHITESPACE = "whitespace";
    static final String CHARACTER = "character";

    /**
     * Keras' punctuation regex {@code [!"#$%&()\*\+,-\./:;<=>?@\[\\\]^_`{|}~\']} as a set: Python's
     * {@code string.punctuation}, ASCII only ({@code ,-\.} is the range , - .).
     */
    private static final String PUNCTUATION = "!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~";

    /**
     * {@code text} standardized: {@code tf.strings.lower} with its default encoding lowercases ASCII letters only (an
     * absl {@code AsciiStrToLower}; 'É' stays), and the punctuation regex removes ASCII punctuation only.
     */
    static String standardize(String text, String mode) {
        if (mode == null) return text;
        boolean lower = !STRIP_PUNCTUATION.equals(mode), strip = !LOWER.equals(mode);
        StringBuilder b = new StringBuilder(text.length());
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (strip && c < 128 && PUNCTUATION.indexOf(c) >= 0) continue;
            b.append(lower && c >= 'A' && c <= 'Z' ? (char) (c + ('a' - 'A')) : c);
        }
        return b.toString();
    }

    /**
     * {@code text} split into tokens: "whitespace" as {@code tf.strings.split} without a separator (runs of the ASCII
     * whitespace " \t\n\v\f\r" separate, none at the ends), "character" as {@code tf.strings.unicode_split} (one token
     * per code point, whitespace included), null: the whole string is one token.
     */
    static List<String> split(String text, String mode) {
        if (mode == null) return List.of(text);
        List<String> out = new ArrayList<>();
        if (CHARACTER.equals(mode)) {
            text.codePoints().forEach(cp -> out.add(Character.toString(cp)));
            return out;
        }
        int start = -1;
        for (int i = 0; i <= text.length(); i++) {
            boolean space = i == text.length() || isAsciiSpace(text.charAt(i));
            if (space && start >= 0) {
                out.add(text.substring(start, i));
                start = -1;
            } else if (!space && start < 0) {
                start = i;
            }
        }
        return out;
    }

    private static boolean isAsciiSpace(char c) {
        return c == ' ' || c == '\t' || c == '\n' || c == 0x0B || c == '\f' || c == '\r';
    }

    /** The tokens of {@code text} after standardizing and splitting, in order. */
    static List<String> tokens(String text, String standardize, String split) {
        return split(standardize(text, standardize), split);
    }

    /**
     * Keras' tie order among tokens of one count: {@code np.lexsort((tokens, counts))[::-1]} sorts the UTF-8 bytes in
     * reverse, which is reverse code point order (Java's {@code compareTo} compares UTF-16 units, which differs above
     * U+FFFF).
     */
    static int compareCodePoints(String a, String b) {
        int i = 0, j = 0;
        while (i < a.length() && j < b.length()) {
            int ca = a.codePointAt(i), cb = b.codePointAt(j);
            if (ca != cb) return Integer.compare(ca, cb);
            i += Character.charCount(ca);
            j += Character.charCount(cb);
        }
        return Integer.compare(a.length() - i, b.length() - j);
    }

    /**
     * {@code text} cut at Python's {@code str.splitlines()} boundaries (\n, \r, \r\n, \v, \f, \x1c-\x1e, \x85,
     * U+2028, U+2029), as Keras reads a vocabulary file back ({@code IndexLookup.load_assets}).
     */
    static List<String> splitLines(String text) {
        List<String> lines = new ArrayList<>();
        int start = 0;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (!isLineBoundary(c)) continue;
            lines.add(text.substring(start, i));
            if (c == '\r' && i + 1 < text.length() && text.charAt(i + 1) == '\n') i++;
            start = i + 1;
        }
        if (start < text.length()) lines.add(text.substring(start));
        return lines;
    }

    static boolean isLineBoundary(char c) {
        return c == '\n' || c == '\r' || c == 0x0B || c == 0x0C || (c >= 0x1C && c <= 0x1E) || c == 0x85 || c == 0x2028
                || c == 0x2029;
    }
}
