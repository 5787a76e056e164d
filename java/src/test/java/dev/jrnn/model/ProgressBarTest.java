package dev.jrnn.model;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** The epoch's final progress lines, on a scripted clock. */
class ProgressBarTest {
    /** A clock that reads the given seconds, one per call (the last one repeated): start, end of step 1, finish. */
    private static java.util.function.LongSupplier clock(double... seconds) {
        int[] i = {0};
        return () -> (long) (seconds[Math.min(i[0]++, seconds.length - 1)] * 1e9);
    }

    private final ByteArrayOutputStream printed = new ByteArrayOutputStream();

    /** A bar printing into {@code printed} on {@code clock}, after {@code steps} steps of {@code samples} samples. */
    private ProgressBar bar(int target, int verbose, boolean dynamic, java.util.function.LongSupplier clock, int steps, int samples) {
        ProgressBar bar = new ProgressBar(new PrintStream(printed, true, StandardCharsets.UTF_8), target, verbose, dynamic, clock);
        for (int i = 0; i < steps; i++) bar.advance(samples);
        return bar;
    }

    private String printed() {
        return printed.toString(StandardCharsets.UTF_8).replace("\r\n", "\n");
    }

    @Test
    void stepTimeLeavesOutTheSlowFirstStepAsKeras() {
        // start 0; the first step ends at 1.0 s (warm-up), steps 2 to 5 take 10 ms each: finish at 1.04 s
        ProgressBar bar = bar(5, 2, false, clock(0, 1.0, 1.04), 5, 2);
        Map<String, Double> logs = new LinkedHashMap<>();
        logs.put("loss", 0.25);
        // Keras' _estimate_step_duration (its verbose 1; jrnn at verbose 2 too): (1.04 - 1.0) / 4 = 10 ms, not 1.04 / 5 = 208 ms
        bar.finish(logs);
        assertEquals("5/5 - 1s - loss: 0.2500 - 1s/epoch - 10ms/step - 10 samples/s\n", printed());
    }

    /**
     * Verbose 1 shows the keys in the order Keras' Progbar first saw them: the batches' (training) keys, then the epoch end's
     * validation keys, so an output "z" shows before "val_loss" (History has them sorted); verbose 2 keeps the sorted order.
     */
    @Test
    void verboseOneShowsTheTrainingKeysBeforeTheValidationOnes() {
        Map<String, Double> logs = new LinkedHashMap<>();   // sorted, as TrainingLoop gives them
        logs.put("loss", 0.5);
        logs.put("val_loss", 0.25);
        logs.put("val_z_loss", 0.125);
        logs.put("z_loss", 1.0);
        bar(2, 1, false, clock(0, 0.5, 0.6), 2, 2).finish(logs, java.util.Set.of("loss", "z_loss"));
        assertEquals(true, printed().contains("- loss: 0.5000 - z_loss: 1.0000 - val_loss: 0.2500 - val_z_loss: 0.1250"), printed());
        printed.reset();
        bar(2, 2, false, clock(0, 0.5, 0.6), 2, 2).finish(logs, java.util.Set.of("loss", "z_loss"));
        assertEquals(true, printed().contains("- loss: 0.5000 - val_loss: 0.2500 - val_z_loss: 0.1250 - z_loss: 1.0000"), printed());
    }

    @Test
    void aStopInsideTheEpochShowsTheStepsDone() {
        // a callback stopped training after 3 of 12 steps: jrnn shows the steps done, " 3/12" (Keras finalizes at the
        // target, "12/12", which hides the stop), and (0.6 - 0.5) / 2 s per step
        bar(12, 1, false, clock(0, 0.5, 0.6), 3, 4).finish(Map.of("loss", 0.5));
        assertEquals(" 3/12 [======>.......................] - 1s 50ms/step - 20 samples/s - loss: 0.5000\n", printed());
    }

    /** Keras' f"{avg:.4f}" rounds the float's exact value half to even: 0.00105 is a little below, so 0.0010 (Java's %.4f: 0.0011). */
    @Test
    void valuesRoundAsPythonFormatsThem() {
        assertEquals("0.0010", ProgressBar.formatValue(0.00105));
        assertEquals("0.2500", ProgressBar.formatValue(0.25));
        assertEquals("1.2340e-04", ProgressBar.formatValue(1.234e-4));
        // a negative value (a cosine-similarity loss): verbose 1 tests abs(avg) > 1e-3, verbose 2's line avg > 1e-3
        assertEquals("-0.9900", ProgressBar.formatValue(-0.99, true));
        assertEquals("-9.9000e-01", ProgressBar.formatValue(-0.99, false));
    }

    @Test
    void nonFiniteValuesReadAsPythonPrintsThem() {
        Map<String, Double> logs = new LinkedHashMap<>();
        logs.put("loss", Double.NaN);
        logs.put("mae", Double.POSITIVE_INFINITY);
        logs.put("mse", Double.NEGATIVE_INFINITY);
        assertEquals(" - loss: nan - mae: inf - mse: -inf", ProgressBar.values(logs));
    }

    @Test
    void etaTruncatesAsKerasFormat() {
        // steps 2 and 3 take 0.95 s each after a 1 s first one: 7 steps left are 6.65 s, Keras' "%ds" shows 6s
        bar(10, 1, true, clock(0, 1.0, 2.9), 3, 1).update(3, Map.of("loss", 0.5));
        assertEquals("\r 3/10 [========>.....................] - ETA: 6s - 1 samples/s - loss: 0.5000", printed());
    }

    /**
     * {@link SummaryFormat#KERAS_3}: verbose 2's line as Keras 3.15.1's Progbar prints it on the same clock and logs
     * (keras3_progbar/progbar_lines.json, from make_progbar_lines.py): the time per step (the epoch's over its steps,
     * rounded as Python's ".0f") before the values, the training keys, then the validation ones; no samples/s.
     */
    @Test
    @SuppressWarnings("unchecked")
    void keras3LayoutIsKerasOwnLine() throws java.io.IOException {
        Map<String, Object> g;
        try (java.io.InputStream in = ProgressBarTest.class.getResourceAsStream("keras3_progbar/progbar_lines.json")) {
            g = (Map<String, Object>) dev.jrnn.io.Json.parse(new String(in.readAllBytes(), StandardCharsets.UTF_8));
        }
        int checked = 0;
        for (Object o : (java.util.List<Object>) g.get("cases")) {
            Map<String, Object> c = (Map<String, Object>) o;
            int target = ((Number) c.get("target")).intValue();
            double seconds = ((Number) c.get("seconds")).doubleValue();
            Map<String, Double> logs = new java.util.TreeMap<>();   // sorted, as TrainingLoop gives them
            java.util.Set<String> training = new java.util.HashSet<>();
            for (Object kv : (java.util.List<Object>) c.get("logs")) {
                java.util.List<Object> e = (java.util.List<Object>) kv;
                String k = (String) e.get(0);
                logs.put(k, e.get(1) instanceof Number n ? n.doubleValue() : Double.NaN);
                if (!k.startsWith("val_")) training.add(k);
            }
            printed.reset();
            bar(target, 2, false, clock(0, seconds / 3, seconds), target, 4).format(SummaryFormat.KERAS_3).finish(logs, training);
            assertEquals(c.get("line"), printed(), c.toString());
            checked++;
        }
        assertEquals(5, checked);
    }

    /** fit passes FitOptions.progressFormat on: Keras 3's line, its timings whatever they are. */
    @Test
    void fitPrintsTheLayoutAsked() {
        dev.jrnn.Jrnn.setBackend("cpu");
        Sequential m = new Sequential(new dev.jrnn.layers.Dense(1).inputShape(2));
        m.compile("sgd", "mse");
        dev.jrnn.tensor.Tensor x = dev.jrnn.tensor.Tensor.zeros(4, 2), y = dev.jrnn.tensor.Tensor.zeros(4, 1);
        m.fit(x, y, new FitOptions().verbose(2).batchSize(4).validationSplit(0.5).progressFormat(SummaryFormat.KERAS_3)
                .out(new PrintStream(printed, true, StandardCharsets.UTF_8)));
        assertEquals(true, printed().matches("1/1 - \\d+s - \\d+(s|ms|us)/step - loss: 0\\.0000e\\+00 - val_loss: 0\\.0000e\\+00\n"), printed());
        printed.reset();
        m.fit(x, y, new FitOptions().verbose(2).batchSize(4).validationSplit(0.5).out(new PrintStream(printed, true, StandardCharsets.UTF_8)));
        assertEquals(true, printed().matches("1/1 - \\d+s - loss: 0\\.0000e\\+00 - val_loss: 0\\.0000e\\+00 - \\d+(s|ms|us)/epoch - \\d+(s|ms|us)/step"
                + " - \\d+ samples/s\n"), printed());
    }
}
