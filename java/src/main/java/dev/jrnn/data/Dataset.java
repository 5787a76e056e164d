package dev.jrnn.data;

import dev.jrnn.tensor.Tensor;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.function.LongFunction;
import java.util.function.Supplier;
import java.util.function.UnaryOperator;

import static dev.jrnn.data.DatasetSources.notNull;

/**
 * A training set that need not fit in memory, in the spirit of {@code tf.data}: samples from
 * Tensors, from memory-mapped {@code .npy} / {@code .npz} / safetensors files (or a directory of
 * shards), from variable-length sequences stored as values + offsets, or from a generator; then
 * shuffled, batched (or bucketed by length), mapped, repeated, cut. Each operation returns a new
 * Dataset; files are opened (and their headers checked) by the factories, read by the batches.
 *
 * <pre>{@code
 * Dataset.Split s = Dataset.fromNpy(Path.of("x.npy"), Path.of("y.npy")).split(0.1);
 * Dataset train = s.training().shuffle(42).batch(64);
 * for (int epoch = 0; epoch < 10; epoch++) {
 *     try (BatchStream batches = train.epoch(epoch)) {       // assembled ahead on a background thread
 *         while (batches.hasNext()) try (Batch b = batches.next()) {
 *             step(b.input(0), b.target(0));
 *         }
 *     }
 * }
 * }</pre>
 *
 * After {@link #batch} (or {@link #bucketByLength}) {@link #take}, {@link #skip}, {@link #repeat()} and {@link #shuffle}
 * act on whole batches, in any order, as tf.data's: {@code ds.shuffle(1).batch(32).repeat()} repeats the batched passes
 * (each ending with its own smaller batch and reshuffled), {@code ds.batch(32).take(10)} is ten batches,
 * {@code ds.batch(32).skip(5)} reads none of the first five batches' samples from a file, {@code ds.batch(32).shuffle(1, 100)}
 * shuffles whole batches through a buffer of 100; {@link #map} maps whole batches. {@link #prefetch}, {@link #checkFinite},
 * {@link #asFloat32} and {@link #memory} apply anywhere. Refused after batch: batching again (tf.data would nest batches),
 * {@link #split} and the element operations, which act on samples.
 * Data is float32; float64 and integer files are converted only after {@link #asFloat32()}, and
 * {@link #epoch} says so otherwise. Errors name the file and the sample.
 */
public final class Dataset implements Cloneable {
    /** tf.data's {@code INFINITE_CARDINALITY} and {@code UNKNOWN_CARDINALITY}, as {@link #cardinality()} gives them. */
    public static final long INFINITE = -1, UNKNOWN = -2;
    /** tf.data's {@code AUTOTUNE} (-1): {@code prefetch(AUTOTUNE)} lets jrnn choose the depth, {@link #DEFAULT_PREFETCH}. */
    public static final int AUTOTUNE = -1;
    /** The prefetch depth of a new data set and of prefetch(AUTOTUNE): a batch waiting while the step uses one and the next is made. */
    public static final int DEFAULT_PREFETCH = 2;

    // package-private for EpochPlan, which reads an epoch of them
    Table table;                              // indexable data, or null for a stream (a generator, or a table's samples filtered, ...)
    Order order;
    UnaryOperator<Sample> mapper;             // per-sample function of an indexable set
    LongFunction<StreamOps.Stream> stream;    // epoch -> samples of a stream
    long streamSize = -1;                     // a stream's samples per epoch: -1 unknown, BatchOps.ENDLESS
    List<Table> reads = List.of();            // the tables a stream reads, checked at every epoch
    boolean[] scalar;                         // a stream of a table's samples: its parts of one value per sample, batched as (B,)
    int scalarInputs;                         // the inputs among them (enumerate adds one)
    Interleave.Learned innerScalars;          // after interleave / flatMap: the first inner data set's scalar parts, once it opens
    int batchSize = 32;
    boolean dropRemainder, batched;
    int[] boundaries;
    Batching.Padding padding;                 // paddedBatch's shapes and values, or null: sequences to the longest, with 0
    UnaryOperator<Sample> batchMapper;        // a map after batch: of whole batches (BatchMap)
    int prefetch = DEFAULT_PREFETCH;
    boolean checkFinite, float32;
    BatchMemory memory = BatchMemory.heap();
    List<BatchOps.Op> after = List.of();       // take, skip, repeat, shuffle after batch: of batches
    List<String> inputNames, targetNames, weightNames;   // the parts' keys (tf.data's dict elements), or null: positional
    List<String> nullTargets = List.of();      // output keys given a null target (no part): those outputs get no loss
    String namesDroppedBy;                     // the operation that made the names stale (enumerate), until named again

    private Dataset() {}

    /** A copy of every field (a shallow one: the table, order, functions and lists are immutable or never changed). */
    Dataset copy() {
        try {
            return (Dataset) super.clone();
        } catch (CloneNotSupportedException e) {
            throw new AssertionError(e);
        }
    }

    /** A data set of the given columns (also this package's other sources, as {@link Timeseries}). */
    static Dataset of(List<Column> inputs, List<Column> targets) throws IOException {
        return of(inputs, targets, List.of());
    }

    static Dataset of(List<Column> inputs, List<Column> targets, List<Column> weights) throws IOException {
        Dataset d = new Dataset();
        d.table = Table.of(inputs, targets, weights);
        d.order = new Order.Identity(d.table.samples());
        return d;
    }

    // ---- sources ----

    /** In-memory inputs {@code x} and targets {@code y} (first axis: samples); not copied. */
    public static Dataset fromTensors(Tensor x, Tensor y) {
        notNull("fromTensors", "x", x);
        return fromTensors(List.of(x), y == null ? List.of() : List.of(y));
    }

    /** Several in-memory inputs and targets with the same number of samples. */
    public static Dataset fromTensors(List<Tensor> inputs, List<Tensor> targets) {
        return fromTensors(inputs, targets, List.of());
    }

    /**
     * In-memory inputs, targets and Keras sample weights {@code w}, as tf.data's {@code from_tensor_slices((x, y, w))}: fit
     * and evaluate weigh each sample's loss by its weight, shape (n) or (n, 1), or each step's by (n, T) for a sequence output.
     * {@code model.fit(Dataset.fromTensors(x, y, w).shuffle(1).batch(64), opts)}.
     */
    public static Dataset fromTensors(Tensor x, Tensor y, Tensor w) {
        notNull("fromTensors", "x", x);
        notNull("fromTensors", "sampleWeight", w);
        return fromTensors(List.of(x), y == null ? List.of() : List.of(y), List.of(w));
    }

    /**
     * Inputs, targets and sample weights: one weight tensor for every output, or one per output (tf.data's
     * {@code (x, y, (w1, w2))}; a null entry leaves that output unweighted, as {@code FitOptions.sampleWeight(List)}
     * takes it: a weight of 1 per sample); none: an unweighted data set.
     */
    public static Dataset fromTensors(List<Tensor> inputs, List<Tensor> targets, List<Tensor> sampleWeights) {
        return DatasetSources.tensors(inputs, targets, sampleWeights);
    }

    /**
     * In-memory inputs and targets by name, as tf.data's {@code from_tensor_slices(({"title": t, "body": b}, {"priority": p,
     * "dept": d}))}: fit, evaluate and predict read each input of the model by its name ({@code Model.inputNames()}: the
     * Inputs' names, or a dict-input model's keys) and each target by its output's key, whatever order the model has; input
     * keys the model does not take are left unread, as Keras leaves them, a missing one is refused, and the targets' keys
     * must be the outputs' (predict reads no target). The parts go in sorted-key order, as {@code tf.nest} flattens a dict.
     * Targets empty (or all null, Keras' {@code (x, (None, None))}): a data set of inputs only, to predict. A null target
     * value (in a {@code HashMap}) gives that output no target, Keras' {@code {"dept": None}} ({@link #nullTargetNames()}).
     * Every operation keeps the names (see {@link #named}).
     * <pre>{@code
     * Dataset ds = Dataset.fromTensors(Map.of("title", t, "body", b), Map.of("priority", p, "dept", d)).shuffle(1).batch(32);
     * model.fit(ds, new FitOptions().epochs(5));
     * }</pre>
     */
    public static Dataset fromTensors(Map<String, ? extends Tensor> inputs, Map<String, ? extends Tensor> targets) {
        return DatasetSources.tensors(inputs, targets, Map.of());
    }

    /**
     * As {@link #fromTensors(Map, Map)}, with Keras' sample weights by output key, tf.data's {@code (x, y, {"priority": w1,
     * "dept": w2})}: the targets' keys (a null value, in a {@code HashMap}, leaves that output unweighted), each (n) per sample or
     * (n, T) per timestep. {@code Dataset.fromTensors(Map.of("title", t), Map.of("score", s), Map.of("score", w))}.
     */
    public static Dataset fromTensors(Map<String, ? extends Tensor> inputs, Map<String, ? extends Tensor> targets,
                                      Map<String, ? extends Tensor> sampleWeights) {
        notNull("fromTensors", "sampleWeights", sampleWeights);
        return DatasetSources.tensors(inputs, targets, sampleWeights);
    }

    /** Memory-maps {@code x.npy} (inputs) and {@code y.npy} (targets; null for none). */
    public static Dataset fromNpy(Path x, Path y) throws IOException {
        notNull("fromNpy", "x", x);
        ArrayData.requireMappable("Dataset.fromNpy", "x", x);
        ArrayData.requireMappable("Dataset.fromNpy", "y", y);
        return fromNpy(List.of(x), y == null ? List.of() : List.of(y));
    }

    /** Memory-maps {@code x.npy}, {@code y.npy} and the sample weights {@code w.npy} (as {@link #fromTensors(Tensor, Tensor, Tensor)}). */
    public static Dataset fromNpy(Path x, Path y, Path w) throws IOException {
        notNull("fromNpy", "x", x);
        notNull("fromNpy", "y", y);
        notNull("fromNpy", "sampleWeight", w);
        ArrayData.requireMappable("Dataset.fromNpy", "x", x);
        ArrayData.requireMappable("Dataset.fromNpy", "y", y);
        ArrayData.requireMappable("Dataset.fromNpy", "sampleWeight", w);
        return of(List.of(Sources.npy(x)), List.of(Sources.npy(y)), List.of(Sources.npy(w)));
    }

    /** Several memory-mapped {@code .npy} inputs and targets. */
    public static Dataset fromNpy(List<Path> inputs, List<Path> targets) throws IOException {
        return DatasetSources.columns("fromNpy", inputs, targets, Sources::npy, (param, p) -> ArrayData.requireMappable("Dataset.fromNpy", param, p));
    }

    /**
     * Memory-mapped {@code .npy} files by the model's names: each key an input's name (or an output's key for {@code targets}),
     * its value the file that holds it, as {@link #fromTensors(Map, Map)} matches them to the model.
     * {@code Dataset.fromNpy(Map.of("title", Path.of("title.npy"), "body", Path.of("body.npy")), Map.of("priority", Path.of("prio.npy")))}.
     */
    public static Dataset fromNpy(Map<String, Path> inputs, Map<String, Path> targets) throws IOException {
        return fromNpy(inputs, targets, Map.of());
    }

    /**
     * {@link #fromNpy(Map, Map)} with the files of the sample weights by output key (as {@link #fromTensors(Map, Map, Map)}).
     * {@code Dataset.fromNpy(Map.of("title", title), Map.of("score", score), Map.of("score", Path.of("w.npy")))}.
     */
    public static Dataset fromNpy(Map<String, Path> inputs, Map<String, Path> targets, Map<String, Path> sampleWeights) throws IOException {
        return DatasetSources.members("fromNpy", inputs, targets, sampleWeights, Sources::npy,
                (param, p) -> ArrayData.requireMappable("Dataset.fromNpy", param, p));
    }

    /**
     * Arrays of an {@code .npz} by name: memory-mapped from {@code np.savez}'s stored members, inflated into (off-heap)
     * memory from {@code np.savez_compressed}'s.
     */
    public static Dataset fromNpz(Path file, List<String> inputs, List<String> targets) throws IOException {
        notNull("fromNpz", "file", file);
        ArrayData.requireMappable("Dataset.fromNpz", "file", file);
        return DatasetSources.columns("fromNpz", inputs, targets, n -> Sources.npz(file, n));
    }

    /**
     * Arrays of an {@code .npz} by the model's names: each key an input's name (or an output's key for {@code targets}),
     * its value the member that holds it, as {@link #fromTensors(Map, Map)} matches them to the model.
     * {@code Dataset.fromNpz(file, Map.of("title", "x_title", "body", "x_body"), Map.of("priority", "y_prio")).batch(64)}.
     */
    public static Dataset fromNpz(Path file, Map<String, String> inputs, Map<String, String> targets) throws IOException {
        return fromNpz(file, inputs, targets, Map.of());
    }

    /** {@link #fromNpz(Path, Map, Map)} with the members of the sample weights by output key (as {@link #fromTensors(Map, Map, Map)}). */
    public static Dataset fromNpz(Path file, Map<String, String> inputs, Map<String, String> targets, Map<String, String> sampleWeights)
            throws IOException {
        notNull("fromNpz", "file", file);
        ArrayData.requireMappable("Dataset.fromNpz", "file", file);
        return DatasetSources.members("fromNpz", inputs, targets, sampleWeights, n -> Sources.npz(file, n), (param, n) -> { });
    }

    /** Tensors of a safetensors file by the model's names, as {@link #fromNpz(Path, Map, Map)}. */
    public static Dataset fromSafetensors(Path file, Map<String, String> inputs, Map<String, String> targets) throws IOException {
        return fromSafetensors(file, inputs, targets, Map.of());
    }

    /**
     * {@link #fromSafetensors(Path, Map, Map)} with the tensors of the sample weights by output key (as
     * {@link #fromTensors(Map, Map, Map)}).
     * {@code Dataset.fromSafetensors(file, Map.of("title", "x_title"), Map.of("score", "y_score"), Map.of("score", "w_score"))}.
     */
    public static Dataset fromSafetensors(Path file, Map<String, String> inputs, Map<String, String> targets,
                                          Map<String, String> sampleWeights) throws IOException {
        notNull("fromSafetensors", "file", file);
        ArrayData.requireMappable("Dataset.fromSafetensors", "file", file);
        return DatasetSources.members("fromSafetensors", inputs, targets, sampleWeights, n -> Sources.safetensors(file, n), (param, n) -> { });
    }

    /** Tensors of a safetensors file by name, memory-mapped. */
    public static Dataset fromSafetensors(Path file, List<String> inputs, List<String> targets) throws IOException {
        notNull("fromSafetensors", "file", file);
        ArrayData.requireMappable("Dataset.fromSafetensors", "file", file);
        return DatasetSources.columns("fromSafetensors", inputs, targets, n -> Sources.safetensors(file, n));
    }

    /**
     * A directory of shards, concatenated in file-name order: for each array name, the files
     * {@code <name>-<shard>.npy} (e.g. {@code x-000.npy, x-001.npy}; a {@code <shard>} holds no '-', so
     * {@code x-val-000.npy} belongs to {@code x-val}); or else every {@code *.npz} and
     * {@code *.safetensors} file, each holding all the named arrays.
     */
    public static Dataset fromShards(Path dir, List<String> inputs, List<String> targets) throws IOException {
        notNull("fromShards", "dir", dir);
        ArrayData.requireMappable("Dataset.fromShards", "dir", dir);
        return DatasetSources.columns("fromShards", inputs, targets, n -> Sources.shards(dir, n));
    }

    /**
     * A directory of shards (as {@link #fromShards(Path, List, List)}) by the model's names: each key an input's name (or an
     * output's key for {@code targets}), its value the array name of its shards, as {@link #fromNpz(Path, Map, Map)}.
     * {@code Dataset.fromShards(dir, Map.of("title", "x_title", "body", "x_body"), Map.of("priority", "y_prio")).batch(64)}.
     */
    public static Dataset fromShards(Path dir, Map<String, String> inputs, Map<String, String> targets) throws IOException {
        notNull("fromShards", "dir", dir);
        ArrayData.requireMappable("Dataset.fromShards", "dir", dir);
        return DatasetSources.members("fromShards", inputs, targets, Map.of(), n -> Sources.shards(dir, n), (param, n) -> { });
    }

    /**
     * Variable-length sequences: {@code values.npy} (total steps, features...) and {@code offsets.npy}
     * (N + 1 integers, Keras' RaggedTensor row splits: sequence i is rows {@code offsets[i]..offsets[i+1]}).
     * Targets {@code y} hold one row per sequence, or one per step (then they are ragged too). Batches
     * are zero-padded to their longest sequence and carry the {@link Batch#lengths()}.
     */
    public static Dataset fromRaggedNpy(Path values, Path offsets, Path y) throws IOException {
        return DatasetSources.raggedNpy(values, offsets, y);
    }

    /** In-memory variable-length sequences, as {@link #fromRaggedNpy}. */
    public static Dataset fromRagged(Tensor values, long[] offsets, Tensor y) {
        return DatasetSources.ragged(values, offsets, y);
    }

    /**
     * Samples from a generator: {@code perEpoch} gives a fresh iterator at every call (every epoch, every pass of
     * {@link #repeat()}, and once more when fit builds a model from the first batch); the same iterator given twice is
     * refused, as its samples would be lost. An iterator that is also
     * {@link AutoCloseable} (reading a file, a socket) is closed when its pass ends or the epoch's stream is closed.
     */
    public static Dataset fromIterator(Supplier<? extends Iterator<? extends Sample>> perEpoch) {
        Dataset d = new Dataset();
        d.stream = DatasetSources.generator(perEpoch);
        return d;
    }

    // ---- operations ----

    /**
     * Shuffles with a fresh uniform permutation every epoch (derived from {@code seed} and the epoch): the full data set when
     * it is indexable (an index array of 4 bytes a sample; beyond 2^24 samples a keyed permutation computed per position,
     * which mixes but does not reach every order equally), else through a buffer of 10 000 samples; after batch, whole
     * batches through a buffer of 10 000 batches (see {@link #shuffle(long, int)}).
     */
    public Dataset shuffle(long seed) {
        return OrderOps.shuffle(this, seed, 10_000, true, true);
    }

    /**
     * tf.data's {@code shuffle(bufferSize, seed)}: each sample leaves from a random slot of a buffer of the next
     * {@code bufferSize} ones, afresh every epoch (buffer 1 keeps the order; a buffer of the whole set is a uniform
     * permutation, which an indexable set draws as an index array, as {@link #shuffle(long)}). After batch it shuffles whole batches through a buffer
     * of {@code bufferSize} batches (tf.data's {@code batch(32).shuffle(100)}; a generator's are held in memory, a table's as
     * sample positions), afresh every epoch and every pass of a repeat after it. Two shuffles of one seed in a pipeline
     * draw from one stream, as tf.data's: give each its own seed.
     */
    public Dataset shuffle(long seed, int bufferSize) {
        return OrderOps.shuffle(this, seed, bufferSize, false, true);
    }

    /**
     * tf.data's {@code shuffle(bufferSize, seed, reshuffle_each_iteration)}: with {@code false} every epoch and every pass of
     * a repeat after it gives the first epoch's order. {@code ds.shuffle(7, 1000, false).repeat(2)}: the same order twice.
     */
    public Dataset shuffle(long seed, int bufferSize, boolean reshuffleEachIteration) {
        return OrderOps.shuffle(this, seed, bufferSize, false, reshuffleEachIteration);
    }

    /**
     * The first {@code n} samples (of each epoch's order); after batch the first {@code n} batches. {@code take(-1)} is all of
     * them, as tf.data's.
     */
    public Dataset take(long n) {
        return OrderOps.take(this, n);
    }

    /**
     * All but the first {@code n} samples; after batch all but the first {@code n} batches, whose samples a table does not
     * read (a generator's are read and dropped; bucketing after a map maps them, as the buckets take the mapped lengths).
     * {@code skip(-1)} skips them all, as tf.data's (a generator's are read); refused where an epoch never ends.
     */
    public Dataset skip(long n) {
        return OrderOps.skip(this, n);
    }

    /**
     * {@code times} passes per epoch (each shuffled afresh when shuffled before). After batch the batched passes repeat, each
     * ending with its own smaller batch: {@code batch(3).repeat(2)} of 5 samples gives batches of 3, 2, 3, 2, where
     * {@code repeat(2).batch(3)} gives 3, 3, 3, 1 (tf.data's). As tf.data's, {@code repeat(-1)} is {@link #repeat()} and
     * {@code repeat(0)} an empty data set.
     */
    public Dataset repeat(int times) {
        return OrderOps.repeat(this, times);
    }

    /**
     * Endless passes: an epoch never ends ({@link #endless()}); fit bounds its epochs by
     * {@code FitOptions.stepsPerEpoch}, and {@link #take} after it makes it finite again. After batch, as {@link #repeat(int)}:
     * {@code batch(32).repeat()} repeats the batched passes.
     */
    public Dataset repeat() {
        return OrderOps.repeat(this, -1);
    }

    /**
     * Applies {@code f} to every sample (on the prefetch thread); errors name the sample. A file's column of one value per
     * sample reaches {@code f} as a (1,) tensor and, returned as one, batches to (B,) as it does unmapped. After batch, as
     * tf.data's, {@code f} maps whole batches: one sample of (B, ...) tensors, which must keep the B rows (and a sequence
     * batch's steps): {@code ds.batch(32).map(b -> b.with(b.inputs(), List.of(Sequences.toCategorical(b.targets().get(0), 10))))}.
     */
    public Dataset map(UnaryOperator<Sample> f) {
        if (f == null) throw new IllegalArgumentException("Dataset.map: function is null");
        if (batched) return BatchMap.map(this, f);
        Dataset d = copy();
        if (table != null) {
            UnaryOperator<Sample> g = mapper;
            d.mapper = g == null ? f : s -> f.apply(StreamOps.apply(g, s));
        } else {
            LongFunction<StreamOps.Stream> s = stream;
            d.stream = e -> StreamOps.map(s.apply(e), f);
            d.innerScalars = null;   // the function may change the parts' ranks: no learned flags
        }
        return d;
    }

    /**
     * This data set with its parts named, as a tf.data set of dicts: {@code inputs} names its inputs in order (the model's
     * input names: fit, evaluate and predict read each by name, see {@link #fromTensors(Map, Map)}), {@code targets} its
     * targets (the outputs' keys) and {@code sampleWeights} its per-output weights (the outputs' keys); null leaves that
     * kind positional. Every operation after it keeps the names (shuffle, batch, take, skip, repeat, cache, prefetch, split,
     * filter, window, unbatch, paddedBatch, ...): a {@link #map} must keep the parts' order, {@link #zip} names its targets by
     * the second set's input names, {@link #concatenate} needs the same names on both, and the data sets of
     * {@link #flatMap} / {@link #interleave} give their own parts, so name the result; {@link #enumerate} drops the names
     * ({@link #namesDroppedBy()}) but keeps the null targets ({@link #nullTargetNames()}), which no part holds: naming the
     * targets again keeps those not among {@code targets}, and null {@code targets} (positional) drops them.
     * {@code Dataset.fromNpy(List.of(t, b), List.of(p, d)).named(List.of("title", "body"), List.of("priority", "dept"), null)}.
     */
    public Dataset named(List<String> inputs, List<String> targets, List<String> sampleWeights) {
        return DatasetSources.withNames(this, inputs, targets, sampleWeights);
    }

    /**
     * The input names ({@link #named}, {@link #fromTensors(Map, Map)}), in the order of the parts; empty where the inputs are
     * positional.
     */
    public List<String> inputNames() { return inputNames == null ? List.of() : inputNames; }

    /** The targets' names (the outputs' keys) in the order of the parts; empty where they are positional or there are none. */
    public List<String> targetNames() { return targetNames == null ? List.of() : targetNames; }

    /** The per-output sample weights' names (the outputs' keys); empty where they are positional or there are none. */
    public List<String> sampleWeightNames() { return weightNames == null ? List.of() : weightNames; }

    /**
     * The output keys a targets map gave a null target ({@link #fromTensors(Map, Map)}, Keras' {@code {"priority": p, "dept":
     * None}}): no part holds them, and fit and evaluate give those outputs no target, as the tensor API's {@code y} map with a
     * null value (an output compiled without a loss, as Keras takes it); empty where there are none.
     */
    public List<String> nullTargetNames() { return nullTargets; }

    /**
     * The operation that made this data set's names stale ("enumerate": it adds a part), or null: such a data set has no
     * names, and fit, evaluate and predict refuse it until {@link #named} names its parts again, as its parts, in sorted-key
     * order, need not be in the model's order.
     * {@code ds.enumerate(0).filter(keep).map(dropCounter).named(List.of("body", "title"), List.of("dept", "priority"), null)}.
     */
    public String namesDroppedBy() { return namesDroppedBy; }

    // ---- tf.data's element operations of a stream (ElementOps): a table's samples are read in its order from here on ----

    /**
     * tf.data's {@code filter}: the samples for which {@code keep} holds (tested on the prefetch thread; the number per epoch
     * becomes unknown, as tf.data's). {@code ds.filter(s -> s.inputs().get(0).dim(0) <= 200).batch(32)}.
     */
    public Dataset filter(java.util.function.Predicate<Sample> keep) {
        return ElementOps.filter(this, keep, "filter");
    }

    /**
     * tf.data's {@code take_while}: the samples up to the first for which {@code keep} fails; nothing is read after it.
     * {@code ds.takeWhile(s -> s.targets().get(0).data()[0] >= 0)}.
     */
    public Dataset takeWhile(java.util.function.Predicate<Sample> keep) {
        return ElementOps.filter(this, keep, "takeWhile");
    }

    /**
     * tf.data's {@code shard(numShards, index)}: samples {@code index, index + numShards, ...} of each epoch's order, e.g. one
     * worker's part: {@code ds.shard(4, worker).shuffle(1, 1000).batch(32)}. An indexable set reads only its own samples.
     */
    public Dataset shard(int numShards, int index) {
        beforeBatch("shard", "it picks samples; shard, then batch");
        return ElementOps.shard(this, numShards, index);
    }

    /**
     * tf.data's {@code concatenate}: this data set's samples, then {@code other}'s, every epoch (both unbatched, with the same
     * inputs, targets and weights, and the same names; either's {@link #namesDroppedBy()} carries over).
     * {@code Dataset.fromNpy(a, ya).concatenate(Dataset.fromNpy(b, yb)).shuffle(1, 10_000).batch(64)}.
     */
    public Dataset concatenate(Dataset other) {
        return ElementOps.concatenate(this, other);
    }

    /**
     * tf.data's {@code Dataset.zip((x, y))}: samples whose inputs are {@code inputs}' and whose targets are the inputs of
     * {@code targets}' sample of the same position, until either ends (both unbatched, of inputs only).
     * {@code Dataset.zip(Dataset.fromNpy(x, null), Dataset.fromNpy(y, null)).batch(32)}.
     */
    public static Dataset zip(Dataset inputs, Dataset targets) {
        return ElementOps.zip(inputs, targets);
    }

    /**
     * tf.data's {@code window(size, shift, stride, dropRemainder)} followed by {@code flat_map(w -> w.batch(size))}: sample
     * {@code k} stacks samples {@code k*shift + i*stride}, {@code i < size}, into (size, ...) inputs, targets and weights
     * (a step's sample of shape (features) gives a (size, features) sequence). Without {@code dropRemainder} the windows are
     * sequences, so the shorter last ones are padded and masked in a batch. {@code steps.window(50, 1, 1, true).batch(32)}.
     */
    public Dataset window(int size, int shift, int stride, boolean dropRemainder) {
        return ElementOps.window(this, size, shift, stride, dropRemainder);
    }

    /**
     * tf.data's memory {@code cache()}: the first pass read to its end is kept and replayed by every later epoch and pass, so
     * a costly {@link #map} (or a slow generator) runs once: {@code ds.map(f).cache().shuffle(1, 1000).batch(32)} (a shuffle
     * before the cache is kept with it). It holds every sample in memory: refused for an endless data set.
     */
    public Dataset cache() {
        return ElementOps.cache(this);
    }

    /**
     * tf.data's file {@code cache(filename)}: the first pass read to its end is written to {@code file} (jrnn's own format), every
     * later pass, epoch and run reads the file and never the data before it, as TensorFlow's; a pass cut short keeps nothing.
     * An existing cache is read in place of the data: delete it when the data changes (a table's of other shapes is refused).
     * {@code Dataset.fromNpy(x, y).map(slow).cache(Path.of("/scratch/train.cache")).shuffle(1, 1000).batch(32)}.
     */
    public Dataset cache(Path file) {
        ArrayData.requireMappable("Dataset.cache", "file", file);   // FileCache writes and reads it as a java.io.File
        return FileCache.cache(this, file);
    }

    /**
     * tf.data's {@code enumerate(start)}: each sample gets its position in the pass, {@code start, start + 1, ...}, as a last
     * input of one value (a float32 counter, exact to 2^24); map it away before fit. A named data set's names are dropped
     * ({@link #namesDroppedBy()}): name the parts again after the map. {@code ds.enumerate(0).filter(s ->
     * s.inputs().get(1).data()[0] % 10 != 0)} leaves out every tenth sample.
     */
    public Dataset enumerate(long start) {
        return ElementOps.enumerate(this, start);
    }

    /**
     * tf.data's {@code flat_map}: the samples of {@code f}'s data set for each sample, one data set after another (an unknown
     * count). {@code files.flatMap(s -> Dataset.fromNpy(path(s), null)).batch(32)}.
     */
    public Dataset flatMap(DatasetFunction f) {
        return Interleave.of(this, f, 1, 1, "flatMap");
    }

    /**
     * tf.data's {@code interleave(f, cycle_length, block_length)} in its deterministic order: {@code f}'s data sets of
     * {@code cycleLength} samples at once, {@code blockLength} samples from each in turn, an ended one replaced by the next
     * sample's. {@code files.interleave(s -> Dataset.fromNpy(x(s), y(s)), 4, 16).shuffle(1, 1000).batch(32)} mixes 4 files.
     */
    public Dataset interleave(DatasetFunction f, int cycleLength, int blockLength) {
        return Interleave.of(this, f, cycleLength, blockLength, "interleave");
    }

    /**
     * tf.data's {@code unbatch()}: after batch its batches' samples one by one, as the batch holds them (padded, as tf.data's):
     * {@code ds.batch(64).shuffle(1, 100).unbatch().batch(32)}; before batch each sample's rows (first axis) as samples.
     */
    public Dataset unbatch() {
        return ElementOps.unbatch(this);
    }

    /** tf.data's {@code rebatch(n, dropRemainder)}: {@code unbatch().batch(n, dropRemainder)}; {@code ds.batch(64).rebatch(16)}. */
    public Dataset rebatch(int n, boolean dropRemainder) {
        return Batching.rebatch(this, n, dropRemainder);
    }

    /** Training and validation parts, see {@link #split}. */
    public record Split(Dataset training, Dataset validation) {}

    /**
     * Keras' {@code validation_split}: the last {@code validationFraction} of the samples (before any
     * shuffle) for validation, the rest for training. Call before shuffle, repeat and batch.
     */
    public Split split(double validationFraction) {
        return DatasetSources.split(this, validationFraction);
    }

    /** Batches of {@code n} samples; the last, smaller batch is kept. */
    public Dataset batch(int n) {
        return batch(n, false);
    }

    /**
     * Batches of {@code n} samples; {@code dropRemainder} drops a last batch smaller than {@code n}. A dataset is batched
     * once: batching it again is refused (tf.data would make batches of batches).
     */
    public Dataset batch(int n, boolean dropRemainder) {
        return Batching.batch(this, "batch", n, dropRemainder);
    }

    /**
     * Batches of sequences of similar length (less padding): a sequence of length L goes to bucket
     * k when {@code boundaries[k-1] <= L < boundaries[k]}; a bucket becomes a batch when it holds
     * {@code n} sequences, the partial buckets at the end of the epoch too (unless
     * {@code dropRemainder}). Like {@code tf.data}'s {@code bucket_by_sequence_length}.
     */
    public Dataset bucketByLength(int n, boolean dropRemainder, int... boundaries) {
        return Batching.bucketByLength(this, n, dropRemainder, boundaries);
    }

    /**
     * tf.data's {@code padded_batch(n, padded_shapes, padding_values, drop_remainder)}: one shape and one value per part
     * (inputs, targets, then sample weights; null for all: the batch's longest / 0). A shape's -1 (or a null shape) pads that
     * axis to the batch's longest, {} is a part of one value per sample; a sample longer than its shape is refused, as tf.data.
     * Padding is masked only for sequences with lengths (ragged sources): {@code ds.paddedBatch(32, new int[][] {{100, -1}, {}},
     * new float[] {-1, 0}, false)} pads inputs (steps, features) to 100 steps with -1.
     */
    public Dataset paddedBatch(int n, int[][] paddedShapes, float[] paddingValues, boolean dropRemainder) {
        return Batching.padded(this, n, paddedShapes, paddingValues, dropRemainder);
    }

    /**
     * Batches assembled ahead on a background thread, at most {@code depth} waiting; 0 assembles on the caller's thread;
     * {@link #AUTOTUNE} (tf.data's -1) takes {@link #DEFAULT_PREFETCH}, a fixed depth (tf.data tunes its own while running).
     */
    public Dataset prefetch(int depth) {
        if (depth < 0 && depth != AUTOTUNE) {
            throw new IllegalArgumentException("Dataset.prefetch: depth must be >= 0 or Dataset.AUTOTUNE (-1, tf.data.AUTOTUNE), got " + depth);
        }
        Dataset d = copy();
        d.prefetch = depth == AUTOTUNE ? DEFAULT_PREFETCH : depth;
        return d;
    }

    /**
     * Fail a batch holding NaN or Inf, naming the file and sample, wherever it is read. {@code fit} turns it on unless
     * {@code FitOptions.checkFinite(false)}; {@code predict} and {@code evaluate} leave it as the data set has it (off:
     * those rows come out NaN, as Keras').
     */
    public Dataset checkFinite(boolean on) {
        Dataset d = copy();
        d.checkFinite = on;
        return d;
    }

    /** Convert float64, float16 and integer data to float32 on read (otherwise {@link #epoch} refuses them). */
    public Dataset asFloat32() {
        Dataset d = copy();
        d.float32 = true;
        return d;
    }

    /** Where batches are assembled (default: fresh heap arrays). */
    public Dataset memory(BatchMemory m) {
        if (m == null) throw new IllegalArgumentException("Dataset.memory: null");
        Dataset d = copy();
        d.memory = m;
        return d;
    }

    // ---- what a training loop reads ----

    /**
     * Samples per epoch, or -1 when unknown (a generator, a filter) or endless; after batch-level take, skip or repeat those the
     * epoch's batches hold (-1 where that is unknown: a generator's, a bucketed set's, batches of different sizes shuffled then cut).
     */
    public long size() {
        long n = after.isEmpty() ? sampleCount() : counts().total();
        return n == BatchOps.ENDLESS ? -1 : n;
    }

    /**
     * tf.data's {@code cardinality()}: the elements of an epoch, samples before {@link #batch} and batches after it, or
     * {@link #INFINITE} (an endless {@link #repeat()}) or {@link #UNKNOWN} (a generator, a filter, buckets).
     * {@code fromTensors(x, y).repeat().take(10).batch(4).cardinality()} is 3.
     */
    public long cardinality() {
        long n = batched ? counts().batches() : sampleCount();
        return n == BatchOps.ENDLESS ? INFINITE : n < 0 ? UNKNOWN : n;
    }

    /** Samples per epoch before batch: a table's order's, a stream's as known; -1 unknown, ENDLESS. */
    long sampleCount() {
        return table != null ? order.size() : streamSize;
    }

    /**
     * Whether an epoch never ends: {@link #repeat()} with no {@link #take} after it (tf.data's infinite cardinality).
     * A generator that never ends by itself is not known to be endless.
     */
    public boolean endless() {
        return counts().batches() == BatchOps.ENDLESS;
    }

    /** Batches per epoch, or -1 when unknown (a generator, bucketing, endless) as tf.data's cardinality. */
    public long batchesPerEpoch() {
        long b = counts().batches();
        return b == BatchOps.ENDLESS ? -1 : b;
    }

    /**
     * Whether a batch smaller than {@link #batchSize()} is known to come: the last of a pass without dropRemainder, in this
     * epoch or, shuffled after batch, in another; false where that is unknown (a generator, bucketing). A stateful model
     * refuses such a data set before any step.
     */
    public boolean givesSmallerBatches() {
        return counts().smaller();
    }

    BatchOps.Counts counts() {
        return BatchOps.counts(sampleCount(), batchSize, dropRemainder, boundaries != null, after);   // Long.MAX_VALUE: endless
    }

    /** The batch size (32, Keras' default, until {@link #batch} is called). */
    public int batchSize() { return batchSize; }

    /**
     * The batches of epoch {@code epoch} (which picks the shuffle). Checks first that no file
     * changed since it was opened and that the data is float32 or {@link #asFloat32} was called;
     * then the batches are assembled ahead on a background thread. Close the stream at the end.
     */
    public BatchStream epoch(int epoch) throws IOException {
        if (epoch < 0) throw new IllegalArgumentException("Dataset.epoch: epoch must be >= 0, got " + epoch);
        return EpochPlan.open(this, epoch);
    }

    void beforeBatch(String op, String why) {
        if (batched) {
            throw new IllegalStateException("Dataset." + op + ": call it before batch(...) / bucketByLength(...) (the dataset is batched by "
                    + batchSize + "); " + why);
        }
    }

    @Override
    public String toString() {
        return DatasetSources.describe(this);
    }
}
