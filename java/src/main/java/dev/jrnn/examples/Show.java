package dev.jrnn.examples;

import dev.jrnn.tensor.Tensor;

import java.util.Locale;

/** Prints tensors the way NumPy shows Keras results: nested brackets, right-aligned values. */
public final class Show {
    private Show() {}

    /** NumPy-style text of {@code t} with 4 decimals, e.g. {@code [[4.0121]]} or {@code [[ 0.5 -0.25]]}. */
    public static String array(Tensor t) {
        float[] d = t.data();
        String[] s = new String[d.length];
        int width = 0;
        for (int i = 0; i < d.length; i++) {
            s[i] = String.format(Locale.ROOT, "%.4f", d[i]);
            width = Math.max(width, s[i].length());
        }
        StringBuilder b = new StringBuilder();
        append(b, s, width, t.shape(), 0, 0);
        return b.toString();
    }

    private static int append(StringBuilder b, String[] s, int width, int[] shape, int axis, int off) {
        b.append('[');
        if (axis == shape.length - 1) {
            for (int i = 0; i < shape[axis]; i++) {
                if (i > 0) b.append(' ');
                b.append(" ".repeat(width - s[off + i].length())).append(s[off + i]);
            }
            b.append(']');
            return off + shape[axis];
        }
        for (int i = 0; i < shape[axis]; i++) {
            if (i > 0) b.append("\n".repeat(shape.length - axis - 1)).append(" ".repeat(axis + 1));
            off = append(b, s, width, shape, axis + 1, off);
        }
        b.append(']');
        return off;
    }

    /** Keras-style shape text, e.g. {@code (1, 5, 3)}. */
    public static String shape(Tensor t) {
        return Tensor.shapeString(t.shape());
    }

    /** Prints the Keras line a demo step mirrors. */
    public static void keras(String kerasCode) {
        System.out.println(">>> " + kerasCode);
    }

    /** Prints a demo's title. */
    public static void title(String t) {
        System.out.println();
        System.out.println("=".repeat(8) + " " + t + " " + "=".repeat(Math.max(4, 64 - t.length())));
    }
}
