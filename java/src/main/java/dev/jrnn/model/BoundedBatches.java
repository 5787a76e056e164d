package dev.jrnn.model;

import java.util.SplittableRandom;

/**
 * Another batch source bounded by one of Keras' step counts:
 * <ul>
 *   <li>{@link #first}: each epoch is at most the first n batches of the source's epoch, from its start every time
 *       (Keras' {@code validation_steps}, evaluate's {@code steps});</li>
 *   <li>{@link #onward}: each epoch is the next n batches of the source, its passes going on from one epoch to the next;
 *       an epoch that reaches the end of a pass ends short and the next one starts a fresh pass, drawing a new shuffle
 *       (Keras' {@code steps_per_epoch}).</li>
 * </ul>
 * Either way an endless source is taken.
 */
final class BoundedBatches implements BatchSource {
    private final BatchSource source;
    private final int steps;
    private final boolean onward;
    /** With {@link #onward}: the source's pass being read, null before the first or after one ended. */
    private Epoch open;
    /** With {@link #onward}: the number of the next pass (the source's epoch number, which picks a data set's shuffle). */
    private int pass;
    /** With {@link #onward}: whether the last epoch ended short, its pass out of data (Keras warns then). */
    private boolean ranOut;

    private BoundedBatches(BatchSource source, int steps, boolean onward) {
        this.source = source;
        this.steps = steps;
        this.onward = onward;
    }

    /** At most the first {@code steps} batches of each epoch of {@code source}. */
    static BatchSource first(BatchSource source, int steps) {
        return steps > 0 ? new BoundedBatches(source, steps, false) : source;
    }

    /** Epochs of the next {@code steps} batches of {@code source}, its passes going on across epochs. */
    static BatchSource onward(BatchSource source, int steps) {
        return steps > 0 ? new BoundedBatches(source, steps, true) : source;
    }

    @Override
    public int batches() {
        if (onward) return steps;
        int all = source.batches();
        return all < 0 ? -1 : Math.min(steps, all);
    }

    @Override
    public boolean[] targets() { return source.targets(); }

    /** The step count this source is bounded by (Keras' {@code steps}, which its callbacks' params hold). */
    int steps() { return steps; }

    /** Whether the last epoch ended before its {@code steps} batches because its pass ran out of data. */
    boolean ranOut() { return ranOut; }

    @Override
    public Epoch epoch(int epoch, boolean shuffle, SplittableRandom rng) {
        Epoch inner = onward ? null : source.epoch(epoch, shuffle, rng);
        ranOut = false;
        return new Epoch() {
            private int taken;

            public HostBatch next() {
                if (taken >= steps) return null;
                HostBatch b = onward ? nextOnward(taken, shuffle, rng) : inner.next();
                if (b != null) taken++;
                else if (!onward) ranOut = true;   // the data ended before the steps asked for (validationSteps beyond it)
                return b;
            }

            @Override
            public float gradientWeight() { return onward ? (open == null ? 1f : open.gradientWeight()) : inner.gradientWeight(); }

            @Override
            public void close() {
                if (inner != null) inner.close();   // an onward pass stays open for the next epoch
            }
        };
    }

    /** The next batch of the open pass; at its end the epoch ends, or (none taken yet) a fresh pass starts. */
    private HostBatch nextOnward(int taken, boolean shuffle, SplittableRandom rng) {
        if (open != null) {
            HostBatch b = open.next();
            if (b != null) return b;
            open.close();
            open = null;
            if (taken > 0) {
                ranOut = true;
                return null;
            }
        }
        open = source.epoch(pass++, shuffle, rng);
        return open.next();
    }

    /** {@link #nextOnward} passing over the batch instead of assembling it; false where that gives null. */
    private boolean skipOnward(int taken, boolean shuffle, SplittableRandom rng) {
        if (open != null) {
            if (open.skip()) return true;
            open.close();
            open = null;
            if (taken > 0) return false;
        }
        open = source.epoch(pass++, shuffle, rng);
        return open.skip();
    }

    /** With {@link #onward}: numbers the passes from {@code first} (fit's first data epoch), before the first is opened. */
    void firstPass(int first) {
        if (onward && open == null) pass = first;
    }

    /** Passes over the batches a skipped epoch took (a resumed fit goes on where the first stopped). */
    @Override
    public void skipEpoch(boolean shuffle, SplittableRandom rng) {
        if (!onward) {
            source.skipEpoch(shuffle, rng);
            return;
        }
        for (int taken = 0; taken < steps; taken++) {
            if (!skipOnward(taken, shuffle, rng)) return;
        }
    }

    @Override
    public void close() {
        try {
            if (open != null) open.close();
            open = null;
        } finally {
            source.close();
        }
    }
}
