package dev.jrnn.model;

/**
 * What a fit tells its callbacks before {@link Callback#onTrainBegin}, and what {@link History#params()} keeps: Keras'
 * {@code callback.params} and {@code history.params}, {@code {'verbose': 1, 'epochs': 10, 'steps': 1875}}. A standalone
 * evaluate or predict given callbacks hands them {@code {'verbose': 0, 'epochs': 1, 'steps': <its batches>}}, as Keras 3.15.1.
 *
 * <pre>{@code
 * History h = model.fit(x, y, new FitOptions().epochs(10).batchSize(32));
 * System.out.println(h.params());   // {'verbose': 1, 'epochs': 10, 'steps': 1875}
 * }</pre>
 *
 * @param verbose the fit's verbosity (0, 1 or 2)
 * @param epochs  the fit's {@code epochs} (the last epoch's number plus one, counting skipped {@code initialEpoch}s)
 * @param steps   batches per epoch, or null where the data's length is not known (a Dataset of unknown size without
 *                {@code stepsPerEpoch}), as Keras' None
 */
public record FitParams(int verbose, int epochs, Integer steps) {
    /** As Python prints Keras' dict. */
    @Override
    public String toString() {
        return "{'verbose': " + verbose + ", 'epochs': " + epochs + ", 'steps': " + (steps == null ? "None" : steps) + "}";
    }
}
