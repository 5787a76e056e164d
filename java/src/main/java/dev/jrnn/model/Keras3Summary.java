package dev.jrnn.model;

import dev.jrnn.layers.Call;
import dev.jrnn.layers.Layer;
import dev.jrnn.layers.Node;
import dev.jrnn.io.keras.KerasOptimizerState;
import dev.jrnn.optim.Optimizer;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Keras 3.15.1's model summary ({@code keras/src/utils/summary_utils.py print_summary}) as it is written to a
 * console that is not a terminal: shutil's fallback width 80 gives {@code line_length = 80 - 4 = 76}, the column
 * widths come from Keras' positions and rich's {@code Table} layout ({@code ratio_reduce} of the excess over the
 * borders), and cells wrap as rich's {@code Text.wrap} does with the column's "ellipsis" overflow.
 */
final class Keras3Summary {
    private static final int LINE_LENGTH = 76;
    /** rich's word pattern; Python's \s is Unicode whitespace (a no-break space too). */
    private static final Pattern WORD = Pattern.compile("\\s*\\S+\\s*", Pattern.UNICODE_CHARACTER_CLASS);
    /** Keras 3 layers built in their constructor (no build(): {@code _build_at_init}, Reshape): never "(unbuilt)". */
    private static final Set<String> BUILT_AT_INIT = Set.of("Activation", "ELU", "LeakyReLU", "ReLU", "Softmax",
            "Identity", "Masking", "GlobalAveragePooling1D", "GlobalMaxPooling1D", "AveragePooling1D", "MaxPooling1D",
            "Dropout", "GaussianDropout", "GaussianNoise", "SpatialDropout1D", "Reshape", "InputLayer");

    private Keras3Summary() {}

    /** The table of a built model ({@code relevant}: the calls of the model's graph, for "Connected to"). */
    static String of(String modelName, boolean sequentialLike, List<Layer> layers, Set<Call> relevant, long total,
                     boolean modelTrains, long optimizerParams) {
        List<List<String>> rows = new ArrayList<>();
        for (Layer l : layers) {
            List<String> cells = new ArrayList<>();
            cells.add(l.name() + " (" + l.kerasClass() + ")");
            cells.add(outputShape(l));
            cells.add(l.isBuilt() || !l.calls().isEmpty() ? Summary.thousands(l.countParams()) : unbuiltParams(l));
            if (!sequentialLike) cells.add(connections(l, relevant));
            rows.add(cells);
        }
        long nonTrainable = Summary.nonTrainable(layers, modelTrains);
        return format(modelName, sequentialLike, rows, total - nonTrainable, nonTrainable, optimizerParams);
    }

    /**
     * The size of Keras 3's {@code optimizer.variables} once the optimizer is built (Keras: at the first training step;
     * jrnn: bound to this model's weights by a step or a restored state), -1 before, or for an optimizer Keras has no
     * layout for: iteration, learning_rate (not with a schedule), then the slots ({@link KerasOptimizerState}).
     */
    static long optimizerParams(Optimizer opt, Parameters ps) {
        if (opt == null || ps == null || !opt.boundTo(ps.store, ps.trainableSize)) return -1;
        try {
            long n = 0;
            for (KerasOptimizerState.Var v : KerasOptimizerState.keras3Vars(opt, ps.trainable, Map.of())) n += v.value().size();
            return n;
        } catch (IllegalArgumentException e) {
            return -1;   // a custom optimizer: no Keras variables to count
        }
    }

    /** A Sequential not built yet: Keras 3 lists its layers with "?" and "0 (unbuilt)" (or 0 where built at init). */
    static String unbuilt(String modelName, List<Layer> layers) {
        List<List<String>> rows = new ArrayList<>();
        for (Layer l : layers) rows.add(List.of(l.name() + " (" + l.kerasClass() + ")", "?", unbuiltParams(l)));
        return format(modelName, true, rows, 0, 0, -1);
    }

    private static String unbuiltParams(Layer l) {
        return BUILT_AT_INIT.contains(l.kerasClass()) ? "0" : "0 (unbuilt)";
    }

    /** format_layer_shape: the last call's outputs; several as Python's str of the list without quotes. */
    private static String outputShape(Layer l) {
        List<Call> cs = l.calls();
        if (cs.isEmpty()) return "?";
        List<String> parts = new ArrayList<>();
        for (Node n : cs.get(cs.size() - 1).outputs()) {   // format_shape: "(None)" for one axis, not Python's "(None,)"
            String shape = n.shapeString();
            parts.add(shape.endsWith(",)") ? shape.substring(0, shape.length() - 2) + ")" : shape);
        }
        return parts.size() == 1 ? parts.get(0) : "[" + String.join(", ", parts) + "]";
    }

    /** get_connections: {@code name[node][tensor]} of each input of the model's calls, ", " between, "-" if none. */
    private static String connections(Layer l, Set<Call> relevant) {
        List<String> con = Summary.inputsOf(l, relevant);
        return con.isEmpty() ? "-" : String.join(", ", con);
    }

    static String format(String modelName, boolean sequentialLike, List<List<String>> rows, long trainable,
                         long nonTrainable, long optimizerParams) {
        double[] positions = sequentialLike ? new double[] {0.45, 0.80, 1.0} : new double[] {0.3, 0.56, 0.74, 1.0};
        List<String> header = sequentialLike
                ? List.of("Layer (type)", "Output Shape", "Param #")
                : List.of("Layer (type)", "Output Shape", "Param #", "Connected to");
        int n = positions.length;
        int[] widths = new int[n];   // with rich's one-space padding either side
        int current = 0, sum = 0;
        for (int i = 0; i < n; i++) {
            int w = (int) (positions[i] * LINE_LENGTH) - current;
            current += w;
            widths[i] = w + 2;
            sum += widths[i];
        }
        int excess = sum - (LINE_LENGTH - (n + 1));
        if (excess > 0) {   // rich's ratio_reduce(excess, [1] * n, widths, widths)
            int totalRatio = n, remaining = excess;
            for (int i = 0; i < n; i++) {
                int d = (int) Math.min(widths[i], Math.rint((double) remaining / totalRatio));   // Python's round: half even
                widths[i] -= d;
                remaining -= d;
                totalRatio--;
            }
        }
        StringBuilder b = new StringBuilder();
        b.append("Model: \"").append(modelName).append("\"\n");
        edge(b, widths, '┏', '━', '┳', '┓');
        row(b, widths, header, '┃');
        edge(b, widths, '┡', '━', '╇', '┩');
        for (int r = 0; r < rows.size(); r++) {
            if (r > 0) edge(b, widths, '├', '─', '┼', '┤');
            row(b, widths, rows.get(r), '│');
        }
        edge(b, widths, '└', '─', '┴', '┘');
        long total = trainable + nonTrainable + Math.max(0, optimizerParams);
        b.append(" Total params: ").append(Summary.thousands(total))
                .append(" (").append(readableSize(4.0 * total)).append(")\n");
        b.append(" Trainable params: ").append(Summary.thousands(trainable))
                .append(" (").append(readableSize(4.0 * trainable)).append(")\n");
        b.append(" Non-trainable params: ").append(Summary.thousands(nonTrainable))
                .append(" (").append(readableSize(4.0 * nonTrainable)).append(")\n");
        if (optimizerParams >= 0) {   // every variable 4 bytes: float32, and JAX's int32 iteration (TensorFlow's is int64)
            b.append(" Optimizer params: ").append(Summary.thousands(optimizerParams))
                    .append(" (").append(readableSize(4.0 * optimizerParams)).append(")\n");
        }
        return b.toString();
    }

    /** The box characters of the table, and rich's ASCII box's character in each one's place. */
    private static final String BOX = "┏┓└┘━─┳┴┃│┡┩├┤╇┼", ASCII_BOX = "++++----||||||++";

    /**
     * {@code table} as it can be printed in {@code cs}: where cs is not a UTF charset, with rich's ASCII box ({@code
     * box.ASCII}, what Keras prints to a stream whose encoding is not UTF: "+--+" top and bottom, "|-+|" between rows).
     * rich's own rule (console.py: {@code not encoding.startswith("utf")}), not whether cs could encode the boxes: a GBK
     * or EUC-KR console could, and gets ASCII from Keras too.
     */
    static String forCharset(String table, java.nio.charset.Charset cs) {
        if (cs.name().regionMatches(true, 0, "UTF", 0, 3)) return table;
        StringBuilder b = new StringBuilder(table);
        for (int i = 0; i < b.length(); i++) {
            int k = BOX.indexOf(b.charAt(i));
            if (k >= 0) b.setCharAt(i, ASCII_BOX.charAt(k));
        }
        return b.toString();
    }

    private static void edge(StringBuilder b, int[] widths, char left, char line, char cross, char right) {
        b.append(left);
        for (int i = 0; i < widths.length; i++) {
            if (i > 0) b.append(cross);
            b.append(String.valueOf(line).repeat(widths[i]));
        }
        b.append(right).append('\n');
    }

    /** One table row: every cell wrapped to its column, lines top-aligned; "Param #" (column 2) right-justified. */
    private static void row(StringBuilder b, int[] widths, List<String> cells, char bar) {
        List<List<String>> wrapped = new ArrayList<>();
        int height = 0;
        for (int i = 0; i < cells.size(); i++) {
            wrapped.add(wrap(cells.get(i), widths[i] - 2, i == 2));
            height = Math.max(height, wrapped.get(i).size());
        }
        for (int line = 0; line < height; line++) {
            b.append(bar);
            for (int i = 0; i < cells.size(); i++) {
                List<String> w = wrapped.get(i);
                b.append(' ').append(line < w.size() ? w.get(line) : " ".repeat(widths[i] - 2)).append(' ').append(bar);
            }
            b.append('\n');
        }
    }

    /** Python's {@code str.rstrip()}: Unicode whitespace, the no-break space included (Java's stripTrailing keeps it). */
    private static String rstrip(String s) {
        int end = s.length();
        while (end > 0 && (Character.isWhitespace(s.charAt(end - 1)) || Character.isSpaceChar(s.charAt(end - 1)))) end--;
        return s.substring(0, end);
    }

    /**
     * rich's {@code Text.wrap(width, justify, overflow="ellipsis")}: words ({@code \s*\S+\s*}) fill a line while they
     * fit, a word longer than the line takes a line of its own, and a line over the width ends in "…".
     */
    static List<String> wrap(String text, int width, boolean right) {
        List<Integer> breaks = new ArrayList<>();
        int offset = 0;
        Matcher m = WORD.matcher(text);
        int pos = 0;
        while (pos < text.length() && m.find(pos) && m.start() == pos) {
            int start = m.start();
            String word = m.group();
            int wordLength = rstrip(word).length();
            if (width - offset >= wordLength) {
                offset += word.length();
            } else if (wordLength > width) {
                if (start > 0) breaks.add(start);
                offset = word.length();
            } else if (offset > 0 && start > 0) {
                breaks.add(start);
                offset = word.length();
            }
            pos = m.end();
        }
        List<String> lines = new ArrayList<>();
        int from = 0;
        for (int at : breaks) {
            lines.add(text.substring(from, at));
            from = at;
        }
        lines.add(text.substring(from));
        List<String> out = new ArrayList<>();
        for (String line : lines) {
            if (line.length() > width) {   // rstrip_end(width): trailing whitespace beyond the width
                int ws = line.length() - rstrip(line).length();
                line = line.substring(0, line.length() - Math.min(ws, line.length() - width));
            }
            if (right) line = rstrip(line);
            if (line.length() > width) line = line.substring(0, width - 1) + "…";
            out.add(right ? " ".repeat(width - line.length()) + line : line + " ".repeat(width - line.length()));
        }
        return out;
    }

    /** readable_memory_size: "{:.2f} {unit}", 1024 a step (Python's format rounds the double's exact value half even). */
    static String readableSize(double bytes) {
        String[] units = {"B", "KB", "MB", "GB", "TB", "PB"};
        for (String unit : units) {
            if (bytes / 1024 < 1) return fixed2(bytes) + " " + unit;
            bytes /= 1024;
        }
        return fixed2(bytes) + " PB";
    }

    private static String fixed2(double v) {
        return new BigDecimal(v).setScale(2, RoundingMode.HALF_EVEN).toPlainString();
    }
}
