package dev.jrnn.layers;

import dev.jrnn.backend.Activation;
import dev.jrnn.backend.Buf;
import dev.jrnn.backend.CellConfig;
import dev.jrnn.backend.RecurrentCell;

/**
 * One timestep of a recurrent layer, as Keras' {@code SimpleRNNCell} / {@code LSTMCell} / {@code GRUCell}
 * beside its {@code RNN} loop: the cell's kind (gate and state counts, the backend's step operations and
 * whole-sequence kernel), its activations and its bias layout. {@link RecurrentLayer} owns the weights and
 * the loop over time (masks, goBackwards, tbptt, chunks, forks) and calls the cell once per step.
 */
abstract sealed class Cell permits SimpleRNNCell, GatedCell {
    /** The candidate / output activation (Keras {@code activation}). */
    Activation activation = Activation.TANH;
    /** Keras' name of the cell object (RNN(LSTMCell(name=...)), see RecurrentLayer.cellName); null until named. */
    String name;

    /** The kind: gate count, state count, and the backend's step and whole-sequence operations. */
    abstract RecurrentCell kind();

    /** A new cell of this kind with the default configuration. */
    abstract Cell fresh();

    /** A new cell of this kind and configuration. */
    Cell copy() {
        Cell c = fresh();
        c.activation = activation;
        c.name = name;   // Keras' copy (Bidirectional's backward layer) is the whole config: the cell keeps its name
        return c;
    }

    /** Gate blocks per unit (G = gates * units). */
    final int gates() { return kind().gates(); }

    /** Recurrent states: 1 (h) or 2 (h, c). */
    final int states() { return kind().states(); }

    /** The gate activation (LSTM/GRU recurrent_activation; SimpleRNN has none and returns its activation). */
    Activation recurrentActivation() { return activation; }

    /** What the backend's recurrent operations need to know of this cell, for steps of {@code batch} rows. */
    CellConfig config(int batch, int units) {
        return new CellConfig(kind(), activation, recurrentActivation(), batch, units);
    }

    /** Shape of the bias param: [G] (GRU: [2, G], input and recurrent bias). */
    int[] biasShape(int units) { return new int[] {gates() * units}; }

    /** Initial bias values: the bias initializer's ({@code draw} of a shape) for the whole bias (LSTM: unit_forget_bias). */
    float[] initialBias(int units, java.util.function.Function<int[], float[]> draw) { return draw.apply(biasShape(units)); }

    /** Whether backward reads the gates of forward (SimpleRNN's backward needs only h). */
    boolean backwardReadsGates() { return true; }

    /**
     * Whether hPrev·U is kept apart from x·W + b (GRU's reset_after: {@code r * (hPrev·U + bRec)}), in
     * the run's {@code recurrentProj} forward and {@code dRecurrent} backward.
     */
    boolean separateRecurrentProjection() { return false; }

    /**
     * Whether a run keeps r * hPrev per step ({@code resetState} [T, B, H], GRU reset_after = false): the input of
     * the candidate's recurrent product, from which U's h columns take their gradient.
     */
    boolean keepsResetState() { return false; }

    /** Step {@code s} of run {@code r}: the recurrent GEMM and the backend's fused step. */
    abstract void stepForward(RecurrentRun r, int s);

    /**
     * The backward of step {@code s}: the backend's step backward from {@code r.dHiddenNext} (and
     * {@code dCellNext}) and {@code dy} (nullable) into {@code dGates} (and {@code dRecurrent}),
     * {@code dHiddenPrev} (and {@code dCellNext}, in place), then {@code dHiddenPrev += d · U^T}.
     */
    abstract void stepBackward(RecurrentRun r, int s, Buf dy, long dyOff);
}
