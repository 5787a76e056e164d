package dev.jrnn.layers;

import dev.jrnn.tensor.Tensor;

import java.util.ArrayList;
import java.util.List;

/**
 * A recurrent layer's shapes: its per-sample input shapes checked at the build and the output shapes they give
 * (return_sequences, return_state), and a call's batch-first shapes, x and the initial states, checked with messages
 * that show the full shapes.
 */
final class RecurrentShapes {
    private RecurrentShapes() {}

    /** {@link RecurrentLayer#computeOutputShapes}: the per-sample output shapes of {@code l} for input shapes {@code in}. */
    static List<int[]> outputs(RecurrentLayer l, List<int[]> in) {
        if (in == null || in.isEmpty()) throw new IllegalArgumentException(l.name() + ": no input shape given");
        int[] x = in.get(0);
        if (x.length != 2) {
            throw new IllegalArgumentException(l.name() + ": expected input (batch, timesteps, features), got "
                    + Layers.withBatch(x));
        }
        if (x[1] <= 0) throw new IllegalArgumentException(l.name() + ": the number of input features must be known and positive, got "
                + Layers.withBatch(x));
        if (l.unroll && x[0] <= 0) {   // Keras: "Cannot unroll a RNN if the time dimension is undefined"
            throw new IllegalArgumentException(l.name() + ": unroll needs a fixed number of timesteps, got input "
                    + Layers.withBatch(x) + "; give the steps in the input shape, or unroll(false)");
        }
        if (in.size() != 1 && in.size() != 1 + l.stateCount()) {
            throw new IllegalArgumentException(l.name() + ": expected 1 input or 1 + " + l.stateCount()
                    + " (x and initial states), got " + in.size());
        }
        for (int i = 1; i < in.size(); i++) {
            int[] s = in.get(i);
            if (s.length != 1 || s[0] != l.units) {
                throw new IllegalArgumentException(l.name() + ": expected initial state " + (i - 1) + " of shape (batch, "
                        + l.units + "), got " + Layers.withBatch(s));
            }
        }
        List<int[]> out = new ArrayList<>();
        out.add(l.returnSequences ? new int[] {x[0], l.units} : new int[] {l.units});
        if (l.returnState) {
            for (int i = 0; i < l.stateCount(); i++) out.add(new int[] {l.units});
        }
        return out;
    }

    /** Checks batch-first input shapes (x and initial states) with messages that show the full shapes. */
    static void checkBatchFirst(RecurrentLayer l, List<int[]> full) {
        if (full == null || full.isEmpty()) throw new IllegalArgumentException(l.name() + ": no input given");
        int[] x = full.get(0);
        if (x.length != 3) {
            throw new IllegalArgumentException(l.name() + ": expected input (batch, timesteps, features), got "
                    + Tensor.shapeString(x));
        }
        if (l.isBuilt()) {
            int want = l.inputShapes().get(0)[1];
            if (x[2] != want) {
                throw new IllegalArgumentException(l.name() + ": expected input (batch, timesteps, " + want + "), got "
                        + Tensor.shapeString(x));
            }
        }
        if (full.size() != 1 && full.size() != 1 + l.stateCount()) {
            throw new IllegalArgumentException(l.name() + ": expected 1 input or 1 + " + l.stateCount()
                    + " (x and initial states), got " + full.size());
        }
        for (int i = 1; i < full.size(); i++) {
            int[] s = full.get(i);
            if (s.length != 2 || s[0] != x[0] || s[1] != l.units) {
                throw new IllegalArgumentException(l.name() + ": expected initial state " + (i - 1) + " of shape ("
                        + x[0] + ", " + l.units + "), got " + Tensor.shapeString(s));
            }
        }
    }
}
