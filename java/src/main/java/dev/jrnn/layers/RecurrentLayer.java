package dev.jrnn.layers;

import dev.jrnn.backend.Activation;
import dev.jrnn.backend.Backend;
import dev.jrnn.backend.Buf;
import dev.jrnn.backend.DTensor;
import dev.jrnn.backend.Fork;
import dev.jrnn.tensor.Tensor;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Common base of {@link SimpleRNN}, {@link LSTM} and {@link GRU}: Keras' RNN options and the
 * time loop shared by all three cells.
 *
 * <pre>{@code
 * LSTM lstm = new LSTM(8).returnSequences(true).goBackwards(true);
 * }</pre>
 *
 * <p>Forward on x [B, T, I]: x goes time-major (and time-reversed for goBackwards) into xT [T, B, I];
 * the input projection of all steps is one GEMM {@code P[T*B, G] = xT · kernel (+ bias)}; each step
 * adds {@code h_{s-1} · recurrent_kernel} into its slice with a GEMM and runs one fused step kernel
 * that writes {@code h_s} (and {@code c_s}) into state buffers of [T+1, B, H] (slot 0 = initial state).
 * Backward runs the fused step-backward kernels from the last step to the first, adding
 * {@code dgates · U^T} into the state gradient, then gets the weight gradients and dX as single GEMMs
 * over all steps. On a backend that overlaps {@code Backend.fork} (CUDA with two streams) and on the
 * per-step path, both big GEMMs go in chunks of steps beside the loop instead (not in a Bidirectional,
 * whose directions already take both streams): the projection of later chunks is forked before the
 * forward loop, the gradients of finished chunks during the backward loop.
 *
 * <p>Masks as Keras' RNN loop: a masked step keeps the states and repeats the previous output, where
 * the output before a sample's first real step (in processing order) is zero, not the initial state.
 * So with an initial state, the outputs at leading masked steps are 0 (and a fully masked sample outputs
 * 0 with return_sequences false), while the returned states are the initial state; no gradient flows
 * from those zero outputs. With {@link #zeroOutputForMask(boolean)} (Keras' zero_output_for_mask, which
 * Bidirectional sets to returnSequences) every masked step outputs 0.
 */
public abstract class RecurrentLayer extends Layer {
    protected final int units;
    protected Activation activation = Activation.TANH;
    protected boolean useBias = true;
    protected boolean returnSequences;
    protected boolean returnState;
    protected boolean goBackwards;
    protected int tbptt;
    protected boolean zeroOutputForMask;
    /** Smallest forked chunk (projection, gradients) in rows (steps x batch); tests lower it to split small shapes. */
    static volatile int minChunkRows = 512;

    /**
     * Steps per forked chunk of a [batch, steps] sequence (projections, gradients, a stack's wavefront): at
     * most 8 chunks, each of at least {@link #minChunkRows} rows, so that the GEMMs stay large; {@code steps}
     * (no split) for short or small sequences.
     */
    static int chunkSteps(int batch, int steps) {
        int c = Math.max((steps + 7) / 8, (minChunkRows - 1 + batch) / batch);
        return Math.min(c, steps);
    }
    /**
     * Whether this layer forks chunks of its projection and gradients when the backend overlaps forks. False
     * for Bidirectional's layers: they already run on two streams, and a fork made by the direction on the main
     * stream would queue behind the whole other direction on the second stream (its join waiting for that).
     */
    boolean splitOnForks = true;

    protected Param kernel;
    protected Param recurrentKernel;
    protected Param bias;

    protected RecurrentLayer(int units) {
        if (units <= 0) throw new IllegalArgumentException(kerasClass() + ": units must be positive, got " + units);
        long g = (long) gateBlocks() * units;   // recurrent_kernel is (units, gates * units): check before any int product
        if ((double) g * units > Tensor.MAX_SIZE) {
            throw new IllegalArgumentException(kerasClass() + ": units " + units + " is too large: recurrent_kernel (" + units + ", "
                    + g + ") would hold " + (long) ((double) g * units) + " values, at most " + Tensor.MAX_SIZE);
        }
        this.units = units;
    }

    // ------------------------------------------------------------------ cell description

    /** Gate blocks per unit: 1 (SimpleRNN), 4 (LSTM), 3 (GRU). */
    protected abstract int gateBlocks();

    /** Recurrent states: 1 (h) or 2 (h, c for LSTM). */
    public abstract int stateCount();

    /** A fresh unbuilt layer of the same class and configuration (name, weights and shapes excluded). */
    protected abstract RecurrentLayer newInstance();

    /** Shape of the bias param ([G], or [2, G] for GRU). */
    protected int[] biasShape() { return new int[] {gateBlocks() * units}; }

    /** Initial bias values (zeros; LSTM overrides for unit_forget_bias). */
    protected float[] initialBias() { return new float[(int) Tensor.size(biasShape())]; }

    /** The cell kind, for a backend's whole-sequence fast path. */
    abstract dev.jrnn.backend.RecurrentCell cell();

    /** The gate activation (LSTM/GRU recurrent_activation; SimpleRNN has none and returns its activation). */
    Activation recurrentAct() { return activation; }

    /** Runs step {@code s}: the recurrent GEMM and the fused step kernel. */
    abstract void stepForward(Run r, int s);

    /** Runs the backward of step {@code s}: step kernel into dG (and dRP), dhPrev, dcPrev; then dhPrev += d · U^T. */
    abstract void stepBackward(Run r, int s, Buf dy, long dyOff);

    // ------------------------------------------------------------------ configuration

    public int units() { return units; }

    public String activation() { return activation.kerasName(); }

    public RecurrentLayer activation(String a) {
        this.activation = elementwise(a, "activation");
        return this;
    }

    public boolean useBias() { return useBias; }

    public RecurrentLayer useBias(boolean b) {
        requireUnbuilt("useBias");
        this.useBias = b;
        return this;
    }

    public boolean returnSequences() { return returnSequences; }

    public RecurrentLayer returnSequences(boolean b) {
        this.returnSequences = b;
        return this;
    }

    public boolean returnState() { return returnState; }

    public RecurrentLayer returnState(boolean b) {
        this.returnState = b;
        return this;
    }

    public boolean goBackwards() { return goBackwards; }

    public RecurrentLayer goBackwards(boolean b) {
        this.goBackwards = b;
        return this;
    }

    public boolean zeroOutputForMask() { return zeroOutputForMask; }

    /**
     * Keras' {@code zero_output_for_mask}: when true, the output at every masked step is 0 instead of the
     * previous output (with returnSequences false: the output is 0 when the last processed step is
     * masked). The states still carry over masked steps. Bidirectional sets it to returnSequences on both
     * of its layers, as Keras does.
     */
    public RecurrentLayer zeroOutputForMask(boolean b) {
        this.zeroOutputForMask = b;
        return this;
    }

    public int tbptt() { return tbptt; }

    /**
     * Truncated BPTT: the gradient through the recurrent state is cut every {@code k} steps (counted in
     * processing order, between step k-1 and k, 2k-1 and 2k, ...); 0 = full BPTT.
     */
    public RecurrentLayer tbptt(int k) {
        if (k < 0) throw new IllegalArgumentException(name() + ": tbptt must be >= 0 (0 = full BPTT), got " + k);
        this.tbptt = k;
        return this;
    }

    @Override
    public RecurrentLayer name(String n) { super.name(n); return this; }

    @Override
    public RecurrentLayer seed(long s) { super.seed(s); return this; }

    @Override
    public RecurrentLayer inputShape(int... shape) { super.inputShape(shape); return this; }

    @Override
    public RecurrentLayer batchInputShape(int batch, int... shape) { super.batchInputShape(batch, shape); return this; }

    @Override
    public RecurrentLayer inputLength(int n) { super.inputLength(n); return this; }

    @Override
    public RecurrentLayer inputDim(int d) { super.inputDim(d); return this; }

    @Override
    public RecurrentLayer trainable(boolean t) { super.trainable(t); return this; }

    /** The kernel param [I, G] (null before build). */
    public Param kernel() { return kernel; }

    /** The recurrent_kernel param [H, G] (null before build). */
    public Param recurrentKernel() { return recurrentKernel; }

    /** The bias param (null before build or without bias). */
    public Param bias() { return bias; }

    protected Activation elementwise(String a, String what) {
        Activation act = Activation.of(a);
        if (act == Activation.SOFTMAX) {
            throw new IllegalArgumentException(name() + ": " + what + " must be elementwise (tanh, sigmoid, relu, linear, hard_sigmoid), got softmax");
        }
        return act;
    }

    protected void requireUnbuilt(String what) {
        if (isBuilt()) throw new IllegalStateException(name() + ": cannot change " + what + " after the layer is built");
    }

    /** Copies this layer's common options into {@code c} (used by Bidirectional for the backward copy). */
    RecurrentLayer copyConfig(RecurrentLayer c) {
        c.activation = activation;
        c.useBias = useBias;
        c.returnSequences = returnSequences;
        c.returnState = returnState;
        c.goBackwards = goBackwards;
        c.tbptt = tbptt;
        c.zeroOutputForMask = zeroOutputForMask;
        c.trainable(trainable());
        return c;
    }

    // ------------------------------------------------------------------ shapes and params

    @Override
    public List<int[]> computeOutputShapes(List<int[]> in) {
        if (in == null || in.isEmpty()) throw new IllegalArgumentException(name() + ": no input shape given");
        int[] x = in.get(0);
        if (x.length != 2) {
            throw new IllegalArgumentException(name() + ": expected input (batch, timesteps, features), got "
                    + Layers.withBatch(x));
        }
        if (x[1] <= 0) throw new IllegalArgumentException(name() + ": the number of input features must be known and positive, got "
                + Layers.withBatch(x));
        if (in.size() != 1 && in.size() != 1 + stateCount()) {
            throw new IllegalArgumentException(name() + ": expected 1 input or 1 + " + stateCount()
                    + " (x and initial states), got " + in.size());
        }
        for (int i = 1; i < in.size(); i++) {
            int[] s = in.get(i);
            if (s.length != 1 || s[0] != units) {
                throw new IllegalArgumentException(name() + ": expected initial state " + (i - 1) + " of shape (batch, "
                        + units + "), got " + Layers.withBatch(s));
            }
        }
        List<int[]> out = new ArrayList<>();
        out.add(returnSequences ? new int[] {x[0], units} : new int[] {units});
        if (returnState) {
            for (int i = 0; i < stateCount(); i++) out.add(new int[] {units});
        }
        return out;
    }

    @Override
    protected boolean weightsFit(List<int[]> built, List<int[]> given) {
        return Layers.sameFeatures(built, given);
    }

    @Override
    protected void createParams(List<int[]> in) {
        int inputDim = in.get(0)[1];
        int g = gateBlocks() * units;
        kernel = addParam("kernel", inputDim, g);
        recurrentKernel = addParam("recurrent_kernel", units, g);
        bias = useBias ? addParam("bias", biasShape()) : null;
    }

    @Override
    protected void initParams(SplittableRandom rng) {
        int[] ks = kernel.shape();
        int g = gateBlocks() * units;
        kernel.set(Tensor.wrap(Initializers.glorotUniform(rng, ks[0], ks[1], ks[0] * ks[1]), ks));
        recurrentKernel.set(Tensor.wrap(Initializers.orthogonal(rng, units, g, 1.0), units, g));
        if (bias != null) bias.set(Tensor.wrap(initialBias(), biasShape()));
    }

    // ------------------------------------------------------------------ forward / backward

    /** Checks batch-first input shapes (x and initial states) with messages that show the full shapes. */
    void validateFull(List<int[]> full) {
        if (full == null || full.isEmpty()) throw new IllegalArgumentException(name() + ": no input given");
        int[] x = full.get(0);
        if (x.length != 3) {
            throw new IllegalArgumentException(name() + ": expected input (batch, timesteps, features), got "
                    + Tensor.shapeString(x));
        }
        if (isBuilt()) {
            int want = inputShapes().get(0)[1];
            if (x[2] != want) {
                throw new IllegalArgumentException(name() + ": expected input (batch, timesteps, " + want + "), got "
                        + Tensor.shapeString(x));
            }
        }
        if (full.size() != 1 && full.size() != 1 + stateCount()) {
            throw new IllegalArgumentException(name() + ": expected 1 input or 1 + " + stateCount()
                    + " (x and initial states), got " + full.size());
        }
        for (int i = 1; i < full.size(); i++) {
            int[] s = full.get(i);
            if (s.length != 2 || s[0] != x[0] || s[1] != units) {
                throw new IllegalArgumentException(name() + ": expected initial state " + (i - 1) + " of shape ("
                        + x[0] + ", " + units + "), got " + Tensor.shapeString(s));
            }
        }
    }

    @Override
    public List<Tensor> callAll(List<Tensor> inputs) {
        if (inputs != null && Layers.noNulls(inputs)) {
            List<int[]> full = new ArrayList<>();
            for (Tensor t : inputs) full.add(t.shape());
            validateFull(full);
        }
        return super.callAll(inputs);
    }

    @Override
    public Trace forward(List<DTensor> inputs, DTensor mask, boolean training) {
        if (inputs == null || inputs.isEmpty() || !Layers.noNulls(inputs)) {
            throw new IllegalArgumentException(name() + ": no input given (or a null input)");
        }
        List<int[]> full = new ArrayList<>();
        for (DTensor d : inputs) full.add(d.shape());
        validateFull(full);
        build(Layers.perSample(inputs));
        Backend be = backend();
        Layers.sameBackend(this, be, inputs);
        DTensor x = inputs.get(0);
        int batch = x.dim(0), steps = x.dim(1);
        if (mask != null && (mask.rank() != 2 || mask.dim(0) != batch || mask.dim(1) != steps)) {
            throw new IllegalArgumentException(name() + ": expected mask (" + batch + ", " + steps + "), got "
                    + Tensor.shapeString(mask.shape()));
        }
        Run r = new Run(be, inputs, mask, batch, steps, x.dim(2));
        try {
            r.forward();
        } catch (RuntimeException e) {
            r.close();
            throw e;
        }
        return r;
    }

    /** One application on a batch: keeps xT, the gate buffers and all states for backward. */
    final class Run implements Trace {
        final Backend be;
        final int B, T, I, H, G;
        final int nInputs;
        final boolean hasInitial;
        final DTensor x;
        final DTensor mask;          // caller's, passed on as outputMask
        final List<DTensor> initial;
        Buf xT;                      // [T, B, I] in processing order (at xOff; in a stack: the layer below's hs)
        long xOff;
        Buf maskT;                   // [T, B] in processing order, or null
        Buf p;                       // [T, B, G]: pre-activations / gates (GRU: xp)
        Buf rp;                      // GRU only: [T, B, G] hPrev·U + bRec
        Buf hs;                      // [T+1, B, H]
        Buf cs;                      // LSTM only: [T+1, B, H]
        Buf seen;                    // [T, B] processing order: 1 where the output is the state, 0 where it is 0:
                                     // with zeroOutputForMask the mask itself, else 1 from a sample's first real
                                     // step on (only with an initial state; else all outputs are states)
        // backward state (per call)
        Buf dG, dRP, dhN, dhP, dcN, dyT, dxT;
        final List<Buf> temps = new ArrayList<>();
        final List<DTensor> outputs = new ArrayList<>();
        final List<AutoCloseable> owned = new ArrayList<>();

        /** A run inside a stack: its input is the layer below's states (no x, no initial states). */
        Run(Backend be, DTensor mask, int b, int t, int i) {
            this(be, null, List.of(), mask, b, t, i);
        }

        Run(Backend be, List<DTensor> inputs, DTensor mask, int b, int t, int i) {
            this(be, inputs.get(0), inputs.subList(1, inputs.size()), mask, b, t, i);
        }

        private Run(Backend be, DTensor x, List<DTensor> initial, DTensor mask, int b, int t, int i) {
            this.be = be;
            this.B = b;
            this.T = t;
            this.I = i;
            this.H = units;
            this.G = gateBlocks() * units;
            this.nInputs = 1 + initial.size();
            this.hasInitial = !initial.isEmpty();
            this.x = x;
            this.mask = mask;
            this.initial = new ArrayList<>(initial);
        }

        Buf alloc(long n) {
            Buf b = be.alloc(n);
            owned.add(b);
            return b;
        }

        long bh(int s) { return (long) s * B * H; }
        long bg(int s) { return (long) s * B * G; }

        void forward() {
            prepareForward(null, 0);
            // On the per-step path of a backend that overlaps forks (CUDA, two streams), the input projection
            // of later chunks of steps runs on the second stream while the loop works through earlier ones.
            boolean split = be.overlapsForks() && splitOnForks
                    && !be.recurrentSequenceSupported(cell(), activation, recurrentAct(), T, B, H);
            int chunk = split ? chunkSteps() : T;
            project(0, Math.min(chunk, T));
            List<Fork> projections = new ArrayList<>();   // chunk k (k >= 1) at index k - 1
            try {   // every fork made is joined, also when a later one fails
                for (int from = chunk; from < T; from += chunk) {
                    int f = from, to = Math.min(from + chunk, T);
                    projections.add(be.fork(() -> project(f, to)));
                }
                // A backend's fused whole-sequence path (CUDA persistent kernels) when it has one for this shape.
                boolean fused = !split && be.recurrentSequenceForward(cell(), activation, recurrentAct(), T, B, H,
                        hasInitial, recurrentKernel.value(), recurrentKernel.offset(),
                        rp != null && bias != null ? bias.value() : null,
                        rp != null && bias != null ? bias.offset() + G : 0, p, 0, rp, 0, hs, 0, cs, 0, maskT, 0);
                for (int s = 0; s < T && !fused; s++) {
                    if (s > 0 && s % chunk == 0) projections.get(s / chunk - 1).join();   // its x·W + b is needed now
                    stepForward(this, s);
                }
            } finally {
                for (Fork f : projections) f.join();
            }
            finishForward(true);
        }

        /**
         * Allocates what the forward keeps: xT from x (time-major, in processing order), or {@code external}
         * at {@code offset} (a stack's layer below: its hs after slot 0), the mask, p, the states.
         */
        void prepareForward(Buf external, long offset) {
            long tb = (long) T * B;
            if (external == null) {
                xT = alloc(tb * I);
                toTimeMajor(x.buf(), I, xT);
            } else {   // not owned: the layer below frees it
                xT = external;
                xOff = offset;
            }
            if (mask != null) {
                maskT = alloc(tb);
                toTimeMajor(mask.buf(), 1, maskT);
            }
            p = alloc(tb * G);
            hs = alloc((T + 1L) * B * H);
            if (stateCount() == 2) cs = alloc((T + 1L) * B * H);
            if (hasInitial) {
                be.copy(initial.get(0).buf(), 0, hs, 0, (long) B * H);
                if (cs != null) be.copy(initial.get(1).buf(), 0, cs, 0, (long) B * H);
            }
            if (gateBlocks() == 3) rp = alloc(tb * G);
        }

        /** The per-step forward of steps [from, to) (their projection must be in p). */
        void stepsForward(int from, int to) {
            for (int s = from; s < to; s++) stepForward(this, s);
        }

        /** After the loop: frees what backward does not need and makes the outputs (none for a stack's inner layer). */
        void finishForward(boolean makeOutputs) {
            long tb = (long) T * B;
            // SimpleRNN backward needs only h: its pre-activations can go now
            if (gateBlocks() == 1) p.close();
            if (!makeOutputs) return;
            // Keras' output before a sample's first real step is 0, not h0: only differs with an initial state
            if (maskT != null && T > 0 && zeroOutputForMask) {   // every masked step outputs 0
                seen = alloc(tb);
                be.maskFromValues((int) tb, 1, maskT, 0, 0f, seen, 0);
            } else if (maskT != null && hasInitial && T > 0) {
                seen = seenSteps();
            }
            // outputs
            if (returnSequences) {
                DTensor y = DTensor.zeros(be, B, T, H);
                owned.add(y);
                be.transpose01(T, B, H, hs, bh(1), y.buf(), 0);
                if (seen != null) {
                    Buf seenBT = be.alloc((long) B * T);
                    try {
                        be.transpose01(T, B, 1, seen, 0, seenBT, 0);
                        zeroUnseen(B * T, y.buf(), seenBT, 0);
                    } finally {
                        seenBT.close();
                    }
                }
                outputs.add(y);
            } else {
                DTensor y = lastState(hs);
                if (seen != null) zeroUnseen(B, y.buf(), seen, (long) (T - 1) * B);
                outputs.add(y);
            }
            if (returnState) {
                outputs.add(lastState(hs));
                if (cs != null) outputs.add(lastState(cs));
            }
        }

        /**
         * [T, B]: 1 where the sample had a real step at or before processing step s, else 0. An inclusive
         * prefix sum over time of (mask != 0) in log2(T) doubling rounds, then clipped to 1; all on the
         * device (no host round trip, so it can be captured).
         */
        private Buf seenSteps() {
            long tb = (long) T * B;
            Buf sn = alloc(tb);
            be.maskFromValues((int) tb, 1, maskT, 0, 0f, sn, 0);
            Buf prev = be.alloc(tb);
            try {
                for (long d = 1; d < T; d *= 2) {
                    long shift = d * B;
                    be.copy(sn, 0, prev, 0, tb - shift);
                    be.axpy(tb - shift, 1f, prev, 0, sn, shift);
                }
            } finally {
                prev.close();
            }
            be.clip(tb, 0f, 1f, sn, 0);
            return sn;
        }

        /**
         * {@code y[r, :] *= seen[r]} for [rows, H], then {@code += 0}: a masked-out row becomes +0 as Keras'
         * where() gives, not the -0 that a negative h0 times 0 leaves (x + 0 = x for every non-zero x).
         */
        private void zeroUnseen(int rows, Buf y, Buf seenRows, long seenOff) {
            be.mulRows(rows, H, y, 0, seenRows, seenOff, y, 0);
            Buf zeros = be.alloc(H);
            try {
                be.addRowVector(rows, H, zeros, 0, y, 0);
            } finally {
                zeros.close();
            }
        }

        private DTensor lastState(Buf states) {
            DTensor d = DTensor.zeros(be, B, H);
            owned.add(d);
            be.copy(states, bh(T), d.buf(), 0, (long) B * H);
            return d;
        }

        /**
         * Gradients from steps [from, to) (processing order, rows from*B ..): accumulated into dU, dW and the
         * bias (when trainable), and dx of those rows written into dxT ([T, B, I]).
         */
        void stepGradients(int from, int to, Buf dxT) {
            if (to <= from) return;
            int rows = (to - from) * B;
            Buf dRec = rp != null ? dRP : dG;
            if (trainable()) {
                be.gemm(true, false, H, G, rows, 1f, hs, bh(from), H, dRec, bg(from), G, 1f,
                        recurrentKernel.grad(), recurrentKernel.offset(), G);
                be.gemm(true, false, I, G, rows, 1f, xT, xOff + (long) from * B * I, I, dG, bg(from), G, 1f,
                        kernel.grad(), kernel.offset(), G);
                if (bias != null) {
                    be.sumRows(rows, G, dG, bg(from), bias.grad(), bias.offset(), true);
                    if (rp != null) be.sumRows(rows, G, dRP, bg(from), bias.grad(), bias.offset() + G, true);
                }
            }
            be.gemm(false, true, rows, I, G, 1f, dG, bg(from), G, kernel.value(), kernel.offset(), G, 0f,
                    dxT, (long) from * B * I, I);
        }

        /** {@code p} rows of steps [from, to) (processing order) = x·W + b. */
        void project(int from, int to) {
            if (to <= from) return;
            int rows = (to - from) * B;
            be.gemm(false, false, rows, G, I, 1f, xT, xOff + (long) from * B * I, I, kernel.value(), kernel.offset(),
                    G, 0f, p, bg(from), G);
            if (bias != null) be.addRowVector(rows, G, bias.value(), bias.offset(), p, bg(from));
        }

        /** Steps per forked chunk of this run ({@link RecurrentLayer#chunkSteps(int, int)}). */
        int chunkSteps() {
            return RecurrentLayer.chunkSteps(B, T);
        }

        /** src [B, T, f] -> dst [T, B, f] in processing order. */
        private void toTimeMajor(Buf src, int f, Buf dst) {
            if (!goBackwards) {
                be.transpose01(B, T, f, src, 0, dst, 0);
            } else {
                for (int s = 0; s < T; s++) {
                    int t = T - 1 - s;
                    be.copy2d(B, f, src, (long) t * f, T * f, dst, (long) s * B * f, f);
                }
            }
        }

        /** src [T, B, f] in processing order -> dst [B, T, f]. */
        private void fromTimeMajor(Buf src, int f, Buf dst) {
            if (!goBackwards) {
                be.transpose01(T, B, f, src, 0, dst, 0);
            } else {
                for (int s = 0; s < T; s++) {
                    int t = T - 1 - s;
                    be.copy2d(B, f, src, (long) s * B * f, f, dst, (long) t * f, T * f);
                }
            }
        }

        @Override
        public List<DTensor> outputs() { return List.copyOf(outputs); }

        @Override
        public DTensor outputMask() { return returnSequences ? mask : null; }

        @Override
        public List<DTensor> backward(List<DTensor> dOut) {
            Layers.checkGradients(RecurrentLayer.this, dOut, outputs);
            try {
                prepareBackward(dOut, null);
                boolean fused = be.recurrentSequenceBackward(cell(), activation, recurrentAct(), T, B, H, tbptt,
                        hasInitial, recurrentKernel.value(), recurrentKernel.offset(), gateBlocks() == 1 ? null : p, 0,
                        rp, 0, hs, 0, cs, 0, maskT, 0, dyT, 0, dhN, 0, dcN, 0, dG, 0, dRP, 0);
                // With a backend that overlaps forks (CUDA, two streams), the weight gradients and dx of each
                // finished chunk of steps go to the second stream while the loop goes on with earlier steps.
                int chunk = !fused && be.overlapsForks() && splitOnForks ? chunkSteps() : T;
                List<Fork> forks = new ArrayList<>();
                int done = T;   // steps [done, T) have their gradients queued
                try {
                    for (int s = T - 1; s >= 0 && !fused; s--) {
                        stepsBackward(s, s + 1);
                        if (s > 0 && done - s >= chunk) {   // dG of steps [s, done) is final
                            int from = s, to = done;
                            Buf dx = dxT;
                            forks.add(be.fork(() -> stepGradients(from, to, dx)));
                            done = s;
                        }
                    }
                } finally {
                    for (Fork f : forks) f.join();   // before anything else touches the gradients
                }
                stepGradients(0, done, dxT);
                return finishBackward(true);
            } finally {
                releaseBackward();
            }
        }

        /**
         * Allocates the backward's buffers and takes the output gradients: dy into dyT (time-major) or, in
         * a stack, {@code externalDyT} (the layer above's dxT, already time-major), plus the state gradients.
         */
        void prepareBackward(List<DTensor> dOut, Buf externalDyT) {
            long tb = (long) T * B;
            long bhn = (long) B * H;
            dG = temp(tb * G);
            if (rp != null) dRP = temp(tb * G);
            dhN = temp(bhn);
            dhP = temp(bhn);
            if (cs != null) dcN = temp(bhn);
            dxT = temp(tb * I);
            if (externalDyT != null) {
                dyT = externalDyT;
                return;
            }
            DTensor dy = dOut.get(0);
            if (dy != null) {
                if (returnSequences) {
                    dyT = temp(tb * H);
                    be.transpose01(B, T, H, dy.buf(), 0, dyT, 0);
                    // outputs before a sample's first real step are constant zeros
                    if (seen != null) be.mulRows((int) tb, H, dyT, 0, seen, 0, dyT, 0);
                } else {
                    be.axpy(bhn, 1f, dy.buf(), 0, dhN, 0);
                    if (seen != null) be.mulRows(B, H, dhN, 0, seen, (long) (T - 1) * B, dhN, 0);
                }
            }
            if (returnState) {
                if (dOut.get(1) != null) be.axpy(bhn, 1f, dOut.get(1).buf(), 0, dhN, 0);
                if (cs != null && dOut.get(2) != null) be.axpy(bhn, 1f, dOut.get(2).buf(), 0, dcN, 0);
            }
        }

        private Buf temp(long n) {
            Buf b = be.alloc(n);
            temps.add(b);
            return b;
        }

        /** The per-step backward of steps to-1 down to from (dG rows and the state gradients). */
        void stepsBackward(int from, int to) {
            long bhn = (long) B * H;
            for (int s = to - 1; s >= from; s--) {
                if (tbptt > 0 && (s + 1) % tbptt == 0 && s + 1 < T) {
                    be.fill(dhN, 0, bhn, 0f);
                    if (dcN != null) be.fill(dcN, 0, bhn, 0f);
                }
                stepBackward(this, s, dyT, dyT == null ? 0 : bh(s));
                Buf tmp = dhN;
                dhN = dhP;
                dhP = tmp;
            }
        }

        /** The input gradients after the loop: dx (batch-major; null when not asked), then dh0 (, dc0). */
        List<DTensor> finishBackward(boolean makeDx) {
            long bhn = (long) B * H;
            List<DTensor> grads = new ArrayList<>();
            if (makeDx) {
                DTensor dx = DTensor.zeros(be, B, T, I);
                owned.add(dx);
                fromTimeMajor(dxT, I, dx.buf());
                grads.add(dx);
            } else {
                grads.add(null);
            }
            if (hasInitial) {
                DTensor dh0 = DTensor.zeros(be, B, H);
                owned.add(dh0);
                be.copy(dhN, 0, dh0.buf(), 0, bhn);
                grads.add(dh0);
                if (cs != null) {
                    DTensor dc0 = DTensor.zeros(be, B, H);
                    owned.add(dc0);
                    be.copy(dcN, 0, dc0.buf(), 0, bhn);
                    grads.add(dc0);
                }
            }
            return grads;
        }

        /** Frees the backward's buffers. */
        void releaseBackward() {
            for (Buf b : temps) b.close();
            temps.clear();
            dG = dRP = dhN = dhP = dcN = dyT = dxT = null;
        }

        @Override
        public void close() {
            for (int i = owned.size() - 1; i >= 0; i--) {
                try {
                    owned.get(i).close();
                } catch (Exception e) {
                    throw new IllegalStateException(name() + ": freeing a buffer failed: " + e, e);
                }
            }
            owned.clear();
        }
    }
}
