package dev.jrnn.model;

import dev.jrnn.tensor.Tensor;

import java.util.Arrays;
import java.util.List;

/**
 * Checked host data of a fit/evaluate/predict call: one tensor per input, one target per output (null
 * for an output without one; {@code ys} null when predicting), optional sequence lengths, and the sample
 * rows in use (a validation split shares the tensors).
 */
record Data(List<Tensor> xs, List<Tensor> ys, int[] lengths, int[] rows) {
    int n() { return rows.length; }

    /** Rows {@code [from, to)} of the rows in use. */
    Data subset(int from, int to) { return new Data(xs, ys, lengths, Arrays.copyOfRange(rows, from, to)); }
}
