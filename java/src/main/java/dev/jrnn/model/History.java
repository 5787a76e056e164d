package dev.jrnn.model;

import dev.jrnn.io.AtomicFiles;
import dev.jrnn.io.FileFaults;

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
 * Keras' {@code History.history}, with a CSV export and a loss-curve plot. As in Keras, a series holds one value per
 * epoch that logged its key: with {@link FitOptions#validationFreq} the {@code val_} series are shorter than
 * {@link #epochs()}, and {@link #epochs(String)} says which epochs their values belong to.
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

    private final Map<String, List<Integer>> rows = new LinkedHashMap<>();   // each series' values' rows in epochs
    private final List<Integer> epochs = new ArrayList<>();
    private FitParams params;

    /** An empty history; fit returns one filled by epoch, and {@link #add} records an epoch. */
    public History() {}

    /**
     * Records one epoch's logs: each key's series grows by its value; a key the epoch did not log stays as it was
     * (Keras' History).
     */
    public void add(int epoch, Map<String, Double> logs) {
        int row = epochs.size();
        epochs.add(epoch);
        for (Map.Entry<String, Double> e : logs.entrySet()) {
            values.computeIfAbsent(e.getKey(), k -> new ArrayList<>()).add(e.getValue());
            rows.computeIfAbsent(e.getKey(), k -> new ArrayList<>()).add(row);
        }
    }

    /**
     * All series, keyed and ordered as Keras 3's ("accuracy", "loss", "val_accuracy", "val_loss": the first epoch's keys
     * sorted, a key first logged later after them); unmodifiable views.
     */
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

    /** Epoch numbers (from 0) that were recorded (Keras' {@code history.epoch}). */
    public List<Integer> epochs() { return Collections.unmodifiableList(epochs); }

    /**
     * The epochs (from 0) whose values {@code get(key)} holds, in order: all of {@link #epochs()} for a key every epoch
     * logged, the validated ones for a {@code val_} key under {@link FitOptions#validationFreq}.
     */
    public List<Integer> epochs(String key) {
        get(key);   // the refusal naming the recorded keys
        return rows.get(key).stream().map(epochs::get).toList();
    }

    /** The fit's verbosity, epochs and batches per epoch (Keras' {@code history.params}); null for a History no fit made. */
    public FitParams params() { return params; }

    void params(FitParams p) { params = p; }

    /** Number of recorded epochs. */
    public int size() { return epochs.size(); }

    /**
     * CSV with a header {@code epoch,<keys>} (the keys in {@link #history()}'s order) then one row per epoch, numbers as
     * Python's repr; {@code NA}, as Keras' CSVLogger writes it, where an epoch did not log a key (validationFreq's other epochs).
     */
    public String toCsvString() {
        StringBuilder b = new StringBuilder("epoch");
        for (String k : values.keySet()) b.append(',').append(k);
        b.append('\n');
        int[] next = new int[values.size()];
        for (int row = 0; row < epochs.size(); row++) {
            b.append(epochs.get(row));
            int k = 0;
            for (Map.Entry<String, List<Double>> e : values.entrySet()) {
                List<Integer> at = rows.get(e.getKey());
                boolean logged = next[k] < at.size() && at.get(next[k]) == row;
                b.append(',').append(logged ? PythonFloat.repr(e.getValue().get(next[k]++)) : "NA");
                k++;
            }
            b.append('\n');
        }
        return b.toString();
    }

    /**
     * Writes {@link #toCsvString()} to {@code file} (atomically: temp file + rename); a failure, an interrupt included
     * ({@link java.io.InterruptedIOException}), names the file and leaves the previous one as it was.
     */
    public void toCsv(Path file) throws IOException {
        byte[] bytes = toCsvString().getBytes(StandardCharsets.UTF_8);
        FileFaults.save("History.toCsv", file, () -> AtomicFiles.write(file, out -> out.write(bytes)));
    }

    /**
     * Plots the loss curve (and val_loss when recorded) as an 800x500 PNG (atomically written). Needs no display;
     * where DISPLAY names an unreachable X server, run the JVM with {@code -Djava.awt.headless=true}.
     */
    public void plot(Path file) throws IOException {
        // Java2D lives in HistoryPlot so that training never loads java.desktop (absent from trimmed runtimes).
        FileFaults.save("History.plot", file, () -> HistoryPlot.writePng(values, rows, epochs, file));
    }

    @Override
    public String toString() {
        return "History" + values;
    }
}
