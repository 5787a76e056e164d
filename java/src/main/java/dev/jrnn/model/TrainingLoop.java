package dev.jrnn.model;

import dev.jrnn.Jrnn;

import java.io.Console;
import java.io.PrintStream;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Keras' fit loop: epochs of shuffled batches, each a {@link TrainStep} (captured into a CUDA graph by
 * {@link StepGraphCache} when it can be), the losses kept on the device in a {@link LossLog} and read
 * back as rarely as the progress bar and the callbacks allow, validation after each epoch, the callbacks'
 * hooks and {@link Model#stopTraining}.
 */
final class TrainingLoop {
    /** How often the live progress bar reads the losses back (a synchronizing download) at most. */
    private static final long READ_INTERVAL_NS = 100_000_000L;

    private final Model model;
    private final Setup s;
    private final TrainStep step;

    TrainingLoop(Model model, Setup s) {
        this.model = model;
        this.s = s;
        this.step = new TrainStep(s);
    }

    /**
     * Trains on {@code train} (validating on {@code val}, nullable) with options {@code o}; captures the
     * steps when {@code captureSteps}, calling {@code onCaptureBroken} when a step cannot be captured.
     */
    History fit(Data train, Data val, FitOptions o, boolean captureSteps, Runnable onCaptureBroken) {
        SplittableRandom rng = o.seed != null ? new SplittableRandom(o.seed) : Jrnn.nextRandom();
        PrintStream out = o.out != null ? o.out : System.out;
        Console console = System.console();
        boolean dynamic = o.out == null && console != null && console.isTerminal();   // redraw in place only on a terminal
        int n = train.n();
        int bs = Math.min(o.batchSize, n);
        int steps = (n + bs - 1) / bs;
        List<Callback> perBatch = o.callbacks.stream().filter(Callback::needsBatchEnd).toList();
        History h = new History();
        model.stopTraining(false);
        try (LossLog log = new LossLog(s, steps, train.ys());
             StepGraphCache graphs = captureSteps ? new StepGraphCache(s, step, onCaptureBroken) : null) {
            for (Callback cb : o.callbacks) cb.onTrainBegin(model);
            for (int epoch = 0; epoch < o.epochs; epoch++) {
                if (o.verbose > 0) out.println("Epoch " + (epoch + 1) + "/" + o.epochs);
                for (Callback cb : o.callbacks) cb.onEpochBegin(epoch, model);
                int[] order = train.rows().clone();
                if (o.shuffle) shuffle(order, rng);
                ProgressBar bar = new ProgressBar(out, steps, o.verbose, dynamic);
                EpochLogs acc = new EpochLogs(s, train.ys());
                log.reset();
                long lastRead = System.nanoTime();
                for (int b = 0; b < steps; b++) {
                    int from = b * bs, to = Math.min(n, from + bs);
                    long off = log.nextOffset();
                    long before = s.optimizer().iterations();
                    if (graphs != null) graphs.step(train, order, from, to, log.buf, off, log.guard, o.checkFinite);
                    else step.runEager(train, order, from, to, log.buf, off, acc, log.guard, o.checkFinite);
                    log.commit(to - from, new LossLog.At(s.name(), epoch, o.epochs, b, steps, h), before);
                    if (!perBatch.isEmpty()) {
                        double l = log.fold(acc);
                        for (Callback cb : perBatch) cb.onBatchEnd(b, l, model);
                    }
                    if (o.verbose == 1 && dynamic) {
                        long now = System.nanoTime();
                        if (log.pending() && now - lastRead >= READ_INTERVAL_NS) {
                            log.fold(acc);
                            lastRead = now;
                        }
                        bar.update(b + 1, acc.logs());
                    }
                }
                log.fold(acc);
                Map<String, Double> logs = acc.logs();
                if (val != null) {
                    for (Map.Entry<String, Double> e : new Inference(s).evaluate(val, bs).entrySet()) logs.put("val_" + e.getKey(), e.getValue());
                }
                bar.finish(logs);
                h.add(epoch, logs);
                for (Callback cb : o.callbacks) cb.onEpochEnd(epoch, Collections.unmodifiableMap(logs), model);
                if (model.stopTraining()) break;
            }
            for (Callback cb : o.callbacks) cb.onTrainEnd(model);
        }
        return h;
    }

    /** Fisher-Yates, drawing from {@code rng} as fit always has (so seeded runs repeat). */
    private static void shuffle(int[] order, SplittableRandom rng) {
        for (int i = order.length - 1; i > 0; i--) {
            int j = rng.nextInt(i + 1);
            int t = order[i];
            order[i] = order[j];
            order[j] = t;
        }
    }

    /** One eager train step on all of {@code d}, as Keras' train_on_batch: returns the loss before the update. */
    double trainOnBatch(Data d) {
        try (LossLog log = new LossLog(s, 1, d.ys())) {
            long off = log.nextOffset();
            long before = s.optimizer().iterations();
            step.runEager(d, d.rows(), 0, d.n(), log.buf, off, null, log.guard, true);
            log.commit(d.n(), new LossLog.At(s.name(), -1, 0, -1, 0, null), before);
            return log.fold(new EpochLogs(s, d.ys()));
        }
    }
}
