package dev.jrnn.model;

import dev.jrnn.tensor.Tensor;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/** Joins a predict's batches of outputs along the batch axis, as Keras' predict concatenates them (np.concatenate). */
final class BatchJoin {
    private BatchJoin() {}

    /**
     * One tensor per output: the batches of {@code parts} (each one tensor per output) in order. Outputs whose shape past
     * the batch axis changes between batches cannot be joined: refused naming both shapes ({@code what} names the call).
     */
    static List<Tensor> join(String what, List<List<Tensor>> parts, int outputs) {
        List<Tensor> r = new ArrayList<>(outputs);
        for (int k = 0; k < outputs; k++) {
            int[] first = parts.get(0).get(k).shape();
            long rows = 0;
            for (int b = 0; b < parts.size(); b++) {
                int[] shape = parts.get(b).get(k).shape();
                if (!Arrays.equals(Arrays.copyOfRange(shape, 1, shape.length), Arrays.copyOfRange(first, 1, first.length))) {
                    throw new IllegalArgumentException(what + ": output " + k + " of batch " + b + " has shape " + Arrays.toString(shape)
                            + " and that of batch 0 " + Arrays.toString(first) + ": the batches cannot be joined; predict to a consumer instead");
                }
                rows += shape[0];
            }
            int[] shape = first.clone();
            shape[0] = Math.toIntExact(rows);
            float[] data = new float[Tensor.checkedSize(what + ": output " + k, shape)];
            int at = 0;
            for (List<Tensor> part : parts) {
                float[] v = part.get(k).data();
                System.arraycopy(v, 0, data, at, v.length);
                at += v.length;
            }
            r.add(Tensor.wrap(data, shape));
        }
        return r;
    }
}
