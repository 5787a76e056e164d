package dev.jrnn.model;

/**
 * What a fit tells its callbacks before {@link Callback#onTrainBegin}, and what {@link History#params()} keeps: Keras'
 * {@code callback.params} and {@code history.params}, {@code {'verbose': 'auto', 'epochs': 10, 'steps': 1875}}: the verbose
 * as given, Keras' default {@code "auto"} by default (changed, session 21: was 1). A standalone evaluate or predict given
 * callbacks hands them {@code {'verbose': 0, 'epochs': 1, 'steps': <its batches, or the steps asked>}}: jrnn's draw no
 * progress bar (Keras' "auto" there would mean one).
 *
 * <pre>{@code
 * History h = model.fit(x, y, new FitOptions().epochs(10).batchSize(32));
 * System.out.println(h.params());   // {'verbose': 'auto', 'epochs': 10, 'steps': 1875}
 * }</pre>
 *
 * @param verbose     the fit's verbosity (0, 1 or 2; 1 where given as "auto", as Keras' progress bar reads it)
 * @param epochs      the fit's {@code epochs} (the last epoch's number plus one, counting skipped {@code initialEpoch}s)
 * @param steps       batches per epoch, or null where the data's length is not known (a Dataset of unknown size without
 *                    {@code stepsPerEpoch}), as Keras' None
 * @param verboseAuto whether the verbosity was Keras' {@code "auto"} ({@link FitOptions#verbose(String)}, the default)
 */
public record FitParams(int verbose, int epochs, Integer steps, boolean verboseAuto) {
    /** Refuses verboseAuto with a verbose other than 1. */
    public FitParams {
        if (verboseAuto && verbose != 1) {
            throw new IllegalArgumentException("FitParams: verboseAuto (Keras' \"auto\") means verbose 1, as Keras' progress bar reads it, got verbose " + verbose);
        }
    }

    /** Params with a verbosity given as a number. */
    public FitParams(int verbose, int epochs, Integer steps) { this(verbose, epochs, steps, false); }

    /** As Python prints Keras' dict. */
    @Override
    public String toString() {
        return "{'verbose': " + (verboseAuto ? "'auto'" : verbose) + ", 'epochs': " + epochs + ", 'steps': " + (steps == null ? "None" : steps) + "}";
    }
}
