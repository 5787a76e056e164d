package dev.jrnn.model;

import dev.jrnn.backend.Backend;
import dev.jrnn.backend.Buf;
import dev.jrnn.backend.Cleanup;
import dev.jrnn.backend.GraphCapture;
import dev.jrnn.layers.ParamStore;
import dev.jrnn.layers.TrainableFlags;
import dev.jrnn.optim.Optimizer;

import java.util.HashMap;
import java.util.Map;

/**
 * The captured train steps of one fit, one per batch shape. Each has fixed device buffers for the
 * batch (inputs, length mask, targets) and for its losses: the first step of a size runs eagerly on
 * them (warm-up: cuBLAS and the pool's caches, the optimizer's state), the second is captured and
 * replayed, and every later batch of that size is copied into the same buffers and replayed, which
 * also advances the device-side counters (Adam's t, Dropout's draws). A changed optimizer setting,
 * optimizer/store or regularizer re-captures; a step that cannot be captured (a synchronizing call inside a layer)
 * runs eagerly from then on and calls {@code onBroken} (the model then runs later fits eagerly); the CPU
 * backend cannot capture and runs every step eagerly.
 */
final class StepGraphCache implements AutoCloseable {
    private final Setup s;
    private final Backend backend;
    private final TrainStep step;
    private final Runnable onBroken;
    /** By the batch's shapes (a dataset's ragged batches of one size differ in their timesteps). */
    private final Map<String, Entry> entries = new HashMap<>();
    private boolean off;
    /** {@link TrainableFlags#changes()} when {@link #flags} was read: the flags are read again only after some flag changed. */
    private long flagsSeen = Long.MIN_VALUE;
    private String flags;

    StepGraphCache(Setup s, TrainStep step, Runnable onBroken) {
        this.s = s;
        this.backend = s.backend();
        this.step = step;
        this.onBroken = onBroken;
    }

    private static final class Entry implements AutoCloseable {
        Batch fixed;
        Buf loss;
        boolean warmedUp;
        GraphCapture graph;
        Optimizer forOptimizer;
        ParamStore forStore;
        long forVersion;
        /**
         * The optimizer's version at this entry's last step: a step whose settings changed since (a schedule whose rate
         * moves every step, a callback's new rate) runs eagerly, and only a step with the same settings as the one before
         * is captured, so a rate that changes every step never pays a capture per step (worse than eager).
         */
        long seenVersion = Long.MIN_VALUE;
        Optimizer seenOptimizer;
        Buf forGuard;
        boolean forCheck;
        /** The model's trainable flags the step was captured under ({@link TrainableFlags#of}). */
        String forTrainable;
        /** The penalty plan the captured step (and the loss buffer's penalty column) was made with. */
        Penalties forPenalties;

        void dropGraph() {
            if (graph != null) graph.close();
            graph = null;
        }

        @Override
        public void close() {
            try {
                dropGraph();
            } finally {
                try {
                    if (fixed != null) fixed.close();
                } finally {
                    if (loss != null) loss.close();
                }
            }
        }
    }

    /** The train step on {@code h}; its losses and guard go to {@code lossOut[lossOff..]}. */
    void step(HostBatch h, Buf lossOut, long lossOff, Buf guard, boolean check) {
        Penalties penalties = s.penalties();
        if (off || penalties.hasConstraints()) {   // nothing can be captured (constraints project on the host): no fixed buffers
            step.runEager(h, lossOut, lossOff, null, guard, check);
            return;
        }
        Optimizer optimizer = s.optimizer();
        // gradient accumulation and EMA queue other ops on other calls (accumulate or update, ...), decided on the host from
        // the call count: one graph per phase, each replayed only in its phase (device counters such as Adam's t advance
        // inside the update's kernels, so only the update phase's replays move them)
        int phase = optimizer.capturePhase();
        if (phase < 0) {   // a phase of the first calls only (see Optimizer.capturePhase)
            step.runEager(h, lossOut, lossOff, null, guard, check);
            return;
        }
        String key = shapes(h) + "#" + phase;
        Entry e = entries.get(key);
        if (e == null) {
            e = new Entry();
            entries.put(key, e);
            e.fixed = new Batch(backend, h, true);
            e.loss = backend.alloc(LossLog.width(s));
        } else {
            e.fixed.refill(h);
        }
        if (e.forPenalties != penalties) {   // new rules (a callback set a regularizer): the captured step has the old ones
            e.dropGraph();
            backend.fill(e.loss, 0, LossLog.width(s), 0f);   // a step without regularizers leaves its penalty column as it is
            e.forPenalties = penalties;
        }
        long version = optimizer.version();
        boolean steady = version == e.seenVersion && optimizer == e.seenOptimizer;
        e.seenVersion = version;
        e.seenOptimizer = optimizer;
        if (e.graph != null && (e.forOptimizer != optimizer || e.forStore != s.params().store || e.forVersion != version
                || e.forGuard != guard || e.forCheck != check
                || !e.forTrainable.equals(trainableFlags()))) {
            e.dropGraph();
        }
        if (e.graph != null) {
            e.graph.replay();
            optimizer.countReplayedStep();
        } else if (off || !e.warmedUp || !stateReady(optimizer) || !steady) {
            boolean binds = !e.warmedUp || !stateReady(optimizer);
            step.run(e.fixed, h, e.loss, 0, null, guard, check);
            e.warmedUp = true;
            if (binds) e.seenVersion = optimizer.version();   // binding the optimizer's state to the store is no change of settings
        } else {
            capture(e, h, guard, check, version);
        }
        backend.copy(e.loss, 0, lossOut, lossOff, LossLog.width(s));
    }

    /** This model's trainable flags: a frozen BatchNormalization runs on its moving statistics, which a captured step holds. */
    private String trainableFlags() {
        long changes = TrainableFlags.changes();
        if (changes != flagsSeen) {
            flags = TrainableFlags.of(s.graph().runLayers);   // a layer only a nested call's unused branch runs is captured too
            flagsSeen = changes;
        }
        return flags;
    }

    /**
     * Whether the optimizer's state is bound to the store as it is now: a store regrouped since the warm-up (a layer frozen
     * or unfrozen) or a new optimizer would allocate and fill its state inside the capture, and every replay would
     * reset it; such a step runs eagerly first.
     */
    private boolean stateReady(Optimizer optimizer) {
        Parameters ps = s.params();
        return ps.trainableSize == 0 || optimizer.boundTo(ps.store, ps.trainableSize);
    }

    private static String shapes(HostBatch h) {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < h.inputs(); i++) b.append(java.util.Arrays.toString(h.xShape(i)));
        b.append(h.mask() == null ? "-" : "m");
        for (dev.jrnn.tensor.Tensor y : h.ys()) b.append(y == null ? "-" : java.util.Arrays.toString(y.shape()));
        return b.toString();
    }

    /** Captures the step and replays it; {@code version}: the optimizer's settings it runs with, read before the step. */
    private void capture(Entry e, HostBatch h, Buf guard, boolean check, long version) {
        Optimizer optimizer = s.optimizer();
        long iterations = optimizer.iterations();
        GraphCapture g;
        s.params().store.grads();   // allocated on first use: here, outside the capture, when a new store skipped the eager step
        if (check || !s.params().state.isEmpty()) s.params().backup();   // so is the guarded step's backup
        try {
            g = backend.capture(() -> step.run(e.fixed, h, e.loss, 0, null, guard, check));
        } catch (RuntimeException ex) {
            optimizer.iterations(iterations);   // the captured step never ran
            off = true;
            onBroken.run();
            System.getLogger(Model.class.getName()).log(System.Logger.Level.WARNING, s.name() + ": the train step could not be"
                    + " captured into a CUDA graph, running it eagerly (" + ex + ")");
            g = null;
        }
        if (g == null) {   // the backend cannot capture (CPU), or it failed: eager from now on
            off = true;
            step.run(e.fixed, h, e.loss, 0, null, guard, check);
            return;
        }
        e.graph = g;
        e.forOptimizer = optimizer;
        e.forStore = s.params().store;
        e.forVersion = version;   // not read after the step: its count moved on, and a schedule's rate with it
        e.forGuard = guard;
        e.forCheck = check;
        e.forTrainable = trainableFlags();
        g.replay();   // capturing ran nothing: this replay is the step
    }

    @Override
    public void close() {
        try {
            Cleanup.each(entries.values(), Entry::close);
        } finally {
            entries.clear();
        }
    }
}
