package dev.jrnn.data;

import dev.jrnn.tensor.Tensor;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/**
 * Sliding windows over a time series as a {@link Dataset}, as Keras' {@code timeseries_dataset_from_array}: sample
 * {@code i} is the window of {@code sequenceLength} steps of {@code data} (axis 0: time) starting at step
 * {@code startIndex + i * sequenceStride}, its steps {@code samplingRate} apart, and its target is
 * {@code targets[startIndex + i * sequenceStride]}. The windows are read from the series when a batch is assembled,
 * not copied out beforehand, so a series in a memory-mapped {@code .npy} larger than the heap trains as it is.
 *
 * <pre>{@code
 * // the past 10 steps predict the next one (Keras' example 2)
 * Dataset train = Timeseries.of(series.slice(0, n - 10), series.slice(10, n), 10).batchSize(64).shuffle(7).dataset();
 * model.fit(train, new FitOptions().epochs(20));
 * }</pre>
 *
 * Keras shuffles the window starts once with its seed and again within a buffer each epoch; {@link #shuffle} draws a new
 * full permutation of the windows each epoch from its seed ({@link Dataset#shuffle(long)}), so the orders differ from
 * Keras' while the windows are the same.
 */
public final class Timeseries {
    private final ArrayData data, targets;
    private final int sequenceLength;
    private int sequenceStride = 1, samplingRate = 1, batchSize = 128;
    private long startIndex, endIndex = -1;
    private Long seed;

    private Timeseries(ArrayData data, ArrayData targets, int sequenceLength) {
        if (sequenceLength < 1) throw new IllegalArgumentException("Timeseries: sequenceLength must be >= 1, got " + sequenceLength);
        this.data = data;
        this.targets = targets;
        this.sequenceLength = sequenceLength;
    }

    /**
     * Windows of {@code sequenceLength} steps over {@code data} (time first), each with the target row of its first step
     * ({@code targets} nullable: inputs only, for predict); not copied.
     */
    public static Timeseries of(Tensor data, Tensor targets, int sequenceLength) {
        if (data == null) throw new IllegalArgumentException("Timeseries.of: data is null");
        if (data.rank() < 1) throw new IllegalArgumentException("Timeseries.of: data needs a time axis (rank >= 1), got a scalar");
        if (targets != null && targets.rank() < 1) throw new IllegalArgumentException("Timeseries.of: targets need a time axis (rank >= 1), got a scalar");
        return new Timeseries(ArrayData.of(data, "data"), targets == null ? null : ArrayData.of(targets, "targets"), sequenceLength);
    }

    /** As {@link #of(Tensor, Tensor, int)} for series in {@code .npy} files (memory-mapped; {@code targets} nullable). */
    public static Timeseries of(Path data, Path targets, int sequenceLength) throws IOException {
        if (data == null) throw new IllegalArgumentException("Timeseries.of: data is null");
        ArrayData.requireMappable("Timeseries.of", "data", data);
        ArrayData.requireMappable("Timeseries.of", "targets", targets);
        ArrayData d = Npy.map(data), t = targets == null ? null : Npy.map(targets);
        for (ArrayData a : targets == null ? List.of(d) : List.of(d, t)) {
            if (a.shape.length < 1) throw new IOException(a.source + ": a 0-d array has no time axis");
        }
        return new Timeseries(d, t, sequenceLength);
    }

    /** Steps between the starts of successive windows (Keras' {@code sequence_stride}, default 1). */
    public Timeseries sequenceStride(int s) {
        if (s < 1) throw new IllegalArgumentException("Timeseries: sequenceStride must be >= 1, got " + s);
        this.sequenceStride = s;
        return this;
    }

    /** Steps between the steps of a window (Keras' {@code sampling_rate}, default 1). */
    public Timeseries samplingRate(int r) {
        if (r < 1) throw new IllegalArgumentException("Timeseries: samplingRate must be >= 1, got " + r);
        this.samplingRate = r;
        return this;
    }

    /** The first step a window may use (Keras' {@code start_index}, default 0): the steps before are kept for another split. */
    public Timeseries startIndex(long i) {
        if (i < 0) throw new IllegalArgumentException("Timeseries: startIndex must be >= 0, got " + i);
        this.startIndex = i;
        return this;
    }

    /** The step windows stop before (exclusive; Keras' {@code end_index}, default the series' length). */
    public Timeseries endIndex(long i) {
        if (i < 1) throw new IllegalArgumentException("Timeseries: endIndex must be >= 1, got " + i);
        this.endIndex = i;
        return this;
    }

    /** Windows per batch (Keras' {@code batch_size}, default 128); the last batch may be smaller. */
    public Timeseries batchSize(int n) {
        if (n < 1) throw new IllegalArgumentException("Timeseries: batchSize must be >= 1, got " + n);
        this.batchSize = n;
        return this;
    }

    /** Draws the windows in a new random order each epoch from {@code seed} (Keras' {@code shuffle=True, seed=...}). */
    public Timeseries shuffle(long seed) {
        this.seed = seed;
        return this;
    }

    /** The number of windows the settings give (Keras': (end - start - (sequenceLength - 1) * samplingRate) / stride, rounded up). */
    public long windows() {
        long n = data.shape[0], end = endIndex < 0 ? n : endIndex;
        if (startIndex >= n) throw new IllegalArgumentException("Timeseries: startIndex must be lower than the series' " + n + " steps, got " + startIndex);
        if (end > n) throw new IllegalArgumentException("Timeseries: endIndex must be at most the series' " + n + " steps, got " + end);
        if (end <= startIndex) throw new IllegalArgumentException("Timeseries: endIndex " + end + " must be higher than startIndex " + startIndex);
        long span = (long) (sequenceLength - 1) * samplingRate + 1;
        long starts = end - startIndex - span + 1;
        if (targets != null) starts = Math.min(starts, targets.shape[0] - startIndex);
        if (starts <= 0) {
            throw new IllegalArgumentException("Timeseries: a window of sequenceLength " + sequenceLength + " every " + samplingRate
                    + " step(s) spans " + span + " steps, steps [" + startIndex + ", " + end + ") of " + data.source + " hold "
                    + (end - startIndex) + (targets != null && targets.shape[0] - startIndex < end - startIndex - span + 1
                    ? " and " + targets.source + " has " + targets.shape[0] + " rows" : "") + ": no window fits");
        }
        return (starts + sequenceStride - 1) / sequenceStride;
    }

    /**
     * The batched data set of the windows (and their targets), as Keras' function returns it. An IllegalArgumentException
     * when no window fits the series between startIndex and endIndex.
     */
    public Dataset dataset() {
        long count = windows();
        try {
            List<Column> in = List.of(new Column.Windows(data, startIndex, sequenceStride, sequenceLength, samplingRate, count));
            List<Column> out = targets == null ? List.of() : List.of(new Column.Windows(targets, startIndex, sequenceStride, 0, 1, count));
            Dataset d = Dataset.of(in, out);
            return (seed == null ? d : d.shuffle(seed)).batch(batchSize);
        } catch (IOException e) {
            throw new IllegalArgumentException("Timeseries: " + e.getMessage(), e);
        }
    }
}
