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

    private static String finish(ProgressBar bar, Map<String, Double> logs, ByteArrayOutputStream b) {
        bar.finish(logs);
        return b.toString(StandardCharsets.UTF_8).replace("\r\n", "\n");
    }

    @Test
    void stepTimeLeavesOutTheSlowFirstStepAsKeras() {
        // start 0; the first step ends at 1.0 s (warm-up), steps 2 to 5 take 10 ms each: finish at 1.04 s
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        ProgressBar bar = new ProgressBar(new PrintStream(b, true, StandardCharsets.UTF_8), 5, 2, false,
                clock(0, 1.0, 1.04));
        for (int i = 0; i < 5; i++) bar.advance(2);
        Map<String, Double> logs = new LinkedHashMap<>();
        logs.put("loss", 0.25);
        // Keras' _estimate_step_duration: (1.04 - 1.0) / 4 = 10 ms, not 1.04 / 5 = 208 ms
        assertEquals("5/5 - 1s - loss: 0.2500 - 1s/epoch - 10ms/step - 10 samples/s\n", finish(bar, logs, b));
    }

    @Test
    void aStopInsideTheEpochShowsTheStepsDone() {
        // a callback stopped training after 3 of 12 steps: Keras finalizes with the steps seen, " 3/12", and
        // (0.6 - 0.5) / 2 s per step
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        ProgressBar bar = new ProgressBar(new PrintStream(b, true, StandardCharsets.UTF_8), 12, 1, false,
                clock(0, 0.5, 0.6));
        for (int i = 0; i < 3; i++) bar.advance(4);
        assertEquals(" 3/12 [======>.......................] - 1s 50ms/step - 20 samples/s - loss: 0.5000\n",
                finish(bar, Map.of("loss", 0.5), b));
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
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        ProgressBar bar = new ProgressBar(new PrintStream(b, true, StandardCharsets.UTF_8), 10, 1, true,
                clock(0, 1.0, 2.9));
        for (int i = 0; i < 3; i++) bar.advance(1);
        bar.update(3, Map.of("loss", 0.5));
        assertEquals("\r 3/10 [========>.....................] - ETA: 6s - 1 samples/s - loss: 0.5000",
                b.toString(StandardCharsets.UTF_8));
    }
}
