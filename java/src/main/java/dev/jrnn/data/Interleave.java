package dev.jrnn.data;

import java.io.IOException;
import java.util.Iterator;
import java.util.NoSuchElementException;

/**
 * tf.data's {@code flat_map} and {@code interleave} in its deterministic order: a data set from each sample of the input,
 * {@code cycleLength} of them open at once, {@code blockLength} samples taken from each in turn; an ended one's slot takes
 * the next input sample's data set when the cycle comes back to it (TensorFlow's InterleaveDataset). {@code flat_map} is a
 * cycle of one. Each inner data set is read as its epoch 0, as tf.data's fresh inner iterators (a seeded shuffle in it gives
 * the same order every time; TF 2.21 gives that only for one built inside the function, and reshuffles a captured one).
 */
final class Interleave {
    private Interleave() {}

    /** {@link Dataset#interleave} ({@code op} "interleave") or {@link Dataset#flatMap} (a cycle of 1): a stream, its count unknown as tf.data's. */
    static Dataset of(Dataset d, DatasetFunction f, int cycleLength, int blockLength, String op) {
        d.beforeBatch(op, "it reads data sets of samples; " + op + ", then batch");
        DatasetSources.notNull(op, "function", f);
        if (cycleLength < 1) throw new IllegalArgumentException("Dataset." + op + ": cycleLength must be >= 1, got " + cycleLength);
        if (blockLength < 1) throw new IllegalArgumentException("Dataset." + op + ": blockLength must be >= 1, got " + blockLength);
        Learned learned = new Learned();
        Dataset s = ElementOps.streamed(d, src -> e -> stream(src.apply(e), f, cycleLength, blockLength, op, learned), -1, null);
        s.scalar = null;   // the inner data sets' parts batch as their samples come
        s.inputNames = s.targetNames = s.weightNames = null;   // the inner sets' parts, not this set's: name the result
        s.nullTargets = java.util.List.of();
        s.namesDroppedBy = null;
        s.innerScalars = learned;
        return s;
    }

    /**
     * Which parts of the inner data sets hold one value per sample (tf.data's rank 0), learned from the first one opened:
     * tf.data knows the element spec at the call, jrnn when the function first runs, so paddedBatch's rank check
     * ({@code {}} only for such a part) is made at the first batch. Null while unknown (also for an inner stream of unknown parts).
     */
    static final class Learned {
        private volatile boolean[] flags;

        boolean[] flags() { return flags; }

        private void learn(Dataset inner) {
            boolean[] f = inner.table != null ? EpochPlan.scalars(inner.table) : inner.scalar != null ? inner.scalar
                    : inner.innerScalars != null ? inner.innerScalars.flags() : null;
            if (flags == null && f != null) flags = f.clone();
        }
    }

    private static StreamOps.Stream stream(StreamOps.Stream src, DatasetFunction f, int cycle, int block, String op, Learned learned) {
        StreamOps.Stream[] slots = new StreamOps.Stream[cycle];
        return StreamOps.over(new Iterator<>() {
            int at, inBlock, open;   // the slot read now, the samples taken from it in this block, the slots open
            boolean inputEnded;
            Sample next;

            public boolean hasNext() {
                while (next == null && (!inputEnded || open > 0)) {
                    if (slots[at] != null) {
                        if (slots[at].hasNext()) {
                            next = slots[at].next();
                            if (++inBlock == block) advance();
                        } else {   // this data set ended: its slot waits for the next input sample
                            StreamOps.Stream done = slots[at];
                            slots[at] = null;
                            open--;
                            done.close();
                            advance();
                        }
                    } else if (!inputEnded && src.hasNext()) {
                        slots[at] = inner(f, src.next(), op, learned);
                        open++;
                    } else {
                        inputEnded = true;
                        advance();
                    }
                }
                return next != null;
            }

            private void advance() {
                inBlock = 0;
                at = (at + 1) % cycle;
            }

            public Sample next() {
                if (!hasNext()) throw new NoSuchElementException();
                Sample s = next;
                next = null;
                return s;
            }
        }, () -> {
            RuntimeException failed = null;
            for (int i = 0; i < cycle; i++) {
                try {
                    if (slots[i] != null) slots[i].close();
                } catch (RuntimeException e) {
                    if (failed == null) failed = e;
                }
                slots[i] = null;
            }
            src.close();
            if (failed != null) throw failed;
        });
    }

    /** The samples of {@code f}'s data set for {@code s}, its files checked as an epoch checks them; failures name the sample. */
    private static StreamOps.Stream inner(DatasetFunction f, Sample s, String op, Learned learned) {
        Dataset d;
        try {
            d = f.apply(s);
        } catch (IOException | RuntimeException e) {
            throw new DataException(s.where(), "the " + op + " function failed: " + e, e);
        }
        if (d == null) throw new DataException(s.where(), "the " + op + " function returned null; give a Dataset of the sample's samples", null);
        if (d.batched) {
            throw new DataException(s.where(), "the " + op + " function gave a batched data set (" + d + "); give it unbatched and"
                    + " batch after " + op + " (tf.data would nest the batches)", null);
        }
        try {
            for (Table t : d.table != null ? java.util.List.of(d.table) : d.reads) {
                t.check();
                t.checkDtypes(d.float32);
            }
        } catch (IOException e) {
            throw new DataException(s.where(), "the " + op + " function's data set: " + e.getMessage(), e);
        }
        learned.learn(d);
        return EpochPlan.samples(d).apply(0);
    }
}
