package dev.jrnn.model;

import dev.jrnn.Jrnn;

import java.io.Console;
import java.io.OutputStream;
import java.io.PrintStream;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.TreeSet;

/**
 * Keras' fit loop: epochs of shuffled batches, each a {@link TrainStep} (captured into a CUDA graph by
 * {@link StepGraphCache} when it can be), the losses kept on the device in a {@link LossLog} and read
 * back as rarely as the progress bar and the callbacks allow, validation after each epoch, the callbacks'
 * hooks and {@link Model#stopTraining}. {@link Thread#interrupt} stops it between two batches, whatever the data's source,
 * and a failure the interrupt caused elsewhere (a callback's save, the validation's wait for a batch) is the same stop
 * ({@link #interrupted}).
 */
final class TrainingLoop {
    /** How often the live progress bar reads the losses back (a synchronizing download) at most. */
    private static final long READ_INTERVAL_NS = 100_000_000L;

    private final Model model;
    private final Setup s;
    private final TrainStep step;
    /** The interrupt exception this loop threw, passed on as it is. */
    private IllegalStateException stopped;

    TrainingLoop(Model model, Setup s) {
        this.model = model;
        this.s = s;
        this.step = new TrainStep(s);
    }

    /**
     * Trains on the batches of {@code train} (validating on {@code val}, nullable) with options {@code o};
     * captures the steps when {@code captureSteps}, calling {@code onCaptureBroken} when a step cannot be captured.
     */
    History fit(BatchSource train, BatchSource val, FitOptions o, boolean captureSteps, Runnable onCaptureBroken) {
        s.penalties();   // bad regularizer settings fail before states, callbacks or a backup's restore change anything
        if (o.communicator == null) return fitBounded(train, val, o, captureSteps, onCaptureBroken, null);
        DistributedFit dp = new DistributedFit(s, o.communicator, o.bucketBytes);
        try {
            return fitBounded(dp.shard(train), val, o, captureSteps, onCaptureBroken, dp);
        } catch (RuntimeException e) {
            throw dp.failed(e);
        } catch (Error e) {
            dp.failed(new IllegalStateException(e.toString(), e));   // tell the others; the Error itself goes on
            throw e;
        }
    }

    /** With {@link FitOptions#stepsPerEpoch}, epochs of that many (sharded) batches going on across passes. */
    private History fitBounded(BatchSource train, BatchSource val, FitOptions o, boolean captureSteps, Runnable onCaptureBroken,
                               DistributedFit dp) {
        BatchSource bounded = BoundedBatches.onward(train, o.stepsPerEpoch);
        try {
            return fit(bounded, val, o, captureSteps, onCaptureBroken, dp);
        } finally {
            if (bounded != train) bounded.close();   // the pass left open; the caller closes the source again, harmlessly
        }
    }

    private History fit(BatchSource train, BatchSource val, FitOptions o, boolean captureSteps, Runnable onCaptureBroken,
                        DistributedFit dp) {
        s.metrics().build();   // Keras builds its compiled metrics as fit starts (even of no epoch), drawing the names' numbers
        int steps = train.batches();
        boolean[] targets = train.targets();
        Set<String> logKeys = logKeys(targets, val);
        checkCheckpointFields(o.callbacks, logKeys, new LinkedHashSet<>(new EpochLogs(s, targets).logs().keySet()));   // before the backup's restore: a refused fit leaves the model as it was
        for (Callback cb : o.callbacks) if (cb instanceof ModelCheckpoint c) c.checkFormat(model);
        // Keras 3 refuses a monitor mode "auto" cannot place at the first epoch's end; here before any update (no epoch: no refusal)
        if (o.initialEpoch < o.epochs) MonitorDirection.check(o.callbacks, model, logged(logKeys, o.callbacks));
        // Keras 3.15.1 refuses at the first swap; here before a backup's restore or any callback's onTrainBegin changes anything
        SwapEMAWeights.check(o.callbacks, model);
        int initialEpoch = o.initialEpoch;
        if (Interruption.flagSet()) throw interrupted("before it started", null);   // before a backup or a callback changes anything
        BackupAndRestore backup = null;
        for (Callback cb : o.callbacks) if (cb instanceof BackupAndRestore b && backup == null) backup = b;
        if (backup != null) {
            if (dp != null) throw new IllegalArgumentException(s.name() + ".fit: BackupAndRestore does not take data-parallel fit");
            int done = backup.restore(model);
            if (done > 0) initialEpoch = Math.min(done, o.epochs);
        }
        // The data's epochs (with stepsPerEpoch its passes) are numbered on from the epochs this model has run: a fit without
        // initialEpoch opens a fresh one at that count (Keras reshuffles at every fit call, a new iterator). A fit with it goes
        // on as the run that began initialEpoch epochs before the count, the skipped epochs' shuffles and passes replayed, so
        // a resume (initialEpoch, a backup's restore) replays the fit it resumes, from 0 over a model that ran fewer epochs.
        int firstKey = Math.max(0, model.fitEpochs() - initialEpoch);
        // before any epoch trains or a callback starts; after a backup's restore, whose count the key comes from
        if (initialEpoch < o.epochs) checkKey(Math.addExact(firstKey, initialEpoch), initialEpoch);
        // Data-parallel ranks shuffle alike: the same seed everywhere (0 without one, as PyTorch's DistributedSampler).
        Long seed = o.seed != null ? o.seed : initialEpoch > 0 ? model.fitSeed() : dp != null ? Long.valueOf(0L) : null;
        if (seed == null && backup != null) seed = Jrnn.nextRandom().nextLong();   // a backup resumes exactly from a known seed
        if (o.seed != null || backup != null) model.fitSeed(seed);
        SplittableRandom rng = seed == null ? Jrnn.nextRandom() : firstKey == 0 ? new SplittableRandom(seed) : afterFits(seed, firstKey);
        if (train instanceof BoundedBatches bounded) bounded.firstPass(firstKey);
        PrintStream out = o.out != null ? o.out : System.out;
        int verbose = dp != null && dp.rank() != 0 ? 0 : o.verbose;   // one progress bar: rank 0's
        List<Callback> callbacks = dp == null ? o.callbacks : dp.callbacks(o.callbacks);
        Console console = System.console();
        boolean dynamic = o.out == null && console != null && console.isTerminal();   // redraw in place only on a terminal
        History h = new History();
        FitParams params = new FitParams(o.verbose, o.epochs, steps < 0 ? null : steps, o.verboseAuto);
        h.params(params);
        boolean warnedRanOut = false, warnedValRanOut = false;
        model.stopTraining(false);
        PrintStream none = new PrintStream(OutputStream.nullOutputStream());
        boolean quietRank = dp != null && dp.rank() != 0;   // one process speaks, as one progress bar
        // a fit inside a callback's fit gives the outer one its streams back
        Trainer.FitMessages outer = model.fitMessages(quietRank ? new Trainer.FitMessages(none, none) : new Trainer.FitMessages(out, System.err));
        Place at = new Place(o.epochs);   // where fit is: an interrupt that makes a callback or the data fail stopped it there
        boolean epochEnd = false;   // validating or in onEpochEnd: any failure while the flag is set is the interrupt's (a save refused)
        try (LossLog log = new LossLog(s, steps < 0 ? LossLog.UNKNOWN_CAPACITY : steps, targets);
             // a custom loss reads the predictions back on the host: its steps run eagerly
             StepGraphCache graphs = captureSteps && s.losses().stream().allMatch(l -> l == null || l.customFunction() == null)
                     ? new StepGraphCache(s, step, onCaptureBroken) : null) {
            if (dp != null) {
                step.distributed(dp);
                dp.broadcastWeights();
            }
            for (Callback cb : callbacks) cb.setParams(params);
            for (Callback cb : callbacks) cb.onTrainBegin(model);
            stillOpen("onTrainBegin");
            Map<String, Double> lastLogs = Map.of();
            int skip = initialEpoch < o.epochs ? initialEpoch : 0;
            for (int epoch = 0; epoch < skip; epoch++) train.skipEpoch(o.shuffle, rng);   // the skipped epochs' shuffles
            for (int epoch = initialEpoch; epoch < o.epochs; epoch++) {
                if (epoch > initialEpoch) stillOpen("onEpochEnd");   // closing after the last epoch is fine
                int key = Math.addExact(firstKey, epoch);   // this epoch's data epoch key
                checkKey(key, initialEpoch);
                String ofEpoch = " of epoch " + (epoch + 1) + "/" + o.epochs;
                at.set(Place.Phase.BEFORE_BATCH, epoch, 0);
                for (Callback cb : callbacks) cb.onEpochBegin(epoch, model);
                stillOpen("onEpochBegin");
                // Keras 3's ProgbarLogger, the last callback: after the others' onEpochBegin, and only for several epochs
                if (verbose > 0 && o.epochs > 1) out.println("Epoch " + (epoch + 1) + "/" + o.epochs);
                ProgressBar bar = new ProgressBar(out, steps, verbose, dynamic).format(o.progressFormat);
                EpochLogs acc = new EpochLogs(s, targets);
                log.reset();
                long lastRead = System.nanoTime();
                try (BatchSource.Epoch batches = train.epoch(key, o.shuffle, rng)) {
                    HostBatch batch;
                    for (int b = 0; (batch = next(batches, b, steps, ofEpoch)) != null; b++) {
                        at.set(Place.Phase.BEFORE_BATCH, epoch, b);
                        log.makeRoom(acc);   // a source of unknown length: read back and reuse the rows
                        if (!callbacks.isEmpty()) {
                            for (Callback cb : callbacks) cb.onBatchBegin(b, model);
                            stillOpen("onBatchBegin");
                        }
                        model.ensureStore();   // a callback may have frozen or unfrozen a layer: the next step follows it
                        long off = log.nextOffset();
                        long before = s.optimizer().iterations();
                        float w = batches.gradientWeight();
                        step.gradientWeight(w);
                        // a captured step has no place for per-batch sample weights: those batches run eagerly
                        if (graphs != null && w == 1f && batch.weights() == null) graphs.step(batch, log.buf, off, log.guard, o.checkFinite);
                        else step.runEager(batch, log.buf, off, acc, log.guard, o.checkFinite);
                        if (dp != null) dp.afterStep();
                        log.commit(batch.size(), new LossLog.At(s.name(), epoch, o.epochs, b, steps, h), before);
                        bar.advance(batch.size());
                        at.set(Place.Phase.AFTER_BATCH, epoch, b);
                        if (!callbacks.isEmpty()) {
                            BatchLogs bl = new BatchLogs(batch.size(), () -> log.fold(acc), acc::logs);
                            try {
                                for (Callback cb : callbacks) cb.onBatchEnd(b, bl, model);
                            } finally {
                                bl.close();
                            }
                            stillOpen("onBatchEnd");
                        }
                        if (dp == null && model.stopTraining()) break;   // Keras stops after the batch; ranks agree at the epoch's end
                        if (verbose == 1 && dynamic) {
                            long now = System.nanoTime();
                            if (log.pending() && now - lastRead >= READ_INTERVAL_NS) {
                                log.fold(acc);
                                lastRead = now;
                            }
                            bar.update(b + 1, acc.logs());
                        }
                    }
                }
                // the next data epoch's key, before the callbacks' saves: a model saved now goes on after this epoch, and one
                // resumed from it with initialEpoch epoch + 1 keys from this fit's firstKey again
                model.fitEpochs(Math.addExact(key, 1));
                log.fold(acc);
                // Keras' EpochIterator warns so (once, as Python's warnings), whatever the verbosity, and goes on
                if (train instanceof BoundedBatches bounded && bounded.ranOut() && !warnedRanOut) {
                    warnedRanOut = true;
                    model.fitWarnings().println("WARNING: " + s.name() + ".fit: your input ran out of data in epoch " + (epoch + 1)
                            + " after fewer than stepsPerEpoch " + o.stepsPerEpoch + " batches; the next epoch starts a fresh pass. "
                            + "Make sure the data can give at least stepsPerEpoch * epochs batches (repeat() the Dataset)");
                }
                if (dp != null) {
                    dp.sumOverRanks(acc);
                    dp.averageState();
                }
                Map<String, Double> logs = acc.logs();
                java.util.Set<String> trainingKeys = java.util.Set.copyOf(logs.keySet());
                epochEnd = true;
                if (val != null && o.validates(epoch)) {
                    at.set(Place.Phase.VALIDATING, epoch, 0);
                    Map<String, Double> v = new Inference(s).evaluate(val, callbacks, model, this::stillOpen, Inference.Call.EVALUATE);
                    if (val instanceof BoundedBatches vb && vb.ranOut() && !warnedValRanOut) {   // as Keras' EpochIterator
                        warnedValRanOut = true;
                        model.fitWarnings().println("WARNING: " + s.name() + ".fit: the validation data ran out in epoch " + (epoch + 1)
                                + " after fewer than validationSteps " + o.validationSteps + " batches; validated on the batches it has."
                                + " Make sure it can give validationSteps batches (repeat() the Dataset)");
                    }
                    for (Map.Entry<String, Double> e : v.entrySet()) logs.put("val_" + e.getKey(), e.getValue());
                    logs = EpochLogs.sorted(logs);   // Keras sorts the merged logs ("word_loss" after "val_loss")
                }
                // As Keras 3: the callbacks share one map and may add to it (ReduceLROnPlateau's "learning_rate"),
                // and the progress bar and History, the last callbacks there, show and record it after them.
                // Keras' on_train_end gets the last epoch's logs as fit made them: pythonify_logs gave the callbacks a copy
                lastLogs = Map.copyOf(logs);
                at.set(Place.Phase.EPOCH_END, epoch, 0);
                for (Callback cb : callbacks) cb.onEpochEnd(epoch, logs, model);
                epochEnd = false;
                bar.finish(logs, trainingKeys);
                h.add(epoch, logs);
                if (dp != null && dp.anyRankStops(model.stopTraining())) model.stopTraining(true);   // else the others would wait
                if (model.stopTraining()) break;
            }
            // Keras' fit (TF, torch) after its last epoch, before on_train_end: use_ema's average becomes the weights
            if (o.epochs > 0) s.optimizer().finalizeVariableValues(s.params().store, s.params().trainableSize);
            Map<String, Double> endLogs = java.util.Collections.unmodifiableMap(EpochLogs.sorted(lastLogs));
            at.set(Place.Phase.TRAIN_END, 0, 0);
            for (Callback cb : callbacks) cb.onTrainEnd(endLogs, model);
        } catch (RuntimeException e) {
            // a callback's save refused on the interrupted thread is the interrupt's stop, as a caller cancelling fit expects
            RuntimeException r = e == stopped || model.closed() || !(Interruption.caused(e) || epochEnd && Interruption.flagSet())
                    ? e : interrupted(at.toString(), e);
            FailureAwareCallback.tell(callbacks, r, model);   // Keras calls no on_train_end: a SwapEMAWeights swaps back, a TensorBoard closes its files
            throw r;
        } catch (Error e) {
            FailureAwareCallback.tell(callbacks, e, model);
            throw e;
        } finally {
            model.fitMessages(outer);
        }
        return h;
    }

    /**
     * Where fit is, for the message of an interrupt that lands in a callback or the data: set at every step, put in words
     * only when a message needs it (a string per step would be garbage on every batch of every fit).
     */
    private static final class Place {
        enum Phase { TRAIN_BEGIN, BEFORE_BATCH, AFTER_BATCH, VALIDATING, EPOCH_END, TRAIN_END }

        private final int epochs;
        private Phase phase = Phase.TRAIN_BEGIN;
        private int epoch, batch;

        Place(int epochs) { this.epochs = epochs; }

        /** At {@code phase} of epoch {@code epoch} (from 0), batch {@code batch} (from 0) where the phase has one. */
        void set(Phase phase, int epoch, int batch) {
            this.phase = phase;
            this.epoch = epoch;
            this.batch = batch;
        }

        @Override
        public String toString() {
            String ofEpoch = " of epoch " + (epoch + 1) + "/" + epochs;
            return switch (phase) {
                case TRAIN_BEGIN -> "in onTrainBegin";
                case BEFORE_BATCH -> "before batch " + (batch + 1) + ofEpoch;
                case AFTER_BATCH -> "after batch " + (batch + 1) + ofEpoch;
                case VALIDATING -> "while validating after epoch " + (epoch + 1) + "/" + epochs;
                case EPOCH_END -> "in the onEpochEnd callbacks" + ofEpoch;
                case TRAIN_END -> "in onTrainEnd, after the last epoch";
            };
        }
    }

    /**
     * Refuses a data epoch key at {@link Trainer#MAX_FIT_EPOCHS}: the key after it could not be saved and loaded again. The key
     * is max(the model's count, initialEpoch) for a fit's first epoch and the model's count for a later one, so either the
     * model has run the limit (no fit of it can go on: no initialEpoch lowers a key below the count) or initialEpoch is
     * past it.
     */
    private void checkKey(int key, int initialEpoch) {
        if (key < Trainer.MAX_FIT_EPOCHS) return;
        String head = s.name() + ".fit: data epoch key " + key + " reaches the limit " + Trainer.MAX_FIT_EPOCHS + ": ";
        if (model.fitEpochs() >= Trainer.MAX_FIT_EPOCHS) {
            throw new IllegalStateException(head + "the model has run " + model.fitEpochs() + " data epochs (its fit_epochs, "
                    + "the most a model's fits may run) and cannot be fit again; to train on, build a fresh model and copy "
                    + "the weights with setWeights");
        }
        throw new IllegalStateException(head + "initialEpoch " + initialEpoch + " is at or past it (the model has run "
                + model.fitEpochs() + " data epochs)");
    }

    /**
     * A seeded fit's shuffle stream for a fit whose first data epoch key is {@code fits}: another stream than the seed's own
     * and than any other key's (split from the seed's stream after that many draws, at most {@link Trainer#MAX_FIT_EPOCHS}).
     * Computed, not drawn: a draw adds the stream's gamma to its state, and {@code new SplittableRandom(seed)}'s gamma is
     * the golden one, so after {@code fits} draws the state is {@code seed + fits * GOLDEN_GAMMA}, which that seed's new
     * stream starts from (the loop it replaces took up to 2^24 draws: 10 to 40 ms on a fresh JVM, the JIT's work besides).
     */
    static SplittableRandom afterFits(long seed, int fits) {
        return new SplittableRandom(seed + fits * GOLDEN_GAMMA).split();
    }

    /** SplittableRandom's own GOLDEN_GAMMA (private there): the increment of a stream made from a seed alone. */
    private static final long GOLDEN_GAMMA = 0x9e3779b97f4a7c15L;

    /** The names every epoch's logs will hold: the training loss and metrics, and "val_" ones with validation data. */
    private Set<String> logKeys(boolean[] targets, BatchSource val) {
        Set<String> keys = new TreeSet<>(new EpochLogs(s, targets).logs().keySet());
        if (val != null) for (String k : new EpochLogs(s, val.targets()).logs().keySet()) keys.add("val_" + k);
        return new LinkedHashSet<>(keys);
    }

    /**
     * Each ModelCheckpoint's filepath fields against the keys its epoch logs will hold, before epoch 1's updates:
     * the loss and metrics, and "learning_rate" where a callback before it adds that (as Keras' order decides).
     * After a user's callback, which may add any key, only the file name is checked here. A checkpoint saving every N
     * batches checks against {@code batchKeys}, the training loss and metrics its batch logs hold.
     */
    private static void checkCheckpointFields(List<Callback> callbacks, Set<String> logKeys, Set<String> batchKeys) {
        Set<String> keys = new LinkedHashSet<>(logKeys);
        for (Callback cb : callbacks) {
            if (cb instanceof ModelCheckpoint c) c.checkFields(keys, batchKeys);
            if (!(cb instanceof KnownLogs k)) keys = null;   // may add any key: the checkpoints after it check when they format
            else if (keys != null) keys.addAll(k.logsAdded());
        }
    }

    /** {@code logKeys} and the keys jrnn's callbacks add ("learning_rate"), sorted as Keras' logs. */
    private static Set<String> logged(Set<String> logKeys, List<Callback> callbacks) {
        Set<String> keys = new TreeSet<>(logKeys);
        for (Callback cb : callbacks) if (cb instanceof KnownLogs k) keys.addAll(k.logsAdded());
        return keys;
    }

    /**
     * Batch {@code b} (from 0) of an epoch of {@code steps} batches (-1: unknown), unless the thread is interrupted: a fit from
     * tensors and one from a Dataset (whose prefetching {@code BatchStream} is interrupted in its wait for the next batch)
     * stop alike, between two steps. After the last batch it stops before the epoch's end: a save there would be refused
     * on the interrupted thread anyway, and a cancel should not wait for a validation pass.
     */
    private HostBatch next(BatchSource.Epoch batches, int b, int steps, String ofEpoch) {
        if (Interruption.flagSet()) throw interrupted(before(b, steps, ofEpoch), null);
        try {
            return batches.next();
        } catch (RuntimeException e) {
            if (Interruption.flagSet() || Interruption.caused(e)) throw interrupted(before(b, steps, ofEpoch), e);
            throw e;
        }
    }

    /** Where fit stands before batch {@code b} (from 0): a batch that exists, or after the last one. */
    private static String before(int b, int steps, String ofEpoch) {
        if (b == 0) return "before batch 1" + ofEpoch;
        if (steps >= 0 && b >= steps) return "after the last batch (" + b + ")" + ofEpoch + ", before its end (validation and onEpochEnd did not run)";
        if (steps >= 0) return "before batch " + (b + 1) + ofEpoch;
        return "after batch " + b + ofEpoch;   // of unknown length: a next batch may not exist
    }

    /**
     * What fit throws when its thread is interrupted ({@code Future.cancel(true)}, an executor's shutdownNow): the
     * model holds the weights and optimizer state of the last completed step and can predict, save or fit again; the flag
     * stays set (save and load refuse to start while it is, with an InterruptedIOException).
     */
    private IllegalStateException interrupted(String where, Throwable cause) {
        stopped = Interruption.stop(s.name(), "fit", where, "the model holds the weights of the last completed batch and can be used or fit again", cause);
        return stopped;
    }

    /** A callback that closed the model ends fit here, before a step would use the freed weights. */
    private void stillOpen(String hook) {
        if (model.closed()) {   // by this thread: another's close is refused while fit runs (CallGuard)
            throw new IllegalStateException(s.name() + ".fit: the model was closed by a callback (in " + hook
                    + "); close it after fit returns");
        }
    }

    /**
     * One eager train step on all of {@code d}, as Keras' train_on_batch: returns the loss (total and per output) and the
     * metrics of the batch before the update.
     */
    Map<String, Double> trainOnBatch(Data d) {
        s.penalties();
        EpochLogs acc = new EpochLogs(s, d.targets());
        s.metrics().build();
        try (LossLog log = new LossLog(s, 1, d.targets())) {
            long off = log.nextOffset();
            long before = s.optimizer().iterations();
            step.runEager(d.batch(d.rows(), 0, d.n(), s.outputs()), log.buf, off, acc, log.guard, true);
            log.commit(d.n(), new LossLog.At(s.name(), -1, 0, -1, 0, null), before);
            log.fold(acc);
        }
        return acc.logs();
    }
}
