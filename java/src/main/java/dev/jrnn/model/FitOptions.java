package dev.jrnn.model;

import dev.jrnn.tensor.Tensor;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * Options of {@link Model#fit}, with Keras' defaults: 1 epoch, batch size 32, verbose "auto" (progress
 * bar), shuffled every epoch, no validation.
 *
 * <pre>{@code
 * History h = model.fit(x, y, new FitOptions()
 *         .epochs(100).batchSize(16).verbose(2)
 *         .shuffle(true).seed(7)                 // reproducible order
 *         .validationSplit(0.2)                  // last 20 % of the samples
 *         .callbacks(new EarlyStopping().patience(5)));
 * }</pre>
 */
public final class FitOptions {
    int epochs = 1;
    int initialEpoch;
    int batchSize;   // 0: not given (32, or the batch size a stateful model fixes)
    int verbose = 1;
    boolean verboseAuto = true;   // Keras' default verbose="auto": the progress bar, and "auto" in the callbacks' params
    int stepsPerEpoch;   // 0: whole passes over the data
    int validationSteps;   // 0: the whole validation data
    int validationBatchSize;   // 0: not given (the training batch size's rule)
    boolean shuffle = true;
    boolean checkFinite = true;
    Long seed;
    double validationSplit;
    int validationFreq = 1;
    java.util.Set<Integer> validationEpochs;   // Keras' validation_freq as a list (from 1); null: every validationFreq-th
    SampleWeights.Given sampleWeight;
    Map<Integer, Double> classWeight;
    List<Tensor> validationX;
    Map<String, ? extends Tensor> validationXByName;   // validationX by Input name, resolved by fit
    List<Tensor> validationY;
    Map<String, ? extends Tensor> validationYByName;   // validationY by output name, resolved by fit
    SampleWeights.Given validationWeight;
    int[] validationLengths;
    dev.jrnn.data.Dataset validationDataset;
    int[] lengths;
    final List<Callback> callbacks = new ArrayList<>();
    PrintStream out;
    SummaryFormat progressFormat = SummaryFormat.TF_KERAS_2;
    boolean cudaGraphs = true;
    dev.jrnn.backend.Communicator communicator;
    long bucketBytes = DEFAULT_BUCKET_BYTES;

    /** The gradient bucket of data-parallel training, as PyTorch DDP's default {@code bucket_cap_mb} (25 MiB). */
    public static final long DEFAULT_BUCKET_BYTES = 25L << 20;

    /** Fit's options at Keras' defaults (one epoch, batch size 32, shuffled, verbose "auto"); the builders change them. */
    public FitOptions() {}

    /**
     * How many epochs to train (default 1). 0 trains none, as Keras' {@code epochs=0}: the callbacks get only
     * {@link Callback#onTrainBegin} and {@link Callback#onTrainEnd}, and fit returns an empty History.
     */
    public FitOptions epochs(int n) {
        if (n < 0) throw new IllegalArgumentException("FitOptions: epochs must be >= 0, got " + n);
        this.epochs = n;
        return this;
    }

    /**
     * The epoch to start at (Keras' {@code initial_epoch}), to resume a run: fit trains epochs
     * {@code initialEpoch .. epochs-1}, numbering them as the uninterrupted run, and draws the shuffles that run would
     * have drawn (it replays the skipped epochs' shuffles from the seed: give the same {@link #seed}, or none to use
     * the seed saved with the model). With a model from {@link Models#load} of a checkpoint of that epoch, the
     * resumed run computes what the uninterrupted one computes. The run it replays is the model's last initialEpoch epochs
     * taken as one fit (with {@link #stepsPerEpoch}, its passes too), so resume from a checkpoint of one fit: over epochs
     * of separate fit calls a Dataset's whole passes come out as the calls' would have gone on, but a stepsPerEpoch fit
     * reads batches already trained on again (see there) and a seeded {@code fit(x, y)} draws the one fit's orders, not
     * the calls'. At or above {@link #epochs} nothing is left to train:
     * fit runs no epoch (Keras' loop is {@code range(initial_epoch, epochs)}), the callbacks get only
     * {@link Callback#onTrainBegin} and {@link Callback#onTrainEnd}, and fit returns an empty History, as Keras.
     */
    public FitOptions initialEpoch(int n) {
        if (n < 0) throw new IllegalArgumentException("FitOptions: initialEpoch must be >= 0, got " + n);
        this.initialEpoch = n;
        return this;
    }

    /** Keras' batch_size: without it 32, or for a model with stateful layers the batch size its input fixes. */
    public FitOptions batchSize(int n) {
        if (n < 1) throw new IllegalArgumentException("FitOptions: batchSize must be >= 1, got " + n);
        this.batchSize = n;
        return this;
    }

    /**
     * Keras' {@code steps_per_epoch}: each epoch trains on the next {@code n} batches, the batches of the data (a
     * {@link dev.jrnn.data.Dataset} or tensors) going on from one epoch to the next; an epoch that runs out of data ends
     * short (with a warning on System.err, once per fit and at any verbosity, as Keras' "Your input ran out of data") and the next one starts
     * a fresh pass (tensors: shuffled again). With tensors and no {@link #batchSize},
     * batches of ceil(samples / n), as Keras. A fit without {@link #initialEpoch} opens a fresh pass at the model's next
     * data epoch, as Keras' new iterator per fit call, so a loop of fit calls never reads one pass twice. A fit with
     * initialEpoch n replays passes as if the model's last n epochs had been one fit with this stepsPerEpoch: it reads the
     * batches those epochs took (without training on them) and goes on with those that fit would have seen next. If they
     * came from separate fit calls or another stepsPerEpoch, batches already trained on are read again: resume with
     * initialEpoch only from a checkpoint of one fit, and leave it out in a loop of fit calls. (Keras' resume in a fresh
     * process repeats batches too: a seeded tf.data shuffle starts its orders over.) Needed for an endless data set
     * ({@code repeat()}): {@code model.fit(ds.shuffle(1).repeat().batch(64), new FitOptions().epochs(10).stepsPerEpoch(500))}.
     */
    public FitOptions stepsPerEpoch(int n) {
        if (n < 1) throw new IllegalArgumentException("FitOptions: stepsPerEpoch must be >= 1, got " + n);
        this.stepsPerEpoch = n;
        return this;
    }

    /**
     * Keras' {@code validation_steps}: each validation runs on the first {@code n} batches of the validation data (a
     * {@link #validationData(dev.jrnn.data.Dataset) Dataset}, tensors or the split), from its start every time; fewer
     * when it has fewer, with one warning on System.err per fit, as Keras' "ran out of data". Needed for an endless
     * validation data set:
     * {@code new FitOptions().validationData(val.repeat().batch(64)).validationSteps(20)}.
     */
    public FitOptions validationSteps(int n) {
        if (n < 1) throw new IllegalArgumentException("FitOptions: validationSteps must be >= 1, got " + n);
        this.validationSteps = n;
        return this;
    }

    /**
     * Keras' {@code validation_batch_size}: validation on tensors ({@link #validationData(Tensor, Tensor)} or
     * {@link #validationSplit}) runs in batches of {@code n}; without it, in the training batches' size ({@code
     * validation_batch_size or batch_size}). The batches matter where a batch's loss is a mean over its unmasked steps.
     * A validation {@link dev.jrnn.data.Dataset} gives its own batches, and a stateful model validates in the batch size
     * its input fixes: {@code n} other than that is refused.
     * {@code new FitOptions().batchSize(32).validationSplit(0.1).validationBatchSize(256)}.
     */
    public FitOptions validationBatchSize(int n) {
        if (n < 1) throw new IllegalArgumentException("FitOptions: validationBatchSize must be >= 1, got " + n);
        this.validationBatchSize = n;
        return this;
    }

    /**
     * The global batch size asked for {@code samples} tensor samples taken in {@code steps} batches (0: whole passes), 0
     * when none is asked (the default or a stateful model's fixed one applies): the given one, or Keras' ceil(samples /
     * steps) where the model fixes none ({@code free}).
     */
    int batchFor(int samples, int steps, boolean free) {
        if (batchSize > 0 || steps == 0 || !free) return globalBatchSize();
        return (int) ((samples + (long) steps - 1) / steps);
    }

    /**
     * Refuses {@link #validationSteps} or {@link #validationBatchSize} for a fit of model {@code model} that has no
     * validation data to apply them to.
     */
    void checkValidationSteps(String model, boolean validates) {
        String given = validationSteps > 0 ? "validationSteps" : validationBatchSize > 0 ? "validationBatchSize" : null;
        if (given != null && !validates) {
            throw new IllegalArgumentException(model + ".fit: FitOptions." + given + " applies to validation data "
                    + "(validationData or validationSplit); there is none");
        }
    }

    /**
     * 0 = silent, 1 = progress bar with loss and ETA, 2 = one line per epoch, both in tf.keras 2's Progbar layout with
     * samples/s added ({@code 1/1 - 1s - loss: 1.6094 - 1s/epoch - 1s/step - 40 samples/s}; Keras 3 prints
     * {@code 1/1 - 1s - 1s/step - loss: 1.6094}).
     */
    public FitOptions verbose(int v) {
        if (v < 0 || v > 2) throw new IllegalArgumentException("FitOptions: verbose must be 0, 1 or 2, got " + v);
        this.verbose = v;
        this.verboseAuto = false;
        return this;
    }

    /**
     * Keras' {@code verbose="auto"}, the default: the progress bar of verbose 1, and {@code 'auto'} in the callbacks'
     * {@link FitParams} and {@link History#params()}, as Keras 3.15.1 hands them on (new, session 21):
     * {@code new FitOptions().verbose("auto")}.
     */
    public FitOptions verbose(String v) {
        if (!"auto".equals(v)) {
            throw new IllegalArgumentException("FitOptions: verbose must be \"auto\" (or the numbers 0, 1, 2), got " + (v == null ? "null" : "\"" + v + "\""));
        }
        this.verbose = 1;
        this.verboseAuto = true;
        return this;
    }

    /** Shuffles the training samples before each epoch (default true). */
    public FitOptions shuffle(boolean s) {
        this.shuffle = s;
        return this;
    }

    /**
     * Guards against NaN and infinities (default true): x, y and the validation data are checked
     * before training, and every step checks its gradients before the update and the weights after
     * it, so a {@link NonFiniteException} leaves the weights of the last finite step. The loss is
     * checked either way; false skips the data scan and the two checks per step (for benchmarks). predict and evaluate never
     * refuse NaN or Inf input: the rows holding it come out NaN, as Keras'.
     */
    public FitOptions checkFinite(boolean c) {
        this.checkFinite = c;
        return this;
    }

    /** Seeds the shuffle; without it the order is drawn from {@link dev.jrnn.Jrnn#setSeed}. */
    public FitOptions seed(long s) {
        this.seed = s;
        return this;
    }

    /** Holds out the last {@code fraction} of the samples (before shuffling) for validation, as Keras. */
    public FitOptions validationSplit(double fraction) {
        if (!(fraction >= 0 && fraction < 1)) {
            throw new IllegalArgumentException("FitOptions: validationSplit must be in [0, 1), got " + fraction);
        }
        this.validationSplit = fraction;
        return this;
    }

    /**
     * Validates after every {@code n}-th epoch only (epochs n, 2n, ..., counted from 1), as Keras' {@code validation_freq}
     * (default 1). The other epochs log no "val_" values (callbacks see none; as Keras' History, {@link History} lists
     * the validated epochs' values only, {@link History#epochs(String)} says which).
     */
    public FitOptions validationFreq(int n) {
        if (n < 1) throw new IllegalArgumentException("FitOptions: validationFreq must be >= 1, got " + n);
        this.validationFreq = n;
        this.validationEpochs = null;
        return this;
    }

    /**
     * Keras' {@code validation_freq} as a list: validates after the epochs named, counted from 1 as Keras counts them
     * ({@code validationFreq(List.of(1, 2, 10))} validates after the first, second and tenth epoch).
     */
    public FitOptions validationFreq(List<Integer> epochs) {
        if (epochs == null) throw new IllegalArgumentException("FitOptions: validationFreq epochs is null (give the epochs, from 1, to validate after)");
        for (Integer e : epochs) {
            if (e == null || e < 1) {
                throw new IllegalArgumentException("FitOptions: validationFreq epochs are counted from 1, got " + e + " in " + epochs);
            }
        }
        this.validationEpochs = java.util.Set.copyOf(epochs);
        this.validationFreq = 1;
        return this;
    }

    /** Whether epoch {@code epoch} (from 0) validates, as Keras' _should_eval. */
    boolean validates(int epoch) {
        return validationEpochs != null ? validationEpochs.contains(epoch + 1) : (epoch + 1) % validationFreq == 0;
    }

    /**
     * Keras' {@code sample_weight}, scaling the loss of every output with a target: shape (n) or (n, 1), one weight per
     * sample; or (n, T) (or (n, T, 1)), one weight per timestep of a sequence output (n, T, units), as Keras 3 multiplies
     * it into the per-step loss (n, T): weigh a seq2seq model's padded steps 0. The batch's mean still divides by its
     * number of loss elements (Keras' sum_over_batch_size); with a mask, the weight multiplies the mask's (Keras'
     * apply_mask). With validationSplit the held-out samples keep theirs, so val_loss is weighted too, as in Keras.
     * Metrics are not weighted (Keras' {@code metrics}, not {@code weighted_metrics}). For a {@link dev.jrnn.data.Dataset},
     * give the weights in the data set ({@link dev.jrnn.data.Dataset#fromTensors(List, List, List)}).
     *
     * <pre>{@code
     * model.fit(x, y, new FitOptions().sampleWeight(stepWeights));   // x (n, T, f), y (n, T, k), stepWeights (n, T)
     * }</pre>
     */
    public FitOptions sampleWeight(Tensor w) {
        this.sampleWeight = SampleWeights.Given.shared("FitOptions", "sampleWeight", w).valuesChecked("FitOptions", "sampleWeight");
        return this;
    }

    /**
     * One sample-weight tensor per output, in output order (null: that output unweighted), each as
     * {@link #sampleWeight(Tensor)}: Keras' {@code sample_weight=[w1, w2]}.
     */
    public FitOptions sampleWeight(List<Tensor> perOutput) {
        this.sampleWeight = SampleWeights.Given.perOutput("FitOptions", "sampleWeight", perOutput).valuesChecked("FitOptions", "sampleWeight");
        return this;
    }

    /**
     * Sample weights by output name: Keras' {@code sample_weight={"price": w1, "kind": w2}}. Every output's key must be
     * there, as Keras 3.15.1 refuses a map that leaves one out (one {@code sample_weight} array per output): fit refuses
     * it; a null value (in a {@code HashMap}) leaves that output unweighted, as Keras' {@code None}.
     */
    public FitOptions sampleWeight(Map<String, Tensor> byOutput) {
        this.sampleWeight = SampleWeights.Given.byName("FitOptions", "sampleWeight", byOutput).valuesChecked("FitOptions", "sampleWeight");
        return this;
    }

    /**
     * Keras' {@code class_weight}: each training sample's loss scaled by the weight of its target's class (1 for a
     * class not in the map), for a model with one output: the class index of a sparse target, the argmax of a one-hot
     * target, the rounded 0/1 of a single column. Validation is not weighted, as in Keras. Not with sampleWeight. With a
     * {@link dev.jrnn.data.Dataset} each batch is weighed as it comes (Keras' tf.data case); not with the data set's own weights.
     */
    public FitOptions classWeight(Map<Integer, Double> weights) {
        this.classWeight = SampleWeights.checkClassWeight("FitOptions", weights);
        return this;
    }

    /** Whether tensor validation data was given, as a list or by input name. */
    boolean hasValidationTensors() { return validationX != null || validationXByName != null; }

    /** Validation data evaluated after each epoch (overrides validationSplit). */
    public FitOptions validationData(Tensor x, Tensor y) {
        if (x == null || y == null) throw new IllegalArgumentException("FitOptions: validationData needs both x and y");
        return validationData(List.of(x), List.of(y));
    }

    /** Validation data for multi-input / multi-output models (a null y skips that output). */
    public FitOptions validationData(List<Tensor> xs, List<Tensor> ys) {
        if (xs == null || ys == null) throw new IllegalArgumentException("FitOptions: validationData needs both x and y");
        for (int i = 0; i < xs.size(); i++) {
            if (xs.get(i) == null) throw new IllegalArgumentException("FitOptions: validationData x[" + i + "] is null");
        }
        if (ys.isEmpty() || ys.stream().allMatch(java.util.Objects::isNull)) {
            throw new IllegalArgumentException("FitOptions: validationData needs at least one non-null y, got " + ys.size() + " nulls");
        }
        this.validationX = List.copyOf(xs);
        this.validationXByName = null;
        this.validationY = new ArrayList<>(ys);
        this.validationYByName = null;
        this.validationDataset = null;
        this.validationWeight = null;
        return this;
    }

    /**
     * Validation data with the inputs by name, as Keras' {@code validation_data=({"a": a, "b": b}, y)}: fit reads each
     * input's tensor by its key of {@link Model#inputNames()} (the Inputs' names, or a dict-input model's keys), other
     * keys left unread, as {@link Model#fit(Map, List, FitOptions)} reads x.
     */
    public FitOptions validationData(Map<String, ? extends Tensor> xs, List<Tensor> ys) {
        if (xs == null) throw new IllegalArgumentException("FitOptions: validationData needs both x and y, got a null map of x");
        for (var e : xs.entrySet()) {
            if (e.getKey() == null || e.getValue() == null) {
                throw new IllegalArgumentException("FitOptions: validationData x by input name has a null " + (e.getKey() == null ? "key" : "tensor at '" + e.getKey() + "'"));
            }
        }
        validationData(List.of(), ys);
        this.validationX = null;
        this.validationXByName = Map.copyOf(xs);
        return this;
    }

    /**
     * Validation data with the targets by output name, as Keras' {@code validation_data=(x, {"score": s, "kind": k})}: fit
     * reads each output's target by its name, as {@link Model#fit(List, Map, FitOptions)} reads y.
     */
    public FitOptions validationData(List<Tensor> xs, Map<String, ? extends Tensor> ys) {
        validationData(xs, byOutputName(ys));
        this.validationYByName = new java.util.HashMap<>(ys);   // a null value: that output has no target
        this.validationY = null;
        return this;
    }

    /** Validation data with the inputs by name and the targets by output name (see the two methods above). */
    public FitOptions validationData(Map<String, ? extends Tensor> xs, Map<String, ? extends Tensor> ys) {
        validationData(xs, byOutputName(ys));
        this.validationYByName = new java.util.HashMap<>(ys);
        this.validationY = null;
        return this;
    }

    /** The values of {@code ys} for the checks the list form makes (non-null keys, at least one target). */
    private static List<Tensor> byOutputName(Map<String, ? extends Tensor> ys) {
        if (ys == null) throw new IllegalArgumentException("FitOptions: validationData needs both x and y, got a null map of y");
        for (String k : ys.keySet()) {
            if (k == null) throw new IllegalArgumentException("FitOptions: validationData y by output name has a null key");
        }
        return new ArrayList<>(ys.values());
    }

    /**
     * Weighted validation data, as Keras' {@code validation_data=(x_val, y_val, w_val)}: val_loss weighs each sample's loss
     * by {@code w} as {@link #sampleWeight(Tensor)} weighs the training loss (shape (n), or (n, T) per timestep).
     */
    public FitOptions validationData(Tensor x, Tensor y, Tensor w) {
        SampleWeights.Given g = SampleWeights.Given.shared("FitOptions", "validationData's sampleWeight", w)
                .valuesChecked("FitOptions", "validationData's sampleWeight");   // first: a refusal changes nothing
        validationData(x, y);
        this.validationWeight = g;
        return this;
    }

    /** Weighted validation data of a model with several inputs or outputs; {@code w} weighs every output. */
    public FitOptions validationData(List<Tensor> xs, List<Tensor> ys, Tensor w) {
        SampleWeights.Given g = SampleWeights.Given.shared("FitOptions", "validationData's sampleWeight", w)
                .valuesChecked("FitOptions", "validationData's sampleWeight");
        validationData(xs, ys);
        this.validationWeight = g;
        return this;
    }

    /**
     * Weighted validation data with one weight tensor per output (null: that output unweighted), as {@link
     * #sampleWeight(List)}.
     */
    public FitOptions validationData(List<Tensor> xs, List<Tensor> ys, List<Tensor> perOutput) {
        SampleWeights.Given g = SampleWeights.Given.perOutput("FitOptions", "validationData's sampleWeight", perOutput)
                .valuesChecked("FitOptions", "validationData's sampleWeight");
        validationData(xs, ys);
        this.validationWeight = g;
        return this;
    }

    /**
     * Weighted validation data with the inputs by name, as Keras' {@code validation_data=({"a": a, "b": b}, [s, k], w)}:
     * {@code w} weighs every output, as {@link #validationData(List, List, Tensor)}, x read as
     * {@link #validationData(Map, List)} reads it:
     * <pre>{@code
     * new FitOptions().validationData(Map.of("a", va, "b", vb), List.of(vs, vk), vw);
     * }</pre>
     */
    public FitOptions validationData(Map<String, ? extends Tensor> xs, List<Tensor> ys, Tensor w) {
        SampleWeights.Given g = SampleWeights.Given.shared("FitOptions", "validationData's sampleWeight", w)
                .valuesChecked("FitOptions", "validationData's sampleWeight");
        validationData(xs, ys);
        this.validationWeight = g;
        return this;
    }

    /**
     * {@link #validationData(Map, List, Tensor)} with one weight tensor per output, in output order (null: that output
     * unweighted), as {@link #validationData(List, List, List)}.
     */
    public FitOptions validationData(Map<String, ? extends Tensor> xs, List<Tensor> ys, List<Tensor> perOutput) {
        SampleWeights.Given g = SampleWeights.Given.perOutput("FitOptions", "validationData's sampleWeight", perOutput)
                .valuesChecked("FitOptions", "validationData's sampleWeight");
        validationData(xs, ys);
        this.validationWeight = g;
        return this;
    }

    /**
     * Weighted validation data with the inputs by name and the targets by output name, as Keras' {@code
     * validation_data=({"a": a, "b": b}, {"score": s, "kind": k}, w)}: {@code w} weighs every output, as {@link
     * #validationData(List, List, Tensor)}. jrnn weighs a y by output name too, where Keras 3.15.1 raises
     * {@code KeyError: 0} for a model whose outputs are a list (give y as a list there,
     * {@link #validationData(Map, List, Tensor)}, to run the same in both):
     * <pre>{@code
     * new FitOptions().validationData(Map.of("a", va, "b", vb), Map.of("score", vs, "kind", vk), vw);
     * }</pre>
     */
    public FitOptions validationData(Map<String, ? extends Tensor> xs, Map<String, ? extends Tensor> ys, Tensor w) {
        SampleWeights.Given g = SampleWeights.Given.shared("FitOptions", "validationData's sampleWeight", w)
                .valuesChecked("FitOptions", "validationData's sampleWeight");
        validationData(xs, ys);
        this.validationWeight = g;
        return this;
    }

    /**
     * {@link #validationData(Map, Map, Tensor)} with one weight tensor per output, in output order (null: that output
     * unweighted), as {@link #validationData(List, List, List)}.
     */
    public FitOptions validationData(Map<String, ? extends Tensor> xs, Map<String, ? extends Tensor> ys, List<Tensor> perOutput) {
        SampleWeights.Given g = SampleWeights.Given.perOutput("FitOptions", "validationData's sampleWeight", perOutput)
                .valuesChecked("FitOptions", "validationData's sampleWeight");
        validationData(xs, ys);
        this.validationWeight = g;
        return this;
    }

    /**
     * Weighted validation data of a model whose outputs are a dict ({@link Model#dictOutputs()}), the targets and the
     * weights by its keys, as Keras' {@code validation_data=(x, {"price": p, "kind": k}, {"price": w1, "kind": w2})}:
     * val_loss weighs each output's loss by its key's weights as {@link #sampleWeight(Map)} weighs the training loss, so
     * the val_* logs are {@link Model#evaluateAll(List, Map, int, int[], Map)}'s with the same weights. A key that names
     * no output and a map that leaves an output out are refused when fit reads it, as Keras 3.15.1 refuses them (a null
     * value, in a {@code HashMap}, leaves that output unweighted):
     * <pre>{@code
     * new FitOptions().validationData(List.of(vx), Map.of("price", vp, "kind", vk), Map.of("price", w1, "kind", w2));
     * }</pre>
     */
    public FitOptions validationData(List<Tensor> xs, Map<String, ? extends Tensor> ys, Map<String, Tensor> byOutput) {
        SampleWeights.Given g = SampleWeights.Given.byName("FitOptions", "validationData's sampleWeight", byOutput)
                .valuesChecked("FitOptions", "validationData's sampleWeight");   // first: a refusal changes nothing
        validationData(xs, ys);
        this.validationWeight = g;
        return this;
    }

    /**
     * {@link #validationData(List, Map, Map)} with the inputs by name, as Keras' {@code validation_data=({"a": a},
     * {"price": p, "kind": k}, {"price": w1, "kind": w2})}:
     * <pre>{@code
     * new FitOptions().validationData(Map.of("a", va), Map.of("price", vp, "kind", vk), Map.of("price", w1, "kind", w2));
     * }</pre>
     */
    public FitOptions validationData(Map<String, ? extends Tensor> xs, Map<String, ? extends Tensor> ys, Map<String, Tensor> byOutput) {
        SampleWeights.Given g = SampleWeights.Given.byName("FitOptions", "validationData's sampleWeight", byOutput)
                .valuesChecked("FitOptions", "validationData's sampleWeight");
        validationData(xs, ys);
        this.validationWeight = g;
        return this;
    }

    /**
     * Validation batches from a {@link dev.jrnn.data.Dataset} (one target per output), evaluated after each
     * epoch in its own batches (overrides validationSplit and tensor validation data):
     * {@code validationData(Dataset.fromNpy(vx, vy).batch(256))}.
     */
    public FitOptions validationData(dev.jrnn.data.Dataset data) {
        if (data == null) throw new IllegalArgumentException("FitOptions: validationData dataset is null");
        this.validationDataset = data;
        this.validationX = null;
        this.validationXByName = null;
        this.validationY = null;
        this.validationYByName = null;
        this.validationWeight = null;
        return this;
    }

    /** Per-sample valid lengths of the validation sequences (see {@link #lengths}). */
    public FitOptions validationLengths(int... lengths) {
        this.validationLengths = lengths == null ? null : lengths.clone();
        return this;
    }

    /**
     * Per-sample valid lengths of the (post-padded) input sequences: timesteps at or after a
     * sample's length are masked in every recurrent layer (a [batch, timesteps] mask goes to the
     * first layer and follows the layers' output masks) and dropped from a sequence loss, which then
     * averages over the valid timesteps only.
     */
    public FitOptions lengths(int... lengths) {
        this.lengths = lengths == null ? null : lengths.clone();
        return this;
    }

    /**
     * Adds callbacks (Keras' {@code callbacks=[...]}), called in the order given, after any added before; they share each
     * epoch's logs in that order. {@code new FitOptions().callbacks(new EarlyStopping().patience(3), new CSVLogger(log))}.
     */
    public FitOptions callbacks(Callback... cbs) {
        if (cbs == null) throw new IllegalArgumentException("FitOptions: callbacks is null (pass none for no callbacks)");
        for (Callback c : cbs) {
            if (c == null) throw new IllegalArgumentException("FitOptions: a callback is null");
            callbacks.add(c);
        }
        return this;
    }

    /** Adds a per-epoch listener (epoch from 0, logs). */
    public FitOptions onEpochEnd(Callback.EpochListener listener) {
        if (listener == null) throw new IllegalArgumentException("FitOptions: onEpochEnd listener is null");
        callbacks.add(Callback.onEpochEnd(listener));
        return this;
    }

    /**
     * Whether fit captures each batch size's train step into a CUDA graph and replays it (default true;
     * only backends that can capture do it, the CPU backend runs eagerly anyway; steps with metrics run
     * eagerly). Replayed and eager steps compute the same values; turn it off to compare or to debug.
     */
    public FitOptions cudaGraphs(boolean on) {
        this.cudaGraphs = on;
        return this;
    }

    /**
     * Data-parallel training over {@code comm}'s ranks (one process per GPU, NCCL: {@code dev.jrnn.distributed.ProcessGroup}):
     * each rank trains on its part of every global batch of {@code batchSize x ranks} samples (so {@link #batchSize} is
     * per rank; a Dataset's own batches are the global ones; validation data is evaluated whole on every rank), the
     * weights start as rank 0's, the gradients are averaged
     * in buckets while the backward pass runs, every rank makes the same optimizer update, the logs are the means over
     * all ranks, only rank 0 prints and runs the callbacks that write files ({@link Callback#rankZeroOnly}). N ranks with
     * batch b compute what one process with batch N·b computes, to float32 rounding. Every rank must call fit with the
     * same options, and shuffle with the same seed: without {@link #seed}, seed 0 (as PyTorch's DistributedSampler). A
     * failure on one rank ends fit on every rank with a {@link dev.jrnn.backend.DistributedException} naming it.
     *
     * <pre>{@code
     * try (ProcessGroup pg = ProcessGroup.fromEnvironment()) {          // started by bin/jrnn-launch
     *     model.fit(x, y, new FitOptions().epochs(10).batchSize(64).distributed(pg.communicator()));
     * }
     * }</pre>
     */
    public FitOptions distributed(dev.jrnn.backend.Communicator comm) {
        if (comm == null) throw new IllegalArgumentException("FitOptions: distributed communicator is null");
        this.communicator = comm;
        return this;
    }

    /** {@link #distributed(dev.jrnn.backend.Communicator)} with gradient buckets of about {@code bucketBytes} (default 25 MiB). */
    public FitOptions distributed(dev.jrnn.backend.Communicator comm, long bucketBytes) {
        if (bucketBytes < Float.BYTES) throw new IllegalArgumentException("FitOptions: bucketBytes must be >= 4, got " + bucketBytes);
        distributed(comm);
        this.bucketBytes = bucketBytes;
        return this;
    }

    /** The samples of one step over all ranks: batchSize times the ranks of {@link #distributed}. */
    int globalBatchSize() {
        return communicator == null ? batchSize : (int) Math.min(Integer.MAX_VALUE, (long) batchSize * communicator.size());
    }

    /**
     * Where the progress bar and the callbacks' verbose lines go (default System.out); in data-parallel fit only rank
     * 0 writes them.
     */
    public FitOptions out(PrintStream s) {
        if (s == null) throw new IllegalArgumentException("FitOptions: out is null (use verbose(0) for no output)");
        this.out = s;
        return this;
    }

    /**
     * Which Keras' layout verbose 2's epoch line follows: {@link SummaryFormat#TF_KERAS_2} (the default, with samples/s
     * added: {@code 1/1 - 4s - loss: 1.6094 - 4s/epoch - 4s/step - 10 samples/s}) or {@link SummaryFormat#KERAS_3}, Keras
     * 3.15.1's ({@code 1/1 - 4s - 4s/step - loss: 1.6094}: the epoch's time over its steps, the training keys then the
     * validation ones), as {@link Model#summary(SummaryFormat)} offers both tables. Verbose 1's bar is tf.keras 2's in both.
     * {@code new FitOptions().verbose(2).progressFormat(SummaryFormat.KERAS_3)}.
     */
    public FitOptions progressFormat(SummaryFormat f) {
        if (f == null) throw new IllegalArgumentException("FitOptions: progressFormat must be TF_KERAS_2 or KERAS_3, got null");
        this.progressFormat = f;
        return this;
    }

    /** Keras' {@code epochs}; default 1. */
    public int epochs() { return epochs; }

    /** Keras' {@code initial_epoch}; default 0. */
    public int initialEpoch() { return initialEpoch; }

    /**
     * The batch size given, or 32 (Keras' default) when none was; fit then takes the batch size a stateful model's
     * input fixes, which this does not see.
     */
    public int batchSize() { return batchSize > 0 ? batchSize : StatefulBatch.DEFAULT; }

    /** Keras' {@code verbose}: 0, 1 or 2; default 1 ("auto"). */
    public int verbose() { return verbose; }

    /** Whether fit checks the data and each step for NaN / Inf ({@link #checkFinite(boolean)}); default true. */
    public boolean checkFinite() { return checkFinite; }

    /** Whether fit captures train steps into CUDA graphs ({@link #cudaGraphs(boolean)}); default true. */
    public boolean cudaGraphs() { return cudaGraphs; }

    @Override
    public String toString() {
        return "FitOptions{epochs=" + epochs + ", batchSize=" + batchSize() + (stepsPerEpoch > 0 ? ", stepsPerEpoch=" + stepsPerEpoch : "")
                + (validationSteps > 0 ? ", validationSteps=" + validationSteps : "")
                + ", verbose=" + (verboseAuto ? "auto" : verbose) + ", shuffle=" + shuffle
                + (seed != null ? ", seed=" + seed : "") + ", validationSplit=" + validationSplit
                + (lengths != null ? ", lengths=" + Arrays.toString(lengths) : "")
                + (communicator != null ? ", distributed=rank " + communicator.rank() + " of " + communicator.size() : "") + "}";
    }
}
