package dev.jrnn.model;

import dev.jrnn.layers.Call;
import dev.jrnn.layers.Layer;
import dev.jrnn.layers.Node;
import dev.jrnn.layers.Param;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * Keras' model summary table, character for character as tf.keras 2.9-2.12 prints it
 * ({@code keras.utils.layer_utils.print_summary}): 65 columns with cells at 29 / 55 / 65 for
 * sequential-like models, 98 columns with "Connected to" at 32 / 53 / 65 / 98 otherwise; cells
 * longer than their column wrap at "),", "],", "}," or "',".
 */
final class Summary {
    private static final String[] BREAKS = {"),", "},", "],", "',"};

    private Summary() {}

    /** One row of the table: the cell texts. */
    record Row(List<String> cells) {}

    /**
     * The table of a model: one row per layer (name and class, output shape, weight count and, unless
     * {@code sequentialLike}, the calls of {@code relevant} it is connected to); {@code total} weights.
     */
    static String of(String modelName, boolean sequentialLike, List<Layer> layers, Set<Call> relevant, long total, boolean modelTrains) {
        List<Row> rows = new ArrayList<>();
        for (Layer l : layers) {
            List<String> cells = new ArrayList<>();
            cells.add(l.name() + " (" + l.kerasClass() + ")");
            cells.add(Graph.outputShapeString(l));
            cells.add(Long.toString(l.countParams()));
            if (!sequentialLike) cells.add(pyList(inputsOf(l, relevant)));
            rows.add(new Row(cells));
        }
        long nonTrainableCount = nonTrainable(layers, modelTrains);
        return format(modelName, sequentialLike, rows, total - nonTrainableCount, nonTrainableCount);
    }

    /** "Connected to": {@code name[node][tensor]} of each input of {@code l}'s calls in {@code relevant} (all if empty). */
    static List<String> inputsOf(Layer l, Set<Call> relevant) {
        List<String> con = new ArrayList<>();
        for (Call c : l.calls()) {
            if (!relevant.isEmpty() && !relevant.contains(c)) continue;
            for (Node in : c.inputs()) con.add(in.layer().name() + "[" + in.call().index() + "][" + in.outputIndex() + "]");
        }
        return con;
    }

    /** The weights that do not train: all of a frozen model's (Keras' trainable_weights are empty then). */
    static long nonTrainable(List<Layer> layers, boolean modelTrains) {
        long n = 0;
        for (Layer l : layers) {
            for (Param p : l.params()) if (!modelTrains || !l.trains(p)) n += p.size();
        }
        return n;
    }

    static String format(String modelName, boolean sequentialLike, List<Row> rows,
                         long trainable, long nonTrainable) {
        int lineLength = sequentialLike ? 65 : 98;
        double[] rel = sequentialLike ? new double[] {0.45, 0.85, 1.0} : new double[] {0.33, 0.55, 0.67, 1.0};
        int[] positions = new int[rel.length];
        for (int i = 0; i < rel.length; i++) positions[i] = (int) (lineLength * rel[i]);
        List<String> header = sequentialLike
                ? List.of("Layer (type)", "Output Shape", "Param #")
                : List.of("Layer (type)", "Output Shape", "Param #", "Connected to");
        StringBuilder b = new StringBuilder();
        b.append("Model: \"").append(modelName).append("\"\n");
        b.append("_".repeat(lineLength)).append('\n');
        printRow(b, header, positions);
        b.append("=".repeat(lineLength)).append('\n');
        for (Row r : rows) {
            printRow(b, r.cells(), positions);
            b.append(" ".repeat(lineLength)).append('\n');
        }
        b.append("=".repeat(lineLength)).append('\n');
        b.append("Total params: ").append(thousands(trainable + nonTrainable)).append('\n');
        b.append("Trainable params: ").append(thousands(trainable)).append('\n');
        b.append("Non-trainable params: ").append(thousands(nonTrainable)).append('\n');
        b.append("_".repeat(lineLength)).append('\n');
        return b.toString();
    }

    /** Python's {@code f"{n:,}"}. */
    static String thousands(long n) {
        return String.format(java.util.Locale.ROOT, "%,d", n);
    }

    /** Port of print_row: wraps each cell within its column, two spaces between columns. */
    static void printRow(StringBuilder out, List<String> fields, int[] positions) {
        String[] left = fields.toArray(new String[0]);
        // where each cell's unprinted rest starts: a substring per line would copy the rest each time, quadratic in a
        // long cell (a 1,000,000-character layer name took seconds)
        int[] at = new int[left.length];
        while (anyLeft(left, at)) {
            StringBuilder line = new StringBuilder();
            for (int col = 0; col < left.length; col++) {
                int start = col > 0 ? positions[col - 1] : 0;
                int end = positions[col];
                int space = col != positions.length - 1 ? 2 : 0;
                int cutoff = end - start - space;
                String fit = left[col].substring(at[col], at[col] + Math.max(0, Math.min(cutoff, left[col].length() - at[col])));
                int best = -1;
                for (String br : BREAKS) {
                    int i = fit.indexOf(br);
                    if (i >= 0) {
                        int c = i + br.length();
                        if (best < 0 || c < best) best = c;
                    }
                }
                if (best >= 0) {
                    cutoff = best;
                    fit = fit.substring(0, cutoff);
                }
                if (col == 0) line.append(' ');
                line.append(fit);
                line.append(" ".repeat(space));
                at[col] += Math.max(0, Math.min(cutoff, left[col].length() - at[col]));
                int pad = positions[col] - line.length();
                if (pad > 0) line.append(" ".repeat(pad));
            }
            out.append(line).append('\n');
        }
    }

    private static boolean anyLeft(String[] a, int[] at) {
        for (int i = 0; i < a.length; i++) if (at[i] < a[i].length()) return true;
        return false;
    }

    /** Python's str() of a list of strings: {@code ['a[0][0]', 'b[0][1]']}. */
    static String pyList(List<String> items) {
        List<String> q = new ArrayList<>();
        for (String s : items) q.add("'" + s + "'");
        return "[" + String.join(", ", q) + "]";
    }
}
