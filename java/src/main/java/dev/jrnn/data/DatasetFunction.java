package dev.jrnn.data;

import java.io.IOException;

/**
 * A function from a sample to a data set, for {@link Dataset#flatMap} and {@link Dataset#interleave} (tf.data's
 * {@code map_func}): it may open files, e.g. one per sample of file numbers.
 *
 * <pre>{@code
 * DatasetFunction shard = s -> Dataset.fromNpy(dir.resolve("x-" + (int) s.inputs().get(0).data()[0] + ".npy"), null);
 * }</pre>
 */
@FunctionalInterface
public interface DatasetFunction {
    /** The data set of sample {@code s}: unbatched (its samples become the result's). */
    Dataset apply(Sample s) throws IOException;
}
