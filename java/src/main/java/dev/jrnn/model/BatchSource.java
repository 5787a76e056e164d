package dev.jrnn.model;

import java.util.SplittableRandom;

/**
 * Where the fit loop and evaluation take their batches from, an epoch at a time: {@link DataBatches}
 * serves checked in-memory tensors, {@link DatasetBatches} a streaming {@link dev.jrnn.data.Dataset}.
 */
interface BatchSource extends AutoCloseable {
    /** The number of batches in an epoch, or -1 when it is known only at its end (a generator, bucketing). */
    int batches();

    /** Which outputs have targets (the same in every batch). */
    boolean[] targets();

    /**
     * The batches of epoch {@code epoch} in order; an in-memory source shuffles them with {@code rng}
     * when {@code shuffle}. A file that cannot be read throws an {@link java.io.UncheckedIOException}.
     */
    Epoch epoch(int epoch, boolean shuffle, SplittableRandom rng);

    /**
     * Draws what {@link #epoch} would draw from {@code rng} for an epoch that is skipped (fit's initialEpoch), so the
     * epochs after it shuffle as in the run that never stopped. Sources whose order does not come from rng do nothing.
     */
    default void skipEpoch(boolean shuffle, SplittableRandom rng) {}

    /** Frees what the source keeps across epochs (a dataset's device feed); the default holds nothing. */
    @Override
    default void close() {}

    /** One epoch's batches; closing it ends the epoch early and frees what it holds. */
    interface Epoch extends AutoCloseable {
        /** The next batch, or null at the end of the epoch; valid until the next call. */
        HostBatch next();

        /** Passes over the next batch without assembling it (a resumed fit's skipped batches); false at the end of the epoch. */
        default boolean skip() { return next() != null; }

        /**
         * The factor the last batch's loss gradient is scaled by, 1 but for a data-parallel shard smaller or larger than
         * the mean shard of its global batch ({@link ShardedBatches}): so that averaging the ranks' gradients gives the
         * gradient of the mean loss over the global batch.
         */
        default float gradientWeight() { return 1f; }

        @Override
        default void close() {}
    }
}
