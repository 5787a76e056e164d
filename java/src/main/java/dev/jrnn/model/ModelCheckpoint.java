package dev.jrnn.model;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Saves the model during {@link Model#fit}, as Keras' {@code ModelCheckpoint}: after every epoch, or every N training
 * batches ({@link #saveFreq(int)}), or only when the monitored value improved ({@link #saveBestOnly}). The file name is a
 * pattern with Python format fields: {@code {epoch}} (counted from 1, as Keras), with {@code saveFreq(int)}
 * {@code {batch}} (the batch within its epoch, from 1), and any logged value, with an optional spec ({@code {epoch:02d}},
 * {@code {val_loss:.2f}}, {@code {loss:.3e}}); as in Python's str.format a doubled brace is a literal one, a single brace
 * outside a field is refused, and "d" takes only {@code epoch} and {@code batch} (logged values are floats). Whole models are written by {@link Model#save} (resume them with
 * {@link Models#load} and {@link FitOptions#initialEpoch}), weights by {@link Model#saveWeights}; the file's directory is
 * made when missing, as Keras' callback makes it (a plain save does not). Every write is
 * atomic: a failing one stops fit with an UncheckedIOException naming the file and the epoch, and leaves the file
 * that was there. Changed (session 21): in mode "auto" a monitor whose direction cannot be told (not the loss, and no
 * compiled metric with a direction logs it) is refused when fit starts, saveBestOnly or not, as Keras 3.15.1 refuses it.
 *
 * <pre>{@code
 * model.fit(x, y, new FitOptions().epochs(50).validationSplit(0.2)
 *         .callbacks(new ModelCheckpoint("ckpt/model-{epoch:02d}-{val_loss:.3f}.keras")));
 * // every 500 batches, across epoch boundaries (Keras' save_freq=500), with the epoch's running loss in the name
 * model.fit(ds, new FitOptions().epochs(5)
 *         .callbacks(new ModelCheckpoint("ckpt/e{epoch}-b{batch:04d}-{loss:.3f}.weights.h5").saveWeightsOnly(true).saveFreq(500)));
 * }</pre>
 */
public final class ModelCheckpoint implements Callback, KnownLogs {
    // a field {name} or {name:spec}, or one of Python's escapes "{{" and "}}" (group 1 null)
    private static final Pattern FIELD = Pattern.compile("\\{\\{|}}|\\{([A-Za-z_][A-Za-z0-9_]*)(?::([^}]*))?}");
    private static final Pattern SPEC = Pattern.compile("(0?)(\\d*)(?:\\.(\\d+))?([dfeg%]?)");

    private final String filepath;
    private String monitor = "val_loss";
    private boolean saveBestOnly;
    private boolean saveWeightsOnly;
    private String mode = "auto";
    private double best = Double.NaN;
    private boolean warned;
    private Path lastSaved;
    private int saveFreq;   // batches between saves; 0: at every epoch's end
    private int batchesSinceSave;   // as Keras' _batches_seen_since_last_saving: kept across epochs and fits
    private int currentEpoch;
    private int verbose;

    /** Data-parallel training writes checkpoints from rank 0 only (every rank holds the same weights). */
    @Override
    public boolean rankZeroOnly() { return true; }

    /** {@code filepath}: the file to write, a pattern with {@code {epoch}} and logged names (see the class doc). */
    public ModelCheckpoint(String filepath) {
        if (filepath == null || filepath.isBlank()) throw new IllegalArgumentException("ModelCheckpoint: filepath must not be empty");
        Matcher m = FIELD.matcher(filepath);
        while (m.find()) if (m.group(2) != null) spec(m.group(2), m.group(1));   // a bad spec fails here, not at epoch 1
        checkBraces(filepath);
        this.filepath = filepath;
    }

    /** The logged value {@link #saveBestOnly} compares (default "val_loss"). */
    public ModelCheckpoint monitor(String key) {
        if (key == null || key.isBlank()) throw new IllegalArgumentException("ModelCheckpoint: monitor must name a logged value, e.g. val_loss");
        this.monitor = key;
        return this;
    }

    /** Saves only when the monitored value is better than every earlier one (default false: every epoch). */
    public ModelCheckpoint saveBestOnly(boolean b) {
        this.saveBestOnly = b;
        return this;
    }

    /**
     * Saves only the weights ({@link Model#saveWeights}: safetensors, Keras 3's weights file for a .weights.h5 name, tf.keras
     * 2's for another .h5) instead of the whole model. A {@code .keras} filepath is refused, as Keras 3.15.1 refuses any
     * name but {@code .weights.h5} with {@code save_weights_only=True}: that name is a whole model's file to Keras and to
     * {@link Model#loadWeights}, which would misread the weights written there.
     */
    public ModelCheckpoint saveWeightsOnly(boolean b) {
        if (b && filepath.toLowerCase(java.util.Locale.ROOT).endsWith(".keras")) {
            throw new IllegalArgumentException("ModelCheckpoint.saveWeightsOnly: the filepath must end in .weights.h5 (Keras 3's weights"
                    + " file), another .h5 / .hdf5 (tf.keras 2's) or a safetensors name, got '" + filepath + "' (.keras is a whole"
                    + " model's file: Keras and loadWeights read it so; drop saveWeightsOnly to save the model there)");
        }
        this.saveWeightsOnly = b;
        return this;
    }

    /** "min", "max" or "auto" (from the monitored metric as Keras 3: max for accuracies, precision, recall, cosine similarity; min for losses and errors). */
    public ModelCheckpoint mode(String m) {
        this.mode = EarlyStopping.checkMode("ModelCheckpoint", m);
        return this;
    }

    String monitor() { return monitor; }

    String mode() { return mode; }

    /** Keras' {@code save_freq="epoch"} (the default): a save at the end of every epoch. For a number of batches see {@link #saveFreq(int)}. */
    public ModelCheckpoint saveFreq(String freq) {
        if (!"epoch".equals(freq)) {
            throw new IllegalArgumentException("ModelCheckpoint: saveFreq must be \"epoch\" or a number of batches (saveFreq(int)), got \""
                    + freq + "\"");
        }
        this.saveFreq = 0;
        return this;
    }

    /**
     * Keras' {@code save_freq=batches}: a save after every {@code batches} training batches, counted across epoch
     * boundaries (with 3 batches an epoch and 2: after epoch 1's batch 2, epoch 2's batch 1, ...) and none at an epoch's
     * end. The file name may hold {@code {batch}} (from 1 in its epoch) and the batch-end logs' values (the epoch's running
     * loss and metrics, {@link BatchLogs#logs()}; no val_ ones); {@link #saveBestOnly} compares the monitored running value.
     * As in Keras the count carries on over a later fit with this callback.
     */
    public ModelCheckpoint saveFreq(int batches) {
        if (batches < 1) throw new IllegalArgumentException("ModelCheckpoint: saveFreq must be >= 1 batch (or \"epoch\"), got " + batches);
        this.saveFreq = batches;
        return this;
    }

    /**
     * Keras' {@code initial_value_threshold}: with {@link #saveBestOnly}, the value the first save must improve on (by
     * default the first value is saved).
     */
    public ModelCheckpoint initialValueThreshold(double value) {
        if (Double.isNaN(value)) throw new IllegalArgumentException("ModelCheckpoint: initialValueThreshold must be a number, got NaN");
        this.best = value;
        return this;
    }

    /** Keras' {@code verbose}: 1 prints, as Keras 3, a line per epoch on what was saved or why not (default 0: silent). */
    public ModelCheckpoint verbose(int v) {
        if (v < 0) throw new IllegalArgumentException("ModelCheckpoint: verbose must be >= 0, got " + v);
        this.verbose = v;
        return this;
    }

    /** The file written last, or null. */
    public Path lastSaved() { return lastSaved; }

    /** The best monitored value so far (NaN before the first). */
    public double best() { return best; }

    @Override
    public void onEpochBegin(int epoch, Model model) { currentEpoch = epoch; }

    /** With {@link #saveFreq(int)}: counts the batch and saves after every saveFreq-th, as Keras' on_train_batch_end. */
    @Override
    public void onBatchEnd(int batch, BatchLogs logs, Model model) {
        if (saveFreq == 0 || ++batchesSinceSave < saveFreq) return;
        batchesSinceSave = 0;
        save(currentEpoch, batch + 1, logs.logs(), model);   // the logs only now: reading them synchronizes
    }

    @Override
    public void onEpochEnd(int epoch, Map<String, Double> logs, Model model) {
        if (saveFreq == 0) save(epoch, null, logs, model);
    }

    /**
     * Saves for {@code epoch} (from 0) and {@code batch} (from 1, null at an epoch's end) when saveBestOnly lets it; as
     * Keras 3's _should_save_model, a monitored value the logs lack saves every time, with a warning.
     */
    private void save(int epoch, Integer batch, Map<String, Double> logs, Model model) {
        Double v = saveBestOnly ? logs.get(monitor) : null;
        if (saveBestOnly && v == null) {
            if (!warned) {
                warned = true;
                model.fitWarnings().println("ModelCheckpoint: can save best model only with " + monitor + " available, logs have "
                        + logs.keySet() + "; saving every time, as Keras 3");
            }
        } else if (saveBestOnly) {
            boolean max = MonitorDirection.maximizes("ModelCheckpoint", mode, monitor, model, logs.keySet());
            String bestText = Double.isNaN(best) ? "None" : PythonFloat.format(best, 'f', 5);
            if (Double.isNaN(v) || !Double.isNaN(best) && !(max ? v > best : v < best)) {   // NaN never improves, as in Keras
                say(model, "\nEpoch " + (epoch + 1) + ": " + monitor + " did not improve from " + bestText);
                return;
            }
            best = v;
            say(model, "\nEpoch " + (epoch + 1) + ": " + monitor + " improved from " + bestText + " to " + PythonFloat.format(v, 'f', 5)
                    + ", saving model to " + format(filepath, epoch + 1, batch, logs));
        } else {
            say(model, "\nEpoch " + (epoch + 1) + ": saving model to " + format(filepath, epoch + 1, batch, logs));
        }
        Path file = Path.of(format(filepath, epoch + 1, batch, logs));
        try {
            Path dir = file.toAbsolutePath().getParent();   // Keras' ModelCheckpoint makes the file's directory; a save does not
            if (dir != null && !Files.exists(dir)) Files.createDirectories(dir);
            if (saveWeightsOnly) model.saveWeights(file);
            else model.save(file);
        } catch (IOException e) {
            throw new UncheckedIOException("ModelCheckpoint: could not write " + file + " at epoch " + (epoch + 1)
                    + (batch == null ? "" : " batch " + batch) + ": " + e.getMessage(), e);   // which says the previous file is unchanged
        }
        lastSaved = file;
        say(model, "\nEpoch " + (epoch + 1) + ": finished saving model to " + file);
    }

    private void say(Model model, String message) {
        if (verbose > 0) model.fitMessages().println(message);
    }

    /**
     * Fails before training when the filepath names a value that fit will not log ({@code {val_loss}} without
     * validation data, a misspelt name, {@code {batch}} or a val_ value with {@link #saveFreq(int)}), a whole model's file
     * does not end in {@code .keras}, {@code .h5} or {@code .hdf5}, or a per-batch saveBestOnly monitors a value the batch logs lack, instead of at the
     * first save after its updates. {@code logKeys}: the epoch logs' keys (null: unknown), {@code batchKeys} the batch logs'.
     */
    void checkFields(Set<String> logKeys, Set<String> batchKeys) {
        if (!saveWeightsOnly) ModelFiles.checkKerasName("ModelCheckpoint", filepath);
        if (saveFreq > 0) {
            // Keras 3 warns and saves every saveFreq batches regardless: a val_ monitor would never be compared
            if (saveBestOnly && !batchKeys.contains(monitor)) {
                throw new IllegalArgumentException("ModelCheckpoint: saveBestOnly with saveFreq " + saveFreq + " compares the monitor in the "
                        + "batch logs, which hold only " + batchKeys + ", not " + monitor + " (monitor a training value, e.g. loss)");
            }
            logKeys = batchKeys;
        }
        if (logKeys == null) return;   // keys not known before training
        Matcher m = FIELD.matcher(filepath);
        while (m.find()) {
            String key = m.group(1);
            if (key == null) continue;   // {{ or }}
            if (!key.equals("epoch") && !(saveFreq > 0 && key.equals("batch")) && !logKeys.contains(key)) {
                throw new IllegalArgumentException("ModelCheckpoint: the filepath names {" + key + "}, but fit will log only "
                        + (saveFreq > 0 ? "epoch, batch and " : "epoch and ") + logKeys + hint(key));
            }
        }
    }

    /**
     * Fails before training where the writer refuses the whole model (tf.keras 2's {@code .h5}: a layer, an activation
     * or a mask tf.keras 2 lacks; {@code .keras}: a mask it cannot pass Keras 3), instead of at the first save after an
     * epoch's updates.
     */
    void checkFormat(Model model) {
        if (saveWeightsOnly) return;
        try {
            if (ModelFiles.hdf5Name(filepath)) dev.jrnn.io.keras.KerasLegacyExport.check(model);
            else if (!(model instanceof Sequential)) dev.jrnn.io.keras.KerasExport.toJson(model);   // built: its calls are known
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("ModelCheckpoint(" + filepath + "): " + e.getMessage(), e);
        }
    }

    private String hint(String key) {
        if (key.equals("batch")) return " ({batch} needs saveFreq(int), a save every N batches)";
        if (!key.startsWith("val_")) return "";
        return saveFreq > 0 ? " (a save every N batches has the batch logs, without val_ values)"
                : " (val_ values need validationData or validationSplit)";
    }

    /** {@code pattern} with its fields filled from {@code epoch} (from 1) and {@code logs}, as Python's str.format. */
    static String format(String pattern, int epoch, Map<String, Double> logs) { return format(pattern, epoch, null, logs); }

    /** As above with {@code {batch}} from {@code batch} (from 1; null: not given, as Keras at an epoch's end). */
    static String format(String pattern, int epoch, Integer batch, Map<String, Double> logs) {
        Matcher m = FIELD.matcher(pattern);
        StringBuilder b = new StringBuilder();
        while (m.find()) {
            String key = m.group(1);
            if (key == null) {   // Python's escapes: {{ is {, }} is }
                m.appendReplacement(b, m.group().substring(1));
                continue;
            }
            Object v;
            if (key.equals("epoch")) {
                v = epoch;
            } else if (key.equals("batch") && batch != null && !logs.containsKey(key)) {   // Keras: a logged "batch" wins
                v = batch;
            } else if (logs.containsKey(key)) {
                v = logs.get(key);
            } else {
                throw new IllegalArgumentException("ModelCheckpoint: the filepath names {" + key + "}, but the logs hold only epoch and "
                        + logs.keySet());
            }
            String spec = m.group(2);
            m.appendReplacement(b, Matcher.quoteReplacement(spec == null ? plain(v) : spec(spec, key).apply(v)));
        }
        m.appendTail(b);
        return b.toString();
    }

    /**
     * A brace outside a field and its escapes, which Python's str.format refuses ("Single '}' encountered in format
     * string"), refused here before training rather than named as a literal.
     */
    private static void checkBraces(String pattern) {
        String rest = FIELD.matcher(pattern).replaceAll("");
        int at = Math.max(rest.indexOf('{'), rest.indexOf('}'));
        if (at >= 0) {
            throw new IllegalArgumentException("ModelCheckpoint: filepath " + pattern + " holds a single '" + rest.charAt(at)
                    + "' outside a field {name} or {name:spec}; as in Python's str.format, write a literal brace twice ({{ or }})");
        }
    }

    /** A value without a spec, as Python's str: an int as it is, a float as its repr. */
    private static String plain(Object v) {
        return v instanceof Integer ? v.toString() : PythonFloat.repr((Double) v);
    }

    /** A Python format spec: zero padding, a width, a precision (-1: none), the type (0: none). */
    private record Spec(boolean zeros, int width, int precision, char type) {
        /** {@code v} formatted as Python's format(v, spec) ("d" only for an int: {@link #spec} refuses it for a float). */
        String apply(Object v) {
            String s;
            if (type == 'd') s = Long.toString(v instanceof Integer i ? (long) i : Math.round((Double) v));   // a logged "batch"
            else if (v instanceof Integer i && type == 0 && precision < 0) s = i.toString();
            else s = PythonFloat.format(v instanceof Integer i ? (double) i : (Double) v, type, precision);
            if (s.length() >= width) return s;
            if (!zeros) return " ".repeat(width - s.length()) + s;   // Python aligns numbers right
            String pad = "0".repeat(width - s.length());
            return s.startsWith("-") ? "-" + pad + s.substring(1) : pad + s;   // Python's "0": the zeros after the sign
        }
    }

    /** A Python format spec ({@code 02d}, {@code .2f}, {@code .3e}, {@code .4g}, {@code .3}) parsed. */
    private static Spec spec(String spec, String key) {
        Matcher s = SPEC.matcher(spec);
        if (!s.matches()) {
            throw new IllegalArgumentException("ModelCheckpoint: format spec '" + spec + "' of {" + key + "} is not supported; use e.g. 02d, .2f, .3e");
        }
        String type = s.group(4);
        if (type.equals("%")) throw new IllegalArgumentException("ModelCheckpoint: format spec '" + spec + "' of {" + key + "}: % is not supported");
        if (type.equals("d") && s.group(3) != null) {
            throw new IllegalArgumentException("ModelCheckpoint: format spec '" + spec + "' of {" + key + "}: an integer takes no precision");
        }
        // the logs' values are Python floats, which format(v, "d") refuses (Keras: "Unknown format code 'd' for object of
        // type 'float'" at the first save); epoch and batch are ints
        if (type.equals("d") && !key.equals("epoch") && !key.equals("batch")) {
            throw new IllegalArgumentException("ModelCheckpoint: format spec '" + spec + "' of {" + key + "}: " + key
                    + " is a float, which Python's format refuses with 'd' (Keras: Unknown format code 'd' for object of type 'float'); use e.g. .0f");
        }
        return new Spec(!s.group(1).isEmpty() && !s.group(2).isEmpty(), s.group(2).isEmpty() ? 0 : Integer.parseInt(s.group(2)),
                s.group(3) == null ? -1 : Integer.parseInt(s.group(3)), type.isEmpty() ? 0 : type.charAt(0));
    }

    @Override
    public Set<String> logsAdded() { return Set.of(); }
}
