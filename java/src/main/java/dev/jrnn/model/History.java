package dev.jrnn.model;

import dev.jrnn.io.AtomicFiles;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * What {@link Model#fit} returns: the per-epoch values ("loss", metrics, "val_loss", ...) as
 * Keras' {@code History.history}, with a CSV export and a loss-curve plot.
 *
 * <pre>{@code
 * History h = model.fit(x, y, 100, 1);
 * double last = h.last("loss");
 * h.toCsv(Path.of("history.csv"));   // epoch,loss,...
 * h.plot(Path.of("loss.png"));       // loss curve (and val_loss)
 * }</pre>
 */
public final class History {
    private final Map<String, List<Double>> values = new LinkedHashMap<>();
    private final List<Integer> epochs = new ArrayList<>();
    private FitParams params;

    /** Records one epoch's logs. */
    public void add(int epoch, Map<String, Double> logs) {
        epochs.add(epoch);
        int n = epochs.size();
        for (Map.Entry<String, Double> e : logs.entrySet()) {
            List<Double> l = values.computeIfAbsent(e.getKey(), k -> new ArrayList<>());
            while (l.size() < n - 1) l.add(Double.NaN);
            l.add(e.getValue());
        }
        for (List<Double> l : values.values()) while (l.size() < n) l.add(Double.NaN);
    }

    /** All series, keyed and ordered as Keras 3's ("accuracy", "loss", "val_accuracy", "val_loss": sorted); unmodifiable views. */
    public Map<String, List<Double>> history() {
        Map<String, List<Double>> m = new LinkedHashMap<>();
        for (Map.Entry<String, List<Double>> e : values.entrySet()) m.put(e.getKey(), Collections.unmodifiableList(e.getValue()));
        return Collections.unmodifiableMap(m);
    }

    /** One series; throws naming the recorded keys when {@code key} is not one. */
    public List<Double> get(String key) {
        List<Double> l = values.get(key);
        if (l == null) throw new IllegalArgumentException("History has no '" + key + "': recorded " + values.keySet());
        return Collections.unmodifiableList(l);
    }

    /** The last recorded value of {@code key}. */
    public double last(String key) {
        List<Double> l = get(key);
        if (l.isEmpty()) throw new IllegalStateException("History: '" + key + "' is empty");
        return l.get(l.size() - 1);
    }

    /** Epoch numbers (from 0) that were recorded. */
    public List<Integer> epochs() { return Collections.unmodifiableList(epochs); }

    /** The fit's verbosity, epochs and batches per epoch (Keras' {@code history.params}); null for a History no fit made. */
    public FitParams params() { return params; }

    void params(FitParams p) { params = p; }

    /** Number of recorded epochs. */
    public int size() { return epochs.size(); }

    /** CSV as Keras' CSVLogger writes it: a header {@code epoch,loss,...} then one row per epoch, numbers as Python's repr. */
    public String toCsvString() {
        StringBuilder b = new StringBuilder("epoch");
        for (String k : values.keySet()) b.append(',').append(k);
        b.append('\n');
        for (int i = 0; i < epochs.size(); i++) {
            b.append(epochs.get(i));
            for (List<Double> l : values.values()) b.append(',').append(formatCsv(l.get(i)));
            b.append('\n');
        }
        return b.toString();
    }

    /** Writes {@link #toCsvString()} to {@code file} (atomically: temp file + rename). */
    public void toCsv(Path file) throws IOException {
        byte[] bytes = toCsvString().getBytes(StandardCharsets.UTF_8);
        AtomicFiles.write(file, out -> out.write(bytes));
    }

    /**
     * Plots the loss curve (and val_loss when recorded) as an 800x500 PNG (atomically written). Needs no display;
     * where DISPLAY names an unreachable X server, run the JVM with {@code -Djava.awt.headless=true}.
     */
    public void plot(Path file) throws IOException {
        // Java2D lives in HistoryPlot so that training never loads java.desktop (absent from trimmed runtimes).
        HistoryPlot.writePng(values, epochs, file);
    }

    private static String formatCsv(double v) {
        if (Double.isNaN(v)) return "";
        return PythonFloat.repr(v);   // as Python's csv module writes a float
    }

    @Override
    public String toString() {
        return "History" + values;
    }
}
