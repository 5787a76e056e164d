package dev.jrnn.model;

import java.io.PrintStream;
import java.util.Locale;
import java.util.Map;
import java.util.function.LongSupplier;

/**
 * Keras' Progbar for one epoch, in tf.keras 2's layout (Keras 3 puts verbose 2's time per step before the values and
 * drops the time per epoch; GUIDE, progress bar): verbose 1 redraws
 * {@code " 7/32 [=====>........................] - ETA: 1s - 5120 samples/s - loss: 0.2345"} in place (on a
 * terminal; elsewhere only the final line is printed), verbose 2 prints one line per epoch. An epoch of
 * unknown length (a generator, bucketing) shows {@code "7/Unknown"} and no ETA until its end.
 */
final class ProgressBar {
    private static final int WIDTH = 30;
    private static final double INTERVAL_S = 0.05;

    private final PrintStream out;
    private int target;
    private final int verbose;
    private final boolean dynamic;
    private final LongSupplier clock;
    private final long start;
    /** Seconds from the start to the end of the first step (its graph capture, JIT, allocations), or -1. */
    private double firstStepEnd = -1;
    private double lastUpdate;
    private int prevLength;
    private int seen;
    private long samples;
    private boolean keras3;

    ProgressBar(PrintStream out, int target, int verbose, boolean dynamic) {
        this(out, target, verbose, dynamic, System::nanoTime);
    }

    /** With {@code clock} (nanoseconds) in place of System.nanoTime, for tests. */
    ProgressBar(PrintStream out, int target, int verbose, boolean dynamic, LongSupplier clock) {
        this.out = out;
        this.target = target;
        this.verbose = verbose;
        this.dynamic = dynamic;
        this.clock = clock;
        this.start = clock.getAsLong();
    }

    /** Verbose 2's line in {@code f}'s layout (tf.keras 2's by default). */
    ProgressBar format(SummaryFormat f) {
        keras3 = f == SummaryFormat.KERAS_3;
        return this;
    }

    /** Counts one finished step of {@code batchSamples} samples (for samples/s, and the step count of an unknown epoch). */
    void advance(int batchSamples) {
        seen++;
        samples += batchSamples;
        if (seen == 1) firstStepEnd = elapsed();
    }

    private double elapsed() {
        return (clock.getAsLong() - start) / 1e9;
    }

    /**
     * Seconds per step after {@code current} steps at {@code now}: as Keras' _estimate_step_duration, the first step
     * (which pays for warm-up) is left out once there are more. Keras does so at verbose 1 only (at verbose 2 it divides
     * the epoch's time by the steps); jrnn at both, since its first step may also capture a CUDA graph.
     */
    private double perStep(double now, int current) {
        if (current <= 0) return 0;
        if (current > 1 && firstStepEnd >= 0) return (now - firstStepEnd) / (current - 1);
        return now / current;
    }

    /** " - 5120 samples/s" over the epoch so far. */
    private String rate(double now) {
        return now > 0 ? String.format(Locale.ROOT, " - %.0f samples/s", samples / now) : "";
    }

    /** Draws progress after {@code current} steps with the running values (loss, metrics). */
    void update(int current, Map<String, Double> values) {
        if (verbose != 1 || !dynamic || target >= 0 && current >= target) return;
        double now = elapsed();
        if (now - lastUpdate < INTERVAL_S) return;
        lastUpdate = now;
        String line = bar(current) + (target >= 0 ? eta(now, current) : "") + rate(now) + values(values);
        draw(line);
    }

    /** Prints the epoch's final line with all values (validation included). */
    void finish(Map<String, Double> values) {
        finish(values, values.keySet());
    }

    /**
     * As {@link #finish(Map)}; at verbose 1 the {@code trainingKeys} come first, as Keras' Progbar shows keys in the order it
     * first saw them (the batches' logs, then what the epoch's end adds: "loss - z_loss - val_loss"); verbose 2 keeps the
     * sorted order, as Keras skips the batch updates there.
     */
    void finish(Map<String, Double> values, java.util.Set<String> trainingKeys) {
        if (verbose == 1 || verbose == 2 && keras3) {   // Keras 3: its sorted training logs, then the sorted validation ones
            Map<String, Double> shown = new java.util.LinkedHashMap<>();
            values.forEach((k, v) -> { if (trainingKeys.contains(k)) shown.put(k, v); });
            values.forEach(shown::putIfAbsent);
            values = shown;
        }
        double now = elapsed();
        if (target < 0) target = seen;
        double perStep = perStep(now, seen);
        if (verbose == 1) {   // the steps done, fewer than the target when a callback stopped the epoch (Keras shows the target)
            String line = bar(seen) + " - " + Math.round(now) + "s" + formatTime(perStep, "step") + rate(now) + values(values);
            if (dynamic) draw(line);
            else out.print(line);
            out.println();
        } else if (verbose == 2 && keras3) {   // Keras 3.15.1's Progbar: the epoch's time over its steps, before the values
            out.println(count(target) + " - " + PythonFloat.format(now, 'f', 0) + "s -" + formatTime(target > 0 ? now / target : 0, "step")
                    + values(values, false));
        } else if (verbose == 2) {
            String count = count(seen);
            out.println(count + " - " + Math.round(now) + "s" + values(values, false)
                    + " -" + formatTime(now, "epoch") + " -" + formatTime(perStep, "step") + rate(now));
        }
        out.flush();
    }

    private void draw(String line) {
        StringBuilder b = new StringBuilder("\r").append(line);
        for (int i = line.length(); i < prevLength; i++) b.append(' ');
        prevLength = line.length();
        out.print(b);
        out.flush();
    }

    /** Keras' {@code "%{numdigits}d/%d" % (current, target)}: " 7/32". */
    private String count(int current) {
        int digits = (int) Math.floor(Math.log10(Math.max(1, target))) + 1;
        String cur = Integer.toString(current);
        return " ".repeat(Math.max(0, digits - cur.length())) + cur + "/" + target;
    }

    String bar(int current) {
        if (target < 0) return current + "/Unknown";
        StringBuilder b = new StringBuilder(count(current)).append(" [");
        double prog = target > 0 ? (double) current / target : 1;
        int progWidth = (int) (WIDTH * prog);
        if (progWidth > 0) {
            b.append("=".repeat(progWidth - 1));
            b.append(current < target ? '>' : '=');
        }
        b.append(".".repeat(Math.max(0, WIDTH - progWidth)));
        return b.append(']').toString();
    }

    private String eta(double now, int current) {
        double seconds = perStep(now, current) * (target - current);
        long eta = (long) seconds;   // Keras' "%d" % eta truncates, its tests compare the unrounded value
        String f;
        if (seconds > 3600) f = String.format(Locale.ROOT, "%d:%02d:%02d", eta / 3600, (eta % 3600) / 60, eta % 60);
        else if (seconds > 60) f = String.format(Locale.ROOT, "%d:%02d", eta / 60, eta % 60);
        else f = eta + "s";
        return " - ETA: " + f;
    }

    /** Keras' _format_time: Python's {@code f"{x:.0f}"}, which rounds a tie to even. */
    static String formatTime(double seconds, String unit) {
        if (seconds >= 1 || seconds == 0) return " " + PythonFloat.format(seconds, 'f', 0) + "s/" + unit;
        if (seconds >= 1e-3) return " " + PythonFloat.format(seconds * 1000.0, 'f', 0) + "ms/" + unit;
        return " " + PythonFloat.format(seconds * 1000000.0, 'f', 0) + "us/" + unit;
    }

    /** " - loss: 0.1234 - mae: 0.2000", small values in Keras' %.4e form. */
    static String values(Map<String, Double> values) { return values(values, true); }

    /** {@code absolute}: verbose 1's test {@code abs(avg) > 1e-3}; verbose 2's line tests {@code avg > 1e-3} (Keras' Progbar). */
    static String values(Map<String, Double> values, boolean absolute) {
        StringBuilder b = new StringBuilder();
        for (Map.Entry<String, Double> e : values.entrySet()) {
            b.append(" - ").append(e.getKey()).append(": ").append(formatValue(e.getValue(), absolute));
        }
        return b.toString();
    }

    static String formatValue(double v) { return formatValue(v, true); }

    static String formatValue(double v, boolean absolute) {
        if (!Double.isFinite(v)) return PythonFloat.repr(v);   // Python formats these "nan", "inf", "-inf"
        // Keras' f"{avg:.4f}" / f"{avg:.4e}" (a two-digit exponent at least: 1.2340e-04), rounded as Python rounds
        return PythonFloat.format(v, (absolute ? Math.abs(v) : v) > 1e-3 ? 'f' : 'e', 4);
    }
}
