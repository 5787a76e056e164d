package dev.jrnn.model;

import dev.jrnn.data.Batch;
import dev.jrnn.data.BatchStream;
import dev.jrnn.data.Dataset;
import dev.jrnn.tensor.Tensor;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;

/**
 * A {@link Dataset} as a {@link BatchSource}: each epoch is one {@link BatchStream} (assembled ahead on
 * its background thread), each batch checked against the model as in-memory data is ({@link InputCheck})
 * before it reaches the device; ragged batches' {@code lengths} become the length mask exactly as
 * {@link FitOptions#lengths} does. The data set's own order holds: {@link FitOptions#shuffle} does not
 * apply (shuffle the data set instead), as in Keras for a {@code tf.data.Dataset}. Training batches on a backend
 * with a copy queue (CUDA) go through a {@link DeviceFeed}: assembled in page-locked memory and copied to the
 * device while the steps before them compute; their shapes are checked once per shape, their values (ids,
 * sparse class indices) every batch. Keras' step counts ({@code steps_per_epoch}, {@code validation_steps}, evaluate's
 * {@code steps}) bound it from outside ({@link BoundedBatches}). An endless data set is refused where it would never
 * end, an empty one where it would give a loss of nothing, a smaller last batch for a stateful model before any step.
 * {@link #close()} frees the feed.
 */
final class DatasetBatches implements BatchSource {
    private final Dataset data;
    private final Setup s;
    /**
     * The call a data set's batches serve: its name in messages ({@code model.fit: ...}), whether each batch must hold the
     * targets, and what an endless set needs. An enum, not the name: a misspelt name silently took the other branch (no
     * device feed for fit, no targets for evaluate).
     */
    enum Use {
        FIT("fit", "the dataset is endless (repeat()); give FitOptions.stepsPerEpoch(n), the batches of one epoch (Keras' steps_per_epoch)"),
        VALIDATION("fit (validation data)", "the dataset is endless (repeat()) and would never end; give FitOptions.validationSteps(n), "
                + "the batches of each validation (Keras' validation_steps), or bound it: take(n) after repeat(), or repeat(times)"),
        EVALUATE("evaluate", "the dataset is endless (repeat()) and would never end; give the batches to evaluate "
                + "(evaluateAll(data, steps), Keras' steps), or bound it: take(n) after repeat(), or repeat(times)"),
        PREDICT("predict", "the dataset is endless (repeat()) and would never end; give the batches to predict "
                + "(predict(data, steps, sink) or predictAll(data, steps), Keras' steps), or bound it: take(n) after repeat(), or repeat(times)"),
        PREDICT_DICT("predictDict", "the dataset is endless (repeat()) and would never end; give the batches to predict "
                + "(predictDict(data, steps), Keras' steps), or bound it: take(n) after repeat(), or repeat(times)");

        /** The name messages give the call. */
        final String op;
        /** Why an endless data set without steps is refused, and what to give. */
        private final String endless;

        Use(String op, String endless) {
            this.op = op;
            this.endless = endless;
        }

        /** Whether each batch must hold one target per output (all but predict's). */
        boolean withTargets() { return this != PREDICT && this != PREDICT_DICT; }
    }

    private final Use use;
    /** A named data set's parts matched to the model by name (null: positional). */
    private final DatasetKeys keys;
    private DeviceFeed feed;
    /** Keras' class_weight of a training set (null: none): each batch's samples weighed by their targets' classes. */
    private Map<Integer, Double> classWeight;
    /** The batch shapes the feed's batches were checked for. */
    private final Set<String> checked = new HashSet<>();

    /**
     * {@code data} for call {@code use}: every batch must hold one target per output, but for predict; with
     * {@code checkFinite} a NaN or Inf fails its batch, naming the file and sample, before the step.
     */
    DatasetBatches(Dataset data, Setup s, Use use, boolean checkFinite) {
        this(data, s, use, checkFinite, 0);
    }

    /**
     * As above; {@code steps} > 0: the caller takes at most that many batches at a time ({@link BoundedBatches}: Keras'
     * {@code steps_per_epoch}, {@code validation_steps}, evaluate's {@code steps}), so an endless data set is taken.
     */
    DatasetBatches(Dataset data, Setup s, Use use, boolean checkFinite, int steps) {
        checkSize(s.name(), data, use, steps);
        checkStateful(s, data, s.name() + "." + use.op + ": ");
        this.data = checkFinite ? data.checkFinite(true) : data;
        this.s = s;
        this.use = use;
        this.keys = DatasetKeys.of(s.name() + "." + use.op, s.name(), s.graph(), data, use.withTargets());
    }

    /**
     * Weighs each batch's samples by their targets' classes in {@code cw} (nullable: none), as Keras' {@code class_weight}
     * with a {@code tf.data} set: for training data only, one output only, and not with the data set's own sample weights.
     */
    DatasetBatches classWeight(Map<Integer, Double> cw) {
        if (cw != null) SampleWeights.checkClassWeightOutputs(s.name() + "." + use.op, s.outputs());
        this.classWeight = cw;
        return this;
    }

    /**
     * Refuses a null, endless (without {@code steps}) or empty data set for call {@code use} of model {@code model}: checks
     * that need no model, made before an unbuilt one is built from the data.
     */
    static void checkSize(String model, Dataset data, Use use, int steps) {
        String where = model + "." + use.op + ": ";
        if (data == null) throw new IllegalArgumentException(where + "the dataset is null");
        if (data.endless() && steps == 0) throw new IllegalArgumentException(where + use.endless);
        if (data.batchesPerEpoch() == 0) throw new IllegalArgumentException(where + noBatch(data, -1));
    }

    /** Why there is nothing to compute on; {@code epoch} the data set epoch that gave nothing, or -1 when the size says so. */
    private static String noBatch(Dataset data, int epoch) {
        return "the dataset gives no batch" + (epoch >= 0 ? " in epoch " + epoch : "") + " (" + (data.size() >= 0
                ? data.size() + " samples in batches of " + data.batchSize() + (data.size() > 0 ? ", the remainder dropped" : "")
                : "the generator gave no sample; fromIterator's supplier must return a fresh iterator every epoch")
                + "); there is nothing to compute on";
    }

    /** A stateful model takes batches of the size its input fixes only: a dataset giving others is refused before any step. */
    private static void checkStateful(Setup s, Dataset data, String where) {
        dev.jrnn.layers.Call c = StatefulBatch.firstStateful(s.graph());
        if (c == null) return;
        int fixed = c.inputs().get(0).batchSize();
        long n = data.size();
        boolean smaller = data.givesSmallerBatches();
        if (data.batchSize() != fixed || smaller) {
            throw new IllegalArgumentException(where + "the stateful layer " + c.layer().name() + " runs on batches of " + fixed
                    + " (the batch size its input fixes); the dataset gives batches of " + data.batchSize()
                    + (smaller ? " and a smaller last one of a pass" + (n >= 0 ? " (" + n + " samples per epoch)" : "") : "") + "; batch it with batch(" + fixed + ", true), or, where it is batched already (Timeseries' dataset()), with rebatch("
                    + fixed + ", true)");
        }
    }

    @Override
    public int batches() {
        long n = data.batchesPerEpoch();
        return n < 0 || n > Integer.MAX_VALUE ? -1 : (int) n;
    }

    @Override
    public boolean[] targets() {
        boolean[] t = new boolean[s.outputs()];
        for (int k = 0; k < t.length; k++) t[k] = use.withTargets() && (keys == null || keys.hasTarget(k));
        return t;
    }

    /**
     * The per-sample shape of the single input of {@code data}'s first batch, its time axis -1 when the batch carries
     * sequence lengths (ragged data); null when the data set has several inputs or no batch. Keras builds an unbuilt
     * model on the first batch it sees.
     */
    static int[] firstSampleShape(Dataset data) throws IOException {
        try (BatchStream first = data.prefetch(0).epoch(0)) {
            if (!first.hasNext()) return null;
            try (Batch b = first.next()) {
                if (b.inputCount() != 1) return null;
                int[] shape = b.inputShape(0);
                int[] sample = Arrays.copyOfRange(shape, 1, shape.length);
                if (b.lengths() != null && sample.length > 0) sample[0] = -1;
                return sample;
            }
        }
    }

    /** The batches of data set epoch {@code epoch}, assembled in the device feed's memory when there is one. */
    private BatchStream stream(int epoch) {
        if (feed == null && use == Use.FIT) feed = DeviceFeed.open(s.backend());
        try {
            return (feed == null ? data : data.memory(feed.memory())).epoch(epoch);
        } catch (IOException e) {
            throw new UncheckedIOException(s.name() + "." + use.op + ": " + e.getMessage(), e);
        }
    }

    /**
     * Epoch {@code epoch}: the data set's epoch {@code epoch} (whose own shuffle picks the order; {@code shuffle} and {@code rng}
     * are not used).
     */
    @Override
    public Epoch epoch(int epoch, boolean shuffle, SplittableRandom rng) {
        BatchStream stream = stream(epoch);
        return new Epoch() {
            private Batch current;
            private int taken;

            public HostBatch next() {
                release();
                Batch b = stream.hasNext() ? stream.next() : null;
                if (b == null) {
                    if (taken == 0) throw new IllegalArgumentException(s.name() + "." + use.op + ": " + noBatch(data, epoch));
                    return null;
                }
                taken++;
                current = named(b);
                return host(current);
            }

            @Override
            public boolean skip() {   // the raw batch, unchecked and not staged: it was checked when it trained
                release();
                if (!stream.hasNext()) {
                    if (taken == 0) throw new IllegalArgumentException(s.name() + "." + use.op + ": " + noBatch(data, epoch));
                    return false;
                }
                stream.next().close();
                taken++;
                return true;
            }

            private void release() {
                if (current != null) current.close();
                current = null;
            }

            public void close() {
                try {
                    release();
                } finally {
                    stream.close();
                }
            }
        };
    }

    /** {@code b}'s parts in the model's order where the data set names them ({@link DatasetKeys}), else {@code b}. */
    private Batch named(Batch b) {
        return keys == null ? b : keys.select(b, s.name() + "." + use.op);
    }

    /**
     * {@code b} checked against the model, as the step takes it (inputs and targets are not copied from heap batches;
     * with the feed, the inputs stay in their host memory and are staged to the device, the targets are copied).
     */
    private HostBatch host(Batch b) {
        List<Tensor> ys = null;
        if (use.withTargets()) {
            if (b.targetCount() != s.outputs()) {
                throw new IllegalArgumentException(s.name() + "." + use.op + ": the dataset gives " + b.targetCount()
                        + " target(s) per sample, the model has " + s.outputs() + " output(s); build it with one target per output");
            }
            ys = b.targets();
        }
        int[] lengths = b.lengths();
        // Keras' _adjust_input_rank, as for tensors: a (B, T) batch for a (T, 1) input (a 1-D Timeseries) gains its trailing 1
        List<int[]> shapes = new ArrayList<>();
        boolean[] viewed = new boolean[b.inputCount()];
        for (int i = 0; i < b.inputCount(); i++) {
            int[] got = b.inputShape(i), seen = i < s.graph().inputs.size() ? InputCheck.conformShape(got, s.graph().inputs.get(i).shape()) : null;
            viewed[i] = seen != null;
            shapes.add(seen != null ? seen : got);
        }
        List<Tensor> xs = null, weights = null;
        InputCheck check = new InputCheck(s.name(), s.graph(), s.losses(), s::targetLoss, s::targetsByShape);
        try {
            if (use.withTargets()) weights = classWeight == null ? weights(b) : classWeights(b, ys);
            if (feed == null || checked.add(key(shapes, ys, lengths))) {
                xs = new ArrayList<>(b.inputs());
                for (int i = 0; i < xs.size(); i++) if (viewed[i]) xs.set(i, xs.get(i).reshape(shapes.get(i)));
                check.prepare(xs, ys, lengths, use.op, use.withTargets(), false);
            } else if (check.readsTargets() || readsInputs(check, shapes.size())) {
                List<Tensor> read = new ArrayList<>();
                for (int i = 0; i < shapes.size(); i++) read.add(!check.readsInput(i) ? null : viewed[i] ? b.input(i).reshape(shapes.get(i)) : b.input(i));
                check.checkValues(read, shapes, ys, use.op);
            }
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(e.getMessage() + " (in the batch starting at " + b.where(0) + ")", e);
        }
        List<Tensor> targets = new ArrayList<>(s.outputs());
        for (int k = 0; k < s.outputs(); k++) targets.add(ys == null ? null : ys.get(k));
        Tensor mask = lengths == null ? null : Data.lengthMask(lengths, shapes.get(0)[1]);
        if (feed == null) return new HostBatch(xs, mask, targets, null, weights);
        return new HostBatch(List.of(), mask, targets, feed.stage(b, shapes), weights);
    }

    /**
     * The sample weights of {@code b} (tf.data's {@code (x, y, w)}) checked and matched to the outputs as
     * {@link FitOptions#sampleWeight} is, copied out of the batch's memory; null when the data set has none.
     */
    private List<Tensor> weights(Batch b) {
        int nw = b.sampleWeightCount();
        if (nw == 0) return null;
        String who = s.name() + "." + use.op, param = "the dataset's sample weight";
        if (nw != 1 && nw != s.outputs()) {
            throw new IllegalArgumentException(who + ": the dataset gives " + nw + " sample weights per sample, the model has "
                    + s.outputs() + " output(s); give one for every output or one per output");
        }
        SampleWeights.Given g = nw == 1 ? SampleWeights.Given.shared(who, param, b.sampleWeight(0))
                : SampleWeights.Given.perOutput(who, param, b.sampleWeights());
        return SampleWeights.resolve(g, who, param, s.graph(), b.size(), k -> {
            int[] t = b.targetShape(k);   // null: a named data set's null target
            return t != null && t.length >= 2 ? t[1] : -1;
        });
    }

    /** Keras' class_weight as the sample weights of every output of {@code b}, whose targets are {@code ys}. */
    private List<Tensor> classWeights(Batch b, List<Tensor> ys) {
        String who = s.name() + "." + use.op;
        if (b.sampleWeightCount() > 0) {
            throw new IllegalArgumentException(who + ": give the dataset's sample weights or classWeight, not both (as Keras)");
        }
        return Collections.nCopies(s.outputs(), SampleWeights.classWeights(who, classWeight, ys, b.size(), s.targetLoss(0) != null && s.targetLoss(0).sparse()));
    }

    private static boolean readsInputs(InputCheck check, int inputs) {
        for (int i = 0; i < inputs; i++) if (check.readsInput(i)) return true;
        return false;
    }

    /** The shapes that {@link InputCheck#prepare} checks: the inputs', the targets' and whether there are lengths. */
    private static String key(List<int[]> shapes, List<Tensor> ys, int[] lengths) {
        StringBuilder k = new StringBuilder();
        for (int[] x : shapes) k.append(Arrays.toString(x));
        if (ys != null) for (Tensor y : ys) k.append('/').append(y == null ? "none" : Arrays.toString(y.shape()));
        return k.append(lengths == null ? "" : "+lengths").toString();
    }

    /** Batches whose inputs went through the device feed (0 without one). */
    long stagedCount() { return feed == null ? 0 : feed.stagedCount(); }

    /** Frees the device feed (its slots and page-locked memory) after the last epoch. */
    @Override
    public void close() {
        if (feed != null) feed.close();
        feed = null;
    }

    /** {@code options} (null: the defaults) checked for a fit on a data set, which has its own lengths and split. */
    static FitOptions forFit(String model, FitOptions options) {
        FitOptions o = options == null ? new FitOptions() : options;
        String bad = o.lengths != null ? "lengths (a ragged dataset's batches carry their own)"
                : o.batchSize > 0 ? "batchSize (a dataset gives its own batches, 32 samples unless Dataset.batch(n) says otherwise)"
                : o.validationSplit > 0 ? "validationSplit (use Dataset.split and FitOptions.validationData(Dataset))"
                : o.hasValidationTensors() ? "tensor validationData (give a Dataset: FitOptions.validationData(Dataset))"
                : o.validationLengths != null ? "validationLengths (a ragged validation dataset's batches carry their own)"
                : o.validationBatchSize > 0 ? "validationBatchSize (a validation dataset gives its own batches: Dataset.batch(n))"
                : o.sampleWeight != null ? "sampleWeight (give the weights in the dataset: Dataset.fromTensors(xs, ys, weights))" : null;
        if (bad != null) throw new IllegalArgumentException(model + ".fit(Dataset): FitOptions." + bad + " does not apply to a dataset");
        return o;
    }

    /** The validation batches of {@code o}'s {@link FitOptions#validationData(Dataset)}, or null. */
    static BatchSource validation(Setup s, FitOptions o) {
        if (o.validationDataset == null) return null;
        DatasetBatches v = new DatasetBatches(o.validationDataset, s, Use.VALIDATION, o.checkFinite, o.validationSteps);
        v.checkFirstBatch();
        return BoundedBatches.first(v, o.validationSteps);
    }

    /**
     * Reads the first batch and checks it against the model, so that a validation set the model cannot take (or that
     * gives nothing) fails before epoch 1 trains rather than after it, leaving the model as it was; an IOException of
     * the read comes as an UncheckedIOException. The later batches are checked as validation reads them.
     */
    private void checkFirstBatch() {
        try (BatchStream first = data.prefetch(0).epoch(0)) {
            if (!first.hasNext()) throw new IllegalArgumentException(s.name() + "." + use.op + ": " + noBatch(data, 0));
            try (Batch b = named(first.next())) {
                host(b);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(s.name() + "." + use.op + ": " + e.getMessage(), e);
        }
    }

    /**
     * Runs {@code call}, turning the UncheckedIOException of a file read on the prefetch thread back into its
     * IOException; closes {@code sources} (nulls skipped) after it, also when it fails.
     */
    static <T> T io(java.util.function.Supplier<T> call, BatchSource... sources) throws IOException {
        try {
            return call.get();
        } catch (UncheckedIOException e) {
            throw e.getCause();
        } finally {
            dev.jrnn.backend.Cleanup.each(Arrays.asList(sources), b -> { if (b != null) b.close(); });
        }
    }
}
