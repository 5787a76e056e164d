package dev.jrnn.model;

import dev.jrnn.data.Batch;
import dev.jrnn.data.BatchStream;
import dev.jrnn.data.Dataset;
import dev.jrnn.tensor.Tensor;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
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
 * sparse class indices) every batch. {@link #close()} frees the feed.
 */
final class DatasetBatches implements BatchSource {
    private final Dataset data;
    private final Setup s;
    private final String what;
    private final boolean withTargets;
    private DeviceFeed feed;
    /** The batch shapes the feed's batches were checked for. */
    private final Set<String> checked = new HashSet<>();

    /**
     * {@code data} for call {@code what} ("fit", "evaluate", "predict"); with {@code withTargets} every
     * batch must hold one target per output; with {@code checkFinite} a NaN or Inf fails its batch,
     * naming the file and sample, before the step.
     */
    DatasetBatches(Dataset data, Setup s, String what, boolean withTargets, boolean checkFinite) {
        if (data == null) throw new IllegalArgumentException(s.name() + "." + what + ": the dataset is null");
        this.data = checkFinite ? data.checkFinite(true) : data;
        this.s = s;
        this.what = what;
        this.withTargets = withTargets;
    }

    @Override
    public int batches() {
        long n = data.batchesPerEpoch();
        return n < 0 || n > Integer.MAX_VALUE ? -1 : (int) n;
    }

    @Override
    public boolean[] targets() {
        boolean[] t = new boolean[s.outputs()];
        Arrays.fill(t, withTargets);
        return t;
    }

    /** Epoch {@code epoch} of the data set (whose own shuffle picks the order; {@code shuffle} and {@code rng} are not used). */
    @Override
    public Epoch epoch(int epoch, boolean shuffle, SplittableRandom rng) {
        if (feed == null && what.equals("fit")) feed = DeviceFeed.open(s.backend());
        BatchStream stream;
        try {
            stream = (feed == null ? data : data.memory(feed.memory())).epoch(epoch);
        } catch (IOException e) {
            throw new UncheckedIOException(s.name() + "." + what + ": " + e.getMessage(), e);
        }
        return new Epoch() {
            private Batch current;

            public HostBatch next() {
                release();
                if (!stream.hasNext()) return null;
                current = stream.next();
                return host(current);
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

    /**
     * {@code b} checked against the model, as the step takes it (inputs and targets are not copied from heap batches;
     * with the feed, the inputs stay in their host memory and are staged to the device, the targets are copied).
     */
    private HostBatch host(Batch b) {
        List<Tensor> ys = null;
        if (withTargets) {
            if (b.targetCount() != s.outputs()) {
                throw new IllegalArgumentException(s.name() + "." + what + ": the dataset gives " + b.targetCount()
                        + " target(s) per sample, the model has " + s.outputs() + " output(s); build it with one target per output");
            }
            ys = b.targets();
        }
        int[] lengths = b.lengths();
        List<int[]> shapes = new ArrayList<>();
        for (int i = 0; i < b.inputCount(); i++) shapes.add(b.inputShape(i));
        List<Tensor> xs = null;
        InputCheck check = new InputCheck(s.name(), s.graph(), s.loss());
        try {
            if (feed == null || checked.add(key(shapes, ys, lengths))) {
                xs = b.inputs();
                check.prepare(xs, ys, lengths, what, withTargets, false);
            } else if (check.readsTargets() || readsInputs(check, shapes.size())) {
                List<Tensor> read = new ArrayList<>();
                for (int i = 0; i < shapes.size(); i++) read.add(check.readsInput(i) ? b.input(i) : null);
                check.checkValues(read, shapes, ys, what);
            }
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(e.getMessage() + " (in the batch starting at " + b.where(0) + ")", e);
        }
        List<Tensor> targets = new ArrayList<>(s.outputs());
        for (int k = 0; k < s.outputs(); k++) targets.add(ys == null ? null : ys.get(k));
        Tensor mask = lengths == null ? null : Data.lengthMask(lengths, shapes.get(0)[1]);
        if (feed == null) return new HostBatch(xs, mask, targets);
        return new HostBatch(List.of(), mask, targets, feed.stage(b));
    }

    private static boolean readsInputs(InputCheck check, int inputs) {
        for (int i = 0; i < inputs; i++) if (check.readsInput(i)) return true;
        return false;
    }

    /** The shapes that {@link InputCheck#prepare} checks: the inputs', the targets' and whether there are lengths. */
    private static String key(List<int[]> shapes, List<Tensor> ys, int[] lengths) {
        StringBuilder k = new StringBuilder();
        for (int[] x : shapes) k.append(Arrays.toString(x));
        if (ys != null) for (Tensor y : ys) k.append('/').append(Arrays.toString(y.shape()));
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
                : o.validationSplit > 0 ? "validationSplit (use Dataset.split and FitOptions.validationData(Dataset))"
                : o.validationX != null ? "tensor validationData (give a Dataset: FitOptions.validationData(Dataset))" : null;
        if (bad != null) throw new IllegalArgumentException(model + ".fit(Dataset): FitOptions." + bad + " does not apply to a dataset");
        return o;
    }

    /** The validation batches of {@code o}'s {@link FitOptions#validationData(Dataset)}, or null. */
    static BatchSource validation(Setup s, FitOptions o) {
        return o.validationDataset == null ? null : new DatasetBatches(o.validationDataset, s, "fit (validation data)", true, o.checkFinite);
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
