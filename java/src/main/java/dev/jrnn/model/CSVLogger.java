package dev.jrnn.model;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Writes each epoch's logs to a CSV file as the epoch ends, as Keras' {@code CSVLogger}: a header
 * {@code epoch,<keys>} with the first epoch's keys sorted (and, when that epoch had no validation, their
 * {@code val_} names too), then one row per epoch; numbers as Python writes them, {@code NA} for a key an
 * epoch did not log, lines ended by CR LF (Python's csv module). With {@code append(true)} a run adds its rows
 * to an existing file (resuming with {@link FitOptions#initialEpoch}), writing the header only into an empty one.
 * Each row is written and closed at its epoch's end, so a crash keeps the epochs before it. In data-parallel
 * training only rank 0 writes. The file's directory must exist, as for Keras' (Python's open() makes none).
 *
 * <pre>{@code
 * model.fit(x, y, new FitOptions().epochs(20).validationSplit(0.2).callbacks(new CSVLogger(Path.of("training.log"))));
 * }</pre>
 */
public final class CSVLogger implements Callback, KnownLogs {
    private final Path file;
    private String separator = ",";
    private boolean append;

    private List<String> keys;
    private boolean header;

    /** Keras' {@code CSVLogger(filename)}: one row per epoch into {@code file}, separator ",", not appending. */
    public CSVLogger(Path file) {
        if (file == null) throw new IllegalArgumentException("CSVLogger: file must be a path, got null");
        this.file = file;
    }

    /** The field separator (default ","), one character as Python's csv module takes it. */
    public CSVLogger separator(String s) {
        if (s == null || s.length() != 1 || s.equals("\"") || s.equals("\r") || s.equals("\n")) {
            throw new IllegalArgumentException("CSVLogger: separator must be one character other than a quote or a line end, got "
                    + (s == null ? "null" : "\"" + s + "\""));
        }
        this.separator = s;
        return this;
    }

    /** True adds to an existing file (the header only if it is empty); false (default) starts it afresh. */
    public CSVLogger append(boolean a) {
        this.append = a;
        return this;
    }

    @Override
    public boolean rankZeroOnly() { return true; }

    @Override
    public void onTrainBegin(Model model) {
        keys = null;
        try {
            dev.jrnn.io.AtomicFiles.requireDirectory(file);   // "no such directory to write log.csv in", as a save says
            if (append && Files.exists(file)) {
                header = Files.size(file) == 0;   // Keras: a header unless the first line has anything, even just a line end
            } else {
                Files.write(file, new byte[0]);   // as Python's open(file, "w"): created or truncated
                header = true;
            }
        } catch (IOException e) {
            throw new UncheckedIOException("CSVLogger: cannot write " + file + ": " + dev.jrnn.io.FileFaults.why(e), e);
        }
    }

    @Override
    public void onEpochEnd(int epoch, Map<String, Double> logs, Model model) {
        StringBuilder b = new StringBuilder();
        if (keys == null) {
            keys = new ArrayList<>(logs.keySet());
            keys.sort(EpochLogs.keyOrder(keys));   // Python's sorted() of the keys, an array metric's values in index order
            if (!keys.isEmpty() && keys.stream().noneMatch(k -> k.startsWith("val_"))) {
                for (String k : List.copyOf(keys)) keys.add("val_" + k);
            }
        }
        if (header) {
            b.append("epoch");
            for (String k : keys) b.append(separator).append(field(k));
            b.append("\r\n");
            header = false;
        }
        b.append(epoch);
        for (String k : keys) {
            Double v = logs.get(k);
            b.append(separator).append(field(v == null ? "NA" : PythonFloat.repr(v)));
        }
        b.append("\r\n");
        try {
            Files.writeString(file, b, StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        } catch (IOException e) {
            throw new UncheckedIOException("CSVLogger: cannot write " + file + ": " + dev.jrnn.io.FileFaults.why(e), e);
        }
    }

    /** A field quoted as Python's csv module does (QUOTE_MINIMAL): only where it holds the separator, a quote or a line end. */
    private String field(String s) {
        if (!s.contains(separator) && s.indexOf('"') < 0 && s.indexOf('\r') < 0 && s.indexOf('\n') < 0) return s;
        return "\"" + s.replace("\"", "\"\"") + "\"";
    }

    @Override
    public Set<String> logsAdded() { return Set.of(); }
}
