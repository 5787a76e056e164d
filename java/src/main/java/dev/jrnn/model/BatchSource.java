package dev.jrnn.model;

import java.util.SplittableRandom;

/**
 * Where the fit loop takes its batches from, an epoch at a time: {@link DataBatches} serves checked
 * in-memory tensors; a streaming dataset can serve the same calls.
 */
interface BatchSource {
    /** The number of batches in an epoch. */
    int batches();

    /** Which outputs have targets (the same in every batch). */
    boolean[] targets();

    /** Starts an epoch: the order of the samples, shuffled with {@code rng} when {@code shuffle}. */
    void startEpoch(boolean shuffle, SplittableRandom rng);

    /** Batch {@code i} of the current epoch. */
    HostBatch batch(int i);
}
