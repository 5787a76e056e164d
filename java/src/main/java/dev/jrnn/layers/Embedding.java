package dev.jrnn.layers;

import dev.jrnn.backend.Backend;
import dev.jrnn.backend.DTensor;
import dev.jrnn.initializers.Initializer;
import dev.jrnn.regularizers.Constraint;
import dev.jrnn.regularizers.Regularizer;
import dev.jrnn.tensor.Tensor;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Keras Embedding: maps integer ids (stored as floats) of shape (batch, T) to vectors, output
 * (batch, T, outputDim). Weights: embeddings [inputDim, outputDim], initialised U(-0.05, 0.05).
 * With maskZero, id 0 is padding: the output mask is ids != 0. Ids must be integers in [0, inputDim):
 * the backend checks them ({@link Backend#checkIds}: at once on the CPU, on the device with the report at
 * the next synchronizing call on CUDA, where a bad id looks up a zero row meanwhile); the ids get no
 * gradient (backward returns null for them).
 *
 * <pre>{@code
 * Embedding emb = new Embedding(1000, 64).maskZero(true);
 * Tensor v = emb.call(Tensor.of(new float[][] {{4, 17, 0}}));   // (1, 3, 64)
 * }</pre>
 */
public class Embedding extends Layer {
    /** The largest vocabulary: ids are float32, whose integers are exact up to 2^24. */
    private static final int MAX_VOCAB = 1 << 24;

    private final int vocab;
    private final int dim;
    private boolean maskZero;
    private Integer paddingIdx;
    private Param embeddings;
    private final WeightInitializers inits = new WeightInitializers(this)
            .with("embeddings", "embeddingsInitializer", 2, Initializer.randomUniform(-0.05, 0.05));

    /**
     * {@code inputDim}: vocabulary size (ids in [0, inputDim)), at most 2^24 (ids are float32); {@code outputDim}:
     * vector size.
     */
    public Embedding(int inputDim, int outputDim) {
        if (inputDim <= 0 || outputDim <= 0) {
            throw new IllegalArgumentException("Embedding: inputDim and outputDim must be positive, got " + inputDim + " and " + outputDim);
        }
        if (Tensor.size(inputDim, outputDim) > Tensor.MAX_SIZE) {
            throw new IllegalArgumentException("Embedding: embeddings (" + inputDim + ", " + outputDim + ") would hold "
                    + Tensor.size(inputDim, outputDim) + " values, at most " + Tensor.MAX_SIZE + "; lower inputDim or outputDim");
        }
        if (inputDim > MAX_VOCAB) {   // a larger id would arrive rounded and silently look up another row
            throw new IllegalArgumentException("Embedding: inputDim must be at most " + MAX_VOCAB
                    + " (ids travel as float32, exact integers up to 2^24), got " + inputDim);
        }
        this.vocab = inputDim;
        this.dim = outputDim;
    }

    @Override
    public String kerasClass() { return "Embedding"; }

    /** Vocabulary size (Keras input_dim). */
    public int vocabularySize() { return vocab; }

    @Override
    public int inputIdBound() { return vocab; }

    /** Vector size (Keras output_dim). */
    public int outputDim() { return dim; }

    /** Keras' {@code mask_zero}; default false. */
    public boolean maskZero() { return maskZero; }

    /**
     * Keras' {@code embeddings_initializer} (default "uniform": RandomUniform(-0.05, 0.05)), drawn at the build: set it before.
     * <pre>{@code
     * Embedding e = new Embedding(1000, 64).embeddingsInitializer(Initializer.randomNormal(0.0, 0.02, 7));
     * }</pre>
     */
    public Embedding embeddingsInitializer(Initializer i) { inits.set("embeddings", i); return this; }

    /** Keras' {@code embeddings_initializer} by Keras' name ({@link Initializer#of}). */
    public Embedding embeddingsInitializer(String name) { return embeddingsInitializer(inits.named("embeddings", name)); }

    /** Keras' {@code embeddings_initializer}; default uniform, RandomUniform(-0.05, 0.05). */
    public Initializer embeddingsInitializer() { return inits.get("embeddings"); }

    /** Keras' {@code embeddings_regularizer}: its penalty on the whole table joins the loss (null: none). */
    public Embedding embeddingsRegularizer(Regularizer r) { weightRules().regularizer("embeddings", r); return this; }

    /** Keras' {@code embeddings_constraint}: applied to the table after each update (null: none). */
    public Embedding embeddingsConstraint(Constraint c) { weightRules().constraint("embeddings", c); return this; }

    /** Keras' {@code activity_regularizer}: a penalty on the output (divided by the batch size) joins the loss (null: none). */
    public Embedding activityRegularizer(Regularizer r) { weightRules().activity(r); return this; }

    /** Treats id 0 as padding: the output mask is ids != 0. */
    public Embedding maskZero(boolean b) {
        this.maskZero = b;
        return this;
    }

    /**
     * PyTorch's {@code nn.Embedding(padding_idx=k)}, which Keras has no option for: the lookups never send a gradient
     * to row {@code k} (a regularizer's gradient and the optimizer's weight decay still reach it, as torch's optimizers
     * move a row whose gradient is zero); set before the build, the row starts at zero, as torch's does. A negative
     * {@code k} counts from the end ({@code inputDim + k}), as torch's; null: none (the default). Not in the Keras
     * config (Keras would refuse the key): a {@code .keras} saved by jrnn keeps it in jrnn's own metadata, an
     * {@code .h5} does not. The ids it names are looked up as any other: combine it with {@link #maskZero} to mask them.
     * Set it before {@code fit}, not from a callback during one: the CUDA graph a fit captures of its step keeps the
     * row it was captured with until that fit ends.
     * <pre>{@code
     * Embedding e = new Embedding(1000, 64).paddingIdx(0);   // torch: nn.Embedding(1000, 64, padding_idx=0)
     * }</pre>
     */
    public Embedding paddingIdx(Integer k) {
        if (k != null && (k < -vocab || k >= vocab)) {
            throw new IllegalArgumentException(name() + ": paddingIdx must be in [" + -vocab + ", " + vocab
                    + ") (a row of the inputDim " + vocab + " rows; negative counts from the end, as torch's padding_idx), got " + k);
        }
        this.paddingIdx = k == null ? null : k < 0 ? vocab + k : k;
        return this;
    }

    /** The row that gets no gradient ({@link #paddingIdx(Integer)}, counted from 0), or null. */
    public Integer paddingIdx() { return paddingIdx; }

    /** The embeddings param [inputDim, outputDim] (null before build). */
    public Param embeddings() { return embeddings; }

    /** Keras' input_length: the input shape becomes (n). */
    @Override
    public Embedding inputLength(int n) {
        super.inputLength(n);
        super.inputShape(n);
        return this;
    }

    /**
     * Not available: for Embedding, Keras' input_dim is the vocabulary size, given to the constructor.
     * Use {@link #inputLength} or {@link #inputShape} for the input shape.
     */
    @Override
    public Embedding inputDim(int d) {
        throw new IllegalArgumentException(name() + ": the vocabulary size (Keras input_dim) is set in the constructor; "
                + "use inputLength(n) or inputShape(...) for the input shape");
    }

    @Override
    public List<int[]> computeOutputShapes(List<int[]> in) {
        Layers.singleShape(this, in);
        int[] x = in.get(0);
        if (x.length < 1) throw new IllegalArgumentException(name() + ": expected input (batch, timesteps) of ids, got (batch,)");
        int[] out = Arrays.copyOf(x, x.length + 1);
        out[x.length] = dim;
        return List.of(out);
    }

    @Override
    protected boolean weightsFit(List<int[]> built, List<int[]> given) {
        return given.size() == 1;
    }

    @Override
    protected void createParams(List<int[]> in) {
        embeddings = addParam("embeddings", vocab, dim);
    }

    @Override
    protected void initParams(SplittableRandom rng) {
        if (!initialValuesNeeded()) return;
        float[] table = inits.draw("embeddings", embeddings.shape(), rng);
        if (paddingIdx != null) Arrays.fill(table, paddingIdx * dim, (paddingIdx + 1) * dim, 0f);   // torch's reset_parameters
        embeddings.set(Tensor.wrap(table, vocab, dim));
    }

    @Override
    public Trace forward(List<DTensor> inputs, DTensor mask, boolean training) {
        DTensor ids = Layers.single(this, inputs);
        if (ids.rank() < 2) {
            throw new IllegalArgumentException(name() + ": expected input (batch, timesteps) of ids, got " + Tensor.shapeString(ids.shape()));
        }
        build(Layers.perSample(inputs));
        Backend be = backend();
        Layers.sameBackend(this, be, inputs);
        int n = (int) ids.size();
        int[] outShape = Arrays.copyOf(ids.shape(), ids.rank() + 1);
        outShape[ids.rank()] = dim;
        List<DTensor> owned = new ArrayList<>();
        // Checked ids (bad ones become -1): the lookups below never reach past this table's rows into the
        // parameters stored after it.
        DTensor safe, y, outMask = null;
        try {
            safe = DTensor.zeros(be, ids.shape());
            owned.add(safe);
            be.checkIds(n, ids.buf(), 0, vocab, name(), safe.buf(), 0);   // throws here on the CPU for a bad id
            y = DTensor.zeros(be, outShape);
            owned.add(y);
            be.gatherRows(n, dim, safe.buf(), 0, embeddings.value(), embeddings.offset(), y.buf(), 0);
            if (maskZero) {
                outMask = DTensor.zeros(be, ids.shape());
                owned.add(outMask);
                be.maskFromValues(n, 1, ids.buf(), 0, 0f, outMask.buf(), 0);
            }
        } catch (RuntimeException | Error e) {
            for (DTensor d : owned) d.close();
            throw e;
        }
        DTensor om = outMask;
        return new Trace() {
            @Override
            public List<DTensor> outputs() { return List.of(y); }

            @Override
            public DTensor outputMask() { return om; }

            @Override
            public List<DTensor> backward(List<DTensor> dOut) {
                DTensor dy = Layers.gradient(Embedding.this, dOut, List.of(y));
                if (dy != null && trainable()) {
                    be.scatterAddRows(n, dim, safe.buf(), 0, dy.buf(), 0, embeddings.grad(), embeddings.offset());
                    // torch's padding_idx: the row's lookups add nothing. Zeroing (not subtracting) is right in a fit: no
                    // other gradient has reached the table yet (the penalties' come after the backward pass), and an
                    // earlier call of a shared layer left the row 0. One driving Trace.backward by hand who adds into the
                    // table's gradient between backward calls would have that row's addition erased
                    Integer pad = paddingIdx;
                    if (pad != null) be.fill(embeddings.grad(), embeddings.offset() + (long) pad * dim, dim, 0f);
                }
                return Arrays.asList((DTensor) null);
            }

            @Override
            public void close() {
                for (DTensor d : owned) d.close();
                owned.clear();
            }
        };
    }

    @Override
    public Embedding name(String n) { super.name(n); return this; }

    @Override
    public Embedding dtype(String policy) { super.dtype(policy); return this; }

    @Override
    public Embedding seed(long s) { super.seed(s); return this; }

    @Override
    public Embedding inputShape(int... shape) { super.inputShape(shape); return this; }

    @Override
    public Embedding batchInputShape(int batch, int... shape) { super.batchInputShape(batch, shape); return this; }

    @Override
    public Embedding trainable(boolean t) { super.trainable(t); return this; }

    /** Keras 3's {@code supports_masking} is {@code mask_zero}: without it a mask reaching the layer ends here. */
    @Override
    public boolean passesMask() { return maskZero; }
}
